"""Public pages under load: search, catalogue entries, the page viewer and browse lists served by gunicorn on
loopback to many concurrent clients.

    .venv/bin/python benchmarks/load_pages.py [--reports 300] [--words 25000] [--clients 50] [--seconds 60]
                                              [--workers 4] [--threads 1] [--seed 20261204] [--keep DIR] [--reuse]
                                              [--client raw|httpx]

DESIGN.md target: p95 < 300 ms for catalogue and search pages with 50 concurrent clients on 2 cores, no errors.

1. Build, in a fresh folder (removed at the end unless `--keep`): a SQLite database migrated from scratch,
   `--reports` generated reports (the synthetic corpus's prose, `--words` words each) written with their ground
   truth as confirmed values (title, partnership, year, codes, findings, recommendations...), so every report
   is in the public library; then `search_rebuild`, the command an operator runs.
2. Serve: gunicorn (`casereviews.wsgi`, sync workers unless `--threads` > 1) on 127.0.0.1 with production
   settings (DEBUG off); its log (one line a request, as in production) goes to `server.log` in the folder.
   Five seconds of warm-up traffic are not counted. `--keep DIR --reuse` serves a folder an earlier run kept
   instead of building again (the page cache's shared folder is emptied first, so every run starts cold).
3. Load: `--clients` concurrent clients (asyncio; see "The client" below) for `--seconds`,
   each requesting one page after another with no pause, drawn at random: a search (half of all requests: one
   word, several words or a phrase, a third of them with a facet filter, some on page 2 or sorted by date), a
   catalogue entry (a quarter), a page of a report in the page viewer, or a browse list. Every response must
   be 200 with a full page; anything else is an error.
   Reported: requests, errors, throughput, and p50 / p95 / p99 / max latency per kind of page and overall, and
   the share served from the page cache (this process's memory or the node's shared pages).
   The client runs on the same two cores as the server, so it takes some of the CPU the server would have.

The client. `--client raw` (the default) sends each GET as a few lines of HTTP/1.1 over an asyncio connection
and reads the response to its end: gunicorn's sync workers close the connection after every response anyway,
and this costs the machine about a tenth of what httpx does (httpx took 2.5-3 ms of CPU a request, a third of
what the two cores spent, CPU the target means the server to have). `--client httpx` is the client of the
earlier measurements in docs/benchmarks.md, for comparison.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime
import logging
import os
import random
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from collections import defaultdict
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

QUERIES = [
    "neglect",
    "supervision",
    "housing",
    "escalation",
    "midwife",
    "police",
    "domestic abuse housing",
    "health visitor concerns",
    "mother mental health",
    "social worker assessment risk",
    '"information sharing"',
    '"voice of the child"',
    '"professional curiosity"',
    "neglect OR abuse",
]
FILTERS = [
    ("risk_factors", "domestic_abuse"),
    ("harm_types", "neglect"),
    ("practice_themes", "information_sharing"),
    ("outcome", "died"),
    ("nation", "england"),
]
Result = tuple[str, float, str, bool]  # kind of page, milliseconds, "ok" or the error, served from the page cache
THEMES = [("harm_types", "neglect"), ("risk_factors", "domestic_abuse"), ("practice_themes", "escalation")]


def environment(folder: Path, secret: str) -> dict[str, str]:
    return {
        **os.environ,
        "CASEREVIEWS_VAR_DIR": str(folder),
        "SEARCH_INDEX_DIR": str(folder / "search"),
        "DATABASE_URL": f"sqlite:///{folder / 'load.sqlite3'}",
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": secret,
        # Production settings refuse to start without a pepper (docs/operations.md); the benchmarks' people sign in
        # through sessions made in-process, so any value of the right length serves.
        "PASSWORD_PEPPER": os.environ.get("PASSWORD_PEPPER", f"benchmark-pepper-{secret}"),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SETTINGS_MODULE": "casereviews.settings",
        "TASKS_BACKEND": "django_tasks.backends.dummy.DummyBackend",
        # Persistent connections, as production would configure them: a new SQLite connection per request costs
        # its opening and pragmas each time.
        "DATABASE_CONN_MAX_AGE": "600",
    }


def build(folder: Path, secret: str, reports: int, words: int, seed: int) -> dict[str, Any]:
    """The database and index the server will use (runs in this process, with the server's settings)."""
    os.environ.update(environment(folder, secret))
    import django

    django.setup()
    from django.core.management import call_command
    from django.utils import timezone

    from casereviews.library.models import ExtractedValue, Report, ReportPage, ReportStatus, ValueStatus
    from casereviews.library.services import CODE_FIELDS, SCALAR_FIELDS
    from extraction.corpus import generate_report

    call_command("migrate", verbosity=0)
    began = time.perf_counter()
    now = timezone.now()
    years: set[int] = set()
    for number in range(1, reports + 1):
        generated = generate_report(seed, number, words=words, formats=("txt",))
        truth = generated.truth
        text = generated.text
        report = Report.objects.create(
            sha256=f"{seed:08d}{number:056d}",
            filename=f"{generated.name}.txt",
            title=str(truth["title"]),
            media_type="text/plain",
            size=len(text),
            text=text,
            page_count=len(generated.canonical.page_spans),
            status=ReportStatus.READY,
        )
        ReportPage.objects.bulk_create(
            ReportPage(report=report, number=page, start=start, end=end)
            for page, (start, end) in enumerate(generated.canonical.page_spans, start=1)
        )
        rows = []
        for name in SCALAR_FIELDS:
            # A field the generator's truth does not carry stays out, as a value nobody has confirmed would.
            source = truth["child"] if name.startswith("child.") else truth
            key = name.split(".", 1)[1] if name.startswith("child.") else name
            if key in source:
                rows.append((name, "", source[key]))
        rows += [(name, code, True) for name in CODE_FIELDS for code in truth.get(name) or []]
        rows += [("agencies", agency, agency) for agency in truth["agencies"]]
        rows += [
            (name, f"{index:03d}", item)
            for name in ("recommendations", "findings")
            for index, item in enumerate(truth[name], start=1)
        ]
        # bulk_create sends no signals: the index is built once, by search_rebuild, below.
        ExtractedValue.objects.bulk_create(
            ExtractedValue(
                report=report, field=field, key=key, proposed_value=value, status=ValueStatus.ACCEPTED, decided_at=now
            )
            for field, key, value in rows
        )
        if truth.get("year_published"):
            years.add(int(truth["year_published"]))
    generating = time.perf_counter() - began
    started = time.perf_counter()
    call_command("search_rebuild", verbosity=0)
    return {
        "ids": list(Report.objects.order_by("pk").values_list("pk", "page_count")),
        "years": sorted(years),
        "generating": generating,
        "indexing": time.perf_counter() - started,
    }


def kept_library(folder: Path, secret: str) -> dict[str, Any]:
    """What `build` returns, read from a folder an earlier run built and kept."""
    os.environ.update(environment(folder, secret))
    import django

    django.setup()
    from casereviews.library.models import ExtractedValue, Report

    years = ExtractedValue.objects.filter(field="year_published").values_list("proposed_value", flat=True)
    return {
        "ids": list(Report.objects.order_by("pk").values_list("pk", "page_count")),
        "years": sorted({int(year) for year in years if str(year).isdigit()}),
    }


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def serve(
    folder: Path, secret: str, port: int, workers: int, threads: int, *, extra_env: dict[str, str] | None = None
) -> subprocess.Popen[bytes]:
    command = [
        str(ROOT / ".venv" / "bin" / "gunicorn"),
        "casereviews.wsgi:application",
        f"--bind=127.0.0.1:{port}",
        f"--workers={workers}",
        f"--threads={threads}",
        "--backlog=256",
        "--timeout=60",
        "--log-level=warning",
    ]
    log = (folder / "server.log").open("ab")
    server = subprocess.Popen(  # noqa: S603 - our own argv
        command, cwd=ROOT, env={**environment(folder, secret), **(extra_env or {})}, stdout=log, stderr=log
    )

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                return server
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    server.terminate()
    raise SystemExit("gunicorn did not start within 60 s")


def next_url(rng: random.Random, library: dict[str, Any]) -> tuple[str, str]:
    roll = rng.random()
    if roll < 0.5:
        params: list[tuple[str, str]] = [("q", rng.choice(QUERIES))]
        if rng.random() < 1 / 3:
            params.append(rng.choice(FILTERS))
        if rng.random() < 0.2:
            params.append(("sort", "date"))
        if rng.random() < 0.2:
            params.append(("page", "2"))
        return "search", f"/search/?{urllib.parse.urlencode(params)}"
    report_id, pages = rng.choice(library["ids"])
    if roll < 0.75:
        return "catalogue entry", f"/search/reports/{report_id}/"
    if roll < 0.9:
        return "page viewer", f"/search/reports/{report_id}/pages/{rng.randint(1, pages)}/"
    kind = rng.random()
    if kind < 0.4:
        facet, code = rng.choice(THEMES)
        return "browse list", f"/search/themes/{facet}/{code}/"
    if kind < 0.7 and library["years"]:
        return "browse list", f"/search/years/{rng.choice(library['years'])}/"
    return "browse list", "/search/browse/"


Response = tuple[int, dict[str, str], bytes]  # status, headers (lower-case names), body


class RawClient:
    """GET over a new connection each time, reading to the end (see "The client" above)."""

    def __init__(self, base: str, headers: dict[str, str] | None = None, timeout: float = 30) -> None:
        address = urllib.parse.urlsplit(base)
        self.host, self.port = address.hostname or "127.0.0.1", address.port or 80
        extra = "".join(f"{name}: {value}\r\n" for name, value in (headers or {}).items())
        self.head = f"Host: {self.host}:{self.port}\r\nConnection: close\r\n{extra}\r\n"
        self.timeout = timeout

    async def __aenter__(self) -> RawClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        return None

    async def get(self, url: str) -> Response:
        reader, writer = await asyncio.wait_for(asyncio.open_connection(self.host, self.port), self.timeout)
        try:
            writer.write(f"GET {url} HTTP/1.1\r\n{self.head}".encode())
            raw = await asyncio.wait_for(reader.read(), self.timeout)
        finally:
            writer.close()
        head, _, body = raw.partition(b"\r\n\r\n")
        status_line, *lines = head.decode("latin-1").split("\r\n")
        headers = {name.strip().lower(): value.strip() for name, _, value in (line.partition(":") for line in lines)}
        return int(status_line.split(" ", 2)[1]), headers, body


class HttpxClient:
    """httpx, one connection at a time, as the earlier measurements used."""

    def __init__(self, base: str, headers: dict[str, str] | None = None, timeout: float = 30) -> None:
        self.client = httpx.AsyncClient(
            base_url=base, timeout=timeout, headers=headers, limits=httpx.Limits(max_connections=1)
        )

    async def __aenter__(self) -> HttpxClient:
        await self.client.__aenter__()
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self.client.__aexit__(*exc)

    async def get(self, url: str) -> Response:
        response = await self.client.get(url)
        return response.status_code, {k.lower(): v for k, v in response.headers.items()}, response.content


CLIENTS = {"raw": RawClient, "httpx": HttpxClient}
CLIENT_ERRORS = (OSError, asyncio.TimeoutError, ValueError, IndexError, httpx.HTTPError)


async def client_loop(
    number: int, base: str, library: dict[str, Any], until: float, results: list[Result], client_kind: str
) -> None:
    rng = random.Random(number)
    async with CLIENTS[client_kind](base) as client:
        while time.perf_counter() < until:
            kind, url = next_url(rng, library)
            started = time.perf_counter()
            try:
                status, headers, body = await client.get(url)
                outcome = "ok" if status == 200 and b"</html>" in body else f"HTTP {status}"
                kept = headers.get("x-page-cache", "").startswith("hit")
            except CLIENT_ERRORS as error:
                outcome, kept = type(error).__name__, False
            results.append((kind, (time.perf_counter() - started) * 1000, outcome, kept))


async def load(
    base: str, library: dict[str, Any], clients: int, seconds: float, client_kind: str = "raw"
) -> list[Result]:
    results: list[Result] = []
    until = time.perf_counter() + seconds
    await asyncio.gather(
        *(client_loop(number, base, library, until, results, client_kind) for number in range(clients))
    )
    return results


def server_cpu_seconds(master: int) -> float:
    """User and system CPU time of the gunicorn master and its workers so far (Linux /proc)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(entry.name) == master or int(fields[1]) == master:
            total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def report(results: list[Result], seconds: float) -> None:
    by_kind: dict[str, list[float]] = defaultdict(list)
    errors: dict[str, int] = defaultdict(int)
    kept: dict[str, int] = defaultdict(int)
    for kind, milliseconds, outcome, hit in results:
        kept[kind] += hit
        kept["all pages"] += hit
        by_kind[kind].append(milliseconds)
        by_kind["all pages"].append(milliseconds)
        if outcome != "ok":
            errors[f"{kind}: {outcome}"] += 1
    print(
        f"\n{len(results)} requests in {seconds:.0f} s ({len(results) / seconds:.1f}/s); errors: {sum(errors.values())}"
    )
    for what, count in sorted(errors.items()):
        print(f"  {what}: {count}")
    print("\n| page | requests | from the page cache | p50 | p95 | p99 | max |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for kind in ("search", "catalogue entry", "page viewer", "browse list", "all pages"):
        values = by_kind.get(kind, [])
        if values:
            print(
                f"| {kind} | {len(values)} | {kept[kind] / len(values):.0%} | {statistics.median(values):.0f} | "
                f"{percentile(values, 0.95):.0f} | "
                f"{percentile(values, 0.99):.0f} | {max(values):.0f} |"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reports", type=int, default=300)
    parser.add_argument("--words", type=int, default=25000)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--seed", type=int, default=20261204)
    parser.add_argument("--keep", type=Path, help="build in this folder and keep it")
    parser.add_argument("--reuse", action="store_true", help="with --keep: serve the folder an earlier run built")
    parser.add_argument("--client", choices=sorted(CLIENTS), default="raw", help="the load client (see above)")
    args = parser.parse_args()

    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per request otherwise
    folder = args.keep or Path(tempfile.mkdtemp(prefix="load-pages-"))
    folder.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_urlsafe(40)
    if args.reuse and args.keep and (folder / "load.sqlite3").exists():
        print(f"{datetime.datetime.now():%Y-%m-%d %H:%M} serving the library built earlier in {folder}")
        library = kept_library(folder, secret)
    else:
        started = f"{datetime.datetime.now():%Y-%m-%d %H:%M}"
        print(f"{started} building {args.reports} reports of {args.words} words in {folder}")
        library = build(folder, secret, args.reports, args.words, args.seed)
        print(f"  generated and stored in {library['generating']:.0f} s; search_rebuild {library['indexing']:.1f} s")
    shutil.rmtree(folder / "search" / "pages", ignore_errors=True)
    port = free_port()
    server = serve(folder, secret, port, args.workers, args.threads)
    try:
        base = f"http://127.0.0.1:{port}"
        print(f"gunicorn: {args.workers} workers x {args.threads} threads on {base}; {os.cpu_count()} CPUs")
        asyncio.run(load(base, library, args.clients, 5, args.client))
        print(f"load: {args.clients} clients ({args.client}) for {args.seconds:.0f} s")
        server_before, client_before = server_cpu_seconds(server.pid), time.process_time()
        results = asyncio.run(load(base, library, args.clients, args.seconds, args.client))
        server_cpu, client_cpu = server_cpu_seconds(server.pid) - server_before, time.process_time() - client_before
        report(results, args.seconds)
        print(
            f"\nCPU: server {server_cpu:.1f} s ({server_cpu / len(results) * 1000:.1f} ms a request), "
            f"client {client_cpu:.1f} s ({client_cpu / len(results) * 1000:.1f} ms a request), "
            f"of {args.seconds * (os.cpu_count() or 1):.0f} s the machine had; load average {os.getloadavg()[0]:.1f}"
        )
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
