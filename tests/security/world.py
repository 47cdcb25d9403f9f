"""One world for the authorisation matrix: Northshire's case work at every stage, with something behind every
address that takes an identifier, so that each persona's answer is about permission and never about a missing
object.

Built once per test module through the real services (as the app's own tests do) and rolled back at the end;
each test runs in a savepoint inside it, so a write that a persona is allowed to make is undone before the next.
"""

from __future__ import annotations

import datetime
import re
import sys
import types
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

from allauth.account.models import EmailAddress, EmailConfirmationHMAC
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from allauth.mfa.webauthn.internal.auth import WebAuthn
from django.conf import settings
from django.test import Client
from django.utils import timezone

from casereviews.actions.models import DeclaredState
from casereviews.actions.services import action_create as plan_action_create
from casereviews.actions.services import finding_create, progress_update_post, recommendation_create
from casereviews.core.files import check_attachment, store_blob
from casereviews.learning.services import briefing_approve, briefing_draft, briefing_publish
from casereviews.library.models import ExtractedValue, ValueStatus
from casereviews.partnerships.models import Agency, Role, User
from casereviews.publication import services as publication
from casereviews.publication.models import RedactionFinding
from casereviews.referrals.services import assessment_record, referral_submit, referral_transition
from casereviews.reviews import services as reviews
from casereviews.reviews.models import ContributionFileKind, HoldKind, Milestone
from casereviews.search import alerts
from casereviews.search.models import SavedSearch
from casereviews.search.tasks import apply_index_changes
from tests.actions.conftest import OWN_AGENCY, action_input
from tests.factories import make_partnership, make_person, referral_input
from tests.learning.builders import make_report
from tests.publication.conftest import SUMMARY, keyed_and_scanned, make_signed_off_review, redact_everything
from tests.reviews.steps import commission, start, upload
from tests.search.builders import make_library_report
from tests.software_key import SoftwareSecurityKey

CHRONOLOGY = b"A chronology from Children's social care.\n"


@dataclass
class World:
    """The personas, everything the routes' URL arguments name (by the names `routes.ARGUMENTS` uses), and each
    signed-in persona's session."""

    people: dict[str, User]
    objects: dict[str, Any] = field(default_factory=dict)
    sessions: dict[str, str] = field(default_factory=dict)

    def client(self, persona: str) -> Client:
        """A client signed in as `persona` (with a second factor set up), or an anonymous one. A view's exception
        is a 500 here, as a visitor would see it, so it is reported as such rather than stopping the matrix."""
        client = Client(raise_request_exception=False)
        if persona != "anonymous":
            client.cookies[settings.SESSION_COOKIE_NAME] = self.sessions[persona]
        return client


def _people() -> dict[str, User]:
    """The personas of tests/conftest.py, each with an authenticator app and recovery codes."""
    northshire = make_partnership("Northshire")
    glanmor = make_partnership("Glanmor", nation="wales")
    people = {
        "manager": make_person("bella", Role.BUSINESS_MANAGER, northshire),
        "subgroup": make_person("sam", Role.SUBGROUP_MEMBER, northshire),
        "chair": make_person("charlotte", Role.CHAIR, northshire),
        "second_chair": make_person("chris", Role.CHAIR, northshire),
        "reviewer": make_person("lewis", Role.LEAD_REVIEWER, northshire),
        "agency_lead": make_person("agnes", Role.AGENCY_LEAD, northshire),
        "referrer": make_person("rory", Role.REFERRER, northshire),
        "other_referrer": make_person("ruth", Role.REFERRER, northshire),
        "analyst": make_person("nadia", Role.ANALYST, None),
        "other_manager": make_person("gareth", Role.BUSINESS_MANAGER, glanmor),
        "outsider": make_person("olly", None, None),
    }
    for user in people.values():
        TOTP.activate(user, generate_totp_secret())
        RecoveryCodes.activate(user)
    return people


def _session_of(user: User) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def build_world() -> World:
    with spacy_left_unloaded():
        return _build()


