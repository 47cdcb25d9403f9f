"""The service's `date` filter writes exactly what Django's writes, for every format the templates use and any date
or time, and leaves other formats, other values and other languages to Django's filter (ADR 0014)."""

from __future__ import annotations

import datetime
import zoneinfo

import pytest
from django.template import Context, Template, defaultfilters
from django.utils import timezone, translation
from hypothesis import given
from hypothesis import strategies as st

from casereviews.core.templatetags.dates import _FORMATS, date
from tests.hostile.hypothesis_profiles import examples

FORMATS = sorted(_FORMATS)
LONDON = zoneinfo.ZoneInfo("Europe/London")


TIMES = st.one_of(st.datetimes(), st.datetimes(timezones=st.just(LONDON)))


@examples(300)
@given(data=st.data(), format_string=st.sampled_from(FORMATS))
def test_every_format_the_templates_use_is_written_as_django_writes_it(data, format_string):
    _write, needs_time = _FORMATS[format_string]
    value = data.draw(TIMES if needs_time else st.one_of(st.dates(), TIMES))
    with translation.override("en-gb"):
        assert date(value, format_string) == defaultfilters.date(value, format_string)


def test_other_formats_values_and_languages_are_left_to_django():
    day = datetime.date(2025, 9, 7)
    assert date(day, "l jS F") == "Sunday 7th September"
    assert date(None, "j M Y") == ""
    assert date("", "j M Y") == ""
    with pytest.raises(TypeError):  # a date has no time of day: Django refuses, as before
        date(day, "j M Y, H:i")
    with translation.override("cy"):
        assert date(day, "j F Y") == defaultfilters.date(day, "j F Y")


def test_templates_use_it_and_an_aware_time_is_shown_in_local_time_as_before():
    at = datetime.datetime(2025, 7, 1, 23, 30, tzinfo=datetime.UTC)  # half past midnight in London (summer time)
    rendered = Template('{{ at|date:"j M Y, H:i" }}').render(Context({"at": at}))
    assert rendered == "2 Jul 2025, 00:30"
    assert rendered == defaultfilters.date(timezone.localtime(at), "j M Y, H:i")
