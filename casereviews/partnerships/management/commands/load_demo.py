"""Demo data: two invented partnerships, one account per persona and referrals in several states.

Everything here is invented. It runs through the real services, so the demo shows real deadlines,
explanations and audit entries. Running it again changes nothing.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
from typing import Any

from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from casereviews.core.calendar import Calendar, add_working_days
from casereviews.partnerships.models import Agency, FrameworkPeriod, Membership, Partnership, Role, User
from casereviews.referrals import services
from casereviews.referrals.models import Referral
from casereviews.reviews.models import Review

DEMO_PASSWORD = "demo-password-2026"  # noqa: S105 - published demo credential, refused when DEBUG is off

PERSONAS: list[tuple[str, str, str, str | None, str]] = [
    # username, full name, role, partnership slug (None: national), job title
    ("bella", "Bella Okafor", Role.BUSINESS_MANAGER, "northshire", "Partnership business manager"),
    ("sam", "Sam Whitfield", Role.SUBGROUP_MEMBER, "northshire", "Designated nurse, case review sub-group"),
    ("charlotte", "Charlotte Demir", Role.CHAIR, "northshire", "Independent chair"),
    ("lewis", "Lewis Marsh", Role.LEAD_REVIEWER, "northshire", "Independent lead reviewer"),
    ("agnes", "Agnes Laurent", Role.AGENCY_LEAD, "northshire", "Detective inspector, safeguarding lead"),
    ("rory", "Rory Kaplan", Role.REFERRER, "northshire", "Health visitor"),
    ("nadia", "Nadia Haddad", Role.ANALYST, None, "National analyst"),
    ("gareth", "Gareth Pryce", Role.BUSINESS_MANAGER, "glanmor", "Regional safeguarding board business manager"),
    ("ffion", "Ffion Evans", Role.CHAIR, "glanmor", "Chair, regional safeguarding board"),
]

PARTNERSHIPS = [
    (
        "Northshire Safeguarding Children Partnership",
        "northshire",
        "england",
        "North East",
        [("england_2015", "2006-04-01"), ("england_2023", "2018-06-29")],
        [
            "Northshire Police",
            "Northshire Children's Social Care",
            "Northshire Community Health (health visiting)",
            "Northshire Hospitals NHS Trust",
            "Moorfield Primary Care Network (GP)",
            "Northshire Education Service",
            "Northshire Probation Service",
            "Northshire Housing",
        ],
    ),
    (
        "Glanmor Regional Safeguarding Board",
        "glanmor",
        "wales",
        "West Wales",
        [("wales", "2006-04-01")],
        [
            "Heddlu Glanmor Police",
            "Glanmor Children's Services",
            "Glanmor University Health Board",
            "Glanmor Education Service",
        ],
    ),
]


def demo_totp_secret(username: str) -> str:
    """A fixed secret per demo account, so the printed sign-in instructions stay true across restarts."""
    digest = hashlib.sha256(f"case-reviews-demo:{username}".encode()).digest()[:20]
    return base64.b32encode(digest).decode("ascii")


class Command(BaseCommand):
    help = "Load the invented demo partnerships, people and referrals (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG:
            raise CommandError("Demo data is for development only (DJANGO_DEBUG is false)")
        with transaction.atomic():
            partnerships = self._partnerships()
            people = self._people(partnerships)
        if not Referral.objects.exists():
            self._referrals(partnerships, people)
        self._reviews_and_action_plan(people)
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data ready: {Partnership.objects.count()} partnerships, {User.objects.count()} people, "
                f"{Referral.objects.count()} referrals, {Review.objects.count()} reviews."
            )
        )
        self._print_accounts()

    def _reviews_and_action_plan(self, people: dict[str, User]) -> None:
        """A review at each stage, and an action plan on the one signed off. The published reviews take the
        PII scanner's language model to load, so `load_demo_publications` adds them in the background."""
        from casereviews.actions.demo import demo_action_plan_add
        from casereviews.reviews.demo import load_demo_reviews
        from casereviews.reviews.models import Review, ReviewStatus

        load_demo_reviews()
        signed_off = Review.objects.filter(partnership__slug="northshire", status=ReviewStatus.SIGNED_OFF).first()
        if signed_off is not None:
            demo_action_plan_add(review=signed_off, by=people["bella"], today=timezone.localdate())

    def _print_accounts(self) -> None:
        self.stdout.write(
            f"\nSign in at http://127.0.0.1:8000/accounts/login/ with any of these (password: {DEMO_PASSWORD}).\n"
            "Staff need a second factor: add the secret to an authenticator app, or print the current code with\n"
            "  .venv/bin/python manage.py totp_code USERNAME\n"
        )
        for username, _name, role, slug, _job in PERSONAS:
            secret = (
                "(none: referrers sign in with a password)" if role == Role.REFERRER else demo_totp_secret(username)
            )
            where = slug or "national"
            self.stdout.write(f"  {username:<10} {Role(role).label:<52} {where:<11} TOTP secret {secret}")

    def _partnerships(self) -> dict[str, Partnership]:
        result = {}
        for name, slug, nation, region, periods, agencies in PARTNERSHIPS:
            partnership, _ = Partnership.objects.get_or_create(
                slug=slug,
                defaults={
                    "name": name,
                    "nation": nation,
                    "region": region,
                    "contact_email": f"business.unit@{slug}.example",
                },
            )
            for code, starts in periods:
                FrameworkPeriod.objects.get_or_create(
                    partnership=partnership,
                    starts_on=datetime.date.fromisoformat(starts),
                    defaults={"framework_code": code},
                )
            for agency in agencies:
                Agency.objects.get_or_create(partnership=partnership, name=agency)
            result[slug] = partnership
        return result

    def _people(self, partnerships: dict[str, Partnership]) -> dict[str, User]:
        people = {}
        for username, full_name, role, slug, job_title in PERSONAS:
            partnership = partnerships[slug] if slug else None
            user, created = User.objects.get_or_create(
                username=username,
                defaults={
                    "full_name": full_name,
                    "email": f"{username}@example.org",
                    "job_title": job_title,
                    "organisation": partnership.name if partnership else "National analysis unit",
                },
            )
            if created:
                user.set_password(DEMO_PASSWORD)
                user.save()
            agency = None
            if role == Role.AGENCY_LEAD and partnership is not None:
                agency = Agency.objects.filter(partnership=partnership, name__icontains="police").first()
            Membership.objects.get_or_create(user=user, partnership=partnership, role=role, defaults={"agency": agency})
            if role != Role.REFERRER and not Authenticator.objects.filter(user=user).exists():
                TOTP.activate(user, demo_totp_secret(username))
            people[username] = user
        return people

    def _referrals(self, partnerships: dict[str, Partnership], people: dict[str, User]) -> None:
        today = timezone.localdate()
        north, glanmor = partnerships["northshire"], partnerships["glanmor"]
        manager, subgroup, chair, referrer = people["bella"], people["sam"], people["charlotte"], people["rory"]

        def refer(partnership: Partnership, by: User, days_ago: int, **overrides: Any) -> Referral:
            aware = add_working_days(today - datetime.timedelta(days=days_ago + 7), 5, Calendar.ENGLAND_AND_WALES)
            aware = min(aware, today)
            values: dict[str, Any] = {
                "incident_date": aware - datetime.timedelta(days=2),
                "aware_on": aware,
                "agency_ids": list(partnership.agencies.values_list("pk", flat=True)[:3]),
            }
            values.update(overrides)
            return services.referral_submit(submitted_by=by, partnership=partnership, data=_demo_input(by, **values))

        # A new referral, only just received.
        refer(
            north,
            referrer,
            0,
            child_reference="NS-2291",
            harm_outcome="seriously_harmed",
            what_happened="Infant brought to the emergency department with bruising to the face and a "
            "fractured arm; the explanation given did not fit the injuries.",
        )
        # Overdue: received three weeks ago, nobody has notified the Panel yet.
        overdue = refer(
            north,
            manager,
            21,
            child_reference="NS-2270",
            harm_outcome="died",
            looked_after="yes",
            what_happened="A 15-year-old in foster care was found dead at a friend's address; "
            "exploitation by older men had been suspected for months.",
        )
        services.referral_transition(actor=manager, referral=overdue, transition_id="accept")
        # Notified on time and screened: awaiting the chair.
        screened = refer(
            north,
            referrer,
            10,
            child_reference="NS-2284",
            harm_outcome="seriously_harmed",
            what_happened="A 2-year-old was admitted with a serious head injury after being left "
            "with the mother's new partner, who was unknown to services.",
        )
        services.notification_record(
            actor=manager,
            referral=screened,
            recipient="national_panel",
            notified_on=screened.aware_on,
            method="The national online form",
        )
        services.referral_transition(actor=manager, referral=screened, transition_id="accept")
        services.assessment_record(
            actor=subgroup,
            referral=screened,
            answers={
                "abuse_or_neglect": True,
                "seriously_harmed": True,
                "child_died": False,
                "improvements_needed": True,
                "recurrent_themes": True,
                "organisations_concern": True,
                "panel_suggests_local": None,
            },
            notes="Unseen men: the partner was not known to the health visitor or the GP.",
        )
        services.recommendation_record(
            actor=subgroup,
            referral=screened,
            option="lcspr",
            rationale="Recurrent themes about unseen men and information sharing "
            "between health and children's social care.",
        )
        # Decided: no review, so the Panel must be told why.
        decided = refer(
            north,
            referrer,
            30,
            child_reference="NS-2251",
            harm_outcome="seriously_harmed",
            what_happened="A 9-year-old was taken to hospital with burns; a single-agency issue.",
        )
        services.notification_record(
            actor=manager,
            referral=decided,
            recipient="national_panel",
            notified_on=add_working_days(decided.aware_on, 7, Calendar.ENGLAND_AND_WALES),
            method="The national online form",
        )
        services.referral_transition(actor=manager, referral=decided, transition_id="accept")
        services.assessment_record(
            actor=subgroup,
            referral=decided,
            answers={
                "abuse_or_neglect": True,
                "seriously_harmed": True,
                "child_died": False,
                "improvements_needed": False,
                "recurrent_themes": False,
                "organisations_concern": False,
                "panel_suggests_local": False,
            },
        )
        services.recommendation_record(
            actor=subgroup,
            referral=decided,
            option="no_review",
            rationale="Learning is for one agency and is already in its action plan.",
        )
        services.decision_record(
            actor=chair,
            referral=decided,
            option="no_review",
            rationale="Agreed with the rapid review: single-agency learning only.",
        )
        # An older case under Working Together 2015, screened against the SCR criteria.
        historic = refer(
            north,
            manager,
            5,
            child_reference="NS-1702",
            harm_outcome="died",
            incident_date=datetime.date(2017, 11, 14),
            aware_on=datetime.date(2017, 11, 16),
            what_happened="Historic referral: an infant died of a head injury in 2017.",
        )
        services.referral_transition(actor=manager, referral=historic, transition_id="accept")
        # Wales.
        refer(
            glanmor,
            people["gareth"],
            4,
            child_reference="GL-0412",
            harm_outcome="seriously_harmed",
            child_protection_plan="yes",
            what_happened="A child on the child protection register sustained a serious injury at home.",
        )


def _demo_input(by: User, **values: Any) -> services.ReferralInput:
    base: dict[str, Any] = {
        "referrer_name": by.display_name,
        "referrer_job_title": by.job_title or "Practitioner",
        "referrer_organisation": by.organisation or "Demo agency",
        "referrer_email": by.email,
        "child_sex": "female",
        "child_age_years": 2,
        "child_ethnicity": "White British",
        "child_disability": "no",
        "looked_after": "no",
        "child_protection_plan": "no",
        "abuse_or_neglect": "suspected",
    }
    base.update(values)
    return services.ReferralInput(**base)
