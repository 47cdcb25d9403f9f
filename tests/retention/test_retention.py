"""The retention schedule (ASVS 8.3.8): each kind of record is deleted or anonymised the day after its period ends and
not a day before, nothing still needed or under a hold goes, a dry run changes nothing, a second run changes nothing
more, and every deletion is audited without what was deleted, leaving the audit chain whole."""

from __future__ import annotations

import dataclasses
import datetime
import json

import pytest
from allauth.usersessions.models import UserSession
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from casereviews.api.models import ApiToken
from casereviews.core.audit import audit_verify
from casereviews.core.files import blob_path, store_blob
from casereviews.core.models import AuditEvent, SecurityAlert, SecurityAlertKind, UploadKind, UploadRecord
from casereviews.core.schedules import registered_jobs, schedules_run
from casereviews.core.tasks import run_schedules_task
from casereviews.publication.models import (
    CaseKey,
    Publication,
    RedactionFinding,
    RedactionScan,
    ReportRequest,
    RequestStatus,
)
from casereviews.referrals.models import Attachment, Decision, Referral
from casereviews.referrals.services import referral_transition
from casereviews.retention.models import RetentionHold
from casereviews.retention.policy import Period
from casereviews.retention.services import HANDLERS, compact_ids, retention_apply
from casereviews.reviews.models import (
    ContributionFile,
    ContributionRequest,
    DraftComment,
    DraftVersion,
    Hold,
    ReviewStatus,
)
from casereviews.search.models import KnownReport, SavedSearch
from tests.factories import make_draft, make_referral, make_review

pytestmark = pytest.mark.django_db

NOW = timezone.now()
TODAY = timezone.localdate(NOW)


def years_after(day: datetime.date, years: int) -> datetime.date:
    return day.replace(year=day.year + years)


def days(count: int) -> datetime.timedelta:
    return datetime.timedelta(days=count)


def retention_entries() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action="retention.apply").order_by("sequence"))


def apply(today: datetime.date, *, only: str, now: datetime.datetime = NOW, dry_run: bool = False):
    run = retention_apply(today=today, now=now, dry_run=dry_run, only=[only])
    assert not run.failed, run.summary()
    (outcome,) = run.outcomes
    return outcome


def withdrawn_referral(people, northshire) -> tuple[Referral, datetime.date]:
    referral = make_referral(northshire, people.referrer)
    data = b"The health visitor's notes about the family."
    Attachment.objects.create(
        referral=referral,
        filename="notes.txt",
        media_type="text/plain",
        size=len(data),
        sha256=store_blob(data),
        uploaded_by=people.referrer,
    )
    referral_transition(actor=people.manager, referral=referral, transition_id="accept")
    referral_transition(actor=people.manager, referral=referral, transition_id="withdraw", reason="A duplicate")
    referral.refresh_from_db()
    return referral, referral.events.get(name="transition:withdraw").occurred_on


# -- referrals ---------------------------------------------------------------------------------------------------------


def test_a_referral_withdrawn_is_deleted_with_its_files_the_day_after_six_years_and_not_before(
    people, northshire, django_capture_on_commit_callbacks
):
    referral, closed_on = withdrawn_referral(people, northshire)
    blob = blob_path(referral.attachments.get().sha256)
    last_day = years_after(closed_on, 6)

    assert apply(last_day, only="closed_referrals").count == 0
    assert Referral.objects.filter(pk=referral.pk).exists()

    with django_capture_on_commit_callbacks(execute=True):
        outcome = apply(last_day + days(1), only="closed_referrals")
    assert (outcome.count, outcome.ids) == (1, str(referral.pk))
    assert not Referral.objects.filter(pk=referral.pk).exists()
    assert not Attachment.objects.filter(referral_id=referral.pk).exists()
    assert not blob.exists()


