"""Reading a framework: once a request for the pages that ask for it from several places, afresh outside one, and a
correction saved during a request is what the rest of that request reads."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from casereviews.core.request_context import RequestMeta, reset_request_meta, set_request_meta
from casereviews.frameworks.models import StoredFramework
from casereviews.frameworks.services import get_framework

pytestmark = pytest.mark.django_db


def queries_for(code: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        get_framework(code)
    return len(captured.captured_queries)


def test_within_a_request_the_framework_is_read_once_however_often_the_page_asks():
    token = set_request_meta(RequestMeta(memo={}))
    try:
        first = get_framework("england_2023")
        assert queries_for("england_2023") == 0
        assert get_framework("england_2023") is first
        assert queries_for("wales") == 1  # another framework is read for itself
    finally:
        reset_request_meta(token)


def test_outside_a_request_every_read_checks_for_a_correction():
    get_framework("england_2023")
    assert queries_for("england_2023") == 1


def test_a_correction_saved_during_a_request_is_what_the_rest_of_the_request_reads():
    token = set_request_meta(RequestMeta(memo={}))
    try:
        assert get_framework("england_2023").name != "England 2023 (corrected)"
        stored = StoredFramework.objects.get(code="england_2023")
        stored.definition = {**stored.definition, "name": "England 2023 (corrected)"}
        stored.edited_locally = True
        stored.save()
        assert get_framework("england_2023").name == "England 2023 (corrected)"
    finally:
        reset_request_meta(token)
