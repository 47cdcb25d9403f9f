"""The library API: the same rules as the pages, for scripts and other systems."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django_tasks_db.models import DBTaskResult
from rest_framework.test import APIClient

from casereviews.api.tokens import token_issue
from casereviews.core.models import AuditEvent
from casereviews.library.models import ExtractedValue, Report, ValueStatus
from casereviews.library.services import report_process, report_upload
from tests.library.test_views import REPORT_TEXT, WRONG_PERSONAS

pytestmark = pytest.mark.django_db

REPORTS = "/api/library/reports/"


def api_as(user) -> APIClient:
    client = APIClient()
    if user is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Token {token_issue(user=user, days=1)}")
    return client


def upload_file(name: str = "child-t.txt", data: bytes = REPORT_TEXT.encode()) -> dict:
    return {"file": SimpleUploadedFile(name, data)}


@pytest.fixture
def report(people):
    report = report_upload(
        uploaded_by=people.analyst, filename="child-t.txt", data=REPORT_TEXT.encode(), queue=False
    ).report
    report_process(report.pk)
    report.refresh_from_db()
    return report


def value(report, field, key=""):
    return ExtractedValue.objects.get(report=report, field=field, key=key)


def decision_url(row: ExtractedValue) -> str:
    return f"/api/library/values/{row.pk}/decision/"


def test_the_schema_describes_the_library_endpoints(client):
    schema = client.get("/api/schema/").content.decode()
    for path in ["/api/library/reports/", "/api/library/reports/{id}/", "/api/library/values/{id}/decision/"]:
        assert path in schema
    assert "multipart/form-data" in schema


def test_uploading_a_new_report_returns_201_and_queues_its_analysis(people, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = api_as(people.analyst).post(REPORTS, upload_file(), format="multipart")
    assert response.status_code == 201, response.content
    body = response.json()
    report = Report.objects.get()
    assert body["id"] == report.pk and body["status"] == "queued" and body["page_count"] == 3
    assert report.source == "api" and report.uploaded_by == people.analyst
    assert DBTaskResult.objects.filter(args_kwargs__args=[report.pk]).exists()


def test_uploading_the_same_file_again_returns_200_and_the_existing_report(people, report):
    response = api_as(people.manager).post(REPORTS, upload_file("again.txt"), format="multipart")
    assert response.status_code == 200
    assert response.json()["id"] == report.pk
    assert Report.objects.count() == 1


def test_an_unreadable_upload_returns_400_with_the_reason_and_stores_nothing(people):
    bad = "Caf\u00e9".encode("latin-1")
    response = api_as(people.analyst).post(REPORTS, upload_file("latin1.txt", bad), format="multipart")
    assert response.status_code == 400
    assert "UTF-8" in response.json()["detail"]
    assert "UTF-8" in response.json()["errors"]["file"][0]
    assert Report.objects.count() == 0


def test_an_upload_without_a_file_is_refused(people):
    response = api_as(people.analyst).post(REPORTS, {}, format="multipart")
    assert response.status_code == 400
    assert "file" in response.json()


def test_the_list_gives_each_report_with_its_status_and_proposals_awaiting_review(people, report):
    response = api_as(people.analyst).get(REPORTS)
    assert response.status_code == 200
    [row] = response.json()["results"]
    assert row["id"] == report.pk and row["status"] == "ready" and row["progress"] == 100
    assert row["proposed_count"] == ExtractedValue.objects.filter(report=report, status="proposed").count() > 0


def test_a_report_gives_its_values_with_evidence_and_status_and_the_view_is_audited(people, report):
    response = api_as(people.manager).get(f"{REPORTS}{report.pk}/")
    assert response.status_code == 200
    body = response.json()
    age = next(v for v in body["values"] if v["field"] == "child.age_years")
    assert age["status"] == "proposed" and age["current"] == pytest.approx(2)
    assert (
        age["evidence"]
        and report.text[age["evidence"][0]["start"] : age["evidence"][0]["end"]] == (age["evidence"][0]["quote"])
    )
    postcode = next(f for f in body["pii_findings"] if f["type"] == "POSTCODE")
    assert postcode["page"] == 1 and "text" not in postcode
    assert AuditEvent.objects.filter(action="report.view", actor=people.manager).exists()


def test_a_decision_through_the_api_changes_the_value_and_a_stale_version_gets_409(people, report):
    sex = value(report, "child.sex")
    client = api_as(people.analyst)
    accepted = client.post(decision_url(sex), {"decision": "accept", "version": sex.version}, format="json")
    assert accepted.status_code == 200
    assert accepted.json()["status"] == "accepted" and accepted.json()["decided_by"] == "Nadia"
    stale = api_as(people.manager).post(
        decision_url(sex), {"decision": "reject", "version": sex.version}, format="json"
    )
    assert stale.status_code == 409
    assert "changed this value" in stale.json()["detail"]
    assert value(report, "child.sex").status == ValueStatus.ACCEPTED


def test_a_correction_through_the_api_is_checked_by_the_service(people, report):
    year = value(report, "year_published")
    client = api_as(people.analyst)
    refused = client.post(decision_url(year), {"decision": "correct", "value": "soon"}, format="json")
    assert refused.status_code == 400 and refused.json()["errors"]["value"] == ["Enter a year such as 2021"]
    corrected = client.post(
        decision_url(year), {"decision": "correct", "value": 2022, "note": "From the cover"}, format="json"
    )
    assert corrected.status_code == 200
    assert corrected.json()["current"] == 2022 and corrected.json()["status"] == "corrected"


@pytest.mark.parametrize("persona", WRONG_PERSONAS)
def test_people_who_are_not_library_staff_are_refused_by_every_endpoint(people, report, persona):
    client = api_as(getattr(people, persona))
    sex = value(report, "child.sex")
    assert client.get(REPORTS).status_code == 403
    assert client.post(REPORTS, upload_file("other.txt", b"Child Q was 4."), format="multipart").status_code == 403
    assert client.get(f"{REPORTS}{report.pk}/").status_code == 403
    assert client.post(decision_url(sex), {"decision": "accept"}, format="json").status_code == 403
    assert Report.objects.count() == 1
    assert value(report, "child.sex").status == ValueStatus.PROPOSED


def test_an_anonymous_caller_is_refused_by_every_endpoint(report):
    client = api_as(None)
    sex = value(report, "child.sex")
    assert client.get(REPORTS).status_code in {401, 403}
    upload = client.post(REPORTS, upload_file("other.txt", b"Child Q was 4."), format="multipart")
    assert upload.status_code in {401, 403}
    assert client.get(f"{REPORTS}{report.pk}/").status_code in {401, 403}
    assert client.post(decision_url(sex), {"decision": "accept"}, format="json").status_code in {401, 403}


def test_a_decision_on_a_value_that_does_not_exist_is_not_found(people):
    response = api_as(people.analyst).post("/api/library/values/999/decision/", {"decision": "accept"}, format="json")
    assert response.status_code == 404


def test_a_value_decided_in_the_api_keeps_the_persons_decision_after_a_re_run(people, report):
    abuse = value(report, "risk_factors", "domestic_abuse")
    api_as(people.analyst).post(decision_url(abuse), {"decision": "reject"}, format="json")
    report_process(report.pk)
    assert value(report, "risk_factors", "domestic_abuse").status == ValueStatus.REJECTED
