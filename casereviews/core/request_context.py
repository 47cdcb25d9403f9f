"""Who is asking and from where, for the audit log, without threading the request through services."""

from __future__ import annotations

import contextvars
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class RequestMeta:
    ip_address: str | None = None
    user_agent: str = ""
    # Reads a page makes several times that cannot change under it within one request (a framework definition,
    # asked for by five parts of the review page): kept here for the request only. None outside a request, so
    # tasks, commands and tests between requests always read afresh.
    memo: dict[Any, Any] | None = None


_NO_REQUEST = RequestMeta()  # frozen, so sharing it as the default is safe
_current: contextvars.ContextVar[RequestMeta] = contextvars.ContextVar("request_meta", default=_NO_REQUEST)


def current_request_meta() -> RequestMeta:
    return _current.get()


def set_request_meta(meta: RequestMeta) -> contextvars.Token[RequestMeta]:
    return _current.set(meta)


def reset_request_meta(token: contextvars.Token[RequestMeta]) -> None:
    _current.reset(token)


def request_memo() -> dict[Any, Any] | None:
    """The current request's memo (see RequestMeta.memo), or None outside a request."""
    return _current.get().memo
