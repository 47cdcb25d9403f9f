"""The referral journey through the services: submission, notification, screening, recommendation and
decision under both English frameworks, and every refusal leaving nothing half-saved."""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from casereviews.core.errors import Duplicate, EditConflict, InvalidInput, NotAllowed, TransitionNotAllowed
from casereviews.core.files import check_attachment, read_blob
from casereviews.core.models import AuditEvent
from casereviews.partnerships.models import Agency, Partnership, User
from casereviews.referrals.models import (
    Attachment,
    CriteriaAssessment,
    Deadline,
    DeadlineStatus,
    Decision,
    Notification,
    PanelResponse,
    Recommendation,
    Referral,
    ReferralEvent,
)
from casereviews.referrals.services import (
    assessment_record,
    decision_record,
    notification_record,
    panel_response_record,
    recommendation_record,
    referral_submit,
    referral_transition,
)
from tests.factories import make_referral, referral_input

pytestmark = pytest.mark.django_db

SUBMITTED_EMAIL_TASK = "casereviews.referrals.tasks.referral_submitted_email"
RECORDED_MODELS = (
    Referral,
    ReferralEvent,
    Deadline,
    Notification,
    CriteriaAssessment,
    Recommendation,
    PanelResponse,
    Decision,
    Attachment,
    AuditEvent,
    DBTaskResult,
)

# Answers under which each framework's criteria for a review are met.
LCSPR_ANSWERS: dict[str, bool | None] = {
    "abuse_or_neglect": True,
    "child_died": True,
    "recurrent_themes": True,
}
SCR_DEATH_ANSWERS: dict[str, bool | None] = {
    "abuse_or_neglect": True,
    "child_died": True,
    "death_in_custody": False,
}
SCR_BELOW_ANSWERS: dict[str, bool | None] = {
    "abuse_or_neglect": True,
    "child_died": False,
    "seriously_harmed": True,
    "working_together_concern": False,
    "death_in_custody": False,
}


@pytest.fixture
def today_is(monkeypatch: pytest.MonkeyPatch) -> Callable[[datetime.date], None]:
    """Fix the date the services take as today (they ask `timezone.localdate()`)."""
    real_localdate = timezone.localdate

    def set_today(day: datetime.date) -> None:
        def localdate(value: Any = None, timezone: Any = None) -> datetime.date:
            return day if value is None else real_localdate(value, timezone)

        monkeypatch.setattr("django.utils.timezone.localdate", localdate)

    return set_today


def row_counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in RECORDED_MODELS}


def deadlines_of(referral: Referral) -> dict[str, Deadline]:
    return {deadline.rule_id: deadline for deadline in Deadline.objects.filter(referral=referral)}


def current(referral: Referral) -> Referral:
    return Referral.objects.get(pk=referral.pk)


def advance(referral: Referral, people: Any, to_state: str) -> Referral:
    """Take a referral under either English framework along the usual path as far as `to_state`: the
    framework's screening state, "assessed" (screening, with an assessment), "recommended" or "decided"."""
    england_2023 = referral.framework_code == "england_2023"
    screening = "rapid_review" if england_2023 else "screening"
    answers = LCSPR_ANSWERS if england_2023 else SCR_DEATH_ANSWERS
    option = "lcspr" if england_2023 else "scr"
    steps: list[tuple[str, Callable[[], object]]] = [
        (
            screening,
            lambda: referral_transition(actor=people.manager, referral=referral, transition_id="accept"),
        ),
        ("assessed", lambda: assessment_record(actor=people.subgroup, referral=referral, answers=answers)),
        (
            "recommended",
            lambda: recommendation_record(
                actor=people.subgroup, referral=referral, option=option, rationale="Meets the criteria."
            ),
        ),
        (
            "decided",
            lambda: decision_record(
                actor=people.chair, referral=referral, option=option, rationale="A review will be held."
            ),
        ),
    ]
    for reached, step in steps:
        step()
        if reached == to_state:
            return current(referral)
    raise AssertionError(f"advance() does not know the state {to_state!r}")


# -- submission ------------------------------------------------------------------------------------


def test_referrals_are_numbered_by_partnership_and_year_of_submission(people, northshire, today_is):
    today_is(datetime.date(2025, 3, 10))
    first = make_referral(northshire, people.referrer)
    second = make_referral(northshire, people.other_referrer)
    assert (first.reference, second.reference) == ("NOR-2025-0001", "NOR-2025-0002")
    today_is(datetime.date(2026, 1, 5))
    assert make_referral(northshire, people.referrer).reference == "NOR-2026-0001"


