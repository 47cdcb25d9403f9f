"""Each person's upload quota over any 24 hours (ASVS 12.1.3): every upload path counts against it, a refusal says
when to try again and stores nothing, and an upload that fails counts nothing."""

from __future__ import annotations

import datetime
import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from casereviews.actions.models import EvidenceFile, ProgressUpdate
from casereviews.actions.services import action_create, finding_create, progress_update_post, recommendation_create
from casereviews.api.tokens import token_issue
from casereviews.core.errors import InvalidInput
from casereviews.core.files import check_attachment
from casereviews.core.models import UploadKind, UploadRecord
from casereviews.core.quotas import upload_quota_check
from casereviews.library.models import Report
from casereviews.library.services import report_upload
from casereviews.partnerships.models import Agency
from casereviews.referrals.models import Attachment, Referral
from casereviews.referrals.services import referral_submit
from casereviews.reviews import services as reviews
from casereviews.reviews.models import ContributionFile, DraftVersion, ReviewStatus
from tests.actions.conftest import action_input
from tests.conftest import signed_in
from tests.factories import make_review, referral_input

REPORT = "Serious case review: Child Q.\fWhat happened.\fRecommendations."


@pytest.fixture
def store(settings, tmp_path) -> Path:
    settings.FILE_STORE_ROOT = tmp_path / "blobs"
    return settings.FILE_STORE_ROOT


@pytest.fixture
def quota(settings, store):
    """A quota of one file (and plenty of bytes), so one earlier upload fills it."""
    settings.UPLOAD_QUOTA_FILES = 1
    settings.UPLOAD_QUOTA_BYTES = 1_000_000


def stored_files(store: Path) -> list[Path]:
    return [path for path in store.rglob("*") if path.is_file()] if store.exists() else []


def uploaded(user, *, hours_ago: float = 1, size: int = 100) -> UploadRecord:
    return UploadRecord.objects.create(
        user=user, bytes=size, at=timezone.now() - datetime.timedelta(hours=hours_ago), kind=UploadKind.DRAFT
    )


def local_time(moment: datetime.datetime) -> str:
    return f"{timezone.localtime(moment):%H:%M}"


def api_as(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token_issue(user=user, days=1)}")
    return client


def attachment(name: str = "minutes.txt", data: bytes = b"Strategy meeting minutes.") -> list:
    return [check_attachment(name, data)]


# -- the rule --------------------------------------------------------------------------------------------------


def test_a_person_at_the_file_quota_is_refused_with_when_to_try_again_and_nothing_is_stored(
    people, northshire, quota, store
):
    earlier = uploaded(people.referrer, hours_ago=23)
    with pytest.raises(InvalidInput) as refused:
        referral_submit(
            submitted_by=people.referrer, partnership=northshire, data=referral_input(), attachments=attachment()
        )
    message = refused.value.message
    assert message.startswith("You have uploaded 1 file in the last 24 hours")
    assert "the most allowed (1 file)" in message
    assert f"try again after {local_time(earlier.at + datetime.timedelta(hours=24))}" in message
    assert message.endswith("or ask your administrator")
    assert refused.value.field_errors == {"attachments": [message]}
    assert Referral.objects.count() == 0 and Attachment.objects.count() == 0
    assert UploadRecord.objects.count() == 1 and stored_files(store) == []


def test_a_person_at_the_byte_quota_is_refused_and_nothing_is_stored(people, northshire, settings, store):
    settings.UPLOAD_QUOTA_FILES, settings.UPLOAD_QUOTA_BYTES = 100, 150
    uploaded(people.referrer, size=100)
    with pytest.raises(InvalidInput) as refused:
        referral_submit(
            submitted_by=people.referrer,
            partnership=northshire,
            data=referral_input(),
            attachments=attachment(data=b"x" * 60),
        )
    assert refused.value.message.startswith(
        "You have uploaded 100 bytes in the last 24 hours and this file would take you past the most allowed "
        "(150 bytes); try again after "
    )
    assert Referral.objects.count() == 0 and stored_files(store) == []
    referral_submit(
        submitted_by=people.referrer,
        partnership=northshire,
        data=referral_input(),
        attachments=attachment(data=b"y" * 50),
    )
    assert UploadRecord.objects.filter(user=people.referrer).count() == 2


