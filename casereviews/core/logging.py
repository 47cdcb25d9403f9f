"""Log lines: one JSON object per line in production, readable text in development (LOG_FORMAT).

Plain standard library with no Django import, so gunicorn's own log configuration (deploy/gunicorn.conf.py) can
use the same formatter before Django is set up.

What a line may carry is a fixed list: the time, level, logger, message, the request's id, method, path, status,
duration and user id (never a name or an e-mail address), the name of the view the path resolved to, whether the
request was refused, an API token's stored prefix (never the token), and the exception. Anything else a caller passes in
`extra` (Django passes the whole request object to `django.request`) is left out, so no request body, header,
cookie, password or token can reach a log by accident.
"""

from __future__ import annotations

import contextvars
import datetime
import json
import logging
from dataclasses import dataclass

# The request fields, in the order they appear on a line. `view` tells a 404 from a route (an object that does not
# exist or that the person may not know of) from one of a mistyped address (no view); `refused` marks a 401 or 403.
REQUEST_FIELDS = ("request_id", "method", "path", "status", "duration_ms", "user_id", "view", "refused", "token_prefix")


@dataclass(frozen=True)
class LogContext:
    """What every log line written while handling one request says about it (set by request_logging)."""

    request_id: str
    method: str
    path: str  # with any secret in it replaced; never the query string
    raw_path: str  # only to find and replace the unredacted path in Django's own messages; never logged


_context: contextvars.ContextVar[LogContext | None] = contextvars.ContextVar("log_context", default=None)


def current_log_context() -> LogContext | None:
    return _context.get()


def set_log_context(context: LogContext | None) -> contextvars.Token[LogContext | None]:
    return _context.set(context)


def reset_log_context(token: contextvars.Token[LogContext | None]) -> None:
    _context.reset(token)


class RequestContextFilter(logging.Filter):
    """Adds the current request's id, method and path to every record (attach it to the handler, so records
    from every logger pass through it), and keeps a secret in a path out of Django's own messages."""

    def filter(self, record: logging.LogRecord) -> bool:
        # Django logs a 4xx or 5xx response ("Not Found: /path") after the middleware has returned, with the
        # request: the middleware left the context on it.
        context = _context.get() or getattr(getattr(record, "request", None), "log_context", None)
        if not isinstance(context, LogContext):
            return True
        for name in ("request_id", "method", "path"):
            if getattr(record, name, None) is None:
                setattr(record, name, getattr(context, name))
        if context.raw_path != context.path:
            # "Not Found: /search/alerts/confirm/<token>/" from django.request names the path it was given.
            message = record.getMessage()
            if context.raw_path in message:
                record.msg, record.args = message.replace(context.raw_path, context.path), None
        return True


def _timestamp(record: logging.LogRecord) -> str:
    moment = datetime.datetime.fromtimestamp(record.created, tz=datetime.UTC)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


class JsonFormatter(logging.Formatter):
    """One JSON object per line: timestamp (UTC), level, logger, message, the request fields it has, and the
    exception with its traceback when there is one."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, object] = {
            "timestamp": _timestamp(record),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name in REQUEST_FIELDS:
            value = getattr(record, name, None)
            if value is not None:
                line[name] = value
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            line["exception"] = record.exc_text
        if record.stack_info:
            line["stack"] = self.formatStack(record.stack_info)
        # default=str: a lazy translation or a Path as a message argument still gives a line, never an error.
        return json.dumps(line, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """For a person at a terminal: time, level, logger and message, then the request id when there is one."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)-7s %(name)s: %(message)s", datefmt="%H:%M:%S")

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        request_id = getattr(record, "request_id", None)
        if request_id is None:
            return text
        first, newline, rest = text.partition("\n")
        return f"{first} [{request_id}]{newline}{rest}"


def logging_config(*, log_format: str, level: str) -> dict[str, object]:
    """The LOGGING setting: every record through one console handler, in the chosen format."""
    if log_format not in {"json", "text"}:
        raise ValueError(f"LOG_FORMAT must be json or text, not {log_format!r}")
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_context": {"()": "casereviews.core.logging.RequestContextFilter"}},
        "formatters": {
            "json": {"()": "casereviews.core.logging.JsonFormatter"},
            "text": {"()": "casereviews.core.logging.TextFormatter"},
        },
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "formatter": log_format,
                "filters": ["request_context"],
            }
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            # Named so that Django's default handlers (which Django installs before this and which would print
            # each of its lines a second time, unformatted) are replaced by this one.
            "django": {"handlers": ["console"], "level": level, "propagate": False},
            # SQL with its parameters is logged at DEBUG: never wanted in a log that leaves the machine.
            "django.db.backends": {"level": "WARNING"},
            # runserver's access lines carry query strings, and RequestLoggingMiddleware already logs each request.
            "django.server": {"handlers": ["console"], "level": "WARNING", "propagate": False},
        },
    }
