"""Stored and reflected cross-site scripting (issue 7): hostile text in every kind of free-text field comes back
escaped, never as markup.

Each test puts the same payload (a script element, an attribute break-out with an event handler and a
`javascript:` address) through the real forms, or the real services where a form is long, and reads the pages
that show it back: the escaped text must be there (so the page did show it) and the raw payload must not. The
reflected paths are the search query, the saved-search page, form errors that repeat what was typed, OAI-PMH
verbs and arguments, and the API's error bodies (as JSON and through the browsable API's HTML).
"""

from __future__ import annotations

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from lxml import etree

from casereviews.actions.models import Action
from casereviews.actions.services import progress_update_post
from casereviews.learning.services import briefing_approve, briefing_draft, briefing_edit, briefing_publish
from casereviews.library.models import ExtractedValue
from casereviews.referrals.models import Referral
from casereviews.reviews import services as review_services
from tests.factories import make_draft, make_referral
from tests.learning.builders import make_report

pytestmark = pytest.mark.django_db

SCRIPT = '<script>alert("xss-script")</script>'
BREAK_OUT = "\"'><img src=x onerror=alert('xss-img')>"
JS_URL = "javascript:alert('xss-url')"
PAYLOAD = f"Seen {SCRIPT} then {BREAK_OUT} and {JS_URL} end"
# What must never reach a page: any of these would run in a browser.
RAW = [
    '<script>alert("xss-script")',
    "<img src=x onerror=",
    'href="javascript:',
    "href='javascript:",
    'src="javascript:',
    'action="javascript:',
]
# What a page that shows the payload must contain instead (Django's escaping of < > " and ').
ESCAPED = [
    "&lt;script&gt;alert(&quot;xss-script&quot;)&lt;/script&gt;",
    "&lt;img src=x onerror=alert(&#x27;xss-img&#x27;)&gt;",
]


# In HTML both quotes must be escaped too, or the payload could close an attribute ("'> then attributes of its
# own). In XML or JSON text they are harmless, and "<" is what matters.
RAW_IN_HTML = ["\"'>", "\"'&gt;"]


def assert_never_raw(response) -> str:
    body = response.content.decode()
    html = response.get("Content-Type", "").startswith("text/html")
    for raw in RAW + (RAW_IN_HTML if html else []):
        assert raw not in body, f"raw payload {raw!r} in {response.request['PATH_INFO']}"
    return body


def assert_shown_escaped(response) -> None:
    assert response.status_code == 200, response.status_code
    body = assert_never_raw(response)
    for escaped in ESCAPED:
        assert escaped in body, f"{escaped!r} not shown on {response.request['PATH_INFO']}"


# -- stored: referrals ----------------------------------------------------------------------------------------


