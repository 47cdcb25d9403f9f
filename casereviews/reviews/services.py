"""Every change to a review's status goes through `review_status_change` (the one door).

Named services (commissioning, sign-off, publication) check their own rules and roles, then call the door
inside their transaction: it locks the review, refuses a change made against an older version and any step
not in `ALLOWED_STEPS`, applies the step, bumps the version and writes the audit entry.
"""

from __future__ import annotations

import datetime
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from casereviews.core.antivirus import upload_scan
from casereviews.core.audit import audit_record
from casereviews.core.calendar import Calendar, ClockUnit, calendar_of_nation, due_date
from casereviews.core.errors import Duplicate, EditConflict, InvalidInput, NotAllowed, TransitionNotAllowed
from casereviews.core.files import CheckedFile, store_blob
from casereviews.core.models import UploadKind
from casereviews.core.quotas import upload_quota_use
from casereviews.core.references import next_reference
from casereviews.frameworks.schema import ReviewType
from casereviews.frameworks.services import UnknownFramework, get_framework
from casereviews.partnerships.models import Agency, Partnership, Role, User
from casereviews.partnerships.selectors import roles_in
from casereviews.referrals.models import Referral
from casereviews.reviews import tasks
from casereviews.reviews.models import (
    ALLOWED_STEPS,
    OPEN_STATUSES,
    WORK_STATUSES,
    ContributionFile,
    ContributionFileKind,
    ContributionRequest,
    Dispatch,
    DraftComment,
    DraftVersion,
    FamilyInvolvement,
    FamilyInvolvementOutcome,
    Hold,
    HoldKind,
    MarkerAnswer,
    MarkerAssessment,
    Milestone,
    MilestoneKind,
    NonPublicationProposal,
    PanelMember,
    PractitionerEvent,
    QaSubmission,
    Review,
    ReviewerAppointment,
    ReviewStatus,
    TermsOfReference,
    WrittenResponse,
)
from casereviews.reviews.quality import milestone_plan, quality_markers
from extraction.errors import UnreadableDocument
from extraction.readers import read_bytes
from extraction.safety import Limits


def review_calendar(review: Review) -> Calendar:
    return calendar_of_nation(review.partnership.nation)


def next_review_reference(partnership: Partnership, year: int) -> str:
    return next_reference(Review.objects.all(), f"{partnership.slug[:3].upper()}-R{year}-", digits=3)


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


# -- helpers -------------------------------------------------------------------------------------------------------


def _locked(actor: User, review: Review, perm: str, refusal: str, expected_version: int | None = None) -> Review:
    """The review locked for this transaction, after checking that `actor` may do this to it."""
    if not actor.has_perm(perm, review):
        raise NotAllowed(refusal)
    return review_lock(review, expected_version)


def _bump(review: Review) -> None:
    review.version += 1
    review.save(update_fields=["version", "updated_at"])


def _check(errors: dict[str, list[str]], heading: str) -> None:
    if errors:
        raise InvalidInput(heading, field_errors=errors)


def _require_status(review: Review, allowed: set[ReviewStatus], doing: str) -> None:
    if review.status not in allowed:
        raise TransitionNotAllowed(
            f"You cannot {doing} now: review {review.reference} is {ReviewStatus(review.status).label.lower()}"
        )


def _audit(actor: User | None, review: Review, action: str, summary: str, target: Any = None, **changes: Any) -> None:
    audit_record(
        actor=actor,
        action=action,
        summary=f"{review.reference}: {summary}",
        target=target if target is not None else review,
        partnership=review.partnership,
        changes=changes or None,
    )


def review_type_of(review: Review) -> ReviewType:
    return get_framework(review.framework_code).review_type(review.review_type)


def required_lead_reviewers(review: Review) -> int:
    return review_type_of(review).lead_reviewers


def _milestone_reach(review: Review, kind: MilestoneKind, on: datetime.date | None) -> None:
    """Set when `kind` was reached (None: not reached, e.g. a new contribution request reopens it)."""
    Milestone.objects.filter(review=review, kind=kind).update(reached_on=on)


def _milestone_reach_once(review: Review, kind: MilestoneKind, on: datetime.date) -> None:
    Milestone.objects.filter(review=review, kind=kind, reached_on__isnull=True).update(reached_on=on)


def _refresh_appointment_milestone(review: Review) -> None:
    current = list(
        review.appointments.filter(ended_on__isnull=True)
        .order_by("appointed_on")
        .values_list("appointed_on", flat=True)
    )
    needed = required_lead_reviewers(review)
    if len(current) >= needed:
        _milestone_reach_once(review, MilestoneKind.REVIEWERS_APPOINTED, current[needed - 1])


def _refresh_contributions_milestone(review: Review) -> None:
    received = list(review.contributions.values_list("received_on", flat=True))
    complete = bool(received) and all(day is not None for day in received)
    _milestone_reach(
        review, MilestoneKind.CONTRIBUTIONS_RECEIVED, max(d for d in received if d is not None) if complete else None
    )


def _refresh_qa_milestone(review: Review, today: datetime.date) -> None:
    if all_markers_signed_off(review):
        _milestone_reach_once(review, MilestoneKind.QA_COMPLETE, today)
    else:
        _milestone_reach(review, MilestoneKind.QA_COMPLETE, None)


def all_markers_signed_off(review: Review) -> bool:
    needed = {marker.number for marker in quality_markers().markers}
    signed = set(review.marker_assessments.filter(signed_off_at__isnull=False).values_list("marker", flat=True))
    return needed <= signed


def _not_future(errors: dict[str, list[str]], name: str, day: datetime.date | None, today: datetime.date) -> None:
    if day is not None and day > today:
        errors.setdefault(name, []).append("The date must be today or in the past")


# -- commissioning ------------------------------------------------------------------------------------------------


def commissionable_review_type(referral: Referral) -> ReviewType | None:
    """The review type the chair's decision chose, when the partnership runs it itself and none is set up yet."""
    decision = getattr(referral, "decision", None)
    if decision is None or not decision.review_type:
        return None
    if Review.objects.filter(referral=referral).exists():
        return None
    try:
        review_type = get_framework(referral.framework_code).review_type(decision.review_type)
    except (KeyError, UnknownFramework):
        return None
    return review_type if review_type.run_locally else None


