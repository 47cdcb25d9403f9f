"""The security watch reads the audit log for bursts (failed sign-ins, refusals, records viewed) and alerts the
operators once: in the security log, by e-mail to SECURITY_ALERT_EMAILS and in the audit log (ASVS 8.1.4, 11.1.7,
11.1.8)."""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from unittest import mock

import pytest
from django.contrib.auth.signals import user_login_failed
from django.core import mail
from django.utils import timezone

from casereviews.core import security_watch
from casereviews.core.audit import audit_record, audit_verify
from casereviews.core.models import AuditEvent, SecurityAlert
from casereviews.core.request_context import RequestMeta, reset_request_meta, set_request_meta
from casereviews.core.schedules import schedules_run
from casereviews.partnerships.models import Partnership
from tests.factories import make_person

pytestmark = pytest.mark.django_db

OPERATORS = ["security@example.org", "duty-manager@example.org"]


@pytest.fixture(autouse=True)
def thresholds(settings):
    settings.SECURITY_WATCH_WINDOW_MINUTES = 15
    settings.SCHEDULE_INTERVAL_MINUTES = 60
    settings.SECURITY_ALERT_FAILED_SIGN_INS = 10
    settings.SECURITY_ALERT_REFUSALS = 10
    settings.SECURITY_ALERT_RECORD_VIEWS = 5
    settings.SECURITY_ALERT_EMAILS = OPERATORS
    return settings


@pytest.fixture
def bella(db):
    return make_person("bella", None, None)


@contextmanager
def from_address(ip_address: str | None) -> Iterator[None]:
    token = set_request_meta(RequestMeta(ip_address=ip_address, user_agent="test"))
    try:
        yield
    finally:
        reset_request_meta(token)


@contextmanager
def at(moment: datetime.datetime) -> Iterator[None]:
    """Audit entries written inside are stamped `moment`."""
    with mock.patch("casereviews.core.audit.timezone.now", return_value=moment):
        yield


def failed_sign_ins(typed: str, count: int, *, ip_address: str | None = None) -> None:
    # Through the signal Django's authenticate() sends, so the entries are exactly what a real failure writes.
    with from_address(ip_address):
        for _ in range(count):
            user_login_failed.send(sender=__name__, credentials={"username": typed, "password": "wrong"})


def refusals(user, count: int) -> None:
    for n in range(count):
        audit_record(actor=user, action="access.refused", summary=f"{user.username} was refused GET /cases/{n}/")


def views(user, record_ids: list[int], action: str = "review.view") -> None:
    for record_id in record_ids:
        audit_record(actor=user, action=action, summary="viewed", target=Partnership(pk=record_id))


def alert_entries() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action="security.alert").order_by("sequence"))


def test_eleven_failed_sign_ins_for_one_account_send_one_alert_naming_it_and_a_rerun_sends_none(bella):
    failed_sign_ins("bella", 11)

    alerts = security_watch.security_watch_run()

    assert len(alerts) == 1 and len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == OPERATORS
    assert "11 failed sign-ins for one account" in message.subject and "bella" in message.subject
    assert f"account bella (user #{bella.pk})" in message.body
    assert security_watch.security_watch_run() == []
    assert len(mail.outbox) == 1
    assert SecurityAlert.objects.count() == 1


def test_wrong_passwords_typed_as_the_email_address_and_wrong_codes_count_for_the_same_account(bella):
    failed_sign_ins("Bella@Example.org", 6)
    for _ in range(5):
        audit_record(actor=bella, action="auth.second_factor_failed", summary="wrong code", target=bella)

    security_watch.security_watch_run()

    assert len(mail.outbox) == 1
    assert f"account bella (user #{bella.pk})" in mail.outbox[0].body


def test_ten_failed_sign_ins_are_not_enough_for_an_alert(bella):
    failed_sign_ins("bella", 10, ip_address="203.0.113.7")

    assert security_watch.security_watch_run() == []
    assert mail.outbox == [] and alert_entries() == []


