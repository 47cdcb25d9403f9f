"""Demo publication: an invented review taken through the redaction gate and published, end to end.

Everything here is invented: the child, the family, the addresses and the school do not exist. The review is
published through the real services (case key, scan, a decision on every finding, publishing, the library), so the
demo shows real findings, a real redacted PDF and real audit entries. A second invented review was published long
enough ago that its window has closed, so the request form can be tried. Running it again changes nothing.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from casereviews.frameworks.services import get_framework
from casereviews.partnerships.models import Partnership, Role, User
from casereviews.publication.models import FindingDecision, Publication, RedactionFinding
from casereviews.publication.schedules import close_publication_windows
from casereviews.publication.services import (
    case_key_save,
    finding_decide,
    manual_redaction_add,
    publication_to_library,
    redaction_leaks,
    redaction_scan_request,
    redaction_scan_run,
    review_publish,
)
from casereviews.reviews.models import DraftVersion, Review, ReviewStatus
from casereviews.reviews.services import dispatch_record, next_review_reference, written_response_record

# Findings of these types name or locate someone: the demo redacts them with a label saying what was there.
REDACT_LABELS = {
    "KNOWN_NAME": "[name]",
    "PERSON": "[name]",
    "NHS_NUMBER": "[NHS number]",
    "NI_NUMBER": "[NI number]",
    "EMAIL": "[email]",
    "PHONE": "[phone]",
    "REFERENCE": "[reference]",
    "POSTCODE": "[postcode]",
    "DATE_OF_BIRTH": "[date of birth]",
    "SCHOOL": "[school]",
    "ADDRESS": "[address]",
}

DEMO_REVIEWS: list[dict[str, Any]] = [
    {
        "pseudonym": "Child Q",
        "framework_code": "england_2023",
        "review_type": "lcspr",
        "commissioned_on": datetime.date(2025, 1, 6),
        "completed_on": datetime.date(2025, 8, 29),
        "published_on": None,  # today
        "deny": ["Mia Hollis", "Dean Hollis", "Carl Pryor", "7 Ashby Row", "Fernhill Nursery", "19 June 2022"],
        "allow": ["Child Q", "Mother", "Father", "Mother's partner", "SW1", "HV2"],
        "pages": [
            "Local Child Safeguarding Practice Review: Child Q\n\n"
            "1. Introduction\n\n"
            "This review concerns Child Q, a girl aged two, who was seriously injured at home in October 2024.\n"
            "Child Q (Mia Hollis, born 19 June 2022) lived with Mother and Mother's partner, Carl Pryor, at\n"
            "7 Ashby Row, Northtown NT4 2PL. She attended Fernhill Nursery three mornings a week.\n",
            "2. What happened\n\n"
            "Health visitor HV2 saw Child Q in July 2024 and noted bruising, which Mother explained as a fall. The\n"
            "nursery recorded two further marks in September. Social worker SW1 was not told of either.\n\n"
            "Father, Dean Hollis, raised concerns about Carl with the police in August 2024.\n",
            "3. Findings\n\n"
            "Finding 1: Information about injuries to a non-mobile child was held by three agencies and not shared.\n"
            "Finding 2: Professionals did not ask who the adults in the household were.\n\n"
            "4. Recommendations\n\n"
            "1. The partnership should ensure that every agency follows the bruising protocol for young children.\n"
            "2. Agencies should record and share who lives in the household at every contact.\n",
        ],
        "summary": (
            "Child Q, a girl aged two, was seriously injured at home. The review found that agencies held "
            "information about earlier injuries but did not share it, and that nobody asked who the adults in the "
            "household were."
        ),
    },
    {
        "pseudonym": "Child P",
        "framework_code": "england_2015",
        "review_type": "scr",
        "commissioned_on": datetime.date(2022, 5, 9),
        "completed_on": datetime.date(2023, 1, 16),
        "published_on": datetime.date(2023, 3, 1),
        "deny": ["Tyler Brook", "Jade Brook", "22 Quarry Lane", "Westfield Academy"],
        "allow": ["Child P", "Mother", "Sibling"],
        "pages": [
            "Serious Case Review: Child P\n\n"
            "Child P (Tyler Brook) was fifteen when he died. He lived with Mother, Jade Brook, at 22 Quarry Lane,\n"
            "Northtown, and attended Westfield Academy until he was excluded.\n",
            "Findings\n\n"
            "Finding 1: Missing episodes were treated as separate events rather than as a pattern of exploitation.\n\n"
            "Recommendations\n\n"
            "1. Agencies should share every missing episode with the exploitation hub.\n",
        ],
        "summary": (
            "Child P, a boy of fifteen, died after a period of criminal exploitation. The review found that his "
            "missing episodes were not seen as a pattern."
        ),
    },
]


def _decide_all(review: Review, manager: User) -> None:
    for finding in RedactionFinding.objects.filter(review=review, decision=FindingDecision.PENDING):
        label = REDACT_LABELS.get(finding.type)
        if label is not None or finding.score >= 0.65:
            finding_decide(actor=manager, finding=finding, decision=FindingDecision.REDACT, replacement=label or "")
        else:
            finding_decide(
                actor=manager,
                finding=finding,
                decision=FindingDecision.KEEP,
                reason=f"Checked: this {finding.type.lower()} does not identify the child or the family",
            )
    draft = review.drafts.get(is_final=True)
    for leak in redaction_leaks(draft):
        manual_redaction_add(actor=manager, review=review, text=leak.text, page=leak.page, replacement="[name]")


def _publish_one(partnership: Partnership, manager: User, chair: User, spec: dict[str, Any]) -> Publication:
    existing = Review.objects.filter(partnership=partnership, pseudonym=spec["pseudonym"], title__startswith="Demo")
    review = existing.first()
    if review is not None and hasattr(review, "publication"):
        return review.publication
    if review is None:
        review = Review.objects.create(
            reference=next_review_reference(partnership, spec["commissioned_on"].year),
            partnership=partnership,
            framework_code=spec["framework_code"],
            review_type=spec["review_type"],
            title=f"Demo review: {spec['pseudonym']}",
            pseudonym=spec["pseudonym"],
            status=ReviewStatus.SIGNED_OFF,
            commissioned_on=spec["commissioned_on"],
            completed_on=spec["completed_on"],
            created_by=manager,
        )
        pages: list[str] = spec["pages"]
        DraftVersion.objects.create(
            review=review,
            number=1,
            filename="final-report.txt",
            media_type="text/plain",
            size=sum(len(page) for page in pages),
            sha256=f"{review.pk:064d}",
            pages=pages,
            is_final=True,
            uploaded_by=manager,
        )
        sent = spec["completed_on"] + datetime.timedelta(days=14)
        written_response_record(
            actor=chair, review=review, text="The board accepts every recommendation.", agreed_on=sent
        )
        for recipient in get_framework(review.framework_code).publication.notice_recipients:
            dispatch_record(actor=manager, review=review, recipient=recipient, sent_on=sent, method="Secure email")
        case_key_save(actor=manager, review=review, deny_list=spec["deny"], allow_list=spec["allow"])
    scan = redaction_scan_run(redaction_scan_request(actor=manager, review=review, queue=False).pk)
    if scan is None:
        raise RuntimeError("the demo scan disappeared")
    _decide_all(review, manager)
    publication = review_publish(
        actor=manager, review=review, summary=spec["summary"], today=spec["published_on"] or timezone.localdate()
    )
    publication_to_library(publication.pk)
    return publication


def publication_demo_load(*, partnership_slug: str = "northshire") -> list[Publication]:
    """Publish the demo reviews in the demo partnership (made by `load_demo`) and close any window already past."""
    partnership = Partnership.objects.get(slug=partnership_slug)
    manager = User.objects.filter(memberships__partnership=partnership, memberships__role=Role.BUSINESS_MANAGER).first()
    if manager is None:
        raise LookupError(f"{partnership} has no business manager to publish the demo reviews")
    chair = User.objects.filter(memberships__partnership=partnership, memberships__role=Role.CHAIR).first() or manager
    published = [_publish_one(partnership, manager, chair, spec).pk for spec in DEMO_REVIEWS]
    close_publication_windows(timezone.localdate())
    return [Publication.objects.select_related("review", "library_report").get(pk=pk) for pk in published]
