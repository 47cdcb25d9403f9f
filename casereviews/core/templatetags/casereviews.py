from __future__ import annotations

import datetime

from django import template
from django.utils import timezone

from casereviews.referrals.models import Deadline, DeadlineStatus

register = template.Library()

_TAG_COLOURS = {
    DeadlineStatus.OVERDUE: "govuk-tag--red",
    DeadlineStatus.DUE_SOON: "govuk-tag--yellow",
    DeadlineStatus.PENDING: "govuk-tag--blue",
    DeadlineStatus.MET: "govuk-tag--green",
    DeadlineStatus.MET_LATE: "govuk-tag--orange",
    DeadlineStatus.CANCELLED: "govuk-tag--grey",
}


@register.inclusion_tag("includes/deadline_tag.html")
def deadline_tag(deadline: Deadline, today: datetime.date | None = None) -> dict[str, str]:
    status = deadline.status_on(today or timezone.localdate())
    return {"label": status.label, "colour": _TAG_COLOURS[status]}


@register.filter
def yes_no_unknown(value: bool | None) -> str:
    return {True: "Yes", False: "No", None: "Not known"}[value]
