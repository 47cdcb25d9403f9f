"""sitemap.xml lists the public catalogue and the browse pages; robots.txt points crawlers at it."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from lxml import etree

from casereviews.library.models import Report, ValueStatus
from tests.search.library import build_library

pytestmark = pytest.mark.django_db
SITEMAP_NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}


@pytest.fixture
def library(apply):
    library = build_library()
    apply()
    return library


def locations(client) -> list[str]:
    response = client.get(reverse("sitemap"))
    assert response.status_code == 200 and response["Content-Type"] == "application/xml"
    root = etree.fromstring(response.content)
    return [element.text for element in root.iterfind("s:url/s:loc", SITEMAP_NS)]


def test_the_sitemap_lists_public_entries_browse_pages_and_search(library, client):
    found = locations(client)
    for url in (
        reverse("search:report", args=[library.a.pk]),
        reverse("search:report", args=[library.b.pk]),
        reverse("search:search"),
        reverse("search:browse"),
        reverse("search:theme", args=["risk_factors", "domestic_abuse"]),
        reverse("search:year", args=[2023]),
        reverse("search:partnership", args=["glanmor"]),
    ):
        assert f"http://testserver{url}" in found


def test_the_sitemap_leaves_out_reports_that_are_not_public(library, client):
    found = "\n".join(locations(client))
    for report in (library.draft, library.pending):
        assert reverse("search:report", args=[report.pk]) not in found
    assert reverse("search:theme", args=["risk_factors", "online_harm"]) not in found


def test_an_entry_is_dated_by_its_last_decision(library, client):
    Report.objects.filter(pk=library.b.pk).update(uploaded_at="2022-01-01T00:00:00Z")
    library.b.values.filter(status=ValueStatus.ACCEPTED).update(decided_at="2024-05-06T10:00:00Z")
    root = etree.fromstring(client.get(reverse("sitemap")).content)
    url = f"http://testserver{reverse('search:report', args=[library.b.pk])}"
    entry = next(e for e in root.iterfind("s:url", SITEMAP_NS) if e.findtext("s:loc", namespaces=SITEMAP_NS) == url)
    assert entry.findtext("s:lastmod", namespaces=SITEMAP_NS) == "2024-05-06"


def test_robots_txt_points_at_the_sitemap_and_keeps_crawlers_off_private_pages(client):
    response = client.get("/robots.txt")
    body = response.content.decode()
    assert response.status_code == 200 and response["Content-Type"] == "text/plain; charset=utf-8"
    assert "User-agent: *" in body and "Sitemap: http://testserver/sitemap.xml" in body
    assert "Disallow: /admin/" in body and "Disallow: /search/export." in body
    assert "Disallow: /search/\n" not in body


def test_the_sitemap_lists_published_reviews_public_pages_and_not_a_review_still_in_preparation(
    client, people, northshire
):
    from tests.publication.conftest import make_signed_off_review, publish_review

    published = publish_review(people, make_signed_off_review(people, northshire))
    unpublished = make_signed_off_review(people, northshire, pseudonym="Child U")
    found = locations(client)
    assert f"http://testserver{reverse('publication:public_detail', args=[published.slug])}" in found
    assert f"http://testserver{reverse('publication:public_list')}" in found
    # The staff side of publication (the redaction gate) and the PDF are never listed.
    assert not any("/publication/" in url or url.endswith(".pdf") for url in found)
    assert not any(unpublished.reference in url for url in found)


def test_a_published_review_whose_window_closed_is_still_listed_and_dated_by_the_closing(client, people, northshire):
    from casereviews.publication.services import publication_window_close
    from tests.publication.conftest import make_signed_off_review, publish_review

    published = publish_review(people, make_signed_off_review(people, northshire))
    closed_on = published.window_ends_on + datetime.timedelta(days=1)
    assert publication_window_close(publication=published, today=closed_on)
    root = etree.fromstring(client.get(reverse("sitemap")).content)
    url = f"http://testserver{reverse('publication:public_detail', args=[published.slug])}"
    entry = next(e for e in root.iterfind("s:url", SITEMAP_NS) if e.findtext("s:loc", namespaces=SITEMAP_NS) == url)
    assert entry.findtext("s:lastmod", namespaces=SITEMAP_NS) == closed_on.isoformat()


def test_the_sitemap_lists_published_briefings_only(client, people):
    from casereviews.learning.services import briefing_approve, briefing_draft, briefing_publish
    from tests.learning.builders import make_report

    for title in ("Child A", "Child B"):
        make_report(year_published=2022, risk_factors=["domestic_abuse"], findings=["Nobody asked."], title=title)
    published = briefing_draft(actor=people.manager, theme_kind="risk_factor", theme_code="domestic_abuse")
    briefing_publish(actor=people.manager, briefing=briefing_approve(actor=people.manager, briefing=published))
    draft = briefing_draft(actor=people.manager, theme_kind="risk_factor", theme_code="domestic_abuse")
    found = locations(client)
    assert f"http://testserver{reverse('briefings:public', args=[published.slug])}" in found
    assert f"http://testserver{reverse('briefings:list')}" in found
    assert not any(draft.slug in url or "/drafts/" in url for url in found)


def test_every_page_the_sitemap_lists_is_one_an_anonymous_visitor_can_read(library, client, people, northshire):
    from tests.publication.conftest import make_signed_off_review, publish_review

    publish_review(people, make_signed_off_review(people, northshire))
    found = locations(client)
    for url in (reverse("home"), reverse("learning:analysis"), reverse("core:privacy")):
        assert f"http://testserver{url}" in found
    assert any("/analysis/tables/" in url for url in found)
    for url in found:
        assert client.get(url.removeprefix("http://testserver")).status_code == 200, url