def test_the_time_to_try_again_is_when_enough_of_the_oldest_uploads_leave_the_window(people, settings):
    settings.UPLOAD_QUOTA_FILES, settings.UPLOAD_QUOTA_BYTES = 3, 1_000_000
    uploaded(people.reviewer, hours_ago=20)
    second = uploaded(people.reviewer, hours_ago=10)
    uploaded(people.reviewer, hours_ago=2)
    with pytest.raises(InvalidInput) as refused:
        upload_quota_check(user=people.reviewer, incoming_bytes=10, files=2)
    assert f"try again after {local_time(second.at + datetime.timedelta(hours=24))}" in refused.value.message


def test_uploads_older_than_24_hours_do_not_count(people, northshire, quota, store):
    uploaded(people.referrer, hours_ago=24.1, size=10**9)
    referral = referral_submit(
        submitted_by=people.referrer, partnership=northshire, data=referral_input(), attachments=attachment()
    )
    assert referral.attachments.count() == 1 and len(stored_files(store)) == 1


def test_another_persons_uploads_do_not_count_against_you(people, northshire, quota):
    uploaded(people.other_referrer)
    referral_submit(
        submitted_by=people.referrer, partnership=northshire, data=referral_input(), attachments=attachment()
    )
    with pytest.raises(InvalidInput):
        upload_quota_check(user=people.other_referrer, incoming_bytes=10)


def test_superusers_are_not_exempt(people, quota):
    people.analyst.is_superuser = True
    people.analyst.save()
    uploaded(people.analyst)
    with pytest.raises(InvalidInput, match="You have uploaded 1 file"):
        report_upload(uploaded_by=people.analyst, filename="q.txt", data=REPORT.encode(), queue=False)
    assert Report.objects.count() == 0


def test_more_at_once_than_the_whole_quota_is_refused_without_a_time_to_try_again(people, settings):
    settings.UPLOAD_QUOTA_FILES, settings.UPLOAD_QUOTA_BYTES = 2, 1_000
    with pytest.raises(InvalidInput) as refused:
        upload_quota_check(user=people.referrer, incoming_bytes=10, files=3)
    assert refused.value.message == (
        "These files are more than one person may upload in 24 hours (2 files, 1,000 bytes); "
        "upload fewer at a time or ask your administrator"
    )


def test_an_upload_that_fails_after_the_check_counts_nothing(people, northshire, quota, monkeypatch):
    def disk_full(data: bytes) -> str:
        raise OSError("No space left on device")

    monkeypatch.setattr("casereviews.referrals.services.store_blob", disk_full)
    with pytest.raises(OSError):
        referral_submit(
            submitted_by=people.referrer, partnership=northshire, data=referral_input(), attachments=attachment()
        )
    assert UploadRecord.objects.count() == 0 and Referral.objects.count() == 0


def test_the_system_and_a_library_report_already_stored_count_nothing(people, quota):
    report_upload(uploaded_by=None, filename="q.txt", data=REPORT.encode(), queue=False)
    assert (
        report_upload(uploaded_by=people.analyst, filename="q.txt", data=REPORT.encode(), queue=False).created is False
    )
    assert UploadRecord.objects.count() == 0
    report_upload(uploaded_by=people.analyst, filename="r.txt", data=(REPORT + " Another.").encode(), queue=False)
    assert UploadRecord.objects.get().kind == UploadKind.LIBRARY_REPORT


# -- every upload path counts ------------------------------------------------------------------------------------


def test_a_library_upload_is_counted_and_the_refusal_shows_on_the_form(people, quota, store):
    report_upload(uploaded_by=people.analyst, filename="q.txt", data=REPORT.encode(), queue=False)
    response = signed_in(people.analyst).post(
        reverse("library:upload"), {"reports": SimpleUploadedFile("r.txt", (REPORT + " Another.").encode())}
    )
    summary = re.search(r'<div class="govuk-error-summary".*?</ul>', response.content.decode(), re.S)
    assert response.status_code == 200 and summary and "You have uploaded 1 file" in summary.group(0)
    assert Report.objects.count() == 1 and len(stored_files(store)) == 1