def test_the_deletion_is_audited_by_count_and_id_without_the_case_and_the_chain_still_verifies(people, northshire):
    referral, closed_on = withdrawn_referral(people, northshire)
    apply(years_after(closed_on, 6) + days(1), only="closed_referrals")

    (entry,) = retention_entries()
    assert entry.actor is None and entry.actor_label == "system"
    assert entry.changes["kind"] == "closed_referrals"
    assert entry.changes["count"] == 1
    assert entry.changes["ids"] == str(referral.pk)
    written = entry.summary + json.dumps(entry.changes)
    case_details = [referral.reference, referral.child_reference, referral.referrer_email, "Rory", "head injury"]
    for detail in case_details:
        assert detail not in written
    checked, broken = audit_verify()
    assert broken is None and checked > 0


def test_each_partnership_finds_the_deletion_of_its_own_referrals_in_its_own_audit_log(
    people, northshire, glanmor, as_
):
    northshire_referral, closed_on = withdrawn_referral(people, northshire)
    glanmor_referral = make_referral(glanmor, people.other_manager)
    glanmor_manager = people.other_manager
    referral_transition(actor=glanmor_manager, referral=glanmor_referral, transition_id="withdraw", reason="Sent twice")

    apply(years_after(closed_on, 6) + days(1), only="closed_referrals")

    entries = {entry.partnership_id: entry.changes["ids"] for entry in retention_entries()}
    assert entries == {northshire.pk: str(northshire_referral.pk), glanmor.pk: str(glanmor_referral.pk)}
    page = as_("manager").get("/audit/?action=retention").content.decode()
    assert f"ids {northshire_referral.pk}" in page and f"ids {glanmor_referral.pk}" not in page
    assert audit_verify()[1] is None


def test_the_period_is_read_from_the_settings(people, northshire, settings):
    settings.RETENTION_CLOSED_REFERRAL_YEARS = 8
    _, closed_on = withdrawn_referral(people, northshire)
    assert apply(years_after(closed_on, 6) + days(1), only="closed_referrals").count == 0
    assert apply(years_after(closed_on, 8) + days(1), only="closed_referrals").count == 1


def test_an_open_referral_and_one_that_led_to_a_review_are_kept_however_old(people, northshire):
    still_open = make_referral(northshire, people.referrer)
    with_review = make_referral(northshire, people.referrer)
    Referral.objects.filter(pk=with_review.pk).update(state="closed")
    review = make_review(northshire, created_by=people.manager)
    review.referral = with_review
    review.save()
    national = make_referral(northshire, people.referrer)
    Referral.objects.filter(pk=national.pk).update(state="closed")
    Decision.objects.create(
        referral=national,
        option="national_review",
        review_type="national_review",
        rationale="The Panel will review it nationally.",
        decided_by=people.chair,
        decided_on=TODAY,
    )

    outcome = apply(years_after(TODAY, 50), only="closed_referrals")

    assert outcome.count == 0
    assert Referral.objects.filter(pk__in=[still_open.pk, with_review.pk, national.pk]).count() == 3


# -- a review's working papers -----------------------------------------------------------------------------------------


def review_with_working_papers(people, northshire, *, status=ReviewStatus.NOT_PUBLISHED, completed_on=TODAY):
    review = make_review(northshire, created_by=people.manager, status=status)
    review.completed_on = completed_on
    review.save()
    draft = make_draft(review, by=people.manager, pages=["Zara Smith lived at 4 Elm Road."])
    final = make_draft(review, by=people.manager, pages=["Child Z lived in Northshire."], is_final=True)
    DraftVersion.objects.filter(pk=draft.pk).update(sha256=store_blob(b"Zara Smith lived at 4 Elm Road."))
    DraftComment.objects.create(draft=draft, page=1, text="Zara's school is named here", author=people.chair)
    request = ContributionRequest.objects.create(
        review=review,
        agency=review.agencies.first(),
        requested_on=completed_on,
        due_on=completed_on,
        what_is_asked="A chronology",
        requested_by=people.manager,
    )
    chronology = b"12 March: Zara Smith seen at home."
    ContributionFile.objects.create(
        request=request,
        kind="chronology",
        filename="chronology.txt",
        media_type="text/plain",
        size=len(chronology),
        sha256=store_blob(chronology),
        uploaded_by=people.agency_lead,
    )
    CaseKey.objects.create(review=review, deny_list=["Zara Smith", "4 Elm Road"], allow_list=["Child Z"],
                           updated_by=people.manager)  # fmt: skip
    scan = RedactionScan.objects.create(review=review, draft=final, pages_sha256="0" * 64)
    RedactionFinding.objects.create(
        review=review, draft=final, page=1, page_sha256="0" * 64, start=0, end=5, text="Zara", type="PERSON"
    )
    return review, scan


