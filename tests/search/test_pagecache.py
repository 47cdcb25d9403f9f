"""Public pages kept for anonymous visitors until the public library changes."""

from __future__ import annotations

import pytest
from django.urls import reverse

from casereviews.library.models import ValueStatus
from casereviews.search import pagecache
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


def shared_files(index_dir) -> list:
    return [path for path in (index_dir / "pages").glob("*/*") if not path.name.startswith(".")]


def test_a_page_one_web_process_rendered_is_served_to_the_others(library, client, index_dir):
    url = reverse("search:report", args=[library.a.pk])
    first = client.get(url)
    pagecache.clear()  # as another gunicorn worker, which has kept nothing in its own memory
    second = client.get(url)
    assert (first["X-Page-Cache"], second["X-Page-Cache"]) == ("miss", "hit-shared")
    assert second.content == first.content and second["Content-Type"] == first["Content-Type"]
    assert client.get(url)["X-Page-Cache"] == "hit"  # now in this process's memory too
    assert len(shared_files(index_dir)) == 1


def test_a_change_to_the_library_makes_shared_pages_stale_and_removes_them(library, client, apply, index_dir):
    entry = reverse("search:report", args=[library.b.pk])
    client.get(entry)
    (stale,) = (index_dir / "pages").iterdir()
    title = library.a.values.get(field="title")
    title.status = ValueStatus.REJECTED
    title.save()
    apply()
    pagecache.clear()
    assert client.get(entry)["X-Page-Cache"] == "miss"
    assert [folder.name for folder in (index_dir / "pages").iterdir()] != [stale.name] and not stale.exists()


def test_the_shared_pages_are_trimmed_past_their_limit(library, client, index_dir, settings, monkeypatch):
    settings.SEARCH_SHARED_PAGE_CACHE_ENTRIES = 4
    monkeypatch.setattr(pagecache, "_TRIM_EVERY", 1)
    for word in ("neglect", "abuse", "housing", "sharing", "supervision", "agencies", "home", "baby"):
        assert client.get(reverse("search:search"), {"q": word})["X-Page-Cache"] == "miss"
    assert 3 <= len(shared_files(index_dir)) <= 4


def test_a_signed_in_persons_page_is_never_shared(library, as_, index_dir):
    as_("analyst").get(reverse("search:search"))
    assert not (index_dir / "pages").exists()
