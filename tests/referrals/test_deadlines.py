"""Statutory deadlines: started, met and cancelled by what happens to the referral, on real calendars."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from casereviews.core.calendar import Calendar
from casereviews.core.errors import InvalidInput, NotAllowed
from casereviews.core.models import AuditEvent
from casereviews.referrals.models import Deadline, DeadlineStatus, Referral
from casereviews.referrals.services import (
    assessment_record,
    deadline_breach_reason_record,
    decision_record,
    notification_record,
    recommendation_record,
    referral_transition,
)
from tests.factories import make_referral

D = datetime.date
SCR_DEATH_ANSWERS: dict[str, bool | None] = {
    "abuse_or_neglect": True,
    "child_died": True,
    "death_in_custody": False,
}


@pytest.fixture
def today_is(monkeypatch: pytest.MonkeyPatch) -> Callable[[datetime.date], None]:
    """Fix the date the services and `Deadline.status` take as today (they ask `timezone.localdate()`)."""
    real_localdate = timezone.localdate

    def set_today(day: datetime.date) -> None:
        def localdate(value: Any = None, timezone: Any = None) -> datetime.date:
            return day if value is None else real_localdate(value, timezone)

        monkeypatch.setattr("django.utils.timezone.localdate", localdate)

    return set_today


def deadlines_of(referral: Referral) -> dict[str, Deadline]:
    return {deadline.rule_id: deadline for deadline in Deadline.objects.filter(referral=referral)}


def notify(people: Any, referral: Referral, recipient: str, on: datetime.date) -> None:
    notification_record(
        actor=people.manager, referral=referral, recipient=recipient, notified_on=on, method="Secure e-mail"
    )


def referral_2015(people: Any, partnership: Any, aware_on: datetime.date, **overrides: Any) -> Referral:
    return make_referral(partnership, people.referrer, incident_date=aware_on, aware_on=aware_on, **overrides)


def decide_2015(people: Any, referral: Referral, recommended: str, decided: str) -> None:
    referral_transition(actor=people.manager, referral=referral, transition_id="accept")
    assessment_record(actor=people.subgroup, referral=referral, answers=SCR_DEATH_ANSWERS)
    recommendation_record(actor=people.subgroup, referral=referral, option=recommended, rationale="Considered.")
    decision_record(
        actor=people.chair,
        referral=referral,
        option=decided,
        rationale="Decided.",
        differs_reason="" if recommended == decided else "The family asked for a review.",
    )


# -- status ----------------------------------------------------------------------------------------


def christmas_deadline(**fields: Any) -> Deadline:
    """Five working days from Friday 20 December 2024: due Tuesday 31 December."""
    return Deadline(
        clock_start=D(2024, 12, 20),
        length=5,
        unit="working_days",
        calendar=Calendar.ENGLAND_AND_WALES.value,
        due_on=D(2024, 12, 31),
        **fields,
    )


def test_a_deadline_is_pending_until_two_working_days_remain():
    deadline = christmas_deadline()
    # On Christmas Eve three working days remain (27, 30 and 31 December), however close the date looks.
    assert deadline.status_on(D(2024, 12, 24)) == DeadlineStatus.PENDING
    assert deadline.status_on(D(2024, 12, 27)) == DeadlineStatus.DUE_SOON
    assert deadline.status_on(D(2024, 12, 31)) == DeadlineStatus.DUE_SOON


def test_a_deadline_not_met_by_its_due_date_is_overdue_the_day_after():
    assert christmas_deadline().status_on(D(2025, 1, 1)) == DeadlineStatus.OVERDUE


def test_a_deadline_met_on_or_before_its_due_date_is_met_and_after_it_met_late():
    assert christmas_deadline(met_on=D(2024, 12, 31)).status_on(D(2025, 2, 1)) == DeadlineStatus.MET
    assert christmas_deadline(met_on=D(2025, 1, 2)).status_on(D(2025, 2, 1)) == DeadlineStatus.MET_LATE


def test_a_cancelled_deadline_is_no_longer_needed_even_after_its_due_date():
    deadline = christmas_deadline(cancelled_on=D(2024, 12, 23))
    assert deadline.status_on(D(2025, 3, 1)) == DeadlineStatus.CANCELLED
    assert not deadline.is_open


# -- notification against the 5-working-day deadline -----------------------------------------------


@pytest.mark.django_db
def test_notifying_the_panel_within_five_working_days_meets_the_deadline(people, northshire, today_is):
    today_is(D(2024, 12, 23))
    referral = make_referral(northshire, people.referrer, incident_date=D(2024, 12, 19), aware_on=D(2024, 12, 20))
    today_is(D(2024, 12, 31))
    notify(people, referral, "national_panel", D(2024, 12, 31))
    deadline = deadlines_of(referral)["notify_panel"]
    assert deadline.met_on == D(2024, 12, 31)
    assert deadline.status == DeadlineStatus.MET
    assert not deadline.is_breached


@pytest.mark.django_db
def test_notifying_the_panel_late_is_met_late_and_counts_as_a_breach(people, northshire, today_is):
    today_is(D(2024, 12, 23))
    referral = make_referral(northshire, people.referrer, incident_date=D(2024, 12, 19), aware_on=D(2024, 12, 20))
    today_is(D(2025, 1, 2))
    notify(people, referral, "national_panel", D(2025, 1, 2))
    deadline = deadlines_of(referral)["notify_panel"]
    assert (deadline.due_on, deadline.met_on) == (D(2024, 12, 31), D(2025, 1, 2))
    assert deadline.status == DeadlineStatus.MET_LATE
    assert deadline.is_breached


@pytest.mark.django_db
def test_notifying_someone_else_does_not_meet_the_panel_deadline(people, northshire, today_is):
    today_is(D(2024, 12, 23))
    referral = make_referral(northshire, people.referrer, incident_date=D(2024, 12, 19), aware_on=D(2024, 12, 20))
    notify(people, referral, "ofsted", D(2024, 12, 23))
    deadline = deadlines_of(referral)["notify_panel"]
    assert deadline.met_on is None
    assert "rapid_review" not in deadlines_of(referral)
    today_is(D(2025, 1, 1))
    assert deadline.status == DeadlineStatus.OVERDUE


@pytest.mark.django_db
def test_the_2015_ofsted_deadline_is_met_by_notifying_ofsted(people, northshire, today_is):
    today_is(D(2017, 4, 12))
    referral = referral_2015(people, northshire, D(2017, 4, 11))
    notify(people, referral, "board", D(2017, 4, 12))
    assert deadlines_of(referral)["notify_ofsted"].met_on is None
    notify(people, referral, "ofsted", D(2017, 4, 12))
    assert deadlines_of(referral)["notify_ofsted"].met_on == D(2017, 4, 12)


# -- the reason for a breach -----------------------------------------------------------------------


@pytest.fixture
def late_notification(people, northshire, today_is) -> Deadline:
    today_is(D(2024, 12, 23))
    referral = make_referral(northshire, people.referrer, incident_date=D(2024, 12, 19), aware_on=D(2024, 12, 20))
    today_is(D(2025, 1, 6))
    notify(people, referral, "national_panel", D(2025, 1, 6))
    return deadlines_of(referral)["notify_panel"]


@pytest.mark.django_db
def test_the_business_manager_records_why_a_deadline_was_breached_and_it_is_audited(people, late_notification):
    reason = "The hospital told us only on 3 January; the duty manager was on leave."
    deadline = deadline_breach_reason_record(actor=people.manager, deadline=late_notification, reason=f" {reason} ")
    deadline.refresh_from_db()
    assert (deadline.breach_reason, deadline.breach_reason_by) == (reason, people.manager)
    entry = AuditEvent.objects.filter(action="deadline.breach_reason").get()
    assert entry.changes == {"breach_reason": ["", reason]}
    assert entry.actor == people.manager


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["referrer", "chair", "subgroup", "agency_lead", "other_manager", "analyst"])
def test_only_the_business_manager_records_why_a_deadline_was_breached(persona, people, late_notification):
    with pytest.raises(NotAllowed):
        deadline_breach_reason_record(actor=getattr(people, persona), deadline=late_notification, reason="Busy")
    late_notification.refresh_from_db()
    assert late_notification.breach_reason == ""


@pytest.mark.django_db
def test_a_breach_reason_must_be_given(people, late_notification):
    with pytest.raises(InvalidInput) as refused:
        deadline_breach_reason_record(actor=people.manager, deadline=late_notification, reason="  ")
    assert refused.value.field_errors == {"reason": ["Give the reason the deadline was breached"]}


@pytest.mark.django_db
def test_no_breach_reason_is_taken_for_a_deadline_that_was_met_on_time(people, northshire, today_is):
    today_is(D(2024, 12, 23))
    referral = make_referral(northshire, people.referrer, incident_date=D(2024, 12, 19), aware_on=D(2024, 12, 20))
    notify(people, referral, "national_panel", D(2024, 12, 23))
    with pytest.raises(InvalidInput, match="has not been breached"):
        deadline_breach_reason_record(
            actor=people.manager, deadline=deadlines_of(referral)["notify_panel"], reason="Just in case"
        )


@pytest.mark.django_db
def test_an_overdue_deadline_takes_a_breach_reason_before_it_is_met(people, northshire, today_is):
    today_is(D(2024, 12, 23))
    referral = make_referral(northshire, people.referrer, incident_date=D(2024, 12, 19), aware_on=D(2024, 12, 20))
    today_is(D(2025, 1, 3))
    deadline = deadlines_of(referral)["notify_panel"]
    assert deadline.status == DeadlineStatus.OVERDUE
    deadline_breach_reason_record(actor=people.manager, deadline=deadline, reason="Awaiting police confirmation.")
    deadline.refresh_from_db()
    assert deadline.breach_reason == "Awaiting police confirmation."


# -- 2023: the rapid review clock -------------------------------------------------------------------


@pytest.mark.django_db
def test_the_rapid_review_clock_starts_on_the_date_the_panel_was_notified(people, northshire, today_is):
    # Aware Monday 7 April 2025, referral submitted the next day; the Panel is notified on Monday 14 April
    # and that is recorded a day later. The clock runs from the notification, not from awareness or recording.
    today_is(D(2025, 4, 8))
    referral = make_referral(northshire, people.referrer, incident_date=D(2025, 4, 6), aware_on=D(2025, 4, 7))
    today_is(D(2025, 4, 15))
    notify(people, referral, "national_panel", D(2025, 4, 14))
    rapid_review = deadlines_of(referral)["rapid_review"]
    # 15 working days from Monday 14 April 2025: Good Friday, Easter Monday and 5 May skipped.
    assert (rapid_review.clock_start, rapid_review.due_on) == (D(2025, 4, 14), D(2025, 5, 8))
    assert rapid_review.rule_text == "15 working days from 14 April 2025"


@pytest.mark.django_db
def test_a_late_panel_notification_moves_the_rapid_review_clock_with_it(people, northshire, today_is):
    today_is(D(2024, 12, 23))
    referral = make_referral(northshire, people.referrer, incident_date=D(2024, 12, 19), aware_on=D(2024, 12, 20))
    today_is(D(2025, 1, 2))
    notify(people, referral, "national_panel", D(2025, 1, 2))
    # From Thursday 2 January 2025: Fri 3 (1), 6–10 (2–6), 13–17 (7–11), Mon 20 to Thu 23 (12–15).
    assert deadlines_of(referral)["rapid_review"].due_on == D(2025, 1, 23)


@pytest.mark.django_db
def test_the_rapid_review_is_met_by_the_recommendation(people, northshire, today_is):
    today_is(D(2025, 4, 14))
    referral = make_referral(northshire, people.referrer, incident_date=D(2025, 4, 10), aware_on=D(2025, 4, 11))
    notify(people, referral, "national_panel", D(2025, 4, 14))
    referral_transition(actor=people.manager, referral=referral, transition_id="accept")
    today_is(D(2025, 5, 9))
    assessment_record(
        actor=people.subgroup,
        referral=referral,
        answers={"abuse_or_neglect": True, "child_died": True, "organisations_concern": True},
    )
    assert deadlines_of(referral)["rapid_review"].met_on is None  # assessing is not the recommendation
    recommendation_record(actor=people.subgroup, referral=referral, option="lcspr", rationale="Two agencies.")
    rapid_review = deadlines_of(referral)["rapid_review"]
    assert rapid_review.met_on == D(2025, 5, 9)
    assert rapid_review.status == DeadlineStatus.MET_LATE  # due Thursday 8 May


# -- 2023: a looked-after child's death ------------------------------------------------------------


@pytest.mark.django_db
def test_a_looked_after_childs_death_starts_the_secretary_of_state_and_ofsted_notification(
    people, northshire, today_is
):
    today_is(D(2025, 3, 5))
    referral = make_referral(northshire, people.referrer, looked_after="yes", harm_outcome="died")
    deadline = deadlines_of(referral)["notify_looked_after_death"]
    assert (deadline.clock_start, deadline.due_on) == (D(2025, 3, 4), D(2025, 3, 11))
    assert "confirm" not in deadline.basis  # the flag lives in the definition, the basis cites the source

    notify(people, referral, "secretary_of_state", D(2025, 3, 5))
    assert deadlines_of(referral)["notify_looked_after_death"].met_on is None  # Ofsted not yet told
    today_is(D(2025, 3, 7))
    notify(people, referral, "ofsted", D(2025, 3, 7))
    assert deadlines_of(referral)["notify_looked_after_death"].met_on == D(2025, 3, 7)
    assert deadlines_of(referral)["notify_panel"].met_on is None  # the Panel is a separate duty


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("looked_after", "harm_outcome"),
    [("no", "died"), ("unknown", "died"), ("yes", "seriously_harmed")],
)
def test_no_looked_after_death_notification_is_due_otherwise(looked_after, harm_outcome, people, northshire):
    referral = make_referral(northshire, people.referrer, looked_after=looked_after, harm_outcome=harm_outcome)
    assert set(deadlines_of(referral)) == {"notify_panel"}


# -- 2015: the decision and what follows -----------------------------------------------------------


@pytest.mark.django_db
def test_deciding_on_no_review_under_2015_gives_14_days_to_inform_the_panel(people, northshire, today_is):
    today_is(D(2017, 4, 12))
    referral = referral_2015(people, northshire, D(2017, 4, 11))
    today_is(D(2017, 5, 2))
    decide_2015(people, referral, recommended="no_review", decided="no_review")
    deadlines = deadlines_of(referral)
    inform = deadlines["inform_panel_no_scr"]
    assert (inform.clock_start, inform.due_on, inform.unit) == (
        D(2017, 5, 2),
        D(2017, 5, 16),
        "calendar_days",
    )
    assert "inform_panel_other_review" not in deadlines
    assert deadlines["chair_decision"].met_on == D(2017, 5, 2)

    today_is(D(2017, 5, 17))
    assert inform.status == DeadlineStatus.OVERDUE
    notify(people, referral, "national_panel", D(2017, 5, 17))
    inform = deadlines_of(referral)["inform_panel_no_scr"]
    assert inform.met_on == D(2017, 5, 17)
    assert inform.status == DeadlineStatus.MET_LATE


@pytest.mark.django_db
def test_deciding_on_an_scr_starts_no_deadline_to_explain_why_not(people, northshire, today_is):
    today_is(D(2017, 4, 12))
    referral = referral_2015(people, northshire, D(2017, 4, 11))
    decide_2015(people, referral, recommended="scr", decided="scr")
    assert set(deadlines_of(referral)) == {"notify_ofsted", "chair_decision"}


@pytest.mark.django_db
def test_a_chair_deciding_after_a_month_meets_the_decision_deadline_late(people, northshire, today_is):
    today_is(D(2025, 1, 31))
    referral = referral_2015(people, northshire, D(2017, 1, 31))
    deadline = deadlines_of(referral)["chair_decision"]
    assert deadline.due_on == D(2017, 2, 28)  # one calendar month from 31 January, clamped
    decide_2015(people, referral, recommended="scr", decided="scr")
    assert deadlines_of(referral)["chair_decision"].status == DeadlineStatus.MET_LATE


@pytest.mark.django_db
def test_informing_the_panel_before_the_decision_does_not_meet_the_deadline_the_decision_starts(
    people, northshire, today_is
):
    # The panel was told of the incident early on; after deciding on no review it must be told again, with
    # the reasons, and the deadline is met by that later notification.
    today_is(D(2017, 4, 20))
    referral = referral_2015(people, northshire, D(2017, 4, 11))
    notify(people, referral, "national_panel", D(2017, 4, 20))
    today_is(D(2017, 5, 2))
    decide_2015(people, referral, recommended="no_review", decided="no_review")
    assert deadlines_of(referral)["inform_panel_no_scr"].met_on is None
    today_is(D(2017, 5, 9))
    notify(people, referral, "national_panel", D(2017, 5, 9))
    assert deadlines_of(referral)["inform_panel_no_scr"].met_on == D(2017, 5, 9)


# -- withdrawal ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_withdrawing_a_referral_cancels_its_open_deadlines_but_keeps_those_already_met(people, northshire, today_is):
    today_is(D(2017, 4, 12))
    referral = referral_2015(people, northshire, D(2017, 4, 11))
    notify(people, referral, "ofsted", D(2017, 4, 12))
    today_is(D(2017, 4, 18))
    referral_transition(
        actor=people.manager,
        referral=referral,
        transition_id="withdraw",
        reason="The injuries were accidental: confirmed by the paediatrician.",
    )
    deadlines = deadlines_of(referral)
    assert deadlines["chair_decision"].cancelled_on == D(2017, 4, 18)
    assert deadlines["chair_decision"].status_on(D(2017, 6, 1)) == DeadlineStatus.CANCELLED
    assert (deadlines["notify_ofsted"].met_on, deadlines["notify_ofsted"].cancelled_on) == (
        D(2017, 4, 12),
        None,
    )
    assert Referral.objects.get(pk=referral.pk).state == "withdrawn"


@pytest.mark.django_db
def test_withdrawing_a_2023_referral_cancels_the_notification_and_rapid_review_clocks(people, northshire):
    referral = make_referral(northshire, people.referrer, looked_after="yes", harm_outcome="died")
    referral_transition(actor=people.manager, referral=referral, transition_id="withdraw", reason="Duplicate.")
    assert {rule: d.status for rule, d in deadlines_of(referral).items()} == {
        "notify_panel": DeadlineStatus.CANCELLED,
        "notify_looked_after_death": DeadlineStatus.CANCELLED,
    }
