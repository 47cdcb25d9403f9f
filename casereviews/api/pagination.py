"""Paging of the API's lists: DRF's limit and offset, with both bounded.

Unbounded, a client's `limit=5347951961982809690603520` reached the database as a number no SQL integer holds (a
500 found by Schemathesis), and a huge limit is also a way to make one request read a whole table."""

from __future__ import annotations

from typing import Any

from rest_framework.pagination import LimitOffsetPagination

MAX_LIMIT = 200
# Far beyond any list the API serves (10,000s of reports); a larger offset reads as this one: an empty page.
MAX_OFFSET = 10_000_000


class BoundedLimitOffsetPagination(LimitOffsetPagination):
    max_limit = MAX_LIMIT

    def get_offset(self, request: Any) -> int:
        return min(super().get_offset(request), MAX_OFFSET)