def test_a_reviews_working_papers_go_the_day_after_six_years_and_its_record_stays(
    people, northshire, django_capture_on_commit_callbacks
):
    review, _ = review_with_working_papers(people, northshire, completed_on=datetime.date(2020, 5, 1))
    stored = [*DraftVersion.objects.values_list("sha256", flat=True)]
    stored += ContributionFile.objects.values_list("sha256", flat=True)
    files = [blob_path(sha) for sha in stored if blob_path(sha).exists()]
    assert len(files) == 2  # the first draft's and the chronology's

    assert apply(datetime.date(2026, 5, 1), only="review_working_papers").count == 0
    assert DraftComment.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        outcome = apply(datetime.date(2026, 5, 2), only="review_working_papers")

    assert (outcome.count, outcome.ids) == (1, str(review.pk))
    drafts = DraftVersion.objects.filter(review=review)
    assert drafts.count() == 2
    assert all(draft.pages == [] and draft.sha256 == "" and "Zara" not in draft.filename for draft in drafts)
    assert not DraftComment.objects.exists()
    assert not ContributionFile.objects.exists()
    assert ContributionRequest.objects.filter(review=review).exists()
    assert CaseKey.objects.get(review=review).deny_list == []
    assert RedactionFinding.objects.get(review=review).text == ""
    assert not any(path.exists() for path in files)
    review.refresh_from_db()
    assert review.status == ReviewStatus.NOT_PUBLISHED


def test_a_published_reviews_papers_count_from_the_end_of_its_publication_window(people, northshire):
    review, scan = review_with_working_papers(
        people, northshire, status=ReviewStatus.ON_REQUEST, completed_on=datetime.date(2019, 1, 1)
    )
    Publication.objects.create(
        review=review,
        slug="child-z",
        summary="Child Z",
        published_on=datetime.date(2019, 3, 1),
        window_ends_on=datetime.date(2020, 3, 1),
        closed_on=datetime.date(2020, 3, 2),
        draft=review.drafts.get(is_final=True),
        scan=scan,
        file_sha256="1" * 64,
        file_size=1,
        page_count=1,
        redaction_count=1,
        published_by=people.manager,
    )
    assert apply(datetime.date(2026, 3, 2), only="review_working_papers").count == 0
    assert apply(datetime.date(2026, 3, 3), only="review_working_papers").count == 1


def test_a_hold_in_force_keeps_the_papers_and_an_ended_hold_does_not(people, northshire):
    review, _ = review_with_working_papers(people, northshire, completed_on=datetime.date(2015, 1, 1))
    hold = Hold.objects.create(
        review=review, kind="inquest", reason="The inquest is adjourned", starts_on=datetime.date(2014, 1, 1),
        recorded_by=people.manager,
    )  # fmt: skip

    outcome = apply(TODAY, only="review_working_papers")
    assert (outcome.count, outcome.held) == (0, 1)
    assert DraftComment.objects.exists()

    hold.ends_on = TODAY - days(1)
    hold.save()
    assert apply(TODAY, only="review_working_papers").count == 1


def test_an_open_review_keeps_its_papers_however_old(people, northshire):
    long_ago = datetime.date(2001, 1, 1)
    review_with_working_papers(people, northshire, status=ReviewStatus.IN_PROGRESS, completed_on=long_ago)
    assert apply(TODAY, only="review_working_papers").count == 0
    assert DraftComment.objects.exists()


# -- requests for reports ----------------------------------------------------------------------------------------------


