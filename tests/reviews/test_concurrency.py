"""Two people acting on one review at once, for real: two threads, two connections, one outcome."""

from __future__ import annotations

import datetime
import html
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from casereviews.core.audit import audit_verify
from casereviews.core.errors import Duplicate, EditConflict, InvalidInput
from casereviews.core.models import AuditEvent
from casereviews.partnerships.models import User
from casereviews.reviews import services
from casereviews.reviews.models import DraftVersion, MarkerAssessment, Review, ReviewStatus
from tests.conftest import signed_in
from tests.factories import make_person
from tests.referrals.test_concurrency import run_at_once
from tests.reviews.steps import commission, decided_referral, fresh, sign_all_markers, signed_off, to_qa


@pytest.mark.django_db(transaction=True)
def test_two_drafts_uploaded_at_once_get_different_numbers(people, northshire):
    review = commission(northshire, people.manager)
    services.reviewer_appoint(
        actor=people.manager,
        review=review,
        reviewer=people.reviewer,
        appointed_on=review.commissioned_on,
        declaration="Independent.",
        declared_on=review.commissioned_on,
    )
    services.review_start(actor=people.manager, review=review)
    outcomes = run_at_once(
        [
            lambda: services.draft_upload(actor=people.reviewer, review=review, filename="a.txt", data=b"A"),
            lambda: services.draft_upload(actor=people.manager, review=review, filename="b.txt", data=b"B"),
        ]
    )
    assert all(isinstance(outcome, DraftVersion) for outcome in outcomes), outcomes
    assert sorted(DraftVersion.objects.values_list("number", flat=True)) == [1, 2]


@pytest.mark.django_db(transaction=True)
def test_a_qa_return_and_a_sign_off_made_at_once_from_the_same_version_let_only_one_through(people, northshire):
    review = commission(northshire, people.manager)
    draft = to_qa(review, people)
    sign_all_markers(review, people)
    services.draft_choose_final(actor=people.chair, draft=draft)
    seen = Review.objects.get(pk=review.pk).version
    outcomes = run_at_once(
        [
            lambda: services.review_sign_off(actor=people.chair, review=review, expected_version=seen),
            lambda: services.qa_return(
                actor=people.subgroup, review=review, reasons="One more change.", expected_version=seen
            ),
        ]
    )
    refused = [outcome for outcome in outcomes if isinstance(outcome, EditConflict | InvalidInput)]
    assert len(refused) == 1, outcomes
    status = Review.objects.get(pk=review.pk).status
    assert status in {ReviewStatus.SIGNED_OFF, ReviewStatus.IN_PROGRESS}


@pytest.mark.django_db(transaction=True)
def test_two_managers_setting_up_the_same_referrals_review_at_once_create_one(people, northshire):
    referral = decided_referral(northshire, people)
    second_manager = make_person("bea", "business_manager", northshire)
    outcomes = run_at_once(
        [
            lambda manager=manager: commission(
                northshire, manager, referral=referral, commissioned_on=timezone.localdate()
            )
            for manager in (people.manager, second_manager)
        ]
    )
    assert sorted(type(outcome).__name__ for outcome in outcomes) == ["Duplicate", "Review"], outcomes
    assert Review.objects.count() == 1
    assert isinstance(next(o for o in outcomes if isinstance(o, Duplicate)).existing, Review)


# -- stale edits through the pages: the second person is told, and nothing they did not see is overwritten ----------


def _marker_page_version(client, review, marker: int) -> str:
    page = client.get(reverse("reviews:marker", args=[review.reference, marker])).content.decode()
    return re.search(r'name="version" value="(-?\d+)"', page).group(1)  # type: ignore[union-attr]


@pytest.mark.django_db(transaction=True)
def test_two_people_answering_the_same_quality_marker_from_the_same_page_keep_the_first_and_tell_the_second(
    people, northshire, as_
):
    review = commission(northshire, people.manager)
    subgroup, manager = as_("subgroup"), as_("manager")
    url = reverse("reviews:marker", args=[review.reference, 1])
    seen = _marker_page_version(subgroup, review, 1)
    assert seen == _marker_page_version(manager, review, 1) == "0"  # both read the page before either saved

    first = subgroup.post(url, {"step": "record", "answer": "met", "evidence": "Minutes of 3 May.", "version": seen})
    assert first.status_code == 302
    second = manager.post(url, {"step": "record", "answer": "not_met", "evidence": "Not seen.", "version": seen})
    assert second.status_code == 200
    assert "changed the answer to this quality marker while you were looking at it" in html.unescape(
        second.content.decode()
    )
    assessment = MarkerAssessment.objects.get(review=review, marker=1)
    assert (assessment.answer, assessment.evidence, assessment.answered_by) == (
        "met",
        "Minutes of 3 May.",
        people.subgroup,
    )
    assert AuditEvent.objects.filter(action="review.marker_record").count() == 1
    checked, broken = audit_verify()
    assert broken is None and checked == AuditEvent.objects.count()