def test_a_referral_form_full_of_markup_is_shown_escaped_to_the_referrer_and_the_case_staff(as_, northshire):
    from tests.referrals.test_views import referral_form

    referrer = as_("referrer")
    response = referrer.post(
        reverse("referrals:create"),
        referral_form(
            northshire,
            what_happened=PAYLOAD,
            referrer_name=PAYLOAD[:190],
            referrer_organisation=PAYLOAD[:190],
            referrer_job_title=PAYLOAD[:190],
            other_agencies=PAYLOAD,
        ),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    referral = Referral.objects.get()
    assert referral.what_happened == PAYLOAD  # stored as typed: escaping is the page's job
    assert_never_raw(referrer.get(response["Location"]))
    staff = as_("manager")
    assert_shown_escaped(staff.get(reverse("referrals:detail", args=[referral.reference])))
    assert_never_raw(staff.get(reverse("referrals:list")))
    assert_never_raw(staff.get(reverse("referrals:dashboard")))


def test_a_refused_referral_form_repeats_what_was_typed_escaped_in_its_fields_and_errors(as_, northshire):
    from tests.referrals.test_views import referral_form

    response = as_("referrer").post(
        reverse("referrals:create"), referral_form(northshire, what_happened=PAYLOAD, child_sex=PAYLOAD)
    )
    assert response.status_code == 200  # the form again, with the error
    assert_shown_escaped(response)


def test_a_reason_for_a_step_is_shown_escaped_on_the_timeline(as_, northshire, people):
    referral = make_referral(northshire, people.referrer)
    staff = as_("manager")
    response = staff.post(
        reverse("referrals:transition", args=[referral.reference, "withdraw"]),
        {"reason": PAYLOAD, "version": referral.version},
    )
    assert response.status_code == 302
    assert_shown_escaped(staff.get(reverse("referrals:detail", args=[referral.reference])))


# -- stored: reviews, drafts and the action plan --------------------------------------------------------------


@pytest.fixture
def plan(northshire, people):
    from casereviews.actions.services import action_create, finding_create, recommendation_create
    from tests.actions.conftest import action_input
    from tests.factories import make_review

    review = make_review(
        northshire,
        created_by=people.manager,
        reviewers=(people.reviewer,),
        status="in_progress",
        pseudonym=SCRIPT + BREAK_OUT,
    )
    finding = finding_create(actor=people.manager, review=review, number=1, text=PAYLOAD)
    recommendation = recommendation_create(
        actor=people.manager, review=review, number=1, text=PAYLOAD, finding=finding, agency=None
    )
    action = action_create(
        actor=people.manager,
        recommendation=recommendation,
        data=action_input(northshire, description=PAYLOAD, lead_name=PAYLOAD[:190], expected_change=PAYLOAD),
    )
    return review, action


def test_review_records_and_draft_comments_are_shown_escaped(as_, people, plan):
    review, _action = plan
    today = timezone.localdate()
    review_services.hold_start(
        actor=people.manager, review=review, kind="criminal_trial", reason=PAYLOAD, starts_on=today
    )
    review_services.practitioner_event_record(
        actor=people.reviewer, review=review, held_on=today, title=PAYLOAD[:190], attendees=PAYLOAD, notes=PAYLOAD
    )
    draft = make_draft(review, by=people.reviewer, pages=[f"Page one. {PAYLOAD}", "Page two."])
    review_services.draft_comment_add(actor=people.manager, draft=draft, text=PAYLOAD, page=1)
    staff = as_("manager")
    assert_shown_escaped(staff.get(reverse("reviews:detail", args=[review.reference])))
    assert_shown_escaped(staff.get(reverse("reviews:draft", args=[review.reference, draft.number])))
    assert_never_raw(staff.get(reverse("reviews:dashboard")))


def test_panel_members_contribution_requests_and_family_notes_are_shown_escaped(as_, people, plan, northshire):
    from casereviews.partnerships.models import Agency

    review, _action = plan
    today = timezone.localdate()
    review_services.panel_member_add(
        actor=people.manager, review=review, name=PAYLOAD[:190], role=PAYLOAD[:190], organisation=PAYLOAD[:190]
    )
    review_services.family_involvement_record(
        actor=people.reviewer, review=review, on=today, family_member=PAYLOAD[:190], outcome="declined",
        declined_reason=PAYLOAD, notes=PAYLOAD,
    )  # fmt: skip
    contribution = review_services.contribution_request(
        actor=people.manager,
        review=review,
        agency=Agency.objects.get(partnership=northshire, name="Children's social care"),
        due_on=today + datetime.timedelta(days=14),
        what_is_asked=PAYLOAD,
    )
    assert_shown_escaped(as_("manager").get(reverse("reviews:detail", args=[review.reference])))
    assert_shown_escaped(as_("agency_lead").get(reverse("reviews:contribution", args=[contribution.pk])))
    assert_never_raw(as_("agency_lead").get(reverse("reviews:contributions")))


def test_a_published_summary_is_shown_escaped_to_the_public(as_, people, northshire):
    from casereviews.publication.services import review_publish
    from tests.publication.conftest import keyed_and_scanned, make_signed_off_review, redact_everything

    review = make_signed_off_review(people, northshire)
    keyed_and_scanned(review, people.manager)
    redact_everything(review, people.manager)
    publication = review_publish(actor=people.manager, review=review, summary=PAYLOAD)
    public = as_(None)
    assert_shown_escaped(public.get(reverse("publication:public_detail", args=[publication.slug])))
    assert_never_raw(public.get(reverse("publication:public_list")))  # the list shows titles, not summaries


def test_action_plan_text_and_progress_notes_are_shown_escaped(as_, people, plan):
    review, action = plan
    staff = as_("manager")
    response = as_("agency_lead").post(
        reverse("actions:post_update", args=[action.pk]),
        {"declared_state": "progressing", "narrative": PAYLOAD, "evidence": PAYLOAD, "version": action.version},
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert Action.objects.get(pk=action.pk).updates.get().narrative == PAYLOAD
    assert_shown_escaped(staff.get(reverse("actions:detail", args=[action.pk])))
    assert_shown_escaped(staff.get(reverse("actions:plan", args=[review.reference])))
    assert_never_raw(staff.get(reverse("actions:dashboard")))
    assert_never_raw(as_("agency_lead").get(reverse("actions:agency_actions")))


def test_a_progress_note_posted_through_the_service_is_escaped_for_the_agency_lead(as_, people, plan):
    _review, action = plan
    progress_update_post(actor=people.agency_lead, action=action, narrative=PAYLOAD, declared_state="progressing")
    assert_shown_escaped(as_("manager").get(reverse("actions:detail", args=[action.pk])))


# -- stored: the library, catalogue corrections and briefings --------------------------------------------------


def test_a_corrected_report_title_is_shown_escaped_to_staff_and_the_public(as_, people, settings, tmp_path):
    from casereviews.search.tasks import apply_index_changes
    from tests.search.builders import make_library_report

    settings.SEARCH_INDEX_DIR = tmp_path / "search-index"
    report = make_library_report("Child Q", ["Domestic abuse was known.", f"The family said {PAYLOAD}"])
    title = ExtractedValue.objects.get(report=report, field="title")
    staff = as_("manager")
    response = staff.post(
        reverse("library:decide", args=[title.pk]),
        {"decision": "correct", "value": PAYLOAD, "note": PAYLOAD, "version": title.version},
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert_shown_escaped(staff.get(reverse("library:detail", args=[report.pk])))
    assert_shown_escaped(staff.get(reverse("library:page", args=[report.pk, 2])))
    apply_index_changes.call()
    public = as_(None)
    assert_shown_escaped(public.get(reverse("search:report", args=[report.pk])))
    assert_shown_escaped(public.get(reverse("search:page", args=[report.pk, 2])))
    results = public.get(reverse("search:search"), {"q": "family said"})
    assert_shown_escaped(results)  # the title in the results, and the snippet of page 2
    assert "<mark>" in results.content.decode()  # the snippet's own markup survives


def test_a_briefing_edited_with_markup_is_escaped_in_the_draft_and_once_published(as_, people):
    make_report(risk_factors=["domestic_abuse"], findings=["Agencies did not share information."], title="Child R")
    briefing = briefing_draft(actor=people.manager, theme_kind="risk_factor", theme_code="domestic_abuse")
    briefing = briefing_edit(
        actor=people.manager, briefing=briefing, title=PAYLOAD[:190], summary=PAYLOAD, statements={}
    )
    staff = as_("manager")
    assert_shown_escaped(staff.get(reverse("briefings:edit", args=[briefing.pk])))
    briefing = briefing_publish(
        actor=people.manager, briefing=briefing_approve(actor=people.manager, briefing=briefing)
    )
    assert_shown_escaped(as_(None).get(reverse("briefings:public", args=[briefing.slug])))
    assert_never_raw(as_(None).get(reverse("briefings:list")))


# -- reflected ------------------------------------------------------------------------------------------------


@pytest.fixture
def search_index(settings, tmp_path):
    from casereviews.search.tasks import apply_index_changes
    from tests.search.builders import make_library_report

    settings.SEARCH_INDEX_DIR = tmp_path / "search-index"
    make_library_report("Child S", ["Domestic abuse was known to the police.", "Nobody asked the child."])
    apply_index_changes.call()


@pytest.mark.parametrize("query", [PAYLOAD, f'"{PAYLOAD}', f"({PAYLOAD}", f"{PAYLOAD} AND", "year:" + PAYLOAD])
def test_a_search_query_is_reflected_escaped_whether_it_parses_or_not(as_, search_index, query):
    response = as_(None).get(reverse("search:search"), {"q": query, "year_from": PAYLOAD})
    assert response.status_code in {200, 400}
    body = assert_never_raw(response)
    assert "&lt;script&gt;" in body


def test_the_saved_search_page_repeats_the_search_escaped_and_refuses_a_broken_one_as_plain_text(as_, search_index):
    # A query whose quotes balance is described on the page; one whose quotes do not is refused in plain text.
    balanced = f"{SCRIPT} <img src=x onerror=alert('xss-img')>"
    response = as_(None).get(reverse("search:alert_new"), {"q": balanced, "risk_factors": balanced})
    assert response.status_code == 200
    body = assert_never_raw(response)
    assert "&lt;script&gt;" in body and "&lt;img src=x onerror=" in body
    refused = as_(None).get(reverse("search:alert_new"), {"q": PAYLOAD})
    assert refused.status_code == 400
    assert refused["Content-Type"].startswith("text/plain")
    assert refused["X-Content-Type-Options"] == "nosniff"


def test_search_exports_with_markup_in_the_query_are_not_html(as_, search_index):
    for fmt in ("csv", "json"):
        response = as_(None).get(reverse("search:export", args=[fmt]), {"q": PAYLOAD})
        assert not response["Content-Type"].startswith("text/html")


@pytest.mark.parametrize(
    "params",
    [
        {"verb": PAYLOAD},
        {"verb": "GetRecord", "identifier": PAYLOAD, "metadataPrefix": "oai_dc"},
        {"verb": "GetRecord", "identifier": "oai:x:report/1", "metadataPrefix": PAYLOAD},
        {"verb": "ListRecords", "metadataPrefix": "oai_dc", "set": PAYLOAD, "from": PAYLOAD},
        {"verb": "ListIdentifiers", "resumptionToken": PAYLOAD},
        {"verb": "Identify", PAYLOAD: PAYLOAD},
    ],
)
def test_oai_pmh_errors_are_well_formed_xml_that_never_carries_the_markup(client, params):
    response = client.get("/oai", params)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/xml")
    assert_never_raw(response)
    etree.fromstring(response.content)  # one element too many, or an unescaped "<", would not parse


def test_api_error_bodies_are_json_and_the_browsable_api_escapes_them(client, people, search_index):
    from rest_framework.test import APIClient

    api = APIClient()
    json_response = api.get("/api/search/", {"year_from": PAYLOAD, "q": PAYLOAD})
    assert json_response.status_code == 400
    assert json_response["Content-Type"].startswith("application/json")
    assert json_response["X-Content-Type-Options"] == "nosniff"
    html_response = client.get("/api/search/", {"year_from": PAYLOAD, "q": PAYLOAD}, HTTP_ACCEPT="text/html")
    assert_never_raw(html_response)
    signed_in = APIClient()
    signed_in.force_authenticate(people.manager)
    refused = signed_in.post(
        "/api/referrals/",
        {"partnership": "northshire", "child_sex": PAYLOAD, "what_happened": PAYLOAD},
        format="json",
    )
    assert refused.status_code == 400
    assert refused["Content-Type"].startswith("application/json")
    not_found = signed_in.get(f"/api/referrals/{PAYLOAD.replace('/', '')}/")
    assert not_found["Content-Type"].startswith("application/json")


def test_a_public_request_for_a_report_is_shown_escaped_to_the_business_manager(as_, people, northshire):
    from casereviews.publication.schedules import close_publication_windows
    from tests.publication.conftest import make_signed_off_review, publish_review

    publication = publish_review(people, make_signed_off_review(people, northshire))
    close_publication_windows(publication.window_ends_on + datetime.timedelta(days=1))
    public = as_(None)
    response = public.post(
        reverse("publication:public_request", args=[publication.slug]),
        {"name": PAYLOAD[:190], "email": "pat@example.org", "organisation": PAYLOAD[:190], "reason": PAYLOAD},
    )
    assert response.status_code in {200, 302}
    assert_never_raw(response)
    staff = as_("manager")
    listing = staff.get(reverse("publication:requests"))
    assert_shown_escaped(listing)
    request_id = int(re.search(r"/publication/requests/(\d+)/", listing.content.decode()).group(1))
    assert_shown_escaped(staff.get(reverse("publication:request_answer", args=[request_id])))


def test_a_page_that_is_not_there_does_not_echo_its_address(as_, northshire, people):
    staff = as_("manager")
    for path in (f"/referrals/{PAYLOAD}/", f"/library/reports/1/?next={PAYLOAD}", f"/reviews/{PAYLOAD}/"):
        assert_never_raw(staff.get(path))
