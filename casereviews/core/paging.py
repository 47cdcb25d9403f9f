"""One page of a staff list (dashboards, the referral list): the rows rendered are a page's, not every row.

The dashboards sort their rows in Python (by urgency, worked out from deadlines and holds), so they page a list;
the rows of a page are what the template renders, which is where a long list cost its time (issue 7). The CSV
downloads keep every row.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

from django.core.paginator import Page, Paginator

ROWS_PER_PAGE = 25

Row = TypeVar("Row")


def page_of(rows: Sequence[Row], page_number: str | int | None, per_page: int = ROWS_PER_PAGE) -> Page[Row]:
    """The page `page_number` of `rows`; a number out of range or not a number gives the nearest page, as GOV.UK
    pagination links and a bookmarked page after rows have closed expect."""
    return Paginator(rows, per_page).get_page(page_number)
