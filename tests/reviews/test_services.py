"""The review's business rules, through its services: who may act, when, and what each step needs."""

from __future__ import annotations

import datetime

import pytest
from django.db.models import Model
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from casereviews.core.audit import audit_verify
from casereviews.core.errors import Duplicate, EditConflict, InvalidInput, NotAllowed, TransitionNotAllowed
from casereviews.core.files import check_attachment
from casereviews.core.models import AuditEvent
from casereviews.partnerships.models import Agency, Role
from casereviews.reviews import services
from casereviews.reviews.models import (
    ContributionFile,
    DraftVersion,
    Hold,
    MarkerAssessment,
    MilestoneKind,
    Review,
    ReviewStatus,
    TermsOfReference,
)
from casereviews.reviews.quality import quality_markers
from tests.factories import make_person
from tests.reviews.steps import (
    appoint,
    commission,
    days_ago,
    decided_referral,
    fresh,
    sign_all_markers,
    signed_off,
    start,
    to_qa,
    upload,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def review(northshire, people):
    return commission(northshire, people.manager)


def count(model: type[Model]) -> int:
    return model.objects.count()  # type: ignore[attr-defined]


# -- commissioning ----------------------------------------------------------------------------------------------


def test_a_review_is_set_up_from_the_chairs_decision_with_the_target_from_the_review_type(northshire, people):
    referral = decided_referral(northshire, people)
    review = commission(northshire, people.manager, referral=referral, commissioned_on=timezone.localdate())
    assert review.referral == referral
    assert (review.framework_code, review.review_type) == ("england_2023", "lcspr")
    assert review.status == ReviewStatus.SET_UP
    today = timezone.localdate()
    six_months = datetime.date(today.year + (today.month + 5) // 12, (today.month + 5) % 12 + 1, 1)
    assert review.target_completion_on is not None
    assert review.target_completion_on.replace(day=1) == six_months
    assert review.reference.startswith(f"NOR-R{today.year}-")
    assert TermsOfReference.objects.get(review=review).number == 1
    kinds = {m.kind: m for m in review.milestones.all()}
    assert set(kinds) == set(MilestoneKind)
    assert kinds[MilestoneKind.COMMISSIONED].reached_on == today
    assert kinds[MilestoneKind.SIGNED_OFF].due_on == review.target_completion_on
    assert AuditEvent.objects.filter(action="review.commission", object_id=str(review.pk)).exists()


def test_a_referral_can_have_only_one_review(northshire, people):
    referral = decided_referral(northshire, people)
    first = commission(northshire, people.manager, referral=referral, commissioned_on=timezone.localdate())
    with pytest.raises(Duplicate) as raised:
        commission(northshire, people.manager, referral=referral, commissioned_on=timezone.localdate())
    assert raised.value.existing == first


@pytest.mark.parametrize("option", ["no_review", "national_review"])
def test_a_decision_for_no_review_or_a_national_review_cannot_be_set_up_locally(option, northshire, people):
    referral = decided_referral(northshire, people, option=option)
    assert services.commissionable_review_type(referral) is None
    with pytest.raises(InvalidInput, match="not for a review this partnership runs"):
        commission(northshire, people.manager, referral=referral, commissioned_on=timezone.localdate())
    assert count(Review) == 0


def test_a_review_begun_before_the_system_is_set_up_without_a_referral(northshire, people):
    review = commission(northshire, people.manager, framework_code="england_2015", review_type="scr")
    assert review.referral is None and review.review_type == "scr"


@pytest.mark.parametrize(
    ("framework_code", "review_type", "field"),
    [
        ("wales", "concise_cpr", "framework_code"),
        ("england_2023", "concise_cpr", "review_type"),
        ("england_2023", "national_review", "review_type"),
    ],
)
def test_a_review_without_a_referral_needs_a_framework_and_local_review_type_of_the_partnership(
    framework_code, review_type, field, northshire, people
):
    with pytest.raises(InvalidInput) as raised:
        commission(northshire, people.manager, framework_code=framework_code, review_type=review_type)
    assert field in raised.value.field_errors
    assert count(Review) == 0


def test_commissioning_refuses_missing_details_a_future_date_and_another_partnerships_agencies(
    northshire, glanmor, people
):
    data = services.CommissionInput(
        title=" ",
        pseudonym="",
        terms_of_reference="",
        commissioned_on=timezone.localdate() + datetime.timedelta(days=1),
        agency_ids=[Agency.objects.filter(partnership=glanmor).first().pk],
        framework_code="england_2023",
        review_type="lcspr",
    )
    with pytest.raises(InvalidInput) as raised:
        services.review_commission(actor=people.manager, partnership=northshire, data=data)
    assert set(raised.value.field_errors) == {
        "title",
        "pseudonym",
        "terms_of_reference",
        "commissioned_on",
        "agency_ids",
    }
    assert count(Review) == 0


@pytest.mark.parametrize(
    "persona", ["subgroup", "chair", "reviewer", "agency_lead", "referrer", "analyst", "other_manager"]
)
def test_only_the_partnerships_business_manager_can_set_up_a_review(persona, northshire, people):
    with pytest.raises(NotAllowed):
        commission(northshire, getattr(people, persona))
    assert count(Review) == 0


def test_terms_of_reference_are_versioned_with_who_and_when(review, people):
    services.terms_of_reference_record(actor=people.manager, review=review, text="Now including the school.")
    versions = list(review.terms_versions.all())
    assert [v.number for v in versions] == [2, 1]
    assert versions[0].recorded_by == people.manager and versions[0].text == "Now including the school."


def test_a_stale_change_to_the_terms_of_reference_is_refused_and_nothing_is_saved(review, people):
    seen = review.version
    services.terms_of_reference_record(actor=people.manager, review=review, text="First change.")
    with pytest.raises(EditConflict):
        services.terms_of_reference_record(
            actor=people.manager, review=review, text="Second change.", expected_version=seen
        )
    assert review.terms_versions.count() == 2


# -- reviewers and starting -----------------------------------------------------------------------------------------


def test_a_review_cannot_start_without_its_lead_reviewer(review, people):
    with pytest.raises(InvalidInput, match="needs 1 lead reviewer"):
        services.review_start(actor=people.manager, review=review)
    assert fresh(review).status == ReviewStatus.SET_UP


def test_an_extended_welsh_review_needs_two_lead_reviewers_before_it_starts(glanmor, people):
    review = commission(
        glanmor,
        people.other_manager,
        framework_code="wales",
        review_type="extended_cpr",
        agencies=("Police",),
    )
    first = make_person("wyn", Role.LEAD_REVIEWER, glanmor)
    second = make_person("megan", Role.LEAD_REVIEWER, glanmor)
    appoint(review, people.other_manager, first)
    with pytest.raises(InvalidInput, match=r"needs 2 lead reviewers.*1 is appointed"):
        services.review_start(actor=people.other_manager, review=review)
    assert review.milestones.get(kind=MilestoneKind.REVIEWERS_APPOINTED).reached_on is None
    appoint(review, people.other_manager, second)
    assert review.milestones.get(kind=MilestoneKind.REVIEWERS_APPOINTED).reached_on == review.commissioned_on
    assert services.review_start(actor=people.other_manager, review=review).status == ReviewStatus.IN_PROGRESS


def test_an_ended_appointment_no_longer_counts_towards_the_reviewers_needed(review, people):
    appoint(review, people.manager, people.reviewer)
    appointment = review.appointments.get()
    services.reviewer_appointment_end(
        actor=people.manager, appointment=appointment, ended_on=timezone.localdate(), reason="Unwell"
    )
    with pytest.raises(InvalidInput, match="0 are appointed"):
        services.review_start(actor=people.manager, review=review)


def test_only_a_lead_reviewer_of_the_partnership_with_a_declaration_can_be_appointed(review, people):
    with pytest.raises(InvalidInput) as raised:
        services.reviewer_appoint(
            actor=people.manager,
            review=review,
            reviewer=people.subgroup,
            appointed_on=review.commissioned_on,
            declaration=" ",
            declared_on=review.commissioned_on,
        )
    assert set(raised.value.field_errors) == {"reviewer", "declaration"}
    appoint(review, people.manager, people.reviewer)
    with pytest.raises(InvalidInput) as raised:
        appoint(review, people.manager, people.reviewer)
    assert "already appointed" in raised.value.field_errors["reviewer"][0]


@pytest.mark.parametrize("persona", ["subgroup", "chair", "reviewer", "agency_lead", "other_manager"])
def test_only_the_business_manager_appoints_reviewers(persona, review, people):
    with pytest.raises(NotAllowed):
        appoint(review, getattr(people, persona), people.reviewer)
    assert review.appointments.count() == 0


def test_panel_members_are_recorded_with_their_agency_or_organisation(review, people, northshire):
    police = Agency.objects.get(partnership=northshire, name="Police")
    member = services.panel_member_add(
        actor=people.manager, review=review, name="DI Khan", role="Panel member", agency=police
    )
    assert member.organisation_name == "Police"
    with pytest.raises(InvalidInput) as raised:
        services.panel_member_add(actor=people.manager, review=review, name="", role="")
    assert set(raised.value.field_errors) == {"name", "role", "organisation"}


# -- contributions --------------------------------------------------------------------------------------------------


@pytest.fixture
def own_request(review, people, northshire):
    """A request to the agency the agency lead persona leads (the partnership's first agency by name)."""
    assert people.agency_lead.memberships.get().agency.name == "Children's social care"
    return services.contribution_request(
        actor=people.manager,
        review=review,
        agency=Agency.objects.get(partnership=northshire, name="Children's social care"),
        due_on=timezone.localdate() + datetime.timedelta(days=20),
        what_is_asked="A chronology of contact from 2023 and an agency report.",
    )


def test_a_contribution_is_received_only_with_its_chronology_and_its_report(own_request, people, review):
    with pytest.raises(InvalidInput) as raised:
        services.contribution_receive(actor=people.agency_lead, request=own_request, received_on=timezone.localdate())
    assert raised.value.field_errors["received_on"] == ["Add the agency's chronology and agency report first"]
    services.contribution_file_add(
        actor=people.agency_lead,
        request=own_request,
        kind="chronology",
        checked=check_attachment("chronology.txt", b"2023-01-01 First contact."),
    )
    with pytest.raises(InvalidInput) as raised:
        services.contribution_receive(actor=people.agency_lead, request=own_request, received_on=timezone.localdate())
    assert raised.value.field_errors["received_on"] == ["Add the agency's agency report first"]
    services.contribution_file_add(
        actor=people.agency_lead,
        request=own_request,
        kind="agency_report",
        checked=check_attachment("report.txt", b"What the police knew."),
    )
    received = services.contribution_receive(
        actor=people.agency_lead, request=own_request, received_on=timezone.localdate()
    )
    assert received.received_on == timezone.localdate()
    assert review.milestones.get(kind=MilestoneKind.CONTRIBUTIONS_RECEIVED).reached_on == timezone.localdate()
    with pytest.raises(TransitionNotAllowed):
        services.contribution_file_add(
            actor=people.agency_lead,
            request=own_request,
            kind="chronology",
            checked=check_attachment("late.txt", b"More."),
        )


def test_an_agency_lead_cannot_act_on_another_agencys_request(review, people, northshire):
    police = Agency.objects.get(partnership=northshire, name="Police")
    request = services.contribution_request(
        actor=people.manager,
        review=review,
        agency=police,
        due_on=timezone.localdate() + datetime.timedelta(days=20),
        what_is_asked="Chronology and report.",
    )
    with pytest.raises(NotAllowed):
        services.contribution_file_add(
            actor=people.agency_lead, request=request, kind="chronology", checked=check_attachment("c.txt", b"x")
        )
    assert count(ContributionFile) == 0


def test_an_agency_is_asked_once_and_the_due_date_follows_the_request(own_request, review, people):
    with pytest.raises(InvalidInput) as raised:
        services.contribution_request(
            actor=people.manager,
            review=review,
            agency=own_request.agency,
            due_on=timezone.localdate(),
            what_is_asked="",
        )
    assert set(raised.value.field_errors) == {"agency", "due_on", "what_is_asked"}


def test_a_new_request_reopens_the_contributions_milestone(own_request, review, people, northshire):
    for kind in ("chronology", "agency_report"):
        services.contribution_file_add(
            actor=people.manager, request=own_request, kind=kind, checked=check_attachment(f"{kind}.txt", b"x")
        )
    services.contribution_receive(actor=people.manager, request=own_request, received_on=timezone.localdate())
    services.contribution_request(
        actor=people.manager,
        review=review,
        agency=Agency.objects.get(partnership=northshire, name="Primary school"),
        due_on=timezone.localdate() + datetime.timedelta(days=10),
        what_is_asked="Attendance and safeguarding records.",
    )
    assert review.milestones.get(kind=MilestoneKind.CONTRIBUTIONS_RECEIVED).reached_on is None
    assert review.agencies.filter(name="Primary school").exists()


def test_the_agency_lead_is_emailed_when_their_agency_is_asked_without_case_details(own_request, mailoutbox):
    from casereviews.reviews.tasks import contribution_requested_email

    assert contribution_requested_email.call(own_request.pk) == 1
    assert mailoutbox[0].to == ["agnes@example.org"]
    assert "Child T" not in mailoutbox[0].body


# -- practitioners, family, holds --------------------------------------------------------------------------------


def test_family_involvement_declined_needs_the_reason_given(review, people):
    with pytest.raises(InvalidInput) as raised:
        services.family_involvement_record(
            actor=people.manager, review=review, on=timezone.localdate(), family_member="Mother", outcome="declined"
        )
    assert "declined_reason" in raised.value.field_errors
    record = services.family_involvement_record(
        actor=people.manager,
        review=review,
        on=timezone.localdate(),
        family_member="Mother",
        outcome="declined",
        declined_reason="Did not want to take part while the trial is pending.",
    )
    assert record.declined_reason.startswith("Did not want")


def test_an_appointed_reviewer_records_practitioner_events_and_a_non_appointed_one_cannot(review, people, northshire):
    appoint(review, people.manager, people.reviewer)
    event = services.practitioner_event_record(
        actor=people.reviewer,
        review=review,
        held_on=timezone.localdate(),
        title="Practitioner learning event",
        attendees="Health visitor, social worker, GP",
    )
    assert event.recorded_by == people.reviewer
    stranger = make_person("vera", Role.LEAD_REVIEWER, northshire)
    with pytest.raises(NotAllowed):
        services.practitioner_event_record(
            actor=stranger, review=review, held_on=timezone.localdate(), title="x", attendees="y"
        )


def test_a_hold_records_its_reason_and_ends_once(review, people):
    hold = services.hold_start(
        actor=people.manager,
        review=review,
        kind="criminal_trial",
        reason="Trial listed for March",
        starts_on=days_ago(10),
    )
    with pytest.raises(InvalidInput) as raised:
        services.hold_start(
            actor=people.manager, review=review, kind="criminal_trial", reason="again", starts_on=days_ago(1)
        )
    assert "already on hold" in raised.value.field_errors["kind"][0]
    with pytest.raises(InvalidInput):
        services.hold_end(actor=people.manager, hold=hold, ends_on=days_ago(11))
    services.hold_end(actor=people.manager, hold=hold, ends_on=days_ago(2), note="Verdict given")
    with pytest.raises(TransitionNotAllowed):
        services.hold_end(actor=people.manager, hold=hold, ends_on=days_ago(1))
    assert Hold.objects.get().ends_on == days_ago(2)


@pytest.mark.parametrize("persona", ["subgroup", "chair", "reviewer", "agency_lead", "other_manager"])
def test_only_the_business_manager_puts_a_review_on_hold(persona, review, people):
    appoint(review, people.manager, people.reviewer)
    with pytest.raises(NotAllowed):
        services.hold_start(
            actor=getattr(people, persona), review=review, kind="inquest", reason="Inquest", starts_on=days_ago(1)
        )
    assert count(Hold) == 0


# -- drafts -------------------------------------------------------------------------------------------------------


def test_a_draft_is_read_page_by_page_and_numbered(review, people):
    start(review, people)
    draft = upload(review, people.reviewer, "Introduction.\fFindings.\fRecommendations.")
    assert (draft.number, draft.pages) == (1, ["Introduction.", "Findings.", "Recommendations."])
    assert review.milestones.get(kind=MilestoneKind.FIRST_DRAFT).reached_on == timezone.localdate()
    assert upload(review, people.reviewer, "Second.").number == 2


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("draft.pdf", b"not a pdf at all", "draft.pdf: "),
        ("draft.txt", b"\xff\xfe\x00bad", "draft.txt: "),
        ("draft.txt", b"   \n  ", "draft.txt: "),
        ("draft.exe", b"MZ...", "draft.exe: "),
    ],
)
def test_a_draft_that_cannot_be_read_is_refused_with_its_reason_and_nothing_is_stored(
    name, data, reason, review, people
):
    start(review, people)
    with pytest.raises(InvalidInput, match=reason) as raised:
        services.draft_upload(actor=people.reviewer, review=review, filename=name, data=data)
    assert "file" in raised.value.field_errors
    assert count(DraftVersion) == 0