@dataclass(frozen=True)
class CommissionInput:
    title: str
    pseudonym: str
    terms_of_reference: str
    commissioned_on: datetime.date
    agency_ids: Sequence[int] = field(default_factory=tuple)
    framework_code: str = ""  # only without a referral: the referral's decision says otherwise
    review_type: str = ""


def review_commission(
    *, actor: User, partnership: Partnership, data: CommissionInput, referral: Referral | None = None
) -> Review:
    """Set up the review a chair decided on (`referral`), or one begun before this system was in use.
    The target completion date and the milestone plan follow from the framework's review type."""
    if Role.BUSINESS_MANAGER not in roles_in(actor, partnership):
        raise NotAllowed(f"Only a business manager of {partnership.name} can set up a review")
    today = timezone.localdate()
    errors: dict[str, list[str]] = {}
    for name in ("title", "pseudonym", "terms_of_reference"):
        if not str(getattr(data, name)).strip():
            errors.setdefault(name, []).append("Enter this information")
    _not_future(errors, "commissioned_on", data.commissioned_on, today)
    review_type: ReviewType | None = None
    if referral is not None:
        if referral.partnership_id != partnership.pk:
            raise NotAllowed("The referral belongs to another partnership")
        framework_code = referral.framework_code
        if Review.objects.filter(referral=referral).exists():
            raise Duplicate(
                f"A review of {referral.reference} is already set up", Review.objects.get(referral=referral)
            )
        review_type = commissionable_review_type(referral)
        if review_type is None:
            raise InvalidInput(f"The decision on {referral.reference} is not for a review this partnership runs")
        if data.commissioned_on < referral.decision.decided_on:
            errors.setdefault("commissioned_on", []).append("The review cannot be commissioned before the decision")
    else:
        framework_code = data.framework_code
        codes = set(partnership.framework_periods.values_list("framework_code", flat=True))
        if framework_code not in codes:
            errors.setdefault("framework_code", []).append("Select a framework this partnership works under")
        else:
            try:
                review_type = get_framework(framework_code).review_type(data.review_type)
            except KeyError:
                errors.setdefault("review_type", []).append("Select a review type of that framework")
            else:
                if not review_type.run_locally:
                    errors.setdefault("review_type", []).append(
                        f"A {review_type.label.lower()} is not run by the partnership"
                    )
    if data.agency_ids:
        found = Agency.objects.filter(partnership=partnership, pk__in=data.agency_ids).count()
        if found != len(set(data.agency_ids)):
            errors.setdefault("agency_ids", []).append("Select agencies of this partnership only")
    else:
        errors.setdefault("agency_ids", []).append("Select the agencies involved")
    _check(errors, "There is a problem with the review")
    assert review_type is not None
    # Of two managers setting up the same referral's review at once, the database lets one through.
    try:
        with transaction.atomic():
            Partnership.objects.select_for_update().get(pk=partnership.pk)
            calendar = calendar_of_nation(partnership.nation)
            target = (
                due_date(data.commissioned_on, review_type.target_length, ClockUnit(review_type.target_unit), calendar)
                if review_type.target_length
                else None
            )
            review = Review.objects.create(
                reference=next_review_reference(partnership, data.commissioned_on.year),
                partnership=partnership,
                referral=referral,
                framework_code=framework_code,
                review_type=review_type.id,
                title=data.title.strip(),
                pseudonym=data.pseudonym.strip(),
                commissioned_on=data.commissioned_on,
                target_completion_on=target,
                created_by=actor,
            )
            review.agencies.set(Agency.objects.filter(partnership=partnership, pk__in=data.agency_ids))
            TermsOfReference.objects.create(
                review=review, number=1, text=data.terms_of_reference.strip(), recorded_by=actor
            )
            if target is not None:
                span = (target - data.commissioned_on).days
                Milestone.objects.bulk_create(
                    Milestone(
                        review=review,
                        kind=planned.kind,
                        due_on=data.commissioned_on + datetime.timedelta(days=round(span * planned.share)),
                    )
                    for planned in milestone_plan().milestones
                )
            else:
                Milestone.objects.create(review=review, kind=MilestoneKind.COMMISSIONED, due_on=data.commissioned_on)
            _milestone_reach(review, MilestoneKind.COMMISSIONED, data.commissioned_on)
            _audit(
                actor,
                review,
                "review.commission",
                f"Set up a {review_type.label.lower()}" + (f" from referral {referral.reference}" if referral else ""),
                target_on=target,
            )
    except IntegrityError as error:
        existing = Review.objects.filter(referral=referral).first() if referral is not None else None
        if existing is None:
            raise
        raise Duplicate(f"A review of {existing.referral} is already set up", existing) from error
    return review


def terms_of_reference_record(
    *, actor: User, review: Review, text: str, expected_version: int | None = None
) -> TermsOfReference:
    with transaction.atomic():
        locked = _locked(
            actor,
            review,
            "reviews.manage_review",
            "Only the business manager can change the terms of reference",
            expected_version,
        )
        _require_status(locked, set(OPEN_STATUSES) - {ReviewStatus.SIGNED_OFF}, "change the terms of reference")
        if not text.strip():
            raise InvalidInput("Enter the terms of reference", field_errors={"text": ["Enter the terms of reference"]})
        last = locked.terms_versions.aggregate(last=Max("number"))["last"] or 0
        terms = TermsOfReference.objects.create(review=locked, number=last + 1, text=text.strip(), recorded_by=actor)
        _bump(locked)
        _audit(actor, locked, "review.terms_of_reference", f"Terms of reference version {terms.number}", terms)
    return terms


# -- people -----------------------------------------------------------------------------------------------------


