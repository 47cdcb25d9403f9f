"""The action plans API: lists scoped to the person, reading one action, and agency leads posting progress."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from casereviews.actions.models import EvidenceFile, ProgressUpdate
from casereviews.api.tokens import token_issue
from casereviews.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def api_as(user) -> APIClient:
    client = APIClient()
    if user is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Token {token_issue(user=user, days=1)}")
    return client


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("manager", {"1.1", "1.2"}),
        ("subgroup", {"1.1", "1.2"}),
        ("chair", {"1.1", "1.2"}),
        ("reviewer", {"1.1", "1.2"}),
        ("agency_lead", {"1.1"}),
        ("referrer", set()),
        ("analyst", set()),
        ("other_manager", set()),
        ("outsider", set()),
    ],
)
def test_the_list_holds_only_the_actions_the_person_may_see(plan, people, persona, expected):
    response = api_as(getattr(people, persona)).get("/api/actions/")
    assert response.status_code == 200
    assert {item["label"] for item in response.json()} == expected


def test_an_anonymous_caller_is_refused(plan):
    assert api_as(None).get("/api/actions/").status_code in {401, 403}
    assert api_as(None).post(f"/api/actions/{plan.own.pk}/updates/", {}).status_code in {401, 403}


def test_an_action_reads_with_its_computed_status_and_updates_and_the_read_is_audited(plan, people):
    response = api_as(people.agency_lead).get(f"/api/actions/{plan.own.pk}/")
    body = response.json()
    assert body["status"] == "not_started"
    assert body["owner_agency"] == "Children's social care"
    assert body["recommendation_text"] == plan.recommendation.text
    assert body["updates"] == []
    assert AuditEvent.objects.filter(action="action.view", actor=people.agency_lead).exists()


@pytest.mark.parametrize("persona", ["referrer", "analyst", "other_manager", "outsider"])
def test_people_without_a_part_in_the_plan_cannot_read_an_action(plan, people, persona):
    assert api_as(getattr(people, persona)).get(f"/api/actions/{plan.own.pk}/").status_code == 404


def test_an_agency_lead_cannot_read_another_agencys_action(plan, people):
    assert api_as(people.agency_lead).get(f"/api/actions/{plan.other.pk}/").status_code == 404


def test_an_agency_lead_posts_progress_and_the_status_follows(plan, people):
    client = api_as(people.agency_lead)
    response = client.post(
        f"/api/actions/{plan.own.pk}/updates/",
        {"declared_state": "concern", "narrative": "Audit staff were redeployed.", "version": 1},
        format="json",
    )
    assert response.status_code == 201
    assert response.json()["declared_state"] == "concern"
    assert client.get(f"/api/actions/{plan.own.pk}/").json()["status"] == "at_risk"


def test_an_agency_lead_posts_completion_with_an_evidence_file(plan, people, settings, tmp_path):
    settings.FILE_STORE_ROOT = tmp_path
    evidence = SimpleUploadedFile("re-audit.txt", b"19 of 20 discussions recorded the father.\n")
    response = api_as(people.agency_lead).post(
        f"/api/actions/{plan.own.pk}/updates/",
        {"declared_state": "completed", "narrative": "Re-audit done.", "files": [evidence]},
        format="multipart",
    )
    assert response.status_code == 201
    assert response.json()["files"] == ["re-audit.txt"]
    assert EvidenceFile.objects.get().filename == "re-audit.txt"


def test_a_bad_evidence_file_is_refused_with_the_reason_and_nothing_is_saved(plan, people):
    fake = SimpleUploadedFile("re-audit.pdf", b"not a pdf at all")
    response = api_as(people.agency_lead).post(
        f"/api/actions/{plan.own.pk}/updates/",
        {"declared_state": "completed", "narrative": "Done.", "files": [fake]},
        format="multipart",
    )
    assert response.status_code == 400
    assert "content does not match its name" in response.json()["detail"]
    assert ProgressUpdate.objects.count() == 0


def test_an_invalid_or_stale_update_is_refused(plan, people):
    client = api_as(people.agency_lead)
    url = f"/api/actions/{plan.own.pk}/updates/"
    response = client.post(url, {"declared_state": "completed", "narrative": "Done."}, format="json")
    assert response.status_code == 400
    assert "evidence" in response.json()["errors"]
    assert client.post(url, {"declared_state": "finished", "narrative": "x"}, format="json").status_code == 400
    client.post(url, {"declared_state": "progressing", "narrative": "First."}, format="json")
    stale = client.post(url, {"declared_state": "progressing", "narrative": "Second.", "version": 1}, format="json")
    assert stale.status_code == 409
    assert ProgressUpdate.objects.count() == 1


@pytest.mark.parametrize("persona", ["manager", "subgroup", "chair", "reviewer"])
def test_only_the_owner_agencys_lead_posts_progress(plan, people, persona):
    response = api_as(getattr(people, persona)).post(
        f"/api/actions/{plan.own.pk}/updates/", {"declared_state": "progressing", "narrative": "x"}, format="json"
    )
    assert response.status_code == 403
    assert ProgressUpdate.objects.count() == 0


@pytest.mark.parametrize("persona", ["referrer", "analyst", "other_manager", "outsider"])
def test_people_without_a_part_in_the_plan_cannot_post_progress(plan, people, persona):
    response = api_as(getattr(people, persona)).post(
        f"/api/actions/{plan.own.pk}/updates/", {"declared_state": "progressing", "narrative": "x"}, format="json"
    )
    assert response.status_code == 404
    assert ProgressUpdate.objects.count() == 0


def test_the_schema_describes_the_actions_endpoints(client):
    schema = client.get("/api/schema/").content.decode()
    assert "/api/actions/{id}/updates/" in schema
