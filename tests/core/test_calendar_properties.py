"""Properties of the working-day calendar that must hold for every date, count and nation (issue 7).

The bank holidays themselves come from the `holidays` package (the same source the calendar uses); these
tests check what the calendar does with them: counting, adding and the differences between the nations.
"""

from __future__ import annotations

import datetime

import holidays
from hypothesis import assume, given
from hypothesis import strategies as st

from casereviews.core.calendar import (
    Calendar,
    ClockUnit,
    add_working_days,
    calendar_of_nation,
    due_date,
    is_working_day,
    working_days_between,
)
from tests.hostile.hypothesis_profiles import examples

ENGLAND = Calendar.ENGLAND_AND_WALES
SCOTLAND = Calendar.SCOTLAND
SUBDIVISIONS = {
    Calendar.ENGLAND_AND_WALES: "ENG",
    Calendar.SCOTLAND: "SCT",
    Calendar.NORTHERN_IRELAND: "NIR",
}
ONE_DAY = datetime.timedelta(days=1)

dates = st.dates(min_value=datetime.date(1990, 1, 1), max_value=datetime.date(2060, 12, 31))
calendars = st.sampled_from(list(Calendar))
counts = st.integers(min_value=0, max_value=400)


def bank_holidays(calendar: Calendar, first: datetime.date, last: datetime.date) -> set[datetime.date]:
    years = range(first.year, last.year + 1)
    return set(holidays.country_holidays("GB", subdiv=SUBDIVISIONS[calendar], years=years))


def weekday_holidays_in(calendar: Calendar, after: datetime.date, up_to: datetime.date) -> set[datetime.date]:
    """The bank holidays falling on a weekday after `after` up to and including `up_to`."""
    return {day for day in bank_holidays(calendar, after, up_to) if after < day <= up_to and day.weekday() < 5}


@examples(60)
@given(day=dates, calendar=calendars)
def test_a_working_day_is_exactly_a_weekday_that_is_not_a_bank_holiday_of_the_nation(day, calendar):
    expected = day.weekday() < 5 and day not in bank_holidays(calendar, day, day)
    assert is_working_day(day, calendar) is expected


@examples(60)
@given(start=dates, count=st.integers(min_value=1, max_value=400), calendar=calendars)
def test_adding_working_days_lands_on_a_working_day_never_on_a_weekend_or_bank_holiday(start, count, calendar):
    result = add_working_days(start, count, calendar)
    assert result > start
    assert result.weekday() < 5
    assert result not in bank_holidays(calendar, start, result)
    assert is_working_day(result, calendar)


@examples(60)
@given(start=dates, count=counts, calendar=calendars)
def test_adding_then_counting_working_days_gives_back_the_count(start, count, calendar):
    result = add_working_days(start, count, calendar)
    assert working_days_between(start, result, calendar) == count
    assert working_days_between(result, start, calendar) == -count


@examples(60)
@given(start=dates, count=counts, calendar=calendars)
def test_the_result_is_the_first_day_that_many_working_days_away(start, count, calendar):
    result = add_working_days(start, count, calendar)
    if count:
        assert working_days_between(start, result - ONE_DAY, calendar) == count - 1
    else:
        assert result == start


@examples(60)
@given(start=dates, first=counts, second=counts, calendar=calendars)
def test_adding_is_monotonic_in_the_count_and_adding_twice_is_adding_the_sum(start, first, second, calendar):
    low, high = sorted((first, second))
    assert add_working_days(start, low, calendar) <= add_working_days(start, high, calendar)
    if low < high:
        assert add_working_days(start, low, calendar) < add_working_days(start, high, calendar)
    if first:
        # Once on a working day, adding the second count continues the same clock.
        assert add_working_days(add_working_days(start, first, calendar), second, calendar) == add_working_days(
            start, first + second, calendar
        )


@examples(60)
@given(first_start=dates, gap=st.integers(min_value=0, max_value=60), count=counts, calendar=calendars)
def test_a_later_start_never_gives_an_earlier_due_date(first_start, gap, count, calendar):
    later_start = first_start + datetime.timedelta(days=gap)
    assert add_working_days(first_start, count, calendar) <= add_working_days(later_start, count, calendar)


@examples(60)
@given(start=dates, days=st.integers(min_value=-400, max_value=400), calendar=calendars)
def test_counting_to_a_working_day_and_adding_the_count_back_returns_to_it(start, days, calendar):
    end = start + datetime.timedelta(days=days)
    count = working_days_between(start, end, calendar)
    assert (count >= 0) == (end >= start) or count == 0
    if end > start:
        # Adding the count lands on the last working day on or before `end`.
        landed = add_working_days(start, count, calendar)
        assert landed <= end
        assert all(not is_working_day(day, calendar) for day in _days_after(landed, end))
        if is_working_day(end, calendar):
            assert landed == end


offsets = st.integers(min_value=-1500, max_value=1500)