def reviewer_appoint(
    *,
    actor: User,
    review: Review,
    reviewer: User,
    appointed_on: datetime.date,
    declaration: str,
    declared_on: datetime.date,
    expected_version: int | None = None,
) -> ReviewerAppointment:
    """Appoint an independent lead reviewer, who must hold the lead reviewer role in the partnership and have
    declared their independence from the case."""
    with transaction.atomic():
        locked = _locked(
            actor, review, "reviews.manage_review", "Only the business manager can appoint reviewers", expected_version
        )
        _require_status(locked, {ReviewStatus.SET_UP, ReviewStatus.IN_PROGRESS}, "appoint a reviewer")
        today = timezone.localdate()
        errors: dict[str, list[str]] = {}
        if Role.LEAD_REVIEWER not in roles_in(reviewer, locked.partnership):
            errors["reviewer"] = [f"{reviewer.display_name} is not a lead reviewer of {locked.partnership.name}"]
        elif locked.appointments.filter(reviewer=reviewer, ended_on__isnull=True).exists():
            errors["reviewer"] = [f"{reviewer.display_name} is already appointed to this review"]
        if not declaration.strip():
            errors["declaration"] = ["Record the reviewer's declaration of independence"]
        _not_future(errors, "appointed_on", appointed_on, today)
        _not_future(errors, "declared_on", declared_on, today)
        if appointed_on < locked.commissioned_on:
            errors.setdefault("appointed_on", []).append("The appointment cannot be before the review was commissioned")
        _check(errors, "There is a problem with the appointment")
        appointment = ReviewerAppointment.objects.create(
            review=locked,
            reviewer=reviewer,
            appointed_on=appointed_on,
            declaration=declaration.strip(),
            declared_on=declared_on,
            appointed_by=actor,
        )
        _refresh_appointment_milestone(locked)
        _bump(locked)
        _audit(
            actor, locked, "review.reviewer_appoint", f"Appointed {reviewer.display_name} as lead reviewer", appointment
        )
    return appointment


def reviewer_appointment_end(
    *, actor: User, appointment: ReviewerAppointment, ended_on: datetime.date, reason: str
) -> ReviewerAppointment:
    with transaction.atomic():
        locked = _locked(
            actor, appointment.review, "reviews.manage_review", "Only the business manager can end an appointment"
        )
        current = ReviewerAppointment.objects.select_for_update().get(pk=appointment.pk)
        errors: dict[str, list[str]] = {}
        if current.ended_on is not None:
            raise TransitionNotAllowed("This appointment has already ended")
        if not reason.strip():
            errors["reason"] = ["Give the reason the appointment ends"]
        _not_future(errors, "ended_on", ended_on, timezone.localdate())
        if ended_on < current.appointed_on:
            errors.setdefault("ended_on", []).append("The appointment cannot end before it started")
        _check(errors, "There is a problem with ending the appointment")
        current.ended_on = ended_on
        current.save(update_fields=["ended_on"])
        _bump(locked)
        _audit(
            actor,
            locked,
            "review.reviewer_end",
            f"Ended {current.reviewer.display_name}'s appointment: {reason.strip()}",
            current,
        )
    return current


def panel_member_add(
    *, actor: User, review: Review, name: str, role: str, agency: Agency | None = None, organisation: str = ""
) -> PanelMember:
    with transaction.atomic():
        locked = _locked(actor, review, "reviews.manage_review", "Only the business manager can change the panel")
        _require_status(locked, set(OPEN_STATUSES), "change the panel")
        errors: dict[str, list[str]] = {}
        if not name.strip():
            errors["name"] = ["Enter the panel member's name"]
        if not role.strip():
            errors["role"] = ["Enter their role on the panel or in their agency"]
        if agency is not None and agency.partnership_id != locked.partnership_id:
            errors["agency"] = ["Select an agency of this partnership"]
        if agency is None and not organisation.strip():
            errors["organisation"] = ["Select their agency or enter their organisation"]
        _check(errors, "There is a problem with the panel member")
        member = PanelMember.objects.create(
            review=locked,
            name=name.strip(),
            role=role.strip(),
            agency=agency,
            organisation=organisation.strip(),
            added_by=actor,
        )
        _audit(actor, locked, "review.panel_member_add", f"Added {member.name} to the panel", member)
    return member


def panel_member_remove(*, actor: User, member: PanelMember, reason: str) -> None:
    with transaction.atomic():
        locked = _locked(
            actor, member.review, "reviews.manage_review", "Only the business manager can change the panel"
        )
        _require_status(locked, set(OPEN_STATUSES), "change the panel")
        if not reason.strip():
            raise InvalidInput("Give the reason", field_errors={"reason": ["Give the reason they leave the panel"]})
        current = PanelMember.objects.select_for_update().filter(pk=member.pk, review=locked).first()
        if current is None:
            raise TransitionNotAllowed("This person is no longer on the panel")
        _audit(
            actor,
            locked,
            "review.panel_member_remove",
            f"Removed {current.name} ({current.role}) from the panel: {reason.strip()}",
        )
        current.delete()


def review_start(*, actor: User, review: Review, expected_version: int | None = None) -> Review:
    """Begin the review's work: needs terms of reference and as many lead reviewers as the review type asks."""
    with transaction.atomic():
        locked = _locked(
            actor, review, "reviews.manage_review", "Only the business manager can start the review", expected_version
        )
        _require_status(locked, {ReviewStatus.SET_UP}, "start the review")
        problems = []
        needed = required_lead_reviewers(locked)
        current = locked.appointments.filter(ended_on__isnull=True).count()
        if current < needed:
            problems.append(
                f"A {review_type_of(locked).label.lower()} needs {needed} lead reviewer{'s' if needed > 1 else ''} "
                f"with a declaration of independence; {current} {'is' if current == 1 else 'are'} appointed"
            )
        if not locked.terms_versions.exists():
            problems.append("Record the terms of reference first")
        if problems:
            raise InvalidInput("; ".join(problems))
        return review_status_change(review=locked, to_status=ReviewStatus.IN_PROGRESS, actor=actor)


