"""The referral pages: who may see and do what, and that the journey works through the forms."""

from __future__ import annotations

import datetime
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from casereviews.core.models import AuditEvent
from casereviews.referrals.models import Attachment, Decision, Referral
from casereviews.referrals.services import (
    assessment_record,
    recommendation_record,
    referral_transition,
)
from tests.factories import make_referral

pytestmark = pytest.mark.django_db


def _date(prefix: str, day: datetime.date) -> dict[str, str]:
    return {f"{prefix}_0": str(day.day), f"{prefix}_1": str(day.month), f"{prefix}_2": str(day.year)}


def referral_form(northshire, **overrides) -> dict:
    data = {
        "submission_key": str(uuid.uuid4()),
        "partnership": str(northshire.pk),
        "child_reference": "NS-7",
        "child_age_years": "3",
        "child_sex": "male",
        "child_disability": "unknown",
        "looked_after": "no",
        "child_protection_plan": "no",
        "harm_outcome": "seriously_harmed",
        "abuse_or_neglect": "suspected",
        "what_happened": "Admitted with a fractured femur; no explanation was offered.",
        "referrer_name": "Rory Referrer",
        "referrer_job_title": "Health visitor",
        "referrer_organisation": "Northshire Community Health",
        "referrer_email": "rory@example.org",
        **_date("incident_date", datetime.date(2025, 5, 6)),
        **_date("aware_on", datetime.date(2025, 5, 7)),
    }
    data.update(overrides)
    return data


@pytest.fixture
def referral(northshire, people):
    return make_referral(northshire, people.referrer)


def test_a_referrer_submits_a_referral_through_the_form_and_sees_its_status(as_, northshire):
    client = as_("referrer")
    response = client.post(reverse("referrals:create"), referral_form(northshire))
    referral = Referral.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("referrals:detail", args=[referral.reference])
    page = client.get(response["Location"])
    assert "Referral received" in page.content.decode()
    assert "Deadlines" not in page.content.decode()


def test_a_double_submitted_form_creates_one_referral_and_says_so(as_, northshire):
    client = as_("referrer")
    data = referral_form(northshire)
    client.post(reverse("referrals:create"), data)
    second = client.post(reverse("referrals:create"), data, follow=True)
    assert Referral.objects.count() == 1
    assert "already submitted" in second.content.decode()


def test_an_incident_after_the_awareness_date_is_refused_and_nothing_is_saved(as_, northshire):
    data = referral_form(northshire, **_date("incident_date", datetime.date(2025, 5, 9)))
    client = as_("referrer")
    audit_before = AuditEvent.objects.count()
    response = client.post(reverse("referrals:create"), data)
    assert response.status_code == 200
    assert "cannot have become aware before the incident" in response.content.decode()
    assert Referral.objects.count() == 0
    assert AuditEvent.objects.count() == audit_before


def test_a_future_incident_date_is_refused(as_, northshire):
    future = datetime.date.today() + datetime.timedelta(days=3)
    data = referral_form(northshire, **_date("incident_date", future), **_date("aware_on", future))
    response = as_("referrer").post(reverse("referrals:create"), data)
    assert "must be today or in the past" in response.content.decode()
    assert Referral.objects.count() == 0


def test_an_attachment_that_is_not_what_its_extension_claims_is_refused_and_nothing_is_saved(as_, northshire):
    fake = SimpleUploadedFile("report.pdf", b"this is not a pdf", content_type="application/pdf")
    response = as_("referrer").post(reverse("referrals:create"), {**referral_form(northshire), "attachments": fake})
    assert "content does not match its name" in response.content.decode()
    assert Referral.objects.count() == 0
    assert Attachment.objects.count() == 0


def test_an_attachment_over_the_size_limit_is_refused(as_, northshire, settings):
    settings.MAX_ATTACHMENT_BYTES = 1024
    big = SimpleUploadedFile("notes.txt", b"a" * 2048, content_type="text/plain")
    response = as_("referrer").post(reverse("referrals:create"), {**referral_form(northshire), "attachments": big})
    assert "the limit is" in response.content.decode()
    assert Referral.objects.count() == 0


def test_a_valid_attachment_is_stored_and_downloadable_only_by_those_who_may_see_the_referral(as_, northshire):
    pdf = SimpleUploadedFile("chronology.pdf", b"%PDF-1.4\n% synthetic\n", content_type="application/pdf")
    as_("referrer").post(reverse("referrals:create"), {**referral_form(northshire), "attachments": pdf})
    attachment = Attachment.objects.get()
    url = reverse("referrals:attachment", args=[attachment.referral.reference, attachment.pk])
    response = as_("manager").get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert as_("other_referrer").get(url).status_code == 404
    assert as_("other_manager").get(url).status_code == 404


@pytest.mark.parametrize(
    "persona", ["other_referrer", "other_manager", "agency_lead", "reviewer", "analyst", "outsider"]
)
def test_people_without_a_part_in_the_case_cannot_see_the_referral(as_, referral, persona):
    response = as_(persona).get(reverse("referrals:detail", args=[referral.reference]))
    assert response.status_code == 404


def test_an_anonymous_visitor_is_sent_to_sign_in(as_, referral):
    response = as_(None).get(reverse("referrals:detail", args=[referral.reference]))
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_the_referrer_sees_the_status_but_not_the_deliberations(as_, referral, people):
    referral_transition(actor=people.manager, referral=referral, transition_id="accept")
    assessment_record(actor=people.subgroup, referral=referral, answers={"abuse_or_neglect": True})
    page = as_("referrer").get(reverse("referrals:detail", args=[referral.reference])).content.decode()
    assert "Rapid review under way" in page
    assert "Criteria assessment" not in page
    assert "Timeline" not in page


