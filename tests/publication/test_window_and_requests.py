"""The publication window closing on schedule, and requests for the report after it."""

from __future__ import annotations

import datetime
import re
import time

import pytest
from django.core import mail, signing
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from casereviews.core.errors import InvalidInput, NotAllowed, TransitionNotAllowed
from casereviews.core.models import AuditEvent
from casereviews.core.schedules import schedules_run
from casereviews.publication import services
from casereviews.publication.models import ReportRequest, RequestStatus
from casereviews.publication.schedules import close_publication_windows
from casereviews.publication.tasks import report_request_answer_email, report_request_received_email
from casereviews.reviews.models import ReviewStatus
from tests.publication.conftest import make_signed_off_review, publish_review

pytestmark = pytest.mark.django_db


def after_window(publication) -> datetime.date:
    return publication.window_ends_on + datetime.timedelta(days=1)


# -- the window ---------------------------------------------------------------------------------------------------


def test_the_window_stays_open_through_its_last_day_and_closes_the_day_after(review, people):
    publication = publish_review(people, review)
    assert close_publication_windows(publication.window_ends_on) == "closed 0 publication windows"
    assert close_publication_windows(after_window(publication)) == "closed 1 publication window"
    publication.refresh_from_db()
    review.refresh_from_db()
    assert review.status == ReviewStatus.ON_REQUEST and publication.closed_on == after_window(publication)
    entry = AuditEvent.objects.filter(action="review.status_changed", summary__contains="Available on request").get()
    assert entry.actor is None and entry.actor_label == "system"


def test_running_the_job_twice_does_nothing_more(review, people):
    publication = publish_review(people, review)
    call_command("run_schedules", "--date", after_window(publication).isoformat(), "--only", "publication_windows")
    events = AuditEvent.objects.count()
    version = type(review).objects.get(pk=review.pk).version
    outcomes = schedules_run(today=after_window(publication), only=["publication_windows"])
    assert [(o.summary, o.failed) for o in outcomes] == [("closed 0 publication windows", False)]
    assert AuditEvent.objects.count() == events
    assert type(review).objects.get(pk=review.pk).version == version


def test_a_failure_on_the_second_review_leaves_the_first_closed_and_the_next_run_finishes(
    people, northshire, monkeypatch
):
    first = publish_review(people, make_signed_off_review(people, northshire, pseudonym="Child A"))
    second = publish_review(people, make_signed_off_review(people, northshire, pseudonym="Child B"))
    real_change = services.review_status_change

    def crash_on_second(*, review, **kwargs):
        if review.pk == second.review_id:
            raise RuntimeError("the database went away")
        return real_change(review=review, **kwargs)

    monkeypatch.setattr(services, "review_status_change", crash_on_second)
    day = max(after_window(first), after_window(second))
    outcomes = schedules_run(today=day, only=["publication_windows"])
    assert "closed 1 publication window" in outcomes[0].summary and f"failed for publication {second.pk}" in (
        outcomes[0].summary
    )
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.closed_on == day and first.review.status == ReviewStatus.ON_REQUEST
    assert second.closed_on is None and second.review.status == ReviewStatus.PUBLISHED

    monkeypatch.setattr(services, "review_status_change", real_change)
    assert schedules_run(today=day, only=["publication_windows"])[0].summary == "closed 1 publication window"
    second.refresh_from_db()
    assert second.closed_on == day and second.review.status == ReviewStatus.ON_REQUEST


# -- requests -----------------------------------------------------------------------------------------------------


@pytest.fixture
def on_request(review, people):
    publication = publish_review(people, review)
    close_publication_windows(after_window(publication))
    publication.refresh_from_db()
    return publication


def ask(client, publication, **overrides):
    data = {
        "name": "Pat Researcher",
        "email": "pat@example.org",
        "organisation": "A university",
        "reason": "Research on information sharing",
    }
    data.update(overrides)
    return client.post(reverse("publication:public_request", args=[publication.slug]), data)


def submit(publication, email="pat@example.org", ip="192.0.2.1"):
    return services.report_request_submit(
        publication=publication,
        data=services.RequestInput(name="Pat", email=email, organisation="", reason="Research"),
        ip_address=ip,
    )


def test_a_member_of_the_public_asks_for_the_report_and_the_business_manager_is_told(on_request, people, as_):
    response = ask(as_(None), on_request)
    assert response.status_code == 200 and b"Request sent" in response.content
    request = ReportRequest.objects.get()
    assert (request.status, request.email, request.ip_address) == (
        RequestStatus.PENDING,
        "pat@example.org",
        "127.0.0.1",
    )
    assert AuditEvent.objects.filter(action="report_request.submit", actor_label="anonymous").count() == 1
    report_request_received_email.call(request.pk)
    assert mail.outbox[-1].to == [people.manager.email] and "Child T" in mail.outbox[-1].subject


def test_the_request_form_checks_what_is_entered(on_request, as_):
    response = ask(as_(None), on_request, name="", email="not an email", reason="")
    assert response.status_code == 200 and b"govuk-error-summary" in response.content
    assert not ReportRequest.objects.exists()


def test_a_robot_filling_the_hidden_field_is_thanked_and_ignored(on_request, as_):
    response = ask(as_(None), on_request, website="http://spam.example")
    assert b"Request sent" in response.content and not ReportRequest.objects.exists()