def milestone_replan(
    *,
    actor: User,
    milestone: Milestone,
    due_on: datetime.date,
    reason: str,
    expected_version: int | None = None,
) -> Milestone:
    """Move a milestone's due date (a re-planned review, a delay agreed by the sub-group), with the reason."""
    with transaction.atomic():
        locked = _locked(actor, milestone.review, "reviews.manage_review", "Only the business manager can re-plan")
        _require_status(locked, set(WORK_STATUSES), "re-plan a milestone")
        current = Milestone.objects.select_for_update().get(pk=milestone.pk)
        if expected_version is not None and current.version != expected_version:
            raise EditConflict(
                f"“{current.get_kind_display()}” was re-planned by someone else while you were editing it: it is now "
                f"due on {current.due_on:%d %B %Y}. Nothing was saved."
            )
        errors: dict[str, list[str]] = {}
        if current.reached_on is not None:
            raise TransitionNotAllowed(f"“{current.get_kind_display()}” was reached on {current.reached_on:%d %B %Y}")
        if not reason.strip():
            errors["reason"] = ["Give the reason for the new date"]
        if due_on < locked.commissioned_on:
            errors["due_on"] = ["The new date cannot be before the review was commissioned"]
        _check(errors, "There is a problem with the new date")
        before = current.due_on
        current.due_on = due_on
        current.version += 1
        current.save(update_fields=["due_on", "version"])
        _audit(
            actor,
            locked,
            "review.milestone_replan",
            f"“{current.get_kind_display()}” moved from {before:%d %B %Y} to {due_on:%d %B %Y}: {reason.strip()}",
            current,
            due_on=[before, due_on],
        )
    return current


# -- agency contributions -----------------------------------------------------------------------------------------


def contribution_request(
    *,
    actor: User,
    review: Review,
    agency: Agency,
    due_on: datetime.date,
    what_is_asked: str,
    requested_on: datetime.date | None = None,
) -> ContributionRequest:
    today = timezone.localdate()
    requested_on = requested_on or today
    with transaction.atomic():
        locked = _locked(actor, review, "reviews.manage_review", "Only the business manager can request contributions")
        _require_status(locked, {ReviewStatus.SET_UP, ReviewStatus.IN_PROGRESS}, "request a contribution")
        errors: dict[str, list[str]] = {}
        if agency.partnership_id != locked.partnership_id:
            errors["agency"] = ["Select an agency of this partnership"]
        elif locked.contributions.filter(agency=agency).exists():
            errors["agency"] = [f"{agency.name} has already been asked for its contribution"]
        if not what_is_asked.strip():
            errors["what_is_asked"] = ["Say what the agency is asked to provide"]
        _not_future(errors, "requested_on", requested_on, today)
        if due_on <= requested_on:
            errors["due_on"] = ["The due date must be after the date of the request"]
        _check(errors, "There is a problem with the request")
        request = ContributionRequest.objects.create(
            review=locked,
            agency=agency,
            requested_on=requested_on,
            due_on=due_on,
            what_is_asked=what_is_asked.strip(),
            requested_by=actor,
        )
        locked.agencies.add(agency)
        _refresh_contributions_milestone(locked)
        _audit(
            actor,
            locked,
            "review.contribution_request",
            f"Asked {agency.name} for its contribution by {due_on:%d %B %Y}",
            request,
        )
        transaction.on_commit(lambda: tasks.contribution_requested_email.enqueue(request.pk))
    return request


def _locked_request(actor: User, request: ContributionRequest, refusal: str) -> ContributionRequest:
    if not actor.has_perm("reviews.submit_contribution", request):
        raise NotAllowed(refusal)
    review_lock(request.review, None)
    return (
        ContributionRequest.objects.select_for_update()
        .select_related("review__partnership", "agency")
        .get(pk=request.pk)
    )


def contribution_file_add(
    *, actor: User, request: ContributionRequest, kind: str, checked: CheckedFile
) -> ContributionFile:
    """Add an agency's chronology or report (already checked by content with `core.files.check_attachment`)."""
    # Before the transaction, so the refusal's audit entry stays while nothing of the upload is saved.
    upload_scan(
        actor=actor,
        files=[(checked.filename, checked.data)],
        kind=UploadKind.CONTRIBUTION_FILE,
        partnership=request.review.partnership,
    )
    with transaction.atomic():
        locked = _locked_request(actor, request, "Only the agency's lead or the business manager can add its documents")
        if kind not in ContributionFileKind.values:
            raise InvalidInput(
                "Say what the document is", field_errors={"kind": ["Select chronology or agency report"]}
            )
        if locked.received_on is not None:
            raise TransitionNotAllowed(
                f"{locked.agency.name}'s contribution was received on {locked.received_on:%d %B %Y}; "
                "send anything further to the business manager"
            )
        _require_status(locked.review, {ReviewStatus.SET_UP, ReviewStatus.IN_PROGRESS}, "add agency documents")
        upload_quota_use(user=actor, sizes=[checked.size], kind=UploadKind.CONTRIBUTION_FILE)
        stored = ContributionFile.objects.create(
            request=locked,
            kind=kind,
            filename=checked.filename,
            media_type=checked.media_type,
            size=checked.size,
            sha256=store_blob(checked.data),
            uploaded_by=actor,
        )
        _audit(
            actor,
            locked.review,
            "review.contribution_file",
            f"{locked.agency.name} added {checked.filename} ({ContributionFileKind(kind).label.lower()})",
            stored,
        )
    return stored


def contribution_receive(
    *, actor: User, request: ContributionRequest, received_on: datetime.date
) -> ContributionRequest:
    """Mark the contribution received: it must include the agency's chronology and its report."""
    with transaction.atomic():
        locked = _locked_request(
            actor, request, "Only the agency's lead or the business manager can submit its contribution"
        )
        if locked.received_on is not None:
            raise TransitionNotAllowed(f"{locked.agency.name}'s contribution has already been received")
        kinds = set(locked.files.values_list("kind", flat=True))
        errors: dict[str, list[str]] = {}
        missing = [kind.label.lower() for kind in ContributionFileKind if kind not in kinds]
        if missing:
            errors["received_on"] = [f"Add the agency's {' and '.join(missing)} first"]
        _not_future(errors, "received_on", received_on, timezone.localdate())
        if received_on < locked.requested_on:
            errors.setdefault("received_on", []).append("It cannot be received before it was requested")
        _check(errors, "The contribution is not complete")
        locked.received_on = received_on
        locked.received_recorded_by = actor
        locked.save(update_fields=["received_on", "received_recorded_by"])
        _refresh_contributions_milestone(locked.review)
        _audit(
            actor, locked.review, "review.contribution_receive", f"{locked.agency.name}'s contribution received", locked
        )
    return locked