def test_a_draft_cannot_be_uploaded_before_the_review_starts_or_by_someone_not_appointed(review, people):
    with pytest.raises(NotAllowed):
        upload(review, people.reviewer)
    appoint(review, people.manager, people.reviewer)
    with pytest.raises(TransitionNotAllowed):
        upload(review, people.reviewer)
    assert count(DraftVersion) == 0


def test_comments_are_kept_per_version_and_page(review, people):
    start(review, people)
    draft = upload(review, people.reviewer)
    services.draft_comment_add(actor=people.subgroup, draft=draft, text="Say more about the father.", page=2)
    with pytest.raises(InvalidInput):
        services.draft_comment_add(actor=people.subgroup, draft=draft, text="Out of range", page=9)
    with pytest.raises(NotAllowed):
        services.draft_comment_add(actor=people.agency_lead, draft=draft, text="Let me see")
    assert [(c.page, c.author) for c in draft.comments.all()] == [(2, people.subgroup)]


# -- quality assurance ------------------------------------------------------------------------------------------


def test_submitting_a_draft_for_qa_and_returning_it_moves_the_review_back_and_forth(review, people):
    draft = to_qa(review, people)
    assert fresh(review).status == ReviewStatus.QUALITY_ASSURANCE
    services.draft_choose_final(actor=people.chair, draft=draft)
    with pytest.raises(InvalidInput):
        services.qa_return(actor=people.subgroup, review=review, reasons=" ")
    submission = services.qa_return(actor=people.subgroup, review=review, reasons="The analysis needs more depth.")
    assert submission.returned_by == people.subgroup
    assert fresh(review).status == ReviewStatus.IN_PROGRESS
    assert not DraftVersion.objects.filter(is_final=True).exists()


