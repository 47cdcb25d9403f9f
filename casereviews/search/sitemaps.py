"""The sitemap crawlers read: every public catalogue entry, the browse pages that have reports, and search.

Only the public library is listed (`oai.records()` is `public_reports()` with a last-modified date), so a
crawler is never pointed at a report it would be refused.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

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


SITEMAPS: dict[str, Any] = {"reports": ReportSitemap, "browse": BrowseSitemap}
