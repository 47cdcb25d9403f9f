#!/usr/bin/env bash
# Start the task worker and the development web server together, and load the demo library in the
# background (the home page shows its progress). Stopping the server (Ctrl+C) stops everything.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
$PY manage.py library_recover --minutes 0
$PY manage.py run_schedules --enqueue
$PY manage.py db_worker --interval 1 &
worker=$!
( $PY manage.py load_demo_publications; $PY manage.py load_demo_library ) > var/demo-library.log 2>&1 &
loader=$!
trap 'kill "$worker" "$loader" 2>/dev/null || true' EXIT INT TERM
echo "Case Reviews: http://127.0.0.1:8000/  (task worker pid $worker; demo library loading in the background)"
$PY manage.py runserver 127.0.0.1:8000
