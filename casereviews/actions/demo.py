"""An invented demo action plan for a review, written through the real services so that the demo shows real
statuses, audit entries and reminders. Every finding, recommendation and action here is invented."""

from __future__ import annotations

import datetime

from django.db import transaction

from casereviews.actions.models import Action
from casereviews.actions.services import (
    ActionInput,
    action_create,
    evidence_accept,
    finding_create,
    progress_update_post,
    recommendation_create,
)
from casereviews.partnerships.models import Agency, Membership, Role, User
from casereviews.reviews.models import Review

FINDINGS = [
    (
        "Information about a new adult in the household was known to one agency and was not shared with the "
        "others, so no assessment considered the risk he posed.",
        "Agencies should ask about, record and share information about every adult living in or regularly "
        "visiting a child's home.",
    ),
    (
        "Practitioners who disagreed with a decision to close the case did not use the escalation policy, and "
        "several were not aware of it.",
        "The partnership should make sure every practitioner knows the escalation policy and is supported to use it.",
    ),
]

# (finding index, what will be done, agency name contains, lead, days from today to due, progress to report)
ACTIONS = [
    (
        0,
        "Add a question about adults in the household to every strategy discussion record.",
        "police",
        "Detective inspector, public protection",
        -20,
        None,
    ),
    (
        0,
        "Audit twenty strategy discussions for whether information about adults in the home was sought.",
        "police",
        "Detective inspector, public protection",
        10,
        "concern",
    ),
    (
        0,
        "Brief response officers on asking who lives in the home at every domestic abuse call-out.",
        "police",
        "Chief inspector, response",
        45,
        "progressing",
    ),
    (
        1,
        "Relaunch the escalation policy with a seven-minute briefing for all agencies.",
        "police",
        "Safeguarding training lead",
        -5,
        "completed",
    ),
    (
        1,
        "Include the escalation policy in every new starter's induction.",
        "police",
        "Safeguarding training lead",
        -40,
        "evidenced",
    ),
    (
        1,
        "Re-audit the use of escalation a year after the relaunch.",
        "social care",
        "Head of quality assurance",
        300,
        None,
    ),
]


def _agency(review: Review, contains: str) -> Agency:
    agencies = Agency.objects.filter(partnership=review.partnership)
    agency = agencies.filter(name__icontains=contains).first() or agencies.order_by("pk").first()
    if agency is None:
        raise ValueError(f"{review.partnership} has no agencies to own the demo actions")
    return agency


def _lead_of(agency: Agency) -> User | None:
    membership = (
        Membership.objects.filter(partnership=agency.partnership, role=Role.AGENCY_LEAD, agency=agency)
        .select_related("user")
        .first()
    )
    return membership.user if membership else None


@transaction.atomic
def demo_action_plan_add(*, review: Review, by: User, today: datetime.date) -> int:
    """Add the invented plan to `review` as business manager `by`, unless it already has a plan. Returns how
    many actions were added."""
    if review.findings.exists() or review.plan_recommendations.exists():
        return 0
    recommendations = []
    for number, (finding_text, recommendation_text) in enumerate(FINDINGS, start=1):
        finding = finding_create(actor=by, review=review, number=number, text=finding_text)
        recommendations.append(
            recommendation_create(
                actor=by, review=review, number=number, text=recommendation_text, finding=finding, agency=None
            )
        )
    added = 0
    for finding_index, description, agency_name, lead, days, progress in ACTIONS:
        agency = _agency(review, agency_name)
        due_on = max(today + datetime.timedelta(days=days), review.commissioned_on)
        action = action_create(
            actor=by,
            recommendation=recommendations[finding_index],
            data=ActionInput(
                description=description,
                owner_agency_id=agency.pk,
                lead_name=lead,
                due_on=due_on,
                expected_change="Practitioners know who lives with the child and act on what they know.",
                success_measure="A multi-agency audit shows the change in at least nine of ten cases sampled.",
            ),
        )
        added += 1
        agency_lead = _lead_of(agency)
        if progress is not None and agency_lead is not None:
            _report(action, progress, agency_lead, by)
    return added


def _report(action: Action, progress: str, agency_lead: User, manager: User) -> None:
    declared = "completed" if progress == "evidenced" else progress
    narratives = {
        "progressing": "The briefing is written and booked into team meetings for next month.",
        "concern": "Audit staff were redeployed to an inspection; the audit may slip by a month.",
        "completed": "Delivered to every team; attendance records are attached to the agency's return.",
    }
    progress_update_post(
        actor=agency_lead,
        action=action,
        narrative=narratives[declared],
        declared_state=declared,
        evidence="Attendance: 94% of frontline staff. A dip sample of ten cases found the change in nine."
        if declared == "completed"
        else "",
    )
    if progress == "evidenced":
        action.refresh_from_db()
        evidence_accept(
            actor=manager, action=action, note="Seen by the case review sub-group.", expected_version=action.version
        )
