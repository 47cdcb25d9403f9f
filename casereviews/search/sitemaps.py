"""The sitemap crawlers read: every public catalogue entry, the browse pages that have reports, search, the
published reviews' public pages, published briefings, the analysis of the library, and the site's public pages.

Only what anyone may read is listed, each through the same selector its page uses (`oai.records()` is
`public_reports()` with a last-modified date; `published_reviews()`; `published_briefings()`), so a crawler is
never pointed at a page it would be refused. Staff pages, downloads and forms are not listed.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from casereviews.learning.analysis import TABLES
from casereviews.learning.models import Briefing
from casereviews.learning.selectors import published_briefings
from casereviews.publication.models import Publication
from casereviews.publication.selectors import published_reviews
from casereviews.search import catalogue, oai
from casereviews.search.selectors import report_url


class ReportSitemap(Sitemap[tuple[int, datetime.datetime]]):
    changefreq = "monthly"
    priority = 0.8

    def items(self) -> list[tuple[int, datetime.datetime]]:
        return list(oai.records().values_list("pk", "modified"))

    def location(self, item: tuple[int, datetime.datetime]) -> str:
        return report_url(item[0])

    def lastmod(self, item: tuple[int, datetime.datetime]) -> datetime.datetime:
        return item[1]


class BrowseSitemap(Sitemap[str]):
    changefreq = "weekly"
    priority = 0.5

    def items(self) -> list[str]:
        counts = catalogue.library_counts()
        urls = [reverse("search:search"), reverse("search:browse")]
        urls += [option.url for _, _, options in catalogue.theme_groups(counts) for option in options]
        urls += [option.url for option in catalogue.year_options(counts)]
        urls += [option.url for option in catalogue.partnership_options(counts)]
        return urls

    def location(self, item: str) -> str:
        return item


class PublicationSitemap(Sitemap[Publication]):
    """The public page of each review a partnership published, online or now available on request."""

    changefreq = "monthly"
    priority = 0.8

    def items(self) -> list[Publication]:
        return list(published_reviews().select_related(None).only("slug", "published_at", "closed_on").order_by("pk"))

    def location(self, item: Publication) -> str:
        return reverse("publication:public_detail", args=[item.slug])

    def lastmod(self, item: Publication) -> datetime.datetime:
        # Closing the window changes the page: the report is then available on request.
        if item.closed_on is None:
            return item.published_at
        closed = datetime.datetime.combine(item.closed_on, datetime.time.min, tzinfo=datetime.UTC)
        return max(item.published_at, closed)


class BriefingSitemap(Sitemap[Briefing]):
    changefreq = "monthly"
    priority = 0.6

    def items(self) -> list[Briefing]:
        return list(published_briefings().only("slug", "published_at", "edited_at"))

    def location(self, item: Briefing) -> str:
        return reverse("briefings:public", args=[item.slug])

    def lastmod(self, item: Briefing) -> datetime.datetime | None:
        dates = [date for date in (item.published_at, item.edited_at) if date is not None]
        return max(dates, default=None)


class PublicPagesSitemap(Sitemap[str]):
    """The home page, the lists of published reviews and briefings, the analysis and its tables, and the site's
    own statements."""

    changefreq = "weekly"
    priority = 0.5

    def items(self) -> list[str]:
        urls = [reverse("home"), reverse("publication:public_list"), reverse("briefings:list")]
        urls += [reverse("learning:analysis"), *(reverse("learning:table", args=[spec.key]) for spec in TABLES)]
        return [*urls, reverse("core:accessibility"), reverse("core:privacy")]

    def location(self, item: str) -> str:
        return item


SITEMAPS: dict[str, Any] = {
    "reports": ReportSitemap,
    "browse": BrowseSitemap,
    "publications": PublicationSitemap,
    "briefings": BriefingSitemap,
    "pages": PublicPagesSitemap,
}