def test_a_change_to_a_markers_answer_withdraws_its_sign_off(review, people):
    services.marker_record(actor=people.subgroup, review=review, marker=4, answer="met", evidence="Letter sent.")
    services.marker_sign_off(actor=people.subgroup, review=review, marker=4)
    services.marker_record(actor=people.manager, review=review, marker=4, answer="partly_met", evidence="Letter late.")
    assessment = MarkerAssessment.objects.get()
    assert (assessment.answer, assessment.is_signed_off) == ("partly_met", False)


def test_a_marker_needs_an_answer_and_evidence_and_must_exist(review, people):
    with pytest.raises(InvalidInput) as raised:
        services.marker_record(actor=people.subgroup, review=review, marker=1, answer="maybe", evidence="")
    assert set(raised.value.field_errors) == {"answer", "evidence"}
    with pytest.raises(InvalidInput, match="no quality marker 19"):
        services.marker_record(actor=people.subgroup, review=review, marker=19, answer="met", evidence="x")
    with pytest.raises(InvalidInput, match="before signing it off"):
        services.marker_sign_off(actor=people.subgroup, review=review, marker=2)


@pytest.mark.parametrize("persona", ["chair", "reviewer", "agency_lead", "other_manager"])
def test_only_the_subgroup_or_business_manager_records_quality_assurance(persona, review, people):
    appoint(review, people.manager, people.reviewer)
    with pytest.raises(NotAllowed):
        services.marker_record(actor=getattr(people, persona), review=review, marker=1, answer="met", evidence="x")


