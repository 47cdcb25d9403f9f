"""The generator's truth for the incident year, the source of harm and social care states only what it wrote."""

from extraction.corpus import generate_report
from extraction.evaluation import evaluate_records

REPORTS = [generate_report(31, index, min_pages=8, max_pages=10, formats=("txt",)) for index in range(12)]


def test_a_true_social_care_status_is_written_in_the_report_and_implies_being_known():
    stated = 0
    for report in REPORTS:
        child = report.truth["child"]
        text = report.text
        if child["child_protection_plan"]:
            assert "child protection plan" in text or "child protection register" in text
        if child["looked_after"]:
            assert any(words in text for words in ("looked after", "care of the local authority", "care order"))
        if child["child_in_need"]:
            assert "child in need" in text
        if any(child[flag] for flag in ("looked_after", "child_protection_plan", "child_in_need")):
            assert child["known_to_social_care"] is True
        stated += any(
            child[flag] is not None for flag in ("looked_after", "child_protection_plan", "known_to_social_care")
        )
    assert stated >= 3


def test_a_stated_incident_year_appears_in_the_report_and_is_the_incidents():
    for report in REPORTS:
        year = report.truth["year_incident"]
        if year is not None:
            assert year == report.case.incident_date.year
            assert str(year) in report.text


def test_the_new_fields_are_scored_like_every_other_field():
    truth = {"year_incident": 2021, "harm_source": "intra_familial", "child": {"looked_after": False}}
    guess = {"year_incident": 2021, "harm_source": "extra_familial", "child": {"looked_after": False}}

    fields = evaluate_records([(guess, truth)]).fields

    assert (fields["year_incident"].correct, fields["year_incident"].predicted) == (1, 1)
    assert (fields["harm_source"].correct, fields["harm_source"].actual) == (0, 1)
    assert fields["child.looked_after"].correct == 1
    assert fields["child.child_in_need"].predicted == 0
