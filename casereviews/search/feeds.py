"""An Atom feed for any search: the newest public reports that match it, for a feed reader to follow.

It reads the index like the search page, so it holds only the public library's confirmed material; each
entry's date is the report's last public change (`oai.records`).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.contrib.syndication.views import Feed
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed

from casereviews.core.errors import InvalidInput
from casereviews.search import oai
from casereviews.search.alerts import canonical_params, describe, search_url
from casereviews.search.selectors import ResultRow, SearchRequest, search_reports

FEED_LENGTH = 20


@dataclass(frozen=True)
class FeedItem:
    row: ResultRow
    updated: datetime.datetime


# One instance serves every request, so each request's data travels in the object and its items, never on self.
class SearchFeed(Feed[FeedItem, dict[str, Any]]):
    feed_type = Atom1Feed

    def get_object(self, request: HttpRequest, *args: Any, **kwargs: Any) -> dict[str, Any]:
        try:
            params = canonical_params(request.GET)
        except InvalidInput as error:
            raise Http404(error.message) from None
        search, _ = SearchRequest.from_params(request.GET)
        page = search_reports(
            SearchRequest(**{**search.__dict__, "sort": "date", "page": 1, "per_page": FEED_LENGTH,
                             "facets": False, "snippets": False})
        )  # fmt: skip
        if page.index_missing:
            raise Http404("Search is being prepared")
        dates = dict(oai.records().filter(pk__in=[row.report_id for row in page.rows]).values_list("pk", "modified"))
        now = timezone.now()
        return {"params": params, "items": [FeedItem(row, dates.get(row.report_id, now)) for row in page.rows]}

    def title(self, obj: dict[str, Any]) -> str:
        return f"Published reviews: {describe(obj['params'])}"

    def link(self, obj: dict[str, Any]) -> str:
        return search_url(obj["params"])

    def subtitle(self, obj: dict[str, Any]) -> str:
        return "The newest published child safeguarding case reviews that match this search."

    def items(self, obj: dict[str, Any]) -> list[FeedItem]:
        return list(obj["items"])

    def item_title(self, item: FeedItem) -> str:
        return item.row.title

    def item_description(self, item: FeedItem) -> str:
        row = item.row
        return " · ".join(part for part in (str(row.year or ""), row.partnership, *row.review_type_labels) if part)

    def item_link(self, item: FeedItem) -> str:
        return item.row.url

    def item_updateddate(self, item: FeedItem) -> datetime.datetime:
        return item.updated

    def item_pubdate(self, item: FeedItem) -> datetime.datetime:
        return item.updated
