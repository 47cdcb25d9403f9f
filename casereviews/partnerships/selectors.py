"""Reads about people and their roles."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet

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


def is_staff_member(user: User | AnonymousUser, roles: Iterable[str]) -> bool:
    """True for anyone holding a role that needs a second factor. `roles` are the roles `user` holds anywhere, as
    read once for the request (core.context_processors.person_roles), so the check costs no query of its own."""
    return bool(user.is_authenticated and (user.is_superuser or STAFF_ROLES.intersection(roles)))


def is_analyst(user: User | AnonymousUser) -> bool:
    return user.is_authenticated and Membership.objects.filter(user=user, role=Role.ANALYST).exists()


# -- managing a partnership's people and roles -------------------------------------------------------------------

# Roles a partnership gives; the analyst is national and is given by the service's administrators.
PARTNERSHIP_ROLES = [role for role in Role if role != Role.ANALYST]


def partnerships_managed_by(user: User | AnonymousUser) -> QuerySet[Partnership]:
    """The partnerships whose people and roles `user` manages: those where they are business manager."""
    return partnerships_where(user, {Role.BUSINESS_MANAGER})


@dataclass(frozen=True)
class PersonRoles:
    person: User
    memberships: list[Membership]


def people_of(partnership: Partnership) -> list[PersonRoles]:
    """Everyone holding a role in `partnership`, by name, each with their roles."""
    memberships = (
        Membership.objects.filter(partnership=partnership)
        .select_related("user", "agency")
        .order_by("user__full_name", "user__username", "role")
    )
    rows: dict[int, PersonRoles] = {}
    for membership in memberships:
        rows.setdefault(membership.user_id, PersonRoles(person=membership.user, memberships=[])).memberships.append(
            membership
        )
    return list(rows.values())


def person_named(name: str) -> User | None:
    """The active account whose username or email address is exactly `name` (any case); None if none or several."""
    name = name.strip()
    if not name:
        return None
    matches = list(User.objects.filter(Q(username__iexact=name) | Q(email__iexact=name), is_active=True)[:2])
    return matches[0] if len(matches) == 1 else None
