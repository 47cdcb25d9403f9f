"""Every change to a review's status goes through `review_status_change` (the one door).

Named services (commissioning, sign-off, publication) check their own rules and roles, then call the door
inside their transaction: it locks the review, refuses a change made against an older version and any step
not in `ALLOWED_STEPS`, applies the step, bumps the version and writes the audit entry.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from casereviews.core.audit import audit_record
from casereviews.core.calendar import NATION_CALENDARS, Calendar
from casereviews.core.errors import EditConflict, TransitionNotAllowed
from casereviews.partnerships.models import Partnership, User
from casereviews.reviews.models import ALLOWED_STEPS, Review, ReviewStatus


def review_calendar(review: Review) -> Calendar:
    return NATION_CALENDARS.get(review.partnership.nation, Calendar.ENGLAND_AND_WALES)


def next_review_reference(partnership: Partnership, year: int) -> str:
    prefix = f"{partnership.slug[:3].upper()}-R{year}-"
    last = Review.objects.filter(reference__startswith=prefix).aggregate(last=Max("reference"))["last"]
    number = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{prefix}{number:03d}"


def review_lock(review: Review, expected_version: int | None) -> Review:
    """The review, locked for this transaction; refused if someone changed it since `expected_version`."""
    locked = Review.objects.select_for_update().select_related("partnership").get(pk=review.pk)
    if expected_version is not None and locked.version != expected_version:
        raise EditConflict(
            f"Review {locked.reference} was changed by someone else while you were working on it. "
            "Nothing you entered has been saved: check the latest version and try again."
        )
    return locked


@transaction.atomic
def review_status_change(
    *,
    review: Review,
    to_status: ReviewStatus,
    actor: User | None,
    expected_version: int | None = None,
    note: str = "",
    on: datetime.date | None = None,
) -> Review:
    """Move `review` to `to_status`. `actor` None is the system (a scheduled job)."""
    locked = review_lock(review, expected_version)
    from_status = ReviewStatus(locked.status)
    if to_status not in ALLOWED_STEPS[from_status]:
        raise TransitionNotAllowed(
            f"Review {locked.reference} is {from_status.label.lower()}: it cannot become {to_status.label.lower()}"
        )
    locked.status = to_status
    locked.version += 1
    if to_status == ReviewStatus.SIGNED_OFF and locked.completed_on is None:
        locked.completed_on = on or timezone.localdate()
    locked.save(update_fields=["status", "version", "completed_on", "updated_at"])
    audit_record(
        actor=actor,
        action="review.status_changed",
        summary=f"{locked.reference}: {from_status.label} → {to_status.label}" + (f" ({note})" if note else ""),
        target=locked,
        partnership=locked.partnership,
        changes={"status": [from_status.value, to_status.value]},
    )
    return locked
