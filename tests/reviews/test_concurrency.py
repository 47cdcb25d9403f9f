"""Two people acting on one review at once, for real: two threads, two connections, one outcome."""

from __future__ import annotations

import pytest
from django.utils import timezone

from casereviews.core.errors import Duplicate, EditConflict, InvalidInput
from casereviews.reviews import services
from casereviews.reviews.models import DraftVersion, Review, ReviewStatus
from tests.factories import make_person
from tests.referrals.test_concurrency import run_at_once
from tests.reviews.steps import commission, decided_referral, sign_all_markers, to_qa


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