def test_a_referral_is_handled_under_the_framework_in_force_on_the_incident_date(people, northshire):
    old = make_referral(
        northshire,
        people.referrer,
        incident_date=datetime.date(2017, 3, 14),
        aware_on=datetime.date(2017, 3, 15),
    )
    new = make_referral(northshire, people.referrer)
    assert (old.framework_code, old.state) == ("england_2015", "submitted")
    assert (new.framework_code, new.state) == ("england_2023", "submitted")


def test_submission_records_what_the_referrer_said_and_starts_the_clock(people, northshire, today_is):
    today_is(datetime.date(2024, 12, 23))
    agencies = list(Agency.objects.filter(partnership=northshire)[:2])
    referral = make_referral(
        northshire,
        people.referrer,
        incident_date=datetime.date(2024, 12, 19),
        aware_on=datetime.date(2024, 12, 20),
        child_reference="  NS-004711 ",
        agency_ids=[agency.pk for agency in agencies],
    )
    referral.refresh_from_db()
    assert referral.child_reference == "NS-004711"
    assert set(referral.agencies.all()) == set(agencies)
    assert referral.submitted_by == people.referrer
    assert referral.version == 1
    assert list(referral.events.values_list("name", "occurred_on")) == [
        ("referral_submitted", datetime.date(2024, 12, 23))
    ]
    deadline = deadlines_of(referral)["notify_panel"]
    # Aware on Friday 20 December 2024; Christmas Day and Boxing Day do not count: due Tuesday 31 December.
    assert (deadline.clock_start, deadline.due_on) == (
        datetime.date(2024, 12, 20),
        datetime.date(2024, 12, 31),
    )
    assert deadline.rule_text == "5 working days from 20 December 2024"
    assert set(deadlines_of(referral)) == {"notify_panel"}  # the rapid review waits for the notification


def test_a_2015_referral_starts_the_ofsted_notification_and_the_chairs_one_month_clocks(people, northshire, today_is):
    today_is(datetime.date(2017, 4, 12))
    referral = make_referral(
        northshire,
        people.referrer,
        incident_date=datetime.date(2017, 4, 10),
        aware_on=datetime.date(2017, 4, 11),
    )
    deadlines = deadlines_of(referral)
    assert set(deadlines) == {"notify_ofsted", "chair_decision"}
    # Aware Tuesday 11 April 2017: Good Friday (14th) and Easter Monday (17th) are skipped.
    assert deadlines["notify_ofsted"].due_on == datetime.date(2017, 4, 20)
    assert deadlines["chair_decision"].due_on == datetime.date(2017, 5, 11)
    assert deadlines["chair_decision"].unit == "calendar_months"


