"""No cache keeps what was made for one person (ASVS 8.2.1, 8.1.1, 8.2.3): every page, download and API answer to
someone signed in, by session or by token, carries `Cache-Control: no-store, private`, and so do the account pages and
the pages opened by a private link; public pages for anonymous visitors keep their caching, the search page cache
included."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from casereviews.api.tokens import token_issue
from tests.factories import PASSWORD
from tests.search.conftest import apply, index_dir  # noqa: F401 - the search tests' index fixtures
from tests.search.library import build_library

pytestmark = pytest.mark.django_db


def never_kept(response) -> bool:
    directives = {part.strip() for part in response.get("Cache-Control", "").split(",")}
    return {"no-store", "private"} <= directives and "public" not in directives


# Every kind of response a signed-in person gets: dashboards, lists, a form, public pages seen while signed in, an
# error page, CSV downloads and the API.
SIGNED_IN_PAGES = [
    "/",
    "/referrals/",
    "/referrals/dashboard/",
    "/referrals/create/",
    "/reviews/",
    "/library/",
    "/search/",
    "/published/",
    "/analysis/",
    "/audit/",
    "/referrals/NO-SUCH-CASE/",
    "/referrals/dashboard.csv",
    "/reviews/reviews.csv",
    "/actions/dashboard.csv",
    "/api/referrals/",
    "/api/deadlines/",
]


@pytest.mark.parametrize("path", SIGNED_IN_PAGES)
def test_every_response_to_someone_signed_in_is_kept_by_no_cache(as_, path):
    response = as_("manager").get(path)
    assert response.status_code in {200, 404}, (path, response.status_code)
    assert never_kept(response), (path, response.get("Cache-Control"))


@pytest.mark.parametrize("path", ["/api/referrals/", "/api/deadlines/", "/api/library/reports/"])
def test_every_api_answer_to_a_token_is_kept_by_no_cache(people, path):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token_issue(user=people.manager, days=1)}")
    response = client.get(path)
    assert response.status_code == 200 and never_kept(response)


def test_an_api_answer_refusing_a_token_is_kept_by_no_cache(people):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-token-at-all")
    response = client.get("/api/referrals/")
    assert response.status_code == 403 and never_kept(response)  # DRF answers 403 when the session class is first


@pytest.mark.parametrize(
    "path",
    [
        "/accounts/login/",
        "/accounts/password/reset/",
        "/admin/login/",
        "/published/download/not-a-real-token/",
        "/search/alerts/confirm/not-a-real-token/",
        "/search/alerts/stop/not-a-real-token/",
    ],
)
def test_account_pages_and_pages_opened_by_a_private_link_are_kept_by_no_cache(client, path):
    response = client.get(path)
    assert response.status_code < 500 and never_kept(response), (path, response.get("Cache-Control"))


def test_signing_in_and_out_are_kept_by_no_cache(client, people):
    cache.clear()
    signed_in = client.post(reverse("account_login"), {"login": "rory", "password": PASSWORD})
    assert signed_in.status_code == 302 and never_kept(signed_in)
    signed_out = client.post(reverse("account_logout"))
    assert signed_out.status_code == 302 and never_kept(signed_out)
    # Signed out, the public page is public again.
    assert "Cache-Control" not in Client().get("/published/")


@pytest.mark.parametrize("path", ["/", "/search/", "/published/", "/analysis/", "/search/browse/", "/privacy/"])
def test_public_pages_for_anonymous_visitors_keep_their_caching(client, path):
    response = client.get(path)
    assert response.status_code == 200 and "Cache-Control" not in response


def test_the_search_page_cache_still_serves_anonymous_visitors_and_never_someone_signed_in(as_, client, apply):  # noqa: F811
    build_library()
    apply()
    url = reverse("search:search")
    first, second = client.get(url), client.get(url)
    assert (first["X-Page-Cache"], second["X-Page-Cache"]) == ("miss", "hit")
    assert "Cache-Control" not in second
    signed_in = as_("analyst").get(url)
    assert "X-Page-Cache" not in signed_in and never_kept(signed_in)
