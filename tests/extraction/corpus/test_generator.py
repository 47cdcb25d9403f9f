"""The synthetic report corpus: determinism, exact truth offsets, honest distractors, variety, real files."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import docx
import pypdfium2
import pytest

from extraction.corpus import FORMATS, GeneratedReport, generate_report, lexicon, write_corpus

SEED = 20240611


@pytest.fixture(scope="module")
def corpus() -> list[GeneratedReport]:
    return [generate_report(SEED, index, max_pages=60) for index in range(30)]


def _longest_literal(template: str) -> str:
    return max(re.split(r"\{[^}]*\}", template), key=len)


def _flatten(text: str) -> str:
    # pypdfium2 marks a line-end hyphen as U+FFFE and ends lines with \r\n.
    return " ".join(text.replace("\ufffe", "").split())


def test_the_same_seed_and_index_give_the_same_text_and_truth() -> None:
    first, second = generate_report(7, 3), generate_report(7, 3)
    assert first.text.encode() == second.text.encode()
    assert json.dumps(first.truth, sort_keys=True) == json.dumps(second.truth, sort_keys=True)


def test_another_seed_or_index_gives_another_report() -> None:
    assert generate_report(7, 3).text != generate_report(8, 3).text
    assert generate_report(7, 3).text != generate_report(7, 4).text


def test_every_pii_span_is_exactly_its_text_in_the_canonical_text(corpus: list[GeneratedReport]) -> None:
    for report in corpus:
        for span in report.truth["pii"]:
            assert report.text[span["start"] : span["end"]] == span["text"]


def test_evidence_and_item_offsets_point_at_their_text_on_their_page(corpus: list[GeneratedReport]) -> None:
    for report in corpus:
        pages = report.truth["canonical_pages"]
        for quotes in report.truth["evidence"].values():
            for quote in quotes:
                assert report.text[quote["start"] : quote["end"]] == quote["quote"]
                page_start, page_end = pages[quote["page"] - 1]
                assert page_start <= quote["start"] < page_end
        for item in report.truth["recommendations"] + report.truth["findings"]:
            assert report.text[item["start"] : item["end"]] == item["text"]
            page_start, page_end = pages[item["page"] - 1]
            assert page_start <= item["start"] < page_end


def test_the_truth_lists_only_the_agencies_the_report_names(corpus: list[GeneratedReport]) -> None:
    for report in corpus:
        flat = " ".join(report.text.split())
        assert all(name in flat for name in report.truth["agencies"])
    assert any(report.truth["agencies"] for report in corpus)


def test_text_pages_are_separated_by_form_feeds(corpus: list[GeneratedReport]) -> None:
    for report in corpus:
        assert report.text.count("\f") + 1 == report.truth["generator"]["pages"]


def test_negated_and_hedged_mentions_are_in_the_text_but_not_in_the_truth(
    corpus: list[GeneratedReport],
) -> None:
    tables = {
        "risk_factors": lexicon.RISK_FACTOR_NEGATED,
        "harm_types": lexicon.HARM_NEGATED,
        "practice_themes": lexicon.THEME_NEGATED,
    }
    checked = 0
    for report in corpus:
        for field, codes in report.truth["negated_mentions"].items():
            for code in codes:
                assert code not in report.truth[field]
                assert any(_longest_literal(template) in report.text for template in tables[field][code])
                checked += 1
    assert checked > 30


def test_a_stated_code_has_evidence_and_a_negated_one_has_none(corpus: list[GeneratedReport]) -> None:
    for report in corpus:
        truth = report.truth
        for field in ("risk_factors", "harm_types", "practice_themes"):
            for code in truth[field]:
                assert code in truth["evidence"]
            for code in truth["negated_mentions"][field]:
                assert code not in truth["evidence"]


def test_drafts_leak_the_familys_real_names_and_published_reports_do_not(
    corpus: list[GeneratedReport],
) -> None:
    drafts = [report for report in corpus if report.draft]
    published = [report for report in corpus if not report.draft]
    assert drafts and published
    for report in drafts:
        leaked = {span["text"] for span in report.truth["pii"] if span["category"] == "case"}
        assert leaked & set(report.truth["known_names"])
    for report in published:
        assert not [span for span in report.truth["pii"] if span["category"] == "case" and span["type"] == "PERSON"]
        case = report.case
        assert case.child.full not in report.text and case.mother.full not in report.text
        assert report.case.pseudonym in report.truth["pseudonyms"]


def test_the_corpus_varies_as_a_real_one_does(corpus: list[GeneratedReport]) -> None:
    assert len({report.template for report in corpus}) >= 5
    assert {report.format for report in corpus} == set(FORMATS)
    pages = sorted(report.truth["generator"]["pages"] for report in corpus)
    assert pages[0] <= 20 and pages[-1] >= 40
    age_phrasings = set()
    for report in corpus:
        age_text = report.truth["child"]["age_text"] or "unstated"
        age_phrasings.add(
            re.sub(
                r"\d+|[a-z]+teen|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve",
                "N",
                age_text.split(" and ")[0],
            ).split(" on ")[0]
        )
    assert len(age_phrasings) >= 4
    assert {report.truth["child"]["sex"] for report in corpus} >= {"female", "male", None}
    assert len({report.truth["death_category"] for report in corpus}) >= 3


def test_words_sets_the_length_for_benchmarks() -> None:
    for index in range(3):
        words = len(generate_report(SEED, index, words=25000).text.split())
        assert 22000 <= words <= 29000


def test_write_corpus_writes_each_report_with_truth_and_canonical_text(tmp_path: Path) -> None:
    paths = write_corpus(3, SEED, tmp_path, formats=("txt", "docx"), max_pages=12)
    assert len(paths) == 3
    for path in paths:
        name = path.name.rsplit(".", 1)[0]
        truth = json.loads((tmp_path / f"{name}.truth.json").read_text(encoding="utf-8"))
        canonical = (tmp_path / truth["canonical_text"]).read_text(encoding="utf-8")
        assert truth["source"] == path.name and len(truth["sha256"]) == 64
        for span in truth["pii"]:
            assert canonical[span["start"] : span["end"]] == span["text"]


def _first(formats: tuple[str, ...], wanted: object) -> GeneratedReport:
    for index in range(200):
        report = generate_report(SEED, index, formats=formats, max_pages=14)
        if wanted(report):  # type: ignore[operator]
            return report
    raise AssertionError("no report of the wanted kind in 200 draws")


def test_docx_holds_the_recommendations_with_word_numbering() -> None:
    report = _first(
        ("docx",),
        lambda r: (
            r.truth["recommendations"]
            and r.truth["recommendations"][0]["number"]
            and "1. " + r.truth["recommendations"][0]["text"] in r.text
        ),
    )
    document = docx.Document(io.BytesIO(report.render()))
    paragraphs = {paragraph.text: paragraph for paragraph in document.paragraphs}
    cells = {cell.text for table in document.tables for row in table.rows for cell in row.cells}
    for recommendation in report.truth["recommendations"]:
        assert recommendation["text"] in paragraphs or recommendation["text"] in cells
    first = paragraphs[report.truth["recommendations"][0]["text"]]
    assert first.style is not None and first.style.name == "List Number"
    assert first._p.pPr.numPr.numId.val > 0


@pytest.mark.parametrize("designed", [False, True])
def test_pdf_shows_each_recommendation_on_its_truth_page(designed: bool) -> None:
    report = _first(("pdf",), lambda r: r.designed_pdf == designed and r.truth["recommendations"])
    pdf = pypdfium2.PdfDocument(report.render())
    assert len(pdf) == report.truth["generator"]["pages"]
    pages = [_flatten(pdf[number].get_textpage().get_text_range()) for number in range(len(pdf))]
    for recommendation in report.truth["recommendations"]:
        assert _flatten(recommendation["text"])[:60] in pages[recommendation["page"] - 1]