def a_publication(people, northshire) -> Publication:
    review, scan = review_with_working_papers(people, northshire, status=ReviewStatus.ON_REQUEST)
    return Publication.objects.create(
        review=review,
        slug="child-z",
        summary="Child Z",
        published_on=TODAY,
        window_ends_on=TODAY,
        draft=review.drafts.get(is_final=True),
        scan=scan,
        file_sha256="1" * 64,
        file_size=1,
        page_count=1,
        redaction_count=1,
        published_by=people.manager,
    )


def a_request(publication, *, decided_at, status=RequestStatus.GRANTED) -> ReportRequest:
    return ReportRequest.objects.create(
        publication=publication,
        name="Pat Public",
        email="pat@example.org",
        organisation="A charity",
        reason="Training for our volunteers",
        ip_address="203.0.113.9",
        status=status,
        decided_at=decided_at,
        requested_at=decided_at or NOW - days(40),
        refusal_reason="",
    )


def test_a_request_is_anonymised_the_day_after_a_year_from_its_decision_and_keeps_its_outcome(people, northshire):
    decided = NOW - days(30)
    request = a_request(a_publication(people, northshire), decided_at=decided)
    decided_on = timezone.localdate(decided)

    assert apply(decided_on + days(365), only="report_requests").count == 0
    outcome = apply(decided_on + days(366), only="report_requests")

    assert (outcome.count, outcome.action) == (1, "anonymised")
    request.refresh_from_db()
    assert (request.email, request.organisation, request.reason, request.ip_address) == ("", "", "", None)
    assert "Pat" not in request.name
    assert request.status == RequestStatus.GRANTED and request.decided_at == decided


def test_a_request_waiting_for_a_decision_or_with_a_live_link_is_kept(people, northshire):
    publication = a_publication(people, northshire)
    waiting = a_request(publication, decided_at=None, status=RequestStatus.PENDING)
    just_granted = a_request(publication, decided_at=NOW - days(1))
    assert apply(TODAY + days(5000), only="report_requests").count == 0
    assert set(ReportRequest.objects.exclude(email="").values_list("pk", flat=True)) == {waiting.pk, just_granted.pk}


# -- alert subscriptions, upload counts, security alerts, API tokens ---------------------------------------------------


def test_an_alert_never_confirmed_is_deleted_the_day_after_thirty_days(db):
    asked = NOW - days(3)
    saved = SavedSearch.objects.create(email="sub@example.org", params="q=neglect", created_at=asked)
    assert apply(timezone.localdate(asked) + days(30), only="unconfirmed_alerts").count == 0
    assert apply(timezone.localdate(asked) + days(31), only="unconfirmed_alerts").ids == str(saved.pk)
    assert not SavedSearch.objects.exists()


def test_a_stopped_alert_is_deleted_with_its_history_thirty_days_after_and_a_live_one_is_kept(db):
    stopped_at = NOW - days(3)
    stopped = SavedSearch.objects.create(
        email="gone@example.org", created_at=NOW - days(900), confirmed_at=NOW - days(900), unsubscribed_at=stopped_at
    )
    KnownReport.objects.create(saved_search=stopped, report_id=1)
    long_ago = NOW - days(900)
    live = SavedSearch.objects.create(email="stays@example.org", created_at=long_ago, confirmed_at=long_ago)

    assert apply(timezone.localdate(stopped_at) + days(30), only="stopped_alerts").count == 0
    assert apply(timezone.localdate(stopped_at) + days(31), only="stopped_alerts").ids == str(stopped.pk)
    assert list(SavedSearch.objects.values_list("pk", flat=True)) == [live.pk]
    assert not KnownReport.objects.exists()
    assert apply(TODAY + days(5000), only="unconfirmed_alerts").count == 0


def test_upload_counts_are_deleted_the_day_after_thirty_days(people):
    at = NOW - days(2)
    record = UploadRecord.objects.create(user=people.manager, bytes=10, at=at, kind=UploadKind.DRAFT)
    assert apply(timezone.localdate(at) + days(30), only="upload_records").count == 0
    assert apply(timezone.localdate(at) + days(31), only="upload_records").ids == str(record.pk)
    assert not UploadRecord.objects.exists()


