"""Evaluation arithmetic on hand-made records and spans whose precision and recall are known."""

from __future__ import annotations

import json
from typing import Any

import pytest

from extraction.evaluation import evaluate_pii, evaluate_records, format_report


def record(**fields: Any) -> dict[str, Any]:
    child = fields.pop("child", {})
    base: dict[str, Any] = {
        "title": None,
        "partnership": None,
        "year_published": None,
        "framework": None,
        "review_type": None,
        "methodology": None,
        "outcome": None,
        "death_category": None,
        "harm_types": [],
        "risk_factors": [],
        "practice_themes": [],
        "agencies": [],
        "recommendations": [],
        "findings": [],
        "child": {
            "age_years": None,
            "age_text": None,
            "age_band": None,
            "under_18": None,
            "sex": None,
            "ethnicity": None,
            **child,
        },
    }
    return {**base, **fields}


def test_scalar_precision_counts_only_non_null_predictions_and_recall_only_non_null_truths() -> None:
    pairs = [
        (record(child={"sex": "male"}), record(child={"sex": "male"})),  # correct
        (record(), record(child={"sex": "female"})),  # missed: costs recall only
        (record(child={"sex": "female"}), record(child={"sex": "male"})),  # wrong
        (record(child={"sex": "female"}), record()),  # said where the truth says nothing
    ]
    sex = evaluate_records(pairs).fields["child.sex"]
    assert (sex.correct, sex.predicted, sex.actual) == (1, 3, 3)
    assert sex.precision == pytest.approx(1 / 3) and sex.recall == pytest.approx(1 / 3)


def test_age_matches_within_a_tenth_of_a_year_and_titles_by_similarity() -> None:
    pairs = [
        (
            record(child={"age_years": 1.05}, title="Serious Case Review: Child A"),
            record(child={"age_years": 1.0}, title="Serious Case Review – Child A"),
        ),
        (
            record(child={"age_years": 1.2}, title="Child B"),
            record(child={"age_years": 1.0}, title="Child A review"),
        ),
    ]
    report = evaluate_records(pairs)
    assert report.fields["child.age_years"].correct == 1
    assert report.fields["title"].correct == 1


def test_an_ethnicity_matches_its_category_written_in_either_order_but_not_another_category() -> None:
    pairs = [
        (record(child={"ethnicity": "Other White"}), record(child={"ethnicity": "White Other"})),
        (
            record(child={"ethnicity": "Mixed: White and Black Caribbean"}),
            record(child={"ethnicity": "Mixed White and Black Caribbean"}),
        ),
        (
            record(child={"ethnicity": "Mixed: White and Black African"}),
            record(child={"ethnicity": "Mixed White and Black Caribbean"}),
        ),
        (record(child={"ethnicity": "White British"}), record(child={"ethnicity": "White Other"})),
    ]
    assert evaluate_records(pairs).fields["child.ethnicity"].correct == 2


def test_codes_are_scored_per_code_with_f1() -> None:
    pairs = [
        (record(risk_factors=["domestic_abuse", "poverty"]), record(risk_factors=["domestic_abuse"])),
        (record(risk_factors=["domestic_abuse"]), record(risk_factors=["domestic_abuse", "poverty"])),
        (record(risk_factors=[]), record(risk_factors=["domestic_abuse"])),
    ]
    report = evaluate_records(pairs)
    domestic = report.codes["risk_factors"]["domestic_abuse"]
    assert (domestic.correct, domestic.predicted, domestic.actual) == (2, 2, 3)
    assert domestic.f1 == pytest.approx(2 * 1.0 * (2 / 3) / (1.0 + 2 / 3))
    poverty = report.codes["risk_factors"]["poverty"]
    assert (poverty.correct, poverty.predicted, poverty.actual) == (0, 1, 1)
    assert poverty.f1 == 0.0
    total = report.code_totals("risk_factors")
    assert (total.correct, total.predicted, total.actual) == (2, 3, 4)


