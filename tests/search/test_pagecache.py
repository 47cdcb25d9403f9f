"""Public pages kept for anonymous visitors until the public library changes."""

from __future__ import annotations

import pytest
from django.urls import reverse

from casereviews.library.models import ValueStatus
from tests.search.library import build_library

pytestmark = pytest.mark.django_db


@pytest.fixture
def library(apply):
    library = build_library()
    apply()
    return library


def test_an_anonymous_visitor_gets_the_kept_page_the_second_time(library, client):
    url = reverse("search:report", args=[library.a.pk])
    first, second = client.get(url), client.get(url)
    assert (first["X-Page-Cache"], second["X-Page-Cache"]) == ("miss", "hit")
    assert first.content == second.content and second["Content-Type"] == "text/html; charset=utf-8"
    assert "Content-Security-Policy" in second


def test_a_change_to_the_library_makes_every_kept_page_stale(library, client, apply):
    entry = reverse("search:report", args=[library.a.pk])
    search = reverse("search:search")
    assert client.get(entry).status_code == 200 and "2 reviews" in client.get(search).content.decode()
    title = library.a.values.get(field="title")
    title.status = ValueStatus.REJECTED
    title.save()
    apply()
    assert client.get(entry).status_code == 404
    response = client.get(search)
    assert response["X-Page-Cache"] == "miss" and "1 review" in response.content.decode()


@pytest.mark.parametrize("persona", ["analyst", "referrer"])
def test_a_signed_in_person_always_gets_a_fresh_page(library, as_, persona):
    client = as_(persona)
    url = reverse("search:search")
    client.get(url)
    response = client.get(url)
    assert response.status_code == 200 and "X-Page-Cache" not in response


def test_a_page_that_is_not_found_is_not_kept(library, client):
    url = reverse("search:report", args=[library.draft.pk])
    assert client.get(url).status_code == 404
    assert "X-Page-Cache" not in client.get(url)
