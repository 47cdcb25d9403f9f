"""The journey after the chair's decision, in headless Chromium, each page checked with axe-core for WCAG 2.2 AA
and for anything the Content Security Policy blocks: the review is set up from the referral, drafted, quality
assured, signed off and sent; the report is redacted and published; and one action of its plan is completed with
evidence and accepted. Skipped, like the referral journey, where Chromium is not installed.

The referral and the chair's decision are built through the referrals services: `test_referral_journey` already
takes them through the browser.
"""

from __future__ import annotations

import datetime
import re
import time
from importlib import import_module

import pypdfium2
import pytest
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import expect

from casereviews.actions.models import Action, ActionStatus
from casereviews.core.auth import SIGNED_IN_AT_SESSION_KEY
from casereviews.partnerships.models import Membership, Role
from casereviews.publication.models import FindingDecision, Publication, RedactionFinding, RedactionScan
from casereviews.publication.services import redaction_scan_run
from casereviews.reviews import services as review_services
from casereviews.reviews.models import Review, ReviewStatus
from casereviews.reviews.quality import quality_markers
from tests.browser.test_referral_journey import (
    assert_accessible,
    current_code,
    fill_date,
    sign_in,
    watch_for_policy_violations,
    with_second_factor,
)
from tests.browser.test_referral_journey import browser as browser  # the shared fixture
from tests.reviews.steps import decided_referral

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# An invented report: every name, the address and the date of birth are made up for this test.
DRAFT = (
    "Local Child Safeguarding Practice Review: Child M\n\n"
    "Child M, whose name is Maisie Hartwell, was born on 12 June 2020. She lived with her mother Donna Hartwell\n"
    "and her mother's partner Callum Reeve at 27 Rowan Terrace, Eastfield EF4 2LP.\n"
    "\f"
    "2. Background\n\n"
    "Health visitor HV1 saw Maisie at home in May 2022. Mother said the family was managing.\n"
    "The police domestic abuse unit had been called to the house twice.\n\n"
    "Finding 1: Agencies did not share what they knew about the new partner in the household.\n"
    "\f"
    "3. Recommendations\n\n"
    "1. The partnership should check that agencies share information about new adults in a household.\n"
)
REAL_DETAILS = ["Maisie Hartwell", "Donna Hartwell", "Callum Reeve", "27 Rowan Terrace", "12 June 2020"]
SUMMARY = "Child M was seriously harmed at the age of two. Agencies did not share what they knew about a new adult."


def days_ago(days: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=days)


def forget_recent_sign_in(page) -> None:  # type: ignore[no-untyped-def]
    """Move the page's sign-in back past ACCOUNT_REAUTHENTICATION_TIMEOUT, as if the journey had taken that long."""
    [key] = [cookie["value"] for cookie in page.context.cookies() if cookie["name"] == settings.SESSION_COOKIE_NAME]
    session = import_module(settings.SESSION_ENGINE).SessionStore(session_key=key)
    session[SIGNED_IN_AT_SESSION_KEY] = time.time() - settings.ACCOUNT_REAUTHENTICATION_TIMEOUT - 1
    session.save()


def wait_for_message(page, text: str | re.Pattern[str]) -> None:  # type: ignore[no-untyped-def]
    """The success banner of the page a form leads to: waiting for it waits for the form to be saved."""
    expect(page.locator(".govuk-notification-banner")).to_contain_text(text)


