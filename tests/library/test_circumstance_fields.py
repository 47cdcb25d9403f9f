"""The year of the incident, the source of harm and the child's social care status, proposed for people to decide."""

from __future__ import annotations

import pytest

from casereviews.core.errors import InvalidInput
from casereviews.learning.services import analysis_record_refresh
from casereviews.library.models import ExtractedValue, ValueStatus
from casereviews.library.services import clean_correction, report_process, report_upload, value_decide

pytestmark = pytest.mark.django_db

REPORT_TEXT = """Westshire Safeguarding Children Partnership
Local Child Safeguarding Practice Review: Child K
Published: June 2023

1. Introduction
This review concerns Child K, a 15-year-old boy who was fatally stabbed by a group of young men in
October 2021. Child K had been exploited by a county lines network for a year before he died.

2. Background
Child K was known to children's social care from 2018. In 2020 Child K was made subject to a child
protection plan under the category of neglect. Child K was not looked after by the local authority.
His older sister had been a looked after child.
"""

SILENT_TEXT = """Westshire Safeguarding Children Partnership
Local Child Safeguarding Practice Review: Child L
Published: June 2023

1. Introduction
This review concerns Child L, who lived with his mother and attended a local primary school.
"""


def processed(text: str, people):
    report = report_upload(uploaded_by=people.analyst, filename="child.txt", data=text.encode(), queue=False).report
    report_process(report.pk)
    report.refresh_from_db()
    return report


def proposed(report, field):
    return ExtractedValue.objects.get(report=report, field=field, key="")


def test_a_report_gets_proposals_for_the_incident_year_harm_source_and_social_care_with_quotes(people):
    report = processed(REPORT_TEXT, people)

    expected = {
        "year_incident": 2021,
        "harm_source": "extra_familial",
        "child.child_protection_plan": True,
        "child.known_to_social_care": True,
        "child.looked_after": False,
    }
    for field, value in expected.items():
        row = proposed(report, field)
        assert row.status == ValueStatus.PROPOSED
        assert row.proposed_value == value, field
        assert row.evidence, field
        for evidence in row.evidence:
            assert report.text[evidence["start"] : evidence["end"]] == evidence["quote"]
    assert proposed(report, "child.child_in_need").proposed_value is None


def test_a_report_silent_on_the_new_fields_proposes_nulls_without_evidence(people):
    report = processed(SILENT_TEXT, people)

    for field in (
        "year_incident",
        "harm_source",
        "child.looked_after",
        "child.child_protection_plan",
        "child.child_in_need",
        "child.known_to_social_care",
    ):
        row = proposed(report, field)
        assert row.proposed_value is None and row.evidence == [], field


def test_corrections_of_the_new_fields_must_be_a_year_a_harm_source_code_or_yes_or_no():
    assert clean_correction("year_incident", "2020") == 2020
    assert clean_correction("harm_source", "intra_familial") == "intra_familial"
    assert clean_correction("child.looked_after", "no") is False
    assert clean_correction("child.child_in_need", "yes") is True
    for field, typed in (("year_incident", "last year"), ("harm_source", "family"), ("child.looked_after", "maybe")):
        with pytest.raises(InvalidInput):
            clean_correction(field, typed)


def test_accepted_social_care_and_incident_values_reach_the_analysis_record(people):
    report = processed(REPORT_TEXT, people)
    for field in ("year_incident", "harm_source", "child.child_protection_plan", "child.looked_after"):
        value_decide(actor=people.analyst, value=proposed(report, field), decision="accept")

    record = analysis_record_refresh(report_id=report.pk)

    assert record is not None
    assert record.year_incident == 2021
    assert record.harm_source == "extra_familial"
    assert record.social_care == "protection_plan"
