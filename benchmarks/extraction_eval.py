"""Extraction precision and recall per field and per code, and PII recall per type, on a fresh generated corpus;
then PII recall on the public TAB documents.

    .venv/bin/python benchmarks/extraction_eval.py [--reports 200] [--seed 20261122] [--min-pages 10]
        [--max-pages 40] [--keep DIR] [--tab PATH]

The seed is one the pipeline was not developed on. Reports are drawn from all three formats (PDF, Word, text)
and every template; their length is kept to 10-40 pages (the generator's default is 10-150) so that the run
takes minutes: extraction is scored per report, so length changes the work, not what is measured, though long
reports have more places to go wrong. The figures are `python manage.py evaluate DIR` on the same corpus.
"""

from __future__ import annotations

import argparse
import collections
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from extraction.cli import evaluate_corpus, evaluate_tab_files, format_tab_report, truth_files
from extraction.corpus import write_corpus
from extraction.evaluation import format_report

DEFAULT_TAB = Path("/work/shared/data/tab-dev/echr_dev_docs.json")


def _progress(label: str, done: int, total: int) -> None:
    print(f"\r{label}: {done}/{total}", end="" if done < total else "\n", file=sys.stderr, flush=True)


def _corpus_summary(directory: Path) -> str:
    truths = [json.loads(path.read_text(encoding="utf-8")) for path in truth_files(directory)]
    generator = [truth["generator"] for truth in truths]
    formats = collections.Counter(entry["format"] for entry in generator)
    designed = sum(entry["designed_pdf"] for entry in generator)
    templates = collections.Counter(entry["template"] for entry in generator)
    pages = [entry["pages"] for entry in generator]
    words = sum(entry["words"] for entry in generator)
    return (
        f"corpus: {len(truths)} reports; "
        + ", ".join(f"{count} {name}" for name, count in sorted(formats.items()))
        + f" ({designed} designed two-column PDFs); {len(templates)} templates "
        + f"({', '.join(f'{name} {count}' for name, count in sorted(templates.items()))}); "
        + f"{sum(pages):,} pages ({min(pages)}-{max(pages)} per report), about {words:,} words"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reports", type=int, default=200)
    parser.add_argument("--seed", type=int, default=20261122)
    parser.add_argument("--min-pages", type=int, default=10)
    parser.add_argument("--max-pages", type=int, default=40)
    parser.add_argument("--keep", type=Path, help="write the corpus here and keep it (default: a temporary folder)")
    parser.add_argument("--tab", type=Path, default=DEFAULT_TAB)
    options = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="extraction-eval-") as scratch:
        directory = options.keep or Path(scratch)
        began = time.perf_counter()
        write_corpus(options.reports, options.seed, directory, min_pages=options.min_pages, max_pages=options.max_pages)
        generated = time.perf_counter() - began
        print(f"seed {options.seed}; generated in {generated:.0f} s into {directory}")
        print(_corpus_summary(directory))
        evaluation = evaluate_corpus(directory, progress=lambda done, total: _progress("evaluate", done, total))
        print(
            f"extracted and scanned {evaluation.pages:,} pages as read in {evaluation.seconds:.0f} s; "
            f"{len(evaluation.failures)} reports could not be read\n"
        )
        for source, reason in evaluation.failures:
            print(f"  could not be read: {source}: {reason}")
        print(format_report(evaluation.report))

    if options.tab.exists():
        print(format_tab_report(evaluate_tab_files([options.tab])))
    else:
        print(f"TAB file not found at {options.tab}; skipped")


if __name__ == "__main__":
    main()
