"""Writing the plan, reporting progress and accepting evidence through the services: who may, what is
refused, and that a refusal or a stale copy leaves nothing half-saved."""

from __future__ import annotations

import datetime

import pytest

from casereviews.actions.models import Action, EvidenceFile, Finding, ProgressUpdate, Recommendation
from casereviews.actions.services import (
    action_create,
    action_update,
    evidence_accept,
    finding_create,
    finding_update,
    progress_update_post,
    recommendation_create,
    recommendation_update,
)
from casereviews.core.errors import EditConflict, InvalidInput, NotAllowed, TransitionNotAllowed
from casereviews.core.files import check_attachment, read_blob
from casereviews.core.models import AuditEvent
from casereviews.partnerships.models import Agency
from tests.actions.conftest import action_input
from tests.factories import make_partnership, make_review

pytestmark = pytest.mark.django_db


def complete(plan, people, action=None):
    return progress_update_post(
        actor=people.agency_lead,
        action=action or plan.own,
        narrative="The re-audit is done.",
        declared_state="completed",
        evidence="Re-audit: 19 of 20 discussions recorded the father's history.",
    )


def test_the_business_manager_writes_a_plan_and_every_change_is_audited(plan):
    assert [a.label for a in Action.objects.filter(recommendation=plan.recommendation)] == ["1.1", "1.2"]
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"finding.create", "recommendation.create", "action.create"} <= actions


def test_the_lead_reviewer_writes_findings_and_recommendations_while_the_review_is_open(review, people):
    finding = finding_create(actor=people.reviewer, review=review, number=1, text="Escalation was not used.")
    recommendation_create(
        actor=people.reviewer,
        review=review,
        number=1,
        text="Promote the escalation policy.",
        finding=finding,
        agency=None,
    )
    review.status = "published"
    review.save()
    with pytest.raises(NotAllowed):
        finding_create(actor=people.reviewer, review=review, number=2, text="Too late for the reviewer.")
    assert Finding.objects.count() == 1


def test_the_lead_reviewer_cannot_add_actions(plan, people, northshire):
    with pytest.raises(NotAllowed):
        action_create(actor=people.reviewer, recommendation=plan.recommendation, data=action_input(northshire))


@pytest.mark.parametrize(
    "persona", ["subgroup", "chair", "agency_lead", "referrer", "analyst", "other_manager", "outsider"]
)
def test_no_one_else_writes_the_plan(plan, people, northshire, persona):
    actor = getattr(people, persona)
    with pytest.raises(NotAllowed):
        finding_create(actor=actor, review=plan.review, number=2, text="A finding.")
    with pytest.raises(NotAllowed):
        recommendation_create(actor=actor, review=plan.review, number=2, text="A rec.", finding=None, agency=None)
    with pytest.raises(NotAllowed):
        action_create(actor=actor, recommendation=plan.recommendation, data=action_input(northshire))
    with pytest.raises(NotAllowed):
        action_update(actor=actor, action=plan.own, data=action_input(northshire), expected_version=None)


def test_a_duplicate_number_and_blank_text_are_refused(plan, people):
    with pytest.raises(InvalidInput) as refused:
        finding_create(actor=people.manager, review=plan.review, number=1, text="  ")
    assert refused.value.field_errors == {
        "number": ["Finding 1 already exists in this review"],
        "text": ["Enter the finding"],
    }


def test_a_recommendation_must_answer_a_finding_of_its_own_review_and_name_an_agency_of_its_partnership(
    plan, people, northshire
):
    other_review_finding = Finding.objects.create(
        review=make_review(northshire, created_by=people.manager, pseudonym="Child Q"),
        number=1,
        text="Elsewhere.",
        created_by=people.manager,
    )
    elsewhere = make_partnership("Eastmoor")
    with pytest.raises(InvalidInput) as refused:
        recommendation_create(
            actor=people.manager,
            review=plan.review,
            number=2,
            text="Do better.",
            finding=other_review_finding,
            agency=Agency.objects.filter(partnership=elsewhere).first(),
        )
    assert set(refused.value.field_errors) == {"finding", "agency"}


def test_an_action_needs_every_part_of_a_real_plan(plan, people, northshire):
    elsewhere = make_partnership("Eastmoor")
    data = action_input(
        northshire,
        description=" ",
        lead_name="",
        expected_change="",
        success_measure="",
        due_on=plan.review.commissioned_on - datetime.timedelta(days=1),
        owner_agency_id=Agency.objects.filter(partnership=elsewhere).first().pk,
    )
    with pytest.raises(InvalidInput) as refused:
        action_create(actor=people.manager, recommendation=plan.recommendation, data=data)
    assert set(refused.value.field_errors) == {
        "description",
        "lead_name",
        "expected_change",
        "success_measure",
        "due_on",
        "owner_agency",
    }
    assert Action.objects.count() == 2


def test_the_leads_account_must_lead_the_owner_agency(plan, people, northshire):
    with pytest.raises(InvalidInput) as refused:
        action_create(
            actor=people.manager,
            recommendation=plan.recommendation,
            data=action_input(northshire, "Police", lead_user_id=people.agency_lead.pk),
        )
    assert "lead_user" in refused.value.field_errors
    action = action_create(
        actor=people.manager,
        recommendation=plan.recommendation,
        data=action_input(northshire, lead_user_id=people.agency_lead.pk),
    )
    assert action.lead_user == people.agency_lead


