"""PII scanner on the TAB development documents: recall and precision per type, and words per second.

    .venv/bin/python benchmarks/pii_tab.py [PATH_TO_TAB_JSON]

Recall is over the DIRECT and QUASI mentions of every annotator (see `extraction.pii_evaluation`). Throughput
is measured on one core after a warm-up scan, over the TAB texts scanned several times, and printed beside
the spaCy NER pass alone on the same text, which bounds it.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from extraction.pii import PiiScanner, spacy_pipeline
from extraction.pii_evaluation import SpanReport, TypeScore, evaluate_tab

DEFAULT_PATH = Path("/work/shared/data/tab-dev/echr_dev_docs.json")
THROUGHPUT_REPEATS = 5


def _percent(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:5.1f}%"


def _row(score: TypeScore) -> str:
    return (
        f"{score.type:<14}{score.gold:>6}{_percent(score.recall_overlap):>10}{_percent(score.recall_strict):>10}"
        f"{score.findings:>10}{_percent(score.precision):>11}"
    )


def _table(title: str, report: SpanReport) -> str:
    header = f"{'type':<14}{'gold':>6}{'recall':>10}{'strict':>10}{'findings':>10}{'precision':>11}"
    rows = [_row(report.per_type[name]) for name in sorted(report.per_type)]
    return "\n".join([title, header, *rows, _row(report.total), ""])


def _words_per_second(texts: list[str]) -> tuple[float, float]:
    scanner = PiiScanner()
    scanner.scan_many(texts)
    words = sum(len(text.split()) for text in texts) * THROUGHPUT_REPEATS
    began = time.perf_counter()
    for _ in range(THROUGHPUT_REPEATS):
        scanner.scan_many(texts)
    scanner_rate = words / (time.perf_counter() - began)
    nlp = spacy_pipeline()
    began = time.perf_counter()
    for _ in range(THROUGHPUT_REPEATS):
        list(nlp.pipe(texts))
    return scanner_rate, words / (time.perf_counter() - began)


def main() -> None:
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_PATH
    report = evaluate_tab(path, PiiScanner())
    print(f"TAB: {report.documents} documents, {report.words} words, {path}\n")
    print(_table("DIRECT and QUASI mentions by TAB entity type; findings by scanner type", report.identifying))
    for identifier, by_type in report.by_identifier_type.items():
        total = by_type.total
        print(
            f"{identifier:<7} mentions {total.gold:>4}  recall {_percent(total.recall_overlap)}"
            f"  strict {_percent(total.recall_strict)}"
        )
    texts = [document["text"] for document in json.loads(path.read_text(encoding="utf-8"))]
    scanner_rate, ner_rate = _words_per_second(texts)
    print(f"\nthroughput: scanner {scanner_rate:,.0f} words/s, spaCy NER alone {ner_rate:,.0f} words/s (one core)")


if __name__ == "__main__":
    main()