def test_a_review_goes_from_the_chairs_decision_to_publication_and_an_evidenced_action(
    browser, live_server, people, northshire
):
    referral = decided_referral(northshire, people, option="lcspr")
    led_agency = Membership.objects.get(user=people.agency_lead, role=Role.AGENCY_LEAD).agency
    assert led_agency is not None

    # 1. The business manager sets up the review from the referral, appoints the lead reviewer and starts it.
    manager_secret = with_second_factor(people.manager)
    manager = sign_in(browser, live_server, people.manager, manager_secret)
    manager.goto(f"{live_server.url}/referrals/{referral.reference}/")
    assert_accessible(manager)
    manager.get_by_role("link", name="Set up the review").click()
    assert_accessible(manager)
    manager.get_by_role("button", name="Set up the review").click()
    expect(manager.get_by_role("alert")).to_be_visible()
    assert_accessible(manager)
    manager.get_by_label("Title of the review").fill("Learning review: Child M")
    manager.get_by_label("Pseudonym for the published report").fill("Child M")
    agencies = manager.get_by_role("group", name="Agencies involved")
    agencies.get_by_label("Police", exact=True).check()
    agencies.get_by_label(led_agency.name, exact=True).check()
    manager.get_by_label("Terms of reference").fill(
        "The year before the incident; how the agencies shared what they knew."
    )
    manager.get_by_role("button", name="Set up the review").click()
    manager.wait_for_url(re.compile(r".*/reviews/(?!new/)[^/]+/$"))
    review = Review.objects.get(referral=referral)
    expect(manager.locator("#review-status")).to_have_text(ReviewStatus.SET_UP.label)
    assert_accessible(manager)

    manager.get_by_role("link", name="Appoint a lead reviewer").click()
    assert_accessible(manager)
    manager.get_by_label("Lead reviewer").select_option(label=people.reviewer.display_name)
    manager.get_by_label("Declaration of independence").fill(
        "I have had no involvement with the child, the family or the agencies, and manage nobody involved."
    )
    manager.get_by_role("button", name="Appoint").click()
    wait_for_message(manager, "The lead reviewer is appointed.")
    expect(manager.locator("#reviewers strong")).to_have_text(people.reviewer.display_name)
    manager.get_by_role("link", name="Start the review").click()
    assert_accessible(manager)
    manager.get_by_role("button", name="Start the review").click()
    wait_for_message(manager, "The review is in progress.")
    expect(manager.locator("#review-status")).to_have_text(ReviewStatus.IN_PROGRESS.label)
    assert_accessible(manager)

    # 2. The lead reviewer uploads a draft and submits it for quality assurance.
    reviewer = sign_in(browser, live_server, people.reviewer, with_second_factor(people.reviewer))
    reviewer.get_by_role("link", name="Reviews", exact=True).click()
    assert_accessible(reviewer)
    reviewer.get_by_role("link", name=review.reference).click()
    reviewer.get_by_role("link", name="Upload a draft").click()
    assert_accessible(reviewer)
    reviewer.get_by_label("Upload the draft").set_input_files(
        files=[{"name": "child-m-draft.txt", "mimeType": "text/plain", "buffer": DRAFT.encode()}]
    )
    reviewer.get_by_label("What changed in this version (optional)").fill("The first full draft.")
    reviewer.get_by_role("button", name="Upload", exact=True).click()
    wait_for_message(reviewer, "The draft is uploaded and read.")
    reviewer.locator("#draft-list").get_by_role("link", name="Draft 1").click()
    expect(reviewer.get_by_role("heading", name="Page 3")).to_be_visible()
    assert_accessible(reviewer)
    reviewer.get_by_role("link", name="Submit for quality assurance").click()
    assert_accessible(reviewer)
    reviewer.get_by_role("button", name="Submit for quality assurance").click()
    wait_for_message(reviewer, "The draft is with the sub-group for quality assurance.")
    expect(reviewer.locator("#review-status")).to_have_text(ReviewStatus.QUALITY_ASSURANCE.label)

    # 3. A sub-group member answers and signs off the first quality marker in the browser.
    subgroup = sign_in(browser, live_server, people.subgroup, with_second_factor(people.subgroup))
    subgroup.goto(f"{live_server.url}/reviews/{review.reference}/")
    subgroup.get_by_role("link", name="Quality markers").click()
    assert_accessible(subgroup)
    first, *others = quality_markers().markers
    subgroup.get_by_role("link", name=f"{first.number}. {first.title}").click()
    assert_accessible(subgroup)
    subgroup.get_by_role("button", name="Save", exact=True).click()
    expect(subgroup.get_by_role("alert")).to_be_visible()
    assert_accessible(subgroup)
    subgroup.get_by_role("group", name="Is the marker met?").get_by_label("Met", exact=True).check()
    subgroup.get_by_label("Evidence").fill("The terms of reference and the panel's minutes of its first meeting.")
    subgroup.get_by_role("button", name="Save", exact=True).click()
    wait_for_message(subgroup, f"Quality marker {first.number} is recorded.")
    subgroup.get_by_role("link", name=f"{first.number}. {first.title}").click()
    subgroup.get_by_role("button", name=f"Sign off marker {first.number}").click()
    wait_for_message(subgroup, f"Quality marker {first.number} is signed off.")
    assert_accessible(subgroup)
    # The other 17 markers are the same form 17 times: minutes of browser time and no more coverage.
    for marker in others:
        review_services.marker_record(
            actor=people.subgroup, review=review, marker=marker.number, answer="met", evidence="Seen in the draft."
        )
        review_services.marker_sign_off(actor=people.subgroup, review=review, marker=marker.number)
    subgroup.reload()
    assert "0 not signed off" in subgroup.locator("#qa-summary").inner_text().replace("\n", " ")

    # 4. The chair chooses the final draft and signs the review off.
    chair = sign_in(browser, live_server, people.chair, with_second_factor(people.chair))
    chair.goto(f"{live_server.url}/reviews/{review.reference}/drafts/1/")
    chair.get_by_role("link", name="Choose as the final report").click()
    assert_accessible(chair)
    chair.get_by_role("button", name="Choose as final").click()
    wait_for_message(chair, "Draft 1 is the final report.")
    chair.get_by_role("link", name="Sign off the review").click()
    assert_accessible(chair)
    chair.get_by_role("button", name="Sign off", exact=True).click()
    wait_for_message(chair, "The review is signed off.")
    expect(chair.locator("#review-status")).to_have_text(ReviewStatus.SIGNED_OFF.label)
    assert_accessible(chair)

    # Time passes. A dispatch cannot be dated before the sign-off (reviews.services.dispatch_record) and publication
    # waits 7 working days after the last one (england_2023), so a sign-off dated today could not be published
    # today: the sign-off is moved a month back, as if the chair had signed off then.
    Review.objects.filter(pk=review.pk).update(completed_on=days_ago(30))

    # The business manager records the board's written response and the sending to each recipient.
    manager.goto(f"{live_server.url}/reviews/{review.reference}/")
    manager.get_by_role("link", name="Record the board's written response").click()
    assert_accessible(manager)
    manager.get_by_label("The board's written response").fill("The board accepts both recommendations.")
    fill_date(manager, "Date the board agreed it", days_ago(25))
    manager.get_by_role("button", name="Save the response").click()
    wait_for_message(manager, "The board's written response is recorded.")
    for recipient in ("The Child Safeguarding Practice Review Panel", "The Secretary of State for Education"):
        manager.get_by_role("link", name="Record sending the report").click()
        manager.get_by_role("group", name="Sent to").get_by_label(recipient, exact=True).check()
        fill_date(manager, "Date sent", days_ago(20))
        manager.get_by_label("How was it sent?").fill("Secure email")
        assert_accessible(manager)
        manager.get_by_role("button", name="Save", exact=True).click()
        wait_for_message(manager, "The dispatch is recorded.")
    expect(manager.locator("#ready")).to_be_visible()
    assert_accessible(manager)

    # 5. The case key, the scan, the decisions on what it found, and publication.
    manager.get_by_role("link", name="Go to publication").click()
    assert_accessible(manager)
    manager.get_by_role("link", name="Record the case key").click()
    assert_accessible(manager)
    manager.get_by_label("Real names and details to find and redact").fill("\n".join(REAL_DETAILS))
    manager.get_by_role("button", name="Save case key").click()
    wait_for_message(manager, "Case key saved.")
    manager.get_by_role("button", name="Scan the final draft").click()
    expect(manager.get_by_role("link", name="Refresh this page")).to_be_visible()
    redaction_scan_run(RedactionScan.objects.get(review=review).pk)  # the task worker's job
    # library.js polls the scan's status and reloads the page when it has finished.
    expect(manager.locator("#findings")).to_be_visible(timeout=15_000)
    assert_accessible(manager)

    findings = manager.locator("#findings tbody tr")
    findings.filter(has=manager.locator("mark", has_text="Maisie Hartwell")).get_by_role("link").click()
    assert_accessible(manager)
    manager.get_by_label("Redact it").check()
    manager.get_by_label("Label to print instead (optional)").fill("[the child's name]")
    manager.get_by_role("button", name="Save decision").click()
    wait_for_message(manager, "Decision saved.")
    findings.filter(has=manager.locator("mark", has_text="May 2022")).get_by_role("link").click()
    manager.get_by_label("Keep it").check()
    manager.get_by_role("button", name="Save decision").click()
    expect(manager.get_by_role("alert")).to_contain_text("Say why this is kept")
    assert_accessible(manager)
    manager.get_by_label("Reason").fill("A month of a home visit: it identifies nobody")
    manager.get_by_role("button", name="Save decision").click()
    wait_for_message(manager, "Decision saved.")
    # Everything else the scan found (the other names, the address, the postcode, the town) is redacted.
    while manager.get_by_role("link", name="Decide all findings of one type").count():
        manager.get_by_role("link", name="Decide all findings of one type").click()
        assert_accessible(manager)
        manager.get_by_label("Which findings?").select_option(index=0)
        manager.get_by_label("Redact them all").check()
        manager.get_by_role("button", name="Save decisions").click()
        wait_for_message(manager, re.compile(r"Decided \d+ findings?\."))
    expect(manager.locator("#gate-ready")).to_be_visible()
    assert_accessible(manager)
    assert not RedactionFinding.objects.filter(review=review, decision=FindingDecision.PENDING).exists()
    kept = RedactionFinding.objects.get(review=review, decision=FindingDecision.KEEP)
    assert kept.text == "May 2022" and kept.decided_by == people.manager

    manager.get_by_role("link", name="Publish", exact=True).click()
    assert_accessible(manager)
    manager.get_by_label("Summary for the public page").fill(SUMMARY)
    # Publishing cannot be undone, so unless the manager signed in a few minutes ago they confirm with their code
    # (ADR 0012); what they typed is kept and the review is published once they have.
    forget_recent_sign_in(manager)
    manager.get_by_role("button", name="Publish", exact=True).click()
    manager.wait_for_url("**/2fa/reauthenticate/**")
    assert not Publication.objects.filter(review=review).exists()
    assert_accessible(manager)
    manager.get_by_label("Code from your authenticator app").fill(current_code(manager_secret))
    manager.get_by_role("button", name="Confirm").click()
    manager.wait_for_url(f"{live_server.url}/published/**")
    publication = Publication.objects.get(review=review)
    manager.wait_for_url(f"{live_server.url}/published/{publication.slug}/")
    assert_accessible(manager)

    public = browser.new_context(accept_downloads=True).new_page()
    watch_for_policy_violations(public)
    public.goto(f"{live_server.url}/published/")
    public.get_by_role("link", name="Child M").click()
    expect(public.get_by_role("heading", name="Child M", level=1)).to_be_visible()
    assert_accessible(public)
    assert not [detail for detail in (*REAL_DETAILS, "Hartwell") if detail in public.content()]
    with public.expect_download() as download:
        public.locator("#report-download").click()
    document = pypdfium2.PdfDocument(download.value.path())
    text = " ".join(page.get_textpage().get_text_range() for page in document)
    document.close()
    text = " ".join(text.split())
    assert "Child M" in text and "[the child's name]" in text and "May 2022" in text
    assert not [detail for detail in (*REAL_DETAILS, "Maisie", "Hartwell", "EF4 2LP") if detail in text]

    # 6. The action plan: a finding, its recommendation, and an action for the agency lead's agency.
    manager.goto(f"{live_server.url}/reviews/{review.reference}/")
    expect(manager.locator("#review-status")).to_have_text(ReviewStatus.PUBLISHED.label)
    manager.get_by_role("link", name="Findings and action plan").click()
    assert_accessible(manager)
    manager.get_by_role("link", name="Add a finding").click()
    assert_accessible(manager)
    manager.get_by_label("Finding", exact=True).fill("Agencies did not share what they knew about the new partner.")
    manager.get_by_role("button", name="Save finding").click()
    wait_for_message(manager, "Finding saved.")
    manager.get_by_role("link", name="Add a recommendation").click()
    assert_accessible(manager)
    manager.get_by_label("Recommendation", exact=True).fill(
        "Agencies should share what they know about new adults in a household."
    )
    manager.get_by_label("Which finding does it answer?").select_option(index=1)
    manager.get_by_label("To whom is it made?").select_option(label=led_agency.name)
    manager.get_by_role("button", name="Save recommendation").click()
    wait_for_message(manager, "Recommendation saved.")
    manager.get_by_role("link", name="Add an action to recommendation 1").click()
    assert_accessible(manager)
    manager.get_by_label("What will be done").fill("Add a question about new adults to every home visit record.")
    manager.get_by_label("Owner agency").select_option(label=led_agency.name)
    manager.get_by_label("Lead person").fill("Agnes, safeguarding lead")
    manager.get_by_label("The lead's account (optional)").select_option(label=people.agency_lead.display_name)
    fill_date(manager, "Due date", timezone.localdate() + datetime.timedelta(days=90))
    manager.get_by_label("What is expected to change").fill("Practitioners ask about new adults at every visit.")
    manager.get_by_label("How success will be measured").fill("An audit of 20 records shows the question asked.")
    manager.get_by_role("button", name="Save action").click()
    wait_for_message(manager, "Action added to the plan.")
    action = Action.objects.get(recommendation__review=review)
    assert_accessible(manager)

    # The agency lead reports the action completed, with an evidence file.
    lead = sign_in(browser, live_server, people.agency_lead, with_second_factor(people.agency_lead))
    lead.get_by_role("link", name="Your agency's actions").click()
    assert_accessible(lead)
    lead.get_by_role("link", name=f"Action {action.label}").click()
    assert_accessible(lead)
    lead.get_by_role("link", name="Report progress").click()
    assert_accessible(lead)
    lead.get_by_role("group", name="How is the action going?").get_by_label("Completed", exact=True).check()
    lead.get_by_label("What has happened since the last update").fill("The question is on the visit record.")
    lead.get_by_label("Evidence", exact=True).fill("The audit of 20 records in March: the question was asked in 19.")
    lead.get_by_label("Attach evidence (optional)").set_input_files(
        files=[{"name": "audit.txt", "mimeType": "text/plain", "buffer": b"Audit of 20 records: 19 asked.\n"}]
    )
    lead.get_by_role("button", name="Post update").click()
    wait_for_message(lead, "Progress update posted.")
    expect(lead.locator("#action-status")).to_have_text(ActionStatus.COMPLETE.label)
    expect(lead.get_by_role("link", name="audit.txt")).to_be_visible()
    assert_accessible(lead)

    # The business manager accepts the evidence: the action is evidenced.
    manager.goto(f"{live_server.url}/actions/{action.pk}/")
    manager.get_by_role("link", name="Accept the evidence").click()
    expect(manager.get_by_role("link", name="audit.txt")).to_be_visible()
    assert_accessible(manager)
    manager.get_by_label("Note (optional)").fill("The audit shows the change.")
    manager.get_by_role("button", name="Accept the evidence").click()
    wait_for_message(manager, f"Evidence accepted: action {action.label} is evidenced.")
    expect(manager.locator("#action-status")).to_have_text("Evidenced")
    assert_accessible(manager)
    action.refresh_from_db()
    assert action.evidence_accepted_by == people.manager