def test_a_security_alert_is_deleted_after_a_year_unless_the_watch_still_looks_at_its_window(db):
    sent = NOW - days(2)

    def alert(window_end: datetime.datetime, subject: str) -> SecurityAlert:
        return SecurityAlert.objects.create(
            kind=SecurityAlertKind.REFUSALS, subject_key=subject, window_start=window_end - days(1),
            window_end=window_end, count=11, sent_at=sent,
        )  # fmt: skip

    old = alert(sent, "user:1")
    recent_window = alert(NOW, "user:2")
    assert apply(timezone.localdate(sent) + days(365), only="security_alerts").count == 0
    assert apply(timezone.localdate(sent) + days(366), only="security_alerts").ids == str(old.pk)
    assert list(SecurityAlert.objects.values_list("pk", flat=True)) == [recent_window.pk]


def test_a_revoked_or_expired_api_token_is_deleted_ninety_days_after_and_a_usable_one_never(people):
    revoked_at = NOW - days(1)
    revoked = ApiToken.objects.create(user=people.manager, prefix="abc", digest="a" * 64, revoked_at=revoked_at)
    expired = ApiToken.objects.create(user=people.manager, prefix="def", digest="b" * 64, expires_at=revoked_at)
    usable = ApiToken.objects.create(user=people.manager, prefix="ghi", digest="c" * 64)
    assert apply(timezone.localdate(revoked_at) + days(90), only="api_tokens").count == 0
    outcome = apply(timezone.localdate(revoked_at) + days(91), only="api_tokens")
    assert outcome.ids == compact_ids([revoked.pk, expired.pk])
    assert list(ApiToken.objects.values_list("pk", flat=True)) == [usable.pk]


def test_a_finished_task_is_deleted_thirty_days_after_and_one_waiting_never(db):
    finished_at = NOW - days(2)
    done, failed, waiting = (run_schedules_task.enqueue().id for _ in range(3))
    DBTaskResult.objects.filter(pk=done).update(status="SUCCESSFUL", finished_at=finished_at)
    DBTaskResult.objects.filter(pk=failed).update(status="FAILED", finished_at=finished_at)
    DBTaskResult.objects.filter(pk=waiting).update(enqueued_at=NOW - days(400))

    assert apply(timezone.localdate(finished_at) + days(30), only="task_results").count == 0
    outcome = apply(timezone.localdate(finished_at) + days(31), only="task_results")

    assert outcome.ids == ", ".join(sorted([str(done), str(failed)]))
    assert [str(pk) for pk in DBTaskResult.objects.values_list("pk", flat=True)] == [str(waiting)]


# -- sessions and the cache --------------------------------------------------------------------------------------------


def test_expired_sessions_and_their_sign_in_records_are_deleted_and_live_ones_kept_without_naming_their_keys(people):
    gone, live = "s3cr3t" + "x" * 26, "live" + "y" * 28
    for key, expires in ((gone, NOW - datetime.timedelta(seconds=1)), (live, NOW + days(1))):
        Session.objects.create(session_key=key, session_data="", expire_date=expires)
        UserSession.objects.create(user=people.manager, session_key=key, ip="198.51.100.1", user_agent="Firefox")

    outcome = apply(TODAY, only="expired_sessions")

    assert outcome.count == 2  # the session and its sign-in record
    assert list(Session.objects.values_list("session_key", flat=True)) == [live]
    assert list(UserSession.objects.values_list("session_key", flat=True)) == [live]
    (entry,) = retention_entries()
    assert gone not in entry.summary + json.dumps(entry.changes)
    assert entry.changes["ids"] == "not recorded"


def test_used_one_time_codes_are_deleted_from_the_cache_once_expired(db):
    cache.set("used-code", "y", timeout=30)
    cache.set("still-counting", "y", timeout=3600)
    assert apply(TODAY, only="expired_cache_entries").count == 0
    assert apply(TODAY, only="expired_cache_entries", now=timezone.now() + datetime.timedelta(minutes=1)).count == 1
    assert cache.get("still-counting") == "y"


