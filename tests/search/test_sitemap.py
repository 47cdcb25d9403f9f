"""sitemap.xml lists the public catalogue and the browse pages; robots.txt points crawlers at it."""

from __future__ import annotations

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
