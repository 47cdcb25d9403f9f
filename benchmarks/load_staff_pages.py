"""Staff pages under load (issue 7): signed-in business managers, chairs, sub-group members and analysts
reading their dashboards, referrals, reviews, action plans, the audit log and the analysis, served by gunicorn on
loopback to many concurrent clients.

    .venv/bin/python benchmarks/load_staff_pages.py [--clients 50] [--seconds 60] [--workers 4] [--threads 1]
        [--referrals 60] [--reviews 40] [--plans 10] [--reports 200] [--words 2000] [--seed 20261204]
        [--think 0] [--client raw|httpx] [--keep DIR] [--reuse]

Target (issue 7, as DESIGN.md sets for public pages): p95 < 300 ms with 50 concurrent clients on 2 cores, no
errors, judged with `--think 1` (each client a person who reads a page before the next); with no pause the p95 is
50 ÷ throughput, recorded as the capacity bound (docs/adr/0014-staff-page-cost.md, addendum).

1. Build, in a fresh folder (removed at the end unless `--keep`; `--keep DIR --reuse` serves what an earlier run
   kept): a SQLite database migrated from scratch with a library of `--reports` generated reports (as
   `load_pages.py` builds it) and their analysis records; the demo partnerships, people and stages of work
   (`load_demo`, through the real services, so the audit log is what real use writes); then `--referrals` more
   referrals in Northshire (half of them accepted by the business manager; all stay open, so the case dashboard
   lists every one: a busy partnership's year), `--reviews` more reviews
   commissioned (half with a lead reviewer appointed and started), and the demo action plan on `--plans` of them.
2. Sign in: one session per client, made as a real sign-in makes it: Django's `login()` (so the sign-in
   receivers stamp the session and write the audit entry) and allauth's record of the two steps, password then
   authenticator code (`record_authentication`, the record allauth keeps for an MFA sign-in). Every staff person
   has a TOTP authenticator, as the demo gives them. The session cookie is sent as a header: with DEBUG off it is
   a Secure cookie, which a client would not send over plain HTTP to loopback. The client is load_pages.py's
   (`--client raw` by default, `httpx` for comparison).
3. Serve: gunicorn with production settings (DEBUG off), its log to `server.log` in the folder.
4. Load: `--clients` concurrent clients, 60% signed in as Northshire's business manager, the rest as its chair,
   a sub-group member and the national analyst, each requesting one of its persona's pages after another with
   no pause (or, with `--think S`, a pause of S seconds on average, drawn at random, as a person reading the page
   would take), after 5 s of warm-up. Every response must be a 200 with a whole page (a redirect to the sign-in
   page, a 403 or a 500 is an error). Reported: throughput, errors, p50 / p95 / p99 / max per page and overall,
   and the server's CPU per request. The client runs on the same two cores as the server.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime
import io
import logging
import os
import random
import secrets
import shutil
import signal
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from load_pages import (
    CLIENT_ERRORS,
    CLIENTS,
    build,
    free_port,
    kept_library,
    percentile,
    serve,
    server_cpu_seconds,
)

Result = tuple[str, float, str]  # page, milliseconds, "ok" or the error

# Persona (demo username), share of the clients, and the pages that persona reads.
PERSONAS: list[tuple[str, float, tuple[str, ...]]] = [
    (
        "bella",
        0.6,
        (
            "referral dashboard",
            "referral list",
            "referral",
            "review list",
            "review",
            "action-plan dashboard",
            "action plan",
            "audit log",
            "analysis",
            "analysis table",
        ),
    ),
    ("charlotte", 0.15, ("referral dashboard", "referral list", "referral", "review list", "review")),
    ("sam", 0.1, ("referral dashboard", "referral list", "referral", "review list", "review")),
    ("nadia", 0.15, ("analysis", "analysis table", "library")),
]
PAGES = (
    "referral dashboard",
    "referral list",
    "referral",
    "review list",
    "review",
    "action-plan dashboard",
    "action plan",
    "audit log",
    "analysis",
    "analysis table",
    "library",
)


def build_staff(folder: Path, secret: str, args: argparse.Namespace) -> None:
    """The library (as load_pages builds it), its analysis, and the staff side's partnerships, people and work."""
    build(folder, secret, args.reports, args.words, args.seed)
    from django.conf import settings
    from django.core.management import call_command
    from django.utils import timezone

    from casereviews.actions.demo import demo_action_plan_add
    from casereviews.partnerships.management.commands.load_demo import _demo_input
    from casereviews.partnerships.models import Partnership, User
    from casereviews.referrals import services as referrals
    from casereviews.reviews import services as reviews
    from casereviews.reviews.demo import DECLARATION

    call_command("analysis_rebuild", verbosity=0)
    settings.DEBUG = True  # load_demo refuses to run otherwise; only this build process sees it
    call_command("load_demo", stdout=io.StringIO())
    settings.DEBUG = False
    rng = random.Random(args.seed)
    north = Partnership.objects.get(slug="northshire")
    manager, referrer, reviewer = (User.objects.get(username=name) for name in ("bella", "rory", "lewis"))
    agency_ids = list(north.agencies.values_list("pk", flat=True))
    today = timezone.localdate()
    for number in range(args.referrals):
        aware = today - datetime.timedelta(days=rng.randint(0, 120))
        referral = referrals.referral_submit(
            submitted_by=referrer,
            partnership=north,
            data=_demo_input(
                referrer,
                child_reference=f"NS-{5000 + number}",
                harm_outcome=rng.choice(["died", "seriously_harmed"]),
                incident_date=aware - datetime.timedelta(days=2),
                aware_on=aware,
                agency_ids=rng.sample(agency_ids, 3),
                what_happened="An invented incident for the staff load benchmark: a child was seriously harmed.",
            ),
        )
        if number % 2 == 0:
            referrals.referral_transition(actor=manager, referral=referral, transition_id="accept")
    for number in range(args.reviews):
        review = reviews.review_commission(
            actor=manager,
            partnership=north,
            data=reviews.CommissionInput(
                title=f"Invented review {number + 1} for the staff load benchmark",
                pseudonym=f"Child L{number + 1}",
                terms_of_reference="The twelve months before the incident: how agencies shared information.",
                commissioned_on=today - datetime.timedelta(days=rng.randint(30, 300)),
                agency_ids=agency_ids,
                framework_code="england_2023",
                review_type="lcspr",
            ),
        )
        if number % 2 == 0:
            reviews.reviewer_appoint(
                actor=manager,
                review=review,
                reviewer=reviewer,
                appointed_on=review.commissioned_on + datetime.timedelta(days=14),
                declaration=DECLARATION,
                declared_on=review.commissioned_on + datetime.timedelta(days=12),
            )
            review = reviews.review_start(actor=manager, review=review)
        if number < args.plans:
            demo_action_plan_add(review=review, by=manager, today=today)