# -- practitioners, family and parallel proceedings ------------------------------------------------------------------


def practitioner_event_record(
    *, actor: User, review: Review, held_on: datetime.date, title: str, attendees: str, notes: str = ""
) -> PractitionerEvent:
    with transaction.atomic():
        locked = _locked(
            actor,
            review,
            "reviews.edit_review_work",
            "Only the business manager or an appointed reviewer can record this",
        )
        _require_status(
            locked,
            {ReviewStatus.SET_UP, ReviewStatus.IN_PROGRESS, ReviewStatus.QUALITY_ASSURANCE},
            "record a practitioner event",
        )
        errors: dict[str, list[str]] = {}
        if not title.strip():
            errors["title"] = ["Enter what the event was"]
        if not attendees.strip():
            errors["attendees"] = ["Say who took part"]
        _not_future(errors, "held_on", held_on, timezone.localdate())
        _check(errors, "There is a problem with the practitioner event")
        event = PractitionerEvent.objects.create(
            review=locked,
            held_on=held_on,
            title=title.strip(),
            attendees=attendees.strip(),
            notes=notes.strip(),
            recorded_by=actor,
        )
        _audit(actor, locked, "review.practitioner_event", f"Recorded “{event.title}” on {held_on:%d %B %Y}", event)
    return event


def family_involvement_record(
    *,
    actor: User,
    review: Review,
    on: datetime.date,
    family_member: str,
    outcome: str,
    declined_reason: str = "",
    notes: str = "",
) -> FamilyInvolvement:
    with transaction.atomic():
        locked = _locked(
            actor,
            review,
            "reviews.edit_review_work",
            "Only the business manager or an appointed reviewer can record this",
        )
        _require_status(
            locked,
            {ReviewStatus.SET_UP, ReviewStatus.IN_PROGRESS, ReviewStatus.QUALITY_ASSURANCE},
            "record family involvement",
        )
        errors: dict[str, list[str]] = {}
        if not family_member.strip():
            errors["family_member"] = ["Enter the family member's relationship to the child"]
        if outcome not in FamilyInvolvementOutcome.values:
            errors["outcome"] = ["Select what happened"]
        if outcome == FamilyInvolvementOutcome.DECLINED and not declined_reason.strip():
            errors["declined_reason"] = ["Record the reason they gave, or that they gave none"]
        _not_future(errors, "on", on, timezone.localdate())
        _check(errors, "There is a problem with the family involvement")
        record = FamilyInvolvement.objects.create(
            review=locked,
            on=on,
            family_member=family_member.strip(),
            outcome=outcome,
            declined_reason=declined_reason.strip() if outcome == FamilyInvolvementOutcome.DECLINED else "",
            notes=notes.strip(),
            recorded_by=actor,
        )
        _audit(
            actor,
            locked,
            "review.family_involvement",
            f"{record.family_member}: {record.get_outcome_display().lower()}",
            record,
        )
    return record


def hold_start(*, actor: User, review: Review, kind: str, reason: str, starts_on: datetime.date) -> Hold:
    """Pause the review for parallel proceedings. The publication clock stands still while a hold is active."""
    with transaction.atomic():
        locked = _locked(actor, review, "reviews.manage_review", "Only the business manager can put a review on hold")
        _require_status(locked, set(OPEN_STATUSES), "put the review on hold")
        errors: dict[str, list[str]] = {}
        if kind not in HoldKind.values:
            errors["kind"] = ["Select the proceedings"]
        if not reason.strip():
            errors["reason"] = ["Give the reason for the hold"]
        if starts_on < locked.commissioned_on:
            errors["starts_on"] = ["A hold cannot start before the review was commissioned"]
        if kind in HoldKind.values and locked.holds.filter(kind=kind, ends_on__isnull=True).exists():
            errors.setdefault("kind", []).append(f"The review is already on hold for {HoldKind(kind).label.lower()}")
        _check(errors, "There is a problem with the hold")
        hold = Hold.objects.create(
            review=locked, kind=kind, reason=reason.strip(), starts_on=starts_on, recorded_by=actor
        )
        _bump(locked)
        _audit(
            actor,
            locked,
            "review.hold_start",
            f"On hold from {starts_on:%d %B %Y} for {hold.get_kind_display().lower()}",
            hold,
            reason=hold.reason,
        )
    return hold


def hold_end(*, actor: User, hold: Hold, ends_on: datetime.date, note: str = "") -> Hold:
    with transaction.atomic():
        locked = _locked(actor, hold.review, "reviews.manage_review", "Only the business manager can end a hold")
        current = Hold.objects.select_for_update().get(pk=hold.pk)
        if current.ends_on is not None:
            raise TransitionNotAllowed("This hold has already ended")
        errors: dict[str, list[str]] = {}
        if ends_on < current.starts_on:
            errors["ends_on"] = ["A hold cannot end before it started"]
        _not_future(errors, "ends_on", ends_on, timezone.localdate())
        _check(errors, "There is a problem with ending the hold")
        current.ends_on, current.end_note, current.ended_by = ends_on, note.strip(), actor
        current.save(update_fields=["ends_on", "end_note", "ended_by"])
        _bump(locked)
        _audit(
            actor,
            locked,
            "review.hold_end",
            f"Hold for {current.get_kind_display().lower()} ended on {ends_on:%d %B %Y}",
            current,
        )
    return current


# -- drafts -----------------------------------------------------------------------------------------------------


def draft_limits() -> Limits:
    return Limits(
        max_bytes=getattr(settings, "REVIEW_DRAFT_MAX_BYTES", Limits.max_bytes),
        max_pages=getattr(settings, "REVIEW_DRAFT_MAX_PAGES", Limits.max_pages),
    )


