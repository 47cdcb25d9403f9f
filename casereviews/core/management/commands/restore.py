from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from casereviews.core.backup import backup_restore
from casereviews.core.errors import InvalidInput


class Command(BaseCommand):
    help = (
        "Restore a backup archive (plain, or encrypted with age and decrypted with --identity) into an empty "
        "database (or replace a database's data with --force), "
        "then rebuild the analysis records and search index and verify the audit chain."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("archive", type=Path, help="an archive written by the backup command")
        parser.add_argument("--force", action="store_true", help="replace a database that already holds data")
        parser.add_argument(
            "--identity",
            type=Path,
            default=None,
            metavar="PATH",
            help="the age identity file that decrypts an encrypted archive (else BACKUP_AGE_IDENTITY_FILE)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            outcome = backup_restore(
                archive_path=options["archive"], force=options["force"], identity_file=options["identity"]
            )
        except InvalidInput as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored {outcome.records} records and {outcome.files} files in {outcome.seconds:.1f} s; "
                f"{outcome.analysis_records} analysis records and {outcome.reports_indexed} search entries rebuilt; "
                f"audit chain intact ({outcome.audit_entries} entries)."
            )
        )
