"""Analysis records stay in step with the library: only people's decisions count, and a re-run changes nothing."""

from __future__ import annotations

import pytest

from casereviews.learning.models import AnalysisRecord
from casereviews.learning.services import analysis_records_rebuild
from casereviews.library.models import ExtractedValue
from casereviews.library.services import code_add, report_process, value_decide
from tests.factories import make_partnership
from tests.library.test_views import REPORT_TEXT, add_report

pytestmark = pytest.mark.django_db


def test_an_analysed_report_counts_nothing_until_a_person_confirms_a_value(people):
    report = add_report(people)
    record = AnalysisRecord.objects.get(report=report)
    assert not record.reviewed and record.sex == "" and record.risk_factors == ""
    assert "child.sex" in record.pending.split()

    sex = ExtractedValue.objects.get(report=report, field="child.sex")
    value_decide(actor=people.analyst, value=sex, decision="accept")
    record.refresh_from_db()
    assert record.reviewed and record.sex == sex.proposed_value
    assert "child.sex" not in record.pending.split()


def test_a_correction_counts_the_corrected_value_and_a_rejection_counts_nothing(people):
    report = add_report(people)
    outcome = ExtractedValue.objects.get(report=report, field="outcome")
    value_decide(actor=people.analyst, value=outcome, decision="correct", corrected="died")
    assert AnalysisRecord.objects.get(report=report).outcome == "died"
    value_decide(actor=people.analyst, value=outcome, decision="reject")
    assert AnalysisRecord.objects.get(report=report).outcome == ""


def test_a_code_a_person_adds_counts_and_survives_a_re_run_of_extraction(people):
    report = add_report(people)
    code_add(actor=people.analyst, report=report, field="risk_factors", code="online_harm")
    assert "online_harm" in AnalysisRecord.objects.get(report=report).risk_factors.split()
    report_process(report.pk)
    assert "online_harm" in AnalysisRecord.objects.get(report=report).risk_factors.split()


def test_a_report_names_its_partnership_and_so_its_nation_and_region(people):
    report = add_report(people)  # "Eastvale Safeguarding Children Partnership", not yet a partnership here
    partnership = ExtractedValue.objects.get(report=report, field="partnership")
    value_decide(actor=people.analyst, value=partnership, decision="accept")
    record = AnalysisRecord.objects.get(report=report)
    assert record.partnership is None and record.region == ""
    eastvale = make_partnership("Eastvale")  # adding the partnership places the report in its region
    record.refresh_from_db()
    assert record.partnership == eastvale and record.nation == "england" and record.region == "North East"
    eastvale.region = "Yorkshire and the Humber"
    eastvale.save()
    record.refresh_from_db()
    assert record.region == "Yorkshire and the Humber"


def test_a_rebuild_recreates_every_record_from_the_values(people):
    report = add_report(people)
    AnalysisRecord.objects.all().delete()
    assert analysis_records_rebuild() == 1
    assert AnalysisRecord.objects.filter(report=report).exists()


def test_a_rebuild_in_batches_makes_the_same_records_as_refreshing_each_report(people, monkeypatch):
    from casereviews.learning import services

    monkeypatch.setattr(services, "REBUILD_BATCH", 2)  # three reports: a full batch and a partial one
    reports = [
        add_report(people, REPORT_TEXT + f"\n\nAppendix {number}.", f"report-{number}.txt") for number in range(3)
    ]
    make_partnership("Eastvale")  # the partnership the reports name, matched whatever its case
    for report in reports[:2]:
        value_decide(
            actor=people.analyst,
            value=ExtractedValue.objects.get(report=report, field="partnership"),
            decision="accept",
        )
    value_decide(
        actor=people.analyst,
        value=ExtractedValue.objects.get(report=reports[2], field="outcome"),
        decision="correct",
        corrected="died",
    )
    fields = [field.name for field in AnalysisRecord._meta.fields if field.name != "refreshed_at"]
    refreshed_one_by_one = list(AnalysisRecord.objects.order_by("report").values(*fields))

    AnalysisRecord.objects.all().delete()
    assert analysis_records_rebuild() == 3

    assert list(AnalysisRecord.objects.order_by("report").values(*fields)) == refreshed_one_by_one
    assert refreshed_one_by_one[0]["partnership"] is not None and refreshed_one_by_one[2]["outcome"] == "died"