def staff_targets() -> dict[str, list[str]]:
    """The addresses of each kind of page (a kind with one page has one address)."""
    from django.urls import reverse

    from casereviews.learning.analysis import TABLES
    from casereviews.referrals.models import Referral
    from casereviews.reviews.models import Review

    referrals = Referral.objects.filter(partnership__slug="northshire").values_list("reference", flat=True)
    reviews = Review.objects.filter(partnership__slug="northshire").values_list("reference", flat=True)
    plans = Review.objects.filter(partnership__slug="northshire", findings__isnull=False).distinct()
    return {
        "referral dashboard": [reverse("referrals:dashboard")],
        "referral list": [reverse("referrals:list")],
        "referral": [reverse("referrals:detail", args=[reference]) for reference in referrals],
        "review list": [reverse("reviews:dashboard")],
        "review": [reverse("reviews:detail", args=[reference]) for reference in reviews],
        "action-plan dashboard": [reverse("actions:dashboard")],
        "action plan": [reverse("actions:plan", args=[r]) for r in plans.values_list("reference", flat=True)],
        "audit log": [reverse("core:audit_log")],
        "analysis": [reverse("learning:analysis")],
        "analysis table": [reverse("learning:table", args=[spec.key]) for spec in TABLES],
        "library": [reverse("library:list")],
    }


def sign_in(username: str) -> str:
    """A session for `username` made as an MFA sign-in makes it; returns the session key (the cookie's value)."""
    from allauth.account.internal.flows.login import record_authentication
    from allauth.mfa.models import Authenticator
    from django.contrib.auth import login
    from django.contrib.sessions.backends.db import SessionStore
    from django.test import RequestFactory

    from casereviews.partnerships.models import User

    user = User.objects.get(username=username)
    authenticator = Authenticator.objects.filter(user=user).first()
    request = RequestFactory().get("/accounts/login/")
    request.session = SessionStore()
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    record_authentication(request, user, "password", username=username)
    if authenticator is not None:
        record_authentication(request, user, "mfa", type=authenticator.type, id=authenticator.pk)
    request.session.save()
    return str(request.session.session_key)


def sessions_for(clients: int) -> list[tuple[str, str]]:
    """(persona, session key) for each client: the personas in their shares, each client its own session."""
    assigned: list[str] = []
    for username, share, _pages in PERSONAS:
        assigned += [username] * round(clients * share)
    assigned = (assigned + [PERSONAS[0][0]] * clients)[:clients]
    return [(username, sign_in(username)) for username in assigned]


async def client_loop(
    number: int,
    base: str,
    persona: str,
    session: str,
    targets: dict[str, list[str]],
    until: float,
    results: list[Result],
    think: float,
    client_kind: str,
) -> None:
    from django.conf import settings

    rng = random.Random(number)
    pages = [page for page in next(p[2] for p in PERSONAS if p[0] == persona) if targets.get(page)]
    headers = {"Cookie": f"{settings.SESSION_COOKIE_NAME}={session}"}
    async with CLIENTS[client_kind](base, headers) as client:
        while time.perf_counter() < until:
            page = rng.choice(pages)
            url = rng.choice(targets[page])
            started = time.perf_counter()
            try:
                status, response_headers, body = await client.get(url)
                if status == 200 and b"</html>" in body:
                    outcome = "ok"
                else:
                    outcome = f"HTTP {status} {response_headers.get('location', '')}".strip()
            except CLIENT_ERRORS as error:
                outcome = type(error).__name__
            results.append((page, (time.perf_counter() - started) * 1000, outcome))
            if think > 0:
                await asyncio.sleep(min(rng.expovariate(1 / think), until - time.perf_counter(), 10 * think))


