from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from extraction.cli import write_corpus_with_progress
from extraction.corpus import FORMATS


def _formats(value: str) -> list[str]:
    formats = [name.strip() for name in value.split(",") if name.strip()]
    unknown = sorted(set(formats) - set(FORMATS))
    if unknown or not formats:
        raise argparse.ArgumentTypeError(f"{value!r}: formats are a comma-separated list from {','.join(FORMATS)}")
    return formats


class Command(BaseCommand):
    help = (
        "Write N synthetic review reports to DIR, each with NAME.truth.json (every field, its evidence and every "
        "personal-data span) and, for PDF and Word, NAME.canonical.txt (the text the truth's offsets index)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("n", type=int, metavar="N")
        parser.add_argument("--seed", type=int, required=True, help="the same seed gives the same reports")
        parser.add_argument("--out", type=Path, required=True, metavar="DIR")
        parser.add_argument(
            "--formats", type=_formats, default=list(FORMATS), help="comma-separated, from pdf,docx,txt"
        )
        parser.add_argument("--min-pages", type=int, default=10)
        parser.add_argument("--max-pages", type=int, default=150)
        parser.add_argument("--words", type=int, default=None, help="fix every report's length (words)")

    def handle(self, *args: Any, **options: Any) -> None:
        n = options["n"]
        if n < 1:
            raise CommandError("N must be at least 1")
        if not 1 <= options["min_pages"] <= options["max_pages"]:
            raise CommandError("--min-pages must be at least 1 and at most --max-pages")

        def progress(done: int) -> None:
            self.stderr.write(f"\rmake_corpus: {done}/{n} reports written", style_func=_plain, ending="")
            self.stderr.flush()

        paths = write_corpus_with_progress(
            n,
            options["seed"],
            options["out"],
            progress=progress,
            formats=options["formats"],
            min_pages=options["min_pages"],
            max_pages=options["max_pages"],
            words=options["words"],
        )
        self.stderr.write("", style_func=_plain)
        self.stdout.write(f"{len(paths)} reports with their truth in {options['out']}")


def _plain(text: str) -> str:
    # Django colours the error stream red on a terminal; progress is not an error.
    return text
