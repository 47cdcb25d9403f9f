"""Reads about people and their roles."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet

from casereviews.partnerships.models import STAFF_ROLES, Membership, Partnership, Role, User


def roles_in(user: User | AnonymousUser, partnership: Partnership | None) -> set[str]:
    """The roles `user` holds in `partnership` (None: their national roles)."""
    if not user.is_authenticated:
        return set()
    return set(Membership.objects.filter(user=user, partnership=partnership).values_list("role", flat=True))


def partnerships_where(user: User | AnonymousUser, roles: set[str]) -> QuerySet[Partnership]:
    if not user.is_authenticated:
        return Partnership.objects.none()
    return Partnership.objects.filter(memberships__user=user, memberships__role__in=roles).distinct()


def is_staff_member(user: User | AnonymousUser) -> bool:
    """True for anyone holding a role that needs a second factor."""
    if not user.is_authenticated:
        return False
    return user.is_superuser or Membership.objects.filter(user=user, role__in=STAFF_ROLES).exists()


def is_analyst(user: User | AnonymousUser) -> bool:
    return user.is_authenticated and Membership.objects.filter(user=user, role=Role.ANALYST).exists()
