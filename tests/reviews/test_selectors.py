"""Reads: who sees which reviews and contributions; holds and the publication clock; the dashboard; QA summary."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from casereviews.core.calendar import Calendar, add_working_days
from casereviews.core.errors import InvalidInput, TransitionNotAllowed
from casereviews.core.files import check_attachment, read_blob
from casereviews.core.models import AuditEvent
from casereviews.partnerships.models import Agency, Role
from casereviews.reviews import selectors, services
from casereviews.reviews.models import Hold, Review, ReviewStatus
from tests.factories import make_person
from tests.reviews.steps import appoint, commission, days_ago, fresh, signed_off, to_qa

pytestmark = pytest.mark.django_db


@pytest.fixture
def review(northshire, people):
    return commission(northshire, people.manager)


def test_case_staff_and_the_appointed_reviewer_see_the_review_and_nobody_else(review, people, northshire):
    appoint(review, people.manager, people.reviewer)
    seeing = {
        name
        for name in vars(people)
        if selectors.reviews_visible_to(getattr(people, name)).filter(pk=review.pk).exists()
    }
    assert seeing == {"manager", "subgroup", "chair", "second_chair", "reviewer"}


def test_a_reviewer_whose_appointment_ended_or_who_is_not_appointed_sees_nothing(review, people, northshire):
    appoint(review, people.manager, people.reviewer)
    services.reviewer_appointment_end(
        actor=people.manager, appointment=review.appointments.get(), ended_on=timezone.localdate(), reason="Left"
    )
    other = make_person("vera", Role.LEAD_REVIEWER, northshire)
    assert not selectors.reviews_visible_to(people.reviewer).exists()
    assert not selectors.reviews_visible_to(other).exists()


def test_an_agency_lead_sees_only_their_own_agencys_contribution_requests(review, people, northshire):
    requests = {
        name: services.contribution_request(
            actor=people.manager,
            review=review,
            agency=Agency.objects.get(partnership=northshire, name=name),
            due_on=timezone.localdate() + datetime.timedelta(days=5),
            what_is_asked="Chronology and report.",
        )
        for name in ("Police", "Children's social care")
    }
    assert list(selectors.contribution_requests_visible_to(people.agency_lead)) == [requests["Children's social care"]]
    assert selectors.contribution_requests_visible_to(people.manager).count() == 2
    assert not selectors.contribution_requests_visible_to(people.other_manager).exists()
    assert not selectors.reviews_visible_to(people.agency_lead).exists()


def _hold(review, people, starts: int, ends: int | None, kind: str = "criminal_trial") -> Hold:
    hold = services.hold_start(
        actor=people.manager, review=review, kind=kind, reason="Trial", starts_on=days_ago(starts)
    )
    if ends is not None:
        hold = services.hold_end(actor=people.manager, hold=hold, ends_on=days_ago(ends))
    return hold


def test_a_review_is_on_hold_only_between_a_holds_start_and_end(review, people):
    _hold(review, people, starts=20, ends=10)
    assert selectors.review_is_on_hold(review, on=days_ago(15))
    assert selectors.review_is_on_hold(review, on=days_ago(10))
    assert not selectors.review_is_on_hold(review, on=days_ago(9))
    assert not selectors.review_is_on_hold(review)


def test_held_days_count_overlapping_holds_once_and_an_open_hold_to_the_end(review, people):
    _hold(review, people, starts=30, ends=21)  # 10 days
    _hold(review, people, starts=25, ends=None, kind="inquest")  # 25 days ago up to today: 26 days
    assert selectors.review_held_days(review, days_ago(40), timezone.localdate()) == 31
    assert selectors.review_held_days(review, days_ago(22), days_ago(21)) == 2


def _dispatch_all(review, people, sent_on: datetime.date) -> None:
    for recipient in ("The Child Safeguarding Practice Review Panel", "The Secretary of State for Education"):
        services.dispatch_record(
            actor=people.manager, review=review, recipient=recipient, sent_on=sent_on, method="Secure e-mail"
        )


def test_publication_waits_seven_working_days_after_the_last_dispatch_under_2023(review, people):
    signed_off(review, people)
    assert selectors.earliest_publication_date(review) is None
    services.written_response_record(
        actor=people.chair, review=review, text="Accepted.", agreed_on=timezone.localdate()
    )
    services.dispatch_record(
        actor=people.manager,
        review=review,
        recipient="The Child Safeguarding Practice Review Panel",
        sent_on=timezone.localdate(),
        method="Secure e-mail",
    )
    assert selectors.earliest_publication_date(review) is None
    assert any("Secretary of State" in b for b in selectors.publication_blockers(review))
    services.dispatch_record(
        actor=people.manager,
        review=review,
        recipient="The Secretary of State for Education",
        sent_on=timezone.localdate(),
        method="Secure e-mail",
    )
    expected = add_working_days(timezone.localdate(), 7, Calendar.ENGLAND_AND_WALES)
    assert selectors.earliest_publication_date(review) == expected
    blockers = selectors.publication_blockers(review, on=expected - datetime.timedelta(days=1))
    assert blockers == [f"The notice before publication runs until {expected:%d %B %Y}; publish on or after that day"]
    assert selectors.publication_blockers(review, on=expected) == []


def test_the_working_day_notice_skips_weekends_and_bank_holidays(review, people):
    signed_off(review, people)
    Review.objects.filter(pk=review.pk).update(completed_on=datetime.date(2026, 8, 20))
    services.written_response_record(
        actor=people.chair, review=review, text="Accepted.", agreed_on=datetime.date(2026, 8, 21)
    )
    _dispatch_all(review, people, datetime.date(2026, 8, 27))
    # Thursday 27 August 2026; Monday 31 August is the summer bank holiday in England.
    assert selectors.earliest_publication_date(review) == datetime.date(2026, 9, 8)


def test_publication_waits_one_calendar_week_under_2015(northshire, people):
    review = commission(northshire, people.manager, framework_code="england_2015", review_type="scr")
    signed_off(review, people)
    services.written_response_record(
        actor=people.chair, review=review, text="Accepted.", agreed_on=timezone.localdate()
    )
    for recipient in ("The national panel of independent experts", "Ofsted", "The Department for Education"):
        services.dispatch_record(
            actor=people.manager, review=review, recipient=recipient, sent_on=timezone.localdate(), method="Post"
        )
    assert selectors.earliest_publication_date(review) == timezone.localdate() + datetime.timedelta(weeks=1)


def test_a_replaced_written_response_must_be_sent_again_before_the_clock_runs(review, people):
    signed_off(review, people)
    services.written_response_record(
        actor=people.chair, review=review, text="Accepted.", agreed_on=timezone.localdate()
    )
    _dispatch_all(review, people, timezone.localdate())
    assert selectors.earliest_publication_date(fresh(review)) is not None
    services.written_response_record(
        actor=people.chair, review=review, text="Accepted, with a new action.", agreed_on=timezone.localdate()
    )
    assert selectors.earliest_publication_date(fresh(review)) is None


def test_an_active_hold_blocks_publication_and_a_hold_ending_later_moves_the_earliest_date(review, people):
    signed_off(review, people)
    services.written_response_record(
        actor=people.chair, review=review, text="Accepted.", agreed_on=timezone.localdate()
    )
    _dispatch_all(review, people, timezone.localdate())
    hold = services.hold_start(
        actor=people.manager, review=review, kind="inquest", reason="Inquest opened", starts_on=timezone.localdate()
    )
    far = timezone.localdate() + datetime.timedelta(days=60)
    blockers = selectors.publication_blockers(review, on=far)
    assert blockers == ["The review is on hold for inquest: Inquest opened"]
    Hold.objects.filter(pk=hold.pk).update(ends_on=timezone.localdate() + datetime.timedelta(days=30))
    assert selectors.earliest_publication_date(review) == timezone.localdate() + datetime.timedelta(days=31)


def test_a_review_not_yet_signed_off_lists_everything_missing(review, people):
    blockers = selectors.publication_blockers(review)
    assert blockers[:3] == [
        "The review is being set up, not signed off",
        "No final draft has been chosen",
        "The board's written response has not been recorded",
    ]


def test_a_proposal_not_to_publish_blocks_publication(review, people):
    signed_off(review, people)
    services.non_publication_propose(
        actor=people.chair,
        review=review,
        reasons="Would identify a sibling",
        proposed_on=timezone.localdate(),
        advice="",
        improvements="Training.",
    )
    assert "The board has proposed not to publish this report" in selectors.publication_blockers(fresh(review))


def test_the_dashboard_flags_overdue_milestones_and_holds_and_hides_closed_reviews(northshire, people):
    late = commission(northshire, people.manager, commissioned_on=days_ago(200), title="Late review")
    on_hold = commission(northshire, people.manager, commissioned_on=days_ago(5), title="Held review")
    services.hold_start(
        actor=people.manager, review=on_hold, kind="criminal_trial", reason="Trial", starts_on=days_ago(1)
    )
    rows = selectors.dashboard_rows(people.manager, selectors.DashboardFilters(), timezone.localdate())
    assert [row.review for row in rows] == [late, on_hold]
    assert {m.kind for m in rows[0].overdue_milestones} >= {"reviewers_appointed", "signed_off"}
    assert rows[1].active_holds and not rows[1].is_overdue
    held = selectors.dashboard_rows(people.manager, selectors.DashboardFilters(flag="on_hold"), timezone.localdate())
    assert [row.review for row in held] == [on_hold]
    assert selectors.dashboard_rows(people.other_manager, selectors.DashboardFilters(), timezone.localdate()) == []


def test_comparing_two_drafts_shows_the_changed_lines_page_by_page(review, people):
    draft = to_qa(review, people)
    services.qa_return(actor=people.subgroup, review=review, reasons="More on the father.")
    newer = services.draft_upload(
        actor=people.reviewer,
        review=review,
        filename="v2.txt",
        data=b"Page one.\fPage two.\nThe father was unseen.\fNew page.",
    )
    diff = selectors.draft_compare(draft, newer)
    assert [page.changed for page in diff] == [False, True, True]
    assert ("+", "The father was unseen.") in diff[1].lines
    assert ("+", "New page.") in diff[2].lines


def test_the_qa_summary_shows_what_is_unmet_unanswered_and_not_signed_off(review, people):
    services.marker_record(
        actor=people.subgroup, review=review, marker=12, answer="not_met", evidence="Family not asked."
    )
    services.marker_record(actor=people.subgroup, review=review, marker=9, answer="met", evidence="CPS consulted.")
    services.marker_sign_off(actor=people.subgroup, review=review, marker=9)
    summary = selectors.qa_summary(review)
    assert [row.marker.number for row in summary.unmet] == [12]
    assert len(summary.unanswered) == 16
    assert len(summary.not_signed_off) == 17 and not summary.complete


def test_a_signed_off_review_has_no_overdue_milestones_on_the_dashboard(northshire, people):
    review = commission(northshire, people.manager, commissioned_on=days_ago(300))
    signed_off(review, people)
    assert review.milestones.get(kind="contributions_received").is_overdue_on(timezone.localdate())
    row = selectors.review_row(fresh(review), timezone.localdate())
    assert fresh(review).status == ReviewStatus.SIGNED_OFF
    assert (row.overdue_milestones, row.next_milestone) == ([], None)


def test_contribution_files_are_stored_by_content(review, people, northshire):
    request = services.contribution_request(
        actor=people.manager,
        review=review,
        agency=Agency.objects.get(partnership=northshire, name="Police"),
        due_on=timezone.localdate() + datetime.timedelta(days=5),
        what_is_asked="Chronology.",
    )
    stored = services.contribution_file_add(
        actor=people.manager, request=request, kind="chronology", checked=check_attachment("c.txt", b"Events.")
    )
    assert read_blob(stored.sha256) == b"Events."


def test_the_target_moves_on_by_the_days_spent_on_hold(review, people):
    assert selectors.review_target_with_holds(review, timezone.localdate()) == review.target_completion_on
    _hold(review, people, starts=9, ends=5)
    assert selectors.review_target_with_holds(review, timezone.localdate()) == (
        review.target_completion_on + datetime.timedelta(days=5)
    )


def test_withdrawing_the_proposal_not_to_publish_releases_publication_and_keeps_the_record(review, people):
    signed_off(review, people)
    services.non_publication_propose(
        actor=people.chair,
        review=review,
        reasons="Would identify a sibling",
        proposed_on=timezone.localdate(),
        advice="The Panel advises publishing with the sibling's details removed.",
        advice_received_on=timezone.localdate(),
        improvements="Training.",
    )
    with pytest.raises(InvalidInput):
        services.non_publication_withdraw(actor=people.chair, review=review, reason=" ")
    services.non_publication_withdraw(actor=people.chair, review=review, reason="Following the Panel's advice")
    assert "The board has proposed not to publish this report" not in selectors.publication_blockers(review)
    event = AuditEvent.objects.get(action="review.non_publication_withdraw")
    assert event.changes["withdrawn"]["reasons"] == "Would identify a sibling"
    with pytest.raises(TransitionNotAllowed):
        services.non_publication_withdraw(actor=people.chair, review=review, reason="again")
