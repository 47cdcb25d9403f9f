from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from casereviews.api.tokens import token_issue
from casereviews.partnerships.models import User

DEFAULT_DAYS = 90


class Command(BaseCommand):
    help = (
        "Print a new API token for USER, valid for --days days (default 90). The token is stored only as a digest, "
        "so this is the one time it is shown; --rotate revokes the user's other tokens."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument(
            "--days", type=int, default=DEFAULT_DAYS, help=f"Days until the token expires (default {DEFAULT_DAYS})"
        )
        parser.add_argument("--rotate", action="store_true", help="Revoke the user's existing tokens")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["username"], is_active=True).first()
        if user is None:
            raise CommandError(f"No active user called {options['username']!r}")
        if options["days"] < 1:
            raise CommandError("--days must be at least 1")
        token = token_issue(user=user, days=options["days"], revoke_others=options["rotate"])
        self.stdout.write(token)