def test_recommendations_match_on_similar_text_then_page_and_number() -> None:
    text = "The Partnership should seek assurance that all agencies understand and use the escalation policy."
    truth = record(
        recommendations=[
            {"number": "1", "text": text, "page": 12},
            {
                "number": "2",
                "text": "Health visitors should give safe sleep advice at every contact.",
                "page": 13,
            },
        ]
    )
    predicted = record(
        recommendations=[
            {"number": "1.", "text": text.replace("Partnership", "partnership") + " ", "page": 12},
            {
                "number": None,
                "text": "Something else entirely that is not a recommendation at all.",
                "page": 13,
            },
            {
                "number": "3",
                "text": "Health visitors should give safe sleep advice at every contact",
                "page": 14,
            },
        ]
    )
    score = evaluate_records([(predicted, truth)]).recommendations
    assert (score.items.correct, score.items.predicted, score.items.actual) == (2, 3, 2)
    assert score.page_correct == 1 and score.page_accuracy == 0.5
    assert score.number_correct == 1
    assert score.reports_with_exact_count == 0


def test_agencies_match_one_to_one() -> None:
    pairs = [
        (
            record(agencies=["Northshire Police", "Northshire Police", "GP"]),
            record(agencies=["Northshire Police", "Northshire County Council Children's Social Care"]),
        )
    ]
    agencies = evaluate_records(pairs).agencies
    assert (agencies.correct, agencies.predicted, agencies.actual) == (1, 3, 2)


def span(start: int, end: int, kind: str, category: str = "case") -> dict[str, Any]:
    return {"start": start, "end": end, "type": kind, "category": category, "text": "x" * (end - start)}


def test_pii_recall_and_precision_per_type_and_ignoring_type() -> None:
    truth = [span(0, 10, "PERSON"), span(20, 30, "PERSON"), span(40, 48, "POSTCODE"), span(60, 70, "PERSON")]
    found = [
        span(0, 14, "PERSON"),  # overlaps the first name
        span(22, 28, "LOCATION"),  # the second name, but typed wrongly
        span(40, 48, "POSTCODE"),
        span(80, 90, "PERSON"),  # nothing there
    ]
    result = evaluate_pii([(found, truth)])
    person = result["PERSON"]
    assert (person.recalled, person.actual, person.found_correct, person.found) == (1, 3, 1, 2)
    assert result["POSTCODE"].recall == 1.0 and result["POSTCODE"].precision == 1.0
    assert result["LOCATION"].found == 1 and result["LOCATION"].found_correct == 0
    overall = result["ALL"]
    assert (overall.recalled, overall.actual, overall.found_correct, overall.found) == (3, 4, 3, 4)


def test_pii_filter_leaves_spans_over_excluded_truth_out_of_precision() -> None:
    truth = [span(0, 10, "PERSON", "case"), span(20, 30, "PERSON", "professional")]
    found = [span(0, 10, "PERSON"), span(20, 30, "PERSON")]
    result = evaluate_pii([(found, truth)], include=lambda item: item["category"] == "case")
    assert (result["ALL"].found, result["ALL"].found_correct, result["ALL"].actual) == (1, 1, 1)


def test_the_text_report_is_aligned_and_the_json_report_serialises() -> None:
    pairs = [(record(outcome="died", risk_factors=["poverty"]), record(outcome="died", risk_factors=["poverty"]))]
    report = evaluate_records(pairs, pii_pairs=[([span(0, 4, "PERSON")], [span(0, 4, "PERSON")])])
    text = format_report(report)
    fields_block = text.split("\n\n")[1].splitlines()
    assert fields_block[0] == "Fields"
    assert len({len(line) for line in fields_block[1:]}) == 1
    assert "outcome" in text and "100.0%" in text and "Personal data spans" in text
    decoded = json.loads(json.dumps(report.to_json()))
    assert decoded["fields"]["outcome"]["precision"] == 1.0
    assert decoded["pii"]["PERSON"]["recall"] == 1.0