def _build() -> World:
    people = _people()
    p = SimpleNamespace(**people)
    northshire = p.manager.memberships.get().partnership
    world = World(people=people)
    o = world.objects
    o["partnership"] = northshire

    # A referral from the referrer, with an attachment and the deadlines its submission starts, accepted and
    # assessed by the sub-group; and one from the other referrer.
    referral = referral_submit(
        submitted_by=p.referrer,
        partnership=northshire,
        data=referral_input(),
        attachments=[check_attachment("hospital-letter.txt", b"A letter from the hospital.\n")],
    )
    referral_transition(actor=p.manager, referral=referral, transition_id="accept")
    assessment_record(
        actor=p.subgroup,
        referral=referral,
        answers={"abuse_or_neglect": True, "child_died": False},
        notes="The sub-group weighed the hospital's account against the police log.",
    )
    referral.refresh_from_db()
    o["referral"] = referral
    o["attachment"] = referral.attachments.get()
    o["other_referral"] = referral_submit(
        submitted_by=p.other_referrer, partnership=northshire, data=referral_input(child_reference="NS-000456")
    )
    o["deadline"] = referral.deadlines.order_by("pk").first()

    # A review in progress: the reviewer appointed, two drafts, a hold, a panel member, a contribution from the
    # agency lead's agency with a file, and an action plan whose action that agency owns, with evidence posted.
    live = commission(northshire, p.manager, pseudonym="Child L", title="Learning review: Child L")
    live = start(live, p)
    upload(live, p.reviewer, "Page one.\fPage two.")
    upload(live, p.reviewer, "Page one, again.\fPage two.")
    o["review"] = type(live).objects.get(pk=live.pk)
    o["appointment"] = live.appointments.get()
    o["hold"] = reviews.hold_start(
        actor=p.manager,
        review=live,
        kind=HoldKind.CRIMINAL_TRIAL,
        reason="A criminal trial is due.",
        starts_on=_days_ago(3),
    )
    o["panel_member"] = reviews.panel_member_add(
        actor=p.manager, review=live, name="Pat Panel", role="Designated nurse", organisation="Northshire health"
    )
    o["milestone"] = Milestone.objects.filter(review=live).order_by("pk").first()
    agency = Agency.objects.get(partnership=northshire, name=OWN_AGENCY)
    contribution = reviews.contribution_request(
        actor=p.manager,
        review=live,
        agency=agency,
        due_on=timezone.localdate() + datetime.timedelta(days=20),
        what_is_asked="A chronology of your agency's contact with the family.",
    )
    o["contribution"] = contribution
    o["police_contribution"] = reviews.contribution_request(
        actor=p.manager,
        review=live,
        agency=Agency.objects.get(partnership=northshire, name="Police"),
        due_on=timezone.localdate() + datetime.timedelta(days=20),
        what_is_asked="The police chronology.",
    )
    o["contribution_file"] = reviews.contribution_file_add(
        actor=p.agency_lead,
        request=contribution,
        kind=ContributionFileKind.CHRONOLOGY,
        checked=check_attachment("chronology.txt", CHRONOLOGY),
    )
    finding = finding_create(actor=p.manager, review=live, number=1, text="Information was not shared.")
    recommendation = recommendation_create(
        actor=p.manager, review=live, number=1, text="Agencies should share information.", finding=finding, agency=None
    )
    action = plan_action_create(actor=p.manager, recommendation=recommendation, data=action_input(northshire))
    update = progress_update_post(
        actor=p.agency_lead,
        action=action,
        narrative="The audit has begun.",
        declared_state=DeclaredState.PROGRESSING,
        files=[check_attachment("audit-plan.txt", b"The audit plan.\n")],
    )
    o["finding"], o["recommendation"], o["action"] = finding, recommendation, action
    o["police_action"] = plan_action_create(
        actor=p.manager,
        recommendation=recommendation,
        data=action_input(northshire, "Police", description="Brief every response officer on the guidance."),
    )
    o["evidence_file"] = update.files.get()

    # A signed-off review at the redaction gate, keyed and scanned, with its board's response as a file.
    gate = make_signed_off_review(p, northshire, pages=PAGES, pseudonym="Child G")
    reviews.written_response_record(
        actor=p.chair,
        review=gate,
        text="The board accepts every recommendation.",
        agreed_on=_days_ago(30),
        file=check_attachment("response.txt", b"The board's response.\n"),
    )
    keyed_and_scanned(gate, p.manager, deny=DENY, allow=ALLOW)
    o["gate_review"] = type(gate).objects.get(pk=gate.pk)
    o["redaction_finding"] = RedactionFinding.objects.filter(review=gate).order_by("pk").first()
    assert o["redaction_finding"] is not None

    # A signed-off review whose every finding is decided: ready for the business manager to publish.
    ready = make_signed_off_review(p, northshire, pages=PAGES, pseudonym="Child R")
    keyed_and_scanned(ready, p.manager, deny=DENY, allow=ALLOW)
    redact_everything(ready, p.manager)
    o["ready_review"] = ready

    # Two published reviews: one inside its publication window, one whose window has closed (available on
    # request), with a request a member of the public made for it and a download link granted on another.
    o["publication"] = _published(p, make_signed_off_review(p, northshire, pages=PAGES, pseudonym="Child P"))
    closed = _published(p, make_signed_off_review(p, northshire, pages=PAGES, pseudonym="Child Q"))
    publication.publication_window_close(publication=closed, today=closed.window_ends_on + datetime.timedelta(days=1))
    closed.refresh_from_db()
    o["closed_publication"] = closed
    asked = publication.report_request_submit(
        publication=closed,
        data=publication.RequestInput(
            name="Rhea Reader", email="rhea@example.org", organisation="", reason="Training for practitioners."
        ),
        ip_address="192.0.2.1",
    )
    o["report_request"] = asked
    granted = publication.report_request_submit(
        publication=closed,
        data=publication.RequestInput(name="Gus Granted", email="gus@example.org", organisation="", reason="Research."),
        ip_address="192.0.2.2",
    )
    granted = publication.report_request_grant(actor=p.manager, request=granted)
    o["download_token"] = publication.request_download_token(granted)

    # The library: a report in the public library with pages, and values for people to decide on.
    report = make_library_report(
        "Child W review",
        ["The baby was neglected at home.", "Information sharing between agencies failed."],
        codes={"harm_types": ["neglect"], "risk_factors": ["domestic_abuse"]},
        values={"outcome": "died"},
    )
    report.sha256 = store_blob(report.text.encode())
    report.save(update_fields=["sha256"])
    o["report"] = report
    o["unreviewed_report"] = make_library_report(
        "Child U review", ["The unicorn child was neglected."], status=ValueStatus.PROPOSED
    )
    o["value"] = ExtractedValue.objects.filter(report=report, field="outcome").get()

    # Briefings: a Northshire draft, and a published one drawn from confirmed reviews.
    for year in (2021, 2022):
        make_report(year_published=year, outcome="died", risk_factors=["domestic_abuse"], title=f"Child {year}")
    published = briefing_draft(actor=p.manager, theme_kind="risk_factor", theme_code="domestic_abuse")
    briefing_approve(actor=p.manager, briefing=published)
    o["published_briefing"] = briefing_publish(actor=p.manager, briefing=published)
    o["draft_briefing"] = briefing_draft(actor=p.manager, theme_kind="risk_factor", theme_code="domestic_abuse")
    o["national_draft"] = briefing_draft(actor=p.analyst, theme_kind="risk_factor", theme_code="domestic_abuse")

    # A saved search waiting for its confirmation, with both of its links.
    saved = SavedSearch.objects.create(email="reader@example.org", params="q=neglected")
    o["confirm_token"] = alerts.confirm_token(saved)
    o["unsubscribe_token"] = alerts.unsubscribe_token(saved)

    # An address waiting to be confirmed, with its confirmation key (sign-in e-mail is otherwise unverified).
    unconfirmed = EmailAddress.objects.create(user=p.outsider, email="olly.new@example.org", verified=False)
    o["email_key"] = EmailConfirmationHMAC(unconfirmed).key
    o["membership"] = p.subgroup.memberships.get()
    # A security key of the business manager's (ADR 0015): only its owner may rename or remove it.
    o["security_key"] = WebAuthn.add(p.manager, "Blue key", SoftwareSecurityKey().registered_credential()).instance

    # The public library's search index, built from everything above as the task worker would.
    apply_index_changes.call()

    world.sessions = {name: _session_of(user) for name, user in people.items()}
    return world


