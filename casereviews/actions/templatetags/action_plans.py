from __future__ import annotations

from django import template

from casereviews.actions.models import ActionStatus

register = template.Library()

_TAG_COLOURS = {
    ActionStatus.NOT_STARTED: "govuk-tag--grey",
    ActionStatus.ON_TRACK: "govuk-tag--blue",
    ActionStatus.AT_RISK: "govuk-tag--yellow",
    ActionStatus.OVERDUE: "govuk-tag--red",
    ActionStatus.COMPLETE: "govuk-tag--turquoise",
    ActionStatus.EVIDENCED: "govuk-tag--green",
}


@register.inclusion_tag("includes/deadline_tag.html")
def action_status_tag(status: ActionStatus) -> dict[str, str]:
    return {"label": ActionStatus(status).label, "colour": _TAG_COLOURS[ActionStatus(status)]}


@register.filter
def status_count(counts: dict[ActionStatus, int], status: str) -> int:
    return counts.get(ActionStatus(status), 0)
