"""The overdue job: one e-mail per overdue milestone or contribution, never twice."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from casereviews.core.schedules import registered_jobs, schedules_run
from casereviews.partnerships.models import Agency
from casereviews.reviews import services
from casereviews.reviews.models import Milestone, ReminderSent
from tests.reviews.steps import commission, days_ago

pytestmark = pytest.mark.django_db


def test_the_job_is_registered():
    assert "reviews_overdue_milestones" in registered_jobs()


def test_overdue_milestones_and_contributions_are_emailed_once_even_when_the_job_runs_twice(
    northshire, people, mailoutbox
):
    review = commission(northshire, people.manager, commissioned_on=days_ago(50))
    request = services.contribution_request(
        actor=people.manager,
        review=review,
        agency=Agency.objects.get(partnership=northshire, name="Police"),
        requested_on=days_ago(40),
        due_on=days_ago(5),
        what_is_asked="Chronology and report.",
    )
    today = timezone.localdate()
    overdue = {m.kind for m in review.milestones.all() if m.is_overdue_on(today)}
    assert overdue == {"reviewers_appointed"}  # due after about 27 days; contributions after 73

    first = schedules_run(today=today, only=["reviews_overdue_milestones"])
    second = schedules_run(today=today, only=["reviews_overdue_milestones"])
    assert [o.summary for o in first + second] == ["2 overdue reminders sent", "0 overdue reminders sent"]
    assert len(mailoutbox) == 2
    assert {m.to[0] for m in mailoutbox} == {"bella@example.org"}
    assert all("Child T" not in m.body for m in mailoutbox)
    assert set(ReminderSent.objects.values_list("key", flat=True)) == {
        "milestone:reviewers_appointed",
        f"contribution:{request.pk}",
    }


def test_a_milestone_whose_due_date_moves_is_reminded_of_again_when_the_new_date_passes(northshire, people, mailoutbox):
    review = commission(northshire, people.manager, commissioned_on=days_ago(50))
    today = timezone.localdate()
    schedules_run(today=today, only=["reviews_overdue_milestones"])
    Milestone.objects.filter(review=review, kind="reviewers_appointed").update(
        due_on=today - datetime.timedelta(days=1)
    )
    schedules_run(today=today, only=["reviews_overdue_milestones"])
    assert len(mailoutbox) == 2


def test_nothing_is_sent_for_reviews_on_track_or_closed(northshire, people, mailoutbox):
    commission(northshire, people.manager, commissioned_on=timezone.localdate())
    schedules_run(today=timezone.localdate(), only=["reviews_overdue_milestones"])
    assert mailoutbox == []
