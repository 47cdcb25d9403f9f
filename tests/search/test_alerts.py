"""Saved searches: asking for alerts by e-mail, confirming and stopping them by signed link, the scheduled job
that e-mails new matching reports once, and the Atom feed of a search."""

from __future__ import annotations

import datetime
import re

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django_tasks_db.models import DBTaskResult
from lxml import etree

from casereviews.core.models import AuditEvent
from casereviews.search import alerts
from casereviews.search.models import KnownReport, SavedSearch, SearchAlert
from casereviews.search.tasks import saved_search_confirmation_email, search_alert_email
from tests.search.builders import make_library_report
from tests.search.conftest import run_worker
from tests.search.library import PROPOSED, build_library

ATOM = {"a": "http://www.w3.org/2005/Atom"}
CONFIRMATION_TASK = "casereviews.search.tasks.saved_search_confirmation_email"


@pytest.fixture
def library(apply, settings):
    settings.SITE_URL = "https://reviews.example.org"
    library = build_library()
    apply()
    return library


def ask(client, email: str = "reader@example.org", **params):
    url = reverse("search:alert_new")
    query = "&".join(f"{key}={value}" for key, value in params.items())
    return client.post(f"{url}?{query}", {"email": email})


def link_in(message, name: str) -> str:
    match = re.search(rf"https://reviews\.example\.org(/search/alerts/{name}/[^/\s]+/)", message.body)
    assert match, message.body
    return match.group(1)


def confirmed(email: str = "reader@example.org", q: str = "neglected") -> SavedSearch:
    saved = SavedSearch.objects.create(email=email, params=f"q={q}")
    return alerts.saved_search_confirm(token=alerts.confirm_token(saved))


