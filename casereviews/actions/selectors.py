"""Reads of action plans, already scoped to what the person may see, with each action's computed status."""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass, field

from django.contrib.auth.models import AnonymousUser
from django.db.models import F, OuterRef, Prefetch, Q, QuerySet, Subquery

from casereviews.actions.models import (
    STATUS_URGENCY,
    Action,
    ActionStatus,
    Finding,
    ProgressUpdate,
    Recommendation,
)
from casereviews.partnerships.models import Membership, Role, User
from casereviews.partnerships.selectors import holds_role_anywhere, partnerships_where
from casereviews.reviews.models import Review, ReviewStatus
from casereviews.reviews.rules import CASE_STAFF
from casereviews.reviews.selectors import review_is_on_hold

PUBLISHED_STATUSES = frozenset({ReviewStatus.PUBLISHED, ReviewStatus.ON_REQUEST})


def with_latest_update(actions: QuerySet[Action]) -> QuerySet[Action]:
    """Annotate each action with its latest update's declared state and time, which its status needs."""
    latest = ProgressUpdate.objects.filter(action=OuterRef("pk")).order_by("-posted_at", "-pk")
    return actions.annotate(
        latest_state=Subquery(latest.values("declared_state")[:1]),
        latest_posted_at=Subquery(latest.values("posted_at")[:1]),
    ).select_related("recommendation__review__partnership", "owner_agency", "lead_user", "evidence_accepted_by")


def reviews_with_plans_visible_to(user: User | AnonymousUser) -> QuerySet[Review]:
    """Reviews whose whole plan this person may see: their partnership's case staff, or its appointed reviewer."""
    if not user.is_authenticated:
        return Review.objects.none()
    return Review.objects.filter(
        Q(partnership__in=partnerships_where(user, set(CASE_STAFF)))
        | Q(appointments__reviewer=user, appointments__ended_on__isnull=True)
    ).distinct()


def agencies_led_by(user: User | AnonymousUser) -> list[int]:
    """The agencies this person is agency lead of, each within its own partnership."""
    if not user.is_authenticated:
        return []
    return list(
        Membership.objects.filter(
            user=user, role=Role.AGENCY_LEAD, agency__isnull=False, agency__partnership=F("partnership")
        ).values_list("agency_id", flat=True)
    )


def actions_visible_to(user: User | AnonymousUser) -> QuerySet[Action]:
    """Every action this person may see: whole plans for case staff and reviewers, own agency's for agency leads."""
    if not user.is_authenticated:
        return Action.objects.none()
    return with_latest_update(
        Action.objects.filter(
            Q(recommendation__review__in=reviews_with_plans_visible_to(user))
            | Q(owner_agency_id__in=agencies_led_by(user))
        )
    )


def agency_actions_for(user: User) -> QuerySet[Action]:
    """The actions owned by the agencies this person leads: the agency lead's own list."""
    return with_latest_update(Action.objects.filter(owner_agency_id__in=agencies_led_by(user))).order_by("due_on", "pk")


def is_agency_lead_anywhere(user: User | AnonymousUser) -> bool:
    return bool(agencies_led_by(user))


def can_see_dashboard(user: User | AnonymousUser) -> bool:
    return holds_role_anywhere(user, set(CASE_STAFF))


@dataclass
class PlanRecommendation:
    recommendation: Recommendation
    actions: list[tuple[Action, ActionStatus]] = field(default_factory=list)


@dataclass
class PlanFinding:
    finding: Finding | None  # None holds the recommendations that answer no single finding
    recommendations: list[PlanRecommendation] = field(default_factory=list)


@dataclass
class Plan:
    review: Review
    findings: list[PlanFinding]
    counts: dict[ActionStatus, int]

    @property
    def actions(self) -> list[tuple[Action, ActionStatus]]:
        return [pair for plan_finding in self.findings for rec in plan_finding.recommendations for pair in rec.actions]


def plan_of(review: Review, today: datetime.date) -> Plan:
    """The whole plan of a review in reading order, each action with its status on `today`."""
    actions_by_recommendation: dict[int, list[tuple[Action, ActionStatus]]] = {}
    for action in with_latest_update(Action.objects.filter(recommendation__review=review)).order_by(
        "recommendation__number", "number"
    ):
        actions_by_recommendation.setdefault(action.recommendation_id, []).append((action, action.status_on(today)))
    findings = {finding.pk: PlanFinding(finding) for finding in Finding.objects.filter(review=review)}
    unlinked = PlanFinding(None)
    for recommendation in Recommendation.objects.filter(review=review).select_related("agency", "finding"):
        holder = findings.get(recommendation.finding_id) if recommendation.finding_id else unlinked
        assert holder is not None
        holder.recommendations.append(
            PlanRecommendation(recommendation, actions_by_recommendation.get(recommendation.pk, []))
        )
    ordered = list(findings.values()) + ([unlinked] if unlinked.recommendations else [])
    counts = Counter(status for pairs in actions_by_recommendation.values() for _action, status in pairs)
    return Plan(review=review, findings=ordered, counts={status: counts.get(status, 0) for status in STATUS_URGENCY})


@dataclass(frozen=True)
class DashboardRow:
    review: Review
    counts: dict[ActionStatus, int]
    on_hold: bool = False  # parallel proceedings: shown on every dashboard (DOMAIN.md)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def dashboard_rows(user: User, today: datetime.date) -> list[DashboardRow]:
    """Every review of the person's partnerships (as case staff) with its actions counted by status, the
    reviews with the most overdue actions first, then the most at risk."""
    partnerships = partnerships_where(user, set(CASE_STAFF))
    # Holds prefetched as plain lists: `review_is_on_hold` reads them for every row.
    reviews = list(
        Review.objects.filter(partnership__in=partnerships)
        .select_related("partnership")
        .prefetch_related(Prefetch("holds", to_attr="hold_list"))
    )
    counts: dict[int, Counter[ActionStatus]] = {review.pk: Counter() for review in reviews}
    # Only what an action's status needs: counting a busy partnership's actions must not build their agencies,
    # leads and reviews as well (issue 7).
    actions = (
        with_latest_update(Action.objects.filter(recommendation__review__in=[r.pk for r in reviews]))
        .select_related(None)
        .select_related("recommendation")
        .only("due_on", "evidence_accepted_at", "recommendation__review")
    )
    for action in actions:
        counts[action.recommendation.review_id][action.status_on(today)] += 1
    rows = [
        DashboardRow(
            review,
            {status: counts[review.pk].get(status, 0) for status in STATUS_URGENCY},
            on_hold=review_is_on_hold(review, today),
        )
        for review in reviews
    ]
    rows.sort(
        key=lambda row: (
            -row.counts[ActionStatus.OVERDUE],
            -row.counts[ActionStatus.AT_RISK],
            -row.total,
            row.review.reference,
        )
    )
    return rows
