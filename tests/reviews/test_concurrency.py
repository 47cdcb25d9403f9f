"""Two people acting on one review at once, for real: two threads, two connections, one outcome."""

from __future__ import annotations

import pytest

from casereviews.core.errors import EditConflict, InvalidInput
from casereviews.reviews import services
from casereviews.reviews.models import DraftVersion, Review, ReviewStatus
from tests.referrals.test_concurrency import run_at_once
from tests.reviews.steps import commission, sign_all_markers, to_qa


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
