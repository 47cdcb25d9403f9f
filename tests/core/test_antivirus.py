"""Uploads are scanned by ClamAV before anything is stored (ASVS 12.4.2).

Every test here that says a file was scanned talks to a real clamd (tests/clamd.py: started once per session on a
unix socket, with a one-signature database holding the EICAR test file). "clamd is down" is a socket nobody
listens on, which is what the application sees when clamd has stopped.
"""

from __future__ import annotations

import datetime
import logging
import re
from collections.abc import Callable
from io import StringIO
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from casereviews.actions.models import EvidenceFile, ProgressUpdate
from casereviews.actions.services import action_create, finding_create, progress_update_post, recommendation_create
from casereviews.api.tokens import token_issue
from casereviews.core.antivirus import ClamdClient, ScannerError
from casereviews.core.errors import InvalidInput, TemporarilyUnavailable
from casereviews.core.files import check_attachment
from casereviews.core.health import check_antivirus
from casereviews.core.models import AuditEvent, UploadRecord
from casereviews.library.models import Report
from casereviews.library.services import report_upload
from casereviews.partnerships.models import Agency
from casereviews.referrals.models import Attachment, Referral
from casereviews.referrals.services import referral_submit
from casereviews.reviews import services as reviews
from casereviews.reviews.models import ContributionFile, DraftVersion, ReviewStatus, WrittenResponse
from tests.actions.conftest import action_input
from tests.clamd import EICAR, SIGNATURE_NAME, STREAM_MAX_BYTES
from tests.conftest import signed_in
from tests.factories import make_review, referral_input
from tests.referrals.test_views import referral_form

pytestmark = pytest.mark.django_db

CLEAN = b"Strategy meeting minutes: the health visitor shared the family's history."
REPORT = "Serious case review: Child Q.\fWhat happened.\fRecommendations."


@pytest.fixture
def store(settings, tmp_path) -> Path:
    settings.FILE_STORE_ROOT = tmp_path / "blobs"
    return settings.FILE_STORE_ROOT


@pytest.fixture
def clamd_down(settings, tmp_path) -> None:
    """Scanning configured, but nothing listens on the socket: clamd has stopped."""
    settings.CLAMD_SOCKET, settings.CLAMD_HOST = str(tmp_path / "nobody-listens.sock"), ""


def stored_files(store: Path) -> list[Path]:
    return [path for path in store.rglob("*") if path.is_file()] if store.exists() else []


def api_as(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token_issue(user=user, days=1)}")
    return client


# -- each upload path: a call that uploads (name, bytes), and the rows it would leave ---------------------------------


def upload_referral_attachment(people: SimpleNamespace, northshire: Any) -> Callable[[str, bytes], Any]:
    def upload(name: str, data: bytes) -> Any:
        return referral_submit(
            submitted_by=people.referrer,
            partnership=northshire,
            data=referral_input(),
            attachments=[check_attachment(name, data)],
        )

    return upload


def upload_contribution_file(people: SimpleNamespace, northshire: Any) -> Callable[[str, bytes], Any]:
    review = make_review(northshire, created_by=people.manager, status="in_progress")
    request = reviews.contribution_request(
        actor=people.manager,
        review=review,
        agency=Agency.objects.get(partnership=northshire, name="Children's social care"),
        due_on=timezone.localdate() + datetime.timedelta(days=20),
        what_is_asked="A chronology and an agency report.",
    )

    def upload(name: str, data: bytes) -> Any:
        return reviews.contribution_file_add(
            actor=people.agency_lead, request=request, kind="chronology", checked=check_attachment(name, data)
        )

    return upload


def upload_draft(people: SimpleNamespace, northshire: Any) -> Callable[[str, bytes], Any]:
    review = make_review(northshire, created_by=people.manager, reviewers=(people.reviewer,), status="in_progress")

    def upload(name: str, data: bytes) -> Any:
        return reviews.draft_upload(actor=people.reviewer, review=review, filename=name, data=data)

    return upload


def upload_written_response(people: SimpleNamespace, northshire: Any) -> Callable[[str, bytes], Any]:
    review = make_review(northshire, created_by=people.manager, status=ReviewStatus.SIGNED_OFF)

    def upload(name: str, data: bytes) -> Any:
        return reviews.written_response_record(
            actor=people.chair,
            review=review,
            text="",
            agreed_on=timezone.localdate(),
            file=check_attachment(name, data),
            expected_version=type(review).objects.get(pk=review.pk).version,
        )

    return upload


