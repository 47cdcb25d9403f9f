"""Whole public pages kept in memory for anonymous visitors, until the public library changes.

The search page, catalogue entries, browse lists and the page viewer are the same for every anonymous visitor,
and they change only when the public library does. Every such change reaches the index (the change table and
the worker, ADR 0008), and each commit to the index rewrites its generation's `meta.json`; so a page is kept
under its address and the index's stamp (which generation is live, and when it was last committed), and a
change to the library makes every kept page stale at once. A page may therefore show the library as it was
until the worker has applied a change, about a second: the same lag search itself has.

Signed-in people, and visitors with a session or a message waiting, always get a freshly rendered page (the
navigation and messages differ). Each gunicorn worker keeps its own pages, the most recently used first.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from casereviews.search.services import index_root

View = Callable[..., HttpResponse]

_pages: OrderedDict[tuple[str, str], tuple[bytes, str]] = OrderedDict()
_lock = threading.Lock()


def library_stamp() -> str | None:
    """Which index generation is live and when it was last committed; None when there is no index."""
    root = index_root()
    try:
        name = (root / "current").read_text().strip()
        committed = (root / name / "meta.json").stat().st_mtime_ns
    except (FileNotFoundError, NotADirectoryError):
        return None
    return f"{name}:{committed}"


def _cacheable(request: HttpRequest) -> bool:
    return (
        request.method == "GET"
        and not request.user.is_authenticated
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and "messages" not in request.COOKIES
    )


def clear() -> None:
    with _lock:
        _pages.clear()


def public_page(view: View) -> View:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not _cacheable(request):
            return view(request, *args, **kwargs)
        stamp = library_stamp()
        if stamp is None:
            return view(request, *args, **kwargs)
        key = (stamp, request.get_full_path())
        with _lock:
            kept = _pages.get(key)
            if kept is not None:
                _pages.move_to_end(key)
        if kept is not None:
            content, content_type = kept
            response = HttpResponse(content, content_type=content_type)
            response["X-Page-Cache"] = "hit"
            return response
        response = view(request, *args, **kwargs)
        if response.status_code == 200 and not response.streaming and not response.cookies:
            limit = getattr(settings, "SEARCH_PAGE_CACHE_ENTRIES", 300)
            with _lock:
                _pages[key] = (response.content, response["Content-Type"])
                while len(_pages) > limit:
                    _pages.popitem(last=False)
            response["X-Page-Cache"] = "miss"
        return response

    return wrapper