def draft_upload(*, actor: User, review: Review, filename: str, data: bytes, note: str = "") -> DraftVersion:
    """Add a version of the report. It is read at once, page by page; a file that cannot be read is refused
    with the reason and nothing is stored."""
    if not actor.has_perm("reviews.edit_review_work", review):
        raise NotAllowed("Only an appointed reviewer or the business manager can upload a draft")
    name = os.path.basename(filename).strip() or "draft"
    # Before the file is read (the readers are what a malicious file aims at) and before the transaction.
    upload_scan(actor=actor, files=[(name, data)], kind=UploadKind.DRAFT, partnership=review.partnership)
    try:
        document = read_bytes(data, name, draft_limits())
    except UnreadableDocument as error:
        message = f"{name}: {error.reason}"
        raise InvalidInput(message, field_errors={"file": [message]}) from error
    with transaction.atomic():
        locked = review_lock(review, None)
        _require_status(locked, {ReviewStatus.IN_PROGRESS, ReviewStatus.QUALITY_ASSURANCE}, "upload a draft")
        number = (locked.drafts.aggregate(last=Max("number"))["last"] or 0) + 1
        upload_quota_use(user=actor, sizes=[len(data)], kind=UploadKind.DRAFT)
        draft = DraftVersion.objects.create(
            review=locked,
            number=number,
            filename=name[:255],
            media_type=document.media_type,
            size=len(data),
            sha256=store_blob(data),
            pages=[document.page_text(page.number) for page in document.pages],
            note=note.strip(),
            uploaded_by=actor,
        )
        _milestone_reach_once(locked, MilestoneKind.FIRST_DRAFT, timezone.localdate())
        _audit(
            actor, locked, "review.draft_upload", f"Uploaded draft {number} ({name}, {len(draft.pages)} pages)", draft
        )
    return draft


def draft_comment_add(*, actor: User, draft: DraftVersion, text: str, page: int | None = None) -> DraftComment:
    with transaction.atomic():
        locked = _locked(actor, draft.review, "reviews.view_review", "You cannot comment on this review")
        errors: dict[str, list[str]] = {}
        if not text.strip():
            errors["text"] = ["Enter your comment"]
        if page is not None and not 1 <= page <= len(draft.pages):
            errors["page"] = [f"Enter a page from 1 to {len(draft.pages)}, or leave it blank"]
        _check(errors, "There is a problem with the comment")
        comment = DraftComment.objects.create(draft=draft, page=page, text=text.strip(), author=actor)
        _audit(actor, locked, "review.draft_comment", f"Commented on draft {draft.number}", comment)
    return comment


def draft_submit_for_qa(*, actor: User, draft: DraftVersion, expected_version: int | None = None) -> QaSubmission:
    with transaction.atomic():
        locked = _locked(
            actor,
            draft.review,
            "reviews.edit_review_work",
            "Only an appointed reviewer or the business manager can submit a draft",
            expected_version,
        )
        _require_status(locked, {ReviewStatus.IN_PROGRESS}, "submit a draft for quality assurance")
        submission = QaSubmission.objects.create(review=locked, draft=draft, submitted_by=actor)
        review_status_change(
            review=locked, to_status=ReviewStatus.QUALITY_ASSURANCE, actor=actor, note=f"draft {draft.number}"
        )
    return submission


def qa_return(*, actor: User, review: Review, reasons: str, expected_version: int | None = None) -> QaSubmission:
    """QA sends the draft back for more work; a final draft chosen before is no longer final."""
    with transaction.atomic():
        locked = _locked(
            actor,
            review,
            "reviews.quality_assure",
            "Only the sub-group or the business manager can return a draft",
            expected_version,
        )
        _require_status(locked, {ReviewStatus.QUALITY_ASSURANCE}, "return the draft")
        if not reasons.strip():
            raise InvalidInput("Say why", field_errors={"reasons": ["Say what needs more work"]})
        submission = locked.qa_submissions.filter(returned_at__isnull=True).first()
        if submission is None:
            raise TransitionNotAllowed("No draft is waiting for quality assurance")
        submission.returned_at, submission.returned_by, submission.return_reasons = (
            timezone.now(),
            actor,
            reasons.strip(),
        )
        submission.save(update_fields=["returned_at", "returned_by", "return_reasons"])
        locked.drafts.filter(is_final=True).update(is_final=False)
        review_status_change(review=locked, to_status=ReviewStatus.IN_PROGRESS, actor=actor, note=reasons.strip())
    return submission


def draft_choose_final(*, actor: User, draft: DraftVersion, expected_version: int | None = None) -> DraftVersion:
    """Choose the version that will be signed off, redacted and published."""
    with transaction.atomic():
        locked = _locked(
            actor, draft.review, "reviews.sign_off", "Only the chair can choose the final draft", expected_version
        )
        _require_status(locked, {ReviewStatus.QUALITY_ASSURANCE}, "choose the final draft")
        locked.drafts.filter(is_final=True).exclude(pk=draft.pk).update(is_final=False)
        DraftVersion.objects.filter(pk=draft.pk).update(is_final=True)
        draft.refresh_from_db()
        _bump(locked)
        _audit(actor, locked, "review.draft_final", f"Chose draft {draft.number} as the final report", draft)
    return draft


# -- quality assurance and sign-off --------------------------------------------------------------------------------


def _marker_conflict(assessment: MarkerAssessment | None, expected_version: int | None, refusal: str) -> None:
    """`expected_version` is the version the person's page showed, 0 when it showed no answer yet."""
    if expected_version is None:
        return
    if (assessment.version if assessment else 0) != expected_version:
        who = assessment.answered_by.display_name if assessment else "Someone else"
        raise EditConflict(f"{who} changed the answer to this quality marker while you were looking at it. {refusal}")


