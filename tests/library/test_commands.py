"""The pipeline's management commands: extract, pii_scan, make_corpus and evaluate."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from extraction.corpus import generate_report, write_corpus
from extraction.readers import read_document
from tests.shared_data import shared_data

REPO = Path(__file__).resolve().parents[2]
RECORD_KEYS = {
    "source", "sha256", "title", "partnership", "year_published", "framework", "review_type", "methodology",
    "child", "outcome", "death_category", "harm_types", "risk_factors", "practice_themes", "agencies",
    "recommendations", "findings", "evidence", "year_incident", "harm_source",
}  # fmt: skip
CHILD_KEYS = {
    "age_years", "age_text", "age_band", "under_18", "sex", "ethnicity", "looked_after", "child_protection_plan",
    "child_in_need", "known_to_social_care",
}  # fmt: skip
SHORT = 1200  # words: the shortest report the generator writes, about 11 pages


def run(command: str, *args: str) -> tuple[str, str]:
    stdout, stderr = io.StringIO(), io.StringIO()
    call_command(command, *args, stdout=stdout, stderr=stderr)
    return stdout.getvalue(), stderr.getvalue()


def json_lines(output: str) -> list[dict]:
    return [json.loads(line) for line in output.splitlines() if line.strip()]


def write_report(directory: Path, file_format: str, index: int = 0) -> Path:
    report = generate_report(20260101, index, formats=(file_format,), words=SHORT)
    path = directory / report.filename
    path.write_bytes(report.render())
    return path


def test_extract_prints_one_record_with_every_field_and_quotes_that_index_the_text_file(tmp_path):
    path = write_report(tmp_path, "txt")

    (record,) = json_lines(run("extract", str(path), "--format", "json")[0])

    assert set(record) == RECORD_KEYS
    assert set(record["child"]) == CHILD_KEYS
    assert record["source"] == str(path)
    text = path.read_bytes().decode("utf-8")
    quotes = [quote for passages in record["evidence"].values() for quote in passages]
    assert len(quotes) > 10
    assert all(text[quote["start"] : quote["end"]] == quote["quote"] for quote in quotes)


@pytest.mark.parametrize("file_format", ["docx", "pdf"])
def test_extract_reads_word_and_pdf_reports_with_quotes_that_index_the_text_as_read(tmp_path, file_format):
    path = write_report(tmp_path, file_format)

    (record,) = json_lines(run("extract", str(path))[0])

    assert set(record) == RECORD_KEYS
    assert record["partnership"]
    text = read_document(path).text
    quotes = [quote for passages in record["evidence"].values() for quote in passages]
    assert quotes
    assert all(text[quote["start"] : quote["end"]] == quote["quote"] for quote in quotes)


def test_extract_as_text_summarises_each_report_for_a_person(tmp_path):
    path = write_report(tmp_path, "txt")

    output = run("extract", str(path), "--format", "text")[0]

    assert output.startswith(f"{path}\n")
    assert "partnership" in output
    assert "quotes for" in output


def test_an_unreadable_file_gets_an_error_line_the_others_are_still_extracted_and_the_exit_status_fails(tmp_path):
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.7\n1 0 obj << /Type /Catalog >> truncated")
    good = write_report(tmp_path, "txt")

    result = subprocess.run(
        [sys.executable, "manage.py", "extract", str(broken), str(good), "--format", "json"],
        cwd=REPO,
        capture_output=True,
        text=True,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "casereviews.test_settings"},
        timeout=120,
    )

    assert result.returncode != 0
    failure, record = json_lines(result.stdout)
    assert failure["source"] == str(broken)
    assert set(failure) == {"source", "error"}
    assert "damaged" in failure["error"]
    assert record["source"] == str(good)
    assert "1 of 2 files could not be read" in result.stderr


def test_pii_scan_finds_a_deny_listed_name_and_an_nhs_number_but_not_the_pseudonym(tmp_path):
    path = tmp_path / "note.txt"
    path.write_text(
        "Child Q lived with her grandmother, Oakhollow Zinnia, in the town.\n"
        "Her NHS number, 943 476 5919, was on the referral.\n",
        encoding="utf-8",
    )

    output = run("pii_scan", str(path), "--format", "json", "--deny", "Oakhollow Zinnia", "--allow", "Child Q")[0]

    (result,) = json_lines(output)
    assert result["source"] == str(path)
    found = {(finding["text"], finding["type"]) for finding in result["findings"]}
    assert ("Oakhollow Zinnia", "KNOWN_NAME") in found
    assert ("943 476 5919", "NHS_NUMBER") in found
    assert not any("Child Q" in text for text, _ in found)
    text = path.read_text(encoding="utf-8")
    assert all(text[f["start"] : f["end"]] == f["text"] for f in result["findings"])


def test_make_corpus_writes_n_reports_each_with_its_truth_and_shows_progress(tmp_path):
    out = tmp_path / "corpus"

    stdout, stderr = run(
        "make_corpus", "3", "--seed", "5", "--out", str(out), "--formats", "txt,docx", "--words", "1200"
    )

    truths = sorted(out.glob("*.truth.json"))
    assert len(truths) == 3
    for truth_path in truths:
        truth = json.loads(truth_path.read_text(encoding="utf-8"))
        assert (out / truth["source"]).suffix in (".txt", ".docx")
        assert (out / truth["source"]).exists()
        assert truth["sha256"]
    assert "3/3 reports written" in stderr
    assert "3 reports" in stdout


def test_make_corpus_refuses_a_format_it_cannot_write(tmp_path):
    with pytest.raises(CommandError, match="formats"):
        run("make_corpus", "1", "--seed", "5", "--out", str(tmp_path), "--formats", "txt,rtf")


@pytest.fixture(scope="module")
def tiny_corpus(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("corpus")
    write_corpus(3, 20260202, out, formats=("txt", "docx"), words=SHORT)
    return out


def test_evaluate_prints_precision_and_recall_per_field_per_code_and_for_personal_data(tiny_corpus):
    output = run("evaluate", str(tiny_corpus))[0]

    assert "Extraction evaluation over 3 reports" in output
    assert "precision" in output
    assert "recall" in output
    for row in ("partnership", "child.age_band", "Codes: risk_factors", "recommendations", "Personal data spans"):
        assert row in output


def test_evaluate_as_json_counts_every_report(tiny_corpus):
    figures = json.loads(run("evaluate", str(tiny_corpus), "--json")[0])

    assert figures["reports"] == 3
    assert figures["failures"] == []
    assert figures["fields"]["partnership"]["actual"] == 3
    assert figures["pii"]["ALL"]["actual"] > 0


def test_evaluate_on_the_tab_file_reports_recall_of_direct_and_quasi_identifiers():
    output = run("evaluate", str(shared_data("tab-dev/echr_dev_docs.json")))[0]

    direct = next(line for line in output.splitlines() if line.startswith("DIRECT"))
    assert "%" in direct
    assert any(line.startswith("QUASI") for line in output.splitlines())


def test_evaluate_refuses_a_folder_with_nothing_to_score(tmp_path):
    with pytest.raises(CommandError, match="no JSON in the TAB format"):
        run("evaluate", str(tmp_path))
