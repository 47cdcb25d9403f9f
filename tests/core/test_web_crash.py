"""The web process killed in the middle of a form post that writes several rows saves nothing of it, and the
person's retry of the same form saves it exactly once.

A real server (`manage.py runserver`, one process) listens on a free loopback port against the test database. A
referral is posted through it with an attachment and two agencies: the submission writes the referral, its
agencies, the attachment (row and stored file), its first event and the audit entry in one transaction. The server
is paused inside that transaction, just before the audit entry, with every other row written, and killed there
with SIGKILL.
"""

from __future__ import annotations

import datetime
import hashlib
import re
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from casereviews.core.audit import audit_verify
from casereviews.core.files import blob_path
from casereviews.core.models import AuditEvent
from casereviews.partnerships.models import Agency
from casereviews.referrals.models import Attachment, Deadline, Referral, ReferralEvent
from tests.conftest import signed_in
from tests.process_kill import Processes, free_port, running_processes, wait_for

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def processes(tmp_path: Path) -> Iterator[Processes]:
    yield from running_processes(tmp_path)


MINUTES = b"Strategy meeting minutes, 6 May 2025: the fracture was discussed with the hospital.\n"


def _date(prefix: str, day: datetime.date) -> dict[str, str]:
    return {f"{prefix}_0": str(day.day), f"{prefix}_1": str(day.month), f"{prefix}_2": str(day.year)}


def referral_form(northshire, submission_key: str) -> dict[str, str | list[str]]:
    agencies = [str(pk) for pk in Agency.objects.filter(partnership=northshire).values_list("pk", flat=True)[:2]]
    return {
        "submission_key": submission_key,
        "partnership": str(northshire.pk),
        "agencies": agencies,
        "child_reference": "NS-7",
        "child_age_years": "3",
        "child_sex": "male",
        "child_disability": "unknown",
        "looked_after": "no",
        "child_protection_plan": "no",
        "harm_outcome": "seriously_harmed",
        "abuse_or_neglect": "suspected",
        "what_happened": "Admitted with a fractured femur; no explanation was offered.",
        "referrer_name": "Rory Referrer",
        "referrer_job_title": "Health visitor",
        "referrer_organisation": "Northshire Community Health",
        "referrer_email": "rory@example.org",
        **_date("incident_date", datetime.date(2025, 5, 6)),
        **_date("aware_on", datetime.date(2025, 5, 7)),
    }


def start_server(processes: Processes, port: int, session: str, **pause: str) -> httpx.Client:
    server = processes.start(
        "runserver",
        f"127.0.0.1:{port}",
        "--noreload",
        "--skip-checks",
        **pause,  # type: ignore[arg-type]
    )
    client = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60)
    client.cookies.set("sessionid", session)

    def answering() -> bool:
        try:
            client.get("/healthz")
        except httpx.TransportError:
            return server.poll() is not None
        return True

    assert wait_for(answering, 90, every=0.3) and server.poll() is None, processes.log(server)
    return client


def post_referral(client: httpx.Client, data: dict, timeout: float = 60) -> httpx.Response:
    page = client.get("/referrals/new/")
    assert page.status_code == 200, page.text[:500]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    assert token is not None
    return client.post(
        "/referrals/new/",
        data={**data, "csrfmiddlewaretoken": token.group(1)},
        files={"attachments": ("minutes.txt", MINUTES, "text/plain")},
        headers={"Referer": f"{client.base_url}/referrals/new/"},
        timeout=timeout,
    )


def test_a_web_process_killed_mid_submission_saves_nothing_and_the_retry_saves_it_once(processes, people, northshire):
    session = signed_in(people.referrer).cookies["sessionid"].value
    data = referral_form(northshire, str(uuid.uuid4()))
    audit_before = AuditEvent.objects.count()
    port = free_port()
    client = start_server(
        processes,
        port,
        session,
        pause_at="casereviews.referrals.services:audit_record",
        when="action=referral.submit",
    )
    server = processes.started[-1]

    # The post does not return: the server stops inside the transaction, and is killed there.
    with ThreadPoolExecutor(max_workers=1) as pool:
        posting = pool.submit(post_referral, client, data)
        processes.wait_paused(server)
        processes.kill(server)
        with pytest.raises(httpx.TransportError):
            posting.result()

    # Nothing of the referral was saved: no row of any of the tables the submission writes.
    assert not Referral.objects.exists()
    assert not Attachment.objects.exists()
    assert not ReferralEvent.objects.exists()
    assert not Deadline.objects.exists()
    assert not Referral.agencies.through.objects.exists()
    assert AuditEvent.objects.count() == audit_before
    # The attachment's file may have reached the store (it is written before the row, atomically): if it did, it
    # is whole, and the retry finds it under the same name.
    minutes_file = blob_path(hashlib.sha256(MINUTES).hexdigest())
    assert not minutes_file.exists() or minutes_file.read_bytes() == MINUTES

    # The person submits the same form again (same submission key) to a restarted server: saved once, complete.
    # The session's key as the browser holds it now (signing in or a sensitive step may have renewed it).
    session = client.cookies.get("sessionid") or session
    client = start_server(processes, free_port(), session)
    response = post_referral(client, data)
    assert response.status_code == 302, response.text[:500]
    referral = Referral.objects.get()
    assert response.headers["Location"] == f"/referrals/{referral.reference}/"
    assert referral.agencies.count() == 2
    attachment = Attachment.objects.get(referral=referral)
    assert blob_path(attachment.sha256).read_bytes() == MINUTES
    assert ReferralEvent.objects.filter(referral=referral).count() == 1
    assert AuditEvent.objects.filter(action="referral.submit").count() == 1

    # A third post of the same form (a browser's retry after the kill, arriving late) saves nothing more.
    again = post_referral(client, data)
    assert again.status_code == 302
    assert Referral.objects.count() == 1 and Attachment.objects.count() == 1

    checked, broken = audit_verify()
    assert broken is None and checked == AuditEvent.objects.count()
