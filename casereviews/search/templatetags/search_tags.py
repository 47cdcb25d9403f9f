"""`{% load search_tags %}`: `{% similar_reviews report %}`, the "Similar reviews" panel for a report's page, and
`{% newest_reviews %}`, the newest public reviews for the home page."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse

from casereviews.library.services import can_manage_library
from casereviews.search.catalogue import newest_reviews as newest
from casereviews.search.selectors import similar_reviews as find_similar

register = template.Library()


@register.inclusion_tag("search/includes/similar_reviews.html", takes_context=True)
def similar_reviews(context: dict[str, Any], report: Any, limit: int = 5) -> dict[str, Any]:
    found = find_similar(report, limit=limit)
    request = context.get("request")
    staff = request is not None and can_manage_library(request.user)
    # Library staff go on to the review screen of the similar report; everyone else to its public first page.
    links = [(item, reverse("library:detail", args=[item.report_id]) if staff else item.url) for item in found]
    return {"similar": links}


@register.inclusion_tag("search/includes/newest_reviews.html")
def newest_reviews(limit: int = 5) -> dict[str, Any]:
    """`{% load search_tags %}{% newest_reviews %}`: the newest public reviews, each linked to its catalogue entry."""
    return {"rows": newest(limit)}
