"""Builders for test data. Everything goes through the real services, so tests exercise the real rules."""

from __future__ import annotations

import datetime
from typing import Any

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
