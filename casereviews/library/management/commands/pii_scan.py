from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from extraction.cli import each_file, pii_scan_file, to_json_line
from extraction.pii import PiiScanner


class Command(BaseCommand):
    help = (
        "Find personal data in review reports. JSON: one {source, findings} object per file and line, offsets "
        "into the text as read."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("files", nargs="+", type=Path, metavar="FILE")
        parser.add_argument("--format", choices=("json", "text"), default="json")
        parser.add_argument(
            "--deny",
            action="append",
            default=[],
            metavar="NAME",
            help="a name (or address, date) of the case that must always be found; repeat for each",
        )
        parser.add_argument(
            "--allow",
            action="append",
            default=[],
            metavar="NAME",
            help="a pseudonym of the case, never a finding; repeat for each",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        scanner = PiiScanner(deny_list=options["deny"], allow_list=options["allow"])
        failed = 0
        for result in each_file(options["files"], lambda path: pii_scan_file(path, scanner)):
            failed += "error" in result
            if options["format"] == "json":
                self.stdout.write(to_json_line(result))
            elif "error" in result:
                self.stdout.write(f"{result['source']}\n  cannot be read: {result['error']}")
            else:
                self.stdout.write(f"{result['source']}: {len(result['findings'])} findings")
                for finding in result["findings"]:
                    self.stdout.write(
                        f"  {finding['start']:>8}-{finding['end']:<8} {finding['type']:<14} "
                        f"{finding['score']:.2f}  {finding['text']}"
                    )
        if failed:
            raise CommandError(f"{failed} of {len(options['files'])} files could not be read", returncode=1)
