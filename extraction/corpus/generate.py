"""Generate synthetic review reports with their ground truth, and write a corpus to disk.

`generate_report(seed, index)` is a pure function of its arguments: it draws every choice from its own
`random.Random`, never the global one, so the same seed and index give the same text byte for byte.
Text generation is cheap (a 25,000-word report takes a few milliseconds); rendering a PDF or Word file
happens only when `GeneratedReport.render()` is called.
"""

from __future__ import annotations

import hashlib
import json
import random
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from extraction.corpus.blocks import Canonical, Heading, Unit, paginate, render_canonical
from extraction.corpus.story import TEMPLATES, Case, build_case
from extraction.corpus.writer import HouseStyleWriter, social_care_truth, write_units

FORMATS = ("pdf", "docx", "txt")
TRUTH_SCHEMA = "casereviews.synthetic-report-truth/1"
PAGE_BASIS = {
    "txt": "exact: pages are separated by form feeds (\\f) in the file",
    "pdf": "exact: the page each item was drawn on, read back from the reportlab layout",
    "docx": "explicit page breaks after each page; exact when Word fits each page's content on one page",
}


@dataclass
class GeneratedReport:
    name: str
    format: str
    template: str
    draft: bool
    designed_pdf: bool
    hyphenated: bool
    case: Case
    pages: list[list[Unit]]
    header: str | None
    footer: str | None
    canonical: Canonical
    truth: dict[str, Any]

    @property
    def text(self) -> str:
        """The canonical text: the `.txt` rendering every truth offset indexes into."""
        return self.canonical.text

    @property
    def filename(self) -> str:
        return f"{self.name}.{self.format}"

    def render(self) -> bytes:
        """The report file's bytes; for a PDF, the truth's pages are updated to where items were drawn."""
        if self.format == "txt":
            return self.text.encode("utf-8")
        if self.format == "docx":
            from extraction.corpus.render_docx import render_docx

            return render_docx(self.pages, header=self.header, footer=self.footer, title=self.truth["title"])
        from extraction.corpus.render_pdf import render_pdf

        data, placed, page_count = render_pdf(
            self.pages,
            header=self.header,
            footer=self.footer,
            designed=self.designed_pdf,
            hyphenate=self.hyphenated,
            title=self.truth["title"],
        )
        for kind in ("recommendation", "finding"):
            for index, entry in enumerate(self.truth[f"{kind}s"]):
                entry["page"] = placed.get((kind, index), entry["page"])
        self.truth["generator"]["format_page_count"] = page_count
        self.truth["generator"]["canonical_pages_match_format"] = page_count == len(self.pages)
        return data


def generate_report(
    seed: int,
    index: int,
    *,
    min_pages: int = 10,
    max_pages: int = 150,
    formats: Sequence[str] = FORMATS,
    words: int | None = None,
    draft_fraction: float = 0.3,
) -> GeneratedReport:
    """One report. `words` fixes the length (for benchmarks); otherwise it is drawn from the page range."""
    unknown = set(formats) - set(FORMATS)
    if unknown or not formats:
        raise ValueError(f"formats must be drawn from {FORMATS}, got {list(formats)}")
    rng = random.Random(seed * 1_000_003 + index)
    template = rng.choice(sorted(TEMPLATES))
    draft = rng.random() < draft_fraction
    file_format = rng.choice(list(formats))
    designed = file_format == "pdf" and rng.random() < 0.5
    hyphenated = file_format == "pdf" and rng.random() < 0.6
    case = build_case(rng, template, draft)
    page_words = rng.randint(440, 540)
    if designed:
        # Two columns of smaller type hold more than a Word-style page.
        page_words = page_words * 7 // 5
    if words is None:
        # Most published reports are 20 to 60 pages; a few run to well over a hundred.
        pages = round(rng.triangular(min_pages, max_pages, min_pages + (max_pages - min_pages) * 0.15))
        words = pages * page_words * 4 // 5
    units, writer = write_units(rng, case, words)
    pages_of_units = paginate(units, page_words)
    if writer.toc_entries:
        writer.set_contents_pages(
            {
                id(unit): number
                for number, page in enumerate(pages_of_units, start=1)
                for unit in page
                if isinstance(unit, Heading)
            }
        )
    header, footer = _running_heads(rng, case, writer)
    canonical = render_canonical(pages_of_units, header, footer)
    county = case.county.lower().replace(" ", "-")
    name = f"{county}-{template.replace('_', '-')}-{case.year_published}-{seed}-{index:05d}"
    report = GeneratedReport(
        name,
        file_format,
        template,
        draft,
        designed,
        hyphenated,
        case,
        pages_of_units,
        header,
        footer,
        canonical,
        {},
    )
    report.truth = _truth(report, writer, seed, index)
    return report


def _running_heads(rng: random.Random, case: Case, writer: HouseStyleWriter) -> tuple[str | None, str | None]:
    header = rng.choice((None, "OFFICIAL", case.partnership, "OFFICIAL – SENSITIVE"))
    if case.draft and rng.random() < 0.6:
        header = "DRAFT – CONFIDENTIAL – NOT FOR PUBLICATION"
    short = (
        case.partnership.replace("Local Safeguarding Children Board", "LSCB")
        .replace("Safeguarding Children Partnership", "SCP")
        .replace("Regional Safeguarding Children Board", "RSCB")
    )
    footer = rng.choice(
        (
            f"{short} – {case.pseudonym} – Page {{page}} of {{pages}}",
            "Page {page} of {pages}",
            "{page}",
            f"{writer.stated.title} | Page {{page}}",
            None,
        )
    )
    return header, footer


