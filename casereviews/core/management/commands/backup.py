from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from casereviews.core.backup import backup_create
from casereviews.core.errors import InvalidInput


class Command(BaseCommand):
    help = (
        "Write the database and every stored file, each checked by its SHA-256, to one tar archive, encrypted "
        "with age to the recipients given (--recipient, or BACKUP_AGE_RECIPIENTS) as OUT.age."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("out", type=Path, help="the archive to write, e.g. backup-2026-12-02.tar")
        parser.add_argument(
            "--recipient",
            action="append",
            default=[],
            metavar="AGE1...",
            help="an age public key to encrypt to (repeatable); replaces BACKUP_AGE_RECIPIENTS",
        )
        parser.add_argument(
            "--require-encryption",
            action="store_true",
            help="refuse to write an unencrypted archive (as BACKUP_REQUIRE_ENCRYPTION=true does)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        recipients = options["recipient"] or settings.BACKUP_AGE_RECIPIENTS
        try:
            outcome = backup_create(
                out=options["out"],
                recipients=recipients,
                require_encryption=options["require_encryption"] or settings.BACKUP_REQUIRE_ENCRYPTION,
            )
        except InvalidInput as error:
            raise CommandError(str(error)) from error
        if not outcome.encrypted:
            self.stderr.write(
                self.style.WARNING(
                    f"Warning: {outcome.path} is NOT encrypted and names children and families; set "
                    "BACKUP_AGE_RECIPIENTS (or --recipient) to encrypt backups."
                )
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"Backed up {outcome.records} records and {outcome.files} files to {outcome.path} "
                f"({outcome.bytes / 1_048_576:.1f} MB in {outcome.seconds:.1f} s"
                + (f", encrypted to {len(recipients)} age recipients)." if outcome.encrypted else ").")
            )
        )