@pytest.mark.parametrize("persona", ["manager", "reviewer", "agency_lead", "other_manager"])
def test_only_a_subgroup_member_or_the_chair_signs_off_a_marker(persona, review, people):
    appoint(review, people.manager, people.reviewer)
    services.marker_record(actor=people.subgroup, review=review, marker=1, answer="met", evidence="x")
    with pytest.raises(NotAllowed):
        services.marker_sign_off(actor=getattr(people, persona), review=review, marker=1)


def test_the_chair_cannot_sign_off_until_every_marker_is_signed_off_and_a_final_draft_chosen(review, people):
    draft = to_qa(review, people)
    with pytest.raises(InvalidInput, match=r"not signed off: 1, 2, .*18; Choose the final draft"):
        services.review_sign_off(actor=people.chair, review=review)
    sign_all_markers(review, people)
    assert review.milestones.get(kind=MilestoneKind.QA_COMPLETE).reached_on == timezone.localdate()
    with pytest.raises(InvalidInput, match="Choose the final draft"):
        services.review_sign_off(actor=people.chair, review=review)
    services.draft_choose_final(actor=people.chair, draft=draft)
    signed = services.review_sign_off(actor=people.chair, review=review)
    assert signed.status == ReviewStatus.SIGNED_OFF and signed.completed_on == timezone.localdate()
    assert review.milestones.get(kind=MilestoneKind.SIGNED_OFF).reached_on == timezone.localdate()


