"""Reads about reviews, already scoped to what the person may see, and the review facts other apps need.

For the publication app (and anyone who must know whether a review may be published):

* `review_is_on_hold(review, on=date) -> bool`: a hold for parallel proceedings is active that day.
* `review_held_days(review, start, end) -> int`: days from `start` to `end` (inclusive) covered by holds,
  overlapping holds counted once. The publication clock stands still on these days.
* `review_target_with_holds(review, today) -> date | None`: the target completion date moved on by the
  days spent on hold so far.
* `earliest_publication_date(review) -> date | None`: the first day the report may be published given the
  framework's notice (`publication.notice_length`/`notice_unit`, on the nation's working-day calendar),
  counted from the last of the required dispatches to `publication.notice_recipients`, and never while a
  hold with a known end lasts. None until every recipient has been sent the report with the board's current
  written response (a dispatch recorded before the response was replaced does not count).
* `publication_blockers(review, on=date) -> list[str]`: every reason the review cannot be published on that
  day, in words for the person trying; empty when it can (signed off, final draft chosen, board's response
  recorded, every recipient sent it, notice elapsed, not on hold, no proposal not to publish).
"""

from __future__ import annotations

import datetime
import difflib
from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from casereviews.core.calendar import Calendar, ClockUnit, calendar_of_nation, due_date
from casereviews.frameworks.services import get_framework
from casereviews.partnerships.models import Role, User
from casereviews.partnerships.selectors import holds_role_anywhere, partnerships_where
from casereviews.reviews.models import (
    OPEN_STATUSES,
    WORK_STATUSES,
    ContributionRequest,
    Dispatch,
    DraftVersion,
    Hold,
    MarkerAnswer,
    MarkerAssessment,
    Milestone,
    Review,
    ReviewStatus,
)
from casereviews.reviews.quality import QualityMarker, quality_markers
from casereviews.reviews.rules import CASE_STAFF


def reviews_visible_to(user: User | AnonymousUser) -> QuerySet[Review]:
    """Case staff see their partnerships' reviews; a lead reviewer sees the reviews they are appointed to now."""
    if not user.is_authenticated:
        return Review.objects.none()
    staff_partnerships = partnerships_where(user, set(CASE_STAFF))
    return (
        Review.objects.filter(
            Q(partnership__in=staff_partnerships) | Q(appointments__reviewer=user, appointments__ended_on__isnull=True)
        )
        .distinct()
        .select_related("partnership")
    )


def contribution_requests_visible_to(user: User | AnonymousUser) -> QuerySet[ContributionRequest]:
    """An agency lead sees their own agency's requests; case staff and appointed reviewers see their reviews'."""
    if not user.is_authenticated:
        return ContributionRequest.objects.none()
    led = user.memberships.filter(role=Role.AGENCY_LEAD, agency__isnull=False)
    own_agency = Q(pk__in=[])
    for partnership_id, agency_id in led.values_list("partnership_id", "agency_id"):
        own_agency |= Q(review__partnership_id=partnership_id, agency_id=agency_id)
    return (
        ContributionRequest.objects.filter(own_agency | Q(review__in=reviews_visible_to(user)))
        .distinct()
        .select_related("review__partnership", "agency")
    )


def is_reviews_user(user: User | AnonymousUser) -> bool:
    """Whether the reviews section has anything for this person (for the navigation and the list page)."""
    if not user.is_authenticated:
        return False
    return holds_role_anywhere(user, set(CASE_STAFF) | {Role.LEAD_REVIEWER, Role.AGENCY_LEAD})


# -- holds --------------------------------------------------------------------------------------------------------


def _holds(review: Review) -> list[Hold]:
    listed: list[Hold] | None = getattr(review, "hold_list", None)  # the dashboard's prefetch, as a plain list
    if listed is not None:
        return listed
    cache = getattr(review, "_prefetched_objects_cache", {})
    if "holds" in cache:
        return list(cache["holds"])
    return list(review.holds.all())


def review_active_holds(review: Review, on: datetime.date | None = None) -> list[Hold]:
    day = on or timezone.localdate()
    return [hold for hold in _holds(review) if hold.is_active_on(day)]


def review_is_on_hold(review: Review, on: datetime.date | None = None) -> bool:
    return bool(review_active_holds(review, on))


