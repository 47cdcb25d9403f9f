from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from casereviews.core.audit import audit_verify


class Command(BaseCommand):
    help = "Check the audit log's hash chain from the first entry and report the first broken link."

    def handle(self, *args: Any, **options: Any) -> None:
        checked, broken = audit_verify()
        if broken is not None:
            raise CommandError(
                f"Audit chain broken at entry #{broken.sequence}: {broken.reason} "
                f"({checked} entries verified before it)"
            )
        self.stdout.write(self.style.SUCCESS(f"Audit chain intact: {checked} entries verified."))