@pytest.mark.parametrize("persona", ["manager", "subgroup", "reviewer", "other_manager"])
def test_only_the_chair_signs_off_and_chooses_the_final_draft(persona, review, people):
    draft = to_qa(review, people)
    sign_all_markers(review, people)
    with pytest.raises(NotAllowed):
        services.draft_choose_final(actor=getattr(people, persona), draft=draft)
    services.draft_choose_final(actor=people.chair, draft=draft)
    with pytest.raises(NotAllowed):
        services.review_sign_off(actor=getattr(people, persona), review=review)
    assert fresh(review).status == ReviewStatus.QUALITY_ASSURANCE


def test_a_sign_off_against_an_older_version_is_refused(review, people):
    draft = to_qa(review, people)
    sign_all_markers(review, people)
    seen = fresh(review).version
    services.draft_choose_final(actor=people.chair, draft=draft)
    with pytest.raises(EditConflict):
        services.review_sign_off(actor=people.chair, review=review, expected_version=seen)
    assert fresh(review).status == ReviewStatus.QUALITY_ASSURANCE


# -- after sign-off -------------------------------------------------------------------------------------------------


def test_the_dispatch_needs_the_boards_written_response_and_a_framework_recipient(review, people):
    signed_off(review, people)
    with pytest.raises(InvalidInput, match="dispatch") as raised:
        services.dispatch_record(
            actor=people.manager,
            review=review,
            recipient="The Child Safeguarding Practice Review Panel",
            sent_on=timezone.localdate(),
            method="Secure e-mail",
        )
    assert "written response first" in raised.value.field_errors["recipient"][0]
    services.written_response_record(
        actor=people.chair, review=review, text="The board accepts the findings.", agreed_on=timezone.localdate()
    )
    with pytest.raises(InvalidInput) as raised:
        services.dispatch_record(
            actor=people.manager, review=review, recipient="Ofsted", sent_on=timezone.localdate(), method=""
        )
    assert set(raised.value.field_errors) == {"recipient", "method"}


