from __future__ import annotations

from typing import Any

from allauth.mfa.models import Authenticator
from django.core.management.base import BaseCommand
from django.db import transaction

from casereviews.core.audit import audit_record
from casereviews.core.auth import seal_authenticator_data


class Command(BaseCommand):
    help = (
        "Re-encrypt every stored authenticator secret with the first key of MFA_ENCRYPTION_KEY (after putting a new "
        "key first), so the old key can then be removed."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        with transaction.atomic():
            authenticators = list(Authenticator.objects.select_for_update().order_by("pk"))
            for authenticator in authenticators:
                authenticator.data = seal_authenticator_data(authenticator.data)
                authenticator.save(update_fields=["data"])
            audit_record(
                actor=None,
                action="mfa.secrets_rotated",
                summary=f"Re-encrypted the secrets of {len(authenticators)} authenticators with the current key",
            )
        self.stdout.write(self.style.SUCCESS(f"Re-encrypted {len(authenticators)} authenticators."))
