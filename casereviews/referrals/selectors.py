"""Reads of referrals, already scoped to what the person may see."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.core.paginator import Page, Paginator
from django.db.models import Prefetch, Q, QuerySet

from casereviews.frameworks.engine import open_states, state_label, transitions_from
from casereviews.frameworks.schema import FrameworkDefinition, Transition
from casereviews.frameworks.services import get_framework
from casereviews.partnerships.models import Partnership, Role, User
from casereviews.partnerships.selectors import holds_role_anywhere, partnerships_where, roles_in
from casereviews.referrals.models import Deadline, DeadlineStatus, Referral
from casereviews.referrals.rules import CASE_STAFF


def referrals_visible_to(user: User | AnonymousUser) -> QuerySet[Referral]:
    if not user.is_authenticated:
        return Referral.objects.none()
    staff_partnerships = partnerships_where(user, set(CASE_STAFF))
    return Referral.objects.filter(Q(partnership__in=staff_partnerships) | Q(submitted_by=user)).select_related(
        "partnership"
    )


def referral_status_label(referral: Referral, framework: FrameworkDefinition | None = None) -> str:
    return state_label(framework or get_framework(referral.framework_code), referral.state)


REFERRALS_PER_PAGE = 25


@dataclass(frozen=True)
class ReferralListPage:
    page: Page[Referral]
    rows: list[tuple[Referral, str]]  # (referral, its status) for the referrals on this page


def referral_list_page(
    user: User | AnonymousUser, page_number: str | int | None, *, per_page: int = REFERRALS_PER_PAGE
) -> ReferralListPage:
    """One page of the referrals this person may see, newest first, each with its status, reading each framework
    once. A page number out of range or not a number gives the nearest page, as GOV.UK pagination links expect."""
    referrals = referrals_visible_to(user).select_related("partnership").order_by("-submitted_at", "-pk")
    page = Paginator(referrals, per_page).get_page(page_number)
    listed = list(page.object_list)
    frameworks = {code: get_framework(code) for code in {referral.framework_code for referral in listed}}
    return ReferralListPage(
        page=page,
        rows=[(referral, referral_status_label(referral, frameworks[referral.framework_code])) for referral in listed],
    )


def transitions_for(user: User, referral: Referral) -> list[Transition]:
    """The steps this person could take now, for the referral page's buttons."""
    roles = roles_in(user, referral.partnership)
    framework = get_framework(referral.framework_code)
    return [t for t in transitions_from(framework, referral.state) if set(t.roles) & roles]


def referral_partnerships_for(user: User) -> QuerySet[Partnership]:
    """Where this person may refer: any partnership they belong to, in any role."""
    return Partnership.objects.filter(memberships__user=user, memberships__partnership__isnull=False).distinct()


@dataclass(frozen=True)
class DashboardRow:
    referral: Referral
    status: str
    next_deadline: Deadline | None
    deadlines: list[Deadline]

    @property
    def worst(self) -> DeadlineStatus | None:
        return self.next_deadline.status if self.next_deadline else None


@dataclass(frozen=True)
class DashboardFilters:
    partnership: int | None = None
    state: str = ""
    deadline_status: str = ""  # due_soon, overdue, breached
    query: str = ""


_URGENCY = {
    DeadlineStatus.OVERDUE: 0,
    DeadlineStatus.DUE_SOON: 1,
    DeadlineStatus.PENDING: 2,
    DeadlineStatus.MET_LATE: 3,
    DeadlineStatus.MET: 4,
    DeadlineStatus.CANCELLED: 5,
}


def dashboard_rows(user: User, filters: DashboardFilters, today: datetime.date) -> list[DashboardRow]:
    """Every open case in the business manager's (or case staff's) partnerships with its next deadline."""
    partnerships = partnerships_where(user, set(CASE_STAFF))
    referrals = (
        Referral.objects.filter(partnership__in=partnerships)
        .select_related("partnership")
        # A plain list (to_attr): Django otherwise builds a filtered queryset for every referral to hold its rows.
        .prefetch_related(Prefetch("deadlines", to_attr="deadline_list"))
        .order_by("submitted_at")
    )
    if filters.partnership:
        referrals = referrals.filter(partnership_id=filters.partnership)
    if filters.state:
        referrals = referrals.filter(state=filters.state)
    if filters.query:
        referrals = referrals.filter(
            Q(reference__icontains=filters.query) | Q(child_reference__icontains=filters.query)
        )
    # Each framework is read once for the whole list, not once a referral.
    frameworks: dict[str, FrameworkDefinition] = {}
    open_by_framework: dict[str, set[str]] = {}
    rows = []
    for referral in referrals:
        if referral.framework_code not in frameworks:
            frameworks[referral.framework_code] = get_framework(referral.framework_code)
            open_by_framework[referral.framework_code] = open_states(frameworks[referral.framework_code])
        if referral.state not in open_by_framework[referral.framework_code] and not filters.state:
            continue
        deadlines = sorted(referral.deadline_list, key=lambda d: (_URGENCY[d.status_on(today)], d.due_on))
        pending = [d for d in deadlines if d.is_open]
        row = DashboardRow(
            referral=referral,
            status=referral_status_label(referral, frameworks[referral.framework_code]),
            next_deadline=pending[0] if pending else None,
            deadlines=deadlines,
        )
        statuses = {d.status_on(today) for d in deadlines}
        if filters.deadline_status == "overdue" and DeadlineStatus.OVERDUE not in statuses:
            continue
        if filters.deadline_status == "due_soon" and DeadlineStatus.DUE_SOON not in statuses:
            continue
        if filters.deadline_status == "breached" and not statuses & {DeadlineStatus.OVERDUE, DeadlineStatus.MET_LATE}:
            continue
        rows.append(row)
    rows.sort(
        key=lambda r: (
            _URGENCY[r.next_deadline.status_on(today)] if r.next_deadline else 9,
            r.next_deadline.due_on if r.next_deadline else datetime.date.max,
        )
    )
    return rows


def can_see_dashboard(user: User) -> bool:
    return holds_role_anywhere(user, set(CASE_STAFF))


def is_business_manager_anywhere(user: User) -> bool:
    return holds_role_anywhere(user, {Role.BUSINESS_MANAGER})


def is_case_staff_for(user: User, referral: Referral) -> bool:
    return bool(roles_in(user, referral.partnership) & CASE_STAFF)
