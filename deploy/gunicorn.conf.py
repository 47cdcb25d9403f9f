"""gunicorn's settings for Case Reviews: `gunicorn --config deploy/gunicorn.conf.py casereviews.wsgi`.

Each can be changed from the environment without editing this file (docs/operations.md lists them). The
defaults are what the load benchmark measured on two cores (docs/benchmarks.md): four synchronous workers.
"""

from __future__ import annotations

import os


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    return int(raw) if raw else default


# Behind a reverse proxy on the same machine; a container publishes 0.0.0.0:8000 (see deploy/Containerfile).
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Two a core: a worker waits on the database and the disk part of the time (WEB_CONCURRENCY is gunicorn's own name).
workers = _int("WEB_CONCURRENCY", 4)
# One thread a worker measured best: the work is CPU-bound Python (templates, tantivy snippets) under the GIL.
threads = _int("GUNICORN_THREADS", 1)
# A request reads an uploaded report of up to LIBRARY_MAX_PAGES pages before answering; longer than that is a fault.
timeout = _int("GUNICORN_TIMEOUT", 60)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
keepalive = 5
# Recycle a worker now and then, staggered, so slow growth in memory (PDF and Word libraries) never accumulates.
max_requests = _int("GUNICORN_MAX_REQUESTS", 2000)
max_requests_jitter = max_requests // 10
# Uploads stream to disk through the worker: a request line or header bigger than this is refused, not read.
limit_request_line = 8190
# gunicorn's heartbeat file: in memory, not on a disk that may be slow or, in a container, an overlay.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # noqa: S108 - gunicorn's own heartbeat files
# No control socket (gunicornc): systemd or the container runtime starts, reloads and stops gunicorn, and the
# socket would otherwise be made in the service user's home, which is the var dir.
control_socket_disable = True
# FORWARDED_ALLOW_IPS (read by gunicorn itself, default 127.0.0.1,::1) names the proxies whose X-Forwarded-Proto
# is believed; then a request that reached the proxy over TLS counts as secure (HSTS, secure redirect, cookies).

# The application logs each request itself, without its query string (casereviews/core/request_logging.py);
# gunicorn's access log would print the whole request line, so it stays off.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()


def _log_format() -> str:
    # The same rule as casereviews/settings.py: JSON unless asked otherwise or in development.
    debug = os.environ.get("DJANGO_DEBUG", "true").strip().lower() in {"1", "true", "yes", "on"}
    return os.environ.get("LOG_FORMAT", "text" if debug else "json").strip().lower()


if _log_format() == "json":
    # gunicorn's own lines (workers booting, a timed-out worker) in the application's JSON format, on stderr.
    logconfig_dict = {
        "formatters": {"json": {"()": "casereviews.core.logging.JsonFormatter"}},
        "handlers": {
            "stderr": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"},
        },
        "root": {"level": "INFO", "handlers": ["stderr"]},
        "loggers": {
            "gunicorn.error": {"level": loglevel.upper(), "handlers": [], "propagate": True},
            # Never written (see accesslog above): a logging configuration would otherwise turn it on.
            "gunicorn.access": {"level": "CRITICAL", "handlers": [], "propagate": False},
        },
    }