# -- the run as a whole ------------------------------------------------------------------------------------------------


def everything_past_its_period(people, northshire) -> None:
    withdrawn_referral(people, northshire)
    review_with_working_papers(people, northshire, completed_on=datetime.date(2001, 1, 1))
    UploadRecord.objects.create(user=people.manager, bytes=10, at=NOW - days(400), kind=UploadKind.DRAFT)
    SavedSearch.objects.create(email="sub@example.org", created_at=NOW - days(400))


FAR_FUTURE = TODAY + days(365 * 10)


def test_a_dry_run_says_what_would_go_and_changes_nothing(people, northshire):
    everything_past_its_period(people, northshire)
    entries = AuditEvent.objects.count()

    run = retention_apply(today=FAR_FUTURE, dry_run=True)

    counts = {outcome.key: outcome.count for outcome in run.outcomes}
    assert counts["closed_referrals"] == counts["review_working_papers"] == counts["upload_records"] == 1
    assert Referral.objects.count() == 1 and DraftComment.objects.exists() and UploadRecord.objects.exists()
    assert SavedSearch.objects.exists()
    assert AuditEvent.objects.count() == entries


def test_running_again_changes_nothing_more_and_writes_nothing(people, northshire):
    everything_past_its_period(people, northshire)
    first = retention_apply(today=FAR_FUTURE)
    assert {o.key for o in first.outcomes if o.count} >= {"closed_referrals", "review_working_papers", "upload_records"}
    entries = AuditEvent.objects.count()

    second = retention_apply(today=FAR_FUTURE)

    assert [o.key for o in second.outcomes if o.count] == []
    assert second.summary() == "nothing past its retention period"
    assert AuditEvent.objects.count() == entries
    assert audit_verify()[1] is None


def test_one_audit_entry_per_kind_and_run(people, northshire):
    everything_past_its_period(people, northshire)
    retention_apply(today=FAR_FUTURE)
    kinds = [entry.changes["kind"] for entry in retention_entries()]
    assert sorted(kinds) == sorted(set(kinds))
    assert {"closed_referrals", "review_working_papers", "upload_records", "unconfirmed_alerts"} <= set(kinds)


def test_a_pause_stops_every_deletion_and_the_page_says_so(people, northshire, settings, as_):
    settings.RETENTION_PAUSED = True
    everything_past_its_period(people, northshire)
    run = retention_apply(today=FAR_FUTURE)
    assert run.paused and run.outcomes == []
    assert Referral.objects.count() == 1 and UploadRecord.objects.exists()
    assert "Retention is paused" in as_("manager").get("/retention/").content.decode()


def test_a_kind_that_fails_is_reported_and_the_other_kinds_still_happen(people, northshire, monkeypatch):
    everything_past_its_period(people, northshire)

    def unreachable(kind, today, now):
        raise RuntimeError("the file store is unreachable")

    broken = dataclasses.replace(HANDLERS["closed_referrals"], due=unreachable)
    monkeypatch.setitem(HANDLERS, "closed_referrals", broken)
    (outcome,) = schedules_run(today=FAR_FUTURE, only=["retention"])

    assert "closed_referrals: failed (the file store is unreachable)" in outcome.summary
    assert Referral.objects.count() == 1
    assert not UploadRecord.objects.exists()
    assert not DraftComment.objects.exists()


def test_the_job_is_on_the_schedule_and_run_schedules_runs_it(people, northshire):
    assert "retention" in registered_jobs()
    everything_past_its_period(people, northshire)
    (outcome,) = schedules_run(today=FAR_FUTURE, only=["retention"])
    assert not outcome.failed
    assert "closed_referrals: 1 deleted" in outcome.summary
    assert not Referral.objects.exists()


def test_the_command_has_a_dry_run(people, northshire, capsys):
    everything_past_its_period(people, northshire)
    call_command("apply_retention", "--dry-run", "--date", FAR_FUTURE.isoformat())
    output = capsys.readouterr().out
    assert "nothing is changed" in output and "closed_referrals: 1 would be deleted" in output
    assert Referral.objects.count() == 1

    call_command("apply_retention", "--date", FAR_FUTURE.isoformat())
    assert "closed_referrals: 1 deleted" in capsys.readouterr().out
    assert not Referral.objects.exists()


