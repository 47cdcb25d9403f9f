"""What the pipeline's commands do, as plain functions (the Django management commands only parse arguments).

* `extract_file` and `pii_scan_file` give the JSON object DESIGN.md promises for one file; `each_file` runs
  either over many files and turns a file that cannot be read into `{"source": FILE, "error": REASON}`, so
  one bad file does not stop the others.
* `write_corpus_with_progress` is `extraction.corpus.write_corpus` with a progress callback.
* `evaluate_corpus` scores extraction and the PII scanner against a generated corpus's truth files;
  `evaluate_tab_files` scores the scanner against files in the public TAB format.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from extraction.corpus import load_truth, write_corpus
from extraction.errors import UnreadableDocument
from extraction.evaluation import EvaluationReport, evaluate_records
from extraction.extract import extract_record
from extraction.pii import PiiScanner
from extraction.pii_evaluation import IDENTIFYING, SpanReport, TabReport, TypeScore, evaluate_tab
from extraction.readers import DEFAULT_LIMITS, read_document
from extraction.record import PiiFinding
from extraction.safety import Limits
from extraction.sections import find_sections

TRUTH_SUFFIX = ".truth.json"
# The personal data the corpus generator labels (`extraction.corpus.writer`). It does not label dates,
# organisations, places or reference numbers, so the scanner's DATE, ORGANISATION, LOCATION and REFERENCE
# findings can only be judged where they overlap a labelled span; elsewhere they are left out, not counted wrong.
LABELLED_PII_TYPES = frozenset(
    {"PERSON", "SCHOOL", "DATE_OF_BIRTH", "ADDRESS", "POSTCODE", "NHS_NUMBER", "NI_NUMBER", "PHONE", "EMAIL"}
)
_TAB_KEYS = frozenset({"doc_id", "text", "annotations"})


# --- extract and pii_scan ---------------------------------------------------------------------------


def extract_file(path: Path, limits: Limits = DEFAULT_LIMITS) -> dict[str, Any]:
    """The extraction record of one file, as DESIGN.md's JSON; raises `UnreadableDocument` or `OSError`."""
    document = read_document(path, limits)
    return extract_record(document, find_sections(document)).to_dict()


def pii_scan_file(path: Path, scanner: PiiScanner, limits: Limits = DEFAULT_LIMITS) -> dict[str, Any]:
    """`{"source", "findings"}` for one file, offsets into its text as read; raises as `extract_file`."""
    document = read_document(path, limits)
    return {"source": str(path), "findings": [_finding_json(finding) for finding in scanner.scan(document.text)]}


def _finding_json(finding: PiiFinding) -> dict[str, Any]:
    return {
        "start": finding.start,
        "end": finding.end,
        "text": finding.text,
        "type": finding.type,
        "score": round(finding.score, 4),
    }


def failure_reason(error: UnreadableDocument | OSError) -> str:
    """One sentence for the person who gave the file; an `OSError`'s message without Python's decoration."""
    if isinstance(error, UnreadableDocument):
        return error.reason
    return error.strerror.lower() if error.strerror else str(error)


