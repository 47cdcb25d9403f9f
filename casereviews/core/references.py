"""Human-readable case references numbered in sequence within a prefix ("NOR-2025-0007")."""

from __future__ import annotations

from django.db.models import Max, QuerySet


def next_reference(existing: QuerySet, prefix: str, digits: int) -> str:
    """The reference after the highest in `existing` that starts with `prefix`. The unique constraint on the
    reference field settles two callers racing for the same number."""
    last = existing.filter(reference__startswith=prefix).aggregate(last=Max("reference"))["last"]
    number = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{prefix}{number:0{digits}d}"