def marker_record(
    *, actor: User, review: Review, marker: int, answer: str, evidence: str, expected_version: int | None = None
) -> MarkerAssessment:
    """Record the sub-group's answer and evidence for one quality marker; a change withdraws its sign-off."""
    with transaction.atomic():
        locked = _locked(
            actor,
            review,
            "reviews.quality_assure",
            "Only the sub-group or the business manager can record quality assurance",
        )
        _require_status(
            locked,
            {ReviewStatus.SET_UP, ReviewStatus.IN_PROGRESS, ReviewStatus.QUALITY_ASSURANCE},
            "record quality assurance",
        )
        try:
            quality_markers().marker(marker)
        except KeyError as error:
            raise InvalidInput(f"There is no quality marker {marker}") from error
        errors: dict[str, list[str]] = {}
        if answer not in MarkerAnswer.values:
            errors["answer"] = ["Select whether the marker is met"]
        if not evidence.strip():
            errors["evidence"] = ["Record the evidence for the answer"]
        _check(errors, "There is a problem with the quality marker")
        existing = MarkerAssessment.objects.select_for_update().filter(review=locked, marker=marker).first()
        _marker_conflict(existing, expected_version, "Nothing was saved: read their answer, then change it if needed.")
        before = [existing.answer, existing.evidence] if existing else None
        if existing is None:
            existing = MarkerAssessment(review=locked, marker=marker, version=0)
        elif before == [answer, evidence.strip()]:
            return existing
        existing.version += 1
        existing.answer, existing.evidence = answer, evidence.strip()
        existing.answered_by, existing.answered_at = actor, timezone.now()
        existing.signed_off_by, existing.signed_off_at = None, None
        existing.save()
        _refresh_qa_milestone(locked, timezone.localdate())
        _audit(
            actor,
            locked,
            "review.marker_record",
            f"Quality marker {marker}: {MarkerAnswer(answer).label.lower()}",
            existing,
            before=before,
        )
    return existing


def marker_sign_off(
    *, actor: User, review: Review, marker: int, expected_version: int | None = None
) -> MarkerAssessment:
    """Sign off the answer as the signer saw it: one changed since is not signed off unread."""
    with transaction.atomic():
        locked = _locked(
            actor,
            review,
            "reviews.sign_off_marker",
            "Only a sub-group member or the chair can sign off a quality marker",
        )
        _require_status(
            locked,
            {ReviewStatus.SET_UP, ReviewStatus.IN_PROGRESS, ReviewStatus.QUALITY_ASSURANCE},
            "sign off a quality marker",
        )
        assessment = MarkerAssessment.objects.select_for_update().filter(review=locked, marker=marker).first()
        if assessment is None:
            raise InvalidInput(f"Record an answer and evidence for marker {marker} before signing it off")
        _marker_conflict(assessment, expected_version, "Nothing was signed off: read the new answer first.")
        if assessment.is_signed_off:
            return assessment
        assessment.signed_off_by, assessment.signed_off_at = actor, timezone.now()
        assessment.version += 1
        assessment.save(update_fields=["signed_off_by", "signed_off_at", "version"])
        _refresh_qa_milestone(locked, timezone.localdate())
        _audit(actor, locked, "review.marker_sign_off", f"Signed off quality marker {marker}", assessment)
    return assessment


def review_sign_off(*, actor: User, review: Review, expected_version: int | None = None) -> Review:
    """The chair signs the report off: every quality marker signed off and the final draft chosen."""
    with transaction.atomic():
        locked = _locked(actor, review, "reviews.sign_off", "Only the chair can sign off the review", expected_version)
        _require_status(locked, {ReviewStatus.QUALITY_ASSURANCE}, "sign off the review")
        problems = []
        markers = quality_markers().markers
        signed = set(locked.marker_assessments.filter(signed_off_at__isnull=False).values_list("marker", flat=True))
        unsigned = [m.number for m in markers if m.number not in signed]
        if unsigned:
            problems.append(f"Quality markers not signed off: {', '.join(str(n) for n in unsigned)}")
        if not locked.drafts.filter(is_final=True).exists():
            problems.append("Choose the final draft")
        if problems:
            raise InvalidInput("The review cannot be signed off yet. " + "; ".join(problems))
        today = timezone.localdate()
        signed_off = review_status_change(review=locked, to_status=ReviewStatus.SIGNED_OFF, actor=actor, on=today)
        _milestone_reach_once(signed_off, MilestoneKind.SIGNED_OFF, today)
    return signed_off


# -- after sign-off: the board's response, the notice before publication, or not publishing ----------------------------


def written_response_record(
    *,
    actor: User,
    review: Review,
    text: str,
    agreed_on: datetime.date,
    file: CheckedFile | None = None,
    expected_version: int | None = None,
) -> WrittenResponse:
    """Record (or replace) the board's written response. Reports already sent must be sent again with it."""
    if file is not None:
        # Before the transaction, so the refusal's audit entry stays while nothing of the response is saved.
        upload_scan(
            actor=actor,
            files=[(file.filename, file.data)],
            kind=UploadKind.WRITTEN_RESPONSE,
            partnership=review.partnership,
        )
    with transaction.atomic():
        locked = _locked(
            actor,
            review,
            "reviews.respond_for_board",
            "Only the business manager or the chair can record the board's response",
            expected_version,
        )
        _require_status(
            locked, {ReviewStatus.QUALITY_ASSURANCE, ReviewStatus.SIGNED_OFF}, "record the board's written response"
        )
        errors: dict[str, list[str]] = {}
        if not text.strip() and file is None:
            errors["text"] = ["Enter the response or attach it as a file"]
        _not_future(errors, "agreed_on", agreed_on, timezone.localdate())
        _check(errors, "There is a problem with the written response")
        response, created = WrittenResponse.objects.select_for_update().get_or_create(
            review=locked, defaults={"agreed_on": agreed_on, "recorded_by": actor}
        )
        response.text = text.strip()
        response.agreed_on = agreed_on
        response.recorded_by, response.recorded_at = actor, timezone.now()
        if file is not None:
            upload_quota_use(user=actor, sizes=[file.size], kind=UploadKind.WRITTEN_RESPONSE)
            response.filename, response.media_type = file.filename, file.media_type
            response.size, response.sha256 = file.size, store_blob(file.data)
        response.save()
        _bump(locked)
        _audit(
            actor,
            locked,
            "review.written_response",
            "Recorded the board's written response" if created else "Replaced the board's written response",
            response,
        )
    return response