async def load(
    base: str,
    sessions: list[tuple[str, str]],
    targets: dict[str, list[str]],
    seconds: float,
    think: float = 0,
    client_kind: str = "raw",
) -> list[Result]:
    results: list[Result] = []
    until = time.perf_counter() + seconds
    await asyncio.gather(
        *(
            client_loop(number, base, persona, session, targets, until, results, think, client_kind)
            for number, (persona, session) in enumerate(sessions)
        )
    )
    return results


def report(results: list[Result], seconds: float) -> None:
    by_page: dict[str, list[float]] = defaultdict(list)
    errors: dict[str, int] = defaultdict(int)
    for page, milliseconds, outcome in results:
        by_page[page].append(milliseconds)
        by_page["all pages"].append(milliseconds)
        if outcome != "ok":
            errors[f"{page}: {outcome}"] += 1
    print(
        f"\n{len(results)} requests in {seconds:.0f} s ({len(results) / seconds:.1f}/s); errors: {sum(errors.values())}"
    )
    for what, count in sorted(errors.items()):
        print(f"  {what}: {count}")
    print("\n| page | requests | p50 | p95 | p99 | max |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for page in (*PAGES, "all pages"):
        values = by_page.get(page, [])
        if values:
            print(
                f"| {page} | {len(values)} | {statistics.median(values):.0f} | {percentile(values, 0.95):.0f} | "
                f"{percentile(values, 0.99):.0f} | {max(values):.0f} |"
            )


def add_build_arguments(parser: argparse.ArgumentParser) -> None:
    """The sizes of what `build_staff` builds (shared with profile_staff_pages.py, which builds the same)."""
    parser.add_argument("--referrals", type=int, default=60)
    parser.add_argument("--reviews", type=int, default=40)
    parser.add_argument("--plans", type=int, default=10)
    parser.add_argument("--reports", type=int, default=200)
    parser.add_argument("--words", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=20261204)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=1)
    add_build_arguments(parser)
    parser.add_argument("--think", type=float, default=0, help="mean pause in seconds between a client's requests")
    parser.add_argument("--client", choices=sorted(CLIENTS), default="raw", help="the load client (as load_pages.py)")
    parser.add_argument("--keep", type=Path, help="build in this folder and keep it")
    parser.add_argument("--reuse", action="store_true", help="with --keep: serve the folder an earlier run built")
    args = parser.parse_args()

    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per request otherwise
    folder = args.keep or Path(tempfile.mkdtemp(prefix="load-staff-"))
    folder.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_urlsafe(40)
    began = time.perf_counter()
    if args.reuse and args.keep and (folder / "load.sqlite3").exists():
        print(f"{datetime.datetime.now():%Y-%m-%d %H:%M} serving the staff data built earlier in {folder}")
        kept_library(folder, secret)
    else:
        print(
            f"{datetime.datetime.now():%Y-%m-%d %H:%M} building in {folder}: {args.reports} reports, "
            f"{args.referrals} referrals, {args.reviews} reviews, {args.plans} action plans"
        )
        build_staff(folder, secret, args)
    targets = staff_targets()
    sessions = sessions_for(args.clients)
    print(f"  ready in {time.perf_counter() - began:.0f} s; {len(sessions)} sessions signed in")
    port = free_port()
    # The same secret as the build, so the sessions signed in above are the server's own.
    server = serve(folder, secret, port, args.workers, args.threads)
    try:
        base = f"http://127.0.0.1:{port}"
        print(f"gunicorn: {args.workers} workers x {args.threads} threads on {base}; {os.cpu_count()} CPUs")
        asyncio.run(load(base, sessions, targets, 5, args.think, args.client))
        pause = f", pausing {args.think:g} s on average between requests" if args.think else ", no pause"
        print(f"load: {args.clients} clients for {args.seconds:.0f} s{pause}")
        server_before, client_before = server_cpu_seconds(server.pid), time.process_time()
        results = asyncio.run(load(base, sessions, targets, args.seconds, args.think, args.client))
        server_cpu, client_cpu = server_cpu_seconds(server.pid) - server_before, time.process_time() - client_before
        report(results, args.seconds)
        print(
            f"\nCPU: server {server_cpu:.1f} s ({server_cpu / max(1, len(results)) * 1000:.1f} ms a request), "
            f"client {client_cpu:.1f} s ({client_cpu / max(1, len(results)) * 1000:.1f} ms a request), "
            f"of {args.seconds * (os.cpu_count() or 1):.0f} s the machine had; load average {os.getloadavg()[0]:.1f}"
        )
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
