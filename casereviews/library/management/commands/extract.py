from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from extraction.cli import each_file, extract_file, summarise_record, to_json_line


class Command(BaseCommand):
    help = (
        "Extract the coding frame of review reports (PDF, Word, HTML or UTF-8 text), every value with its "
        "evidence. JSON: one extraction record per line, as DESIGN.md describes; offsets index the text as read."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("files", nargs="+", type=Path, metavar="FILE")
        parser.add_argument("--format", choices=("json", "text"), default="json")

    def handle(self, *args: Any, **options: Any) -> None:
        failed = 0
        for result in each_file(options["files"], extract_file):
            failed += "error" in result
            if options["format"] == "json":
                self.stdout.write(to_json_line(result))
            else:
                self.stdout.write(summarise_record(result))
        if failed:
            raise CommandError(f"{failed} of {len(options['files'])} files could not be read", returncode=1)