def test_a_written_response_needs_text_or_a_file(review, people):
    signed_off(review, people)
    with pytest.raises(InvalidInput):
        services.written_response_record(actor=people.manager, review=review, text=" ", agreed_on=timezone.localdate())
    response = services.written_response_record(
        actor=people.manager,
        review=review,
        text="",
        agreed_on=timezone.localdate(),
        file=check_attachment("response.txt", b"The board's response."),
    )
    assert response.filename == "response.txt" and response.sha256


@pytest.mark.parametrize("persona", ["subgroup", "reviewer", "agency_lead", "other_manager"])
def test_only_the_business_manager_or_chair_speaks_for_the_board(persona, review, people):
    signed_off(review, people)
    with pytest.raises(NotAllowed):
        services.written_response_record(
            actor=getattr(people, persona), review=review, text="x", agreed_on=timezone.localdate()
        )
    with pytest.raises(NotAllowed):
        services.non_publication_propose(
            actor=getattr(people, persona),
            review=review,
            reasons="x",
            proposed_on=timezone.localdate(),
            advice="",
            improvements="y",
        )


def test_not_publishing_needs_the_reasons_the_advice_and_the_improvements_information(review, people):
    signed_off(review, people)
    with pytest.raises(InvalidInput, match="proposal not to publish"):
        services.review_not_publish(actor=people.chair, review=review)
    with pytest.raises(InvalidInput) as raised:
        services.non_publication_propose(
            actor=people.manager,
            review=review,
            reasons="",
            proposed_on=timezone.localdate(),
            advice="",
            improvements="",
        )
    assert set(raised.value.field_errors) == {"reasons", "improvements"}
    services.non_publication_propose(
        actor=people.manager,
        review=review,
        reasons="Publication would identify the surviving sibling.",
        proposed_on=days_ago(3),
        advice="",
        improvements="Training on unseen men for all health visitors by June.",
    )
    with pytest.raises(InvalidInput, match="advice received"):
        services.review_not_publish(actor=people.chair, review=review)
    services.non_publication_propose(
        actor=people.manager,
        review=review,
        reasons="Publication would identify the surviving sibling.",
        proposed_on=days_ago(3),
        advice="The Panel agrees the report should not be published.",
        advice_received_on=days_ago(1),
        improvements="Training on unseen men for all health visitors by June.",
    )
    closed = services.review_not_publish(actor=people.chair, review=review)
    assert closed.status == ReviewStatus.NOT_PUBLISHED