def upload_action_evidence(people: SimpleNamespace, northshire: Any) -> Callable[[str, bytes], Any]:
    review = make_review(northshire, created_by=people.manager, status="in_progress")
    finding = finding_create(actor=people.manager, review=review, number=1, text="Information was not shared.")
    recommendation = recommendation_create(
        actor=people.manager, review=review, number=1, text="Share information.", finding=finding, agency=None
    )
    action = action_create(actor=people.manager, recommendation=recommendation, data=action_input(northshire))

    def upload(name: str, data: bytes) -> Any:
        return progress_update_post(
            actor=people.agency_lead,
            action=action,
            narrative="The re-audit is done.",
            declared_state="completed",
            files=[check_attachment(name, data)],
        )

    return upload


def upload_library_report(people: SimpleNamespace, northshire: Any) -> Callable[[str, bytes], Any]:
    def upload(name: str, data: bytes) -> Any:
        return report_upload(uploaded_by=people.analyst, filename=name, data=data, queue=False)

    return upload


UPLOAD_PATHS = {
    "referral attachment": (upload_referral_attachment, [Referral, Attachment]),
    "agency contribution": (upload_contribution_file, [ContributionFile]),
    "draft report": (upload_draft, [DraftVersion]),
    "board's written response": (upload_written_response, [WrittenResponse]),
    "action evidence": (upload_action_evidence, [ProgressUpdate, EvidenceFile]),
    "library report": (upload_library_report, [Report]),
}


@pytest.fixture(params=list(UPLOAD_PATHS))
def upload_path(request, people, northshire, store) -> SimpleNamespace:
    make_uploader, models = UPLOAD_PATHS[request.param]
    return SimpleNamespace(name=request.param, upload=make_uploader(people, northshire), models=models)


def nothing_stored(path: SimpleNamespace, store: Path) -> bool:
    return (
        all(model.objects.count() == 0 for model in path.models)
        and UploadRecord.objects.count() == 0
        and stored_files(store) == []
    )


# -- the client, against the real clamd --------------------------------------------------------------------------


def test_the_client_finds_the_eicar_test_file_and_passes_a_clean_one_sent_in_many_chunks(antivirus):
    client = ClamdClient(socket_path=antivirus.socket_path, timeout=10, chunk_bytes=16)
    assert client.ping() is True
    found = client.scan(b"Some words before it. " + EICAR + b" And after.")
    assert found.infected is True and found.signature == f"{SIGNATURE_NAME}.UNOFFICIAL"
    assert client.scan(CLEAN * 100).infected is False


def test_a_file_longer_than_clamds_stream_limit_gets_no_verdict_rather_than_a_partial_one(antivirus):
    client = ClamdClient(socket_path=antivirus.socket_path, timeout=10)
    with pytest.raises(ScannerError, match="StreamMaxLength"):
        client.scan(b"x" * (STREAM_MAX_BYTES + 1))


def test_a_clamd_that_is_not_there_is_a_scanner_error_at_once(tmp_path):
    client = ClamdClient(socket_path=str(tmp_path / "none.sock"), timeout=10)
    with pytest.raises(ScannerError, match="cannot connect to clamd"):
        client.scan(CLEAN)


# -- every upload path ------------------------------------------------------------------------------------------------


def test_a_file_carrying_the_eicar_signature_is_refused_on_every_upload_path_audited_and_nothing_is_stored(
    upload_path, antivirus, store, caplog
):
    with caplog.at_level(logging.WARNING, logger="casereviews.security"), pytest.raises(InvalidInput) as refused:
        upload_path.upload("minutes.txt", EICAR)

    message = refused.value.message
    assert message == (
        "minutes.txt contains a virus, so nothing has been uploaded; "
        "ask your IT team to check the file and the computer it came from"
    )
    assert list(refused.value.field_errors.values()) == [[message]]
    assert nothing_stored(upload_path, store)
    entry = AuditEvent.objects.get(action="upload.infected")
    assert entry.actor is not None
    assert entry.changes["signature"] == f"{SIGNATURE_NAME}.UNOFFICIAL" and entry.changes["filename"] == "minutes.txt"
    assert f"antivirus found {SIGNATURE_NAME}.UNOFFICIAL" in caplog.text
    assert "minutes.txt" not in caplog.text  # a file's name can carry a child's name: not in the log


