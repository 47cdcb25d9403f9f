"""Score extraction records against ground truth: precision and recall per field, per code and per item.

A predicted record is `ExtractionRecord.to_dict()`; a truth is the JSON the synthetic corpus writes
(`extraction.corpus`), which has the same fields. For a scalar field, precision is the share of non-null
predictions that are correct and recall the share of non-null truths predicted correctly, so that saying
nothing costs recall but not precision. Codes are scored per code over reports; recommendations,
findings and agencies by matching items one to one on normalised text similarity.

PII is scored from plain spans (mappings with `start`, `end`, `type`), so this module does not depend on
the scanner: a truth span is found when a found span overlaps it, and counted per type.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

SCALAR_FIELDS = (
    "title",
    "partnership",
    "year_published",
    "framework",
    "review_type",
    "methodology",
    "child.age_years",
    "child.age_band",
    "child.under_18",
    "child.sex",
    "child.ethnicity",
    "outcome",
    "death_category",
    "year_incident",
    "harm_source",
    "child.looked_after",
    "child.child_protection_plan",
    "child.child_in_need",
    "child.known_to_social_care",
)
CODE_FIELDS = ("harm_types", "risk_factors", "practice_themes")
TEXT_MATCH_THRESHOLD = 0.9
AGE_TOLERANCE_YEARS = 0.1


@dataclass
class Counts:
    """Correct predictions, all non-null predictions and all non-null truths."""

    correct: int = 0
    predicted: int = 0
    actual: int = 0

    @property
    def precision(self) -> float | None:
        return self.correct / self.predicted if self.predicted else None

    @property
    def recall(self) -> float | None:
        return self.correct / self.actual if self.actual else None

    @property
    def f1(self) -> float | None:
        precision, recall = self.precision, self.recall
        if not precision or not recall:
            return None if precision is None or recall is None else 0.0
        return 2 * precision * recall / (precision + recall)

    def add(self, other: Counts) -> None:
        self.correct += other.correct
        self.predicted += other.predicted
        self.actual += other.actual

    def to_json(self) -> dict[str, Any]:
        return {
            "correct": self.correct,
            "predicted": self.predicted,
            "actual": self.actual,
            "precision": self.precision,
            "recall": self.recall,
            "f1": self.f1,
        }


@dataclass
class SpanCounts:
    """Spans: one found span may cover two true ones, so precision and recall count different things."""

    found: int = 0
    found_correct: int = 0
    actual: int = 0
    recalled: int = 0

    @property
    def precision(self) -> float | None:
        return self.found_correct / self.found if self.found else None

    @property
    def recall(self) -> float | None:
        return self.recalled / self.actual if self.actual else None

    def to_json(self) -> dict[str, Any]:
        return {
            "found": self.found,
            "found_correct": self.found_correct,
            "actual": self.actual,
            "recalled": self.recalled,
            "precision": self.precision,
            "recall": self.recall,
        }


@dataclass
class ItemScore:
    """Recommendations or findings: item matching by text, then how many matched items have the right page."""

    items: Counts = field(default_factory=Counts)
    reports: int = 0
    reports_with_exact_count: int = 0
    page_correct: int = 0
    number_correct: int = 0

    @property
    def page_accuracy(self) -> float | None:
        return self.page_correct / self.items.correct if self.items.correct else None

    def to_json(self) -> dict[str, Any]:
        return {
            **self.items.to_json(),
            "reports": self.reports,
            "reports_with_exact_count": self.reports_with_exact_count,
            "page_correct": self.page_correct,
            "page_accuracy": self.page_accuracy,
            "number_correct": self.number_correct,
        }


@dataclass
class EvaluationReport:
    reports: int = 0
    fields: dict[str, Counts] = field(default_factory=lambda: {name: Counts() for name in SCALAR_FIELDS})
    codes: dict[str, dict[str, Counts]] = field(default_factory=lambda: {name: {} for name in CODE_FIELDS})
    agencies: Counts = field(default_factory=Counts)
    recommendations: ItemScore = field(default_factory=ItemScore)
    findings: ItemScore = field(default_factory=ItemScore)
    pii: dict[str, SpanCounts] | None = None

    def code_totals(self, list_name: str) -> Counts:
        """Micro-averaged counts over every code of one list."""
        total = Counts()
        for counts in self.codes[list_name].values():
            total.add(counts)
        return total

    def to_json(self) -> dict[str, Any]:
        return {
            "reports": self.reports,
            "fields": {name: counts.to_json() for name, counts in self.fields.items()},
            "codes": {
                list_name: {
                    "all": self.code_totals(list_name).to_json(),
                    **{code: counts.to_json() for code, counts in sorted(per_code.items())},
                }
                for list_name, per_code in self.codes.items()
            },
            "agencies": self.agencies.to_json(),
            "recommendations": self.recommendations.to_json(),
            "findings": self.findings.to_json(),
            "pii": None
            if self.pii is None
            else {kind: counts.to_json() for kind, counts in self.pii.items()},
        }


def normalise(text: str) -> str:
    """Lower case, curly quotes and dashes folded, punctuation dropped, whitespace collapsed."""
    text = text.casefold().replace("\u2019", "'").replace("\u2013", "-").replace("\u2014", "-")
    text = re.sub(r"[^\w\s'-]", " ", text)
    return " ".join(text.split())


def similarity(left: str, right: str) -> float:
    return difflib.SequenceMatcher(None, normalise(left), normalise(right), autojunk=False).ratio()


def _get(record: Mapping[str, Any], dotted: str) -> Any:
    value: Any = record
    for part in dotted.split("."):
        if not isinstance(value, Mapping):
            return None
        value = value.get(part)
    return value


def _scalar_equal(name: str, predicted: Any, actual: Any) -> bool:
    if name == "child.age_years":
        return abs(float(predicted) - float(actual)) <= AGE_TOLERANCE_YEARS + 1e-9
    if name in ("title", "partnership"):
        return similarity(str(predicted), str(actual)) >= TEXT_MATCH_THRESHOLD
    if name == "child.ethnicity":
        # One category is written in either order ("White Other", ONS's "Other White"); its words decide.
        return sorted(normalise(str(predicted)).split()) == sorted(normalise(str(actual)).split())
    return bool(predicted == actual)


def _match_items(
    predicted: Sequence[str], actual: Sequence[str], threshold: float = TEXT_MATCH_THRESHOLD
) -> list[tuple[int, int]]:
    """One-to-one pairs (predicted index, actual index), most similar first, at or above `threshold`."""
    candidates = sorted(
        (
            (score, i, j)
            for i, left in enumerate(predicted)
            for j, right in enumerate(actual)
            if (score := similarity(left, right)) >= threshold
        ),
        reverse=True,
    )
    used_predicted: set[int] = set()
    used_actual: set[int] = set()
    pairs: list[tuple[int, int]] = []
    for _score, i, j in candidates:
        if i not in used_predicted and j not in used_actual:
            used_predicted.add(i)
            used_actual.add(j)
            pairs.append((i, j))
    return pairs


def _score_items(
    score: ItemScore, predicted: Sequence[Mapping[str, Any]], actual: Sequence[Mapping[str, Any]]
) -> None:
    score.reports += 1
    score.reports_with_exact_count += len(predicted) == len(actual)
    pairs = _match_items([item["text"] for item in predicted], [item["text"] for item in actual])
    score.items.add(Counts(len(pairs), len(predicted), len(actual)))
    for i, j in pairs:
        score.page_correct += predicted[i].get("page") == actual[j].get("page")
        if "number" in actual[j]:
            score.number_correct += _normalise_number(predicted[i].get("number")) == _normalise_number(
                actual[j].get("number")
            )


def _normalise_number(number: Any) -> str | None:
    return None if number is None else str(number).strip().strip(".:()").casefold() or None


def evaluate_records(
    pairs: Iterable[tuple[Mapping[str, Any], Mapping[str, Any]]],
    *,
    pii_pairs: Iterable[tuple[Sequence[Mapping[str, Any]], Sequence[Mapping[str, Any]]]] | None = None,
) -> EvaluationReport:
    """Score (predicted record, truth) pairs; `pii_pairs` are optional (found spans, truth spans) per text."""
    report = EvaluationReport()
    for predicted, actual in pairs:
        report.reports += 1
        for name in SCALAR_FIELDS:
            counts = report.fields[name]
            guess, truth = _get(predicted, name), _get(actual, name)
            counts.predicted += guess is not None
            counts.actual += truth is not None
            counts.correct += guess is not None and truth is not None and _scalar_equal(name, guess, truth)
        for list_name in CODE_FIELDS:
            guessed = set(predicted.get(list_name) or ())
            true_codes = set(actual.get(list_name) or ())
            per_code = report.codes[list_name]
            for code in guessed | true_codes:
                per_code.setdefault(code, Counts()).add(
                    Counts(
                        int(code in guessed and code in true_codes),
                        int(code in guessed),
                        int(code in true_codes),
                    )
                )
        guessed_agencies = list(predicted.get("agencies") or ())
        true_agencies = list(actual.get("agencies") or ())
        report.agencies.add(
            Counts(
                len(_match_items(guessed_agencies, true_agencies)), len(guessed_agencies), len(true_agencies)
            )
        )
        _score_items(
            report.recommendations,
            predicted.get("recommendations") or (),
            actual.get("recommendations") or (),
        )
        _score_items(report.findings, predicted.get("findings") or (), actual.get("findings") or ())
    if pii_pairs is not None:
        report.pii = evaluate_pii(pii_pairs)
    return report


def evaluate_pii(
    pairs: Iterable[tuple[Sequence[Mapping[str, Any]], Sequence[Mapping[str, Any]]]],
    *,
    include: Callable[[Mapping[str, Any]], bool] | None = None,
) -> dict[str, SpanCounts]:
    """Per-type counts for (found spans, truth spans) pairs over the same text.

    A truth span is recalled when a found span of the same type overlaps it; a found span is correct when
    it overlaps a truth span of its type. The "ALL" row ignores types, which is what matters for
    redaction: a name found as the wrong type is still removed. `include` filters the truth spans (for
    example to the identifying category); found spans that overlap only excluded truth spans are left out
    rather than counted as false positives.
    """
    per_type: dict[str, SpanCounts] = {}
    overall = SpanCounts()
    for found, truth in pairs:
        kept = [span for span in truth if include is None or include(span)]
        ignored = [span for span in truth if include is not None and not include(span)]
        found = [span for span in found if _overlaps_any(span, kept) or not _overlaps_any(span, ignored)]
        for span in kept:
            counts = per_type.setdefault(span["type"], SpanCounts())
            same_type = [other for other in found if other["type"] == span["type"]]
            counts.actual += 1
            counts.recalled += _overlaps_any(span, same_type)
            overall.actual += 1
            overall.recalled += _overlaps_any(span, found)
        for span in found:
            counts = per_type.setdefault(span["type"], SpanCounts())
            counts.found += 1
            counts.found_correct += _overlaps_any(
                span, [other for other in kept if other["type"] == span["type"]]
            )
            overall.found += 1
            overall.found_correct += _overlaps_any(span, kept)
    return {**dict(sorted(per_type.items())), "ALL": overall}


def _overlaps_any(span: Mapping[str, Any], others: Iterable[Mapping[str, Any]]) -> bool:
    start, end = span["start"], span["end"]
    return any(other["start"] < end and start < other["end"] for other in others)


def _percent(value: float | None) -> str:
    return "-" if value is None else f"{value * 100:.1f}%"


def _table(title: str, header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]
    line = "  ".join(f"{{:<{widths[0]}}}" if i == 0 else f"{{:>{widths[i]}}}" for i in range(len(header)))
    return [title, line.format(*header), *(line.format(*row) for row in rows), ""]


def _counts_row(name: str, counts: Counts) -> list[str]:
    return [
        name,
        str(counts.predicted),
        str(counts.actual),
        str(counts.correct),
        _percent(counts.precision),
        _percent(counts.recall),
        _percent(counts.f1),
    ]


def format_report(report: EvaluationReport) -> str:
    """A plain-text report with aligned columns, one table per kind of result."""
    header = ("", "predicted", "true", "correct", "precision", "recall", "F1")
    lines = [f"Extraction evaluation over {report.reports} reports", ""]
    lines += _table("Fields", header, [_counts_row(name, counts) for name, counts in report.fields.items()])
    for list_name, per_code in report.codes.items():
        rows = [_counts_row(code, counts) for code, counts in sorted(per_code.items())]
        rows.append(_counts_row("(all codes)", report.code_totals(list_name)))
        lines += _table(f"Codes: {list_name}", header, rows)
    lines += _table("Agencies", header, [_counts_row("agencies", report.agencies)])
    item_header = (*header, "page ok", "exact count")
    item_rows = [
        [
            *_counts_row(name, score.items),
            _percent(score.page_accuracy),
            f"{score.reports_with_exact_count}/{score.reports}",
        ]
        for name, score in (("recommendations", report.recommendations), ("findings", report.findings))
    ]
    lines += _table("Recommendations and findings (text similarity >= 0.9)", item_header, item_rows)
    if report.pii is not None:
        pii_rows = [
            [kind, str(c.found), str(c.actual), str(c.recalled), _percent(c.precision), _percent(c.recall)]
            for kind, c in report.pii.items()
        ]
        lines += _table(
            "Personal data spans", ("type", "found", "true", "recalled", "precision", "recall"), pii_rows
        )
    return "\n".join(lines).rstrip() + "\n"