def each_file(paths: Iterable[Path], handle: Callable[[Path], dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """`handle(path)` for every path in turn; a file that cannot be read yields `{"source", "error"}`."""
    for path in paths:
        try:
            yield handle(path)
        except (UnreadableDocument, OSError) as error:
            yield {"source": str(path), "error": failure_reason(error)}


def to_json_line(value: Mapping[str, Any]) -> str:
    return json.dumps(value, ensure_ascii=False)


def summarise_record(record: Mapping[str, Any]) -> str:
    """A few lines a person can read: the record's values, without evidence."""
    if "error" in record:
        return f"{record['source']}\n  cannot be read: {record['error']}\n"
    child = record["child"]
    child_parts = [
        child["age_text"] or (f"{child['age_years']:g} years" if child["age_years"] is not None else None),
        child["age_band"] and f"band {child['age_band']}",
        child["sex"],
        child["ethnicity"],
        {True: "under 18", False: "adult", None: None}[child["under_18"]],
    ]
    outcome = record["outcome"]
    if outcome and record["death_category"]:
        outcome = f"{outcome} ({record['death_category']})"
    rows = [
        ("title", record["title"]),
        ("partnership", record["partnership"]),
        ("published", record["year_published"]),
        ("framework", record["framework"]),
        ("review type", record["review_type"]),
        ("methodology", record["methodology"]),
        ("child", ", ".join(str(part) for part in child_parts if part) or None),
        ("outcome", outcome),
        ("harm types", ", ".join(record["harm_types"]) or None),
        ("risk factors", ", ".join(record["risk_factors"]) or None),
        ("practice themes", ", ".join(record["practice_themes"]) or None),
        ("agencies", ", ".join(record["agencies"]) or None),
        ("recommendations", _items_summary(record["recommendations"])),
        ("findings", _items_summary(record["findings"])),
    ]
    width = max(len(name) for name, _ in rows)
    lines = [record["source"], *(f"  {name:<{width}}  {'-' if value is None else value}" for name, value in rows)]
    evidence = record["evidence"]
    lines.append(
        f"  {'evidence':<{width}}  {sum(len(quotes) for quotes in evidence.values())} quotes for {len(evidence)} values"
    )
    return "\n".join(lines) + "\n"


def _items_summary(items: Sequence[Mapping[str, Any]]) -> str | None:
    if not items:
        return None
    pages = sorted({item["page"] for item in items})
    where = f"page {pages[0]}" if len(pages) == 1 else f"pages {pages[0]}-{pages[-1]}"
    return f"{len(items)} ({where})"


# --- make_corpus ------------------------------------------------------------------------------------


def write_corpus_with_progress(
    n: int,
    seed: int,
    out: Path,
    *,
    progress: Callable[[int], None],
    interval: float = 0.5,
    **options: Any,
) -> list[Path]:
    """`write_corpus(n, seed, out, **options)`, calling `progress(reports written so far)` while it runs.

    `write_corpus` takes no callback, so a watcher thread counts the truth files it has written in `out`
    (each report's truth is written last), leaving out truth files that were there before and unchanged.
    """
    out.mkdir(parents=True, exist_ok=True)
    before = {path.name: path.stat().st_mtime_ns for path in out.glob(f"*{TRUTH_SUFFIX}")}

    def written() -> int:
        return sum(1 for path in out.glob(f"*{TRUTH_SUFFIX}") if before.get(path.name) != _mtime_ns(path))

    stop = threading.Event()

    def watch() -> None:
        while not stop.wait(interval):
            progress(min(written(), n))

    watcher = threading.Thread(target=watch, name="corpus-progress", daemon=True)
    watcher.start()
    try:
        paths = write_corpus(n, seed, out, **options)
    finally:
        stop.set()
        watcher.join()
    progress(len(paths))
    return paths


def _mtime_ns(path: Path) -> int | None:
    try:
        return path.stat().st_mtime_ns
    except FileNotFoundError:
        return None


# --- evaluate: a generated corpus -------------------------------------------------------------------


@dataclass
class CorpusEvaluation:
    report: EvaluationReport
    # (report file, reason) for each report that could not be read; it is scored as predicting nothing.
    failures: list[tuple[str, str]] = field(default_factory=list)
    pages: int = 0
    seconds: float = 0.0


def truth_files(directory: Path) -> list[Path]:
    return sorted(directory.glob(f"*{TRUTH_SUFFIX}"))


def evaluate_corpus(
    directory: Path,
    *,
    scan_pii: bool = True,
    progress: Callable[[int, int], None] | None = None,
) -> CorpusEvaluation:
    """Extract every report beside a truth file in `directory` and score it; PII is scored on the canonical text.

    The scanner gets each case's own lists, as it would in use: the truth's known names as the deny list and
    its pseudonyms as the allow list. A deny-list hit is reported as KNOWN_NAME; the known names here are all
    people's names, so it is scored as PERSON. Findings of types the generator does not label are scored only
    where they overlap a labelled span (`LABELLED_PII_TYPES`).
    """
    began = time.perf_counter()
    truths = truth_files(directory)
    evaluation = CorpusEvaluation(EvaluationReport())
    pairs: list[tuple[dict[str, Any], dict[str, Any]]] = []
    pii_pairs: list[tuple[list[dict[str, Any]], list[dict[str, Any]]]] = []
    for done, truth_path in enumerate(truths, start=1):
        truth = load_truth(truth_path)
        report_path = directory / truth["source"]
        try:
            document = read_document(report_path)
            predicted = extract_record(document, find_sections(document)).to_dict()
            evaluation.pages += document.page_count
        except (UnreadableDocument, OSError) as error:
            evaluation.failures.append((str(report_path), failure_reason(error)))
            predicted = {}
        pairs.append((predicted, truth))
        if scan_pii:
            text = (directory / truth["canonical_text"]).read_text(encoding="utf-8")
            scanner = PiiScanner(deny_list=truth["known_names"], allow_list=truth["pseudonyms"])
            found = [_scored_span(finding) for finding in scanner.scan(text)]
            pii_pairs.append((_judgeable(found, truth["pii"]), truth["pii"]))
        if progress is not None:
            progress(done, len(truths))
    evaluation.report = evaluate_records(pairs, pii_pairs=pii_pairs if scan_pii else None)
    evaluation.seconds = time.perf_counter() - began
    return evaluation


def _judgeable(found: list[dict[str, Any]], truth: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        span
        for span in found
        if span["type"] in LABELLED_PII_TYPES
        or any(other["start"] < span["end"] and span["start"] < other["end"] for other in truth)
    ]


def _scored_span(finding: PiiFinding) -> dict[str, Any]:
    span_type = "PERSON" if finding.type == "KNOWN_NAME" else finding.type
    return {"start": finding.start, "end": finding.end, "type": span_type}


# --- evaluate: the public TAB format ----------------------------------------------------------------


def is_tab_file(path: Path) -> bool:
    """Whether `path` holds TAB documents: a JSON list of objects with `doc_id`, `text` and `annotations`."""
    if path.suffix != ".json" or path.name.endswith(TRUTH_SUFFIX) or not path.is_file():
        return False
    try:
        content = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return False
    return (
        isinstance(content, list)
        and bool(content)
        and all(isinstance(item, dict) and item.keys() >= _TAB_KEYS for item in content)
    )


def tab_files(path: Path) -> list[Path]:
    """`path` itself when it is a TAB file, else the TAB files directly inside the folder `path`."""
    if path.is_dir():
        return [candidate for candidate in sorted(path.glob("*.json")) if is_tab_file(candidate)]
    return [path] if is_tab_file(path) else []


def evaluate_tab_files(paths: Sequence[Path], scanner: PiiScanner | None = None) -> TabReport:
    """`evaluate_tab` over several files, added together."""
    scanner = scanner or PiiScanner()
    total = TabReport(0, 0, SpanReport(), {identifier: SpanReport() for identifier in IDENTIFYING})
    for path in paths:
        report = evaluate_tab(path, scanner)
        total.documents += report.documents
        total.words += report.words
        total.identifying.add(report.identifying)
        for identifier, by_type in report.by_identifier_type.items():
            total.by_identifier_type.setdefault(identifier, SpanReport()).add(by_type)
    return total


def _percent(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.1f}%"


def format_tab_report(report: TabReport) -> str:
    """Recall of DIRECT and QUASI identifiers, then recall and precision per TAB entity type."""
    lines = [f"PII on TAB documents: {report.documents} documents, {report.words:,} words", ""]
    header = ("identifiers", "mentions", "recall", "strict recall")
    rows = [
        (identifier, str(total.gold), _percent(total.recall_overlap), _percent(total.recall_strict))
        for identifier, total in ((name, spans.total) for name, spans in report.by_identifier_type.items())
    ]
    lines += _aligned(header, rows)
    lines.append("")
    type_header = ("entity type", "mentions", "recall", "strict recall", "findings", "precision")
    identifying = report.identifying
    type_rows = [_type_row(identifying.per_type[name]) for name in sorted(identifying.per_type)]
    type_rows.append(_type_row(identifying.total))
    lines.append("DIRECT and QUASI mentions by TAB entity type; findings (precision) by scanner type")
    lines += _aligned(type_header, type_rows)
    return "\n".join(lines) + "\n"


def _type_row(score: TypeScore) -> tuple[str, ...]:
    return (
        score.type,
        str(score.gold),
        _percent(score.recall_overlap),
        _percent(score.recall_strict),
        str(score.findings),
        _percent(score.precision),
    )


def _aligned(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    widths = [max(len(row[column]) for row in [header, *rows]) for column in range(len(header))]
    return [
        "  ".join(
            cell.ljust(width) if column == 0 else cell.rjust(width)
            for column, (cell, width) in enumerate(zip(row, widths, strict=True))
        )
        for row in [header, *rows]
    ]


def tab_report_to_json(report: TabReport) -> dict[str, Any]:
    return {
        "documents": report.documents,
        "words": report.words,
        "identifiers": {
            identifier: _type_score_json(spans.total) for identifier, spans in report.by_identifier_type.items()
        },
        "entity_types": {
            **{name: _type_score_json(score) for name, score in sorted(report.identifying.per_type.items())},
            "ALL": _type_score_json(report.identifying.total),
        },
    }


def _type_score_json(score: TypeScore) -> dict[str, Any]:
    return {
        "mentions": score.gold,
        "recall": score.recall_overlap,
        "recall_strict": score.recall_strict,
        "findings": score.findings,
        "precision": score.precision,
    }
