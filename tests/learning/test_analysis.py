"""The analysis tables for a small hand-built library whose answers are known."""

from __future__ import annotations

import pytest

from casereviews.learning import selectors
from casereviews.learning.analysis import TOTAL
from casereviews.learning.models import AnalysisRecord
from casereviews.learning.selectors import Selection
from tests.factories import make_partnership
from tests.learning.builders import make_report, make_reports

pytestmark = pytest.mark.django_db


def shown(table, row, column=TOTAL):
    return table.cell(row, column).text


def test_the_year_by_outcome_table_suppresses_a_small_cell_and_every_cell_that_would_reveal_it():
    make_reports(8, year_published=2021, outcome="died")
    make_reports(12, year_published=2021, outcome="seriously_harmed")
    make_reports(3, year_published=2022, outcome="died")
    make_reports(9, year_published=2022, outcome="seriously_harmed")
    table = selectors.analysis_for(Selection()).table("year_outcome")
    assert [row.code for row in table.rows] == ["2021", "2022", TOTAL]
    assert [code for code, _ in table.columns] == ["died", "seriously_harmed", "other", TOTAL]
    # 3 is small; its row and column totals would give it away, so 9 and 8 go, and then 12 (the 2021 row).
    assert [shown(table, "2021", c) for c in ("died", "seriously_harmed", "other", TOTAL)] == ["c", "c", "0", "20"]
    assert [shown(table, "2022", c) for c in ("died", "seriously_harmed", "other", TOTAL)] == ["c", "c", "0", "12"]
    assert [shown(table, TOTAL, c) for c in ("died", "seriously_harmed", "other", TOTAL)] == ["11", "21", "0", "32"]
    assert table.cell("2022", "died").value is None and table.cell("2022", "died").count == 3
    assert table.counted == 32 and table.unconfirmed == 0 and table.unknown == 0


def test_a_table_with_no_small_cells_shows_every_count():
    make_reports(6, child__age_band="under_1", outcome="died")
    make_reports(7, child__age_band="11_15", outcome="seriously_harmed")
    table = selectors.analysis_for(Selection()).table("age_outcome")
    assert shown(table, "under_1", "died") == "6"
    assert shown(table, "11_15", "seriously_harmed") == "7"
    assert shown(table, "1_5", TOTAL) == "0"
    assert shown(table, TOTAL, TOTAL) == "13"


def test_values_not_yet_confirmed_are_not_counted_and_the_table_says_how_many():
    make_reports(6, child__sex="female")
    make_reports(2, child__sex="male", pending=("child.sex",))
    make_report(outcome="died")  # reviewed, but the report does not give the sex
    make_report(child__sex="male", rejected=("child.sex",))
    table = selectors.analysis_for(Selection()).table("sex")
    assert shown(table, "female") == "6" and table.cell("female", TOTAL).percent == "100.0%"
    assert shown(table, "male") == "0"
    assert (table.counted, table.unconfirmed, table.unknown) == (6, 2, 2)
    assert "Not counted: 2 with the field not yet confirmed and 2 where it is not known." in table.notes


def test_a_distribution_with_one_small_group_hides_the_next_smallest_and_their_percentages():
    make_reports(2, child__sex="male")
    make_reports(7, child__sex="female")
    table = selectors.analysis_for(Selection()).table("sex")
    assert shown(table, "male") == "c" and table.cell("male", TOTAL).percent == "c"
    assert shown(table, "female") == "c" and table.cell("female", TOTAL).percent == "c"
    assert shown(table, TOTAL) == "9"


def test_prevalence_gives_each_factor_its_count_percentage_and_wilson_interval():
    make_reports(6, risk_factors=["domestic_abuse"])
    make_reports(3, risk_factors=["poverty"])
    make_report(risk_factors=[], outcome="died")  # reviewed, no risk factor found
    make_report(risk_factors=["domestic_abuse"], pending=("risk_factors",))  # still being reviewed
    make_report(risk_factors=["domestic_abuse"], reviewed=False)  # nobody has looked yet
    table = selectors.analysis_for(Selection()).table("risk_factors")
    cell = table.cell("domestic_abuse", TOTAL)
    assert (cell.text, cell.percent, cell.interval) == ("6", "60.0%", "31.3% to 83.2%")
    poverty = table.cell("poverty", TOTAL)
    assert (poverty.text, poverty.percent, poverty.interval) == ("c", "c", "c")
    assert shown(table, "online_harm") == "0" and table.cell("online_harm", TOTAL).percent == "0.0%"
    assert shown(table, TOTAL) == "10"
    assert (table.counted, table.unconfirmed) == (10, 2)