def review_held_days(review: Review, start: datetime.date, end: datetime.date) -> int:
    """Days from `start` to `end` inclusive on which some hold was active (an open hold runs to `end`)."""
    if end < start:
        return 0
    spans = sorted(
        (max(hold.starts_on, start), min(hold.ends_on or end, end))
        for hold in _holds(review)
        if hold.starts_on <= end and (hold.ends_on is None or hold.ends_on >= start)
    )
    total = 0
    current_start: datetime.date | None = None
    current_end: datetime.date | None = None
    for span_start, span_end in spans:
        if current_end is None or span_start > current_end + datetime.timedelta(days=1):
            if current_start is not None and current_end is not None:
                total += (current_end - current_start).days + 1
            current_start, current_end = span_start, span_end
        else:
            current_end = max(current_end, span_end)
    if current_start is not None and current_end is not None:
        total += (current_end - current_start).days + 1
    return total


def review_target_with_holds(review: Review, today: datetime.date) -> datetime.date | None:
    """The target completion date moved on by the days the review has spent on hold so far: the clock stands
    still during parallel proceedings."""
    if review.target_completion_on is None:
        return None
    return review.target_completion_on + datetime.timedelta(
        days=review_held_days(review, review.commissioned_on, today)
    )


# -- publication readiness ---------------------------------------------------------------------------------------


def _calendar(review: Review) -> Calendar:
    return calendar_of_nation(review.partnership.nation)


def valid_dispatches(review: Review) -> dict[str, Dispatch]:
    """For each notice recipient, the first dispatch that carried the board's current written response."""
    response = getattr(review, "written_response", None)
    if response is None:
        return {}
    first: dict[str, Dispatch] = {}
    for dispatch in review.dispatches.filter(recorded_at__gte=response.recorded_at).order_by("sent_on", "pk"):
        first.setdefault(dispatch.recipient, dispatch)
    return first


def _current(review: Review, fresh: bool = True) -> Review:
    """The review as stored now: a decision about publishing must not rest on a copy loaded earlier.

    `fresh=False` is for a page that has just loaded the review for this request (with its holds prefetched and its
    written response and non-publication proposal selected): reading it again would show nothing newer.
    """
    return Review.objects.select_related("partnership").get(pk=review.pk) if fresh else review


def earliest_publication_date(review: Review, *, fresh: bool = True) -> datetime.date | None:
    review = _current(review, fresh)
    publication = get_framework(review.framework_code).publication
    sent = valid_dispatches(review)
    if any(recipient not in sent for recipient in publication.notice_recipients):
        return None
    last_sent = max((sent[r].sent_on for r in publication.notice_recipients), default=review.completed_on)
    if last_sent is None:
        return None
    earliest = due_date(last_sent, publication.notice_length, ClockUnit(publication.notice_unit), _calendar(review))
    for hold in _holds(review):
        if hold.ends_on is not None and hold.ends_on >= earliest:
            earliest = hold.ends_on + datetime.timedelta(days=1)
    return earliest


def publication_blockers(review: Review, on: datetime.date | None = None, *, fresh: bool = True) -> list[str]:
    day = on or timezone.localdate()
    review = _current(review, fresh)
    framework = get_framework(review.framework_code)
    blockers: list[str] = []
    if review.status != ReviewStatus.SIGNED_OFF:
        blockers.append(f"The review is {ReviewStatus(review.status).label.lower()}, not signed off")
    if not review.drafts.filter(is_final=True).exists():
        blockers.append("No final draft has been chosen")
    if getattr(review, "written_response", None) is None:
        blockers.append("The board's written response has not been recorded")
    if hasattr(review, "non_publication"):
        blockers.append("The board has proposed not to publish this report")
    for hold in review_active_holds(review, day):
        blockers.append(f"The review is on hold for {hold.get_kind_display().lower()}: {hold.reason}")
    sent = valid_dispatches(review)
    unsent = [recipient for recipient in framework.publication.notice_recipients if recipient not in sent]
    if unsent and getattr(review, "written_response", None) is not None:
        blockers.append(f"The report and the board's response have not been sent to: {', '.join(unsent)}")
    earliest = earliest_publication_date(review, fresh=False)  # `review` is current already
    if earliest is not None and day < earliest:
        blockers.append(f"The notice before publication runs until {earliest:%d %B %Y}; publish on or after that day")
    return blockers


# -- milestones and the dashboard -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReviewRow:
    review: Review
    active_holds: list[Hold]
    milestones: list[Milestone]
    overdue_milestones: list[Milestone]
    overdue_contributions: list[ContributionRequest]
    next_milestone: Milestone | None
    held_days: int
    target_with_holds: datetime.date | None

    @property
    def is_overdue(self) -> bool:
        return bool(self.overdue_milestones or self.overdue_contributions)


