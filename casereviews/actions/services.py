"""Every change to an action plan goes through here.

Each service checks the actor's permission, locks what it changes, refuses a change made against an older
version, validates, applies the change, writes the audit entry and queues any e-mail for after the commit.
An action's status is never set: it follows from the dates, the progress updates and the acceptance of
evidence (`Action.status_on`).
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from casereviews.actions import tasks
from casereviews.actions.models import Action, DeclaredState, EvidenceFile, Finding, ProgressUpdate, Recommendation
from casereviews.core.antivirus import upload_scan
from casereviews.core.audit import audit_record
from casereviews.core.errors import EditConflict, InvalidInput, NotAllowed, TransitionNotAllowed
from casereviews.core.files import CheckedFile, store_blob
from casereviews.core.models import UploadKind
from casereviews.core.quotas import upload_quota_use
from casereviews.partnerships.models import Agency, Membership, Role, User
from casereviews.reviews.models import Review

# Locks take the row being changed (`of=("self",)`), not the review and partnership rows read with it, so that
# updates to different actions of one partnership do not queue behind each other.


def _check_version(record: Finding | Recommendation | Action, expected_version: int | None, what: str) -> None:
    if expected_version is not None and record.version != expected_version:
        raise EditConflict(
            f"{what} was changed by someone else while you were working on it. "
            "Nothing you entered has been saved: check the latest version and try again."
        )


def _require(actor: User, perm: str, target: Any, message: str) -> None:
    if not actor.has_perm(perm, target):
        raise NotAllowed(message)


def _blank(errors: dict[str, list[str]], name: str, value: str, message: str = "Enter this information") -> None:
    if not value.strip():
        errors.setdefault(name, []).append(message)


def _ids(pk: int | None) -> list[int]:
    return [pk] if pk is not None else []


# -- findings ---------------------------------------------------------------------------------------------------


def _validate_finding(review: Review, number: int, text: str, exclude_pk: int | None) -> None:
    errors: dict[str, list[str]] = {}
    if number < 1:
        errors["number"] = ["Enter a number of 1 or more"]
    elif Finding.objects.filter(review=review, number=number).exclude(pk__in=_ids(exclude_pk)).exists():
        errors["number"] = [f"Finding {number} already exists in this review"]
    _blank(errors, "text", text, "Enter the finding")
    if errors:
        raise InvalidInput("There is a problem with the finding", field_errors=errors)


def finding_create(*, actor: User, review: Review, number: int, text: str) -> Finding:
    with transaction.atomic():
        locked = Review.objects.select_for_update(of=("self",)).select_related("partnership").get(pk=review.pk)
        _require(
            actor,
            "actions.edit_recommendations",
            locked,
            "Only the business manager or the review's lead reviewer (while the review is open) can write its findings",
        )
        _validate_finding(locked, number, text, None)
        finding = Finding.objects.create(review=locked, number=number, text=text.strip(), created_by=actor)
        audit_record(
            actor=actor,
            action="finding.create",
            summary=f"Added finding {number} to {locked.reference}",
            target=finding,
            partnership=locked.partnership,
        )
    return finding


def finding_update(*, actor: User, finding: Finding, number: int, text: str, expected_version: int | None) -> Finding:
    with transaction.atomic():
        locked = (
            Finding.objects.select_for_update(of=("self",)).select_related("review__partnership").get(pk=finding.pk)
        )
        _require(
            actor,
            "actions.edit_recommendations",
            locked.review,
            "Only the business manager or the review's "
            "lead reviewer (while the review is open) can change its findings",
        )
        _check_version(locked, expected_version, f"Finding {locked.number}")
        _validate_finding(locked.review, number, text, locked.pk)
        before = {"number": locked.number, "text": locked.text}
        locked.number, locked.text = number, text.strip()
        locked.version += 1
        locked.save(update_fields=["number", "text", "version", "updated_at"])
        audit_record(
            actor=actor,
            action="finding.update",
            summary=f"Changed finding {locked.number} of {locked.review.reference}",
            target=locked,
            partnership=locked.review.partnership,
            changes={
                key: [value, getattr(locked, key)] for key, value in before.items() if value != getattr(locked, key)
            },
        )
    return locked


# -- recommendations --------------------------------------------------------------------------------------------


def _validate_recommendation(
    review: Review, number: int, text: str, finding: Finding | None, agency: Agency | None, exclude_pk: int | None
) -> None:
    errors: dict[str, list[str]] = {}
    if number < 1:
        errors["number"] = ["Enter a number of 1 or more"]
    elif Recommendation.objects.filter(review=review, number=number).exclude(pk__in=_ids(exclude_pk)).exists():
        errors["number"] = [f"Recommendation {number} already exists in this review"]
    _blank(errors, "text", text, "Enter the recommendation")
    if finding is not None and finding.review_id != review.pk:
        errors["finding"] = ["Select a finding of this review"]
    if agency is not None and agency.partnership_id != review.partnership_id:
        errors["agency"] = ["Select an agency of this partnership"]
    if errors:
        raise InvalidInput("There is a problem with the recommendation", field_errors=errors)


def recommendation_create(
    *, actor: User, review: Review, number: int, text: str, finding: Finding | None, agency: Agency | None
) -> Recommendation:
    with transaction.atomic():
        locked = Review.objects.select_for_update(of=("self",)).select_related("partnership").get(pk=review.pk)
        _require(
            actor,
            "actions.edit_recommendations",
            locked,
            "Only the business manager or the review's lead "
            "reviewer (while the review is open) can write its recommendations",
        )
        _validate_recommendation(locked, number, text, finding, agency, None)
        recommendation = Recommendation.objects.create(
            review=locked, number=number, text=text.strip(), finding=finding, agency=agency, created_by=actor
        )
        audit_record(
            actor=actor,
            action="recommendation.create",
            summary=f"Added recommendation {number} to {locked.reference}",
            target=recommendation,
            partnership=locked.partnership,
        )
    return recommendation


def recommendation_update(
    *,
    actor: User,
    recommendation: Recommendation,
    number: int,
    text: str,
    finding: Finding | None,
    agency: Agency | None,
    expected_version: int | None,
) -> Recommendation:
    with transaction.atomic():
        locked = (
            Recommendation.objects.select_for_update(of=("self",))
            .select_related("review__partnership")
            .get(pk=recommendation.pk)
        )
        _require(
            actor,
            "actions.edit_recommendations",
            locked.review,
            "Only the business manager or the review's "
            "lead reviewer (while the review is open) can change its recommendations",
        )
        _check_version(locked, expected_version, f"Recommendation {locked.number}")
        _validate_recommendation(locked.review, number, text, finding, agency, locked.pk)
        before = {
            "number": locked.number,
            "text": locked.text,
            "finding": locked.finding_id,
            "agency": locked.agency_id,
        }
        locked.number, locked.text, locked.finding, locked.agency = number, text.strip(), finding, agency
        locked.version += 1
        locked.save(update_fields=["number", "text", "finding", "agency", "version", "updated_at"])
        after = {"number": locked.number, "text": locked.text, "finding": locked.finding_id, "agency": locked.agency_id}
        audit_record(
            actor=actor,
            action="recommendation.update",
            summary=f"Changed recommendation {locked.number} of {locked.review.reference}",
            target=locked,
            partnership=locked.review.partnership,
            changes={key: [value, after[key]] for key, value in before.items() if value != after[key]},
        )
    return locked


# -- actions ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ActionInput:
    """What the plan says about one action, from the form or the API; validated by the services."""

    description: str
    owner_agency_id: int
    lead_name: str
    due_on: datetime.date
    expected_change: str
    success_measure: str
    lead_user_id: int | None = None


def _validate_action(review: Review, data: ActionInput) -> tuple[Agency, User | None]:
    errors: dict[str, list[str]] = {}
    _blank(errors, "description", data.description, "Say what will be done")
    _blank(errors, "lead_name", data.lead_name, "Name the person who leads the action")
    _blank(errors, "expected_change", data.expected_change, "Say what is expected to change")
    _blank(errors, "success_measure", data.success_measure, "Say how success will be measured")
    agency = Agency.objects.filter(pk=data.owner_agency_id, partnership=review.partnership).first()
    if agency is None:
        errors["owner_agency"] = ["Select an agency of this partnership"]
    if data.due_on < review.commissioned_on:
        errors["due_on"] = [
            f"The due date cannot be before the review was commissioned ({review.commissioned_on:%d %B %Y})"
        ]
    lead_user = None
    if data.lead_user_id is not None:
        lead_user = User.objects.filter(pk=data.lead_user_id).first()
        if (
            lead_user is None
            or agency is None
            or not Membership.objects.filter(
                user=lead_user, partnership=review.partnership, role=Role.AGENCY_LEAD, agency=agency
            ).exists()
        ):
            errors["lead_user"] = ["The lead's account must be an agency lead of the owner agency"]
    if errors or agency is None:
        raise InvalidInput("There is a problem with the action", field_errors=errors)
    return agency, lead_user


def action_create(*, actor: User, recommendation: Recommendation, data: ActionInput) -> Action:
    with transaction.atomic():
        review = (
            Review.objects.select_for_update(of=("self",))
            .select_related("partnership")
            .get(pk=recommendation.review_id)
        )
        _require(actor, "actions.edit_actions", review, "Only the business manager can add actions to the plan")
        agency, lead_user = _validate_action(review, data)
        last = Action.objects.filter(recommendation=recommendation).aggregate(last=Max("number"))["last"]
        action = Action.objects.create(
            recommendation=recommendation,
            number=(last or 0) + 1,
            description=data.description.strip(),
            owner_agency=agency,
            lead_name=data.lead_name.strip(),
            lead_user=lead_user,
            due_on=data.due_on,
            expected_change=data.expected_change.strip(),
            success_measure=data.success_measure.strip(),
            created_by=actor,
        )
        audit_record(
            actor=actor,
            action="action.create",
            summary=f"Added action {action.label} ({agency.name}, due {data.due_on:%d %B %Y}) to {review.reference}",
            target=action,
            partnership=review.partnership,
        )
    return action


_ACTION_FIELDS = (
    "description",
    "owner_agency_id",
    "lead_name",
    "lead_user_id",
    "due_on",
    "expected_change",
    "success_measure",
)


def action_update(*, actor: User, action: Action, data: ActionInput, expected_version: int | None) -> Action:
    with transaction.atomic():
        locked = (
            Action.objects.select_for_update(of=("self",))
            .select_related("recommendation__review__partnership")
            .get(pk=action.pk)
        )
        review = locked.recommendation.review
        _require(actor, "actions.edit_actions", review, "Only the business manager can change the plan's actions")
        _check_version(locked, expected_version, f"Action {locked.label}")
        if locked.evidence_accepted_at is not None:
            raise TransitionNotAllowed(
                f"Action {locked.label} is evidenced: its evidence was accepted, so it can no longer change"
            )
        agency, lead_user = _validate_action(review, data)
        before = {name: getattr(locked, name) for name in _ACTION_FIELDS}
        locked.description = data.description.strip()
        locked.owner_agency = agency
        locked.lead_name = data.lead_name.strip()
        locked.lead_user = lead_user
        locked.due_on = data.due_on
        locked.expected_change = data.expected_change.strip()
        locked.success_measure = data.success_measure.strip()
        locked.version += 1
        locked.save()
        audit_record(
            actor=actor,
            action="action.update",
            summary=f"Changed action {locked.label} of {review.reference}",
            target=locked,
            partnership=review.partnership,
            changes={
                name: [value, getattr(locked, name)] for name, value in before.items() if value != getattr(locked, name)
            },
        )
    return locked


# -- progress and evidence --------------------------------------------------------------------------------------


def progress_update_post(
    *,
    actor: User,
    action: Action,
    narrative: str,
    declared_state: str,
    evidence: str = "",
    files: Sequence[CheckedFile] = (),
    expected_version: int | None = None,
) -> ProgressUpdate:
    """An agency lead reports progress on an action their agency owns. Declaring it completed needs
    evidence (a description, a file or both), which the business manager then accepts or not."""
    if files:
        # Before the transaction, so the refusal's audit entry stays while nothing of the update is saved.
        upload_scan(
            actor=actor,
            files=[(checked.filename, checked.data) for checked in files],
            kind=UploadKind.ACTION_EVIDENCE,
            field="attachments",
            partnership=action.recommendation.review.partnership,
        )
    with transaction.atomic():
        locked = (
            Action.objects.select_for_update(of=("self",))
            .select_related("recommendation__review__partnership", "owner_agency")
            .get(pk=action.pk)
        )
        review = locked.recommendation.review
        _require(
            actor,
            "actions.post_update",
            locked,
            f"Only an agency lead of {locked.owner_agency.name} can report progress on this action",
        )
        _check_version(locked, expected_version, f"Action {locked.label}")
        if locked.evidence_accepted_at is not None:
            raise TransitionNotAllowed(f"Action {locked.label} is evidenced: it needs no more updates")
        errors: dict[str, list[str]] = {}
        _blank(errors, "narrative", narrative, "Say what has happened since the last update")
        if declared_state not in DeclaredState.values:
            errors["declared_state"] = ["Select how the action is going"]
        elif declared_state == DeclaredState.COMPLETED and not evidence.strip() and not files:
            errors["evidence"] = ["Describe or attach the evidence that the action is complete"]
        if errors:
            raise InvalidInput("There is a problem with the update", field_errors=errors)
        update = ProgressUpdate.objects.create(
            action=locked,
            posted_by=actor,
            narrative=narrative.strip(),
            declared_state=declared_state,
            evidence=evidence.strip(),
        )
        upload_quota_use(
            user=actor, sizes=[checked.size for checked in files], kind=UploadKind.ACTION_EVIDENCE, field="attachments"
        )
        for checked in files:
            EvidenceFile.objects.create(
                update=update,
                filename=checked.filename,
                media_type=checked.media_type,
                size=checked.size,
                sha256=store_blob(checked.data),
            )
        locked.version += 1
        locked.save(update_fields=["version", "updated_at"])
        audit_record(
            actor=actor,
            action="action.progress",
            summary=f"Reported progress on action {locked.label} of {review.reference}: "
            f"{DeclaredState(declared_state).name.lower()}",
            target=update,
            partnership=review.partnership,
            changes={"declared_state": declared_state, "files": [checked.filename for checked in files]},
        )
        if declared_state == DeclaredState.COMPLETED:
            transaction.on_commit(lambda: tasks.action_completed_email.enqueue(locked.pk))
    return update


def evidence_accept(*, actor: User, action: Action, note: str = "", expected_version: int | None) -> Action:
    """The business manager accepts the evidence of impact: the action becomes evidenced, with who and when."""
    with transaction.atomic():
        locked = (
            Action.objects.select_for_update(of=("self",))
            .select_related("recommendation__review__partnership")
            .get(pk=action.pk)
        )
        review = locked.recommendation.review
        _require(actor, "actions.accept_evidence", locked, "Only the business manager can accept evidence")
        _check_version(locked, expected_version, f"Action {locked.label}")
        if locked.evidence_accepted_at is not None:
            raise TransitionNotAllowed(f"The evidence for action {locked.label} has already been accepted")
        if locked.latest_declared_state() != DeclaredState.COMPLETED:
            raise TransitionNotAllowed(
                f"Action {locked.label} has not been reported complete, so there is no evidence to accept"
            )
        locked.evidence_accepted_by = actor
        locked.evidence_accepted_at = timezone.now()
        locked.evidence_acceptance_note = note.strip()
        locked.version += 1
        locked.save(
            update_fields=[
                "evidence_accepted_by",
                "evidence_accepted_at",
                "evidence_acceptance_note",
                "version",
                "updated_at",
            ]
        )
        audit_record(
            actor=actor,
            action="action.evidence_accepted",
            summary=f"Accepted the evidence for action {locked.label} of {review.reference}",
            target=locked,
            partnership=review.partnership,
            changes={"note": locked.evidence_acceptance_note},
        )
    return locked
