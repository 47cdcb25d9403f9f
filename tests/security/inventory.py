"""What the site answers: every URL pattern (walked from the root resolver, included ones and all) and every
operation of the API's OpenAPI schema."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.urls.resolvers import RegexPattern, RoutePattern

METHODS = ("get", "post", "put", "patch", "delete")


@dataclass(frozen=True)
class Pattern:
    """One URL pattern: `key` is its name with namespaces (`referrals:detail`), or its route when it has none."""

    key: str
    name: str | None
    namespace: str
    route: str
    arguments: tuple[str, ...]

    def url(self, values: dict[str, Any]) -> str:
        if self.name:
            return reverse(self.key, kwargs=values)
        # An unnamed pattern (the admin's redirects and its catch-all) cannot be reversed: fill in its route.
        path = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: str(values[m.group(1)]), self.route)
        path = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(values[m.group(1)]), path)
        return "/" + path.replace("^", "").replace("$", "")


def _arguments(pattern: Any) -> list[str]:
    if isinstance(pattern, RoutePattern):
        return list(pattern.converters)
    if isinstance(pattern, RegexPattern):
        return list(pattern.regex.groupindex)
    return []


def _walk(resolver: URLResolver, prefix: str, namespace: str, arguments: list[str]) -> list[Pattern]:
    found = []
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        names = arguments + _arguments(entry.pattern)
        if isinstance(entry, URLResolver):
            inner = f"{namespace}:{entry.namespace}" if namespace and entry.namespace else entry.namespace or namespace
            found += _walk(entry, route, inner or "", names)
        elif isinstance(entry, URLPattern):
            key = (f"{namespace}:{entry.name}" if namespace else entry.name) if entry.name else route
            found.append(Pattern(key=key, name=entry.name, namespace=namespace, route=route, arguments=tuple(names)))
    return found


@cache
def url_patterns() -> tuple[Pattern, ...]:
    """Every URL pattern of the site, once (a name repeated in one namespace resolves to its first pattern)."""
    seen: dict[str, Pattern] = {}
    for pattern in _walk(get_resolver(), "", "", []):
        seen.setdefault(pattern.key, pattern)
    return tuple(seen.values())


def api_operations() -> dict[tuple[str, str], str]:
    """Each operation of the OpenAPI schema (as `/api/schema/` serves it), as (path, METHOD) -> the route name
    its path resolves to."""
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    operations = {}
    for path, entry in schema["paths"].items():
        match = resolve(re.sub(r"\{\w+\}", "1", path))
        route = f"{':'.join(match.namespaces)}:{match.url_name}" if match.namespaces else str(match.url_name)
        for method in entry:
            if method in METHODS:
                operations[(path, method.upper())] = route
    return operations
