"""Loading framework definitions: shipped YAML into the database, and the database into typed objects."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from django.db import transaction

from casereviews.core.request_context import request_memo
from casereviews.frameworks.models import StoredFramework, framework_memo_key
from casereviews.frameworks.schema import FrameworkDefinition

DEFINITIONS_DIR = Path(__file__).resolve().parent / "definitions"

_parsed: dict[tuple[str, str], FrameworkDefinition] = {}


class UnknownFramework(LookupError):
    pass


def shipped_definitions() -> dict[str, FrameworkDefinition]:
    definitions = {}
    for path in sorted(DEFINITIONS_DIR.glob("*.yaml")):
        definition = FrameworkDefinition.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
        definitions[definition.code] = definition
    return definitions


@transaction.atomic
def framework_definitions_sync() -> list[str]:
    """Store each shipped definition that is new or newer, unless the stored one was corrected locally.
    Returns what changed, for the log."""
    changed = []
    for code, definition in shipped_definitions().items():
        data = definition.model_dump(mode="json", by_alias=True)
        stored = StoredFramework.objects.select_for_update().filter(code=code).first()
        if stored is None:
            StoredFramework.objects.create(code=code, definition=data, shipped_version=definition.version)
            changed.append(f"{code}: added version {definition.version}")
        elif definition.version > stored.shipped_version and not stored.edited_locally:
            stored.definition, stored.shipped_version = data, definition.version
            stored.save()
            changed.append(f"{code}: updated to version {definition.version}")
    return changed


def framework_definitions_sync_after_migrate(**kwargs: Any) -> None:
    framework_definitions_sync()


def get_framework(code: str) -> FrameworkDefinition:
    # Only the stamp is read each time (a local correction takes effect at once); the definition, ten kilobytes
    # of JSON, is read and parsed only when the stamp is new to this process. Within one request the stamp is
    # read once: a page asks for the same framework from several places.
    memo = request_memo()
    key = framework_memo_key(code)
    if memo is not None and key in memo:
        return memo[key]
    definition = _framework_read(code)
    if memo is not None:
        memo[key] = definition
    return definition


def _framework_read(code: str) -> FrameworkDefinition:
    updated_at = StoredFramework.objects.filter(code=code).values_list("updated_at", flat=True).first()
    if updated_at is None:
        raise UnknownFramework(f"no framework called {code!r}")
    key = (code, updated_at.isoformat())
    if key not in _parsed:
        definition = StoredFramework.objects.filter(code=code).values_list("definition", flat=True).get()
        _parsed[key] = FrameworkDefinition.model_validate(definition)
    return _parsed[key]


def framework_choices() -> list[tuple[str, str]]:
    return [(stored.code, str(stored)) for stored in StoredFramework.objects.all()]
