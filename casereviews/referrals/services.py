"""Every change to a referral goes through here (see docs/adr/0001-frameworks-as-data.md).

Each service locks the referral, checks the step against the framework and the actor's roles, refuses
a change made against an older version, applies the change, records the case event (which starts, meets
or cancels deadlines), writes the audit entry and queues e-mail for after the commit. Nothing else
changes a referral's state.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils import timezone

from casereviews.core.antivirus import upload_scan
from casereviews.core.audit import audit_record
from casereviews.core.calendar import Calendar, ClockUnit, calendar_of_nation, due_date
from casereviews.core.errors import (
    Duplicate,
    EditConflict,
    InvalidInput,
    NotAllowed,
    TransitionNotAllowed,
)
from casereviews.core.files import CheckedFile, store_blob
from casereviews.core.models import UploadKind
from casereviews.core.quotas import upload_quota_use
from casereviews.core.references import next_reference
from casereviews.frameworks.engine import assess_criteria, evaluate, option_named, state_label, transition_named
from casereviews.frameworks.schema import FrameworkDefinition, Transition
from casereviews.frameworks.services import UnknownFramework, get_framework
from casereviews.partnerships.models import Agency, Partnership, Role, User
from casereviews.partnerships.selectors import roles_in
from casereviews.referrals import tasks
from casereviews.referrals.models import (
    AbuseOrNeglect,
    Attachment,
    ChildSex,
    CriteriaAssessment,
    Deadline,
    Decision,
    HarmOutcome,
    Notification,
    PanelResponse,
    Recommendation,
    Referral,
    ReferralEvent,
    YesNoUnknown,
)


@dataclass(frozen=True)
class ReferralInput:
    """What a referrer tells us. Validated by `referral_submit`, whether it came from the form or the API."""

    referrer_name: str
    referrer_job_title: str
    referrer_organisation: str
    referrer_email: str
    child_reference: str
    child_sex: str
    child_disability: str
    looked_after: str
    child_protection_plan: str
    incident_date: datetime.date
    aware_on: datetime.date
    what_happened: str
    abuse_or_neglect: str
    harm_outcome: str
    referrer_phone: str = ""
    child_date_of_birth: datetime.date | None = None
    child_age_years: int | None = None
    child_ethnicity: str = ""
    child_disability_details: str = ""
    agency_ids: Sequence[int] = field(default_factory=tuple)
    other_agencies: str = ""


def _validate_referral(data: ReferralInput, partnership: Partnership, today: datetime.date) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}

    def add(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    for name in (
        "referrer_name",
        "referrer_job_title",
        "referrer_organisation",
        "referrer_email",
        "child_reference",
        "what_happened",
    ):
        if not str(getattr(data, name)).strip():
            add(name, "Enter this information")
    choices = {
        "child_sex": ChildSex.values,
        "child_disability": YesNoUnknown.values,
        "looked_after": YesNoUnknown.values,
        "child_protection_plan": YesNoUnknown.values,
        "abuse_or_neglect": AbuseOrNeglect.values,
        "harm_outcome": HarmOutcome.values,
    }
    for name, allowed in choices.items():
        if getattr(data, name) not in allowed:
            add(name, "Select one of the options")
    if data.incident_date > today:
        add("incident_date", "The date of the incident must be today or in the past")
    if data.aware_on > today:
        add("aware_on", "The date the partnership became aware must be today or in the past")
    if data.incident_date > data.aware_on:
        add("aware_on", "The partnership cannot have become aware before the incident happened")
    if data.child_date_of_birth is not None:
        if data.child_date_of_birth > data.incident_date:
            add("child_date_of_birth", "The child's date of birth must be before the incident")
        elif (data.incident_date - data.child_date_of_birth).days > 366 * 19:
            add("child_date_of_birth", "The child must have been under 18 at the time of the incident")
    if data.child_age_years is not None and not 0 <= data.child_age_years <= 17:
        add("child_age_years", "Enter an age from 0 to 17")
    if data.child_date_of_birth is None and data.child_age_years is None:
        add("child_date_of_birth", "Enter the child's date of birth or their age")
    if data.agency_ids:
        found = Agency.objects.filter(partnership=partnership, pk__in=data.agency_ids).count()
        if found != len(set(data.agency_ids)):
            add("agency_ids", "Select agencies of this partnership only")
    return errors


def _next_reference(partnership: Partnership, year: int) -> str:
    prefix = f"{partnership.slug[:3].upper()}-{year}-"
    return next_reference(Referral.objects.filter(partnership=partnership), prefix, digits=4)


def _calendar_for(partnership: Partnership) -> Calendar:
    return calendar_of_nation(partnership.nation)


def referral_submit(
    *,
    submitted_by: User,
    partnership: Partnership,
    data: ReferralInput,
    attachments: Sequence[CheckedFile] = (),
    submission_key: uuid.UUID | None = None,
) -> Referral:
    """Record a new referral. A repeated `submission_key` (a double click, a retried request) raises
    `Duplicate` carrying the first referral instead of creating a second one."""
    if not roles_in(submitted_by, partnership):
        raise NotAllowed(f"You are not a member of {partnership.name}, so you cannot refer a case to it")
    if submission_key is not None:
        existing = Referral.objects.filter(submission_key=submission_key).first()
        if existing is not None:
            raise Duplicate("This referral has already been submitted", existing)
    today = timezone.localdate()
    errors = _validate_referral(data, partnership, today)
    if errors:
        raise InvalidInput("There is a problem with the referral", field_errors=errors)
    framework_code = partnership.framework_code_on(data.incident_date)
    if framework_code is None:
        raise InvalidInput(
            f"{partnership.name} has no framework in force on {data.incident_date:%d %B %Y}",
            field_errors={"incident_date": ["No statutory framework is recorded for this partnership on that date"]},
        )
    try:
        framework = get_framework(framework_code)
    except UnknownFramework as error:
        raise InvalidInput(str(error)) from error
    # Before the transaction: a refusal's audit entry stays, and nothing of the referral is saved.
    upload_scan(
        actor=submitted_by,
        files=[(checked.filename, checked.data) for checked in attachments],
        kind=UploadKind.REFERRAL_ATTACHMENT,
        field="attachments",
        partnership=partnership,
    )

    try:
        with transaction.atomic():
            Partnership.objects.select_for_update().get(pk=partnership.pk)
            referral = Referral.objects.create(
                reference=_next_reference(partnership, today.year),
                partnership=partnership,
                framework_code=framework_code,
                state=framework.initial_state,
                submission_key=submission_key,
                submitted_by=submitted_by,
                referrer_name=data.referrer_name.strip(),
                referrer_job_title=data.referrer_job_title.strip(),
                referrer_organisation=data.referrer_organisation.strip(),
                referrer_email=data.referrer_email.strip(),
                referrer_phone=data.referrer_phone.strip(),
                child_reference=data.child_reference.strip(),
                child_date_of_birth=data.child_date_of_birth,
                child_age_years=data.child_age_years,
                child_sex=data.child_sex,
                child_ethnicity=data.child_ethnicity.strip(),
                child_disability=data.child_disability,
                child_disability_details=data.child_disability_details.strip(),
                looked_after=data.looked_after,
                child_protection_plan=data.child_protection_plan,
                incident_date=data.incident_date,
                aware_on=data.aware_on,
                what_happened=data.what_happened.strip(),
                abuse_or_neglect=data.abuse_or_neglect,
                harm_outcome=data.harm_outcome,
                other_agencies=data.other_agencies.strip(),
            )
            if data.agency_ids:
                referral.agencies.set(Agency.objects.filter(partnership=partnership, pk__in=data.agency_ids))
            upload_quota_use(
                user=submitted_by,
                sizes=[checked.size for checked in attachments],
                kind=UploadKind.REFERRAL_ATTACHMENT,
                field="attachments",
            )
            for checked in attachments:
                Attachment.objects.create(
                    referral=referral,
                    filename=checked.filename,
                    media_type=checked.media_type,
                    size=checked.size,
                    sha256=store_blob(checked.data),
                    uploaded_by=submitted_by,
                )
            _record_event(referral, framework, "referral_submitted", today, submitted_by, "Referral submitted")
            audit_record(
                actor=submitted_by,
                action="referral.submit",
                summary=f"Submitted referral {referral.reference} under {framework_code}",
                target=referral,
                partnership=partnership,
                changes={"attachments": [checked.filename for checked in attachments]},
            )
            transaction.on_commit(lambda: tasks.referral_submitted_email.enqueue(referral.pk))
    except IntegrityError as error:
        if submission_key is not None:
            existing = Referral.objects.filter(submission_key=submission_key).first()
            if existing is not None:
                raise Duplicate("This referral has already been submitted", existing) from error
        raise
    return referral


# -- the one door for changes of state ---------------------------------------------------------------


def _lock(referral: Referral, expected_version: int | None) -> tuple[Referral, FrameworkDefinition]:
    locked = Referral.objects.select_for_update().get(pk=referral.pk)
    if expected_version is not None and locked.version != expected_version:
        last = ReferralEvent.objects.filter(referral=locked).exclude(actor=None).order_by("-recorded_at").first()
        who = f" by {last.actor.display_name} ({last.description.lower()})" if last and last.actor else ""
        raise EditConflict(
            f"This referral was changed{who} while you were working on it. "
            "Nothing you entered has been saved: check the latest version and try again."
        )
    return locked, get_framework(locked.framework_code)


def _check_role(actor: User, referral: Referral, framework: FrameworkDefinition, transition_id: str) -> Transition:
    transition = transition_named(framework, transition_id)
    if transition is None:
        raise TransitionNotAllowed(f"{framework.name} has no step called {transition_id!r}")
    if not set(transition.roles) & roles_in(actor, referral.partnership):
        raise NotAllowed(
            f"Only a {' or '.join(r.replace('_', ' ') for r in transition.roles)} can {transition.label.lower()}"
        )
    return transition


def _check_transition(
    actor: User, referral: Referral, framework: FrameworkDefinition, transition_id: str
) -> Transition:
    transition = _check_role(actor, referral, framework, transition_id)
    if referral.state not in transition.from_states:
        raise TransitionNotAllowed(
            f"You cannot {transition.label.lower()} now: the referral is at “{state_label(framework, referral.state)}”"
        )
    return transition


def _apply_transition(
    actor: User,
    referral: Referral,
    framework: FrameworkDefinition,
    transition: Transition,
    on: datetime.date,
    note: str = "",
    extra_events: Sequence[str] = (),
) -> None:
    before = referral.state
    referral.state = transition.to
    referral.version += 1
    referral.save(update_fields=["state", "version", "updated_at"])
    _record_event(referral, framework, f"transition:{transition.id}", on, actor, transition.label, note)
    for event in extra_events:
        _record_event(referral, framework, event, on, actor, transition.label)
    audit_record(
        actor=actor,
        action=f"referral.{transition.id}",
        summary=f"{transition.label} on {referral.reference}",
        target=referral,
        partnership=referral.partnership,
        changes={"state": [before, referral.state], "note": note},
    )
    if before != referral.state:
        transaction.on_commit(lambda: tasks.referral_status_email.enqueue(referral.pk))


def _record_event(
    referral: Referral,
    framework: FrameworkDefinition,
    name: str,
    on: datetime.date,
    actor: User | None,
    description: str,
    note: str = "",
) -> None:
    """Record that `name` happened and start, meet or cancel the deadlines that wait on it."""
    ReferralEvent.objects.create(
        referral=referral, name=name, occurred_on=on, actor=actor, description=description, note=note
    )
    happened = list(ReferralEvent.objects.filter(referral=referral).values_list("name", "occurred_on"))
    facts = referral.facts()
    existing = {deadline.rule_id: deadline for deadline in referral.deadlines.all()}
    for rule in framework.deadlines:
        deadline = existing.get(rule.id)
        if deadline is None and rule.starts_on == name:
            if rule.when is not None and evaluate(rule.when, facts) is not True:
                continue
            clock_start = referral.aware_on if rule.clock_from == "aware_on" else on
            calendar = _calendar_for(referral.partnership)
            deadline = Deadline.objects.create(
                referral=referral,
                rule_id=rule.id,
                label=rule.label,
                basis=rule.basis,
                clock_start=clock_start,
                length=rule.length,
                unit=rule.unit.value,
                calendar=calendar.value,
                due_on=due_date(clock_start, rule.length, ClockUnit(rule.unit), calendar),
            )
        if deadline is None or not deadline.is_open:
            continue
        if name in rule.cancelled_by:
            deadline.cancelled_on = on
            deadline.save(update_fields=["cancelled_on"])
        elif name in rule.met_by:
            # Only what happened once the clock was running counts: telling the Panel before the decision that
            # started "inform the Panel within 14 days" does not meet that deadline.
            firsts = {
                event: min((day for happened_name, day in happened if happened_name == event
                            and day >= deadline.clock_start), default=None)
                for event in rule.met_by
            }
            if all(day is not None for day in firsts.values()):
                deadline.met_on = max(day for day in firsts.values() if day is not None)
                deadline.save(update_fields=["met_on"])


def referral_transition(
    *, actor: User, referral: Referral, transition_id: str, reason: str = "", expected_version: int | None = None
) -> Referral:
    """Take a step that records nothing but the step itself (accept, return, close, withdraw)."""
    with transaction.atomic():
        locked, framework = _lock(referral, expected_version)
        transition = _check_transition(actor, locked, framework, transition_id)
        if transition.records is not None:
            raise TransitionNotAllowed(f"“{transition.label}” needs its own form")
        if transition.needs_reason and not reason.strip():
            raise InvalidInput("Give a reason", field_errors={"reason": ["Give a reason for this step"]})
        _apply_transition(actor, locked, framework, transition, timezone.localdate(), reason.strip())
    return locked


def notification_record(
    *,
    actor: User,
    referral: Referral,
    recipient: str,
    notified_on: datetime.date,
    method: str,
    reference: str = "",
    notes: str = "",
    expected_version: int | None = None,
) -> Notification:
    with transaction.atomic():
        locked, framework = _lock(referral, expected_version)
        if Role.BUSINESS_MANAGER not in roles_in(actor, locked.partnership):
            raise NotAllowed("Only a business manager can record notifications")
        errors: dict[str, list[str]] = {}
        if recipient not in {r.id for r in framework.recipients}:
            errors["recipient"] = ["Select who was notified"]
        if notified_on > timezone.localdate():
            errors["notified_on"] = ["The date of the notification must be today or in the past"]
        elif notified_on < locked.aware_on:
            errors["notified_on"] = ["The notification cannot be before the partnership became aware"]
        if not method.strip():
            errors["method"] = ["Say how they were notified"]
        if errors:
            raise InvalidInput("There is a problem with the notification", field_errors=errors)
        notification = Notification.objects.create(
            referral=locked,
            recipient=recipient,
            notified_on=notified_on,
            method=method.strip(),
            reference=reference.strip(),
            notes=notes.strip(),
            recorded_by=actor,
        )
        label = next(r.label for r in framework.recipients if r.id == recipient)
        _record_event(locked, framework, f"notified:{recipient}", notified_on, actor, f"{label} notified")
        locked.version += 1
        locked.save(update_fields=["version", "updated_at"])
        audit_record(
            actor=actor,
            action="notification.record",
            summary=f"Recorded that {label} was notified of {locked.reference} on {notified_on:%d %B %Y}",
            target=notification,
            partnership=locked.partnership,
        )
    return notification


def assessment_record(
    *,
    actor: User,
    referral: Referral,
    answers: dict[str, bool | None],
    notes: str = "",
    expected_version: int | None = None,
) -> CriteriaAssessment:
    with transaction.atomic():
        locked, framework = _lock(referral, expected_version)
        transition = _check_transition(actor, locked, framework, "assess")
        known = {question.id for question in framework.criteria.questions}
        unknown_keys = set(answers) - known
        if unknown_keys:
            raise InvalidInput(f"Unknown criteria questions: {', '.join(sorted(unknown_keys))}")
        complete = {question_id: answers.get(question_id) for question_id in sorted(known)}
        result = assess_criteria(framework, complete)
        assessment = CriteriaAssessment.objects.create(
            referral=locked,
            answers=complete,
            outcome=result.outcome.id if result.outcome else "",
            criteria_met=result.outcome.met if result.outcome else None,
            explanation=result.explanation,
            notes=notes.strip(),
            assessed_by=actor,
        )
        _apply_transition(actor, locked, framework, transition, timezone.localdate(), result.explanation)
    return assessment


def recommendation_record(
    *, actor: User, referral: Referral, option: str, rationale: str, expected_version: int | None = None
) -> Recommendation:
    with transaction.atomic():
        locked, framework = _lock(referral, expected_version)
        transition = _check_transition(actor, locked, framework, "recommend")
        errors: dict[str, list[str]] = {}
        if option_named(framework.recommendation_options, option) is None:
            errors["option"] = ["Select a recommendation"]
        if not rationale.strip():
            errors["rationale"] = ["Explain the recommendation"]
        assessment = locked.assessments.order_by("-assessed_at", "-pk").first()
        if assessment is None:
            errors["option"] = [*errors.get("option", []), "Record the criteria assessment first"]
        if errors:
            raise InvalidInput("There is a problem with the recommendation", field_errors=errors)
        recommendation = Recommendation.objects.create(
            referral=locked, option=option, rationale=rationale.strip(), assessment=assessment, recorded_by=actor
        )
        _apply_transition(
            actor, locked, framework, transition, timezone.localdate(), rationale.strip(), [f"recommendation:{option}"]
        )
    return recommendation


def panel_response_record(
    *,
    actor: User,
    referral: Referral,
    received_on: datetime.date,
    summary: str,
    expected_version: int | None = None,
) -> PanelResponse:
    with transaction.atomic():
        locked, framework = _lock(referral, expected_version)
        transition = _check_transition(actor, locked, framework, "record_panel_response")
        errors: dict[str, list[str]] = {}
        if received_on > timezone.localdate():
            errors["received_on"] = ["The date must be today or in the past"]
        if not summary.strip():
            errors["summary"] = ["Summarise the Panel's response"]
        if errors:
            raise InvalidInput("There is a problem with the Panel's response", field_errors=errors)
        response = PanelResponse.objects.create(
            referral=locked, received_on=received_on, summary=summary.strip(), recorded_by=actor
        )
        _apply_transition(actor, locked, framework, transition, received_on, summary.strip())
    return response


def decision_record(
    *,
    actor: User,
    referral: Referral,
    option: str,
    rationale: str,
    differs_reason: str = "",
    expected_version: int | None = None,
) -> Decision:
    """The chair's decision. A decision that differs from the sub-group's recommendation needs a reason."""
    try:
        with transaction.atomic():
            locked, framework = _lock(referral, expected_version)
            if Decision.objects.filter(referral=locked).exists():
                # A conflict only for someone who could have decided; anyone else is refused as such.
                _check_role(actor, locked, framework, "decide")
                raise EditConflict("A decision has already been recorded for this referral")
            transition = _check_transition(actor, locked, framework, "decide")
            chosen = option_named(framework.decision_options, option)
            errors: dict[str, list[str]] = {}
            if chosen is None:
                errors["option"] = ["Select a decision"]
            if not rationale.strip():
                errors["rationale"] = ["Explain the decision"]
            recommendation = locked.recommendations.order_by("-recorded_at", "-pk").first()
            differs = recommendation is not None and recommendation.option != option
            if differs and not differs_reason.strip():
                errors["differs_reason"] = ["The decision differs from the recommendation: explain why"]
            if errors or chosen is None:
                raise InvalidInput("There is a problem with the decision", field_errors=errors)
            today = timezone.localdate()
            decision = Decision.objects.create(
                referral=locked,
                option=option,
                review_type=chosen.review_type or "",
                rationale=rationale.strip(),
                differs_reason=differs_reason.strip() if differs else "",
                decided_by=actor,
                decided_on=today,
            )
            _apply_transition(actor, locked, framework, transition, today, rationale.strip(), [f"decision:{option}"])
    except IntegrityError as error:
        raise EditConflict("A decision has already been recorded for this referral") from error
    return decision


def deadline_breach_reason_record(
    *, actor: User, deadline: Deadline, reason: str, expected_version: int | None = None
) -> Deadline:
    with transaction.atomic():
        locked = Deadline.objects.select_for_update().select_related("referral__partnership").get(pk=deadline.pk)
        if Role.BUSINESS_MANAGER not in roles_in(actor, locked.referral.partnership):
            raise NotAllowed("Only a business manager can record why a deadline was breached")
        if not locked.is_breached:
            raise InvalidInput("This deadline has not been breached")
        if expected_version is not None and locked.version != expected_version:
            who = locked.breach_reason_by.display_name if locked.breach_reason_by else "Someone else"
            raise EditConflict(
                f"{who} recorded a reason for this breach while you were writing yours. Nothing was saved: read "
                "their reason, then change it if needed."
            )
        if not reason.strip():
            raise InvalidInput(
                "Give the reason", field_errors={"reason": ["Give the reason the deadline was breached"]}
            )
        previous = locked.breach_reason
        locked.breach_reason = reason.strip()
        locked.breach_reason_by = actor
        locked.version += 1
        locked.save(update_fields=["breach_reason", "breach_reason_by", "version"])
        audit_record(
            actor=actor,
            action="deadline.breach_reason",
            summary=f"Recorded why “{locked.label}” on {locked.referral.reference} was breached",
            target=locked,
            partnership=locked.referral.partnership,
            changes={"breach_reason": [previous, locked.breach_reason]},
        )
    return locked
