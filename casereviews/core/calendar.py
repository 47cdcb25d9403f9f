"""Working days and statutory clocks.

A statutory deadline "within N working days of becoming aware" counts the day of awareness as day 0
and is due on the N-th working day after it. Working days exclude weekends and the bank holidays of
the nation whose calendar the deadline uses (the `holidays` package, which includes substitute days
and one-off holidays such as a state funeral). Calendar-month deadlines follow the corresponding day of
the later month, clamped to its end (31 January + 1 month = 28 or 29 February).
"""

from __future__ import annotations

import datetime
import enum
from functools import lru_cache

import holidays
from dateutil.relativedelta import relativedelta


class Calendar(enum.StrEnum):
    ENGLAND_AND_WALES = "england_and_wales"
    SCOTLAND = "scotland"
    NORTHERN_IRELAND = "northern_ireland"


class ClockUnit(enum.StrEnum):
    WORKING_DAYS = "working_days"
    CALENDAR_DAYS = "calendar_days"
    CALENDAR_WEEKS = "calendar_weeks"
    CALENDAR_MONTHS = "calendar_months"
    CALENDAR_YEARS = "calendar_years"


_SUBDIVISION = {
    Calendar.ENGLAND_AND_WALES: "ENG",
    Calendar.SCOTLAND: "SCT",
    Calendar.NORTHERN_IRELAND: "NIR",
}

NATION_CALENDARS = {
    "england": Calendar.ENGLAND_AND_WALES,
    "wales": Calendar.ENGLAND_AND_WALES,
    "scotland": Calendar.SCOTLAND,
    "northern_ireland": Calendar.NORTHERN_IRELAND,
}


def calendar_of_nation(nation: str) -> Calendar:
    """The bank holidays a nation's statutory clocks use; England and Wales's for a nation not listed."""
    return NATION_CALENDARS.get(nation, Calendar.ENGLAND_AND_WALES)


@lru_cache(maxsize=256)
def _bank_holidays(calendar: Calendar, year: int) -> frozenset[datetime.date]:
    return frozenset(holidays.country_holidays("GB", subdiv=_SUBDIVISION[calendar], years=year).keys())


def bank_holiday_name(day: datetime.date, calendar: Calendar) -> str | None:
    names = holidays.country_holidays("GB", subdiv=_SUBDIVISION[calendar], years=day.year)
    return names.get(day)


def is_working_day(day: datetime.date, calendar: Calendar) -> bool:
    return day.weekday() < 5 and day not in _bank_holidays(calendar, day.year)


def add_working_days(start: datetime.date, count: int, calendar: Calendar) -> datetime.date:
    """The `count`-th working day after `start` (`start` itself is day 0, whatever kind of day it is)."""
    if count < 0:
        raise ValueError("count must not be negative")
    day = start
    remaining = count
    while remaining:
        day += datetime.timedelta(days=1)
        if is_working_day(day, calendar):
            remaining -= 1
    return day


def working_days_between(start: datetime.date, end: datetime.date, calendar: Calendar) -> int:
    """Working days after `start` up to and including `end`; negative when `end` is before `start`."""
    if end < start:
        return -working_days_between(end, start, calendar)
    count = 0
    day = start
    while day < end:
        day += datetime.timedelta(days=1)
        if is_working_day(day, calendar):
            count += 1
    return count


def due_date(start: datetime.date, length: int, unit: ClockUnit, calendar: Calendar) -> datetime.date:
    if unit is ClockUnit.WORKING_DAYS:
        return add_working_days(start, length, calendar)
    if unit is ClockUnit.CALENDAR_DAYS:
        return start + datetime.timedelta(days=length)
    if unit is ClockUnit.CALENDAR_WEEKS:
        return start + datetime.timedelta(weeks=length)
    if unit is ClockUnit.CALENDAR_YEARS:
        return start + relativedelta(years=length)
    return start + relativedelta(months=length)


def describe_rule(length: int, unit: ClockUnit) -> str:
    words = {
        ClockUnit.WORKING_DAYS: ("working day", "working days"),
        ClockUnit.CALENDAR_DAYS: ("day", "days"),
        ClockUnit.CALENDAR_WEEKS: ("week", "weeks"),
        ClockUnit.CALENDAR_MONTHS: ("month", "months"),
        ClockUnit.CALENDAR_YEARS: ("year", "years"),
    }[unit]
    return f"{length} {words[0] if length == 1 else words[1]}"
