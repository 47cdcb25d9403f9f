"""Where a staff page's time goes: each page of the staff load test (load_staff_pages.py) requested in this process,
one after another, with the same data, settings (DEBUG off) and signed-in sessions, and its CPU per request reported.
With `--profile PAGE` the slowest functions of that page are printed too (cProfile).

    .venv/bin/python benchmarks/profile_staff_pages.py --keep /work/bench/load-staff [--reuse] [--repeat 20]
        [--profile "review list"] [--top 30]

The load test says whether the target is met; this says which page to work on, as a ratio against a baseline
measured in the same process: the "your sessions" page, the cheapest page a signed-in person gets (the session,
the person, the middleware and the base template, and little else), so a page's cost above it is its own.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import secrets
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from load_pages import kept_library
from load_staff_pages import PERSONAS, add_build_arguments, build_staff, sign_in, staff_targets

BASELINE = "your sessions"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--keep", type=Path, required=True, help="the folder to build in (or reuse)")
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument("--repeat", type=int, default=20, help="requests of each page")
    parser.add_argument("--profile", help="a page to profile")
    parser.add_argument("--top", type=int, default=30)
    add_build_arguments(parser)
    args = parser.parse_args()

    secret = secrets.token_urlsafe(40)
    args.keep.mkdir(parents=True, exist_ok=True)
    if args.reuse and (args.keep / "load.sqlite3").exists():
        kept_library(args.keep, secret)
    else:
        build_staff(args.keep, secret, args)

    from django.conf import settings
    from django.test import Client
    from django.urls import reverse

    targets = {BASELINE: [reverse("usersessions_list")], **staff_targets()}
    reader = {page: username for username, _share, pages in PERSONAS for page in pages}
    reader[BASELINE] = "bella"
    clients: dict[str, Client] = {}
    for username in set(reader.values()):
        client = Client(HTTP_HOST="127.0.0.1")
        client.cookies[settings.SESSION_COOKIE_NAME] = sign_in(username)
        clients[username] = client

    def fetch(page: str, number: int) -> None:
        urls = targets[page]
        response = clients[reader[page]].get(urls[number % len(urls)])
        if response.status_code != 200:
            raise SystemExit(f"{page}: HTTP {response.status_code} {response.get('Location', '')}")

    # Collect garbage as gunicorn's workers do (casereviews/wsgi.py), or a tenth of the CPU would be collections
    # the server does not make.
    import gc

    from casereviews.wsgi import GC_THRESHOLDS

    for page in targets:
        fetch(page, 0)  # warm first, so that what start-up and the first requests load is frozen with it
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)

    costs: dict[str, float] = {}
    for page in targets:
        fetch(page, 0)  # warm: templates compiled, connections open
        samples = []
        for number in range(args.repeat):
            started = time.process_time()
            fetch(page, number)
            samples.append((time.process_time() - started) * 1000)
        costs[page] = statistics.median(samples)
    baseline = costs[BASELINE]
    print(f"| page | CPU ms a request (median of {args.repeat}) | ÷ {BASELINE} |")
    print("| --- | ---: | ---: |")
    for page, cost in costs.items():
        print(f"| {page} | {cost:.1f} | {cost / baseline:.2f} |")

    if args.profile:
        profiler = cProfile.Profile()
        profiler.enable()
        for number in range(args.repeat):
            fetch(args.profile, number)
        profiler.disable()
        stats = pstats.Stats(profiler)
        stats.sort_stats("cumulative").print_stats(args.top)
        stats.sort_stats("tottime").print_stats(args.top)


if __name__ == "__main__":
    main()