def test_the_new_referral_email_is_queued_only_once_the_referral_is_committed(
    people, northshire, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        make_referral(northshire, people.referrer)
    assert len(callbacks) == 1
    assert not DBTaskResult.objects.filter(task_path=SUBMITTED_EMAIL_TASK).exists()

    with django_capture_on_commit_callbacks(execute=True):
        referral = make_referral(northshire, people.referrer)
    queued = DBTaskResult.objects.get(task_path=SUBMITTED_EMAIL_TASK, args_kwargs__args=[referral.pk])
    assert queued.status == "READY"


# The worker closes its database connection after a task, which would end a test wrapped in a transaction.
@pytest.mark.django_db(transaction=True)
def test_the_worker_sends_the_business_managers_an_email_without_case_details(people, northshire, mailoutbox):
    referral = make_referral(northshire, people.referrer)
    call_command("db_worker", "--batch", "--no-startup-delay", "--max-tasks", "1")
    assert DBTaskResult.objects.get(task_path=SUBMITTED_EMAIL_TASK).status == "SUCCESSFUL"
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == [people.manager.email]
    assert message.subject == f"New referral {referral.reference}"
    assert referral.child_reference not in message.body
    assert "head injury" not in message.body


def test_attachments_are_checked_and_stored_by_content(people, northshire, settings, tmp_path):
    settings.FILE_STORE_ROOT = tmp_path
    checked = check_attachment("strategy-meeting.txt", b"Strategy meeting minutes, 4 March 2025.\n")
    referral = referral_submit(
        submitted_by=people.referrer, partnership=northshire, data=referral_input(), attachments=[checked]
    )
    attachment = referral.attachments.get()
    assert (attachment.filename, attachment.media_type, attachment.size) == (
        "strategy-meeting.txt",
        "text/plain",
        checked.size,
    )
    assert read_blob(attachment.sha256) == checked.data
    audit = AuditEvent.objects.get(action="referral.submit", object_id=str(referral.pk))
    assert audit.changes == {"attachments": ["strategy-meeting.txt"]}


# -- the journeys ----------------------------------------------------------------------------------


def test_the_2015_journey_from_referral_to_a_partnership_review_with_its_deadlines(people, northshire, today_is):
    today_is(datetime.date(2017, 4, 12))
    referral = make_referral(
        northshire,
        people.referrer,
        incident_date=datetime.date(2017, 4, 10),
        aware_on=datetime.date(2017, 4, 11),
    )

    today_is(datetime.date(2017, 4, 20))
    notification_record(
        actor=people.manager,
        referral=referral,
        recipient="ofsted",
        notified_on=datetime.date(2017, 4, 20),
        method="Ofsted serious incident form",
    )
    referral_transition(actor=people.manager, referral=referral, transition_id="accept")
    assert current(referral).state == "screening"

    today_is(datetime.date(2017, 4, 25))
    assessment = assessment_record(actor=people.subgroup, referral=referral, answers=SCR_BELOW_ANSWERS)
    assert (assessment.outcome, assessment.criteria_met) == ("below_criteria", False)
    recommendation = recommendation_record(
        actor=people.subgroup,
        referral=referral,
        option="partnership_review",
        rationale="Below the SCR criteria, but single-agency learning about bruising in non-mobile babies.",
    )
    assert recommendation.assessment == assessment
    assert current(referral).state == "recommended"

    today_is(datetime.date(2017, 5, 2))
    decision = decision_record(
        actor=people.chair,
        referral=referral,
        option="partnership_review",
        rationale="Agree with the sub-group: a SILP review.",
    )
    assert (decision.review_type, decision.decided_on, decision.differs_reason) == (
        "partnership_review",
        datetime.date(2017, 5, 2),
        "",
    )
    assert current(referral).state == "decided"

    deadlines = deadlines_of(referral)
    assert deadlines["notify_ofsted"].met_on == datetime.date(2017, 4, 20)
    assert deadlines["notify_ofsted"].status_on(datetime.date(2017, 5, 2)) == DeadlineStatus.MET
    assert deadlines["chair_decision"].met_on == datetime.date(2017, 5, 2)
    assert deadlines["chair_decision"].status_on(datetime.date(2017, 5, 2)) == DeadlineStatus.MET
    inform_panel = deadlines["inform_panel_other_review"]
    assert (inform_panel.clock_start, inform_panel.due_on, inform_panel.met_on) == (
        datetime.date(2017, 5, 2),
        datetime.date(2017, 5, 16),
        None,
    )

    today_is(datetime.date(2017, 5, 9))
    notification_record(
        actor=people.manager,
        referral=referral,
        recipient="national_panel",
        notified_on=datetime.date(2017, 5, 9),
        method="Letter with the reasons",
    )
    assert deadlines_of(referral)["inform_panel_other_review"].met_on == datetime.date(2017, 5, 9)
    referral_transition(actor=people.manager, referral=referral, transition_id="close")

    final = current(referral)
    assert final.state == "closed"
    assert final.version == 8  # every change moved the version on
    assert list(final.events.values_list("name", flat=True)) == [
        "referral_submitted",
        "notified:ofsted",
        "transition:accept",
        "transition:assess",
        "transition:recommend",
        "recommendation:partnership_review",
        "transition:decide",
        "decision:partnership_review",
        "notified:national_panel",
        "transition:close",
    ]


def test_the_2023_journey_from_referral_through_rapid_review_and_panel_response_to_an_lcspr(
    people, northshire, today_is
):
    today_is(datetime.date(2025, 4, 11))
    referral = make_referral(
        northshire,
        people.referrer,
        incident_date=datetime.date(2025, 4, 9),
        aware_on=datetime.date(2025, 4, 11),
    )
    # Aware Friday 11 April 2025: Good Friday and Easter Monday skipped, due Tuesday 22 April.
    assert deadlines_of(referral)["notify_panel"].due_on == datetime.date(2025, 4, 22)

    today_is(datetime.date(2025, 4, 14))
    notification_record(
        actor=people.manager,
        referral=referral,
        recipient="national_panel",
        notified_on=datetime.date(2025, 4, 14),
        method="Online serious incident notification",
    )
    referral_transition(actor=people.manager, referral=referral, transition_id="accept")
    assert current(referral).state == "rapid_review"
    rapid_review = deadlines_of(referral)["rapid_review"]
    # 15 working days from the notification on Monday 14 April, over Easter and the early May bank holiday.
    assert (rapid_review.clock_start, rapid_review.due_on) == (
        datetime.date(2025, 4, 14),
        datetime.date(2025, 5, 8),
    )

    today_is(datetime.date(2025, 5, 6))
    assessment_record(actor=people.subgroup, referral=referral, answers=LCSPR_ANSWERS)
    recommendation_record(
        actor=people.subgroup,
        referral=referral,
        option="lcspr",
        rationale="Recurrent theme of unseen men in the household.",
    )
    assert current(referral).state == "recommended"
    assert deadlines_of(referral)["rapid_review"].met_on == datetime.date(2025, 5, 6)

    today_is(datetime.date(2025, 5, 20))
    panel_response_record(
        actor=people.manager,
        referral=referral,
        received_on=datetime.date(2025, 5, 19),
        summary="The Panel agrees that a local review is appropriate.",
    )
    assert current(referral).state == "panel_responded"

    today_is(datetime.date(2025, 5, 27))
    decision = decision_record(
        actor=people.chair,
        referral=referral,
        option="lcspr",
        rationale="The safeguarding partners commission an LCSPR.",
    )
    assert decision.review_type == "lcspr"
    referral_transition(actor=people.manager, referral=referral, transition_id="close")

    assert current(referral).state == "closed"
    statuses = {rule: d.status_on(datetime.date(2025, 5, 27)) for rule, d in deadlines_of(referral).items()}
    assert statuses == {"notify_panel": DeadlineStatus.MET, "rapid_review": DeadlineStatus.MET}


def test_an_assessment_records_the_answers_the_result_and_the_explanation(people, northshire):
    referral = advance(make_referral(northshire, people.referrer), people, "rapid_review")
    assessment = assessment_record(
        actor=people.subgroup,
        referral=referral,
        answers=LCSPR_ANSWERS,
        notes="Discussed at the rapid review meeting.",
    )
    assert (assessment.outcome, assessment.criteria_met) == ("lcspr_criteria", True)
    assert assessment.explanation == (
        "Criteria met: the safeguarding partners should commission a local child safeguarding practice "
        "review because abuse or neglect is known or suspected and the child died and the case highlights "
        "recurrent themes."
    )
    # Every question is stored, unanswered ones as unknown, so the record shows what was not known.
    assert assessment.answers["panel_suggests_local"] is None
    assert len(assessment.answers) == 7
    assert current(referral).state == "rapid_review"
    assert referral.events.get(name="transition:assess").note == assessment.explanation


def test_an_assessment_with_answers_missing_that_matter_is_kept_as_undecided(people, northshire):
    referral = advance(make_referral(northshire, people.referrer), people, "rapid_review")
    assessment = assessment_record(
        actor=people.subgroup, referral=referral, answers={"abuse_or_neglect": True, "seriously_harmed": True}
    )
    assert (assessment.outcome, assessment.criteria_met) == ("", None)
    assert assessment.explanation.startswith("The criteria cannot be decided yet: answer")


def test_an_assessment_answering_a_question_the_framework_does_not_ask_is_refused(people, northshire):
    referral = advance(make_referral(northshire, people.referrer), people, "rapid_review")
    before = row_counts()
    with pytest.raises(InvalidInput, match="Unknown criteria questions: child_was_famous"):
        assessment_record(actor=people.subgroup, referral=referral, answers={"child_was_famous": True})
    assert row_counts() == before


def test_a_recommendation_needs_a_criteria_assessment_first(people, northshire):
    referral = advance(make_referral(northshire, people.referrer), people, "rapid_review")
    before = row_counts()
    with pytest.raises(InvalidInput) as refused:
        recommendation_record(actor=people.subgroup, referral=referral, option="lcspr", rationale="Obvious.")
    assert refused.value.field_errors == {"option": ["Record the criteria assessment first"]}
    assert row_counts() == before
    assert current(referral).state == "rapid_review"


def test_a_recommendation_needs_a_known_option_and_a_rationale(people, northshire):
    referral = advance(make_referral(northshire, people.referrer), people, "assessed")
    with pytest.raises(InvalidInput) as refused:
        recommendation_record(actor=people.subgroup, referral=referral, option="scr", rationale="  ")
    assert refused.value.field_errors == {
        "option": ["Select a recommendation"],
        "rationale": ["Explain the recommendation"],
    }


def test_a_decision_that_differs_from_the_recommendation_without_a_reason_is_refused_and_nothing_saved(
    people, northshire
):
    referral = advance(make_referral(northshire, people.referrer), people, "recommended")
    before = row_counts()
    with pytest.raises(InvalidInput) as refused:
        decision_record(
            actor=people.chair,
            referral=referral,
            option="no_review",
            rationale="Single-agency learning is enough.",
            expected_version=referral.version,
        )
    assert refused.value.field_errors == {
        "differs_reason": ["The decision differs from the recommendation: explain why"]
    }
    assert row_counts() == before
    after = current(referral)
    assert (after.state, after.version) == ("recommended", referral.version)


def test_a_decision_that_differs_from_the_recommendation_is_recorded_with_its_reason(people, northshire):
    referral = advance(make_referral(northshire, people.referrer), people, "recommended")
    decision = decision_record(
        actor=people.chair,
        referral=referral,
        option="national_review",
        rationale="A national review.",
        differs_reason="  The Panel asked for it. ",
    )
    assert (decision.option, decision.review_type, decision.differs_reason) == (
        "national_review",
        "national_review",
        "The Panel asked for it.",
    )


def test_a_reason_for_differing_is_not_kept_when_the_decision_follows_the_recommendation(people, northshire):
    referral = advance(make_referral(northshire, people.referrer), people, "recommended")
    decision = decision_record(
        actor=people.chair,
        referral=referral,
        option="lcspr",
        rationale="As recommended.",
        differs_reason="Not needed",
    )
    assert decision.differs_reason == ""


def test_a_decision_needs_a_known_option_and_a_rationale(people, northshire):
    referral = advance(make_referral(northshire, people.referrer), people, "recommended")
    before = row_counts()
    with pytest.raises(InvalidInput) as refused:
        decision_record(
            actor=people.chair,
            referral=referral,
            option="public_inquiry",
            rationale="",
            differs_reason="The minister wants one.",
        )
    assert refused.value.field_errors == {
        "option": ["Select a decision"],
        "rationale": ["Explain the decision"],
    }
    assert row_counts() == before


# -- refusals: who may do what ---------------------------------------------------------------------

OUTSIDERS = ["referrer", "agency_lead", "reviewer", "analyst", "other_manager", "outsider"]


def notify(people: Any, actor: User, referral: Referral) -> object:
    return notification_record(
        actor=actor,
        referral=referral,
        recipient="national_panel",
        notified_on=datetime.date(2025, 3, 5),
        method="Online form",
    )


STEPS: dict[str, tuple[str, Callable[[Any, User, Referral], object]]] = {
    # step: (the state the referral must be in, the call)
    "notify": ("submitted", notify),
    "accept": (
        "submitted",
        lambda people, actor, referral: referral_transition(actor=actor, referral=referral, transition_id="accept"),
    ),
    "withdraw": (
        "submitted",
        lambda people, actor, referral: referral_transition(
            actor=actor, referral=referral, transition_id="withdraw", reason="Not a safeguarding matter"
        ),
    ),
    "assess": (
        "rapid_review",
        lambda people, actor, referral: assessment_record(actor=actor, referral=referral, answers=LCSPR_ANSWERS),
    ),
    "recommend": (
        "assessed",
        lambda people, actor, referral: recommendation_record(
            actor=actor, referral=referral, option="lcspr", rationale="Meets the criteria."
        ),
    ),
    "panel_response": (
        "recommended",
        lambda people, actor, referral: panel_response_record(
            actor=actor, referral=referral, received_on=datetime.date(2025, 4, 1), summary="Agreed."
        ),
    ),
    "decide": (
        "recommended",
        lambda people, actor, referral: decision_record(
            actor=actor, referral=referral, option="lcspr", rationale="Agreed."
        ),
    ),
    "close": (
        "decided",
        lambda people, actor, referral: referral_transition(actor=actor, referral=referral, transition_id="close"),
    ),
}
# Case staff of the partnership who nonetheless do not take this step.
WRONG_STAFF = {
    "notify": ["subgroup", "chair"],
    "accept": ["subgroup", "chair"],
    "withdraw": ["subgroup", "chair"],
    "assess": ["manager", "chair"],
    "recommend": ["manager", "chair"],
    "panel_response": ["subgroup", "chair"],
    "decide": ["manager", "subgroup"],
    "close": ["subgroup", "chair"],
}


def referral_ready_for(step: str, people: Any, partnership: Partnership) -> Referral:
    state = STEPS[step][0]
    referral = make_referral(partnership, people.referrer)
    return referral if state == "submitted" else advance(referral, people, state)


@pytest.mark.parametrize("step", list(STEPS))
def test_only_the_role_the_framework_names_may_take_each_step(step, people, northshire):
    referral = referral_ready_for(step, people, northshire)
    before = row_counts()
    not_refused = []
    for persona in OUTSIDERS + WRONG_STAFF[step]:
        try:
            STEPS[step][1](people, getattr(people, persona), referral)
        except NotAllowed:
            continue
        not_refused.append(persona)
    assert not_refused == []
    assert row_counts() == before
    assert current(referral).version == referral.version


@pytest.mark.parametrize("persona", ["analyst", "other_manager", "outsider"])
def test_only_members_of_the_partnership_may_refer_a_case_to_it(persona, people, northshire):
    before = row_counts()
    with pytest.raises(NotAllowed, match="not a member of Northshire"):
        make_referral(northshire, getattr(people, persona))
    assert row_counts() == before


@pytest.mark.parametrize("persona", ["agency_lead", "reviewer", "subgroup"])
def test_any_professional_of_the_partnership_may_refer_a_case(persona, people, northshire):
    assert make_referral(northshire, getattr(people, persona)).submitted_by == getattr(people, persona)


# -- refusals: steps the framework does not allow now ----------------------------------------------


@pytest.mark.parametrize(
    ("state", "call", "message"),
    [
        pytest.param(
            "submitted",
            lambda p, r: decision_record(actor=p.chair, referral=r, option="lcspr", rationale="x"),
            "You cannot record the safeguarding partners' decision now: the referral is at “Referral received”",
            id="decide-before-screening",
        ),
        pytest.param(
            "submitted",
            lambda p, r: assessment_record(actor=p.subgroup, referral=r, answers={}),
            "You cannot record the criteria assessment now",
            id="assess-before-accepting",
        ),
        pytest.param(
            "rapid_review",
            lambda p, r: referral_transition(actor=p.manager, referral=r, transition_id="accept"),
            "You cannot start the rapid review now: the referral is at “Rapid review under way”",
            id="accept-twice",
        ),
        pytest.param(
            "rapid_review",
            lambda p, r: panel_response_record(
                actor=p.manager, referral=r, received_on=datetime.date(2025, 4, 1), summary="Early."
            ),
            "You cannot record the panel's response now",
            id="panel-response-before-recommendation",
        ),
        pytest.param(
            "decided",
            lambda p, r: referral_transition(actor=p.manager, referral=r, transition_id="withdraw", reason="Late"),
            "You cannot withdraw the referral now: the referral is at “Decision made”",
            id="withdraw-after-decision",
        ),
        pytest.param(
            "decided",
            lambda p, r: recommendation_record(actor=p.subgroup, referral=r, option="lcspr", rationale="Again."),
            "You cannot record the rapid review's recommendation now",
            id="recommend-after-decision",
        ),
    ],
)
def test_a_step_the_framework_does_not_allow_from_the_current_state_is_refused(
    state, call, message, people, northshire
):
    referral = make_referral(northshire, people.referrer)
    if state != "submitted":
        referral = advance(referral, people, state)
    before = row_counts()
    with pytest.raises(TransitionNotAllowed) as refused:
        call(people, referral)
    assert refused.value.message.startswith(message)
    assert row_counts() == before
    assert current(referral).state == state


def test_a_step_the_framework_does_not_have_is_refused(people, northshire):
    referral = advance(
        make_referral(
            northshire,
            people.referrer,
            incident_date=datetime.date(2017, 3, 14),
            aware_on=datetime.date(2017, 3, 15),
        ),
        people,
        "recommended",
    )
    with pytest.raises(TransitionNotAllowed, match="has no step called 'record_panel_response'"):
        panel_response_record(
            actor=people.manager,
            referral=referral,
            received_on=datetime.date(2017, 4, 1),
            summary="There is no Panel response under the 2015 framework.",
        )


def test_a_step_that_records_something_cannot_be_taken_without_its_form(people, northshire):
    referral = advance(make_referral(northshire, people.referrer), people, "recommended")
    with pytest.raises(TransitionNotAllowed, match="needs its own form"):
        referral_transition(actor=people.chair, referral=referral, transition_id="decide")
    assert not Decision.objects.exists()


def test_a_step_that_needs_a_reason_is_refused_without_one(people, northshire):
    referral = make_referral(northshire, people.referrer)
    before = row_counts()
    with pytest.raises(InvalidInput) as refused:
        referral_transition(actor=people.manager, referral=referral, transition_id="withdraw", reason="   ")
    assert refused.value.field_errors == {"reason": ["Give a reason for this step"]}
    assert row_counts() == before


def test_the_chair_may_return_a_recommendation_to_screening_with_a_reason(people, northshire):
    referral = advance(make_referral(northshire, people.referrer), people, "recommended")
    referral_transition(
        actor=people.chair,
        referral=referral,
        transition_id="return_to_screening",
        reason="The health chronology is missing.",
    )
    assert current(referral).state == "rapid_review"
    assert referral.events.get(name="transition:return_to_screening").note == "The health chronology is missing."


# -- refusals: bad input ---------------------------------------------------------------------------

TODAY = datetime.date(2025, 3, 10)


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        (
            {"incident_date": datetime.date(2025, 3, 5), "aware_on": datetime.date(2025, 3, 4)},
            "aware_on",
            "The partnership cannot have become aware before the incident happened",
        ),
        (
            {"incident_date": datetime.date(2025, 3, 11), "aware_on": datetime.date(2025, 3, 11)},
            "incident_date",
            "The date of the incident must be today or in the past",
        ),
        (
            {"aware_on": datetime.date(2025, 3, 11)},
            "aware_on",
            "The date the partnership became aware must be today or in the past",
        ),
        (
            {"child_age_years": None, "child_date_of_birth": None},
            "child_date_of_birth",
            "Enter the child's date of birth or their age",
        ),
        (
            {"child_date_of_birth": datetime.date(2025, 3, 4)},
            "child_date_of_birth",
            "The child's date of birth must be before the incident",
        ),
        (
            {"child_date_of_birth": datetime.date(2005, 1, 1)},
            "child_date_of_birth",
            "The child must have been under 18 at the time of the incident",
        ),
        ({"child_age_years": 18}, "child_age_years", "Enter an age from 0 to 17"),
        ({"what_happened": "   "}, "what_happened", "Enter this information"),
        ({"referrer_email": ""}, "referrer_email", "Enter this information"),
        ({"harm_outcome": "bruised"}, "harm_outcome", "Select one of the options"),
        ({"looked_after": "maybe"}, "looked_after", "Select one of the options"),
        (
            {"incident_date": datetime.date(2005, 1, 1), "aware_on": datetime.date(2005, 1, 2)},
            "incident_date",
            "No statutory framework is recorded for this partnership on that date",
        ),
    ],
)
def test_an_invalid_referral_is_refused_field_by_field_and_creates_nothing(
    overrides, field, message, people, northshire, today_is
):
    today_is(TODAY)
    before = row_counts()
    with pytest.raises(InvalidInput) as refused:
        make_referral(northshire, people.referrer, **overrides)
    assert message in refused.value.field_errors[field]
    assert row_counts() == before


