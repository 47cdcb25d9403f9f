"""Builders for test data. Everything goes through the real services, so tests exercise the real rules."""

from __future__ import annotations

import datetime
import time
from typing import Any

from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

from casereviews.partnerships.models import Agency, FrameworkPeriod, Membership, Partnership, Role, User
from casereviews.referrals.models import Referral
from casereviews.referrals.services import ReferralInput, referral_submit

PASSWORD = "correct horse battery staple"


def make_partnership(name: str, nation: str = "england", frameworks: dict[str, str] | None = None) -> Partnership:
    partnership = Partnership.objects.create(
        name=f"{name} Safeguarding Children Partnership",
        slug=name.lower(),
        nation=nation,
        region="North East" if nation == "england" else "",
    )
    periods = frameworks or (
        {"england_2015": "2006-04-01", "england_2023": "2018-06-29"} if nation == "england" else {"wales": "2006-04-01"}
    )
    for code, starts in periods.items():
        FrameworkPeriod.objects.create(
            partnership=partnership, framework_code=code, starts_on=datetime.date.fromisoformat(starts)
        )
    for agency in ("Police", "Children's social care", "Health visiting", "Primary school"):
        Agency.objects.create(partnership=partnership, name=agency)
    return partnership


def make_person(username: str, role: str | None, partnership: Partnership | None, **extra: Any) -> User:
    user = User.objects.create_user(
        username=username,
        email=f"{username}@example.org",
        password=PASSWORD,
        full_name=username.title(),
        job_title="Practitioner",
        organisation="Agency",
    )
    if role is not None:
        agency = Agency.objects.filter(partnership=partnership).first() if role == Role.AGENCY_LEAD else None
        Membership.objects.create(user=user, partnership=partnership, role=role, agency=agency)
    return user


def referral_input(**overrides: Any) -> ReferralInput:
    values: dict[str, Any] = {
        "referrer_name": "Rory Referrer",
        "referrer_job_title": "Health visitor",
        "referrer_organisation": "Northshire Community Health",
        "referrer_email": "rory@example.org",
        "child_reference": "NS-000123",
        "child_sex": "female",
        "child_disability": "no",
        "looked_after": "no",
        "child_protection_plan": "yes",
        "incident_date": datetime.date(2025, 3, 3),
        "aware_on": datetime.date(2025, 3, 4),
        "what_happened": "The child was admitted to hospital with an unexplained head injury.",
        "abuse_or_neglect": "suspected",
        "harm_outcome": "seriously_harmed",
        "child_age_years": 1,
    }
    values.update(overrides)
    return ReferralInput(**values)


def make_referral(partnership: Partnership, referrer: User, **overrides: Any) -> Referral:
    return referral_submit(submitted_by=referrer, partnership=partnership, data=referral_input(**overrides))


def make_review(
    partnership: Partnership,
    *,
    created_by: User,
    review_type: str = "lcspr",
    framework_code: str = "england_2023",
    pseudonym: str = "Child T",
    status: str = "set_up",
    reviewers: tuple[User, ...] = (),
    agencies: tuple[str, ...] = ("Police", "Children's social care"),
    commissioned_on: datetime.date = datetime.date(2025, 4, 1),
) -> Any:
    """A review as the chair's decision leaves it, with `reviewers` appointed and `agencies` involved.

    `status` places it further along for tests of later steps (the steps themselves are tested in tests/reviews).
    """
    from casereviews.reviews.models import Review, ReviewerAppointment
    from casereviews.reviews.services import next_review_reference

    review = Review.objects.create(
        reference=next_review_reference(partnership, commissioned_on.year),
        partnership=partnership,
        framework_code=framework_code,
        review_type=review_type,
        title=f"Local review: {pseudonym}",
        pseudonym=pseudonym,
        status=status,
        commissioned_on=commissioned_on,
        created_by=created_by,
    )
    review.agencies.set(Agency.objects.filter(partnership=partnership, name__in=agencies))
    for reviewer in reviewers:
        ReviewerAppointment.objects.create(
            review=review,
            reviewer=reviewer,
            appointed_on=commissioned_on,
            declaration="I have had no involvement with the child, the family or the agencies in this case.",
            declared_on=commissioned_on,
            appointed_by=created_by,
        )
    return review


def make_draft(review: Any, *, by: User, pages: list[str], number: int | None = None, is_final: bool = False) -> Any:
    from casereviews.reviews.models import DraftVersion

    number = number or review.drafts.count() + 1
    return DraftVersion.objects.create(
        review=review,
        number=number,
        filename=f"draft-{number}.txt",
        media_type="text/plain",
        size=sum(len(page) for page in pages),
        sha256=f"{number:064d}",
        pages=pages,
        is_final=is_final,
        uploaded_by=by,
    )


def current_code(secret: str) -> str:
    """The authenticator app's code for `secret` now. The server accepts only the current 30-second period's code:
    a code taken in its last seconds can expire before a loaded server checks it, so wait for a fresh period rather
    than fail at random (CI failed so)."""
    if 30 - time.time() % 30 < 5:
        time.sleep(30 - time.time() % 30 + 0.1)
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))