@pytest.mark.parametrize("stale", ["finding", "recommendation", "action"])
def test_a_change_made_against_an_older_version_is_refused_and_nothing_is_saved(plan, people, northshire, stale):
    if stale == "finding":
        finding_update(actor=people.manager, finding=plan.finding, number=1, text="First edit.", expected_version=1)
        with pytest.raises(EditConflict):
            finding_update(actor=people.reviewer, finding=plan.finding, number=1, text="Second.", expected_version=1)
        assert Finding.objects.get().text == "First edit."
    elif stale == "recommendation":
        values = {"number": 1, "finding": plan.finding, "agency": None}
        recommendation_update(
            actor=people.manager, recommendation=plan.recommendation, text="First edit.", expected_version=1, **values
        )
        with pytest.raises(EditConflict):
            recommendation_update(
                actor=people.reviewer, recommendation=plan.recommendation, text="Second.", expected_version=1, **values
            )
        assert Recommendation.objects.get().text == "First edit."
    else:
        action_update(
            actor=people.manager,
            action=plan.own,
            expected_version=1,
            data=action_input(northshire, description="First edit."),
        )
        with pytest.raises(EditConflict):
            action_update(
                actor=people.manager,
                action=plan.own,
                expected_version=1,
                data=action_input(northshire, description="Second."),
            )
        assert Action.objects.get(pk=plan.own.pk).description == "First edit."


def test_an_agency_lead_reports_progress_only_on_their_own_agencys_actions(plan, people):
    update = progress_update_post(
        actor=people.agency_lead, action=plan.own, narrative="Audit tool agreed.", declared_state="progressing"
    )
    assert update.posted_by == people.agency_lead
    plan.own.refresh_from_db()
    assert plan.own.version == 2
    for actor in (people.agency_lead, people.manager, people.chair, people.reviewer, people.other_manager):
        with pytest.raises(NotAllowed):
            progress_update_post(
                actor=actor,
                action=plan.other if actor == people.agency_lead else plan.own,
                narrative="Not mine.",
                declared_state="progressing",
            )
    assert ProgressUpdate.objects.count() == 1


def test_declaring_an_action_complete_needs_evidence(plan, people):
    with pytest.raises(InvalidInput) as refused:
        progress_update_post(actor=people.agency_lead, action=plan.own, narrative="Done.", declared_state="completed")
    assert "evidence" in refused.value.field_errors
    with pytest.raises(InvalidInput) as refused:
        progress_update_post(actor=people.agency_lead, action=plan.own, narrative="", declared_state="finished")
    assert set(refused.value.field_errors) == {"narrative", "declared_state"}
    assert ProgressUpdate.objects.count() == 0


def test_evidence_files_are_stored_by_content(plan, people, settings, tmp_path):
    settings.FILE_STORE_ROOT = tmp_path
    checked = check_attachment("re-audit.txt", b"Re-audit of 20 strategy discussions: 19 recorded the father.\n")
    progress_update_post(
        actor=people.agency_lead,
        action=plan.own,
        narrative="Re-audit done.",
        declared_state="completed",
        files=[checked],
    )
    stored = EvidenceFile.objects.get()
    assert (stored.filename, stored.media_type, stored.size) == ("re-audit.txt", "text/plain", len(checked.data))
    assert read_blob(stored.sha256) == checked.data


def test_the_business_manager_accepts_evidence_and_who_and_when_are_recorded(plan, people):
    complete(plan, people)
    plan.own.refresh_from_db()
    accepted = evidence_accept(
        actor=people.manager, action=plan.own, note="Seen at the board.", expected_version=plan.own.version
    )
    assert accepted.evidence_accepted_by == people.manager
    assert accepted.evidence_accepted_at is not None
    assert AuditEvent.objects.filter(action="action.evidence_accepted", actor=people.manager).exists()


def test_evidence_cannot_be_accepted_before_the_action_is_reported_complete(plan, people):
    with pytest.raises(TransitionNotAllowed):
        evidence_accept(actor=people.manager, action=plan.own, expected_version=plan.own.version)


@pytest.mark.parametrize("persona", ["subgroup", "chair", "reviewer", "agency_lead", "other_manager"])
def test_only_the_business_manager_accepts_evidence(plan, people, persona):
    complete(plan, people)
    plan.own.refresh_from_db()
    with pytest.raises(NotAllowed):
        evidence_accept(actor=getattr(people, persona), action=plan.own, expected_version=plan.own.version)


def test_accepting_evidence_against_a_copy_older_than_the_latest_update_is_refused(plan, people):
    complete(plan, people)
    plan.own.refresh_from_db()
    seen_version = plan.own.version
    progress_update_post(
        actor=people.agency_lead,
        action=plan.own,
        narrative="The re-audit sample was too small; repeating it.",
        declared_state="concern",
    )
    with pytest.raises(EditConflict):
        evidence_accept(actor=people.manager, action=plan.own, expected_version=seen_version)
    assert Action.objects.get(pk=plan.own.pk).evidence_accepted_at is None


def test_an_evidenced_action_can_no_longer_change_or_take_updates(plan, people, northshire):
    complete(plan, people)
    plan.own.refresh_from_db()
    evidence_accept(actor=people.manager, action=plan.own, expected_version=plan.own.version)
    with pytest.raises(TransitionNotAllowed):
        action_update(actor=people.manager, action=plan.own, data=action_input(northshire), expected_version=None)
    with pytest.raises(TransitionNotAllowed):
        progress_update_post(actor=people.agency_lead, action=plan.own, narrative="More.", declared_state="progressing")
    with pytest.raises(TransitionNotAllowed):
        evidence_accept(actor=people.manager, action=plan.own, expected_version=None)


def test_reporting_completion_tells_the_business_managers_without_case_details(
    plan, people, immediate_tasks, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        complete(plan, people)
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == [people.manager.email]
    assert plan.own.description not in message.body
    assert f"/actions/{plan.own.pk}/" in message.body