def review_row(review: Review, today: datetime.date) -> ReviewRow:
    listed: list[Milestone] | None = getattr(review, "milestone_list", None)  # the dashboard's prefetch
    milestones = listed if listed is not None else list(review.milestones.all())
    # The dashboard prefetches only the requests that could be overdue (not yet received, due before today).
    contributions = getattr(review, "contributions_outstanding", None)
    if contributions is None:
        contributions = list(review.contributions.all())
    pending = [m for m in milestones if m.reached_on is None]
    open_review = review.status in WORK_STATUSES
    return ReviewRow(
        review=review,
        active_holds=review_active_holds(review, today),
        milestones=milestones,
        overdue_milestones=[m for m in milestones if open_review and m.is_overdue_on(today)],
        overdue_contributions=[c for c in contributions if open_review and c.is_overdue_on(today)],
        next_milestone=min(pending, key=lambda m: m.due_on) if pending and open_review else None,
        held_days=review_held_days(review, review.commissioned_on, today),
        target_with_holds=review_target_with_holds(review, today),
    )


@dataclass(frozen=True)
class DashboardFilters:
    status: str = ""  # a ReviewStatus value, or "open" (the default) or "all"
    flag: str = ""  # "on_hold", "overdue"
    query: str = ""


def dashboard_rows(user: User, filters: DashboardFilters, today: datetime.date) -> list[ReviewRow]:
    outstanding = ContributionRequest.objects.filter(received_on__isnull=True, due_on__lt=today)
    # Prefetched into plain lists (to_attr): Django otherwise builds a filtered queryset for every review and
    # relation to hold the prefetched rows, which cost more than the queries on a dashboard of every open review.
    reviews = reviews_visible_to(user).prefetch_related(
        Prefetch("holds", to_attr="hold_list"),
        Prefetch("milestones", to_attr="milestone_list"),
        Prefetch("contributions", queryset=outstanding.select_related("agency"), to_attr="contributions_outstanding"),
    )
    if filters.status in ReviewStatus.values:
        reviews = reviews.filter(status=filters.status)
    elif filters.status != "all":
        reviews = reviews.filter(status__in=OPEN_STATUSES)
    if filters.query:
        reviews = reviews.filter(
            Q(reference__icontains=filters.query)
            | Q(title__icontains=filters.query)
            | Q(pseudonym__icontains=filters.query)
        )
    rows = [review_row(review, today) for review in reviews.order_by("commissioned_on", "pk")]
    if filters.flag == "on_hold":
        rows = [row for row in rows if row.active_holds]
    elif filters.flag == "overdue":
        rows = [row for row in rows if row.is_overdue]
    rows.sort(key=lambda r: (not r.is_overdue, r.review.target_completion_on or datetime.date.max))
    return rows


# -- drafts and quality assurance ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PageDiff:
    page: int
    changed: bool
    lines: list[tuple[str, str]]  # (" ", "+" or "-", line): unchanged lines are left out beyond a little context


def draft_compare(older: DraftVersion, newer: DraftVersion, context: int = 2) -> list[PageDiff]:
    """A readable comparison, page by page: added and removed lines with a little context."""
    result = []
    for index in range(max(len(older.pages), len(newer.pages))):
        before = older.pages[index].splitlines() if index < len(older.pages) else []
        after = newer.pages[index].splitlines() if index < len(newer.pages) else []
        if before == after:
            result.append(PageDiff(index + 1, False, []))
            continue
        lines: list[tuple[str, str]] = []
        for line in difflib.unified_diff(before, after, lineterm="", n=context):
            if line.startswith(("---", "+++")):
                continue
            if line.startswith("@@"):
                lines.append(("@", "…"))
            else:
                lines.append((line[:1], line[1:]))
        result.append(PageDiff(index + 1, True, lines))
    return result


@dataclass(frozen=True)
class MarkerRow:
    marker: QualityMarker
    stage_label: str
    assessment: MarkerAssessment | None

    @property
    def is_unmet(self) -> bool:
        return self.assessment is not None and self.assessment.answer in {MarkerAnswer.NOT_MET, MarkerAnswer.PARTLY_MET}


@dataclass(frozen=True)
class QaSummary:
    rows: list[MarkerRow]

    @property
    def unanswered(self) -> list[MarkerRow]:
        return [row for row in self.rows if row.assessment is None]

    @property
    def unmet(self) -> list[MarkerRow]:
        return [row for row in self.rows if row.is_unmet]

    @property
    def not_signed_off(self) -> list[MarkerRow]:
        return [row for row in self.rows if row.assessment is None or not row.assessment.is_signed_off]

    @property
    def complete(self) -> bool:
        return not self.not_signed_off


def qa_summary(review: Review) -> QaSummary:
    markers = quality_markers()
    assessments = {a.marker: a for a in review.marker_assessments.select_related("answered_by", "signed_off_by")}
    return QaSummary(
        [
            MarkerRow(marker, markers.stage_label(marker.stage), assessments.get(marker.number))
            for marker in markers.markers
        ]
    )