def test_the_one_door_refuses_a_step_not_allowed_and_every_change_is_in_the_audit_chain(review, people):
    with pytest.raises(TransitionNotAllowed):
        services.review_status_change(review=review, to_status=ReviewStatus.PUBLISHED, actor=people.manager)
    signed_off(review, people)
    assert audit_verify()[1] is None
    actions = set(AuditEvent.objects.filter(partnership=review.partnership).values_list("action", flat=True))
    assert {
        "review.commission",
        "review.reviewer_appoint",
        "review.status_changed",
        "review.draft_upload",
        "review.marker_record",
        "review.marker_sign_off",
        "review.draft_final",
    } <= actions


def test_the_quality_markers_are_the_eighteen_of_domain_md_with_questions():
    markers = quality_markers().markers
    assert [m.number for m in markers] == list(range(1, 19))
    assert markers[8].title == "Parallel processes" and markers[15].title == "Board written response"
    assert all(m.statement and m.questions for m in markers)


def test_a_milestone_is_re_planned_with_its_reason_by_the_business_manager_only(review, people):
    milestone = review.milestones.get(kind=MilestoneKind.FIRST_DRAFT)
    new_date = milestone.due_on + datetime.timedelta(days=30)
    with pytest.raises(NotAllowed):
        services.milestone_replan(actor=people.chair, milestone=milestone, due_on=new_date, reason="Trial")
    with pytest.raises(InvalidInput) as raised:
        services.milestone_replan(actor=people.manager, milestone=milestone, due_on=new_date, reason=" ")
    assert "reason" in raised.value.field_errors
    moved = services.milestone_replan(
        actor=people.manager, milestone=milestone, due_on=new_date, reason="Agreed delay for the trial"
    )
    assert moved.due_on == new_date
    event = AuditEvent.objects.get(action="review.milestone_replan")
    assert "Agreed delay for the trial" in event.summary
    reached = review.milestones.get(kind=MilestoneKind.COMMISSIONED)
    with pytest.raises(TransitionNotAllowed):
        services.milestone_replan(actor=people.manager, milestone=reached, due_on=new_date, reason="x")


def test_a_panel_member_is_removed_with_the_reason_kept_in_the_audit_log(review, people):
    member = services.panel_member_add(actor=people.manager, review=review, name="Dr Lee", role="GP", organisation="GP")
    with pytest.raises(NotAllowed):
        services.panel_member_remove(actor=people.chair, member=member, reason="Left")
    with pytest.raises(InvalidInput):
        services.panel_member_remove(actor=people.manager, member=member, reason="")
    services.panel_member_remove(actor=people.manager, member=member, reason="Moved to another area")
    assert review.panel_members.count() == 0
    assert "Moved to another area" in AuditEvent.objects.get(action="review.panel_member_remove").summary


def test_the_contribution_email_is_queued_only_once_the_request_is_committed(
    review, people, northshire, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        request = services.contribution_request(
            actor=people.manager,
            review=review,
            agency=Agency.objects.get(partnership=northshire, name="Police"),
            due_on=timezone.localdate() + datetime.timedelta(days=20),
            what_is_asked="Chronology.",
        )
    assert len(callbacks) == 1
    queued = DBTaskResult.objects.get(
        task_path="casereviews.reviews.tasks.contribution_requested_email", args_kwargs__args=[request.pk]
    )
    assert queued.status == "READY"