def test_viewing_a_referral_is_recorded_in_the_audit_log(as_, referral, people):
    as_("manager").get(reverse("referrals:detail", args=[referral.reference]))
    event = AuditEvent.objects.filter(action="referral.view").get()
    assert event.actor == people.manager
    assert event.partnership == referral.partnership
    assert event.ip_address == "127.0.0.1"


STAFF_PAGES = ["referrals:notification_summary", "referrals:assess", "referrals:recommend", "referrals:decide"]


@pytest.mark.parametrize("page", STAFF_PAGES)
@pytest.mark.parametrize("persona", ["referrer", "agency_lead", "reviewer", "analyst", "other_manager"])
def test_deliberation_pages_refuse_anyone_but_case_staff(as_, referral, page, persona):
    response = as_(persona).get(reverse(page, args=[referral.reference]))
    assert response.status_code in {403, 404}


@pytest.mark.parametrize("page", ["referrals:notify", "referrals:panel_response"])
@pytest.mark.parametrize("persona", ["referrer", "subgroup", "chair", "other_manager"])
def test_only_the_business_manager_records_notifications_and_panel_responses(as_, referral, page, persona):
    response = as_(persona).get(reverse(page, args=[referral.reference]))
    assert response.status_code == 404


@pytest.mark.parametrize("persona", ["referrer", "agency_lead", "reviewer", "analyst", "outsider"])
def test_the_dashboard_and_its_download_refuse_everyone_but_case_staff(as_, referral, persona):
    assert as_(persona).get(reverse("referrals:dashboard")).status_code == 403
    assert as_(persona).get(reverse("referrals:dashboard_csv")).status_code == 403


def test_another_partnerships_manager_sees_only_their_own_cases_on_the_dashboard(as_, referral):
    assert referral.reference not in as_("other_manager").get(reverse("referrals:dashboard")).content.decode()
    assert referral.reference not in as_("other_manager").get(reverse("referrals:dashboard_csv")).content.decode()


@pytest.mark.parametrize("persona", ["referrer", "subgroup", "chair", "analyst", "other_manager"])
def test_the_audit_log_page_is_for_business_managers_only(as_, persona, referral):
    response = as_(persona).get(reverse("core:audit_log"))
    assert response.status_code == 403 if persona != "other_manager" else response.status_code == 200
    if persona == "other_manager":
        assert referral.reference not in response.content.decode()


def test_the_dashboard_lists_open_cases_with_their_next_deadline_and_downloads_as_csv(as_, referral):
    page = as_("manager").get(reverse("referrals:dashboard")).content.decode()
    assert referral.reference in page
    assert "Notify the Panel of the serious incident" in page
    csv = as_("manager").get(reverse("referrals:dashboard_csv") + "?deadline_status=overdue").content.decode()
    lines = csv.strip().splitlines()
    assert lines[0].startswith("Reference,Partnership")
    assert referral.reference in csv  # incident in 2025: the 5-working-day notification is long overdue


def test_a_stale_form_is_refused_with_a_clear_message_and_nothing_is_saved(as_, referral, people):
    referral_transition(actor=people.manager, referral=referral, transition_id="accept")
    assessment_record(actor=people.subgroup, referral=referral, answers={"abuse_or_neglect": True})
    recommendation_record(actor=people.subgroup, referral=referral, option="lcspr", rationale="Recurrent themes")
    referral.refresh_from_db()
    stale_version = referral.version
    first = as_("chair").post(
        reverse("referrals:decide", args=[referral.reference]),
        {"version": stale_version, "option": "lcspr", "rationale": "Agreed"},
    )
    assert first.status_code == 302
    second = as_("second_chair").post(
        reverse("referrals:decide", args=[referral.reference]),
        {"version": stale_version, "option": "no_review", "rationale": "No", "differs_reason": "Disagree"},
    )
    assert second.status_code == 200
    assert "changed" in second.content.decode() and "Nothing you entered has been saved" in second.content.decode()
    assert Decision.objects.get().option == "lcspr"


def test_a_decision_that_differs_from_the_recommendation_needs_a_reason(as_, referral, people):
    referral_transition(actor=people.manager, referral=referral, transition_id="accept")
    assessment_record(actor=people.subgroup, referral=referral, answers={"abuse_or_neglect": True})
    recommendation_record(actor=people.subgroup, referral=referral, option="lcspr", rationale="Recurrent themes")
    referral.refresh_from_db()
    response = as_("chair").post(
        reverse("referrals:decide", args=[referral.reference]),
        {"version": referral.version, "option": "no_review", "rationale": "No"},
    )
    assert "differs from the recommendation" in response.content.decode()
    assert not Decision.objects.exists()


def test_a_step_the_framework_does_not_allow_is_refused_with_a_message(as_, referral):
    response = as_("manager").post(
        reverse("referrals:transition", args=[referral.reference, "close"]), {"version": referral.version}
    )
    assert response.status_code == 200
    assert "You cannot close the case now" in response.content.decode()


def test_staff_without_a_second_factor_are_sent_to_set_one_up(people, client):
    client.force_login(people.manager)
    response = client.get(reverse("referrals:list"))
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")


def test_a_referrer_needs_no_second_factor(people, client):
    client.force_login(people.referrer)
    assert client.get(reverse("referrals:list")).status_code == 200
