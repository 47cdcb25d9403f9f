"""The reviews API: scoped lists, one review in full, and refusals that disclose nothing."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from casereviews.core.models import AuditEvent
from casereviews.partnerships.models import Agency, Role
from casereviews.reviews import services
from tests.conftest import signed_in
from tests.factories import make_person
from tests.reviews.steps import appoint, commission

pytestmark = pytest.mark.django_db


@pytest.fixture
def review(northshire, people):
    review = commission(northshire, people.manager)
    appoint(review, people.manager, people.reviewer)
    services.hold_start(
        actor=people.manager, review=review, kind="criminal_trial", reason="Trial", starts_on=timezone.localdate()
    )
    for name in ("Police", "Children's social care"):
        services.contribution_request(
            actor=people.manager,
            review=review,
            agency=Agency.objects.get(partnership=northshire, name=name),
            due_on=timezone.localdate() + datetime.timedelta(days=10),
            what_is_asked=f"{name}: chronology and report.",
        )
    return review


@pytest.mark.parametrize("persona", ["manager", "subgroup", "chair", "reviewer"])
def test_the_review_is_listed_and_readable_for_its_own_people(persona, review, as_):
    client = as_(persona)
    listed = client.get("/api/reviews/").json()
    assert [r["reference"] for r in listed] == [review.reference]
    assert listed[0]["on_hold"] is True
    detail = client.get(f"/api/reviews/{review.reference}/").json()
    assert detail["lead_reviewers"] == ["Lewis"]
    assert detail["holds"][0]["kind"] == "criminal_trial"
    assert {m["kind"] for m in detail["milestones"]} >= {"commissioned", "signed_off"}
    assert detail["earliest_publication_on"] is None
    assert "The review is being set up, not signed off" in detail["publication_blockers"]


@pytest.mark.parametrize("persona", ["agency_lead", "referrer", "analyst", "other_manager", "outsider"])
def test_people_outside_the_review_see_no_review_and_get_404_for_it(persona, review, as_):
    client = as_(persona)
    assert client.get("/api/reviews/").json() == []
    assert client.get(f"/api/reviews/{review.reference}/").status_code == 404


def test_a_lead_reviewer_not_appointed_gets_404(review, northshire):
    client = signed_in(make_person("vera", Role.LEAD_REVIEWER, northshire))
    assert client.get(f"/api/reviews/{review.reference}/").status_code == 404


def test_anonymous_callers_are_refused(review, as_):
    assert as_(None).get("/api/reviews/").status_code in {401, 403}
    assert as_(None).get(f"/api/reviews/{review.reference}/").status_code in {401, 403}
    assert as_(None).get("/api/reviews/contributions/").status_code in {401, 403}


def test_an_agency_lead_lists_only_their_own_agencys_contribution_requests(review, as_):
    listed = as_("agency_lead").get("/api/reviews/contributions/").json()
    assert [r["agency"] for r in listed] == ["Children's social care"]
    assert as_("manager").get("/api/reviews/contributions/").json().__len__() == 2
    assert as_("other_manager").get("/api/reviews/contributions/").json() == []


def test_reading_a_review_through_the_api_is_audited(review, as_, people):
    as_("chair").get(f"/api/reviews/{review.reference}/")
    assert AuditEvent.objects.filter(action="review.view", actor=people.chair).count() == 1
