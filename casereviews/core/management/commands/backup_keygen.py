from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone
from pyrage import x25519


class Command(BaseCommand):
    help = (
        "Print a new age identity for decrypting backups, in age-keygen's format, on standard output, and its public "
        "key on standard error. Keep the identity offline, never on the server that makes the backups; give the "
        "server only the public key (BACKUP_AGE_RECIPIENTS)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        identity = x25519.Identity.generate()
        public = str(identity.to_public())
        # The same three lines as age-keygen, so `age -d -i FILE` and `restore --identity FILE` both read it.
        self.stdout.write(f"# created: {timezone.now().isoformat(timespec='seconds')}")
        self.stdout.write(f"# public key: {public}")
        self.stdout.write(str(identity))
        self.stderr.write(f"Public key: {public}")