def test_agencies_of_another_partnership_are_refused(people, northshire, glanmor):
    welsh_police = Agency.objects.get(partnership=glanmor, name="Police")
    own = Agency.objects.get(partnership=northshire, name="Police")
    before = row_counts()
    with pytest.raises(InvalidInput) as refused:
        make_referral(northshire, people.referrer, agency_ids=[own.pk, welsh_police.pk])
    assert refused.value.field_errors == {"agency_ids": ["Select agencies of this partnership only"]}
    assert row_counts() == before


def test_every_problem_with_a_referral_is_reported_at_once(people, northshire, today_is):
    today_is(TODAY)
    with pytest.raises(InvalidInput) as refused:
        make_referral(
            northshire,
            people.referrer,
            child_reference="",
            child_age_years=None,
            incident_date=datetime.date(2025, 3, 12),
            aware_on=datetime.date(2025, 3, 11),
        )
    assert set(refused.value.field_errors) == {
        "child_reference",
        "child_date_of_birth",
        "incident_date",
        "aware_on",
    }


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"recipient": "the_press"}, "recipient", "Select who was notified"),
        (
            {"notified_on": datetime.date(2025, 3, 11)},
            "notified_on",
            "The date of the notification must be today or in the past",
        ),
        (
            {"notified_on": datetime.date(2025, 3, 3)},
            "notified_on",
            "The notification cannot be before the partnership became aware",
        ),
        ({"method": " "}, "method", "Say how they were notified"),
    ],
)
def test_an_invalid_notification_is_refused_and_nothing_saved(changes, field, message, people, northshire, today_is):
    today_is(TODAY)
    referral = make_referral(northshire, people.referrer)  # aware on 4 March 2025
    values = {
        "recipient": "national_panel",
        "notified_on": datetime.date(2025, 3, 5),
        "method": "Online form",
    }
    before = row_counts()
    with pytest.raises(InvalidInput) as refused:
        notification_record(actor=people.manager, referral=referral, **{**values, **changes})
    assert refused.value.field_errors == {field: [message]}
    assert row_counts() == before


