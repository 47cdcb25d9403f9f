"""A signed-off review ready for the redaction gate, with an invented report that names its real people.

The scanner's spaCy model loads once per process (it is cached in `extraction.pii`), so the first test that scans
pays for it and the rest do not.
"""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from casereviews.frameworks.services import get_framework
from casereviews.publication.models import FindingDecision, RedactionFinding
from casereviews.publication.services import (
    case_key_save,
    finding_decide,
    redaction_scan_request,
    redaction_scan_run,
    review_publish,
)
from casereviews.reviews.services import dispatch_record, written_response_record
from tests.factories import make_draft, make_review

PAGES = [
    "Local Child Safeguarding Practice Review: Child T\n\n"
    "Child T, whose name is Jayden Marsh, was born on 3 March 2021. He lived with his mother Kerry Marsh at\n"
    "14 Larch Close, Northtown NT3 9QT, and went to Oakfield Primary School.\n",
    "2. Background\n\n"
    "Health visitor HV1 saw Jayden at home in May 2022. Mother said the family was managing.\n\n"
    "Finding 1: Professionals did not share information about the new partner in the household.\n",
    "3. Recommendations\n\n"
    "1. The partnership should check that agencies share information about new adults in a household.\n",
]
DENY = ["Jayden Marsh", "Kerry Marsh", "14 Larch Close", "Oakfield Primary School", "3 March 2021"]
ALLOW = ["Child T", "Mother", "HV1"]
KEPT_TEXT = "Professionals did not share information about the new partner"
SUMMARY = "Child T was seriously harmed at the age of one. The review found that agencies did not share information."


def make_signed_off_review(
    people,
    partnership,
    *,
    pages=PAGES,
    framework_code="england_2023",
    pseudonym="Child T",
    sent_days_ago=30,
    review_type="lcspr",
):
    """A signed-off review whose board response has gone to every notice recipient `sent_days_ago` days ago."""
    review = make_review(
        partnership,
        created_by=people.manager,
        status="signed_off",
        framework_code=framework_code,
        review_type=review_type,
        pseudonym=pseudonym,
    )
    make_draft(review, by=people.reviewer, pages=list(pages), is_final=True)
    sent = timezone.localdate() - datetime.timedelta(days=sent_days_ago)
    written_response_record(
        actor=people.chair, review=review, text="The board accepts every recommendation.", agreed_on=sent
    )
    for recipient in get_framework(framework_code).publication.notice_recipients:
        dispatch_record(actor=people.manager, review=review, recipient=recipient, sent_on=sent, method="Secure email")
    review.refresh_from_db()
    return review


def scan(review, by):
    return redaction_scan_run(redaction_scan_request(actor=by, review=review, queue=False).pk)


def keyed_and_scanned(review, by, *, deny=DENY, allow=ALLOW):
    case_key_save(actor=by, review=review, deny_list=list(deny), allow_list=list(allow))
    return scan(review, by)


def redact_everything(review, by):
    for finding in RedactionFinding.objects.filter(review=review, decision=FindingDecision.PENDING):
        finding_decide(actor=by, finding=finding, decision=FindingDecision.REDACT)


def publish_review(people, review, *, today=None):
    keyed_and_scanned(review, people.manager)
    redact_everything(review, people.manager)
    return review_publish(actor=people.manager, review=review, summary=SUMMARY, today=today)


@pytest.fixture
def review(people, northshire):
    return make_signed_off_review(people, northshire)
