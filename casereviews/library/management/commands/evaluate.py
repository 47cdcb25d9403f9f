from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from extraction.cli import (
    evaluate_corpus,
    evaluate_tab_files,
    format_tab_report,
    tab_files,
    tab_report_to_json,
    truth_files,
)
from extraction.evaluation import format_report


class Command(BaseCommand):
    help = (
        "Score the pipeline. A folder of generated reports with NAME.truth.json beside each: precision and recall "
        "per field and per code, and of the PII scanner per type. A file, or a folder of files, in the public TAB "
        "format: recall of DIRECT and QUASI identifiers."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, metavar="DIR")
        parser.add_argument("--json", action="store_true", help="print the figures as one JSON object")
        parser.add_argument("--no-pii", action="store_true", help="generated corpus: skip the PII scan")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["path"]
        if not path.exists():
            raise CommandError(f"{path} does not exist")
        if path.is_dir() and truth_files(path):
            self._evaluate_corpus(path, as_json=options["json"], scan_pii=not options["no_pii"])
            return
        tab = tab_files(path)
        if not tab:
            raise CommandError(f"{path} holds no *.truth.json files and no JSON in the TAB format")
        report = evaluate_tab_files(tab)
        if options["json"]:
            self.stdout.write(json.dumps({"tab": tab_report_to_json(report)}))
        else:
            self.stdout.write(format_tab_report(report), ending="")

    def _evaluate_corpus(self, path: Path, *, as_json: bool, scan_pii: bool) -> None:
        def progress(done: int, total: int) -> None:
            self.stderr.write(f"\revaluate: {done}/{total} reports", style_func=_plain, ending="")
            self.stderr.flush()

        evaluation = evaluate_corpus(path, scan_pii=scan_pii, progress=progress)
        self.stderr.write("", style_func=_plain)
        if as_json:
            failures = [{"source": source, "error": reason} for source, reason in evaluation.failures]
            self.stdout.write(json.dumps({**evaluation.report.to_json(), "failures": failures}))
            return
        self.stdout.write(format_report(evaluation.report), ending="")
        for source, reason in evaluation.failures:
            self.stdout.write(f"could not be read (scored as predicting nothing): {source}: {reason}")


def _plain(text: str) -> str:
    # Django colours the error stream red on a terminal; progress is not an error.
    return text
