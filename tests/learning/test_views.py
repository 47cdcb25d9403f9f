"""The analysis pages, downloads and API: public, with disclosure control in every output."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from tests.learning.builders import make_reports

pytestmark = pytest.mark.django_db

EVERYONE = [
    None,
    "referrer",
    "subgroup",
    "chair",
    "reviewer",
    "agency_lead",
    "outsider",
    "analyst",
    "manager",
    "other_manager",
]
NOT_LIBRARY_STAFF = [None, "referrer", "subgroup", "chair", "reviewer", "agency_lead", "outsider"]


@pytest.fixture
def library(people):
    """By year, deaths and serious harm: 2020 8 and 10; 2021 6 and 2 (small: 6, and 7 and 9 of 2022, are
    hidden too, or the totals would give it away); 2022 7 and 9."""
    return {
        "died_2020": make_reports(8, year_published=2020, outcome="died", risk_factors=[]),
        "harmed_2020": make_reports(10, year_published=2020, outcome="seriously_harmed", risk_factors=[]),
        "died_2021": make_reports(6, year_published=2021, outcome="died", risk_factors=["domestic_abuse"]),
        "harmed_2021": make_reports(2, year_published=2021, outcome="seriously_harmed", risk_factors=["poverty"]),
        "died_2022": make_reports(7, year_published=2022, outcome="died", risk_factors=["domestic_abuse"]),
        "harmed_2022": make_reports(9, year_published=2022, outcome="seriously_harmed", risk_factors=[]),
    }


def cell_url(table, row, column="total", **selection):
    from django.utils.http import urlencode

    return reverse("learning:cell") + "?" + urlencode({**selection, "table": table, "row": row, "column": column})


@pytest.mark.parametrize("persona", EVERYONE)
def test_the_analysis_is_public_and_needs_no_sign_in(as_, library, persona):
    response = as_(persona).get(reverse("learning:analysis"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "42 reviews" in html
    assert 'role="img"' in html and '<title id="chart-year_outcome-title">' in html


def test_every_figure_links_to_the_reviews_it_counts(as_, library):
    html = as_(None).get(reverse("learning:analysis")).content.decode()
    assert cell_url("year_outcome", "2020", "died").replace("&", "&amp;") in html
    response = as_(None).get(cell_url("year_outcome", "2020", "died"))
    assert response.status_code == 200
    listed = response.content.decode()
    assert all(report.title in listed for report in library["died_2020"])
    assert not any(report.title in listed for report in library["harmed_2020"])
    assert "8 reviews" in listed


@pytest.mark.parametrize("persona", NOT_LIBRARY_STAFF)
def test_a_suppressed_figure_has_no_link_and_its_reviews_are_refused(as_, library, persona):
    client = as_(persona)
    html = client.get(reverse("learning:analysis")).content.decode()
    assert cell_url("year_outcome", "2021", "seriously_harmed").replace("&", "&amp;") not in html
    assert client.get(cell_url("year_outcome", "2021", "seriously_harmed")).status_code == 403
    assert (
        client.get(
            reverse("api:learning_reviews"), {"table": "year_outcome", "row": "2021", "column": "seriously_harmed"}
        ).status_code
        == 403
    )


@pytest.mark.parametrize("persona", ["analyst", "manager"])
def test_library_staff_can_list_the_reviews_behind_a_suppressed_figure(as_, library, persona):
    response = as_(persona).get(cell_url("year_outcome", "2021", "seriously_harmed"))
    assert response.status_code == 200
    assert all(report.title in response.content.decode() for report in library["harmed_2021"])


def test_an_unknown_table_or_cell_is_not_found(as_, library):
    assert as_(None).get(cell_url("nonsense", "2021")).status_code == 404
    assert as_(None).get(cell_url("year_outcome", "1999", "died")).status_code == 404
    assert as_(None).get(reverse("learning:table", args=["nonsense"])).status_code == 404


def test_one_table_has_its_own_page_with_its_chart(as_, library):
    html = as_(None).get(reverse("learning:table", args=["risk_factors"])).content.decode()
    assert "Prevalence of risk factors" in html and 'id="chart-risk_factors"' in html
    assert "95% confidence interval as a line" in html
    assert "Domestic abuse: 31.0%" in html  # 13 of the 42 reports
    assert "Poverty: c" in html


def test_a_wrong_year_is_explained_in_the_error_summary(as_, library):
    response = as_(None).get(reverse("learning:analysis"), {"published_from": "twenty", "published_to": "2021"})
    html = response.content.decode()
    assert response.status_code == 200 and "There is a problem" in html and "Enter a year such as 2021" in html
    response = as_(None).get(reverse("learning:analysis"), {"published_from": "2022", "published_to": "2021"})
    assert "The end year must be the same as or after the start year" in response.content.decode()


def test_the_selection_is_kept_in_the_links_and_the_downloads(as_, library):
    html = as_(None).get(reverse("learning:analysis"), {"published_from": "2022"}).content.decode()
    assert "<strong>16 reviews</strong>" in html
    assert reverse("learning:csv") + "?published_from=2022" in html


def test_the_csv_download_has_every_table_with_c_for_suppressed_figures(as_, library):
    response = as_(None).get(reverse("learning:csv"))
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    start = rows.index(["Reviews by year of publication and outcome"])
    assert rows[start + 1] == ["Year published", "Died", "Seriously harmed", "Other", "Total"]
    assert rows[start + 2] == ["2020", "8", "10", "0", "18"]
    assert rows[start + 3] == ["2021", "c", "c", "0", "8"]
    assert rows[start + 4] == ["2022", "c", "c", "0", "16"]
    assert rows[start + 5] == ["Total", "21", "21", "0", "42"]
    assert any(row and row[0].startswith("Counts from 1 to 5 are shown as “c”") for row in rows)
    assert ["Prevalence of risk factors"] in rows


def test_the_excel_download_has_a_sheet_per_table_with_the_same_figures(as_, library):
    response = as_(None).get(reverse("learning:xlsx"))
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames[0] == "About" and len(workbook.sheetnames) == 12
    sheet = workbook["Table 1"]
    assert sheet["A1"].value == "Reviews by year of publication and outcome"
    assert [c.value for c in sheet[3]] == ["2020", 8, 10, 0, 18]
    assert [c.value for c in sheet[4]] == ["2021", "c", "c", 0, 8]


def test_the_api_gives_the_same_tables_without_the_counts_of_suppressed_figures(as_, library):
    response = as_(None).get(reverse("api:learning_analysis"))
    assert response.status_code == 200
    data = response.json()
    assert data["reviews"] == 42
    table = next(t for t in data["tables"] if t["key"] == "year_outcome")
    hidden = table["rows"][1]
    assert hidden["code"] == "2021"
    assert hidden["cells"][1] == {
        "column": "seriously_harmed",
        "text": "c",
        "value": None,
        "suppressed": True,
        "percent": "",
        "interval": "",
        "reviews": None,
    }
    shown_cell = table["rows"][0]["cells"][0]
    assert shown_cell["value"] == 8 and shown_cell["reviews"].startswith(reverse("api:learning_reviews"))
    reviews = as_(None).get(shown_cell["reviews"]).json()
    assert sorted(r["id"] for r in reviews) == sorted(r.pk for r in library["died_2020"])


def test_the_api_gives_one_table_and_refuses_a_wrong_selection(as_, library):
    response = as_(None).get(reverse("api:learning_table", args=["sex"]))
    assert response.status_code == 200 and response.json()["key"] == "sex"
    assert as_(None).get(reverse("api:learning_analysis"), {"published_from": "x"}).status_code == 400


def test_the_rebuild_command_says_how_many_records_it_rebuilt(library):
    out = io.StringIO()
    call_command("analysis_rebuild", stdout=out)
    assert out.getvalue().strip() == "42 analysis records rebuilt"
