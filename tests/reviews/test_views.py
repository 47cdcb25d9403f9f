"""The review pages: who may see and do what, and the journey through the forms."""

from __future__ import annotations

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from casereviews.core.models import AuditEvent
from casereviews.partnerships.models import Agency, Role
from casereviews.reviews import services
from casereviews.reviews.models import (
    ContributionFile,
    DraftVersion,
    Hold,
    MarkerAssessment,
    Review,
    ReviewStatus,
)
from tests.conftest import signed_in
from tests.factories import make_person
from tests.reviews.steps import commission, decided_referral, fresh, sign_all_markers, to_qa

pytestmark = pytest.mark.django_db

NOT_IN_THE_REVIEW = ["agency_lead", "referrer", "analyst", "other_manager", "outsider"]


def _date(prefix: str, day: datetime.date) -> dict[str, str]:
    return {f"{prefix}_0": str(day.day), f"{prefix}_1": str(day.month), f"{prefix}_2": str(day.year)}


@pytest.fixture
def review(northshire, people):
    """A review in quality assurance with lewis appointed, one draft, a hold and a request to the police."""
    review = commission(northshire, people.manager)
    services.contribution_request(
        actor=people.manager,
        review=review,
        agency=Agency.objects.get(partnership=northshire, name="Police"),
        due_on=timezone.localdate() + datetime.timedelta(days=10),
        what_is_asked="Chronology and report.",
    )
    to_qa(review, people)
    services.hold_start(
        actor=people.manager, review=review, kind="inquest", reason="Inquest opened", starts_on=timezone.localdate()
    )
    return fresh(review)


@pytest.fixture
def new_review(northshire, people):
    return commission(northshire, people.manager, title="A second review", pseudonym="Child R")


# Each page, the personas who may open it (GET), and who among the review's own people may not (403).
PAGES = {
    "detail": ({"manager", "subgroup", "chair", "reviewer"}, set()),
    "terms_history": ({"manager", "subgroup", "chair", "reviewer"}, set()),
    "qa": ({"manager", "subgroup", "chair", "reviewer"}, set()),
    "draft": ({"manager", "subgroup", "chair", "reviewer"}, set()),
    "draft_download": ({"manager", "subgroup", "chair", "reviewer"}, set()),
    "marker": ({"manager", "subgroup", "chair", "reviewer"}, set()),
    "terms": ({"manager"}, {"subgroup", "chair", "reviewer"}),
    "appoint": ({"manager"}, {"subgroup", "chair", "reviewer"}),
    "panel_add": ({"manager"}, {"subgroup", "chair", "reviewer"}),
    "start": ({"manager"}, {"subgroup", "chair", "reviewer"}),
    "contribution_request": ({"manager"}, {"subgroup", "chair", "reviewer"}),
    "hold_add": ({"manager"}, {"subgroup", "chair", "reviewer"}),
    "dispatch_add": ({"manager"}, {"subgroup", "chair", "reviewer"}),
    "draft_upload": ({"manager", "reviewer"}, {"subgroup", "chair"}),
    "practitioner_event_add": ({"manager", "reviewer"}, {"subgroup", "chair"}),
    "family_add": ({"manager", "reviewer"}, {"subgroup", "chair"}),
    "draft_submit": ({"manager", "reviewer"}, {"subgroup", "chair"}),
    "qa_return": ({"manager", "subgroup"}, {"chair", "reviewer"}),
    "sign_off": ({"chair"}, {"manager", "subgroup", "reviewer"}),
    "draft_final": ({"chair"}, {"manager", "subgroup", "reviewer"}),
    "response": ({"manager", "chair"}, {"subgroup", "reviewer"}),
    "non_publication": ({"manager", "chair"}, {"subgroup", "reviewer"}),
    "not_publish": ({"manager", "chair"}, {"subgroup", "reviewer"}),
    "non_publication_withdraw": ({"manager", "chair"}, {"subgroup", "reviewer"}),
}


def page_url(name: str, review: Review) -> str:
    if name in {"draft", "draft_download", "draft_submit", "draft_final"}:
        return reverse(f"reviews:{name}", args=[review.reference, 1])
    if name == "marker":
        return reverse("reviews:marker", args=[review.reference, 1])
    return reverse(f"reviews:{name}", args=[review.reference])


