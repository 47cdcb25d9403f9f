"""Numbers in addresses and forms that are not what they seem (issue 7): found by the Schemathesis run.

`str.isdigit()` is true of "²" and of 5,000 nines, and `int()` refuses both (the second past Python's digit
limit): a 500 for anyone who typed them. And a page number is an offset the search engine sets memory aside for:
page 100,000,000 of the public search asked for 32 GB and aborted the whole web process, not only the request.
"""

from __future__ import annotations

import pytest
from django.test import Client

from casereviews.core.errors import InvalidInput
from casereviews.library.services import clean_correction
from casereviews.search.selectors import MAX_PAGE, SearchRequest

pytestmark = pytest.mark.django_db

HOSTILE_NUMBERS = ["²", "٣", "9" * 5000, "99999999999999999999", "100000000", "-1", " 7 ", ""]


@pytest.fixture
def search_index(settings, tmp_path):
    from casereviews.search.tasks import apply_index_changes
    from tests.search.builders import make_library_report

    settings.SEARCH_INDEX_DIR = tmp_path / "search-index"
    make_library_report("Child S", ["Domestic abuse was known to the police.", "Nobody asked the child."])
    apply_index_changes.call()


@pytest.mark.parametrize("value", HOSTILE_NUMBERS)
@pytest.mark.parametrize("name", ["page", "per_page", "year_from", "year_to"])
@pytest.mark.parametrize("path", ["/api/search/", "/search/", "/search/years/2022/"])
def test_search_and_browse_pages_answer_any_page_or_year_without_failing(search_index, path, name, value):
    response = Client(raise_request_exception=False).get(path, {name: value, "q": "abuse"})
    assert response.status_code in {200, 400, 404}, (path, name, value[:20], response.status_code)


def test_a_page_number_is_read_as_ascii_digits_and_capped():
    request, errors = SearchRequest.from_params(_params(page="100000000", per_page="²", year_from="٢٠٢١"))
    assert request.page == MAX_PAGE
    assert request.per_page == 20
    assert "year_from" in errors


def test_an_oai_identifier_with_a_superscript_number_is_an_oai_error_not_a_failure(client):
    from casereviews.search.oai import repository_identifier

    response = client.get(
        "/oai",
        {"verb": "GetRecord", "metadataPrefix": "oai_dc", "identifier": f"oai:{repository_identifier()}:report/²"},
    )
    assert response.status_code == 200
    assert b'code="idDoesNotExist"' in response.content


@pytest.mark.parametrize("typed", ["²⁰²¹", "٢٠٢١", "9" * 5000, "21"])
def test_a_corrected_year_that_is_not_four_ascii_digits_is_refused_with_a_reason(typed):
    with pytest.raises(InvalidInput, match="Enter a year"):
        clean_correction("year_published", typed)


def _params(**values: str):
    from django.http import QueryDict

    params = QueryDict(mutable=True)
    params.update(values)
    return params
