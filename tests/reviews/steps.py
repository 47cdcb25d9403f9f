"""Moving a review along through the real services, for tests of the later steps."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from casereviews.partnerships.models import Agency, Partnership, User
from casereviews.reviews import services
from casereviews.reviews.models import DraftVersion, Review
from casereviews.reviews.quality import quality_markers

TODAY = timezone.localdate


def days_ago(days: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=days)


def commission(
    partnership: Partnership,
    manager: User,
    *,
    framework_code: str = "england_2023",
    review_type: str = "lcspr",
    commissioned_on: datetime.date | None = None,
    agencies: tuple[str, ...] = ("Police", "Children's social care"),
    **extra: Any,
) -> Review:
    data = services.CommissionInput(
        title=extra.pop("title", "Learning review: Child T"),
        pseudonym=extra.pop("pseudonym", "Child T"),
        terms_of_reference=extra.pop("terms_of_reference", "Review the period from birth to the incident."),
        commissioned_on=commissioned_on or days_ago(60),
        agency_ids=list(Agency.objects.filter(partnership=partnership, name__in=agencies).values_list("pk", flat=True)),
        framework_code=framework_code,
        review_type=review_type,
    )
    return services.review_commission(actor=manager, partnership=partnership, data=data, **extra)


def appoint(review: Review, manager: User, reviewer: User) -> None:
    services.reviewer_appoint(
        actor=manager,
        review=review,
        reviewer=reviewer,
        appointed_on=review.commissioned_on,
        declaration="I have had no involvement with the child, the family or the agencies involved.",
        declared_on=review.commissioned_on,
    )


def start(review: Review, people: Any) -> Review:
    appoint(review, people.manager, people.reviewer)
    return services.review_start(actor=people.manager, review=review)


def upload(review: Review, by: User, text: str = "Page one.\fPage two.", name: str = "draft.txt") -> DraftVersion:
    return services.draft_upload(actor=by, review=review, filename=name, data=text.encode())


def to_qa(review: Review, people: Any) -> DraftVersion:
    review = start(review, people)
    draft = upload(review, people.reviewer)
    services.draft_submit_for_qa(actor=people.reviewer, draft=draft)
    return draft


def sign_all_markers(review: Review, people: Any) -> None:
    for marker in quality_markers().markers:
        services.marker_record(
            actor=people.subgroup, review=review, marker=marker.number, answer="met", evidence="Seen in the report."
        )
        services.marker_sign_off(actor=people.subgroup, review=review, marker=marker.number)


def signed_off(review: Review, people: Any) -> Review:
    draft = to_qa(review, people)
    sign_all_markers(review, people)
    services.draft_choose_final(actor=people.chair, draft=draft)
    return services.review_sign_off(actor=people.chair, review=review, expected_version=None)


def fresh(review: Review) -> Review:
    return Review.objects.get(pk=review.pk)


def decided_referral(partnership: Partnership, people: Any, option: str = "lcspr") -> Any:
    """A 2023 referral the chair decided on with `option` (lcspr, national_review, no_review...)."""
    from casereviews.referrals.services import (
        assessment_record,
        decision_record,
        recommendation_record,
        referral_transition,
    )
    from tests.factories import make_referral

    referral = make_referral(partnership, people.referrer)
    referral_transition(actor=people.manager, referral=referral, transition_id="accept")
    answers: dict[str, bool | None] = {"abuse_or_neglect": True, "child_died": True, "recurrent_themes": True}
    assessment_record(actor=people.subgroup, referral=referral, answers=answers)
    recommendation_record(actor=people.subgroup, referral=referral, option=option, rationale="As assessed.")
    decision_record(actor=people.chair, referral=referral, option=option, rationale="Agreed.")
    referral.refresh_from_db()
    return referral
