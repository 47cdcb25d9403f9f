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
    assert len(calls) <= 3  # the page's key for its rendered tables, their links and the downloads: not per cell


def test_the_tables_are_rendered_once_for_everyone_asking_the_same_until_a_record_changes(client, monkeypatch):
    from casereviews.learning import views

    make_reports(6, year_published=2022, outcome="died")
    views._rendered.clear()
    decorated = []
    original = views._decorate
    monkeypatch.setattr(views, "_decorate", lambda *args, **kwargs: decorated.append(1) or original(*args, **kwargs))

    first = client.get(reverse("learning:analysis"), {"published_from": "2020"}).content.decode()
    again = client.get(reverse("learning:analysis"), {"published_from": "2020"}).content.decode()
    assert len(decorated) == 1 and first == again
    assert "6 reviews" in first

    make_reports(1, year_published=2023, outcome="died")  # a new record: the kept tables are stale
    changed = client.get(reverse("learning:analysis"), {"published_from": "2020"}).content.decode()
    assert len(decorated) == 2
    assert "7 reviews" in changed

    client.get(reverse("learning:analysis"), {"published_from": "2021"})  # another selection is its own
    assert len(decorated) == 3


def test_a_removed_record_changes_the_tables_at_once(client):
    from casereviews.learning import views
    from casereviews.learning.models import AnalysisRecord

    reports = make_reports(6, year_published=2022, outcome="died")
    views._rendered.clear()
    assert "6 reviews" in client.get(reverse("learning:analysis")).content.decode()
    AnalysisRecord.objects.filter(report=reports[0]).delete()
    assert "5 reviews" in client.get(reverse("learning:analysis")).content.decode()
