from __future__ import annotations

from typing import Any, NamedTuple

from django.http import HttpRequest
from django.urls import NoReverseMatch, get_resolver, get_script_prefix, get_urlconf, reverse
from django.utils.safestring import mark_safe

from casereviews.library.services import LIBRARY_STAFF
from casereviews.partnerships.models import Role
from casereviews.partnerships.selectors import roles_by_partnership

CASE_STAFF = {Role.BUSINESS_MANAGER, Role.SUBGROUP_MEMBER, Role.CHAIR}


class NavItem(NamedTuple):
    """One link of the header's service navigation; `view_name` marks it as the current page."""

    href: str
    text: str
    view_name: str


def _href(name: str) -> str:
    """The address of a named URL, or "" when it is not installed (so a page still renders without that link).

    Every page shows a dozen of these: they are worked out once for each URL configuration and script prefix and
    kept on the resolver, which Django replaces whenever the URL configuration changes.
    """
    resolver = get_resolver(get_urlconf())
    known: dict[tuple[str, str], str] = resolver.__dict__.setdefault("_casereviews_nav_hrefs", {})
    key = (get_script_prefix(), name)
    if key not in known:
        try:
            known[key] = reverse(name)
        except NoReverseMatch:
            known[key] = ""
    return known[key]


def _items(links: list[tuple[str, str, str]]) -> list[NavItem]:
    """(URL name to link to, text, view name marked current) as items, leaving out URLs not installed."""
    # The texts are this module's own constants, shown as base.html showed its literals (not escaped, so
    # "Your agency's actions" keeps its apostrophe rather than becoming an entity).
    return [NavItem(href, mark_safe(text), view_name) for name, text, view_name in links if (href := _href(name))]  # noqa: S308


_PUBLIC = [
    ("search:search", "Search reviews", "search:search"),
    ("publication:public_list", "Published reviews", "publication:public_list"),
    ("learning:analysis", "Analysis", "learning:analysis"),
    ("briefings:list", "Briefings", "briefings:list"),
]


def person_roles(request: HttpRequest) -> frozenset[str]:
    """The roles the signed-in person holds anywhere, read once a request (every page's header needs them)."""
    cached: frozenset[str] | None = getattr(request, "_casereviews_roles", None)
    if cached is None:
        user = request.user
        cached = frozenset().union(*roles_by_partnership(user).values())
        request._casereviews_roles = cached  # type: ignore[attr-defined]
    return cached


def navigation_items(request: HttpRequest) -> list[NavItem]:
    """The header's links for this person: staff see their work first, then what everyone can read, then the
    audit log (sign out is a form, in the template)."""
    if not request.user.is_authenticated:
        return _items([*_PUBLIC, ("account_login", "Sign in", "account_login")])
    roles = person_roles(request)
    case_staff = bool(roles & CASE_STAFF)
    links: list[tuple[str, str, str]] = []
    if case_staff:
        links.append(("referrals:dashboard", "Dashboard", "referrals:dashboard"))
    if _href("reviews:dashboard"):
        if case_staff or Role.LEAD_REVIEWER in roles:
            links.append(("reviews:dashboard", "Reviews", "reviews:dashboard"))
        elif Role.AGENCY_LEAD in roles:
            links.append(("reviews:contributions", "Contribution requests", "reviews:contributions"))
    if _href("actions:dashboard") and case_staff:
        links.append(("actions:dashboard", "Action plans", "actions:dashboard"))
    elif Role.AGENCY_LEAD in roles:
        links.append(("actions:agency_actions", "Your agency's actions", "actions:agency_actions"))
    if roles & {Role.BUSINESS_MANAGER, Role.CHAIR}:
        links.append(("publication:home", "Publication", "publication:home"))
    links += [
        ("referrals:list", "Referrals", "referrals:list"),
        ("referrals:create", "Make a referral", "referrals:create"),
    ]
    if _is_library_staff(request, roles):
        links.append(("library:list", "Library", "library:list"))
    links += _PUBLIC
    if Role.BUSINESS_MANAGER in roles:
        links += [
            ("core:audit_log", "Audit log", "core:audit_log"),
            ("partnerships:home", "People and roles", "partnerships:people"),
        ]
    return _items(links)


def _is_library_staff(request: HttpRequest, roles: frozenset[str]) -> bool:
    # As library.services.can_manage_library, from the roles already read.
    return bool(getattr(request.user, "is_superuser", False) or roles & LIBRARY_STAFF)


def navigation(request: HttpRequest) -> dict[str, Any]:
    """Which sections of the service the signed-in person can use, for the header navigation.

    Worked out here once, with the person's roles read in one query, rather than by a dozen `{% url %}` lookups,
    includes and role checks in base.html on every page (issue 7).
    """
    user = request.user
    if not user.is_authenticated:
        return {"nav_roles": set(), "nav_items": navigation_items(request)}
    roles = person_roles(request)
    return {
        "nav_roles": set(roles),
        "nav_is_case_staff": bool(roles & CASE_STAFF),
        "nav_is_business_manager": Role.BUSINESS_MANAGER in roles,
        "nav_is_library_staff": _is_library_staff(request, roles),
        "nav_items": navigation_items(request),
    }
