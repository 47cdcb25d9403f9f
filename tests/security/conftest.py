"""The authorisation matrix's world, built once per module: see `world.py`."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any
from unittest import mock

import pytest
from django.db import transaction
from django.test import override_settings

from casereviews.learning import documents
from tests.security.world import World, build_world

A_DAY = 24 * 60 * 60


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory) -> Iterator[World]:
    """The world, in a transaction rolled back after the module's last test; each request is undone in a savepoint
    of its own, so every request finds the world as built.

    Everyone signed in when the world was built, and the matrix asks what each persona may do just after signing
    in: the idle timeout and the window in which a sign-in counts as recent (ADR 0012) are stretched to a day, so
    the answers do not depend on how long the run takes. Re-authentication has tests of its own."""
    index = tmp_path_factory.mktemp("search-index")
    timeouts = {"SESSION_IDLE_TIMEOUT": A_DAY, "ACCOUNT_REAUTHENTICATION_TIMEOUT": A_DAY}
    with (
        override_settings(SEARCH_INDEX_DIR=index, **timeouts),
        _briefing_documents_made_once(),
        django_db_blocker.unblock(),
        transaction.atomic(),
    ):
        built = build_world()
        yield built
        transaction.set_rollback(True)


def _once(make: Callable[..., bytes]) -> Callable[..., bytes]:
    made: dict[tuple[Any, ...], bytes] = {}

    def made_once(briefing: Any, **options: Any) -> bytes:
        key = (briefing.pk, briefing.version, *sorted(options.items()))
        if key not in made:
            made[key] = make(briefing, **options)
        return made[key]

    return made_once


def _briefing_documents_made_once() -> Any:
    """A published briefing's PDF (and Word file) is made once, not once per persona and method: the pages that
    serve it are public, so who asks cannot change it, and WeasyPrint takes a quarter of a second a page."""
    return mock.patch.multiple(
        documents, briefing_pdf=_once(documents.briefing_pdf), briefing_docx=_once(documents.briefing_docx)
    )