def dispatch_record(
    *,
    actor: User,
    review: Review,
    recipient: str,
    sent_on: datetime.date,
    method: str,
    reference: str = "",
) -> Dispatch:
    """Record that the final report and the board's response were sent to one of the framework's recipients."""
    with transaction.atomic():
        locked = _locked(
            actor, review, "reviews.manage_review", "Only the business manager can record the pre-publication dispatch"
        )
        _require_status(locked, {ReviewStatus.SIGNED_OFF}, "record the dispatch")
        framework = get_framework(locked.framework_code)
        errors: dict[str, list[str]] = {}
        if recipient not in framework.publication.notice_recipients:
            errors["recipient"] = ["Select who it was sent to"]
        if not method.strip():
            errors["method"] = ["Say how it was sent"]
        _not_future(errors, "sent_on", sent_on, timezone.localdate())
        if locked.completed_on and sent_on < locked.completed_on:
            errors.setdefault("sent_on", []).append("The report cannot be sent before it was signed off")
        response = getattr(locked, "written_response", None)
        if response is None:
            errors.setdefault("recipient", []).append(
                "Record the board's written response first: it is sent with the report"
            )
        elif sent_on < response.agreed_on:
            errors.setdefault("sent_on", []).append(
                "The report is sent with the board's response, which was agreed later"
            )
        _check(errors, "There is a problem with the dispatch")
        dispatch = Dispatch.objects.create(
            review=locked,
            recipient=recipient,
            sent_on=sent_on,
            method=method.strip(),
            reference=reference.strip(),
            recorded_by=actor,
        )
        _audit(
            actor,
            locked,
            "review.dispatch",
            f"Sent the report and response to {recipient} on {sent_on:%d %B %Y}",
            dispatch,
        )
    return dispatch


def non_publication_propose(
    *,
    actor: User,
    review: Review,
    reasons: str,
    proposed_on: datetime.date,
    advice: str,
    improvements: str,
    advice_received_on: datetime.date | None = None,
    expected_version: int | None = None,
) -> NonPublicationProposal:
    """Record (or update) the board's proposal not to publish, the advice it received and its reasons, and the
    information about improvements that will be published instead."""
    with transaction.atomic():
        locked = _locked(
            actor,
            review,
            "reviews.respond_for_board",
            "Only the business manager or the chair can propose not to publish",
            expected_version,  # the business manager and the chair both edit the one proposal
        )
        _require_status(locked, {ReviewStatus.SIGNED_OFF}, "propose not to publish")
        errors: dict[str, list[str]] = {}
        if not reasons.strip():
            errors["reasons"] = ["Give the board's reasons for not publishing"]
        if not improvements.strip():
            errors["improvements"] = ["Enter the information about improvements that will be published instead"]
        _not_future(errors, "proposed_on", proposed_on, timezone.localdate())
        _not_future(errors, "advice_received_on", advice_received_on, timezone.localdate())
        if advice.strip() and advice_received_on is None:
            errors.setdefault("advice_received_on", []).append("Enter the date the advice was received")
        _check(errors, "There is a problem with the proposal")
        proposal, created = NonPublicationProposal.objects.select_for_update().get_or_create(
            review=locked, defaults={"proposed_on": proposed_on, "recorded_by": actor}
        )
        proposal.reasons, proposal.proposed_on = reasons.strip(), proposed_on
        proposal.advice, proposal.advice_received_on = advice.strip(), advice_received_on
        proposal.improvements = improvements.strip()
        proposal.recorded_by, proposal.recorded_at = actor, timezone.now()
        proposal.save()
        _bump(locked)
        _audit(
            actor,
            locked,
            "review.non_publication_propose",
            "Proposed not to publish" if created else "Updated the proposal not to publish",
            proposal,
        )
    return proposal


def non_publication_withdraw(*, actor: User, review: Review, reason: str) -> Review:
    """The board decides to publish after all (for example on the advice received): the proposal is withdrawn,
    with the reason kept in the audit log, and publication is no longer held back by it."""
    with transaction.atomic():
        locked = _locked(
            actor,
            review,
            "reviews.respond_for_board",
            "Only the business manager or the chair can withdraw the proposal not to publish",
        )
        _require_status(locked, {ReviewStatus.SIGNED_OFF}, "withdraw the proposal not to publish")
        proposal = NonPublicationProposal.objects.select_for_update().filter(review=locked).first()
        if proposal is None:
            raise TransitionNotAllowed("There is no proposal not to publish")
        if not reason.strip():
            raise InvalidInput("Give the reason", field_errors={"reason": ["Give the reason for publishing after all"]})
        withdrawn = {"reasons": proposal.reasons, "advice": proposal.advice, "improvements": proposal.improvements}
        proposal.delete()
        _bump(locked)
        _audit(
            actor,
            locked,
            "review.non_publication_withdraw",
            f"Withdrew the proposal not to publish: {reason.strip()}",
            withdrawn=withdrawn,
        )
    return locked


def review_not_publish(*, actor: User, review: Review, expected_version: int | None = None) -> Review:
    """Close the review unpublished: the proposal must record the advice received, the reasons and the
    improvements information to be published instead."""
    with transaction.atomic():
        locked = _locked(
            actor,
            review,
            "reviews.respond_for_board",
            "Only the business manager or the chair can decide not to publish",
            expected_version,
        )
        _require_status(locked, {ReviewStatus.SIGNED_OFF}, "decide not to publish")
        proposal = getattr(locked, "non_publication", None)
        if proposal is None:
            raise InvalidInput("Record the proposal not to publish, with its reasons, first")
        if not proposal.advice:
            raise InvalidInput("Record the advice received on the proposal not to publish first")
        return review_status_change(
            review=locked,
            to_status=ReviewStatus.NOT_PUBLISHED,
            actor=actor,
            note="not published: improvements published instead",
        )
