"""Recall and precision of the PII scanner against labelled spans.

A labelled (gold) span counts as found in two ways, both reported:

- *overlap*: findings cover at least half of its non-space characters. A finding that drops a title
  ("Polat" for "Mr Cengiz Polat") or a trailing word still hides who the person is;
- *strict*: findings cover every non-space character of it.

Coverage is type-blind: for a redaction gate what matters is that the span is hidden, not which label the
scanner gave it. Precision is per finding type: the share of findings that overlap any labelled span by at
least one character.

`evaluate_tab` reads the Text Anonymization Benchmark format (a JSON list of documents with `doc_id`, `text`
and `annotations` -> annotator -> `entity_mentions`). Recall is over the mentions the annotators marked as
DIRECT or QUASI identifiers, each annotator's mentions counted separately (so a mention marked by three
annotators weighs three times, as in TAB's own evaluation); precision is against every annotated mention of
any annotator, NO_MASK included, since a finding on a mention an annotator chose to keep is still a real entity
and not noise.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from extraction.pii import PiiScanner
from extraction.record import PiiFinding

OVERLAP_SHARE = 0.5
IDENTIFYING = ("DIRECT", "QUASI")


@dataclass(frozen=True)
class GoldSpan:
    start: int
    end: int
    type: str


@dataclass
class TypeScore:
    """Counts for one type: gold spans of the type (recall) and findings of the type (precision)."""

    type: str
    gold: int = 0
    found_overlap: int = 0
    found_strict: int = 0
    findings: int = 0
    findings_on_gold: int = 0

    @property
    def recall_overlap(self) -> float | None:
        return self.found_overlap / self.gold if self.gold else None

    @property
    def recall_strict(self) -> float | None:
        return self.found_strict / self.gold if self.gold else None

    @property
    def precision(self) -> float | None:
        return self.findings_on_gold / self.findings if self.findings else None

    def add(self, other: TypeScore) -> None:
        self.gold += other.gold
        self.found_overlap += other.found_overlap
        self.found_strict += other.found_strict
        self.findings += other.findings
        self.findings_on_gold += other.findings_on_gold


@dataclass
class SpanReport:
    per_type: dict[str, TypeScore] = field(default_factory=dict)

    @property
    def total(self) -> TypeScore:
        total = TypeScore("ALL")
        for score in self.per_type.values():
            total.add(score)
        return total

    def score_for(self, span_type: str) -> TypeScore:
        return self.per_type.setdefault(span_type, TypeScore(span_type))

    def add(self, other: SpanReport) -> None:
        for span_type, score in other.per_type.items():
            self.score_for(span_type).add(score)


@dataclass
class TabReport:
    documents: int
    words: int
    # Gold: DIRECT and QUASI mentions; precision against every annotated mention.
    identifying: SpanReport
    # Recall by identifier type; the same findings, so precision is not repeated here.
    by_identifier_type: dict[str, SpanReport]


def evaluate_spans(
    gold: Iterable[tuple[int, int, str]], found: Sequence[PiiFinding], *, text: str | None = None
) -> SpanReport:
    """Per-type recall (by gold type, overlap and strict) and precision (by finding type) for one text.

    Given the `text`, white space inside a gold span need not be covered (two findings "Kelly" and "Marsh"
    hide "Kelly Marsh"); without it every character counts.
    """
    spans = [GoldSpan(start, end, span_type) for start, end, span_type in gold]
    return _score(spans, spans, found, text)


def evaluate_tab(path: Path, scanner: PiiScanner) -> TabReport:
    """Scan every document of a TAB file and score the findings against its annotations."""
    documents: list[dict[str, Any]] = json.loads(path.read_text(encoding="utf-8"))
    found_by_document = scanner.scan_many(document["text"] for document in documents)
    identifying = SpanReport()
    by_identifier_type = {identifier: SpanReport() for identifier in IDENTIFYING}
    for document, found in zip(documents, found_by_document, strict=True):
        mentions = [
            mention for annotator in document["annotations"].values() for mention in annotator["entity_mentions"]
        ]
        every_mention = [_gold(mention) for mention in mentions]
        text = document["text"]
        identifying_mentions = [_gold(m) for m in mentions if m["identifier_type"] in IDENTIFYING]
        identifying.add(_score(identifying_mentions, every_mention, found, text))
        for identifier, report in by_identifier_type.items():
            gold = [_gold(m) for m in mentions if m["identifier_type"] == identifier]
            _count_recall(report, gold, found, text)
    return TabReport(
        documents=len(documents),
        words=sum(len(document["text"].split()) for document in documents),
        identifying=identifying,
        by_identifier_type=by_identifier_type,
    )


def _gold(mention: dict[str, Any]) -> GoldSpan:
    return GoldSpan(int(mention["start_offset"]), int(mention["end_offset"]), str(mention["entity_type"]))


def _score(
    recall_gold: Sequence[GoldSpan],
    precision_gold: Sequence[GoldSpan],
    found: Sequence[PiiFinding],
    text: str | None,
) -> SpanReport:
    report = SpanReport()
    _count_recall(report, recall_gold, found, text)
    for finding in found:
        score = report.score_for(finding.type)
        score.findings += 1
        if any(finding.start < span.end and span.start < finding.end for span in precision_gold):
            score.findings_on_gold += 1
    return report


def _count_recall(report: SpanReport, gold: Sequence[GoldSpan], found: Sequence[PiiFinding], text: str | None) -> None:
    covered = {offset for finding in found for offset in range(finding.start, finding.end)}
    for span in gold:
        score = report.score_for(span.type)
        score.gold += 1
        positions = [offset for offset in range(span.start, span.end) if text is None or not text[offset].isspace()]
        hidden = sum(1 for offset in positions if offset in covered)
        if hidden >= OVERLAP_SHARE * len(positions):
            score.found_overlap += 1
        if hidden == len(positions):
            score.found_strict += 1
