"""The action plan pages: who may see and do what, the journey through the forms, and the exports."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from casereviews.actions.models import Action, EvidenceFile, Finding, ProgressUpdate, Recommendation
from casereviews.actions.services import action_create, progress_update_post, recommendation_create
from casereviews.core.models import AuditEvent
from casereviews.partnerships.models import Agency
from tests.actions.conftest import action_input
from tests.factories import make_review

pytestmark = pytest.mark.django_db

EVERYONE = [
    "manager",
    "subgroup",
    "chair",
    "reviewer",
    "agency_lead",
    "referrer",
    "analyst",
    "other_manager",
    "outsider",
]


def _date(prefix: str, day: datetime.date) -> dict[str, str]:
    return {f"{prefix}_0": str(day.day), f"{prefix}_1": str(day.month), f"{prefix}_2": str(day.year)}


def completed(plan, people):
    return progress_update_post(
        actor=people.agency_lead,
        action=plan.own,
        narrative="Re-audit done.",
        declared_state="completed",
        evidence="19 of 20 strategy discussions recorded the father's history.",
    )


def urls(plan, page):
    review, own = plan.review.reference, plan.own.pk
    return {
        "dashboard": reverse("actions:dashboard"),
        "dashboard_csv": reverse("actions:dashboard_export", args=["csv"]),
        "dashboard_xlsx": reverse("actions:dashboard_export", args=["xlsx"]),
        "agency_actions": reverse("actions:agency_actions"),
        "plan": reverse("actions:plan", args=[review]),
        "plan_csv": reverse("actions:plan_export", args=[review, "csv"]),
        "plan_xlsx": reverse("actions:plan_export", args=[review, "xlsx"]),
        "finding_create": reverse("actions:finding_create", args=[review]),
        "finding_edit": reverse("actions:finding_edit", args=[review, plan.finding.pk]),
        "recommendation_create": reverse("actions:recommendation_create", args=[review]),
        "recommendation_edit": reverse("actions:recommendation_edit", args=[review, plan.recommendation.pk]),
        "action_create": reverse("actions:action_create", args=[review, plan.recommendation.pk]),
        "detail": reverse("actions:detail", args=[own]),
        "edit": reverse("actions:edit", args=[own]),
        "post_update": reverse("actions:post_update", args=[own]),
        "accept_evidence": reverse("actions:accept_evidence", args=[own]),
    }[page]


# Who may open each page (GET 200); everyone else in EVERYONE is refused with 403 or 404.
ALLOWED = {
    "dashboard": {"manager", "subgroup", "chair", "other_manager"},
    "dashboard_csv": {"manager", "subgroup", "chair", "other_manager"},
    "dashboard_xlsx": {"manager", "subgroup", "chair", "other_manager"},
    "agency_actions": {"agency_lead"},
    "plan": {"manager", "subgroup", "chair", "reviewer"},
    "plan_csv": {"manager", "subgroup", "chair", "reviewer"},
    "plan_xlsx": {"manager", "subgroup", "chair", "reviewer"},
    "finding_create": {"manager", "reviewer"},
    "finding_edit": {"manager", "reviewer"},
    "recommendation_create": {"manager", "reviewer"},
    "recommendation_edit": {"manager", "reviewer"},
    "action_create": {"manager"},
    "detail": {"manager", "subgroup", "chair", "reviewer", "agency_lead"},
    "edit": {"manager"},
    "post_update": {"agency_lead"},
    "accept_evidence": {"manager"},
}

REFUSALS = [(page, persona) for page, allowed in ALLOWED.items() for persona in EVERYONE if persona not in allowed]


@pytest.mark.parametrize(("page", "persona"), REFUSALS)
def test_each_page_refuses_everyone_who_must_not_see_or_act(as_, plan, people, page, persona):
    if page == "accept_evidence":
        completed(plan, people)
    response = as_(persona).get(urls(plan, page))
    assert response.status_code in {403, 404}


@pytest.mark.parametrize("page", sorted(ALLOWED))
def test_each_page_opens_for_those_who_may_use_it(as_, plan, people, page):
    if page == "accept_evidence":
        completed(plan, people)
    for persona in ALLOWED[page]:
        assert as_(persona).get(urls(plan, page)).status_code == 200, persona


@pytest.mark.parametrize("page", sorted(ALLOWED))
def test_each_page_sends_an_anonymous_visitor_to_sign_in(as_, plan, page):
    response = as_(None).get(urls(plan, page))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


WRITES = {
    "finding_create": {"version": "0", "number": "5", "text": "Refused finding."},
    "recommendation_create": {"version": "0", "number": "5", "text": "Refused recommendation."},
    "post_update": {"version": "1", "declared_state": "progressing", "narrative": "Refused update."},
    "accept_evidence": {"version": "2", "note": "Refused."},
}


@pytest.mark.parametrize(
    ("page", "persona"), [(p, who) for p, who in REFUSALS if p in WRITES or p == "edit" or p == "action_create"]
)
def test_a_refused_person_posting_a_form_changes_nothing(as_, plan, people, northshire, page, persona):
    if page == "accept_evidence":
        completed(plan, people)
    data = WRITES.get(page) or {
        "version": "1",
        "description": "Refused.",
        "owner_agency": str(plan.own.owner_agency_id),
        "lead_name": "Someone",
        "expected_change": "x",
        "success_measure": "y",
        **_date("due_on", timezone.localdate() + datetime.timedelta(days=30)),
    }
    before = (
        Finding.objects.count(),
        Recommendation.objects.count(),
        Action.objects.count(),
        ProgressUpdate.objects.count(),
        Action.objects.get(pk=plan.own.pk).version,
    )
    response = as_(persona).post(urls(plan, page), data)
    assert response.status_code in {403, 404}
    after = (
        Finding.objects.count(),
        Recommendation.objects.count(),
        Action.objects.count(),
        ProgressUpdate.objects.count(),
        Action.objects.get(pk=plan.own.pk).version,
    )
    assert before == after


def test_an_agency_lead_cannot_see_another_agencys_actions(as_, plan):
    client = as_("agency_lead")
    assert client.get(reverse("actions:detail", args=[plan.other.pk])).status_code == 404
    assert client.get(reverse("actions:post_update", args=[plan.other.pk])).status_code == 404
    page = client.get(reverse("actions:agency_actions")).content.decode()
    assert f"Action {plan.own.label}" in page
    assert f"Action {plan.other.label}" not in page


def test_the_agency_lead_sees_the_recommendation_but_not_the_finding(as_, plan):
    page = as_("agency_lead").get(reverse("actions:detail", args=[plan.own.pk])).content.decode()
    assert plan.recommendation.text in page
    assert plan.finding.text not in page


def test_another_partnerships_manager_sees_none_of_this_partnerships_plans(as_, plan):
    page = as_("other_manager").get(reverse("actions:dashboard")).content.decode()
    assert plan.review.reference not in page
    body = as_("other_manager").get(reverse("actions:dashboard_export", args=["csv"])).content.decode()
    assert plan.review.reference not in body


def test_the_business_manager_writes_a_plan_through_the_forms(as_, review, northshire):
    client = as_("manager")
    plan_url = reverse("actions:plan", args=[review.reference])
    response = client.post(
        reverse("actions:finding_create", args=[review.reference]),
        {"version": "0", "number": "1", "text": "Escalation was not used when the plan drifted."},
    )
    assert response["Location"] == plan_url
    finding = Finding.objects.get()
    client.post(
        reverse("actions:recommendation_create", args=[review.reference]),
        {
            "version": "0",
            "number": "1",
            "text": "Agencies should use the escalation policy.",
            "finding": str(finding.pk),
            "agency": "",
        },
    )
    recommendation = Recommendation.objects.get()
    police = Agency.objects.get(partnership=northshire, name="Police")
    response = client.post(
        reverse("actions:action_create", args=[review.reference, recommendation.pk]),
        {
            "version": "0",
            "description": "Brief supervisors on the escalation policy.",
            "owner_agency": str(police.pk),
            "lead_name": "Detective inspector, safeguarding",
            "lead_user": "",
            "expected_change": "Concerns are escalated within a week.",
            "success_measure": "Dip sample of 10 cases.",
            **_date("due_on", timezone.localdate() + datetime.timedelta(days=100)),
        },
    )
    assert response["Location"] == plan_url
    page = client.get(plan_url).content.decode()
    assert "Brief supervisors on the escalation policy." in page
    assert "Not started" in page
    assert "to the partnership" in page


def test_an_invalid_action_form_shows_the_error_summary_and_saves_nothing(as_, plan):
    response = as_("manager").post(
        urls(plan, "action_create"),
        {
            "version": "0",
            "description": "",
            "owner_agency": "",
            "lead_name": "",
            "expected_change": "",
            "success_measure": "",
            **_date("due_on", datetime.date(2001, 1, 1)),
        },
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page
    assert '<a href="#id_description">' in page
    assert "<title>Error: " in page
    assert Action.objects.count() == 2


def test_a_due_date_before_the_review_began_is_refused_on_the_form(as_, plan):
    response = as_("manager").post(
        urls(plan, "action_create"),
        {
            "version": "0",
            "description": "Do it.",
            "owner_agency": str(plan.own.owner_agency_id),
            "lead_name": "A lead",
            "expected_change": "Change.",
            "success_measure": "Measure.",
            **_date("due_on", datetime.date(2001, 1, 1)),
        },
    )
    assert "cannot be before the review was commissioned" in response.content.decode()
    assert Action.objects.count() == 2


def test_a_stale_edit_form_is_refused_with_a_clear_message(as_, plan, people, northshire):
    client = as_("manager")
    data = {
        "version": "1",
        "description": "Edited.",
        "owner_agency": str(plan.own.owner_agency_id),
        "lead_name": "Lead",
        "expected_change": "Change.",
        "success_measure": "Measure.",
        **_date("due_on", plan.own.due_on),
    }
    progress_update_post(actor=people.agency_lead, action=plan.own, narrative="Meanwhile.", declared_state="concern")
    response = client.post(urls(plan, "edit"), data)
    assert "changed by someone else" in response.content.decode()
    assert Action.objects.get(pk=plan.own.pk).description != "Edited."


def test_the_agency_lead_reports_completion_with_an_evidence_file_and_the_manager_accepts_it(
    as_, plan, people, settings, tmp_path
):
    settings.FILE_STORE_ROOT = tmp_path
    lead = as_("agency_lead")
    pdf = SimpleUploadedFile("re-audit.pdf", b"%PDF-1.4\n% synthetic re-audit\n", content_type="application/pdf")
    response = lead.post(
        urls(plan, "post_update"),
        {
            "version": "1",
            "declared_state": "completed",
            "narrative": "The re-audit is complete.",
            "evidence": "",
            "attachments": pdf,
        },
    )
    assert response.status_code == 302
    evidence = EvidenceFile.objects.get()
    download = as_("manager").get(reverse("actions:evidence", args=[plan.own.pk, evidence.pk]))
    assert download["Content-Disposition"].startswith("attachment")
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    assert "Complete" in as_("manager").get(urls(plan, "detail")).content.decode()

    response = as_("manager").post(urls(plan, "accept_evidence"), {"version": "2", "note": "Seen by the board."})
    assert response.status_code == 302
    action = Action.objects.get(pk=plan.own.pk)
    assert action.evidence_accepted_by == people.manager
    page = as_("chair").get(urls(plan, "detail")).content.decode()
    assert "Evidenced" in page
    assert f"By {people.manager.display_name}" in page


def test_evidence_files_are_downloadable_only_by_those_who_may_see_the_action(as_, plan, people, settings, tmp_path):
    settings.FILE_STORE_ROOT = tmp_path
    pdf = SimpleUploadedFile("re-audit.pdf", b"%PDF-1.4\n% synthetic\n", content_type="application/pdf")
    as_("agency_lead").post(
        urls(plan, "post_update"),
        {
            "version": "1",
            "declared_state": "progressing",
            "narrative": "Interim audit.",
            "attachments": pdf,
        },
    )
    evidence = EvidenceFile.objects.get()
    url = reverse("actions:evidence", args=[plan.own.pk, evidence.pk])
    for persona in ["referrer", "analyst", "other_manager", "outsider"]:
        assert as_(persona).get(url).status_code == 404, persona
    assert as_("reviewer").get(url).status_code == 200


def test_an_evidence_file_that_is_not_what_its_name_claims_is_refused_and_nothing_is_saved(as_, plan):
    fake = SimpleUploadedFile("re-audit.pdf", b"this is not a pdf", content_type="application/pdf")
    response = as_("agency_lead").post(
        urls(plan, "post_update"),
        {
            "version": "1",
            "declared_state": "completed",
            "narrative": "Done.",
            "attachments": fake,
        },
    )
    assert "content does not match its name" in response.content.decode()
    assert ProgressUpdate.objects.count() == 0
    assert EvidenceFile.objects.count() == 0


def test_an_evidence_file_over_the_size_limit_or_of_an_unknown_type_is_refused(as_, plan, settings):
    settings.MAX_ATTACHMENT_BYTES = 1024
    big = SimpleUploadedFile("notes.txt", b"a" * 2048, content_type="text/plain")
    response = as_("agency_lead").post(
        urls(plan, "post_update"),
        {
            "version": "1",
            "declared_state": "progressing",
            "narrative": "Notes.",
            "attachments": big,
        },
    )
    assert "the limit is" in response.content.decode()
    script = SimpleUploadedFile("evidence.html", b"<script>alert(1)</script>", content_type="text/html")
    response = as_("agency_lead").post(
        urls(plan, "post_update"),
        {
            "version": "1",
            "declared_state": "progressing",
            "narrative": "Notes.",
            "attachments": script,
        },
    )
    assert "not a type of file we accept" in response.content.decode()
    assert ProgressUpdate.objects.count() == 0


def test_completion_without_evidence_is_refused_on_the_form(as_, plan):
    response = as_("agency_lead").post(
        urls(plan, "post_update"),
        {
            "version": "1",
            "declared_state": "completed",
            "narrative": "Done.",
            "evidence": "",
        },
    )
    assert "Describe or attach the evidence" in response.content.decode()
    assert ProgressUpdate.objects.count() == 0


def test_viewing_an_unpublished_reviews_plan_is_audited_and_a_published_ones_is_not(as_, plan, people, northshire):
    as_("chair").get(urls(plan, "plan"))
    as_("agency_lead").get(urls(plan, "detail"))
    assert AuditEvent.objects.filter(action="action_plan.view", actor=people.chair).count() == 1
    assert AuditEvent.objects.filter(action="action.view", actor=people.agency_lead).count() == 1
    published = make_review(northshire, created_by=people.manager, status="published", pseudonym="Child P")
    as_("chair").get(reverse("actions:plan", args=[published.reference]))
    assert AuditEvent.objects.filter(action="action_plan.view", actor=people.chair).count() == 1


def test_the_dashboard_puts_the_reviews_with_overdue_actions_first(as_, plan, people, northshire):
    late_review = make_review(
        northshire, created_by=people.manager, pseudonym="Child L", commissioned_on=datetime.date(2024, 1, 1)
    )
    recommendation = recommendation_create(
        actor=people.manager, review=late_review, number=1, text="Do it.", finding=None, agency=None
    )
    action_create(
        actor=people.manager,
        recommendation=recommendation,
        data=action_input(northshire, due_on=datetime.date(2024, 6, 1)),
    )
    page = as_("chair").get(reverse("actions:dashboard")).content.decode()
    assert page.index(late_review.reference) < page.index(plan.review.reference)
    rows = list(csv.reader(io.StringIO(as_("chair").get(urls(plan, "dashboard_csv")).content.decode())))
    assert rows[0][:4] == ["Review", "Partnership", "Review status", "Overdue"]
    assert rows[1][0] == late_review.reference
    assert rows[1][3] == "1"
    assert rows[2][0] == plan.review.reference
    assert rows[2][-1] == "2"


def test_the_dashboard_shows_a_review_on_hold_for_parallel_proceedings(as_, plan, people):
    from bs4 import BeautifulSoup

    from casereviews.reviews.services import hold_start

    def row_text() -> str:
        soup = BeautifulSoup(as_("chair").get(reverse("actions:dashboard")).content, "html.parser")
        link = soup.find("a", string=plan.review.reference)
        return link.find_parent("tr").get_text(" ", strip=True)

    assert "On hold" not in row_text()
    hold_start(
        actor=people.manager,
        review=plan.review,
        kind="criminal_trial",
        reason="The trial of an adult in the household is listed for the spring.",
        starts_on=datetime.date(2025, 5, 1),
    )
    assert "On hold" in row_text()


def test_the_plan_exports_read_back_as_csv_and_excel_with_formulas_neutralised(as_, plan, people, northshire):
    action_create(
        actor=people.manager,
        recommendation=plan.recommendation,
        data=action_input(northshire, description='=HYPERLINK("http://evil.example","click")'),
    )
    client = as_("manager")
    response = client.get(urls(plan, "plan_csv"))
    assert response["Content-Disposition"] == f'attachment; filename="action-plan-{plan.review.reference}.csv"'
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [row["Action"] for row in rows] == ["1.1", "1.2", "1.3"]
    assert rows[0]["Owner agency"] == "Children's social care"
    assert rows[0]["Status"] == "Not started"
    assert rows[0]["Due on"] == plan.own.due_on.isoformat()
    assert rows[0]["Finding text"] == plan.finding.text
    assert rows[0]["Recommendation to"] == "The partnership"
    assert rows[2]["What will be done"].startswith("'=HYPERLINK")

    workbook = load_workbook(io.BytesIO(client.get(urls(plan, "plan_xlsx")).content))
    sheet = workbook.active
    table = [[cell.value for cell in row] for row in sheet.iter_rows()]
    header = table[0]
    assert header[:3] == ["Review", "Finding", "Finding text"]
    first = dict(zip(header, table[1], strict=True))
    assert first["Action"] == "1.1"
    assert first["Due on"].date() == plan.own.due_on
    assert first["How success will be measured"] == plan.own.success_measure
    third = dict(zip(header, table[3], strict=True))
    assert third["What will be done"].startswith("'=HYPERLINK")
    assert sheet["H4"].data_type == "s"
    assert AuditEvent.objects.filter(action="action_plan.download").count() == 2


@pytest.mark.parametrize(
    ("persona", "link"),
    [("chair", "Action plans"), ("agency_lead", "Your agency's actions"), ("referrer", None)],
)
def test_the_navigation_offers_the_action_pages_to_those_who_may_use_them(as_, plan, persona, link):
    response = as_(persona).get(reverse("home"), follow=True)
    assert response.status_code == 200
    page = response.content.decode()
    if link:
        assert link in page
    else:
        assert "Action plans" not in page
        assert "agency's actions" not in page