def test_category_of_death_counts_deaths_only_and_harm_type_counts_survivors_only():
    make_reports(6, outcome="died", death_category="sudi", harm_types=["neglect"])
    make_reports(7, outcome="seriously_harmed", harm_types=["neglect", "physical_abuse"])
    make_report(outcome="died", pending=("death_category",), death_category="suicide")
    result = selectors.analysis_for(Selection())
    deaths = result.table("death_category")
    assert shown(deaths, "sudi") == "6" and shown(deaths, TOTAL) == "6"
    assert (deaths.counted, deaths.unconfirmed) == (6, 1)
    harm = result.table("harm_type")
    assert shown(harm, "neglect") == "7" and harm.cell("neglect", TOTAL).percent == "100.0%"
    assert shown(harm, TOTAL) == "7"


def test_regional_figures_are_rounded_to_the_nearest_ten_and_totals_on_their_own():
    north = make_partnership("Northbrook")  # North East, England
    wales = make_partnership("Cwm", nation="wales")
    make_reports(15, partnership=north.name)
    make_reports(25, partnership=wales.name)
    make_reports(6, framework="england_2023")  # no partnership named: England, region not known
    table = selectors.analysis_for(Selection()).table("region")
    assert shown(table, "North East") == "20"
    assert shown(table, "Wales (no regions)") == "30"
    assert shown(table, "England (no regions)") == "10"
    assert shown(table, TOTAL) == "50"  # 46, rounded on its own
    assert table.cell("North East", TOTAL).percent == "32.6%"  # from the unrounded count, 15 of 46
    assert table.rounded


def test_a_selection_narrowed_to_a_partnership_is_rounded_everywhere():
    north = make_partnership("Northbrook")
    make_reports(14, partnership=north.name, child__sex="female")
    result = selectors.analysis_for(Selection(partnership=north.pk))
    assert result.rounded
    assert shown(result.table("sex"), "female") == "10"
    assert not selectors.analysis_for(Selection()).rounded


def test_the_selection_filters_by_year_nation_framework_and_type():
    make_reports(6, year_published=2019, framework="england_2015", review_type="Serious case review")
    make_reports(7, year_published=2022, framework="wales", review_type="Child practice review")
    assert selectors.analysis_for(Selection(published_from=2020)).reviews == 7
    assert selectors.analysis_for(Selection(published_to=2020)).reviews == 6
    assert selectors.analysis_for(Selection(nation="wales")).reviews == 7
    assert selectors.analysis_for(Selection(framework="england_2015")).reviews == 6
    assert selectors.analysis_for(Selection(review_type="Child practice review")).reviews == 7


def test_each_cell_knows_the_reviews_it_counts():
    died = make_reports(6, year_published=2021, outcome="died")
    make_reports(7, year_published=2021, outcome="seriously_harmed")
    cell, members = selectors.cell_members(Selection(), "year_outcome", "2021", "died")
    assert cell.text == "6"
    assert sorted(members) == sorted(r.pk for r in died)
    _cell, everyone = selectors.cell_members(Selection(), "year_outcome", TOTAL, TOTAL)
    assert len(everyone) == 13


def test_ethnicity_groups_spellings_that_differ_only_in_case_and_spacing():
    make_reports(3, child__ethnicity="White British")
    make_reports(4, child__ethnicity="white  british")
    table = selectors.analysis_for(Selection()).table("ethnicity")
    assert shown(table, "White british") == "7"


def test_only_analysed_reports_have_a_record():
    report = make_report(child__sex="female")
    assert AnalysisRecord.objects.filter(report=report).exists()
    report.status = "queued"
    report.save()
    assert not AnalysisRecord.objects.filter(report=report).exists()
