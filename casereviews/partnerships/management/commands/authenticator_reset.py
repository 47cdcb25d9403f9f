"""Removing a person's authenticators when they have lost them (ASVS 2.5.7; the human procedure, including how the
person's identity is confirmed first, is docs/lost-authenticator.md)."""

from __future__ import annotations

import getpass
from dataclasses import dataclass
from importlib import import_module
from typing import Any

from allauth.mfa.models import Authenticator
from allauth.usersessions.adapter import get_adapter as get_usersessions_adapter
from allauth.usersessions.models import UserSession
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.core.mail import send_mail
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone

from casereviews.core.audit import audit_record
from casereviews.partnerships.models import User

# Session stores kept in the database table, which can be searched for sessions allauth did not list.
_DATABASE_SESSION_ENGINES = {"django.contrib.sessions.backends.db", "django.contrib.sessions.backends.cached_db"}


@dataclass(frozen=True)
class AuthenticatorReset:
    removed: list[str]
    sessions_ended: int
    audit_sequence: int


def _end_sessions(user: User) -> int:
    """Ends every session of `user` in the server's store, so a stolen phone or laptop still signed in is signed out
    too (deleting the cookie's session is what signing out does; the cookie alone then opens nothing)."""
    tracked = list(UserSession.objects.filter(user_id=user.pk))
    get_usersessions_adapter().end_sessions(tracked)
    ended = len(tracked)
    # allauth lists only the sessions started since allauth.usersessions was installed; older ones are found by the
    # user id Django keeps in each session.
    if settings.SESSION_ENGINE in _DATABASE_SESSION_ENGINES:
        store = import_module(settings.SESSION_ENGINE).SessionStore
        for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
            if session.get_decoded().get(SESSION_KEY) == str(user.pk):
                store().delete(session.session_key)
                ended += 1
    return ended


def _operating_system_account() -> str:
    # Who ran the command on the server, beside who confirmed the identity; not every container names its user.
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return ""


def authenticator_reset(*, user: User, reason: str, confirmed_by: str, run_by: str = "") -> AuthenticatorReset:
    """Removes `user`'s authenticator app and recovery codes and ends their sessions, so that whoever holds the lost
    authenticator or a signed-in device can no longer use it; staff are then sent to set up a new authenticator
    straight after their next sign-in (RequireSecondFactorMiddleware). Audited with the reason and who confirmed the
    person's identity; no secret is read or recorded."""
    reason, confirmed_by = reason.strip(), confirmed_by.strip()
    if not reason:
        raise ValueError("A reason is needed")
    if not confirmed_by:
        raise ValueError("The name of whoever confirmed the person's identity is needed")
    with transaction.atomic():
        authenticators = Authenticator.objects.select_for_update().filter(user=user)
        removed = sorted(str(kind) for kind in authenticators.values_list("type", flat=True))
        authenticators.delete()
        sessions_ended = _end_sessions(user)
        partnerships = {m.partnership for m in user.memberships.select_related("partnership") if m.partnership}
        event = audit_record(
            actor=None,
            action="auth.authenticator_reset",
            summary=(
                f"{user.get_username()}: authenticators removed ({', '.join(removed) or 'none held'}) and "
                f"{sessions_ended} session(s) ended after a lost authenticator; identity confirmed by {confirmed_by}"
            ),
            target=user,
            partnership=partnerships.pop() if len(partnerships) == 1 else None,
            changes={
                "reason": reason,
                "confirmed_by": confirmed_by,
                "run_by": run_by,
                "removed": removed,
                "sessions_ended": sessions_ended,
            },
        )
    return AuthenticatorReset(removed=removed, sessions_ended=sessions_ended, audit_sequence=event.sequence)


def authenticator_reset_email(user: User) -> None:
    # Sent to the address on the account, never one given in the request: if the request was not theirs, this is
    # how the person finds out.
    send_mail(
        subject="Your Case Reviews authenticator app has been removed",
        message=(
            f"Hello {user.full_name or user.get_username()},\n\n"
            "Your authenticator app and recovery codes have been removed from your Case Reviews account, because "
            "your partnership's business manager was told you had lost them. You have been signed out everywhere.\n\n"
            "The next time you sign in with your password you will be asked to set up an authenticator app again, "
            "and you will be given new recovery codes.\n\n"
            "If you did not ask for this, tell your partnership's business manager straight away: someone may be "
            "trying to get into your account.\n"
        ),
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=[user.email],
    )


class Command(BaseCommand):
    help = (
        "Remove USERNAME's authenticator app and recovery codes and end their sessions, after their identity has "
        "been confirmed as docs/lost-authenticator.md describes. They set up a new authenticator at their next "
        "sign-in. Audited with --reason and --confirmed-by; the person is e-mailed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--reason", required=True, help="Why, e.g. 'phone lost, reported by phone 2 Dec'")
        parser.add_argument(
            "--confirmed-by",
            required=True,
            help="Who confirmed the person's identity by calling them back (and who checked it)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["username"], is_active=True).first()
        if user is None:
            raise CommandError(f"No active user called {options['username']!r}")
        try:
            reset = authenticator_reset(
                user=user,
                reason=options["reason"],
                confirmed_by=options["confirmed_by"],
                run_by=_operating_system_account(),
            )
        except ValueError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"Removed {', '.join(reset.removed) or 'no authenticators'} from {user.get_username()} and ended "
            f"{reset.sessions_ended} session(s); audit event {reset.audit_sequence}."
        )
        if not user.email:
            raise CommandError(f"{user.get_username()} has no e-mail address: tell them by telephone")
        try:
            authenticator_reset_email(user)
        except Exception as error:
            # The reset stands; the person must still be told, by someone, that it happened.
            raise CommandError(
                f"The reset is done but the e-mail to {user.email} failed ({error}): tell them by telephone"
            ) from error
        self.stdout.write(f"E-mailed {user.email}.")
