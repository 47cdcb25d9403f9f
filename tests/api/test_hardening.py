"""The API slows anyone copying in bulk (ASVS 11.1.4) and sends its JSON as an attachment (ASVS 14.4.2)."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle

from casereviews.api.base import (
    ATTACHMENT,
    AttachmentJSONRenderer,
    PersonRateThrottle,
    PersonWriteThrottle,
)
from tests.api.test_api import api_as
from tests.conftest import signed_in
from tests.factories import make_referral

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def empty_cache():
    """Throttle counts live in the cache, which outlives a test's transaction on some backends."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def three_reads_a_minute(monkeypatch):
    # The class attribute, not DEFAULT_THROTTLE_RATES: DRF reads the settings' rates once, at import.
    monkeypatch.setattr(PersonRateThrottle, "rate", "3/minute", raising=False)


@pytest.fixture
def referral(northshire, people):
    return make_referral(northshire, people.referrer)


def test_a_staff_token_over_the_rate_is_refused_with_429_and_told_when_to_retry(people, three_reads_a_minute):
    client = api_as(people.manager)
    for _ in range(3):
        assert client.get("/api/deadlines/").status_code == 200
    refused = client.get("/api/deadlines/")
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 60
    assert refused.json()["detail"].startswith("Request was throttled")
    assert refused["Content-Disposition"] == ATTACHMENT


def test_the_count_is_per_person_so_someone_else_is_not_slowed(people, three_reads_a_minute):
    manager = api_as(people.manager)
    for _ in range(4):
        manager.get("/api/deadlines/")
    assert manager.get("/api/deadlines/").status_code == 429
    assert api_as(people.chair).get("/api/deadlines/").status_code == 200


def test_a_person_signed_in_to_the_pages_is_counted_the_same_way(people, three_reads_a_minute):
    client = signed_in(people.manager)
    for _ in range(3):
        assert client.get("/api/deadlines/").status_code == 200
    assert client.get("/api/deadlines/").status_code == 429


def test_one_person_has_one_budget_across_staff_and_public_endpoints(people, three_reads_a_minute):
    client = api_as(people.manager)
    for _ in range(3):
        assert client.get("/api/publication/published/").status_code == 200
    assert client.get("/api/deadlines/").status_code == 429


def test_anyone_asking_for_the_schema_too_often_is_slowed(db, monkeypatch):
    monkeypatch.setattr(AnonRateThrottle, "rate", "2/minute", raising=False)
    client = api_as(None)
    for _ in range(2):
        assert client.get("/api/schema/").status_code == 200
    refused = client.get("/api/schema/")
    assert refused.status_code == 429
    assert "Retry-After" in refused


def test_writes_have_a_lower_rate_of_their_own_and_leave_reads_alone(people, monkeypatch):
    monkeypatch.setattr(PersonWriteThrottle, "rate", "2/minute")
    client = api_as(people.referrer)
    for _ in range(2):
        assert client.post("/api/referrals/", {}, format="json").status_code == 400
    refused = client.post("/api/referrals/", {}, format="json")
    assert refused.status_code == 429
    assert "Retry-After" in refused
    assert client.get("/api/referrals/").status_code == 200


def test_the_default_rates_leave_room_for_an_export_but_not_for_bulk_copying():
    assert PersonRateThrottle().parse_rate(PersonRateThrottle().rate) == (600, 60)
    assert PersonWriteThrottle().parse_rate(PersonWriteThrottle.rate) == (120, 60)


def test_a_list_is_sent_as_an_attachment(people):
    response = api_as(people.manager).get("/api/referrals/")
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="api.json"'
    assert response["Content-Type"] == "application/json"


def test_a_record_is_sent_as_an_attachment(people, referral):
    response = api_as(people.manager).get(f"/api/referrals/{referral.reference}/")
    assert response.status_code == 200
    assert response["Content-Disposition"] == ATTACHMENT


def test_a_browser_asking_for_html_still_gets_json_as_an_attachment(people):
    response = signed_in(people.manager).get("/api/referrals/", HTTP_ACCEPT="text/html,*/*;q=0.8")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"] == ATTACHMENT


def test_a_refusal_is_sent_as_an_attachment(people, referral):
    response = api_as(people.referrer).get(f"/api/referrals/{referral.reference}/deadlines/")
    assert response.status_code == 403
    assert response["Content-Disposition"] == ATTACHMENT


def test_anonymous_refusals_are_sent_as_attachments(db):
    response = api_as(None).get("/api/deadlines/")
    assert response.status_code in {401, 403}
    assert response["Content-Disposition"] == ATTACHMENT


def test_a_record_nobody_may_see_is_a_404_sent_as_an_attachment(people, referral):
    response = api_as(people.other_manager).get(f"/api/referrals/{referral.reference}/")
    assert response.status_code == 404
    assert response["Content-Disposition"] == ATTACHMENT


def test_an_address_that_names_nothing_is_a_404_sent_as_an_attachment(people):
    response = api_as(people.manager).get("/api/no-such-thing/")
    assert response.status_code == 404
    assert response["Content-Disposition"] == ATTACHMENT


def test_the_public_search_api_sends_its_answer_as_an_attachment(db):
    response = api_as(None).get("/api/search/", {"q": "neglect"})
    assert response.status_code in {200, 503}  # 503 while no index has been built
    assert response["Content-Disposition"] == ATTACHMENT


def test_the_public_publication_api_sends_its_answer_as_an_attachment(db):
    response = api_as(None).get("/api/publication/published/")
    assert response.status_code == 200
    assert response["Content-Disposition"] == ATTACHMENT


def test_a_response_that_names_its_own_file_keeps_that_name():
    response = Response({"rows": []}, headers={"Content-Disposition": 'attachment; filename="rows.json"'})
    AttachmentJSONRenderer().render({"rows": []}, "application/json", {"response": response})
    assert response["Content-Disposition"] == 'attachment; filename="rows.json"'


def test_a_file_download_keeps_its_own_filename(db):
    response = api_as(None).get("/search/export.json")
    assert response["Content-Disposition"] == 'attachment; filename="search-results.json"'


def test_the_swagger_ui_page_still_opens_in_a_browser(people):
    response = signed_in(people.manager).get("/api/docs/", HTTP_ACCEPT="text/html")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert "Content-Disposition" not in response
    assert b"swagger" in response.content.lower()


def _views(patterns, prefix=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _views(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern) and getattr(entry.callback, "cls", None) is not None:
            yield prefix + str(entry.pattern), entry.callback.cls


def test_every_view_of_the_api_package_counts_each_persons_calls_and_answers_as_an_attachment():
    views = [(route, view) for route, view in _views(get_resolver().url_patterns) if route.startswith("api/")]
    # Every view the service serves under /api/, the library's included; drf-spectacular's schema and Swagger UI
    # pages are its own (the UI is an HTML page a browser must open).
    own = [(route, view) for route, view in views if not view.__module__.startswith("drf_spectacular")]
    assert len(own) > 20
    for route, view in own:
        assert list(view.renderer_classes) == [AttachmentJSONRenderer], route
        assert any(issubclass(throttle, UserRateThrottle) for throttle in view.throttle_classes), route
