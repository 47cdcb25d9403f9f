"""The reviews' scheduled job: tell the business manager once about each overdue milestone and contribution.

A reminder is recorded (`ReminderSent`, unique per review, item and due date) in the same transaction as the
e-mail is sent, so a second run on the same day, or after a crash, sends nothing twice; a milestone whose due
date is moved is reminded of again when the new date passes.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction

from casereviews.core.audit import audit_record
from casereviews.core.schedules import scheduled
from casereviews.partnerships.models import Membership, Role
from casereviews.reviews.models import WORK_STATUSES, ContributionRequest, Milestone, ReminderSent, Review


def _overdue_items(review: Review, today: datetime.date) -> list[tuple[str, datetime.date, str]]:
    items: list[tuple[str, datetime.date, str]] = []
    milestone: Milestone
    for milestone in review.milestones.all():
        if milestone.is_overdue_on(today):
            items.append((f"milestone:{milestone.kind}", milestone.due_on, milestone.get_kind_display()))
    contribution: ContributionRequest
    for contribution in review.contributions.select_related("agency"):
        if contribution.is_overdue_on(today):
            items.append(
                (
                    f"contribution:{contribution.pk}",
                    contribution.due_on,
                    f"Contribution from {contribution.agency.name}",
                )
            )
    return items


@scheduled("reviews_overdue_milestones")
def reviews_overdue_milestones(today: datetime.date) -> str:
    sent = 0
    reviews = Review.objects.filter(status__in=WORK_STATUSES).select_related("partnership")
    for review in reviews:
        already = set(review.reminders_sent.values_list("key", "due_on"))
        fresh = [(key, due, label) for key, due, label in _overdue_items(review, today) if (key, due) not in already]
        if not fresh:
            continue
        recipients = list(
            Membership.objects.filter(partnership=review.partnership, role=Role.BUSINESS_MANAGER)
            .exclude(user__email="")
            .values_list("user__email", flat=True)
        )
        if not recipients:
            continue
        for key, due, label in fresh:
            try:
                with transaction.atomic():
                    ReminderSent.objects.create(review=review, key=key, due_on=due)
                    send_mail(
                        subject=f"Review {review.reference}: overdue – {label}",
                        message=(
                            f"In review {review.reference} for {review.partnership.name}, “{label}” was due on "
                            f"{due:%d %B %Y} and is not yet done.\nSign in to Case Reviews to see the review.\n"
                        ),
                        from_email=settings.DEFAULT_FROM_EMAIL,
                        recipient_list=recipients,
                    )
                    audit_record(
                        actor=None,
                        action="review.overdue_reminder",
                        summary=f"{review.reference}: reminded the business manager that “{label}” is overdue",
                        target=review,
                        partnership=review.partnership,
                    )
            except IntegrityError:
                continue  # another run recorded this reminder first
            sent += 1
    return f"{sent} overdue reminder{'s' if sent != 1 else ''} sent"
