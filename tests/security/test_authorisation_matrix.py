"""The authorisation matrix: every route, by every method it could be sent, as every persona, answers as
`routes.py` declares; a route nobody declared fails, and so does a declaration of a route that is gone.

One test per route and method sends it as each of the twelve personas in turn, each request undone (a savepoint)
before the next, and names every persona whose answer differs from the declaration. On top of the status:
- a refused write must change nothing: the rows, and the versions where rows carry one, of every table of the
  project are counted before and after it; where a route declares who `changes` the database with its body, their
  write must change it (so the body is one the view acts on, and the others' refusal is of a real change);
- no answer, refusals included, may show a persona a confidential word of the world they may not see
  (`routes.SECRETS`).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.apps import apps
from django.db import connection, transaction
from django.http import HttpResponse
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from django.urls import reverse

from tests.security.access import PERSONAS, Route, Rule, names
from tests.security.inventory import Pattern, api_operations, url_patterns
from tests.security.routes import ARGUMENTS, PREFIXES, ROUTES, SECRETS, VARIANTS, declared
from tests.security.world import World

# -- the inventory against the declarations ------------------------------------------------------------------------


def test_every_route_is_declared():
    missing = [p.key for p in url_patterns() if declared(p.key) is None]
    assert not missing, f"routes with no declaration in tests/security/routes.py: {missing}"


def test_no_declaration_is_stale():
    keys = {p.key for p in url_patterns()}
    stale = [key for key in [*ROUTES, *VARIANTS] if key not in keys]
    unused = [prefix for prefix in PREFIXES if not any(key.startswith(prefix) for key in keys)]
    assert not stale + unused, f"declared in tests/security/routes.py, but no such route: {stale + unused}"


def test_every_url_argument_names_something_in_the_world():
    unnamed = [
        f"{p.key} <{argument}>"
        for p in url_patterns()
        if (route := declared(p.key)) is not None
        for argument in p.arguments
        if argument not in route.at and argument not in ARGUMENTS.get(p.namespace, {})
    ]
    assert not unnamed, f"URL arguments with nothing in the world for them: {unnamed}"


def test_every_operation_of_the_api_schema_is_declared_as_offered():
    undeclared = [
        f"{method} {path} ({route})"
        for (path, method), route in api_operations().items()
        if route not in ROUTES or not _rule(ROUTES[route], method).offered
    ]
    assert not undeclared, f"operations of the OpenAPI schema that routes.py does not offer: {undeclared}"


def test_the_api_offers_no_operation_its_schema_does_not_describe():
    described = {(route, method) for (_path, method), route in api_operations().items()}
    undescribed = [
        f"{method} {key}"
        for key, route in ROUTES.items()
        if key.startswith("api:") and key not in {"api:schema", "api:docs"}
        for method, rule in route.methods().items()
        if rule.offered and rule.allowed and (key, method) not in described  # one nobody may use is no operation
    ]
    assert not undescribed, f"offered in routes.py but missing from the OpenAPI schema: {undescribed}"


# -- the matrix ----------------------------------------------------------------------------------------------------


def _rule(route: Route, method: str) -> Rule:
    return route.methods().get(method, Rule(frozenset(), offered=False))


def _cases() -> list[Any]:
    cases = []
    for pattern in url_patterns():
        route = declared(pattern.key)
        if route is None:
            continue  # test_every_route_is_declared names it
        for variant, declaration in [(None, route), *VARIANTS.get(pattern.key, {}).items()]:
            label = f"{pattern.key} [{variant}]" if variant else pattern.key
            cases += [
                pytest.param(pattern, variant, method, id=f"{label} {method}") for method in declaration.methods()
            ]
    return cases


def _url(pattern: Pattern, route: Route, objects: dict[str, Any]) -> str:
    defaults = ARGUMENTS.get(pattern.namespace, {})
    values = {}
    for argument in pattern.arguments:
        value = route.at.get(argument, defaults.get(argument))
        values[argument] = value(objects) if callable(value) else value
    return pattern.url(values)


# A refusal of someone signed in is itself audited (casereviews.core.refusals), so the audit log grows by an entry
# on a refused write: that entry records the refusal and is not a change the request made. Every change of the
# project is audited alongside a row of its own table, so leaving the audit log out hides no refused change of data.
_WRITTEN_ON_REFUSAL = {"core.auditevent"}


def _tables() -> list[tuple[str, bool]]:
    """Every table of the project's apps (and of sign-in and the task queue), with whether its rows carry a
    version; all but the audit log, which records refusals too."""
    labels = {
        "core", "partnerships", "frameworks", "referrals", "reviews", "actions", "library", "learning",
        "publication", "search", "account", "mfa", "authtoken", "django_tasks_database",
    }  # fmt: skip
    return [
        (model._meta.db_table, any(f.name == "version" for f in model._meta.concrete_fields))
        for model in apps.get_models()
        if model._meta.app_label in labels
        and model._meta.managed
        and not model._meta.proxy
        and model._meta.label_lower not in _WRITTEN_ON_REFUSAL
    ]


def _snapshot() -> tuple[int, ...]:
    """How many rows each table has, and the sum of the versions where rows carry one: a write shows in either."""
    parts = []
    for table, versioned in _tables():
        quoted = connection.ops.quote_name(table)  # a model's own table name, not input
        parts.append(f"(SELECT COUNT(*) FROM {quoted})")  # noqa: S608
        if versioned:
            parts.append(f"(SELECT COALESCE(SUM(version), 0) FROM {quoted})")  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts))
        return tuple(cursor.fetchone())


@contextmanager
def _undone() -> Iterator[None]:
    """Whatever happens inside is rolled back, so the next persona finds the world as it was built."""
    savepoint = transaction.savepoint()
    try:
        yield
    finally:
        transaction.savepoint_rollback(savepoint)


def _send(world: World, persona: str, method: str, url: str, route: Route) -> Any:
    client = world.client(persona)
    address = f"{url}?{route.query}" if route.query else url
    if method == "GET":
        return client.get(address)
    body = route.body(world.objects) if route.body else {}
    if route.json:
        return client.generic(method, address, json.dumps(body), content_type="application/json")
    return client.generic(method, address, encode_multipart(BOUNDARY, body), content_type=MULTIPART_CONTENT)


def _body(response: HttpResponse) -> str:
    content = b"".join(response.streaming_content) if response.streaming else response.content  # type: ignore[attr-defined]
    return content.decode("utf-8", errors="replace")


def _outcome(response: HttpResponse, route: Route) -> str:
    status = response.status_code
    if status in route.answers:
        return "through"
    if 300 <= status < 400:
        target = urlsplit(response["Location"]).path
        signing_in = ("/admin/",) if route.admin else (reverse("account_login"), reverse("admin:login"))
        return "sign-in" if target.startswith(signing_in) else "elsewhere"
    if 200 <= status < 300:
        return "through"
    if status in {400, 409}:
        return "invalid"
    if status == 405:
        return "not offered"
    if status in {401, 403, 404}:
        return "refused"
    return f"error {status}"


def _expected(rule: Rule, route: Route, method: str, persona: str) -> set[str]:
    if route.admin:
        return {"sign-in"}
    refused = {"sign-in", "refused"} if persona == "anonymous" else {"refused"}
    if not rule.offered:
        return refused | {"not offered"}
    if persona in rule.allowed:
        # A write let through may still be turned down for its content (400, 409), or answered with a redirect.
        if method == "GET":
            return {"through"}
        return {"through", "elsewhere", "invalid"} | ({"sign-in"} if route.answers_sign_in else set())
    if persona in rule.redirected:
        return {"elsewhere"}
    return refused


@pytest.mark.parametrize(("pattern", "variant", "method"), _cases())
def test_every_persona_gets_the_declared_answer(world, db, pattern, variant, method):
    route = VARIANTS[pattern.key][variant] if variant else declared(pattern.key)
    assert route is not None
    rule = _rule(route, method)
    url = _url(pattern, route, world.objects)
    secrets = [(label, str(value(world.objects)), seen_by) for label, value, seen_by in SECRETS]
    wrong = []
    for persona in PERSONAS:
        expected = _expected(rule, route, method, persona)
        checks_writes = method != "GET" and persona not in rule.allowed | rule.redirected
        with _undone():
            before = _snapshot() if checks_writes else None
            response = _send(world, persona, method, url, route)
            outcome = _outcome(response, route)
            changed = before is not None and _snapshot() != before
            body = _body(response)
        if outcome not in expected:
            where = f" to {response['Location']}" if response.has_header("Location") else ""
            wrong.append(
                f"{persona}: {response.status_code}{where} ({outcome}), declared {' or '.join(sorted(expected))}"
            )
        if changed:
            wrong.append(f"{persona}: refused, but the database changed")
        wrong += [
            f"{persona}: shown {label}"
            for label, secret, seen_by in secrets
            if persona not in seen_by and secret in body
        ]
    which = f"{pattern.key}, {variant}" if variant else pattern.key
    assert not wrong, (
        f"{method} {url} ({which}); let through: {names(rule.allowed)}; sent elsewhere: {names(rule.redirected)}\n  "
        + "\n  ".join(wrong)
    )
