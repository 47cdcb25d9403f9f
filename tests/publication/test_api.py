"""The publication API: published reviews for anyone, the gate and requests for staff only."""

from __future__ import annotations

import datetime

import pytest
from rest_framework.test import APIClient

from casereviews.api.tokens import token_issue
from casereviews.publication import services
from casereviews.publication.models import RequestStatus
from casereviews.publication.schedules import close_publication_windows
from tests.conftest import signed_in
from tests.publication.conftest import DENY, SUMMARY, keyed_and_scanned, publish_review

pytestmark = pytest.mark.django_db

PUBLISHED = "/api/publication/published/"


def api_as(user) -> APIClient:
    client = APIClient()
    if user is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Token {token_issue(user=user, days=1)}")
    return client


def test_anyone_lists_published_reviews_without_signing_in(review, people):
    publication = publish_review(people, review)
    response = api_as(None).get(PUBLISHED)
    assert response.status_code == 200
    [row] = response.json()
    assert (row["slug"], row["pseudonym"], row["summary"], row["available"]) == (
        publication.slug,
        "Child T",
        SUMMARY,
        "online",
    )
    assert row["download_url"].endswith(f"/published/{publication.slug}/report.pdf")
    assert not any(term in response.content.decode() for term in DENY)
    assert api_as(None).get(f"{PUBLISHED}{publication.slug}/").json()["slug"] == publication.slug


def test_after_the_window_the_api_says_on_request_and_gives_no_download(review, people):
    publication = publish_review(people, review)
    close_publication_windows(publication.window_ends_on + datetime.timedelta(days=1))
    [row] = api_as(None).get(PUBLISHED).json()
    assert (row["available"], row["download_url"]) == ("on_request", None)


def test_the_public_api_is_read_only_and_shows_nothing_unpublished(review, people):
    assert api_as(None).get(PUBLISHED).json() == []
    assert api_as(None).post(PUBLISHED, {}).status_code in {401, 403, 405}


def test_the_gate_tells_the_business_manager_and_chair_what_holds_the_review_back(review, people):
    keyed_and_scanned(review, people.manager)
    url = f"/api/publication/reviews/{review.reference}/gate/"
    for persona in ["manager", "chair"]:
        data = api_as(getattr(people, persona)).get(url).json()
        assert data["can_publish"] is False and data["findings_to_decide"] > 0 and data["scan_status"] == "done"
        assert not any(term in str(data) for term in DENY)


@pytest.mark.parametrize(
    "persona", ["subgroup", "reviewer", "agency_lead", "referrer", "analyst", "other_manager", "outsider", None]
)
def test_the_gate_is_refused_to_everyone_else(review, people, persona):
    response = api_as(getattr(people, persona) if persona else None).get(
        f"/api/publication/reviews/{review.reference}/gate/"
    )
    assert response.status_code in {401, 403, 404}


@pytest.fixture
def pending_request(review, people):
    publication = publish_review(people, review)
    close_publication_windows(publication.window_ends_on + datetime.timedelta(days=1))
    publication.refresh_from_db()
    return services.report_request_submit(
        publication=publication,
        data=services.RequestInput(name="Pat", email="pat@example.org", organisation="", reason="Research"),
        ip_address="192.0.2.1",
    )


def test_the_business_manager_lists_and_answers_requests(pending_request, people):
    client = api_as(people.manager)
    assert [row["id"] for row in client.get("/api/publication/requests/").json()] == [pending_request.pk]
    refused = client.post(f"/api/publication/requests/{pending_request.pk}/answer/", {"answer": "refuse"})
    assert refused.status_code == 400 and "reason" in refused.json()["errors"]
    # Granting is never accepted with a token (ADR 0012); from a session signed in moments ago it is.
    with_token = client.post(f"/api/publication/requests/{pending_request.pk}/answer/", {"answer": "grant"})
    assert with_token.status_code == 403
    session = signed_in(people.manager)
    granted = session.post(f"/api/publication/requests/{pending_request.pk}/answer/", {"answer": "grant"})
    assert granted.status_code == 200 and granted.json()["status"] == RequestStatus.GRANTED


@pytest.mark.parametrize(
    "persona",
    ["chair", "subgroup", "reviewer", "agency_lead", "referrer", "analyst", "other_manager", "outsider", None],
)
def test_requests_are_refused_to_everyone_but_the_business_manager(pending_request, people, persona):
    client = api_as(getattr(people, persona) if persona else None)
    listing = client.get("/api/publication/requests/")
    assert listing.status_code in {401, 403} or listing.json() == []
    answer = client.post(f"/api/publication/requests/{pending_request.pk}/answer/", {"answer": "grant"})
    assert answer.status_code in {401, 403, 404}
    pending_request.refresh_from_db()
    assert pending_request.status == RequestStatus.PENDING
