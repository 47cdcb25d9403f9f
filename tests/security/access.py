"""The vocabulary of the declarations in `routes.py`: persona groups, and what each method of a route answers.

A cell of the matrix is one persona sending one method to one route. The persona is either let through (the
page, the file, a redirect the view chose, or for a write a validation answer: 400 or 409), sent elsewhere
(a redirect to another page, for reads only), or refused: 403 or 404 when signed in; a redirect to sign in,
401 or 403 when anonymous. A method a route does not offer answers 405, or the refusal, to everyone.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

PERSONAS = (
    "manager",
    "subgroup",
    "chair",
    "second_chair",
    "reviewer",
    "agency_lead",
    "referrer",
    "other_referrer",
    "analyst",
    "other_manager",
    "outsider",
    "anonymous",
)

Who = frozenset[str]


def who(*names: str) -> Who:
    unknown = set(names) - set(PERSONAS)
    assert not unknown, f"not personas: {sorted(unknown)}"
    return frozenset(names)


EVERYONE = who(*PERSONAS)
SIGNED_IN = EVERYONE - {"anonymous"}
NOBODY = who()
MANAGER = who("manager")
CHAIRS = who("chair", "second_chair")
# Northshire's case staff (DOMAIN.md, "People"): the business manager, the sub-group and the chairs.
CASE_STAFF = MANAGER | CHAIRS | who("subgroup")
# Case staff of any partnership: Glanmor's business manager has their own (empty) dashboards.
ANY_CASE_STAFF = CASE_STAFF | who("other_manager")
# Case staff and the lead reviewer appointed to the review.
REVIEW_TEAM = CASE_STAFF | who("reviewer")
# The business manager and the appointed lead reviewer: the review's own work (drafts, events, findings).
REVIEW_WORKERS = MANAGER | who("reviewer")
# The redaction gate and the case key: business manager and chairs, not the sub-group (publication/rules.py).
GATE_STAFF = MANAGER | CHAIRS
# The library and briefings: national analysts and any partnership's business manager.
LIBRARY_STAFF = who("manager", "other_manager", "analyst")
# Everyone who belongs to a partnership in some role, so may refer a case to it.
MEMBERS = SIGNED_IN - {"analyst", "outsider"}


@dataclass(frozen=True)
class Rule:
    """Who a method lets through, and who it sends elsewhere instead (reads only)."""

    allowed: Who
    redirected: Who = NOBODY
    offered: bool = True

    def __post_init__(self) -> None:
        assert not self.allowed & self.redirected, "a persona is either let through or sent elsewhere"


NOT_OFFERED = Rule(NOBODY, offered=False)


def rule(value: Rule | Who) -> Rule:
    return value if isinstance(value, Rule) else Rule(value)


@dataclass(frozen=True)
class Route:
    """The declared answer of one route, per method, and what its requests carry.

    `at` names the world's objects (or gives values) for the route's URL arguments where the namespace's
    defaults in `routes.ARGUMENTS` do not fit; `body` builds a write's body from the world (a valid one where it
    matters: a view that validated before checking would otherwise refuse everyone alike)."""

    get: Rule
    post: Rule
    others: dict[str, Rule] = field(default_factory=dict)
    at: dict[str, Any] = field(default_factory=dict)
    query: str = ""
    body: Callable[[Any], dict[str, Any]] | None = None
    json: bool = False
    admin: bool = False
    answers: frozenset[int] = frozenset()  # statuses that are themselves the page's answer (a health check's 503)
    answers_sign_in: bool = False  # a write that is done sends the person on to sign in
    # Personas whose write (with `body`) must change the database: it shows the body is one the view would act on,
    # so that the refusal of everyone else is a refusal of a real change.
    changes: Who = frozenset()

    def __post_init__(self) -> None:
        writers = set().union(*(rule.allowed for method, rule in self.methods().items() if method != "GET"))
        assert self.changes <= writers, "only a persona let through can change anything"

    def methods(self) -> dict[str, Rule]:
        return {"GET": self.get, "POST": self.post, **self.others}


def page(allowed: Who, *, redirected: Who = NOBODY, **extra: Any) -> Route:
    """A page that answers GET and POST alike (a view without a method restriction)."""
    return Route(get=Rule(allowed, redirected), post=Rule(allowed | redirected), **extra)


def form(get: Who | Rule, post: Who | None = None, **extra: Any) -> Route:
    """A form: GET shows it, POST submits it; by default the same people may do both."""
    shown = rule(get)
    return Route(get=shown, post=Rule(shown.allowed if post is None else post), **extra)


def read(allowed: Who | Rule, **extra: Any) -> Route:
    """GET only: POST is not offered."""
    return Route(get=rule(allowed), post=NOT_OFFERED, **extra)


def write(allowed: Who, **extra: Any) -> Route:
    """POST only: GET is not offered."""
    return Route(get=NOT_OFFERED, post=Rule(allowed), **extra)


def admin_only(**extra: Any) -> Route:
    """Django's admin: no persona is staff, so every method of every admin page sends everyone to its sign-in."""
    return Route(get=NOT_OFFERED, post=NOT_OFFERED, admin=True, **extra)


def names(group: Iterable[str]) -> str:
    return ", ".join(sorted(group)) or "nobody"
