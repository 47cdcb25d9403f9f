"""The review page reads the review, its holds and the person's roles once a request, not once per question the
page asks of them (issue 7: the staff pages under load; the page cost 55 queries)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from casereviews.reviews import selectors, services
from tests.conftest import signed_in
from tests.reviews.steps import commission, fresh

pytestmark = pytest.mark.django_db


@pytest.fixture
def held_review(northshire, people):
    review = commission(northshire, people.manager)
    services.hold_start(
        actor=people.manager, review=review, kind="inquest", reason="Inquest opened", starts_on=timezone.localdate()
    )
    return fresh(review)


def _reads_of(captured: CaptureQueriesContext, table: str) -> int:
    return sum(
        1
        for query in captured.captured_queries
        if query["sql"].lstrip().startswith("SELECT") and f'FROM "{table}"' in query["sql"]
    )


def test_the_review_page_reads_the_review_its_holds_and_the_roles_in_its_partnership_once(people, held_review):
    client = signed_in(people.manager)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("reviews:detail", args=[held_review.reference]))
    assert response.status_code == 200
    assert "Inquest opened" in response.content.decode()
    assert _reads_of(captured, "reviews_review") == 1
    assert _reads_of(captured, "reviews_hold") == 1
    assert _reads_of(captured, "reviews_writtenresponse") == 0  # selected with the review
    roles_in_partnership = [
        q
        for q in captured.captured_queries
        if 'FROM "partnerships_membership"' in q["sql"] and "partnership_id" in q["sql"]
    ]
    assert len(roles_in_partnership) == 1


def test_the_review_page_stays_within_its_query_budget(people, held_review, django_assert_max_num_queries):
    client = signed_in(people.manager)
    client.get(reverse("reviews:detail", args=[held_review.reference]))  # the framework is parsed once a process
    with django_assert_max_num_queries(36):
        assert client.get(reverse("reviews:detail", args=[held_review.reference])).status_code == 200


def test_the_page_shows_the_same_publication_blockers_and_date_as_a_fresh_read(people, held_review):
    response = signed_in(people.manager).get(reverse("reviews:detail", args=[held_review.reference]))
    today = timezone.localdate()
    assert response.context["blockers"] == selectors.publication_blockers(held_review, today)
    assert any("on hold for inquest" in blocker for blocker in response.context["blockers"])
    assert response.context["earliest_publication"] == selectors.earliest_publication_date(held_review)
    assert response.context["held_days"] == selectors.review_held_days(held_review, held_review.commissioned_on, today)


def test_roles_remembered_for_one_request_are_those_of_that_person_only(people, held_review):
    from casereviews.reviews.rules import remember_roles

    remember_roles(people.manager, held_review)
    assert people.manager.has_perm("reviews.manage_review", held_review)
    assert not people.referrer.has_perm("reviews.view_review", held_review)


def test_a_review_loaded_without_remembered_roles_sees_a_role_granted_later(northshire, people, held_review):
    from casereviews.partnerships.models import Membership, Role

    assert not people.referrer.has_perm("reviews.manage_review", held_review)
    Membership.objects.create(user=people.referrer, partnership=northshire, role=Role.BUSINESS_MANAGER)
    assert people.referrer.has_perm("reviews.manage_review", held_review)
