"""Reads about people and their roles."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet

from casereviews.core.request_context import request_memo
from casereviews.partnerships.models import STAFF_ROLES, Membership, Partnership, Role, User, roles_memo_key


def roles_in(user: User | AnonymousUser, partnership: Partnership | None) -> set[str]:
    """The roles `user` holds in `partnership` (None: their national roles)."""
    if not user.is_authenticated:
        return set()
    return set(roles_by_partnership(user).get(partnership.pk if partnership is not None else None, ()))


def roles_by_partnership(user: User | AnonymousUser) -> dict[int | None, frozenset[str]]:
    """Every role `user` holds, by partnership id (None: national roles).

    Read once a request: a case page asks up to five times (the header, the second-factor check, the view's
    permission check, the framework's, the template's actions), and a change of role during the request forgets
    the answer (models.forget_roles_read_this_request). Outside a request it is read afresh each time."""
    if not user.is_authenticated:
        return {}
    memo = request_memo()
    key = roles_memo_key(user.pk)
    if memo is not None and key in memo:
        return memo[key]
    grouped: dict[int | None, set[str]] = {}
    for partnership_id, role in Membership.objects.filter(user=user).values_list("partnership_id", "role"):
        grouped.setdefault(partnership_id, set()).add(role)
    roles = {partnership_id: frozenset(held) for partnership_id, held in grouped.items()}
    if memo is not None:
        memo[key] = roles
    return roles


def partnerships_where(user: User | AnonymousUser, roles: set[str]) -> QuerySet[Partnership]:
    if not user.is_authenticated:
        return Partnership.objects.none()
    return Partnership.objects.filter(memberships__user=user, memberships__role__in=roles).distinct()


def partnership_ids_where(user: User | AnonymousUser, roles: Iterable[str]) -> list[int]:
    """The ids of the partnerships where `user` holds one of `roles` (what `partnerships_where` selects), from the
    roles read once for the request: a list to filter by, which lets the database use an index where a subquery
    of partnerships made SQLite sort (the audit log)."""
    wanted = set(roles)
    return sorted(
        partnership_id
        for partnership_id, held in roles_by_partnership(user).items()
        if partnership_id is not None and wanted & held
    )


def holds_role_anywhere(user: User | AnonymousUser, roles: Iterable[str]) -> bool:
    """True if `user` holds one of `roles` in some partnership (what `partnerships_where(user, roles).exists()`
    asks), without a query of its own."""
    return bool(partnership_ids_where(user, roles))


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
