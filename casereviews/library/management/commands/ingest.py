"""Add report files to the library from the command line: files or folders, with progress and a summary."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from casereviews.core.errors import InvalidInput
from casereviews.library.services import report_process, report_upload

SUFFIXES = {".pdf", ".docx", ".html", ".htm", ".txt"}


def files_under(paths: list[str]) -> list[Path]:
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES
                                and not p.name.endswith(".canonical.txt")))
        elif path.is_file():
            found.append(path)
        else:
            raise CommandError(f"{raw}: no such file or folder")
    return found


class Command(BaseCommand):
    help = (
        "Ingest published reports (PDF, Word, HTML, text) into the library. Files already there (same content) "
        "are skipped. Exits non-zero if any file failed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", nargs="+", help="files or folders (searched recursively)")
        parser.add_argument("--queue", action="store_true",
                            help="leave the analysis to the task worker instead of doing it here")

    def handle(self, *args: Any, **options: Any) -> None:
        files = files_under(options["paths"])
        added, skipped, failures = 0, 0, []
        progress = tqdm(files, desc="Ingesting", unit="file", file=self.stderr._out,
                        disable=not files or options["verbosity"] == 0)
        for path in progress:
            progress.set_postfix_str(path.name[-40:])
            try:
                result = report_upload(uploaded_by=None, filename=path.name, data=path.read_bytes(),
                                       source="command", queue=options["queue"])
                if not result.created:
                    skipped += 1
                    continue
                if not options["queue"]:
                    report_process(result.report.pk)
                added += 1
            except InvalidInput as error:
                failures.append((path, error.message.removeprefix(f"{path.name}: ")))
            except Exception as error:  # one bad file must not stop the run; it is reported below
                failures.append((path, f"{type(error).__name__}: {error}"))
        self.stdout.write(f"{len(files)} files: {added} added, {skipped} already in the library, "
                          f"{len(failures)} failed.")
        for path, reason in failures:
            self.stdout.write(f"  FAILED {path}: {reason}")
        if failures:
            raise CommandError(f"{len(failures)} of {len(files)} files could not be ingested")
