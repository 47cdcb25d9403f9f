"""The working-day calendar against real UK dates (bank holidays as published on gov.uk)."""

from __future__ import annotations

import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from casereviews.core.calendar import (
    Calendar,
    ClockUnit,
    add_working_days,
    bank_holiday_name,
    describe_rule,
    due_date,
    is_working_day,
    working_days_between,
)

ENGLAND = Calendar.ENGLAND_AND_WALES
SCOTLAND = Calendar.SCOTLAND


def day(text: str) -> datetime.date:
    return datetime.date.fromisoformat(text)


@pytest.mark.parametrize(
    ("date", "name"),
    [
        ("2024-12-25", "Christmas Day"),
        ("2024-12-26", "Boxing Day"),
        ("2025-04-18", "Good Friday"),
        ("2025-04-21", "Easter Monday"),
        # 25 and 26 December 2021 fell on a weekend, so the bank holidays moved to Monday and Tuesday.
        ("2021-12-27", "Christmas Day (observed)"),
        ("2021-12-28", "Boxing Day (observed)"),
        # 1 January 2022 was a Saturday.
        ("2022-01-03", "New Year's Day (observed)"),
        # Christmas 2022 was a Sunday; Boxing Day kept Monday 26th, so Christmas moved to Tuesday 27th.
        ("2022-12-27", "Christmas Day (observed)"),
        ("2022-09-19", "State Funeral of Queen Elizabeth II"),
    ],
)
def test_english_bank_holidays_including_substitute_and_one_off_days_are_not_working_days(date, name):
    assert bank_holiday_name(day(date), ENGLAND) == name
    assert not is_working_day(day(date), ENGLAND)


def test_ordinary_weekdays_are_working_days_and_weekends_are_not():
    assert is_working_day(day("2024-12-24"), ENGLAND)  # Christmas Eve is not a bank holiday
    assert is_working_day(day("2024-12-27"), ENGLAND)
    assert not is_working_day(day("2024-12-28"), ENGLAND)  # Saturday
    assert not is_working_day(day("2024-12-29"), ENGLAND)  # Sunday


def test_scotland_keeps_the_second_of_january_and_st_andrews_day_but_not_easter_monday():
    assert not is_working_day(day("2025-01-02"), SCOTLAND)
    assert is_working_day(day("2025-01-02"), ENGLAND)
    # St Andrew's Day, 30 November 2025, was a Sunday: observed on Monday 1 December in Scotland only.
    assert bank_holiday_name(day("2025-12-01"), SCOTLAND) == "Saint Andrew's Day (observed)"
    assert is_working_day(day("2025-12-01"), ENGLAND)
    assert is_working_day(day("2025-04-21"), SCOTLAND)
    assert not is_working_day(day("2025-04-18"), SCOTLAND)  # Good Friday is a holiday in both


def test_within_five_working_days_of_becoming_aware_over_christmas_2024():
    # Aware on Friday 20 December 2024 (day 0). Working days after it: Mon 23 (1), Tue 24 (2),
    # [Wed 25 Christmas, Thu 26 Boxing Day], Fri 27 (3), [weekend], Mon 30 (4), Tue 31 (5).
    assert add_working_days(day("2024-12-20"), 5, ENGLAND) == day("2024-12-31")


def test_fifteen_working_days_over_easter_2025_skip_good_friday_easter_monday_and_early_may():
    # From Monday 14 April 2025: Tue 15 (1), Wed 16 (2), Thu 17 (3), [Good Friday 18, Easter Monday 21],
    # Tue 22..Fri 25 (4–7), Mon 28..Fri 2 May (8–12), [Early May bank holiday Mon 5 May], Tue 6 (13),
    # Wed 7 (14), Thu 8 May (15).
    assert add_working_days(day("2025-04-14"), 15, ENGLAND) == day("2025-05-08")
    # Scotland works on Easter Monday, so the same clock ends a day sooner.
    assert add_working_days(day("2025-04-14"), 15, SCOTLAND) == day("2025-05-07")


