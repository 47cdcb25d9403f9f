"""The API: the same rules as the pages, with token and session authentication and an OpenAPI schema."""

from __future__ import annotations

import uuid
from io import StringIO

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from casereviews.api.tokens import token_issue
from casereviews.referrals.models import Decision, Referral
from tests.factories import make_referral

pytestmark = pytest.mark.django_db

PAYLOAD = {
    "partnership": "northshire",
    "referrer_name": "Rory Referrer",
    "referrer_job_title": "Health visitor",
    "referrer_organisation": "Northshire Community Health",
    "referrer_email": "rory@example.org",
    "child_reference": "NS-42",
    "child_age_years": 4,
    "child_sex": "female",
    "child_disability": "no",
    "looked_after": "no",
    "child_protection_plan": "unknown",
    "incident_date": "2025-06-02",
    "aware_on": "2025-06-03",
    "what_happened": "Seriously injured at home.",
    "abuse_or_neglect": "suspected",
    "harm_outcome": "seriously_harmed",
}


def api_as(user) -> APIClient:
    client = APIClient()
    if user is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Token {token_issue(user=user, days=1)}")
    return client


@pytest.fixture
def referral(northshire, people):
    return make_referral(northshire, people.referrer)


def test_create_token_prints_a_token_that_authenticates(people):
    out = StringIO()
    call_command("create_token", "bella", stdout=out)
    key = out.getvalue().strip()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get("/api/referrals/").status_code == 200


def test_the_schema_describes_every_endpoint(client):
    response = client.get("/api/schema/")
    assert response.status_code == 200
    schema = response.content.decode()
    for path in [
        "/api/referrals/",
        "/api/referrals/{reference}/notifications/",
        "/api/referrals/{reference}/assessments/",
        "/api/referrals/{reference}/recommendations/",
        "/api/referrals/{reference}/decision/",
        "/api/referrals/{reference}/transitions/",
        "/api/deadlines/",
    ]:
        assert path in schema


def test_the_whole_journey_runs_through_the_api(people):
    created = api_as(people.referrer).post("/api/referrals/", PAYLOAD, format="json")
    assert created.status_code == 201, created.content
    reference = created.json()["reference"]
    assert created.json()["framework_code"] == "england_2023"
    manager, subgroup, chair = api_as(people.manager), api_as(people.subgroup), api_as(people.chair)
    assert (
        manager.post(
            f"/api/referrals/{reference}/notifications/",
            {"recipient": "national_panel", "notified_on": "2025-06-04", "method": "Online form"},
            format="json",
        ).status_code
        == 201
    )
    assert (
        manager.post(f"/api/referrals/{reference}/transitions/", {"transition": "accept"}, format="json").status_code
        == 200
    )
    assessment = subgroup.post(
        f"/api/referrals/{reference}/assessments/",
        {
            "answers": {
                "abuse_or_neglect": True,
                "seriously_harmed": True,
                "child_died": False,
                "organisations_concern": True,
            }
        },
        format="json",
    )
    assert assessment.status_code == 201
    assert assessment.json()["explanation"].startswith("Criteria met")
    assert (
        subgroup.post(
            f"/api/referrals/{reference}/recommendations/",
            {"option": "lcspr", "rationale": "Two agencies did not share information"},
            format="json",
        ).status_code
        == 201
    )
    decided = chair.post(
        f"/api/referrals/{reference}/decision/", {"option": "lcspr", "rationale": "Agreed"}, format="json"
    )
    assert decided.status_code == 201
    deadlines = manager.get(f"/api/referrals/{reference}/deadlines/").json()
    rapid_review = next(d for d in deadlines if d["rule_id"] == "rapid_review")
    assert rapid_review["due_on"] == "2025-06-25"  # 15 working days after Wednesday 4 June 2025
    assert rapid_review["met_on"] is not None


def test_a_repeated_idempotency_key_returns_the_first_referral(people):
    client = api_as(people.referrer)
    key = str(uuid.uuid4())
    first = client.post("/api/referrals/", PAYLOAD, format="json", HTTP_IDEMPOTENCY_KEY=key)
    second = client.post("/api/referrals/", PAYLOAD, format="json", HTTP_IDEMPOTENCY_KEY=key)
    assert first.status_code == 201 and second.status_code == 200
    assert first.json()["reference"] == second.json()["reference"]
    assert Referral.objects.count() == 1


def test_invalid_input_gets_field_errors_and_saves_nothing(people):
    response = api_as(people.referrer).post(
        "/api/referrals/", {**PAYLOAD, "incident_date": "2025-06-09"}, format="json"
    )
    assert response.status_code == 400
    assert "aware_on" in response.json()["errors"]
    assert not Referral.objects.exists()


def test_a_stale_version_gets_409_and_saves_nothing(people, referral):
    stale = referral.version
    api_as(people.manager).post(
        f"/api/referrals/{referral.reference}/transitions/", {"transition": "accept"}, format="json"
    )
    response = api_as(people.manager).post(
        f"/api/referrals/{referral.reference}/transitions/",
        {"transition": "withdraw", "reason": "x", "version": stale},
        format="json",
    )
    assert response.status_code == 409
    referral.refresh_from_db()
    assert referral.state == "rapid_review"


def test_a_transition_the_framework_does_not_allow_gets_409(people, referral):
    response = api_as(people.manager).post(
        f"/api/referrals/{referral.reference}/transitions/", {"transition": "close"}, format="json"
    )
    assert response.status_code == 409
    assert "cannot close the case now" in response.json()["detail"]


def test_the_wrong_role_gets_403_from_a_service(people, referral):
    response = api_as(people.subgroup).post(
        f"/api/referrals/{referral.reference}/decision/", {"option": "lcspr", "rationale": "x"}, format="json"
    )
    assert response.status_code in {403, 409}
    assert not Decision.objects.exists()


@pytest.mark.parametrize(
    "persona", ["other_referrer", "other_manager", "agency_lead", "reviewer", "analyst", "outsider"]
)
@pytest.mark.parametrize(
    "suffix", ["", "notifications/", "assessments/", "recommendations/", "panel-responses/", "decision/", "deadlines/"]
)
def test_people_without_a_part_in_the_case_get_404_from_every_referral_endpoint(people, referral, persona, suffix):
    client = api_as(getattr(people, persona))
    url = f"/api/referrals/{referral.reference}/{suffix}"
    assert client.get(url).status_code == 404
    assert client.post(url, {}, format="json").status_code in {404, 405}


@pytest.mark.parametrize("suffix", ["notifications/", "assessments/", "recommendations/", "decision/", "deadlines/"])
def test_the_referrer_cannot_see_the_deliberations_through_the_api(people, referral, suffix):
    assert api_as(people.referrer).get(f"/api/referrals/{referral.reference}/{suffix}").status_code == 403


def test_the_referrer_sees_only_the_status_fields(people, referral):
    body = api_as(people.referrer).get(f"/api/referrals/{referral.reference}/").json()
    assert body["status"] == "Referral received"
    assert "what_happened" not in body and "version" not in body


@pytest.mark.parametrize("url", ["/api/referrals/", "/api/deadlines/", "/api/referrals/NOR-2025-0001/"])
def test_anonymous_requests_are_refused(url, referral):
    assert APIClient().get(url).status_code in {401, 403}


def test_deadlines_list_is_scoped_to_the_persons_partnerships(people, referral):
    mine = api_as(people.manager).get("/api/deadlines/").json()["results"]
    theirs = api_as(people.other_manager).get("/api/deadlines/").json()["results"]
    assert {d["referral"] for d in mine} == {referral.reference}
    assert theirs == []
