"""Whole public pages kept in memory for anonymous visitors, until the public library changes.

The search page, catalogue entries, browse lists and the page viewer are the same for every anonymous visitor,
and they change only when the public library does. Every such change reaches the index (the change table and
the worker, ADR 0008), and each commit to the index rewrites its generation's `meta.json`; so a page is kept
under its address and the index's stamp (which generation is live, and when it was last committed), and a
change to the library makes every kept page stale at once. A page may therefore show the library as it was
until the worker has applied a change, about a second: the same lag search itself has.

Signed-in people, and visitors with a session or a message waiting, always get a freshly rendered page (the
navigation and messages differ).

Two levels: each web process keeps the pages it served most recently in memory, and every process on the node
shares the pages any of them rendered, as files under the index directory (`pages/<stamp>/`), so a page is
rendered once per node rather than once per gunicorn worker (with four workers, the catalogue entries under
load went from 30% to 90% served from the cache). A file is written under a temporary name and renamed, so a
reader never sees half a page; the first process to write under a new stamp removes the stale stamps' folders;
past `SEARCH_SHARED_PAGE_CACHE_ENTRIES` files the oldest quarter is removed, so the folder stays bounded
however many different searches are asked for.
"""

from __future__ import annotations

import hashlib
import itertools
import os
import shutil
import threading
from collections import OrderedDict
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from casereviews.search.services import index_root

View = Callable[..., HttpResponse]

_pages: OrderedDict[tuple[str, str], tuple[bytes, str]] = OrderedDict()
_lock = threading.Lock()
_writes = itertools.count(1)
# How often (in this process's writes) the shared folder is counted and, if over its limit, trimmed.
_TRIM_EVERY = 50


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
    """Forget this process's pages (the shared ones go stale with the stamp)."""
    with _lock:
        _pages.clear()


def _shared_folder(stamp: str) -> Path:
    return index_root() / "pages" / stamp.replace(":", "-").replace(os.sep, "-")


def _shared_file(stamp: str, path: str) -> Path:
    return _shared_folder(stamp) / hashlib.sha256(path.encode()).hexdigest()


def _shared_read(stamp: str, path: str) -> tuple[bytes, str] | None:
    try:
        stored = _shared_file(stamp, path).read_bytes()
    except OSError:
        return None
    content_type, _, content = stored.partition(b"\n")
    return content, content_type.decode("ascii", "replace")


def _shared_write(stamp: str, path: str, content: bytes, content_type: str) -> None:
    """Best effort: a page that cannot be shared (a full disk, a folder removed meanwhile) is simply not shared."""
    folder = _shared_folder(stamp)
    target = _shared_file(stamp, path)
    try:
        if not folder.is_dir():
            folder.mkdir(parents=True, exist_ok=True)
            for other in folder.parent.iterdir():
                if other != folder:
                    shutil.rmtree(other, ignore_errors=True)
        temporary = folder / f".{target.name}.{os.getpid()}.{threading.get_ident()}"
        temporary.write_bytes(content_type.encode("ascii", "replace") + b"\n" + content)
        os.replace(temporary, target)
        if next(_writes) % _TRIM_EVERY == 0:
            _trim(folder)
    except OSError:
        return


def _trim(folder: Path) -> None:
    limit = getattr(settings, "SEARCH_SHARED_PAGE_CACHE_ENTRIES", 2000)
    entries = [entry for entry in os.scandir(folder) if not entry.name.startswith(".")]
    if len(entries) <= limit:
        return
    entries.sort(key=lambda entry: entry.stat().st_mtime_ns)
    for entry in entries[: len(entries) - limit * 3 // 4]:
        Path(entry.path).unlink(missing_ok=True)


def _keep_locally(key: tuple[str, str], content: bytes, content_type: str) -> None:
    limit = getattr(settings, "SEARCH_PAGE_CACHE_ENTRIES", 300)
    with _lock:
        _pages[key] = (content, content_type)
        while len(_pages) > limit:
            _pages.popitem(last=False)


def _kept(content: bytes, content_type: str, where: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["X-Page-Cache"] = where
    return response


def public_page(view: View) -> View:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not _cacheable(request):
            return view(request, *args, **kwargs)
        stamp = library_stamp()
        if stamp is None:
            return view(request, *args, **kwargs)
        path = request.get_full_path()
        key = (stamp, path)
        with _lock:
            kept = _pages.get(key)
            if kept is not None:
                _pages.move_to_end(key)
        if kept is not None:
            return _kept(*kept, "hit")
        shared = _shared_read(stamp, path)
        if shared is not None:
            _keep_locally(key, *shared)
            return _kept(*shared, "hit-shared")
        response = view(request, *args, **kwargs)
        if response.status_code == 200 and not response.streaming and not response.cookies:
            _keep_locally(key, response.content, response["Content-Type"])
            _shared_write(stamp, path, response.content, response["Content-Type"])
            response["X-Page-Cache"] = "miss"
        return response

    return wrapper
