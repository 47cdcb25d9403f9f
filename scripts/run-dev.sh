#!/usr/bin/env bash
# Start the task worker and the development web server together; stopping one (Ctrl+C) stops both.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
$PY manage.py db_worker --interval 1 &
worker=$!
trap 'kill "$worker" 2>/dev/null || true' EXIT INT TERM
echo "Case Reviews: http://127.0.0.1:8000/  (task worker pid $worker)"
$PY manage.py runserver 127.0.0.1:8000