@pytest.mark.parametrize("name", list(PAGES))
def test_each_page_opens_only_for_the_people_who_may_use_it(name, review, as_):
    allowed, refused = PAGES[name]
    url = page_url(name, review)
    for persona in allowed:
        assert as_(persona).get(url).status_code == 200, persona
    for persona in refused:
        assert as_(persona).get(url).status_code == 403, persona
    for persona in NOT_IN_THE_REVIEW:
        assert as_(persona).get(url).status_code == 404, persona
    anonymous = as_(None).get(url)
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]


@pytest.mark.parametrize("name", [n for n, (_, refused) in PAGES.items() if refused])
def test_a_refused_post_changes_nothing(name, review, as_):
    _allowed, refused = PAGES[name]
    url = page_url(name, review)
    before = (
        fresh(review).version,
        fresh(review).status,
        AuditEvent.objects.filter(action__startswith="review.").exclude(action="review.view").count(),
    )
    for persona in sorted(refused) + NOT_IN_THE_REVIEW:
        response = as_(persona).post(url, {"version": review.version, "text": "x", "reasons": "x"})
        assert response.status_code in {403, 404}, persona
    after = (
        fresh(review).version,
        fresh(review).status,
        AuditEvent.objects.filter(action__startswith="review.").exclude(action="review.view").count(),
    )
    assert after == before


def test_a_lead_reviewer_not_appointed_to_the_review_cannot_see_it(review, northshire):
    stranger = signed_in(make_person("vera", Role.LEAD_REVIEWER, northshire))
    assert stranger.get(reverse("reviews:detail", args=[review.reference])).status_code == 404
    assert review.reference not in stranger.get(reverse("reviews:dashboard")).content.decode()


def test_every_view_of_a_review_is_audited(review, as_, people):
    as_("subgroup").get(reverse("reviews:detail", args=[review.reference]))
    as_("subgroup").get(reverse("reviews:draft", args=[review.reference, 1]))
    views = AuditEvent.objects.filter(action="review.view", actor=people.subgroup)
    assert [e.summary for e in views.order_by("sequence")] == [
        f"Viewed the page of review {review.reference}",
        f"Viewed draft 1 of review {review.reference}",
    ]


# -- the dashboard --------------------------------------------------------------------------------------------------


def test_the_dashboard_shows_the_hold_and_the_target_to_case_staff(review, as_):
    page = as_("chair").get(reverse("reviews:dashboard")).content.decode()
    assert review.reference in page
    assert "On hold: inquest" in page
    assert f"{review.target_completion_on:%-d %b %Y}" in page


@pytest.mark.parametrize("persona", ["referrer", "analyst", "outsider"])
def test_people_with_no_part_in_reviews_cannot_open_the_dashboard(persona, review, as_):
    assert as_(persona).get(reverse("reviews:dashboard")).status_code == 403


def test_another_partnerships_manager_sees_none_of_this_partnerships_reviews(review, as_):
    page = as_("other_manager").get(reverse("reviews:dashboard"))
    assert page.status_code == 200 and review.reference not in page.content.decode()


def test_an_agency_lead_is_sent_to_their_contribution_requests_instead_of_the_dashboard(
    review, new_review, as_, people, northshire
):
    services.contribution_request(
        actor=people.manager,
        review=new_review,
        agency=Agency.objects.get(partnership=northshire, name="Children's social care"),
        due_on=timezone.localdate() + datetime.timedelta(days=10),
        what_is_asked="Chronology.",
    )
    response = as_("agency_lead").get(reverse("reviews:dashboard"))
    assert response.status_code == 302 and response["Location"] == reverse("reviews:contributions")
    page = as_("agency_lead").get(reverse("reviews:contributions")).content.decode()
    assert "Children&#x27;s social care" in page and "Police" not in page


# -- contributions --------------------------------------------------------------------------------------------------


