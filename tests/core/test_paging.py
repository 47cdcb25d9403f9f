"""The staff lists (the case, review and action plan dashboards and the referral list) show one page of rows at a
time, most urgent or newest first, with the total always shown and the filters kept on every page link; the CSV
downloads keep every row (issue 7: a page of every open case cost most of its time in rendering rows)."""

from __future__ import annotations

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from casereviews.core.paging import ROWS_PER_PAGE, page_of
from casereviews.referrals import selectors as referral_selectors
from tests.conftest import signed_in
from tests.factories import make_referral, make_review

MORE_THAN_A_PAGE = ROWS_PER_PAGE + 2


def linked_references(html: str, prefix: str) -> list[str]:
    """The references linked from a page's table rows, in order, for links under `prefix` ("/referrals/")."""
    return re.findall(rf'href="{prefix}([A-Z0-9-]+)/"', html)


def test_a_page_of_rows_is_the_requested_one_and_a_bad_number_gives_the_nearest():
    rows = list(range(60))
    assert list(page_of(rows, "2").object_list) == list(range(25, 50))
    assert list(page_of(rows, "not a number").object_list) == list(range(25))
    assert list(page_of(rows, "99").object_list) == list(range(50, 60))
    assert list(page_of(rows, None).object_list) == list(range(25))


@pytest.mark.django_db
def test_the_case_dashboard_shows_the_most_urgent_page_first_and_the_rest_on_the_next(people, northshire):
    today = timezone.localdate()
    for number in range(MORE_THAN_A_PAGE):
        make_referral(northshire, people.referrer, aware_on=today - datetime.timedelta(days=number))
    urgency_order = [
        row.referral.reference
        for row in referral_selectors.dashboard_rows(people.manager, referral_selectors.DashboardFilters(), today)
    ]
    client = signed_in(people.manager)

    first = client.get(reverse("referrals:dashboard")).content.decode()
    second = client.get(reverse("referrals:dashboard") + "?page=2").content.decode()

    assert f"Showing 1 to {ROWS_PER_PAGE} of {MORE_THAN_A_PAGE} cases" in first
    assert f"Showing {ROWS_PER_PAGE + 1} to {MORE_THAN_A_PAGE} of {MORE_THAN_A_PAGE} cases" in second
    assert linked_references(first, "/referrals/") == urgency_order[:ROWS_PER_PAGE]
    assert linked_references(second, "/referrals/") == urgency_order[ROWS_PER_PAGE:]
    assert 'href="?page=2"' in first and 'rel="next"' in first
    assert 'rel="prev"' in second and 'rel="next"' not in second


@pytest.mark.django_db
def test_a_filtered_dashboard_keeps_its_filter_on_the_page_links_and_the_csv_keeps_every_row(people, northshire):
    for _ in range(MORE_THAN_A_PAGE):
        make_referral(northshire, people.referrer)
    client = signed_in(people.manager)

    page = client.get(reverse("referrals:dashboard") + "?query=NS&page=1").content.decode()
    csv = client.get(reverse("referrals:dashboard_csv") + "?query=NS").content.decode()

    assert 'href="?query=NS&amp;page=2"' in page
    assert len(csv.strip().splitlines()) == 1 + MORE_THAN_A_PAGE  # the header and every case


@pytest.mark.django_db
def test_one_page_of_cases_shows_only_the_total_and_no_page_links(people, northshire):
    for _ in range(3):
        make_referral(northshire, people.referrer)
    page = signed_in(people.manager).get(reverse("referrals:dashboard")).content.decode()
    assert ">3 cases</caption>" in page.replace("\n", "")
    assert "govuk-pagination" not in page


@pytest.mark.django_db
def test_the_referral_list_pages_the_newest_first(people, northshire):
    referrals = [make_referral(northshire, people.referrer) for _ in range(MORE_THAN_A_PAGE)]
    newest_first = [referral.reference for referral in reversed(referrals)]
    client = signed_in(people.manager)

    first = client.get(reverse("referrals:list")).content.decode()
    last = client.get(reverse("referrals:list") + "?page=2").content.decode()

    assert linked_references(first, "/referrals/") == newest_first[:ROWS_PER_PAGE]
    assert linked_references(last, "/referrals/") == newest_first[ROWS_PER_PAGE:]
    assert f"of {MORE_THAN_A_PAGE} referrals" in first


@pytest.mark.django_db
def test_the_reviews_dashboard_and_the_action_plans_dashboard_page_their_reviews(people, northshire):
    reviews = [
        make_review(
            northshire,
            created_by=people.manager,
            pseudonym=f"Child {number}",
            commissioned_on=datetime.date(2025, 1, 1) + datetime.timedelta(days=number),
        )
        for number in range(MORE_THAN_A_PAGE)
    ]
    client = signed_in(people.manager)
    linked_under = {"reviews:dashboard": "/reviews/", "actions:dashboard": "/actions/reviews/"}
    for name, prefix in linked_under.items():
        first = client.get(reverse(name)).content.decode()
        second = client.get(reverse(name) + "?page=2").content.decode()
        shown = linked_references(first, prefix) + linked_references(second, prefix)
        assert f"Showing 1 to {ROWS_PER_PAGE} of {MORE_THAN_A_PAGE} reviews" in first, name
        assert sorted(set(shown)) == sorted(review.reference for review in reviews), name
        assert len(set(linked_references(second, prefix))) == MORE_THAN_A_PAGE - ROWS_PER_PAGE, name


@pytest.mark.django_db
def test_the_library_list_pages_its_reports_like_every_staff_list(people):
    from tests.learning.builders import make_reports

    make_reports(MORE_THAN_A_PAGE, year_published=2022)
    client = signed_in(people.analyst)
    first = client.get(reverse("library:list")).content.decode()
    second = client.get(reverse("library:list") + "?page=2").content.decode()
    assert len(linked_references(first, "/library/reports/")) == ROWS_PER_PAGE
    assert len(linked_references(second, "/library/reports/")) == MORE_THAN_A_PAGE - ROWS_PER_PAGE