def test_failed_sign_ins_for_many_names_from_one_address_alert_about_the_address(db):
    with from_address("203.0.113.7"):
        for n in range(11):
            user_login_failed.send(sender=__name__, credentials={"username": f"guess{n}"})

    security_watch.security_watch_run()

    assert len(mail.outbox) == 1
    assert "failed sign-ins from one address" in mail.outbox[0].subject
    assert "address 203.0.113.7" in mail.outbox[0].body


def test_an_account_name_nobody_has_is_named_as_typed(db):
    failed_sign_ins("admin", 11)

    security_watch.security_watch_run()

    assert "account name 'admin' (no such account)" in mail.outbox[0].body


def test_failed_sign_ins_older_than_the_time_looked_back_over_are_ignored(bella):
    failed_sign_ins("bella", 11)

    later = timezone.now() + datetime.timedelta(minutes=60 + 15 + 1)

    assert security_watch.security_watch_run(now=later) == []
    assert mail.outbox == []


def test_failed_sign_ins_spread_wider_than_the_window_raise_no_alert(bella):
    start = timezone.now().replace(microsecond=0) - datetime.timedelta(minutes=40)
    with at(start):
        failed_sign_ins("bella", 6)
    with at(start + datetime.timedelta(minutes=16)):
        failed_sign_ins("bella", 6)

    assert security_watch.security_watch_run() == []


def test_a_burst_straddling_two_runs_is_seen_whole_and_alerted_once(bella):
    start = timezone.now().replace(microsecond=0) - datetime.timedelta(minutes=20)
    with at(start):
        failed_sign_ins("bella", 6)
    assert security_watch.security_watch_run(now=start + datetime.timedelta(minutes=1)) == []
    with at(start + datetime.timedelta(minutes=10)):
        failed_sign_ins("bella", 6)

    alerts = security_watch.security_watch_run()

    assert [(alert.count, alert.window_start) for alert in alerts] == [(12, start)]
    assert security_watch.security_watch_run() == []


def test_a_burst_after_the_alerted_window_is_alerted_again(bella):
    start = timezone.now().replace(microsecond=0) - datetime.timedelta(minutes=30)
    with at(start):
        failed_sign_ins("bella", 11)
    security_watch.security_watch_run()
    with at(start + datetime.timedelta(minutes=20)):
        failed_sign_ins("bella", 11)

    security_watch.security_watch_run()

    assert len(mail.outbox) == 2
    assert SecurityAlert.objects.count() == 2


def test_eleven_refusals_of_one_person_send_one_alert_and_ten_send_none(bella):
    other = make_person("olly", None, None)
    refusals(other, 10)
    refusals(bella, 11)

    security_watch.security_watch_run()
    security_watch.security_watch_run()

    assert len(mail.outbox) == 1
    assert "11 refusals of one person" in mail.outbox[0].subject
    assert f"account bella (user #{bella.pk})" in mail.outbox[0].body


def test_refusals_outside_the_window_are_ignored(bella):
    refusals(bella, 11)

    assert security_watch.security_watch_run(now=timezone.now() + datetime.timedelta(hours=2)) == []


def test_viewing_more_distinct_records_than_the_threshold_sends_one_alert(bella):
    views(bella, [1, 2, 3])
    views(bella, [4, 5, 6], action="report.download")

    security_watch.security_watch_run()
    security_watch.security_watch_run()

    assert len(mail.outbox) == 1
    assert "6 distinct records viewed by one person" in mail.outbox[0].subject
    assert "bella" in mail.outbox[0].subject


def test_viewing_the_same_few_records_many_times_is_not_unusual(bella):
    for _ in range(10):
        views(bella, [1, 2, 3, 4, 5])

    assert security_watch.security_watch_run() == []


def test_record_views_outside_the_window_are_ignored(bella):
    views(bella, [1, 2, 3, 4, 5, 6])

    assert security_watch.security_watch_run(now=timezone.now() + datetime.timedelta(hours=2)) == []


