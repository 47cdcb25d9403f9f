#!/bin/sh
# The processes of the one Case Reviews image (deploy/Containerfile). The first argument chooses:
#   web              gunicorn (deploy/gunicorn.conf.py)
#   worker           the task worker, after queuing again what a crashed worker left and starting the schedules
#   search-follower  keeps this container's search index following the change table (share its volume with web)
#   migrate          once per release, from one container, before the new web and worker start
#   anything else    a manage.py command, e.g. `backup /backups/casereviews.tar` or `search_rebuild`
# The same commands as the systemd units in deploy/systemd/.
set -eu
cd "$(dirname "$0")/.."
python=.venv/bin/python
role="${1:-web}"
[ "$#" -gt 0 ] && shift
case "$role" in
    web)
        exec .venv/bin/gunicorn --config deploy/gunicorn.conf.py "$@" casereviews.wsgi
        ;;
    worker)
        "$python" manage.py library_recover
        "$python" manage.py run_schedules --enqueue
        exec "$python" manage.py db_worker --no-reload --interval 1 "$@"
        ;;
    search-follower)
        exec "$python" manage.py search_follow --interval 2 "$@"
        ;;
    migrate)
        "$python" manage.py migrate --noinput
        exec "$python" manage.py createcachetable
        ;;
    *)
        exec "$python" manage.py "$role" "$@"
        ;;
esac
