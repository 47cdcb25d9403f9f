"""Scoring the PII scanner: span arithmetic on hand-made findings, then the real TAB development file."""

from __future__ import annotations

import pytest

from extraction.pii import PiiScanner
from extraction.pii_evaluation import TabReport, evaluate_spans, evaluate_tab
from extraction.record import PiiFinding
from tests.shared_data import shared_data

TAB_DEV = shared_data("tab-dev/echr_dev_docs.json")
TEXT = "Kelly Marsh lives at 14 Acacia Road with Child A."


def _finding(start: int, end: int, finding_type: str) -> PiiFinding:
    return PiiFinding(start=start, end=end, text=TEXT[start:end], type=finding_type, score=0.9)


def test_a_fully_covered_span_counts_for_both_overlap_and_strict_recall() -> None:
    report = evaluate_spans([(0, 11, "PERSON")], [_finding(0, 11, "PERSON")])
    person = report.per_type["PERSON"]
    assert (person.recall_overlap, person.recall_strict, person.precision) == (1.0, 1.0, 1.0)


def test_half_a_span_counts_for_overlap_recall_only() -> None:
    report = evaluate_spans([(21, 35, "ADDRESS")], [_finding(24, 35, "LOCATION")])
    address = report.per_type["ADDRESS"]
    assert (address.recall_overlap, address.recall_strict) == (1.0, 0.0)


def test_less_than_half_a_span_is_a_miss() -> None:
    report = evaluate_spans([(0, 11, "PERSON")], [_finding(0, 4, "PERSON")])
    assert report.per_type["PERSON"].recall_overlap == 0.0


def test_white_space_inside_a_span_need_not_be_covered_when_the_text_is_given() -> None:
    findings = [_finding(0, 5, "PERSON"), _finding(6, 11, "PERSON")]
    assert evaluate_spans([(0, 11, "PERSON")], findings, text=TEXT).per_type["PERSON"].recall_strict == 1.0
    assert evaluate_spans([(0, 11, "PERSON")], findings).per_type["PERSON"].recall_strict == 0.0


def test_precision_is_by_finding_type_and_recall_by_gold_type() -> None:
    gold = [(0, 11, "PERSON"), (21, 35, "ADDRESS")]
    findings = [_finding(0, 11, "PERSON"), _finding(41, 48, "PERSON"), _finding(21, 35, "SCHOOL")]
    report = evaluate_spans(gold, findings)
    assert report.per_type["PERSON"].precision == 0.5
    assert report.per_type["SCHOOL"].precision == 1.0
    assert report.per_type["SCHOOL"].recall_overlap is None
    assert report.per_type["ADDRESS"].recall_overlap == 1.0
    assert (report.total.gold, report.total.findings, report.total.findings_on_gold) == (2, 3, 2)


@pytest.fixture(scope="module")
def tab_report() -> TabReport:
    return evaluate_tab(TAB_DEV, PiiScanner())


def test_tab_file_is_read_whole(tab_report: TabReport) -> None:
    assert tab_report.documents == 4
    assert tab_report.identifying.total.gold == sum(r.total.gold for r in tab_report.by_identifier_type.values())


# Floors a little below what was measured (DIRECT 100%, PERSON 92.3%, all identifying mentions 73.4% with
# overlap, precision 94.2%), so that a regression fails. The identifying recall is held down by mention types
# no recogniser here looks for (professions, amounts, bare years, offence descriptions).


def test_tab_direct_identifiers_are_found(tab_report: TabReport) -> None:
    recall = tab_report.by_identifier_type["DIRECT"].total.recall_overlap
    assert recall is not None and recall >= 0.95


def test_tab_people_are_found(tab_report: TabReport) -> None:
    recall = tab_report.identifying.per_type["PERSON"].recall_overlap
    assert recall is not None and recall >= 0.9


def test_tab_identifying_mentions_are_mostly_found_with_few_false_findings(tab_report: TabReport) -> None:
    total = tab_report.identifying.total
    assert total.recall_overlap is not None and total.recall_overlap >= 0.7
    assert total.precision is not None and total.precision >= 0.9
