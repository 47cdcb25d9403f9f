"""The analysis page links every counted cell to its reviews; the address and the selection's parameters are
worked out once for the page, not once for each of its hundreds of cells (found by the staff pages' load test,
issue 7: a fifth of the page's time went on them)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from casereviews.learning import selectors
from tests.learning.builders import make_reports

pytestmark = pytest.mark.django_db


def test_the_selection_is_turned_into_link_parameters_once_whatever_the_number_of_cells(client, monkeypatch):
    make_reports(6, year_published=2022, outcome="died", risk_factors=["domestic_abuse"], child__sex="female")
    calls = []
    original = selectors.Selection.query

    def counted(self: selectors.Selection) -> dict[str, str]:
        calls.append(self)
        return original(self)

    monkeypatch.setattr(selectors.Selection, "query", counted)
    response = client.get(reverse("learning:analysis"), {"published_from": "2020"})
    body = response.content.decode()
    links = body.count(reverse("learning:cell") + "?published_from=2020&amp;table=")
    assert response.status_code == 200 and links >= 5
    assert len(calls) <= 2
