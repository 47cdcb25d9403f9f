"""Briefings: drafted from confirmed reviews with citations, edited, approved by a named person, published."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from docx import Document

from casereviews.core.errors import EditConflict, InvalidInput, NotAllowed, TransitionNotAllowed
from casereviews.core.models import AuditEvent
from casereviews.learning import grouping
from casereviews.learning.models import Briefing, BriefingStatus
from casereviews.learning.services import briefing_approve, briefing_draft, briefing_edit, briefing_publish
from tests.learning.builders import make_report

pytestmark = pytest.mark.django_db

SHARE = "Agencies did not share information about the mother's new partner with the health visitor."


@pytest.fixture
def library(people):
    """Three reviews with domestic abuse (two of them name the same failure to share information), one without."""
    return [
        make_report(
            year_published=2021,
            outcome="died",
            death_category="sudi",
            child__age_band="under_1",
            risk_factors=["domestic_abuse", "parental_mental_ill_health"],
            findings=[SHARE, "Supervision of the social worker was irregular."],
            recommendations=[
                "The partnership should review how police share domestic abuse notifications with schools."
            ],
            agencies=["Northshire Police"],
            title="Child A",
        ),
        make_report(
            year_published=2022,
            outcome="seriously_harmed",
            child__age_band="under_1",
            risk_factors=["domestic_abuse"],
            findings=[
                "Agencies did not share information about the new partner of the mother with the health visitor."
            ],
            recommendations=["Police should share domestic abuse notifications with schools the next day."],
            title="Child B",
        ),
        make_report(
            year_published=2023,
            outcome="seriously_harmed",
            child__age_band="11_15",
            risk_factors=["domestic_abuse", "missing_episodes"],
            findings=["Nobody asked the child."],
            title="Child C",
        ),
        make_report(
            year_published=2023,
            outcome="died",
            risk_factors=["poverty"],
            findings=["Poverty mattered."],
            title="Child D",
        ),
    ]


def statements(briefing, key):
    return next(s for s in briefing.content["sections"] if s["key"] == key)["statements"]


def test_a_draft_covers_the_reviews_with_the_theme_and_every_statement_cites_them(people, library):
    briefing = briefing_draft(actor=people.analyst, theme_kind="risk_factor", theme_code="domestic_abuse")
    a, b, c, _d = (report.pk for report in library)
    assert briefing.sample == [a, b, c] and briefing.status == BriefingStatus.DRAFT
    assert briefing.title == "Domestic abuse: learning from case reviews" and briefing.partnership is None
    sample = statements(briefing, "sample")[0]
    assert sample["text"].startswith("This briefing draws on 3 reviews published 2021 to 2023")
    assert sample["reports"] == [a, b, c]
    died = statements(briefing, "commissioned")[0]
    assert (
        died["text"] == "1 of the 3 reviews (33.3%) followed the death of a child (Sudden unexpected death in "
        "infancy (SUDI): 1)."
    )
    assert died["reports"] == [a]
    factors = statements(briefing, "risk_factors")
    assert [f["text"] for f in factors] == [
        "Missing episodes was present in 1 of the 3 reviews (33.3%).",
        "Parental mental ill-health was present in 1 of the 3 reviews (33.3%).",
    ]
    assert factors[1]["evidence"][0]["quote"] == "There was parental mental ill health in the family."
    learning = statements(briefing, "learning")
    assert learning[0]["text"] == f"{SHARE} (a finding in 2 reviews)"
    assert learning[0]["reports"] == [a, b] and len(learning[0]["evidence"]) == 2
    assert all(statement["reports"] for section in briefing.content["sections"] for statement in section["statements"])
    assert "Jaccard" in briefing.notes and "40%" in briefing.notes
    assert AuditEvent.objects.filter(action="briefing.draft", object_id=str(briefing.pk)).exists()


def test_a_sector_briefing_keeps_the_findings_and_recommendations_that_name_the_sector(people, library):
    briefing = briefing_draft(actor=people.manager, theme_kind="sector", theme_code="police")
    assert briefing.sample == [library[0].pk]
    assert briefing.partnership == people.manager.memberships.get().partnership
    recommendations = statements(briefing, "recommendations")
    assert len(recommendations) == 1 and "police" in recommendations[0]["text"]


def test_a_period_and_an_age_band_narrow_the_sample(people, library):
    briefing = briefing_draft(actor=people.analyst, theme_kind="age_band", theme_code="under_1", published_from=2022)
    assert briefing.sample == [library[1].pk]


def test_a_theme_no_confirmed_review_has_is_refused_with_a_reason(people, library):
    with pytest.raises(InvalidInput, match="No confirmed review"):
        briefing_draft(actor=people.analyst, theme_kind="risk_factor", theme_code="online_harm")
    with pytest.raises(InvalidInput):
        briefing_draft(actor=people.analyst, theme_kind="risk_factor", theme_code="nonsense")


@pytest.mark.parametrize("persona", ["referrer", "subgroup", "chair", "reviewer", "agency_lead", "outsider"])
def test_only_analysts_and_business_managers_draft_edit_approve_or_publish(people, library, persona):
    actor = getattr(people, persona)
    briefing = briefing_draft(actor=people.analyst, theme_kind="risk_factor", theme_code="domestic_abuse")
    with pytest.raises(NotAllowed):
        briefing_draft(actor=actor, theme_kind="risk_factor", theme_code="domestic_abuse")
    with pytest.raises(NotAllowed):
        briefing_edit(actor=actor, briefing=briefing, title="x", summary="", statements={})
    with pytest.raises(NotAllowed):
        briefing_approve(actor=actor, briefing=briefing)
    with pytest.raises(NotAllowed):
        briefing_publish(actor=actor, briefing=briefing)


def test_editing_changes_the_words_keeps_the_citations_and_withdraws_an_approval(people, library):
    briefing = briefing_draft(actor=people.analyst, theme_kind="risk_factor", theme_code="domestic_abuse")
    briefing = briefing_approve(actor=people.manager, briefing=briefing)
    assert briefing.status == BriefingStatus.APPROVED and briefing.approved_by == people.manager
    cited = statements(briefing, "learning")[0]["reports"]
    briefing = briefing_edit(
        actor=people.analyst,
        briefing=briefing,
        title="Domestic abuse and sharing information",
        summary="Edited summary.",
        statements={("learning", 0): "Share what you know.", ("learning", 1): ""},
    )
    assert briefing.status == BriefingStatus.DRAFT and briefing.approved_by is None
    learning = statements(briefing, "learning")
    assert learning[0]["text"] == "Share what you know." and learning[0]["reports"] == cited
    assert len(learning) == 2  # three groups, one removed
    with pytest.raises(EditConflict):
        briefing_edit(actor=people.analyst, briefing=briefing, title="t", summary="", statements={}, expected_version=1)
    with pytest.raises(InvalidInput):
        briefing_edit(actor=people.analyst, briefing=briefing, title=" ", summary="", statements={})


def test_a_briefing_is_approved_before_it_is_published_and_then_cannot_change(people, library):
    briefing = briefing_draft(actor=people.analyst, theme_kind="risk_factor", theme_code="domestic_abuse")
    with pytest.raises(TransitionNotAllowed):
        briefing_publish(actor=people.analyst, briefing=briefing)
    briefing = briefing_publish(
        actor=people.analyst, briefing=briefing_approve(actor=people.analyst, briefing=briefing)
    )
    assert briefing.status == BriefingStatus.PUBLISHED and briefing.published_by == people.analyst
    with pytest.raises(TransitionNotAllowed):
        briefing_edit(actor=people.analyst, briefing=briefing, title="t", summary="", statements={})
    assert {"briefing.approve", "briefing.publish"} <= set(AuditEvent.objects.values_list("action", flat=True))


def test_grouping_puts_alike_texts_together_and_keeps_different_ones_apart():
    texts = [
        grouping.Text(1, 1, SHARE),
        grouping.Text(2, 2, "Supervision was irregular."),
        grouping.Text(3, 3, "Agencies did not share information about the new partner with the health visitor."),
    ]
    groups = grouping.group_texts(texts)
    assert [g.report_ids for g in groups] == [[1, 3], [2]]
    assert grouping.content_words("The agencies' records") == frozenset({"record"})


# -- pages ----------------------------------------------------------------------------------------------------------

NOT_BRIEFING_STAFF = [None, "referrer", "subgroup", "chair", "reviewer", "agency_lead", "outsider"]


@pytest.fixture
def draft(people, library):
    return briefing_draft(actor=people.manager, theme_kind="risk_factor", theme_code="domestic_abuse")


@pytest.mark.parametrize("persona", NOT_BRIEFING_STAFF)
def test_people_outside_the_library_team_cannot_draft_or_see_drafts(as_, draft, persona):
    client = as_(persona)
    expected = 302 if persona is None else 403
    assert client.get(reverse("briefings:new")).status_code == expected
    assert client.get(reverse("briefings:edit", args=[draft.pk])).status_code == expected
    for name in ("approve", "publish"):
        assert client.post(reverse(f"briefings:{name}", args=[draft.pk])).status_code == expected
    assert client.get(reverse("briefings:public", args=[draft.slug])).status_code == 404
    assert draft.title not in client.get(reverse("briefings:list")).content.decode()
    draft.refresh_from_db()
    assert draft.status == BriefingStatus.DRAFT


def test_another_partnerships_manager_cannot_see_or_act_on_a_draft(as_, draft):
    client = as_("other_manager")
    assert client.get(reverse("briefings:edit", args=[draft.pk])).status_code == 404
    assert client.post(reverse("briefings:approve", args=[draft.pk])).status_code == 404
    assert draft.title not in client.get(reverse("briefings:list")).content.decode()


def test_a_manager_drafts_edits_approves_and_publishes_through_the_pages(as_, people, library):
    client = as_("manager")
    response = client.post(reverse("briefings:new"), {"theme": "risk_factor:domestic_abuse"})
    briefing = Briefing.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("briefings:edit", args=[briefing.pk])
    page = client.get(response["Location"]).content.decode()
    assert "Learning for improved practice" in page and 'href="#ref-1"' in page
    assert reverse("search:page", args=[library[0].pk, 2]) + "?start=100" in page  # the quoted evidence
    response = client.post(
        reverse("briefings:edit", args=[briefing.pk]),
        {
            "version": briefing.version,
            "title": "Edited title",
            "summary": "S",
            "statement-learning-0": "Share what you know.",
        },
    )
    assert response.status_code == 302
    client.post(reverse("briefings:approve", args=[briefing.pk]), {"version": briefing.version + 1})
    response = client.post(reverse("briefings:publish", args=[briefing.pk]), {"version": briefing.version + 2})
    briefing.refresh_from_db()
    assert briefing.status == BriefingStatus.PUBLISHED and briefing.approved_by == people.manager
    assert response["Location"] == reverse("briefings:public", args=[briefing.slug])


def test_a_draft_with_no_reviews_explains_itself(as_, library):
    response = as_("analyst").post(reverse("briefings:new"), {"theme": "risk_factor:online_harm"})
    assert response.status_code == 200 and "No confirmed review" in response.content.decode()
    response = as_("analyst").post(reverse("briefings:new"), {"theme": ""})
    assert "There is a problem" in response.content.decode() and "Choose a theme or sector" in response.content.decode()


@pytest.mark.parametrize("persona", [None, "referrer", "other_manager"])
def test_a_published_briefing_is_public_with_pdf_word_and_seven_minute_downloads(as_, people, draft, persona):
    briefing_publish(actor=people.manager, briefing=briefing_approve(actor=people.manager, briefing=draft))
    client = as_(persona)
    page = client.get(reverse("briefings:public", args=[draft.slug])).content.decode()
    assert "Domestic abuse: learning from case reviews" in page and "Approved by Bella" in page
    assert draft.title in client.get(reverse("briefings:list")).content.decode()
    pdf = client.get(reverse("briefings:pdf", args=[draft.slug]))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    seven = client.get(reverse("briefings:seven", args=[draft.slug]))
    assert seven.content.startswith(b"%PDF")
    word = client.get(reverse("briefings:docx", args=[draft.slug]))
    text = "\n".join(p.text for p in Document(io.BytesIO(word.content)).paragraphs)
    assert "Learning for improved practice" in text and "[1] Child A" in text and "Approved by Bella" in text


def test_the_api_lists_published_briefings_only(as_, people, draft):
    assert as_(None).get(reverse("api:learning_briefings")).json() == []
    assert as_(None).get(reverse("api:learning_briefing", args=[draft.slug])).status_code == 404
    briefing_publish(actor=people.manager, briefing=briefing_approve(actor=people.manager, briefing=draft))
    listed = as_(None).get(reverse("api:learning_briefings")).json()
    assert [b["slug"] for b in listed] == [draft.slug] and listed[0]["approved_by"] == "Bella"
    detail = as_(None).get(reverse("api:learning_briefing", args=[draft.slug])).json()
    assert detail["content"]["sections"][0]["key"] == "sample"
