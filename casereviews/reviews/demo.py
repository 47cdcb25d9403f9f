"""Demo reviews for the demo partnerships (development only). Every name, event and word here is invented.

`load_demo_reviews()` adds, once, a review at each stage so that every page has something to show:
Northshire's LCSPR in progress under a hold for a criminal trial, with an overdue agency contribution; a
serious case review begun before the system was in use, in quality assurance with one marker not met; a
partnership review signed off and sent to the national recipients; and Glanmor's extended child practice
review being set up, waiting for its two lead reviewers. Everything goes through the services, so the audit
log and the milestones are what real use would produce.
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from casereviews.core.files import check_attachment
from casereviews.frameworks.services import get_framework
from casereviews.partnerships.models import Agency, Partnership, User
from casereviews.reviews import services
from casereviews.reviews.models import Review
from casereviews.reviews.quality import quality_markers

DECLARATION = (
    "I have had no involvement with the child, the family or the agencies in this case, and I do not manage "
    "anyone who did. I will tell the business manager at once if this changes."
)

DEMO_PSEUDONYMS = ("Child A", "Child S", "Child B", "Child D")

DRAFT_ONE = """Local child safeguarding practice review: Child A

1. Introduction
This review considers how agencies worked together with Child A, aged two, and their family between
January and October. It follows the terms of reference agreed by the safeguarding partners.
\f
2. Findings (first draft)
Finding 1: Information about the mother's new partner was held by two agencies but not shared.
Finding 2: Practitioners did not see the child on three planned home visits.
"""

DRAFT_TWO = DRAFT_ONE.replace(
    "Finding 2: Practitioners did not see the child on three planned home visits.",
    "Finding 2: Practitioners did not see the child on three planned home visits, and no escalation followed.\n"
    "Finding 3: The voice of the child was not recorded in health visiting contacts.",
)


def _person(username: str) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        raise LookupError(f"The demo person {username!r} is missing: run load_demo first")
    return user


def _agencies(partnership: Partnership, *words: str) -> list[Agency]:
    return [Agency.objects.get(partnership=partnership, name__icontains=word) for word in words]


def _commission(
    partnership: Partnership,
    manager: User,
    *,
    framework_code: str,
    review_type: str,
    title: str,
    pseudonym: str,
    days_ago: int,
    agencies: list[Agency],
) -> Review:
    return services.review_commission(
        actor=manager,
        partnership=partnership,
        data=services.CommissionInput(
            title=title,
            pseudonym=pseudonym,
            terms_of_reference=(
                f"The review will consider the period of the twelve months before the incident, how the agencies "
                f"involved with {pseudonym} and their family shared information and assessed risk, and what the "
                "partnership should change."
            ),
            commissioned_on=timezone.localdate() - datetime.timedelta(days=days_ago),
            agency_ids=[agency.pk for agency in agencies],
            framework_code=framework_code,
            review_type=review_type,
        ),
    )


def _start(review: Review, manager: User, reviewer: User) -> Review:
    services.reviewer_appoint(
        actor=manager,
        review=review,
        reviewer=reviewer,
        appointed_on=review.commissioned_on + datetime.timedelta(days=14),
        declaration=DECLARATION,
        declared_on=review.commissioned_on + datetime.timedelta(days=12),
    )
    return services.review_start(actor=manager, review=review)


def _receive(review: Review, manager: User, actor: User, agency: Agency, days_ago: int) -> None:
    today = timezone.localdate()
    request = services.contribution_request(
        actor=manager,
        review=review,
        agency=agency,
        requested_on=review.commissioned_on + datetime.timedelta(days=20),
        due_on=review.commissioned_on + datetime.timedelta(days=60),
        what_is_asked="A chronology of the agency's contact with the family and an agency report.",
    )
    chronology = "Date | Contact | Outcome\n01/02 | Home visit | Child not seen\n14/03 | Clinic | Weight recorded\n"
    services.contribution_file_add(
        actor=actor, request=request, kind="chronology", checked=check_attachment("chronology.txt", chronology.encode())
    )
    services.contribution_file_add(
        actor=actor,
        request=request,
        kind="agency_report",
        checked=check_attachment("agency-report.txt", f"Agency report from {agency.name} (invented).".encode()),
    )
    services.contribution_receive(actor=actor, request=request, received_on=today - datetime.timedelta(days=days_ago))


def load_demo_reviews() -> int:
    """Add the demo reviews unless they are already there; returns how many were added."""
    north = Partnership.objects.filter(slug="northshire").first()
    glanmor = Partnership.objects.filter(slug="glanmor").first()
    # Other apps add demo reviews of their own (published ones, for example): look only for these.
    mine = Review.objects.filter(partnership__in=[north, glanmor], pseudonym__in=DEMO_PSEUDONYMS)
    if north is None or glanmor is None or mine.exists():
        return 0
    manager, subgroup, chair, reviewer, agency_lead = (
        _person(name) for name in ("bella", "sam", "charlotte", "lewis", "agnes")
    )
    today = timezone.localdate()
    police, social_care, health, school = _agencies(
        north, "police", "children's social", "health visiting", "education"
    )

    # In progress, on hold for a criminal trial, with one agency's contribution overdue.
    child_a = _commission(
        north,
        manager,
        framework_code="england_2023",
        review_type="lcspr",
        title="Neglect and an unseen adult in the household",
        pseudonym="Child A",
        days_ago=100,
        agencies=[police, social_care, health],
    )
    _start(child_a, manager, reviewer)
    services.panel_member_add(actor=manager, review=child_a, name="Priya Natt", role="Panel chair", agency=social_care)
    services.panel_member_add(actor=manager, review=child_a, name="Tom Achebe", role="Designated nurse", agency=health)
    _receive(child_a, manager, agency_lead, police, days_ago=30)
    services.contribution_request(
        actor=manager,
        review=child_a,
        agency=social_care,
        requested_on=child_a.commissioned_on + datetime.timedelta(days=20),
        due_on=today - datetime.timedelta(days=9),
        what_is_asked="A chronology from the first contact and an agency report on the assessments.",
    )
    services.practitioner_event_record(
        actor=reviewer,
        review=child_a,
        held_on=today - datetime.timedelta(days=21),
        title="Practitioner learning event",
        attendees="Health visitor, social worker, GP, police officer, nursery manager",
        notes="Practitioners described high caseloads and no shared record of the new partner.",
    )
    services.family_involvement_record(
        actor=reviewer,
        review=child_a,
        on=today - datetime.timedelta(days=18),
        family_member="Maternal grandmother",
        outcome="took_part",
        notes="Met at her home; her account is reflected in the analysis.",
    )
    services.family_involvement_record(
        actor=reviewer,
        review=child_a,
        on=today - datetime.timedelta(days=15),
        family_member="Mother",
        outcome="declined",
        declined_reason="Did not wish to take part before the criminal trial.",
    )
    services.hold_start(
        actor=manager,
        review=child_a,
        kind="criminal_trial",
        reason="The CPS asked that the report is not finalised before the trial, listed for the spring.",
        starts_on=today - datetime.timedelta(days=10),
    )
    services.draft_upload(
        actor=reviewer, review=child_a, filename="child-a-draft-1.txt", data=DRAFT_ONE.encode(), note="First draft"
    )
    services.draft_upload(
        actor=reviewer,
        review=child_a,
        filename="child-a-draft-2.txt",
        data=DRAFT_TWO.encode(),
        note="Added the finding on the voice of the child",
    )

    # A serious case review begun before the system was in use, in quality assurance.
    child_s = _commission(
        north,
        manager,
        framework_code="england_2015",
        review_type="scr",
        title="Serious case review begun under the 2015 guidance",
        pseudonym="Child S",
        days_ago=170,
        agencies=[police, school],
    )
    _start(child_s, manager, reviewer)
    draft = services.draft_upload(
        actor=reviewer,
        review=child_s,
        filename="child-s-draft.txt",
        data=DRAFT_TWO.replace("Child A", "Child S").encode(),
    )
    services.draft_submit_for_qa(actor=reviewer, draft=draft)
    for marker in quality_markers().markers[:11]:
        services.marker_record(
            actor=subgroup, review=child_s, marker=marker.number, answer="met", evidence="Seen in the review file."
        )
        services.marker_sign_off(actor=subgroup, review=child_s, marker=marker.number)
    services.marker_record(
        actor=subgroup,
        review=child_s,
        marker=12,
        answer="not_met",
        evidence="The father was not invited to contribute; the reviewer is arranging a meeting.",
    )
    services.draft_comment_add(
        actor=subgroup, draft=draft, page=2, text="Say how the school's concerns were escalated."
    )

    # A partnership review signed off and sent to the national recipients.
    child_b = _commission(
        north,
        manager,
        framework_code="england_2023",
        review_type="partnership_review",
        title="Learning review: a teenager missing from home",
        pseudonym="Child B",
        days_ago=220,
        agencies=[police, social_care],
    )
    _start(child_b, manager, reviewer)
    final = services.draft_upload(
        actor=reviewer,
        review=child_b,
        filename="child-b-final.txt",
        data=b"Learning review: Child B\n\nFindings on missing episodes and return interviews (invented).",
    )
    services.draft_submit_for_qa(actor=reviewer, draft=final)
    for marker in quality_markers().markers:
        services.marker_record(actor=subgroup, review=child_b, marker=marker.number, answer="met", evidence="Agreed.")
        services.marker_sign_off(actor=subgroup, review=child_b, marker=marker.number)
    services.draft_choose_final(actor=chair, draft=final)
    services.review_sign_off(actor=chair, review=child_b)
    services.written_response_record(
        actor=chair,
        review=child_b,
        text="The partners accept the findings. Return interviews will be offered within 72 hours by June.",
        agreed_on=today,
    )
    for recipient in get_framework("england_2023").publication.notice_recipients:
        services.dispatch_record(
            actor=manager, review=child_b, recipient=recipient, sent_on=today, method="Secure e-mail"
        )

    # Glanmor: an extended child practice review waiting for its two reviewers.
    _commission(
        glanmor,
        _person("gareth"),
        framework_code="wales",
        review_type="extended_cpr",
        title="Extended child practice review: a looked-after child",
        pseudonym="Child D",
        days_ago=12,
        agencies=_agencies(glanmor, "police", "children's services"),
    )
    return 4