def test_a_clean_file_is_scanned_and_stored_on_every_upload_path(upload_path, antivirus, store):
    scans_before = antivirus.clean_verdicts()
    upload_path.upload("minutes.txt", REPORT.encode() if upload_path.name == "library report" else CLEAN)
    assert antivirus.clean_verdicts(at_least=scans_before + 1) == scans_before + 1  # clamd itself logged it
    assert all(model.objects.count() >= 1 for model in upload_path.models)
    assert len(stored_files(store)) == 1 and UploadRecord.objects.count() == 1
    assert not AuditEvent.objects.filter(action="upload.infected").exists()


def test_when_scanning_is_required_and_clamd_is_down_every_upload_path_refuses_to_try_again_later(
    upload_path, settings, clamd_down, store, caplog
):
    settings.ANTIVIRUS_REQUIRED = True
    with caplog.at_level(logging.ERROR), pytest.raises(TemporarilyUnavailable) as refused:
        upload_path.upload("minutes.txt", CLEAN)
    assert refused.value.message == (
        "minutes.txt could not be checked for viruses just now, so nothing has been uploaded; "
        "try again in a few minutes"
    )
    assert nothing_stored(upload_path, store)
    assert "refused: no antivirus verdict: cannot connect to clamd" in caplog.text


def test_when_scanning_is_not_required_and_clamd_is_down_the_upload_is_accepted_and_the_log_says_unscanned(
    people, settings, clamd_down, store, caplog
):
    settings.ANTIVIRUS_REQUIRED = False
    with caplog.at_level(logging.WARNING, logger="casereviews.core.antivirus"):
        report_upload(uploaded_by=people.analyst, filename="q.txt", data=REPORT.encode(), queue=False)
    assert Report.objects.count() == 1 and len(stored_files(store)) == 1
    assert "upload of a library report accepted UNSCANNED (ANTIVIRUS_REQUIRED is off)" in caplog.text


def test_with_no_scanner_configured_the_development_default_accepts_uploads_and_logs_that_they_are_not_scanned(
    people, northshire, settings, store, caplog
):
    settings.CLAMD_SOCKET, settings.CLAMD_HOST, settings.ANTIVIRUS_REQUIRED = "", "", False
    with caplog.at_level(logging.INFO, logger="casereviews.core.antivirus"):
        referral_submit(
            submitted_by=people.referrer,
            partnership=northshire,
            data=referral_input(),
            attachments=[check_attachment("minutes.txt", CLEAN)],
        )
    assert Attachment.objects.count() == 1
    assert "upload of a referral attachment" in caplog.text and "not scanned: antivirus scanning is off" in caplog.text


def test_scanning_required_with_no_scanner_configured_refuses_uploads(people, settings, store):
    settings.CLAMD_SOCKET, settings.CLAMD_HOST, settings.ANTIVIRUS_REQUIRED = "", "", True
    with pytest.raises(TemporarilyUnavailable, match="could not be checked for viruses just now"):
        report_upload(uploaded_by=people.analyst, filename="q.txt", data=REPORT.encode(), queue=False)
    assert Report.objects.count() == 0 and stored_files(store) == []


def test_reports_the_application_rendered_itself_are_not_sent_to_the_scanner(settings, clamd_down, store):
    # A publication's PDF (and the demo's reports) come from here, not from outside: clamd being down is no reason
    # to hold back sending a publication to the library.
    settings.ANTIVIRUS_REQUIRED = True
    report_upload(uploaded_by=None, filename="published.txt", data=REPORT.encode(), source="publication", queue=False)
    assert Report.objects.count() == 1


# -- what people see --------------------------------------------------------------------------------------------------