def test_a_clock_started_on_a_weekend_counts_from_the_next_working_day():
    # Aware on Saturday 4 January 2025: Mon 6 is day 1, so 5 working days ends on Friday 10.
    assert add_working_days(day("2025-01-04"), 5, ENGLAND) == day("2025-01-10")


def test_zero_working_days_is_the_start_itself_and_negative_counts_are_refused():
    assert add_working_days(day("2024-12-25"), 0, ENGLAND) == day("2024-12-25")
    with pytest.raises(ValueError, match="must not be negative"):
        add_working_days(day("2024-12-20"), -1, ENGLAND)


def test_working_days_between_counts_the_end_but_not_the_start_and_is_signed():
    assert working_days_between(day("2024-12-20"), day("2024-12-31"), ENGLAND) == 5
    assert working_days_between(day("2024-12-31"), day("2024-12-20"), ENGLAND) == -5
    assert working_days_between(day("2024-12-24"), day("2024-12-26"), ENGLAND) == 0
    # From Christmas Eve 2021 to 4 January 2022 only 29, 30, 31 December and 4 January are working days.
    assert working_days_between(day("2021-12-24"), day("2022-01-04"), ENGLAND) == 4


def test_calendar_months_follow_the_same_day_and_are_clamped_to_the_end_of_a_shorter_month():
    assert due_date(day("2025-01-31"), 1, ClockUnit.CALENDAR_MONTHS, ENGLAND) == day("2025-02-28")
    # 2024 is a leap year.
    assert due_date(day("2024-01-31"), 1, ClockUnit.CALENDAR_MONTHS, ENGLAND) == day("2024-02-29")
    assert due_date(day("2025-03-15"), 1, ClockUnit.CALENDAR_MONTHS, ENGLAND) == day("2025-04-15")
    assert due_date(day("2025-08-31"), 6, ClockUnit.CALENDAR_MONTHS, ENGLAND) == day("2026-02-28")


def test_calendar_days_count_weekends_and_bank_holidays():
    assert due_date(day("2024-12-20"), 14, ClockUnit.CALENDAR_DAYS, ENGLAND) == day("2025-01-03")


def test_weeks_are_seven_days_and_a_year_from_the_29th_of_february_ends_on_the_28th():
    assert due_date(day("2024-12-20"), 1, ClockUnit.CALENDAR_WEEKS, ENGLAND) == day("2024-12-27")
    assert due_date(day("2024-02-29"), 1, ClockUnit.CALENDAR_YEARS, ENGLAND) == day("2025-02-28")
    assert due_date(day("2025-06-10"), 1, ClockUnit.CALENDAR_YEARS, ENGLAND) == day("2026-06-10")


def test_due_date_in_working_days_uses_the_nations_calendar():
    assert due_date(day("2025-04-14"), 15, ClockUnit.WORKING_DAYS, ENGLAND) == day("2025-05-08")
    assert due_date(day("2025-04-14"), 15, ClockUnit.WORKING_DAYS, SCOTLAND) == day("2025-05-07")


def test_rules_are_described_in_words_with_singular_and_plural():
    assert describe_rule(5, ClockUnit.WORKING_DAYS) == "5 working days"
    assert describe_rule(1, ClockUnit.CALENDAR_MONTHS) == "1 month"
    assert describe_rule(14, ClockUnit.CALENDAR_DAYS) == "14 days"
    assert describe_rule(1, ClockUnit.CALENDAR_WEEKS) == "1 week"
    assert describe_rule(12, ClockUnit.CALENDAR_WEEKS) == "12 weeks"
    assert describe_rule(1, ClockUnit.CALENDAR_YEARS) == "1 year"


@given(
    start=st.dates(min_value=datetime.date(2000, 1, 1), max_value=datetime.date(2035, 12, 31)),
    count=st.integers(min_value=1, max_value=60),
    calendar=st.sampled_from(list(Calendar)),
)
def test_adding_working_days_lands_on_a_working_day_that_many_working_days_away(start, count, calendar):
    result = add_working_days(start, count, calendar)
    assert is_working_day(result, calendar)
    assert result > start
    assert working_days_between(start, result, calendar) == count
    assert working_days_between(start, result - datetime.timedelta(days=1), calendar) == count - 1