@pytest.mark.django_db(transaction=True)
def test_a_sign_off_of_a_marker_answer_changed_after_the_page_was_read_is_refused(people, northshire, as_):
    review = commission(northshire, people.manager)
    services.marker_record(actor=people.subgroup, review=review, marker=2, answer="met", evidence="Minutes.")
    chair = as_("chair")
    seen = _marker_page_version(chair, review, 2)
    services.marker_record(
        actor=people.manager, review=review, marker=2, answer="partly_met", evidence="Only partly.",
        expected_version=int(seen),
    )  # fmt: skip
    response = chair.post(reverse("reviews:marker", args=[review.reference, 2]), {"step": "sign_off", "version": seen})
    assert response.status_code == 200
    assert "Nothing was signed off: read the new answer first." in html.unescape(response.content.decode())
    assert not MarkerAssessment.objects.get(review=review, marker=2).is_signed_off
    with pytest.raises(EditConflict):
        services.marker_sign_off(actor=people.chair, review=review, marker=2, expected_version=int(seen))
    assessment = services.marker_sign_off(actor=people.chair, review=review, marker=2, expected_version=int(seen) + 1)
    assert assessment.is_signed_off and assessment.answer == "partly_met"


@pytest.mark.django_db(transaction=True)
def test_two_managers_replanning_a_milestone_from_the_same_page_keep_the_first_date(people, northshire, as_):
    review = commission(northshire, people.manager)
    make_person("bea", "business_manager", northshire)
    milestone = review.milestones.filter(reached_on__isnull=True).order_by("due_on").first()
    assert milestone is not None
    url = reverse("reviews:milestone_replan", args=[review.reference, milestone.pk])
    first_client, second_client = as_("manager"), signed_in(User.objects.get(username="bea"))
    for client in (first_client, second_client):
        assert 'name="version" value="1"' in client.get(url).content.decode()
    first_date, second_date = (
        milestone.due_on + datetime.timedelta(days=14),
        milestone.due_on + datetime.timedelta(days=60),
    )

    def form(day: datetime.date, reason: str) -> dict[str, str]:
        return {"due_on_0": str(day.day), "due_on_1": str(day.month), "due_on_2": str(day.year), "reason": reason,
                "version": "1"}  # fmt: skip

    assert first_client.post(url, form(first_date, "The family asked for more time.")).status_code == 302
    stale = second_client.post(url, form(second_date, "The police investigation continues."))
    assert stale.status_code == 200
    assert "was re-planned by someone else while you were editing it" in html.unescape(stale.content.decode())
    milestone.refresh_from_db()
    assert milestone.due_on == first_date and milestone.version == 2
    assert AuditEvent.objects.filter(action="review.milestone_replan").count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_manager_and_the_chair_editing_the_proposal_not_to_publish_at_once_keep_the_first(people, northshire, as_):
    review = signed_off(commission(northshire, people.manager), people)
    url = reverse("reviews:non_publication", args=[review.reference])
    manager, chair = as_("manager"), as_("chair")
    seen = re.search(r'name="version" value="(\d+)"', manager.get(url).content.decode()).group(1)  # type: ignore[union-attr]
    assert f'name="version" value="{seen}"' in chair.get(url).content.decode()
    today = timezone.localdate()

    def form(reasons: str) -> dict[str, str]:
        return {"reasons": reasons, "proposed_on_0": str(today.day), "proposed_on_1": str(today.month),
                "proposed_on_2": str(today.year), "advice": "", "improvements": "A summary of the changes made.",
                "version": seen}  # fmt: skip

    assert manager.post(url, form("The child's siblings could be identified.")).status_code == 302
    stale = chair.post(url, form("The family asked us not to."))
    assert stale.status_code == 200
    assert "was changed by someone else while you were working on it" in html.unescape(stale.content.decode())
    assert fresh(review).non_publication.reasons == "The child's siblings could be identified."
    assert AuditEvent.objects.filter(action="review.non_publication_propose").count() == 1