def test_ids_are_written_as_ranges():
    assert compact_ids([7, 3, 4, 5, 12]) == "3-5, 7, 12"
    assert compact_ids([]) == ""
    assert compact_ids(["b-uuid", "a-uuid"]) == "a-uuid, b-uuid"


def test_a_period_in_years_ends_on_the_same_day_years_later_and_on_28_february_for_29_february():
    assert Period(6, "years").cutoff(datetime.date(2026, 5, 2)) == datetime.date(2020, 5, 2)
    assert Period(1, "years").cutoff(datetime.date(2024, 2, 29)) == datetime.date(2023, 2, 28)
    assert Period(30, "days").cutoff(datetime.date(2026, 3, 31)) == datetime.date(2026, 3, 1)


# -- the page ----------------------------------------------------------------------------------------------------------


def test_a_business_manager_sees_the_schedule_with_its_periods(as_, settings):
    settings.RETENTION_CLOSED_REFERRAL_YEARS = 7
    response = as_("manager").get("/retention/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Retention schedule" in page
    assert "7 years after the case was closed or withdrawn" in page
    assert "RETENTION_REPORT_REQUEST_DAYS" in page and "The audit log" in page


@pytest.mark.parametrize("persona", ["subgroup", "chair", "reviewer", "agency_lead", "referrer", "analyst", "outsider"])
def test_everyone_but_a_business_manager_is_refused_the_schedule(as_, persona):
    assert as_(persona).get("/retention/").status_code == 403


def test_an_anonymous_visitor_is_sent_to_sign_in(as_):
    response = as_(None).get("/retention/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_docs_retention_md_lists_every_kind_with_its_setting_and_every_key_the_command_takes():
    from pathlib import Path

    from casereviews.retention.policy import retention_schedule
    from casereviews.retention.services import HANDLERS

    doc = (Path(__file__).resolve().parents[2] / "docs" / "retention.md").read_text()
    for kind in retention_schedule():
        assert kind.name in doc, kind.name
        assert kind.setting in doc
    for key in HANDLERS:
        assert f"`{key}`" in doc
    assert {kind.key for kind in retention_schedule() if kind.key} == set(HANDLERS)


def test_a_legal_hold_keeps_a_referral_past_its_period_until_it_is_lifted_and_its_managers_see_it(
    people, northshire, as_
):
    referral, closed_on = withdrawn_referral(people, northshire)
    hold = RetentionHold.objects.create(referral=referral, reason="The coroner asked for it", placed_by=people.manager)
    day_after = years_after(closed_on, 6) + days(1)

    outcome = apply(day_after, only="closed_referrals")
    assert (outcome.count, outcome.held) == (0, 1)
    assert Referral.objects.filter(pk=referral.pk).exists()
    page = as_("manager").get("/retention/").content.decode()
    assert referral.reference in page and "The coroner asked for it" in page
    assert referral.reference not in as_("other_manager").get("/retention/").content.decode()

    hold.lifted_at = NOW
    hold.save()
    assert apply(day_after, only="closed_referrals").count == 1
    assert not Referral.objects.filter(pk=referral.pk).exists()


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_delete_and_audit_each_record_once(people, northshire):
    from tests.referrals.test_concurrency import run_at_once

    everything_past_its_period(people, northshire)

    runs = run_at_once([lambda: retention_apply(today=FAR_FUTURE)] * 2)

    assert not any(isinstance(run, Exception) for run in runs), runs
    assert not any(run.failed for run in runs), [run.summary() for run in runs]
    kinds = [entry.changes["kind"] for entry in retention_entries()]
    assert sorted(kinds) == sorted(set(kinds))
    assert {"closed_referrals", "review_working_papers", "upload_records", "unconfirmed_alerts"} <= set(kinds)
    assert not Referral.objects.exists() and not DraftComment.objects.exists()
    assert audit_verify()[1] is None