# An invented report whose only identifying words are the case key's, so that the stand-in scanner below finds
# all there is to find.
PAGES = [
    "Local Child Safeguarding Practice Review\n\nThe child, whose name is Poppy Invented, lived at 7 Nowhere Row.\n",
    "Finding 1: Professionals did not share information about the new partner in the household.\n",
]
DENY = ["Poppy Invented", "7 Nowhere Row"]
ALLOW = ["Child G", "Child P", "Child Q", "Child R"]


@dataclass(frozen=True)
class _Found:
    start: int
    end: int
    text: str
    type: str
    score: float


class DenyListScanner:
    """Stands in for `extraction.pii.PiiScanner` while the world is built: it reports the case key's terms, as the
    real one does, and nothing else. Loading Presidio and spaCy costs about ten seconds, and the scanner is not what
    this suite tests (tests/publication and tests/extraction test it)."""

    def __init__(self, *, deny_list: Sequence[str] = (), allow_list: Sequence[str] = ()) -> None:
        terms = sorted({term.strip() for term in deny_list if term.strip()}, key=len, reverse=True)
        self._pattern = re.compile("|".join(re.escape(term) for term in terms), re.IGNORECASE) if terms else None

    def scan_many(self, texts: Iterable[str]) -> list[list[_Found]]:
        pattern = self._pattern
        if pattern is None:
            return [[] for _ in texts]
        return [[_Found(m.start(), m.end(), m.group(), "KNOWN_NAME", 1.0) for m in pattern.finditer(t)] for t in texts]


@contextmanager
def spacy_left_unloaded() -> Iterator[None]:
    """While the world is built, `extraction.pii` is the stand-in above, unless the real one is already loaded."""
    if "extraction.pii" in sys.modules:
        yield
        return
    stand_in = types.ModuleType("extraction.pii")
    stand_in.PiiScanner = DenyListScanner  # type: ignore[attr-defined]
    sys.modules["extraction.pii"] = stand_in
    try:
        yield
    finally:
        del sys.modules["extraction.pii"]


def _published(p: Any, review: Any) -> Any:
    keyed_and_scanned(review, p.manager, deny=DENY, allow=ALLOW)
    redact_everything(review, p.manager)
    return publication.review_publish(actor=p.manager, review=review, summary=SUMMARY)


def _days_ago(days: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=days)
