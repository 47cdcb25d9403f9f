from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from casereviews.core.backup import backup_create
from casereviews.core.errors import InvalidInput


class Command(BaseCommand):
    help = "Write the database and every stored file, each checked by its SHA-256, to one tar archive."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("out", type=Path, help="the archive to write, e.g. backup-2026-12-02.tar")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            outcome = backup_create(out=options["out"])
        except InvalidInput as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            self.style.SUCCESS(
                f"Backed up {outcome.records} records and {outcome.files} files to {options['out']} "
                f"({outcome.bytes / 1_048_576:.1f} MB in {outcome.seconds:.1f} s)."
            )
        )