def test_an_invalid_panel_response_is_refused_and_nothing_saved(people, northshire, today_is):
    today_is(TODAY)
    referral = advance(make_referral(northshire, people.referrer), people, "recommended")
    before = row_counts()
    with pytest.raises(InvalidInput) as refused:
        panel_response_record(
            actor=people.manager, referral=referral, received_on=datetime.date(2025, 3, 11), summary=""
        )
    assert refused.value.field_errors == {
        "received_on": ["The date must be today or in the past"],
        "summary": ["Summarise the Panel's response"],
    }
    assert row_counts() == before


# -- duplicates and conflicting edits --------------------------------------------------------------


def test_submitting_the_same_referral_twice_returns_the_first_and_creates_nothing_more(people, northshire):
    key = uuid.uuid4()
    first = referral_submit(
        submitted_by=people.referrer, partnership=northshire, data=referral_input(), submission_key=key
    )
    before = row_counts()
    with pytest.raises(Duplicate) as refused:
        referral_submit(submitted_by=people.referrer, partnership=northshire, data=referral_input(), submission_key=key)
    assert refused.value.existing == first
    assert row_counts() == before


def test_a_change_made_against_an_older_version_is_refused_and_says_who_changed_it(people, northshire):
    referral = make_referral(northshire, people.referrer)
    loaded_version = referral.version
    notify(people, people.manager, referral)
    before = row_counts()
    with pytest.raises(EditConflict) as refused:
        referral_transition(
            actor=people.manager, referral=referral, transition_id="accept", expected_version=loaded_version
        )
    assert refused.value.message.startswith(
        "This referral was changed by Bella (the child safeguarding practice review panel notified)"
    )
    assert "Nothing you entered has been saved" in refused.value.message
    assert row_counts() == before
    assert current(referral).state == "submitted"


def test_a_change_made_against_the_current_version_goes_through(people, northshire):
    referral = make_referral(northshire, people.referrer)
    notify(people, people.manager, referral)
    referral = current(referral)
    referral_transition(
        actor=people.manager, referral=referral, transition_id="accept", expected_version=referral.version
    )
    assert current(referral).version == referral.version + 1


def test_a_stale_decision_is_refused_and_nothing_saved(people, northshire):
    referral = advance(make_referral(northshire, people.referrer), people, "recommended")
    before = row_counts()
    with pytest.raises(EditConflict):
        decision_record(
            actor=people.chair,
            referral=referral,
            option="lcspr",
            rationale="Agreed.",
            expected_version=referral.version - 1,
        )
    assert row_counts() == before


def test_a_second_decision_is_refused_as_a_conflict(people, northshire):
    referral = advance(make_referral(northshire, people.referrer), people, "decided")
    before = row_counts()
    with pytest.raises(EditConflict, match="A decision has already been recorded"):
        decision_record(
            actor=people.second_chair,
            referral=referral,
            option="no_review",
            rationale="I disagree.",
            differs_reason="No learning beyond one agency.",
        )
    assert row_counts() == before
    assert Decision.objects.get(referral=referral).decided_by == people.chair