def _truth(report: GeneratedReport, writer: HouseStyleWriter, seed: int, index: int) -> dict[str, Any]:
    case = report.case
    stated = writer.stated
    canonical = report.canonical
    targets = canonical.targets

    def placed(kind: str, position: int) -> dict[str, Any]:
        place = targets[(kind, position)]
        return {"page": place.page, "start": place.start, "end": place.end}

    recommendations = [
        {"number": number, "text": text, **placed("recommendation", position)}
        for position, (number, text) in enumerate(stated.recommendations)
    ]
    findings = [
        {"text": text, **placed("finding", position)} for position, text in enumerate(stated.findings)
    ]
    evidence = {
        key: [
            {"page": place.page, "start": place.start, "end": place.end, "quote": place.text}
            for place in places
        ]
        for key, places in canonical.evidence.items()
    }
    named_text = " ".join(canonical.text.split())
    known_names = sorted(
        {
            *(person.full for person in (case.child, case.mother, case.father, *case.extra_people)),
            case.child.first,
            case.mother.first,
            case.father.first,
            case.child.last,
            case.father.last,
            case.mother.last,
            *(person.first for person in case.extra_people),
        }
    )
    return {
        "schema": TRUTH_SCHEMA,
        "source": report.filename,
        "sha256": None,
        "title": stated.title,
        "partnership": case.partnership,
        "year_published": stated.year_published,
        "framework": case.framework,
        "review_type": case.review_type,
        "methodology": stated.methodology,
        "child": {
            "age_years": stated.age_years,
            "age_text": stated.age_text,
            "age_band": stated.age_band,
            # Every report names children's services, which DESIGN.md counts as context for under 18; an
            # adult's status is only known when the age is stated.
            "under_18": True if case.age_years < 18 else (False if stated.age_band else None),
            "sex": stated.sex,
            "ethnicity": stated.ethnicity,
            **social_care_truth(stated),
        },
        "year_incident": stated.year_incident,
        # Null when the report names no one, or names both kinds.
        "harm_source": next(iter(stated.harm_sources)) if len(stated.harm_sources) == 1 else None,
        "outcome": case.outcome,
        "death_category": stated.death_category,
        "harm_types": sorted(case.harm_types),
        "risk_factors": sorted(case.risk_factors),
        "practice_themes": sorted(case.practice_themes),
        # Only the agencies the report names: the inquiry and Learning Together styles list no contributing
        # agencies, so some of the case's agencies never appear in their text.
        "agencies": [name for name, _short in case.agencies if name in named_text],
        "recommendations": recommendations,
        "findings": findings,
        "evidence": evidence,
        "negated_mentions": {
            "harm_types": sorted(case.negated_harm_types),
            "risk_factors": sorted(case.negated_risk_factors),
            "practice_themes": sorted(case.negated_themes),
        },
        "pii": [
            {
                "start": span.start,
                "end": span.end,
                "text": span.text,
                "type": span.type,
                "category": span.category,
            }
            for span in canonical.pii
        ],
        "pseudonyms": stated.pseudonyms,
        "known_names": known_names,
        "canonical_text": f"{report.name}.txt" if report.format == "txt" else f"{report.name}.canonical.txt",
        "canonical_pages": [list(span) for span in canonical.page_spans],
        "page_basis": PAGE_BASIS[report.format],
        "generator": {
            "seed": seed,
            "index": index,
            "template": report.template,
            "format": report.format,
            "draft": report.draft,
            "designed_pdf": report.designed_pdf,
            "hyphenated": report.hyphenated,
            # Counted from spaces and line ends, as split() would cost more than generating the text.
            "words": canonical.text.count(" ") + canonical.text.count("\n") // 2,
            "pages": len(report.pages),
            "nation": case.nation,
        },
    }


def write_corpus(
    n: int,
    seed: int,
    out: Path,
    *,
    formats: Sequence[str] = FORMATS,
    min_pages: int = 10,
    max_pages: int = 150,
    words: int | None = None,
    draft_fraction: float = 0.3,
) -> list[Path]:
    """Write `n` reports to `out` with `NAME.truth.json` beside each; returns the report files' paths."""
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for index in range(n):
        report = generate_report(
            seed,
            index,
            min_pages=min_pages,
            max_pages=max_pages,
            formats=formats,
            words=words,
            draft_fraction=draft_fraction,
        )
        data = report.render()
        path = out / report.filename
        path.write_bytes(data)
        report.truth["sha256"] = hashlib.sha256(data).hexdigest()
        if report.format != "txt":
            (out / report.truth["canonical_text"]).write_text(report.text, encoding="utf-8")
        (out / f"{report.name}.truth.json").write_text(
            json.dumps(report.truth, indent=1, ensure_ascii=False), encoding="utf-8"
        )
        written.append(path)
    return written


def load_truth(path: Path) -> dict[str, Any]:
    """A truth JSON as written by `write_corpus`."""
    truth: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return truth