def test_a_library_upload_through_the_api_over_the_quota_is_a_400_with_the_message(people, quota, store):
    uploaded(people.analyst)
    response = api_as(people.analyst).post(
        "/api/library/reports/", {"file": SimpleUploadedFile("q.txt", REPORT.encode())}, format="multipart"
    )
    assert response.status_code == 400
    assert response.json()["detail"].startswith("You have uploaded 1 file in the last 24 hours")
    assert Report.objects.count() == 0 and stored_files(store) == []


def test_a_draft_upload_is_counted_and_the_refusal_shows_on_the_form(people, northshire, quota, store):
    review = make_review(northshire, created_by=people.manager, reviewers=(people.reviewer,), status="in_progress")
    reviews.draft_upload(actor=people.reviewer, review=review, filename="v1.txt", data=b"Page one.")
    assert UploadRecord.objects.get(user=people.reviewer).kind == UploadKind.DRAFT
    response = signed_in(people.reviewer).post(
        reverse("reviews:draft_upload", args=[review.reference]), {"file": SimpleUploadedFile("v2.txt", b"Page 2.")}
    )
    assert response.status_code == 200 and "You have uploaded 1 file" in response.content.decode()
    assert DraftVersion.objects.count() == 1 and len(stored_files(store)) == 1


def test_an_agency_contribution_file_is_counted(people, northshire, quota, store):
    review = make_review(northshire, created_by=people.manager, status="in_progress")
    request = reviews.contribution_request(
        actor=people.manager,
        review=review,
        agency=Agency.objects.get(partnership=northshire, name="Children's social care"),
        due_on=timezone.localdate() + datetime.timedelta(days=20),
        what_is_asked="A chronology and an agency report.",
    )
    reviews.contribution_file_add(
        actor=people.agency_lead, request=request, kind="chronology", checked=check_attachment("c.txt", b"2023.")
    )
    with pytest.raises(InvalidInput, match="You have uploaded 1 file") as refused:
        reviews.contribution_file_add(
            actor=people.agency_lead, request=request, kind="agency_report", checked=check_attachment("r.txt", b"R.")
        )
    assert list(refused.value.field_errors) == ["file"]
    assert ContributionFile.objects.count() == 1 and len(stored_files(store)) == 1


def test_the_boards_written_response_file_is_counted_each_time_it_is_replaced(people, northshire, quota, store):
    review = make_review(northshire, created_by=people.manager, status=ReviewStatus.SIGNED_OFF)

    def respond(data: bytes) -> None:
        version = type(review).objects.get(pk=review.pk).version
        reviews.written_response_record(
            actor=people.chair,
            review=review,
            text="",
            agreed_on=timezone.localdate(),
            file=check_attachment("response.txt", data),
            expected_version=version,
        )

    respond(b"The board accepts the findings.")
    with pytest.raises(InvalidInput, match="You have uploaded 1 file"):
        respond(b"The board accepts the findings, reworded.")
    assert len(stored_files(store)) == 1


def test_action_evidence_is_counted(people, northshire, quota, store):
    review = make_review(northshire, created_by=people.manager, status="in_progress")
    finding = finding_create(actor=people.manager, review=review, number=1, text="Information was not shared.")
    recommendation = recommendation_create(
        actor=people.manager, review=review, number=1, text="Share information.", finding=finding, agency=None
    )
    action = action_create(actor=people.manager, recommendation=recommendation, data=action_input(northshire))
    uploaded(people.agency_lead)
    with pytest.raises(InvalidInput, match="You have uploaded 1 file") as refused:
        progress_update_post(
            actor=people.agency_lead,
            action=action,
            narrative="The re-audit is done.",
            declared_state="completed",
            files=[check_attachment("re-audit.txt", b"19 of 20.")],
        )
    assert list(refused.value.field_errors) == ["attachments"]
    assert ProgressUpdate.objects.count() == 0 and EvidenceFile.objects.count() == 0 and stored_files(store) == []


def test_a_referral_attachment_is_counted_and_a_referral_without_files_is_not(people, northshire, quota):
    referral_submit(
        submitted_by=people.referrer, partnership=northshire, data=referral_input(), attachments=attachment()
    )
    referral_submit(submitted_by=people.referrer, partnership=northshire, data=referral_input())
    assert UploadRecord.objects.get().kind == UploadKind.REFERRAL_ATTACHMENT
    assert Referral.objects.count() == 2