def test_the_refusal_shows_in_the_gov_uk_error_summary_of_the_referral_form(as_, northshire, antivirus, store):
    eicar = SimpleUploadedFile("notes.txt", EICAR, content_type="text/plain")
    response = as_("referrer").post(reverse("referrals:create"), {**referral_form(northshire), "attachments": eicar})
    page = response.content.decode()
    summary = re.search(r'<div class="govuk-error-summary".*?</ul>', page, re.S)
    assert response.status_code == 200 and summary
    assert "notes.txt contains a virus, so nothing has been uploaded" in summary.group(0)
    assert Referral.objects.count() == 0 and stored_files(store) == []


def test_the_refusal_shows_on_the_library_upload_form_and_the_clean_file_beside_it_is_added(
    people, antivirus, store
):
    response = signed_in(people.analyst).post(
        reverse("library:upload"),
        {"reports": [SimpleUploadedFile("bad.txt", EICAR), SimpleUploadedFile("good.txt", REPORT.encode())]},
    )
    assert response.status_code == 200
    assert "bad.txt contains a virus, so nothing has been uploaded" in response.content.decode()
    assert list(Report.objects.values_list("filename", flat=True)) == ["good.txt"]


def test_the_library_api_refuses_an_infected_file_with_400_and_a_scanner_outage_with_503_and_retry_after(
    people, settings, antivirus, store, tmp_path
):
    client = api_as(people.analyst)
    infected = client.post("/api/library/reports/", {"file": SimpleUploadedFile("q.txt", EICAR)}, format="multipart")
    assert infected.status_code == 400
    assert infected.json()["detail"].startswith("q.txt contains a virus")

    settings.CLAMD_SOCKET = str(tmp_path / "nobody-listens.sock")
    down = client.post(
        "/api/library/reports/", {"file": SimpleUploadedFile("r.txt", REPORT.encode())}, format="multipart"
    )
    assert down.status_code == 503 and down["Retry-After"] == "60"
    assert "try again in a few minutes" in down.json()["detail"]
    assert Report.objects.count() == 0 and stored_files(store) == []


def test_action_evidence_through_the_api_is_scanned_too(people, northshire, antivirus, store):
    upload_action_evidence(people, northshire)  # the action
    action = ProgressUpdate._meta.get_field("action").related_model.objects.get()
    response = api_as(people.agency_lead).post(
        f"/api/actions/{action.pk}/updates/",
        {
            "narrative": "Done.",
            "declared_state": "completed",
            "files": [SimpleUploadedFile("audit.txt", EICAR)],
            "version": action.version,
        },
        format="multipart",
    )
    assert response.status_code == 400 and response.json()["detail"].startswith("audit.txt contains a virus")
    assert ProgressUpdate.objects.count() == 0 and stored_files(store) == []


def test_the_ingest_command_refuses_an_infected_file_and_adds_the_clean_one(antivirus, store, tmp_path):
    (tmp_path / "bad.txt").write_bytes(EICAR)
    (tmp_path / "good.txt").write_text(REPORT)
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError, match="1 of 2 files could not be ingested"):
        call_command(
            "ingest", str(tmp_path / "bad.txt"), str(tmp_path / "good.txt"), "--queue", stdout=out, stderr=err
        )
    assert "bad.txt: bad.txt contains a virus" in out.getvalue()
    assert list(Report.objects.values_list("filename", flat=True)) == ["good.txt"]
    assert AuditEvent.objects.get(action="upload.infected").actor is None  # the system read it


# -- readiness --------------------------------------------------------------------------------------------------------


def test_readiness_says_uploads_are_scanned_when_clamd_answers(antivirus):
    check = check_antivirus()
    assert check.ok and check.reason == "uploads are scanned: clamd answers (local signatures)"


def test_readiness_fails_when_scanning_is_required_and_clamd_is_down_and_names_no_socket(settings, clamd_down):
    settings.ANTIVIRUS_REQUIRED = True
    check = check_antivirus()
    assert not check.ok and check.reason == "clamd does not answer: every upload is refused until it does"
    settings.ANTIVIRUS_REQUIRED = False
    assert check_antivirus().ok and "UNSCANNED" in check_antivirus().reason


def test_readiness_says_scanning_is_off_in_the_development_default(settings):
    settings.CLAMD_SOCKET, settings.CLAMD_HOST, settings.ANTIVIRUS_REQUIRED = "", "", False
    check = check_antivirus()
    assert check.ok and check.reason.startswith("scanning is off")
    settings.ANTIVIRUS_REQUIRED = True
    assert not check_antivirus().ok