@pytest.mark.django_db
def test_asking_for_alerts_sends_only_a_confirmation_email(library, client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = ask(client, q="neglected", harm_types="neglect")
    assert response.status_code == 302 and response["Location"] == reverse("search:alert_sent")
    saved = SavedSearch.objects.get()
    assert saved.params == "q=neglected&harm_types=neglect" and saved.confirmed_at is None
    assert not KnownReport.objects.exists()
    assert DBTaskResult.objects.filter(task_path=CONFIRMATION_TASK).count() == 1
    assert saved_search_confirmation_email.call(saved.pk) == 1
    (message,) = mail.outbox
    assert message.to == ["reader@example.org"] and "neglected; Type of harm: Neglect" in message.body
    assert link_in(message, "confirm")
    event = AuditEvent.objects.get(action="search.alert_requested")
    assert "reader@example.org" not in event.summary


@pytest.mark.django_db
def test_the_form_describes_the_search_and_shows_a_bad_address_in_an_error_summary(library, client):
    url = f"{reverse('search:alert_new')}?q=neglected&year_from=2020"
    page = client.get(url).content.decode()
    assert 'id="search-described">neglected; from 2020</div>' in page
    response = client.post(url, {"email": "not an address"})
    page = response.content.decode()
    assert response.status_code == 400 and "There is a problem" in page
    assert '<a href="#id_email">Enter an e-mail address in the correct format' in page
    assert not SavedSearch.objects.exists()


@pytest.mark.django_db
def test_a_search_that_cannot_be_parsed_cannot_be_saved(library, client):
    response = client.get(reverse("search:alert_new"), {"q": "(neglect"})
    assert response.status_code == 400 and "bracket" in response.content.decode()


@pytest.mark.django_db
def test_asking_again_within_an_hour_sends_no_second_confirmation(library, client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        ask(client, q="neglected")
        ask(client, "READER@example.org", q="neglected")
    assert SavedSearch.objects.count() == 1
    assert DBTaskResult.objects.filter(task_path=CONFIRMATION_TASK).count() == 1


@pytest.mark.django_db
def test_following_the_confirmation_link_asks_before_it_starts_the_alerts(library, client):
    saved = SavedSearch.objects.create(email="reader@example.org", params="q=information")
    url = reverse("search:alert_confirm", args=[alerts.confirm_token(saved)])
    assert "Start the alerts" in client.get(url).content.decode()
    saved.refresh_from_db()
    assert saved.confirmed_at is None
    page = client.post(url).content.decode()
    assert "Your alerts are set up" in page
    saved.refresh_from_db()
    assert saved.confirmed_at is not None
    # What matches now is known already: the first alert brings only what is published later.
    assert set(saved.known.values_list("report_id", flat=True)) == {library.a.pk, library.b.pk}
    client.post(url)
    assert saved.known.count() == 2


@pytest.mark.django_db
def test_an_altered_or_expired_confirmation_link_is_refused(library, client, monkeypatch):
    saved = SavedSearch.objects.create(email="reader@example.org", params="q=information")
    token = alerts.confirm_token(saved)
    response = client.post(reverse("search:alert_confirm", args=[token[:-3] + "abc"]))
    assert response.status_code == 400 and "This link is not complete" in response.content.decode()
    monkeypatch.setattr(alerts, "CONFIRMATION_LIFETIME", datetime.timedelta(seconds=-1))
    response = client.post(reverse("search:alert_confirm", args=[token]))
    assert response.status_code == 400 and "This link has expired" in response.content.decode()
    saved.refresh_from_db()
    assert saved.confirmed_at is None


@pytest.mark.django_db
def test_a_confirmation_link_cannot_start_alerts_for_another_address(library):
    saved = SavedSearch.objects.create(email="reader@example.org", params="q=information")
    token = alerts.confirm_token(saved)
    SavedSearch.objects.filter(pk=saved.pk).update(email="someone.else@example.org")
    with pytest.raises(alerts.InvalidInput):
        alerts.saved_search_confirm(token=token)


@pytest.mark.django_db(transaction=True)
def test_the_scheduled_job_emails_new_matching_reports_once_however_often_it_runs(library, apply):
    saved = confirmed(q="neglected")
    new = make_library_report("Child C review", ["The toddler was neglected."], catalogue={"year_published": 2024})
    make_library_report("Child D review", ["Nothing relevant here."])
    apply()
    call_command("run_schedules", "--only", "search.alerts")
    call_command("run_schedules", "--only", "search.alerts")
    assert SearchAlert.objects.count() == 1
    run_worker()
    run_worker()
    (message,) = [m for m in mail.outbox if "match your search" in m.subject or "matches your search" in m.subject]
    assert message.subject == "1 new published review matches your search"
    assert "Child C review" in message.body and "Child A review" not in message.body
    assert f"https://reviews.example.org/search/reports/{new.pk}/" in message.body
    unsubscribe = link_in(message, "stop")
    assert message.extra_headers["List-Unsubscribe"] == f"<https://reviews.example.org{unsubscribe}>"
    assert SearchAlert.objects.get().sent_at is not None
    assert set(saved.known.filter(alert__isnull=False).values_list("report_id", flat=True)) == {new.pk}


@pytest.mark.django_db
def test_a_report_that_is_not_public_is_never_announced(library, apply):
    confirmed(q="neglected")
    make_library_report("Draft C review", ["The toddler was neglected."], status=PROPOSED)
    apply()
    run = alerts.search_alerts_prepare()
    assert (run.searches, run.alerts, run.reports) == (1, 0, 0)


@pytest.mark.django_db
def test_a_report_leaving_the_public_library_before_the_email_goes_is_left_out(library, apply):
    confirmed(q="neglected")
    new = make_library_report("Child C review", ["The toddler was neglected."])
    apply()
    alerts.search_alerts_prepare()
    new.values.filter(field="title").update(status=PROPOSED)
    alert = SearchAlert.objects.get()
    assert search_alert_email.call(alert.pk) == 0 and mail.outbox == []
    alert.refresh_from_db()
    assert alert.sent_at is not None


@pytest.mark.django_db
def test_the_link_in_every_email_stops_the_alerts(library, apply, client):
    saved = confirmed(q="neglected")
    url = reverse("search:alert_unsubscribe", args=[alerts.unsubscribe_token(saved)])
    assert "Stop the alerts" in client.get(url).content.decode()
    assert SavedSearch.objects.get(pk=saved.pk).unsubscribed_at is None
    assert "Your alerts are stopped" in client.post(url).content.decode()
    assert "Your alerts are stopped" in client.post(url).content.decode()
    make_library_report("Child C review", ["The toddler was neglected."])
    apply()
    assert alerts.search_alerts_prepare().alerts == 0
    with pytest.raises(alerts.InvalidInput):
        alerts.saved_search_confirm(token=alerts.confirm_token(saved))


@pytest.mark.django_db
def test_an_alert_prepared_before_the_alerts_were_stopped_is_not_sent(library, apply):
    saved = confirmed(q="neglected")
    make_library_report("Child C review", ["The toddler was neglected."])
    apply()
    alerts.search_alerts_prepare()
    alerts.saved_search_unsubscribe(token=alerts.unsubscribe_token(saved))
    assert search_alert_email.call(SearchAlert.objects.get().pk) == 0 and mail.outbox == []


@pytest.mark.django_db
def test_the_job_compares_nothing_before_the_index_is_built(settings):
    SavedSearch.objects.create(email="reader@example.org", params="q=x", confirmed_at="2026-01-01T00:00:00Z")
    from casereviews.search.schedules import search_alerts_send

    assert search_alerts_send(datetime.date(2026, 12, 1)) == "search index not ready: no alerts compared"
    assert not SearchAlert.objects.exists()


@pytest.mark.django_db
def test_the_atom_feed_of_a_search_lists_its_public_reports_newest_first(library, client):
    response = client.get(reverse("search:feed"), {"q": "information OR zebracorn"})
    assert response.status_code == 200 and response["Content-Type"].startswith("application/atom+xml")
    feed = etree.fromstring(response.content)
    assert feed.findtext("a:title", namespaces=ATOM) == "Published reviews: information OR zebracorn"
    titles = [entry.findtext("a:title", namespaces=ATOM) for entry in feed.iterfind("a:entry", ATOM)]
    assert titles == ["Child B review", "Child A review"]
    link = feed.find("a:entry/a:link", ATOM).get("href")
    assert link == f"http://testserver{reverse('search:report', args=[library.b.pk])}"
    assert all(entry.findtext("a:updated", namespaces=ATOM) for entry in feed.iterfind("a:entry", ATOM))


@pytest.mark.django_db
def test_the_feed_of_a_query_that_cannot_be_parsed_is_not_found(library, client):
    assert client.get(reverse("search:feed"), {"q": "neglect AND"}).status_code == 404


@pytest.mark.django_db
def test_the_search_page_offers_alerts_and_the_feed_for_its_search(library, client):
    page = client.get(reverse("search:search"), {"q": "neglected", "sort": "date"}).content.decode()
    assert f'href="{reverse("search:alert_new")}?q=neglected"' in page
    assert f'href="{reverse("search:feed")}?q=neglected"' in page
    assert 'rel="alternate" type="application/atom+xml"' in page


@pytest.mark.django_db
def test_a_search_too_long_to_save_is_refused_with_the_reason(library, client):
    many = [f"partnership number {n}" for n in range(120)]
    response = client.get(reverse("search:alert_new"), {"q": "neglect", "partnership": many})
    assert response.status_code == 400 and "too long to save" in response.content.decode()