def test_an_agency_lead_uploads_and_submits_their_agencys_contribution_and_sees_nothing_else(
    new_review, as_, people, northshire
):
    review = new_review
    request = services.contribution_request(
        actor=people.manager,
        review=review,
        agency=Agency.objects.get(partnership=northshire, name="Children's social care"),
        due_on=timezone.localdate() + datetime.timedelta(days=10),
        what_is_asked="Chronology from 2024.",
    )
    client = as_("agency_lead")
    url = reverse("reviews:contribution", args=[request.pk])
    page = client.get(url).content.decode()
    assert "Chronology from 2024." in page and review.title not in page
    bad = client.post(
        url,
        {"step": "upload", "upload-kind": "chronology", "upload-file": SimpleUploadedFile("c.pdf", b"not a pdf")},
    )
    assert "There is a problem" in bad.content.decode() and "not a PDF file" in bad.content.decode()
    assert ContributionFile.objects.count() == 0
    for kind in ("chronology", "agency_report"):
        response = client.post(
            url, {"step": "upload", "upload-kind": kind, "upload-file": SimpleUploadedFile(f"{kind}.txt", b"Text.")}
        )
        assert response.status_code == 302
    response = client.post(url, {"step": "receive", **_date("receive-received_on", timezone.localdate())})
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.received_on == timezone.localdate()
    stored = ContributionFile.objects.first()
    assert client.get(reverse("reviews:contribution_file", args=[request.pk, stored.pk])).status_code == 200


def test_an_agency_lead_cannot_open_another_agencys_request(review, as_):
    police = review.contributions.get()
    assert as_("agency_lead").get(reverse("reviews:contribution", args=[police.pk])).status_code == 404
    assert (
        as_("agency_lead").post(reverse("reviews:contribution", args=[police.pk]), {"step": "receive"}).status_code
        == 404
    )


def test_the_appointed_reviewer_reads_a_contribution_but_cannot_submit_it(review, as_):
    police = review.contributions.get()
    client = as_("reviewer")
    assert client.get(reverse("reviews:contribution", args=[police.pk])).status_code == 200
    assert client.post(reverse("reviews:contribution", args=[police.pk]), {"step": "receive"}).status_code == 403


# -- commissioning and the journey ---------------------------------------------------------------------------------


def test_the_business_manager_sets_up_a_review_from_the_referral_page(northshire, people, as_):
    referral = decided_referral(northshire, people)
    client = as_("manager")
    detail = client.get(reverse("referrals:detail", args=[referral.reference])).content.decode()
    assert "Set up the review" in detail
    url = reverse("reviews:commission") + f"?referral={referral.reference}"
    form = client.get(url).content.decode()
    assert "local child safeguarding practice review" in form
    police = Agency.objects.get(partnership=northshire, name="Police")
    response = client.post(
        url,
        {
            "referral": referral.reference,
            "title": "Learning review",
            "pseudonym": "Child K",
            "terms_of_reference": "From birth to the incident.",
            "agencies": [police.pk],
            **_date("commissioned_on", timezone.localdate()),
        },
    )
    review = Review.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("reviews:detail", args=[review.reference])
    assert review.referral == referral
    assert (
        "Set up the review" not in client.get(reverse("referrals:detail", args=[referral.reference])).content.decode()
    )


@pytest.mark.parametrize("persona", ["subgroup", "chair"])
def test_only_the_business_manager_may_open_the_set_up_form(persona, northshire, people, as_):
    referral = decided_referral(northshire, people)
    response = as_(persona).get(reverse("reviews:commission") + f"?referral={referral.reference}")
    assert response.status_code == 403


@pytest.mark.parametrize("persona", ["reviewer", "agency_lead", "referrer", "analyst", "other_manager", "outsider"])
def test_people_outside_the_referral_cannot_set_up_its_review(persona, northshire, people, as_):
    referral = decided_referral(northshire, people)
    response = as_(persona).get(reverse("reviews:commission") + f"?referral={referral.reference}")
    assert response.status_code in {403, 404}
    assert Review.objects.count() == 0


