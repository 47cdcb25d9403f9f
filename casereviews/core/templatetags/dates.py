"""Django's `date` filter, with the formats the service's templates use written out directly.

Loaded as a template builtin after Django's own (settings.TEMPLATES "builtins"), so `{{ value|date:"j M Y" }}`
everywhere comes here. Django's filter looks up the format, the active language and the month names through its
translation machinery on every call: about 37 µs a date, and a dashboard shows hundreds (ADR 0014). For the
service's formats, in English, the same text is built directly (tests/core/test_dates.py checks it is identical to
Django's for any date and time); anything else goes to Django's filter unchanged.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

from django import template
from django.template import defaultfilters
from django.utils import translation

register = template.Library()

_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_MONTHS_SHORT = tuple(month[:3] for month in _MONTHS)


def _day_month_year(value: datetime.date) -> str:
    return f"{value.day} {_MONTHS_SHORT[value.month - 1]} {value.year:04d}"


def _day_full_month_year(value: datetime.date) -> str:
    return f"{value.day} {_MONTHS[value.month - 1]} {value.year:04d}"


# Format string → how to write it, and whether it needs a time of day (a date alone goes to Django's filter).
_FORMATS: dict[str, tuple[Callable[[Any], str], bool]] = {
    "j M Y": (_day_month_year, False),
    "j F Y": (_day_full_month_year, False),
    "F Y": (lambda value: f"{_MONTHS[value.month - 1]} {value.year:04d}", False),
    "Y-m-d": (lambda value: f"{value.year:04d}-{value.month:02d}-{value.day:02d}", False),
    "j M Y, H:i": (lambda value: f"{_day_month_year(value)}, {value.hour:02d}:{value.minute:02d}", True),
    "j F Y, H:i": (lambda value: f"{_day_full_month_year(value)}, {value.hour:02d}:{value.minute:02d}", True),
    "j M Y H:i:s": (
        lambda value: f"{_day_month_year(value)} {value.hour:02d}:{value.minute:02d}:{value.second:02d}",
        True,
    ),
}
_ENGLISH = frozenset({"en", "en-gb", "en-us"})


@register.filter(expects_localtime=True, is_safe=False)
def date(value: Any, arg: str | None = None) -> str:
    written = _FORMATS.get(arg) if arg is not None else None
    if written is not None and isinstance(value, datetime.date):
        write, needs_time = written
        if (isinstance(value, datetime.datetime) or not needs_time) and translation.get_language() in _ENGLISH:
            return write(value)
    return str(defaultfilters.date(value, arg))