def test_requests_are_limited_per_email_and_per_address_each_day(on_request):
    for _ in range(services.REQUESTS_PER_DAY_PER_EMAIL):
        submit(on_request)
    with pytest.raises(InvalidInput, match="too many requests"):
        submit(on_request, email="PAT@example.org", ip="192.0.2.99")
    for number in range(services.REQUESTS_PER_DAY_PER_ADDRESS - services.REQUESTS_PER_DAY_PER_EMAIL):
        submit(on_request, email=f"other{number}@example.org")
    with pytest.raises(InvalidInput, match="too many requests"):
        submit(on_request, email="new@example.org")


def test_a_report_still_online_cannot_be_requested(review, people):
    publication = publish_review(people, review)
    with pytest.raises(InvalidInput, match="downloaded from its page"):
        submit(publication)


def test_a_granted_request_emails_a_link_that_downloads_the_report_and_each_download_is_audited(
    on_request, people, as_
):
    request = services.report_request_grant(actor=people.manager, request=submit(on_request))
    report_request_answer_email.call(request.pk)
    message = mail.outbox[-1]
    assert message.to == ["pat@example.org"] and "granted" in message.body
    link = re.search(r"https?://\S+", message.body).group()
    path = link.split("://", 1)[1].split("/", 1)[1]
    for _ in range(2):
        response = as_(None).get("/" + path)
        assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    request.refresh_from_db()
    assert request.download_count == 2 and request.link_sent_at is not None
    assert AuditEvent.objects.filter(action="report_request.download").count() == 2
    assert AuditEvent.objects.filter(action="report_request.grant", actor=people.manager).count() == 1


def test_a_download_link_stops_working_when_it_expires(on_request, people, as_, monkeypatch):
    request = services.report_request_grant(actor=people.manager, request=submit(on_request))
    sent = time.time() - services.link_max_age().total_seconds() - 60
    monkeypatch.setattr(signing.time, "time", lambda: sent)
    token = services.request_download_token(request)
    monkeypatch.undo()
    response = as_(None).get(reverse("publication:request_download", args=[token]))
    assert response.status_code == 403 and b"expired" in response.content
    fresh = services.request_download_token(request)
    assert as_(None).get(reverse("publication:request_download", args=[fresh])).status_code == 200


def test_an_altered_link_or_one_for_a_request_not_granted_does_not_work(on_request, as_):
    pending = submit(on_request)
    token = services.request_download_token(pending)
    assert as_(None).get(reverse("publication:request_download", args=[token])).status_code == 403
    assert as_(None).get(reverse("publication:request_download", args=[token[:-2] + "xx"])).status_code == 403
    with pytest.raises(NotAllowed):
        services.request_download(token=token)


def test_a_refusal_needs_a_reason_which_is_emailed(on_request, people):
    request = submit(on_request)
    with pytest.raises(InvalidInput, match="reason"):
        services.report_request_refuse(actor=people.manager, request=request, reason=" ")
    refused = services.report_request_refuse(actor=people.manager, request=request, reason="Proceedings are live")
    report_request_answer_email.call(refused.pk)
    assert "Proceedings are live" in mail.outbox[-1].body and "http" not in mail.outbox[-1].body
    with pytest.raises(TransitionNotAllowed):
        services.report_request_grant(actor=people.manager, request=refused)


@pytest.mark.parametrize(
    "persona", ["chair", "subgroup", "reviewer", "agency_lead", "referrer", "analyst", "other_manager", "outsider"]
)
def test_only_the_business_manager_answers_requests(on_request, people, as_, persona):
    request = submit(on_request)
    with pytest.raises(NotAllowed):
        services.report_request_grant(actor=getattr(people, persona), request=request)
    client = as_(persona)
    url = reverse("publication:request_answer", args=[request.pk])
    assert client.get(url).status_code in {403, 404}
    assert client.post(url, {"answer": "grant", "version": request.version}).status_code in {403, 404}
    request.refresh_from_db()
    assert request.status == RequestStatus.PENDING


def test_the_business_manager_sees_and_answers_requests_from_the_pages(on_request, as_):
    request = submit(on_request)
    client = as_("manager")
    listing = client.get(reverse("publication:requests"))
    assert listing.status_code == 200 and b"Pat" in listing.content
    url = reverse("publication:request_answer", args=[request.pk])
    refused = client.post(url, {"answer": "refuse", "reason": "", "version": request.version})
    assert refused.status_code == 200 and b"govuk-error-summary" in refused.content
    assert client.post(url, {"answer": "grant", "version": request.version}).status_code == 302
    request.refresh_from_db()
    assert request.status == RequestStatus.GRANTED and request.decided_at <= timezone.now()


def test_a_published_report_whose_hand_over_to_the_library_was_lost_is_sent_by_the_schedule(review, people):
    publication = publish_review(people, review)
    assert schedules_run(today=timezone.localdate(), only=["publication_library"])[0].summary == (
        "sent 0 published reports to the library"
    )  # the task queued on publishing still has time to run
    type(publication).objects.filter(pk=publication.pk).update(
        published_at=timezone.now() - datetime.timedelta(hours=1)
    )
    for _ in range(2):
        schedules_run(today=timezone.localdate(), only=["publication_library"])
    publication.refresh_from_db()
    assert publication.library_report is not None and publication.library_report.source == "publication"
    assert AuditEvent.objects.filter(action="publication.to_library").count() == 1