def test_an_invalid_set_up_form_shows_the_error_summary_and_saves_nothing(northshire, people, as_):
    response = as_("manager").post(
        reverse("reviews:commission"),
        {"partnership": northshire.pk, "title": "", **_date("commissioned_on", timezone.localdate())},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page and "<title>Error: " in page
    assert Review.objects.count() == 0


def test_a_review_without_a_referral_is_set_up_with_the_framework_and_type_chosen(northshire, people, as_):
    response = as_("manager").post(
        reverse("reviews:commission"),
        {
            "partnership": northshire.pk,
            "framework_review_type": "england_2015:scr",
            "title": "Serious case review",
            "pseudonym": "Child S",
            "terms_of_reference": "Terms.",
            "agencies": [Agency.objects.get(partnership=northshire, name="Police").pk],
            **_date("commissioned_on", timezone.localdate()),
        },
    )
    assert response.status_code == 302
    assert Review.objects.get().review_type == "scr"


def test_a_stale_sign_off_form_is_refused_with_a_clear_message(review, people, as_):
    sign_all_markers(review, people)
    services.draft_choose_final(actor=people.chair, draft=review.drafts.get())
    stale = review.version
    services.hold_end(actor=people.manager, hold=review.holds.get(), ends_on=timezone.localdate())
    page = as_("chair").post(reverse("reviews:sign_off", args=[review.reference]), {"version": stale})
    assert "changed by someone else" in page.content.decode()
    assert fresh(review).status == ReviewStatus.QUALITY_ASSURANCE
    ok = as_("chair").post(reverse("reviews:sign_off", args=[review.reference]), {"version": fresh(review).version})
    assert ok.status_code == 302 and fresh(review).status == ReviewStatus.SIGNED_OFF


def test_a_draft_that_cannot_be_read_is_refused_on_the_page(review, people, as_):
    services.qa_return(actor=people.subgroup, review=review, reasons="More work.")
    response = as_("reviewer").post(
        reverse("reviews:draft_upload", args=[review.reference]),
        {"file": SimpleUploadedFile("draft.pdf", b"%PDF-1.4 broken")},
    )
    assert "There is a problem" in response.content.decode() and "draft.pdf" in response.content.decode()
    assert DraftVersion.objects.count() == 1


def test_drafts_are_uploaded_compared_and_commented_through_the_pages(review, people, as_):
    services.qa_return(actor=people.subgroup, review=review, reasons="More work.")
    client = as_("reviewer")
    response = client.post(
        reverse("reviews:draft_upload", args=[review.reference]),
        {"file": SimpleUploadedFile("v2.txt", b"Page one.\fPage two, rewritten."), "note": "Rewrote page two"},
    )
    assert response.status_code == 302
    compare = client.get(reverse("reviews:draft_compare", args=[review.reference]) + "?from=1&to=2").content.decode()
    assert "Page two, rewritten." in compare and "Removed" in compare
    comment = as_("subgroup").post(
        reverse("reviews:draft", args=[review.reference, 2]), {"text": "Clearer.", "page": "2"}
    )
    assert comment.status_code == 302
    assert "Clearer." in client.get(reverse("reviews:draft", args=[review.reference, 2])).content.decode()
    assert client.get(reverse("reviews:draft_compare", args=[review.reference]) + "?from=1&to=9").status_code == 404


def test_the_subgroup_records_and_signs_off_a_marker_and_the_summary_shows_what_is_unmet(review, as_):
    client = as_("subgroup")
    url = reverse("reviews:marker", args=[review.reference, 12])
    page = client.get(url).content.decode()
    assert "Family involvement" in page and "How might you know" in page
    empty = client.post(url, {"step": "record", "answer": "", "evidence": ""})
    assert "There is a problem" in empty.content.decode()
    assert (
        client.post(url, {"step": "record", "answer": "not_met", "evidence": "The family were not asked."}).status_code
        == 302
    )
    assert client.post(url, {"step": "sign_off"}).status_code == 302
    assert MarkerAssessment.objects.get().is_signed_off
    summary = client.get(reverse("reviews:qa", args=[review.reference])).content.decode()
    assert "What is unmet" in summary and "The family were not asked." in summary


def test_a_reviewer_can_read_the_markers_but_not_record_them(review, as_):
    url = reverse("reviews:marker", args=[review.reference, 1])
    assert "Record the answer" not in as_("reviewer").get(url).content.decode()
    assert as_("reviewer").post(url, {"step": "record", "answer": "met", "evidence": "x"}).status_code == 403
    assert MarkerAssessment.objects.count() == 0


def test_the_review_page_shows_the_hold_and_what_blocks_publication_after_sign_off(review, people, as_):
    sign_all_markers(review, people)
    services.draft_choose_final(actor=people.chair, draft=review.drafts.get())
    services.review_sign_off(actor=people.chair, review=review)
    page = as_("manager").get(reverse("reviews:detail", args=[review.reference])).content.decode()
    assert "On hold since" in page and "The publication clock is paused" in page
    assert "It cannot be published yet" in page
    assert "The board&#x27;s written response has not been recorded" in page


def test_a_hold_is_recorded_and_ended_through_the_pages(northshire, people, as_):
    review = commission(northshire, people.manager)
    client = as_("manager")
    bad = client.post(reverse("reviews:hold_add", args=[review.reference]), {"kind": "criminal_trial", "reason": ""})
    assert "There is a problem" in bad.content.decode()
    client.post(
        reverse("reviews:hold_add", args=[review.reference]),
        {"kind": "criminal_trial", "reason": "Trial in March", **_date("starts_on", timezone.localdate())},
    )
    hold = Hold.objects.get()
    client.post(reverse("reviews:hold_end", args=[review.reference, hold.pk]), _date("ends_on", timezone.localdate()))
    hold.refresh_from_db()
    assert hold.ends_on == timezone.localdate()


def test_the_business_manager_re_plans_a_milestone_and_others_may_not(new_review, as_):
    milestone = new_review.milestones.get(kind="first_draft")
    url = reverse("reviews:milestone_replan", args=[new_review.reference, milestone.pk])
    assert as_("chair").get(url).status_code == 403
    assert as_("other_manager").get(url).status_code == 404
    new_date = milestone.due_on + datetime.timedelta(days=14)
    response = as_("manager").post(url, {**_date("due_on", new_date), "reason": "Inquest adjourned"})
    assert response.status_code == 302
    milestone.refresh_from_db()
    assert milestone.due_on == new_date


def test_the_business_manager_removes_a_panel_member_and_others_may_not(new_review, people, as_):
    member = services.panel_member_add(
        actor=people.manager, review=new_review, name="Dr Lee", role="GP", organisation="Moorfield PCN"
    )
    url = reverse("reviews:panel_remove", args=[new_review.reference, member.pk])
    assert as_("subgroup").post(url, {"reason": "x"}).status_code == 403
    assert as_("agency_lead").post(url, {"reason": "x"}).status_code == 404
    assert as_("manager").post(url, {"reason": "Retired"}).status_code == 302
    assert not new_review.panel_members.exists()


def test_the_dashboard_downloads_as_csv_with_holds_and_formula_text_neutralised(northshire, people, as_):
    review = commission(northshire, people.manager, title="=HYPERLINK(evil)")
    services.hold_start(
        actor=people.manager, review=review, kind="inquest", reason="Inquest opened", starts_on=timezone.localdate()
    )
    response = as_("manager").get(reverse("reviews:dashboard_csv"))
    text = response.content.decode()
    assert response["Content-Type"].startswith("text/csv")
    assert "'=HYPERLINK(evil)" in text and "Inquest: Inquest opened" in text
    assert AuditEvent.objects.filter(action="review.dashboard_download").exists()
    for persona in ("agency_lead", "referrer", "analyst", "outsider"):
        assert as_(persona).get(reverse("reviews:dashboard_csv")).status_code == 403
    assert review.reference not in as_("other_manager").get(reverse("reviews:dashboard_csv")).content.decode()


def test_a_manager_of_two_partnerships_chooses_which_one_the_review_is_for(northshire, glanmor, people, as_):
    from casereviews.partnerships.models import Membership

    Membership.objects.create(user=people.manager, partnership=glanmor, role=Role.BUSINESS_MANAGER)
    page = as_("manager").get(reverse("reviews:commission")).content.decode()
    assert "Which partnership is the review for?" in page and glanmor.name in page
    form = as_("manager").get(reverse("reviews:commission") + f"?partnership={glanmor.pk}").content.decode()
    assert "Extended child practice review" in form