@examples(60)
@given(a=dates, to_b=offsets, to_c=offsets, calendar=calendars)
def test_counts_between_dates_are_antisymmetric_and_add_up_along_the_way(a, to_b, to_c, calendar):
    b = a + datetime.timedelta(days=to_b)
    c = b + datetime.timedelta(days=to_c)
    assert working_days_between(a, b, calendar) == -working_days_between(b, a, calendar)
    assert working_days_between(a, b, calendar) + working_days_between(b, c, calendar) == working_days_between(
        a, c, calendar
    )


@examples(60)
@given(start=dates, days=st.integers(min_value=0, max_value=400), calendar=calendars)
def test_the_count_is_the_weekdays_in_between_less_the_weekday_bank_holidays(start, days, calendar):
    end = start + datetime.timedelta(days=days)
    weekdays = sum(1 for day in _days_after(start, end) if day.weekday() < 5)
    assert working_days_between(start, end, calendar) == weekdays - len(weekday_holidays_in(calendar, start, end))


@examples(60)
@given(start=dates, days=st.integers(min_value=0, max_value=400))
def test_england_and_scotland_counts_differ_exactly_by_the_holidays_only_one_of_them_keeps(start, days):
    end = start + datetime.timedelta(days=days)
    only_in_scotland = weekday_holidays_in(SCOTLAND, start, end) - weekday_holidays_in(ENGLAND, start, end)
    only_in_england = weekday_holidays_in(ENGLAND, start, end) - weekday_holidays_in(SCOTLAND, start, end)
    assert working_days_between(start, end, ENGLAND) - working_days_between(start, end, SCOTLAND) == len(
        only_in_scotland
    ) - len(only_in_england)


@examples(30)
@given(year=st.integers(min_value=1990, max_value=2060))
def test_scotland_keeps_one_more_new_year_holiday_and_england_keeps_easter_monday_every_year(year):
    english = holidays.country_holidays("GB", subdiv="ENG", years=year)
    easter_monday = next(day for day, name in english.items() if name == "Easter Monday")
    assert not is_working_day(easter_monday, ENGLAND)
    assert is_working_day(easter_monday, SCOTLAND)
    # New Year's Day (or its substitute) everywhere; Scotland also keeps 2 January (or its substitute).
    new_year = [datetime.date(year, 1, day) for day in range(1, 6)]
    weekdays = [day for day in new_year if day.weekday() < 5]
    english_holidays = [day for day in weekdays if not is_working_day(day, ENGLAND)]
    scottish_holidays = [day for day in weekdays if not is_working_day(day, SCOTLAND)]
    assert len(english_holidays) == 1
    assert len(scottish_holidays) == 2
    assert set(english_holidays) < set(scottish_holidays)


@examples(40)
@given(start=dates, count=counts, calendar=calendars)
def test_a_nation_and_its_calendar_agree_and_wales_counts_as_england(start, count, calendar):
    assert calendar_of_nation("england") is calendar_of_nation("wales") is ENGLAND
    assert calendar_of_nation("scotland") is SCOTLAND
    assert add_working_days(start, count, calendar_of_nation("wales")) == add_working_days(start, count, ENGLAND)
    assert due_date(start, count, ClockUnit.WORKING_DAYS, calendar) == add_working_days(start, count, calendar)


@examples(40)
@given(nation=st.text(max_size=20), start=dates, count=counts)
def test_a_nation_not_listed_uses_england_and_wales(nation, start, count):
    assume(nation not in {"scotland", "northern_ireland"})
    assert calendar_of_nation(nation) is ENGLAND


@examples(60)
@given(
    start=dates,
    first=st.integers(min_value=0, max_value=240),
    second=st.integers(min_value=0, max_value=240),
    unit=st.sampled_from([unit for unit in ClockUnit if unit is not ClockUnit.WORKING_DAYS]),
    calendar=calendars,
)
def test_calendar_clocks_ignore_the_nation_and_grow_with_their_length(start, first, second, unit, calendar):
    low, high = sorted((first, second))
    assert due_date(start, low, unit, calendar) <= due_date(start, high, unit, calendar)
    assert due_date(start, low, unit, calendar) == due_date(start, low, unit, ENGLAND)
    assert due_date(start, 0, unit, calendar) == start


@examples(60)
@given(start=dates, months=st.integers(min_value=1, max_value=240))
def test_a_month_clock_keeps_the_day_of_the_month_or_ends_the_shorter_month(start, months):
    due = due_date(start, months, ClockUnit.CALENDAR_MONTHS, ENGLAND)
    assert (due.year - start.year) * 12 + due.month - start.month == months
    if due.day != start.day:
        assert due.day < start.day
        assert (due + ONE_DAY).day == 1


def _days_after(start: datetime.date, end: datetime.date):
    day = start + ONE_DAY
    while day <= end:
        yield day
        day += ONE_DAY