def test_with_no_alert_addresses_the_alert_is_logged_and_audited_but_not_mailed(bella, settings, caplog):
    settings.SECURITY_ALERT_EMAILS = []
    failed_sign_ins("bella", 11)

    with caplog.at_level(logging.WARNING, logger="casereviews.security"):
        alerts = security_watch.security_watch_run()

    assert len(alerts) == 1 and mail.outbox == []
    [record] = [record for record in caplog.records if record.name == "casereviews.security"]
    assert "11 failed sign-ins for one account" in record.getMessage()
    assert record.user_id == bella.pk
    assert "bella" not in record.getMessage()  # the log names no one (casereviews.core.logging)
    [entry] = alert_entries()
    assert entry.actor is None and entry.changes["subject"] == f"user:{bella.pk}" and entry.changes["count"] == 11
    assert "account bella" in entry.summary


def test_the_audit_chain_still_verifies_after_alerts(bella):
    failed_sign_ins("bella", 11, ip_address="203.0.113.7")
    refusals(bella, 11)

    assert len(security_watch.security_watch_run()) == 3

    checked, broken = audit_verify()
    assert broken is None and checked == AuditEvent.objects.count()


def test_an_alert_that_could_not_be_mailed_is_not_recorded_and_is_tried_again(bella):
    failed_sign_ins("bella", 11)
    with mock.patch.object(security_watch, "send_mail", side_effect=OSError("the mail server is down")):
        assert security_watch.security_watch_run() == []
    assert SecurityAlert.objects.count() == 0

    security_watch.security_watch_run()

    assert len(mail.outbox) == 1 and SecurityAlert.objects.count() == 1


def test_a_crash_between_sending_and_recording_sends_the_alert_once_more_at_most(bella):
    failed_sign_ins("bella", 11)
    crash = mock.patch.object(security_watch, "audit_record", side_effect=RuntimeError("killed"))
    with crash, pytest.raises(RuntimeError):
        security_watch.security_watch_run()
    assert len(mail.outbox) == 1 and SecurityAlert.objects.count() == 0

    security_watch.security_watch_run()
    security_watch.security_watch_run()

    assert len(mail.outbox) == 2 and SecurityAlert.objects.count() == 1


def test_the_watch_runs_as_a_scheduled_job(bella):
    refusals(bella, 11)

    [outcome] = schedules_run(today=timezone.localdate(), only=["security_watch"])

    assert not outcome.failed and outcome.summary == "1 security alert(s) sent"
    assert len(mail.outbox) == 1


def test_two_runs_at_once_record_and_audit_a_burst_only_once(bella):
    failed_sign_ins("bella", 11)
    security_watch.security_watch_run()

    # The second run does not see the first one's record yet, as when both run at the same moment.
    with mock.patch.object(security_watch, "_spent_until", return_value={}):
        assert security_watch.security_watch_run() == []

    assert SecurityAlert.objects.count() == 1 and len(alert_entries()) == 1
    assert len(mail.outbox) == 2  # the one duplicate a race can cost


def test_the_watch_finds_where_its_window_starts_without_reading_the_whole_log(db):
    start = timezone.now().replace(microsecond=0) - datetime.timedelta(hours=3)
    entries = []
    for minutes in range(0, 120, 10):
        with at(start + datetime.timedelta(minutes=minutes)):
            entries.append(audit_record(actor=None, action="test.entry", summary="an entry"))

    assert security_watch._first_sequence_since(start + datetime.timedelta(minutes=35)) == entries[4].sequence
    assert security_watch._first_sequence_since(start) == entries[0].sequence
    assert security_watch._first_sequence_since(timezone.now()) == entries[-1].sequence + 1


def test_a_failed_sign_in_keeps_the_typed_name_in_a_field_and_the_watch_reads_it_there(django_user_model):
    from django.contrib.auth.signals import user_login_failed

    from casereviews.core.models import AuditEvent
    from casereviews.core.security_watch import _typed_account_name

    user_login_failed.send(sender=None, credentials={"login": "Bella", "password": "wrong"})
    entry = AuditEvent.objects.filter(action="auth.sign_in_failed").latest("sequence")
    assert entry.changes == {"attempted": "Bella"}
    assert "wrong" not in str(entry.changes) + entry.summary
    # The summary's wording may change; the field is what is read, and old entries still count by their summary.
    assert _typed_account_name("Reworded summary", entry.changes) == "bella"
    assert _typed_account_name("Failed sign-in for 'bella'", {}) == "bella"
