"""Who may use every address of the site, declared once per route (the vocabulary is in `access.py`).

Every URL pattern (allauth's, the admin's and the API's included) must have a declaration here, and every
declaration must name a pattern that exists: `test_authorisation_matrix.py` checks both, checks the API's
declarations against its OpenAPI schema, and then sends each method of each route as each persona to the world of
`world.py` (all of it Northshire's unless it says otherwise):

- a referral from `referrer` (not `other_referrer`, who has one of their own), accepted and assessed, with an
  attachment and deadlines;
- a review in progress (`review`) with `reviewer` appointed, drafts, a hold, a panel member, contributions asked of
  the agency `agency_lead` leads and of the Police, and an action plan with an action for each, with evidence;
- a signed-off review at the redaction gate (`gate_review`, nobody appointed) with the board's response, and one
  whose findings are all decided (`ready_review`);
- a published review (`publication`), one whose window has closed (`closed_publication`) with a request for it;
- the public library with a report in it and one nobody has reviewed, a Northshire draft briefing, a national
  one, a published briefing, and a saved search.

`VARIANTS` sends some routes again with another object where the object decides who may see it, and `SECRETS`
lists confidential words of the world with who may meet them: every answer of every route is read for them.
Where DOMAIN.md or DESIGN.md leave the answer open, the declaration takes the more restrictive reading.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.security.access import (
    ANY_CASE_STAFF,
    CASE_STAFF,
    CHAIRS,
    EVERYONE,
    GATE_STAFF,
    LIBRARY_STAFF,
    MANAGER,
    MEMBERS,
    NOBODY,
    REVIEW_TEAM,
    REVIEW_WORKERS,
    SIGNED_IN,
    Route,
    Rule,
    admin_only,
    form,
    page,
    read,
    who,
    write,
)


def ref(path: str) -> Callable[[dict[str, Any]], Any]:
    """`"review.reference"`: the attribute of a named object of the world."""
    name, _, attribute = path.partition(".")

    def value(objects: dict[str, Any]) -> Any:
        found = objects[name]
        return getattr(found, attribute) if attribute else found

    return value


# What each URL argument names, per namespace ("" for routes without one); a route's `at` overrides it.
ARGUMENTS: dict[str, dict[str, Any]] = {
    "referrals": {
        "reference": ref("referral.reference"),
        "attachment_id": ref("attachment.pk"),
        "deadline_id": ref("deadline.pk"),
        "transition_id": "accept",
    },
    "reviews": {
        "reference": ref("review.reference"),
        "request_id": ref("contribution.pk"),
        "file_id": ref("contribution_file.pk"),
        "appointment_id": ref("appointment.pk"),
        "member_id": ref("panel_member.pk"),
        "milestone_id": ref("milestone.pk"),
        "hold_id": ref("hold.pk"),
        "number": 1,
        "marker": 1,
    },
    "actions": {
        "reference": ref("review.reference"),
        "pk": ref("action.pk"),
        "recommendation_id": ref("recommendation.pk"),
        "file_id": ref("evidence_file.pk"),
        "fmt": "csv",
    },
    "publication": {
        "reference": ref("gate_review.reference"),
        "slug": ref("publication.slug"),
        "token": ref("download_token"),
        "request_id": ref("report_request.pk"),
        "finding_id": ref("redaction_finding.pk"),
    },
    "library": {"pk": ref("report.pk"), "number": 1, "value_id": ref("value.pk")},
    "learning": {"key": "year_outcome"},
    "briefings": {"pk": ref("draft_briefing.pk"), "slug": ref("published_briefing.slug")},
    "search": {
        "pk": ref("report.pk"),
        "number": 1,
        "fmt": "csv",
        "facet": "harm_types",
        "code": "neglect",
        "year": 2022,
        "slug": "northshire",
    },
    "api": {
        "reference": ref("referral.reference"),
        "request_id": ref("report_request.pk"),
        "slug": ref("publication.slug"),
        "key": "year_outcome",
    },
    "partnerships": {"slug": ref("partnership.slug"), "membership_id": ref("membership.pk")},
    "admin": {
        "object_id": ref("partnership.pk"),
        "id": ref("partnership.pk"),
        "content_type_id": 1,
        "app_label": "partnerships",
        "url": "no-such-page/",
    },
    "": {"key": "no-such-key", "uidb36": "1", "token": "no-such-token"},
}

# An analysis figure of this small world: a handful of reviews, so every cell is suppressed and the reviews behind
# it are for library staff only (disclosure control, DOMAIN.md "Learning outputs").
SUPPRESSED_CELL = "table=year_outcome&row=2021&column=died"


def _referral_body(objects: dict[str, Any]) -> dict[str, Any]:
    return {
        "partnership": objects["partnership"].slug,
        "referrer_name": "Rory Referrer",
        "referrer_job_title": "Health visitor",
        "referrer_organisation": "Northshire Community Health",
        "referrer_email": "rory@example.org",
        "child_reference": "NS-000999",
        "child_sex": "female",
        "child_disability": "no",
        "looked_after": "no",
        "child_protection_plan": "yes",
        "incident_date": "2025-03-03",
        "aware_on": "2025-03-04",
        "what_happened": "The child was admitted to hospital with an unexplained head injury.",
        "abuse_or_neglect": "suspected",
        "harm_outcome": "seriously_harmed",
        "child_age_years": 1,
    }


def _versioned(name: str, **fields: Any) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """A body carrying the current version of the world's object `name`, so it is not refused as stale."""

    def body(objects: dict[str, Any]) -> dict[str, Any]:
        return {"version": _fresh(objects, name).version, **fields}

    return body


_DECISION = {"option": "lcspr", "rationale": "The criteria are met."}


def _fresh(objects: dict[str, Any], name: str) -> Any:
    found = objects[name]
    return type(found).objects.get(pk=found.pk)


def _case_key(objects: dict[str, Any]) -> dict[str, Any]:
    key = _fresh(objects, "gate_review").case_key
    return {"deny_list": "Poppy Invented\n7 Nowhere Row\nPat Invented", "allow_list": "Child G", "version": key.version}


ROUTES: dict[str, Route] = {
    # -- the site's own pages ---------------------------------------------------------------------------------------
    "home": page(EVERYONE),
    "healthz": page(EVERYONE),
    # Readiness answers 503 when this node cannot serve (here: no task worker), to anyone alike.
    "readyz": page(EVERYONE, answers=frozenset({503})),
    "core:accessibility": page(EVERYONE),
    "core:privacy": page(EVERYONE),
    # A business manager reads their own partnerships' audit log; nobody else reads any.
    "core:audit_log": page(who("manager", "other_manager")),
    # The retention schedule (docs/retention.md) is the service's, not one partnership's: every business manager
    # reads it, nobody else.
    "retention:schedule": read(who("manager", "other_manager")),
    # -- signing in (allauth) ---------------------------------------------------------------------------------------
    # Someone already signed in is sent on from the sign-in and sign-up pages; anonymous visitors may use them
    # (sign-up says accounts are provisioned, ADR 0003).
    "account_login": page(who("anonymous"), redirected=SIGNED_IN),
    "account_signup": page(who("anonymous"), redirected=SIGNED_IN),
    "account_logout": page(SIGNED_IN, redirected=who("anonymous")),
    "account_inactive": read(EVERYONE),
    # Staff confirm it is them with their authenticator code: the password page sends them there.
    "account_reauthenticate": page(NOBODY, redirected=SIGNED_IN),
    "account_email": page(SIGNED_IN),
    "account_email_verification_sent": read(EVERYONE),
    "account_change_password": page(SIGNED_IN),
    "account_set_password": page(NOBODY, redirected=SIGNED_IN),
    "account_reset_password": page(EVERYONE),
    "account_reset_password_done": read(EVERYONE),
    "account_reset_password_from_key": page(EVERYONE),
    "account_reset_password_from_key_done": read(EVERYONE),
    # Whoever holds the key confirms the address (allauth's design: the key is the secret), then is sent to sign in.
    "account_confirm_email": form(EVERYONE, at={"key": ref("email_key")}, answers_sign_in=True),
    # Signing in by e-mailed code is not enabled, and the second step exists only during a sign-in.
    "account_confirm_login_code": page(NOBODY, redirected=SIGNED_IN),
    "mfa_index": read(SIGNED_IN),
    "usersessions_list": page(SIGNED_IN),
    "mfa_authenticate": page(NOBODY, redirected=SIGNED_IN),
    "mfa_reauthenticate": page(SIGNED_IN),
    "mfa_activate_totp": page(NOBODY, redirected=SIGNED_IN),
    "mfa_deactivate_totp": page(SIGNED_IN),
    "mfa_view_recovery_codes": read(SIGNED_IN),
    "mfa_generate_recovery_codes": page(SIGNED_IN),
    "mfa_download_recovery_codes": read(SIGNED_IN),
    # Security keys (ADR 0015): everyone signed in lists and adds their own (allauth sends whoever has an address
    # waiting to be confirmed, the outsider here, back to confirm it first); only a key's owner renames or removes
    # it, everyone else is told there is no such key; confirming it is you with a key is for those who have one,
    # the others are sent to confirm with their code. Passkey sign-in (mfa_login_webauthn) is not enabled.
    "mfa_list_webauthn": read(SIGNED_IN),
    "mfa_add_webauthn": page(SIGNED_IN - who("outsider"), redirected=who("outsider")),
    "mfa_reauthenticate_webauthn": page(MANAGER, redirected=SIGNED_IN - MANAGER),
    "mfa_edit_webauthn": page(MANAGER, at={"pk": ref("security_key.pk")}),
    "mfa_remove_webauthn": page(MANAGER, at={"pk": ref("security_key.pk")}),
    # -- referrals --------------------------------------------------------------------------------------------------
    # Everyone signed in has a list: their own referrals, and their partnerships' as case staff.
    "referrals:list": page(SIGNED_IN),
    # Anyone who belongs to a partnership may refer to it (DOMAIN.md: "any professional or agency").
    "referrals:create": form(MEMBERS),
    "referrals:dashboard": page(ANY_CASE_STAFF),
    "referrals:dashboard_csv": page(ANY_CASE_STAFF),
    # The referrer sees their own referral and its status; the partnership's case staff see everything.
    "referrals:detail": page(CASE_STAFF | who("referrer")),
    "referrals:attachment": page(CASE_STAFF | who("referrer")),
    # The deliberations are for case staff; the framework says which of them may record each step.
    "referrals:notification_summary": page(CASE_STAFF),
    "referrals:assess": form(CASE_STAFF),
    "referrals:recommend": form(CASE_STAFF),
    "referrals:decide": form(CASE_STAFF, body=_versioned("referral", differs_reason="", **_DECISION)),
    "referrals:transition": form(CASE_STAFF),
    # Running the process is the business manager's.
    "referrals:notify": form(MANAGER),
    "referrals:panel_response": form(MANAGER),
    "referrals:breach_reason": form(MANAGER),
    # -- reviews ----------------------------------------------------------------------------------------------------
    # The dashboard is for case staff and lead reviewers; an agency lead is sent to their contribution requests.
    "reviews:dashboard": page(ANY_CASE_STAFF | who("reviewer"), redirected=who("agency_lead")),
    "reviews:dashboard_csv": page(ANY_CASE_STAFF | who("reviewer")),
    "reviews:commission": form(who("manager", "other_manager")),
    "reviews:contributions": page(REVIEW_TEAM | who("agency_lead")),
    # The agency lead sees the request to their agency and nothing else of the review; they and the business
    # manager submit it.
    "reviews:contribution": form(REVIEW_TEAM | who("agency_lead"), MANAGER | who("agency_lead")),
    "reviews:contribution_file": page(REVIEW_TEAM | who("agency_lead")),
    "reviews:detail": page(REVIEW_TEAM),
    "reviews:terms_history": page(REVIEW_TEAM),
    "reviews:draft_compare": page(REVIEW_TEAM, query="from=1&to=2"),
    "reviews:draft": form(REVIEW_TEAM, body=lambda o: {"text": "Page two needs the dates."}, changes=REVIEW_TEAM),
    "reviews:draft_download": page(REVIEW_TEAM),
    "reviews:qa": page(REVIEW_TEAM),
    "reviews:terms": form(MANAGER, body=_versioned("review", text="The period from birth."), changes=MANAGER),
    "reviews:appoint": form(MANAGER),
    "reviews:appointment_end": form(MANAGER),
    "reviews:panel_add": form(MANAGER),
    "reviews:panel_remove": form(MANAGER, body=lambda o: {"reason": "Left the panel."}, changes=MANAGER),
    "reviews:start": form(MANAGER),
    "reviews:milestone_replan": form(MANAGER),
    "reviews:contribution_request": form(MANAGER),
    "reviews:hold_add": form(MANAGER),
    "reviews:hold_end": form(MANAGER),
    "reviews:dispatch_add": form(MANAGER),
    "reviews:practitioner_event_add": form(REVIEW_WORKERS),
    "reviews:family_add": form(REVIEW_WORKERS),
    "reviews:draft_upload": form(REVIEW_WORKERS),
    "reviews:draft_submit": form(REVIEW_WORKERS),
    # The chair chooses the final draft and signs off; the sub-group (and the business manager) quality-assure.
    "reviews:draft_final": form(CHAIRS),
    "reviews:sign_off": form(CHAIRS),
    "reviews:qa_return": form(who("manager", "subgroup")),
    "reviews:marker": form(REVIEW_TEAM, CASE_STAFF),
    # The board's written response and a proposal not to publish: business manager and chairs.
    "reviews:response": form(GATE_STAFF),
    "reviews:non_publication": form(GATE_STAFF),
    "reviews:not_publish": form(GATE_STAFF),
    "reviews:non_publication_withdraw": form(GATE_STAFF),
    # The board's response as a file, on the signed-off review (nobody is appointed to it).
    "reviews:response_download": page(CASE_STAFF, at={"reference": ref("gate_review.reference")}),
    # -- action plans -----------------------------------------------------------------------------------------------
    "actions:dashboard": read(ANY_CASE_STAFF),
    "actions:dashboard_export": read(ANY_CASE_STAFF),
    "actions:agency_actions": read(who("agency_lead")),
    "actions:plan": read(REVIEW_TEAM),
    "actions:plan_export": read(REVIEW_TEAM),
    # The lead reviewer writes findings and recommendations while the review is open (the report is theirs).
    "actions:finding_create": form(REVIEW_WORKERS),
    "actions:finding_edit": form(REVIEW_WORKERS, at={"pk": ref("finding.pk")}),
    "actions:recommendation_create": form(REVIEW_WORKERS),
    "actions:recommendation_edit": form(REVIEW_WORKERS, at={"pk": ref("recommendation.pk")}),
    # The actions are the partnership's commitments: the business manager's.
    "actions:action_create": form(MANAGER),
    "actions:edit": form(MANAGER),
    "actions:accept_evidence": form(MANAGER),
    # An agency lead sees and reports on the actions their agency owns.
    "actions:detail": read(REVIEW_TEAM | who("agency_lead")),
    "actions:evidence": read(REVIEW_TEAM | who("agency_lead")),
    "actions:post_update": form(
        who("agency_lead"),
        body=_versioned("action", narrative="Half of the audit is done.", declared_state="progressing"),
        changes=who("agency_lead"),
    ),
    # -- publication ------------------------------------------------------------------------------------------------
    "publication:public_list": page(EVERYONE),
    "publication:public_detail": page(EVERYONE),
    "publication:public_download": page(EVERYONE),
    "publication:public_request": form(EVERYONE, at={"slug": ref("closed_publication.slug")}),
    "publication:request_download": page(EVERYONE),
    # The gate, the case key and the scan: business manager and chairs (the findings disclose the case key).
    "publication:home": page(GATE_STAFF | who("other_manager")),
    "publication:gate": page(GATE_STAFF),
    "publication:case_key": form(GATE_STAFF, body=_case_key, changes=GATE_STAFF),
    "publication:scan": write(GATE_STAFF, changes=GATE_STAFF),
    "publication:scan_status": page(GATE_STAFF),
    "publication:finding": form(
        GATE_STAFF, body=_versioned("redaction_finding", decision="redact"), changes=GATE_STAFF
    ),
    "publication:manual": form(GATE_STAFF, body=lambda o: {"text": "Professionals", "page": 2}, changes=GATE_STAFF),
    "publication:bulk": form(
        GATE_STAFF, body=lambda o: {"finding_type": "KNOWN_NAME", "decision": "redact"}, changes=GATE_STAFF
    ),
    "publication:preview": page(GATE_STAFF),
    # Only the business manager publishes and answers requests for a report after its window.
    # (on a review whose every finding is decided, so that the business manager's publishing succeeds)
    "publication:publish": form(
        MANAGER,
        at={"reference": ref("ready_review.reference")},
        body=_versioned("ready_review", summary="Child R was seriously harmed. Agencies did not share information."),
        changes=MANAGER,
    ),
    "publication:requests": page(who("manager", "other_manager")),
    "publication:request_answer": form(MANAGER, body=_versioned("report_request", answer="grant"), changes=MANAGER),
    # -- the library (national: analysts and every business manager) ------------------------------------------------
    "library:list": page(LIBRARY_STAFF),
    "library:upload": form(LIBRARY_STAFF),
    "library:detail": page(LIBRARY_STAFF),
    "library:status": page(LIBRARY_STAFF),
    "library:page": page(LIBRARY_STAFF),
    "library:download": page(LIBRARY_STAFF),
    "library:add_code": write(LIBRARY_STAFF, body=lambda o: {"code": "risk_factors:poverty"}, changes=LIBRARY_STAFF),
    "library:reprocess": write(LIBRARY_STAFF, changes=LIBRARY_STAFF),
    "library:decide": write(LIBRARY_STAFF, body=_versioned("value", decision="reject"), changes=LIBRARY_STAFF),
    # -- analysis and briefings -------------------------------------------------------------------------------------
    "learning:analysis": page(EVERYONE),
    "learning:csv": page(EVERYONE),
    "learning:xlsx": page(EVERYONE),
    "learning:table": page(EVERYONE),
    "learning:cell": page(LIBRARY_STAFF, query=SUPPRESSED_CELL),
    "briefings:list": page(EVERYONE),
    "briefings:public": page(EVERYONE),
    "briefings:pdf": page(EVERYONE),
    "briefings:docx": page(EVERYONE),
    "briefings:seven": page(EVERYONE),
    "briefings:new": form(LIBRARY_STAFF),
    # A draft is its partnership's business manager's, and the national analysts': Glanmor's manager gets 404.
    "briefings:edit": form(
        who("manager", "analyst"),
        body=_versioned("draft_briefing", title="Domestic abuse", summary="What the reviews found."),
        changes=who("manager", "analyst"),
    ),
    "briefings:approve": write(
        who("manager", "analyst"), body=_versioned("draft_briefing"), changes=who("manager", "analyst")
    ),
    "briefings:publish": write(who("manager", "analyst")),
    # -- public search, the catalogue, alerts and harvesting -------------------------------------------------------
    "search:search": read(EVERYONE),
    "search:export": read(EVERYONE),
    "search:report": read(EVERYONE),
    "search:page": read(EVERYONE),
    "search:browse": read(EVERYONE),
    "search:theme": read(EVERYONE),
    "search:year": read(EVERYONE),
    "search:partnership": read(EVERYONE),
    "search:feed": page(EVERYONE),
    "search:alert_new": form(EVERYONE, query="q=neglected"),
    "search:alert_sent": read(EVERYONE),
    "search:alert_confirm": form(EVERYONE, at={"token": ref("confirm_token")}, changes=EVERYONE),
    "search:alert_unsubscribe": form(EVERYONE, at={"token": ref("unsubscribe_token")}),
    "oai": page(EVERYONE, query="verb=Identify"),
    "sitemap": page(EVERYONE),
    "robots_txt": read(EVERYONE),
    # -- a partnership's people and their roles: its business manager only ----------------------------------------
    # Each business manager manages one partnership, so the list of partnerships sends them straight to it.
    "partnerships:home": read(Rule(NOBODY, redirected=who("manager", "other_manager"))),
    "partnerships:people": read(MANAGER),
    "partnerships:role_add": form(
        MANAGER, body=lambda o: {"person": "olly", "role": "referrer", "agency": ""}, changes=MANAGER
    ),
    "partnerships:role_end": form(MANAGER, changes=MANAGER),
    # -- the API ----------------------------------------------------------------------------------------------------
    # Any other address under /api/ names nothing: a JSON 404 for everyone.
    "api:not_found": page(NOBODY),
    "api:schema": read(EVERYONE),
    "api:docs": read(EVERYONE),
    # Lists are scoped to the person, so everyone signed in gets one (empty for most).
    # The referral sent is to Northshire: Glanmor's manager may refer only to Glanmor.
    "api:referrals": Route(
        get=Rule(SIGNED_IN),
        post=Rule(MEMBERS - {"other_manager"}),
        body=_referral_body,
        json=True,
        changes=MEMBERS - {"other_manager"},
    ),
    "api:referral": read(CASE_STAFF | who("referrer")),
    "api:notifications": form(
        CASE_STAFF,
        MANAGER,
        body=_versioned("referral", recipient="national_panel", notified_on="2025-03-05", method="Online form"),
        json=True,
        changes=MANAGER,
    ),
    # Through the API the framework's rule on who records each step answers too (the pages show it on the form):
    # the sub-group assesses and recommends, the chair decides, the business manager moves the referral on.
    "api:assessments": form(
        CASE_STAFF,
        who("subgroup"),
        body=_versioned("referral", answers={"abuse_or_neglect": True, "child_died": True}),
        json=True,
        changes=who("subgroup"),
    ),
    "api:recommendations": form(
        CASE_STAFF, who("subgroup"), body=_versioned("referral", **_DECISION), json=True, changes=who("subgroup")
    ),
    "api:panel_responses": form(
        CASE_STAFF,
        MANAGER,
        body=_versioned("referral", received_on="2025-03-10", summary="The Panel agrees."),
        json=True,
    ),
    "api:decision": form(CASE_STAFF, CHAIRS, body=_versioned("referral", **_DECISION), json=True, changes=CHAIRS),
    "api:transitions": write(MANAGER, body=_versioned("referral", transition="accept"), json=True),
    "api:referral_deadlines": read(CASE_STAFF),
    "api:deadlines": read(SIGNED_IN),
    "api:library_reports": form(LIBRARY_STAFF),
    "api:library_report": read(LIBRARY_STAFF, at={"pk": ref("report.pk")}),
    "api:library_value_decision": write(
        LIBRARY_STAFF,
        at={"pk": ref("value.pk")},
        body=lambda o: {"decision": "reject"},
        json=True,
        changes=LIBRARY_STAFF,
    ),
    "api:publication_published": read(EVERYONE),
    "api:publication_published_detail": read(EVERYONE),
    "api:publication_gate": read(GATE_STAFF, at={"reference": ref("gate_review.reference")}),
    "api:publication_requests": read(who("manager", "other_manager")),
    "api:publication_request_answer": write(
        MANAGER, body=lambda o: {"answer": "refuse", "reason": "The report is withdrawn."}, json=True, changes=MANAGER
    ),
    "api:actions": read(SIGNED_IN),
    "api:action": read(REVIEW_TEAM | who("agency_lead"), at={"pk": ref("action.pk")}),
    "api:action_updates": write(
        who("agency_lead"),
        at={"pk": ref("action.pk")},
        body=_versioned("action", declared_state="progressing", narrative="The audit is half done."),
        json=True,
        changes=who("agency_lead"),
    ),
    "api:reviews": read(SIGNED_IN),
    "api:review_contributions": read(SIGNED_IN),
    "api:review": read(REVIEW_TEAM, at={"reference": ref("review.reference")}),
    "api:search": read(EVERYONE, query="q=neglected"),
    "api:learning_briefings": read(EVERYONE),
    "api:learning_briefing": read(EVERYONE, at={"slug": ref("published_briefing.slug")}),
    "api:learning_analysis": read(EVERYONE),
    "api:learning_table": read(EVERYONE),
    "api:learning_reviews": read(LIBRARY_STAFF, query=SUPPRESSED_CELL),
    # -- Django's admin: its sign-in page; every other admin address is declared by `PREFIXES` ------------------------
    # allauth's sign-in (with the code) stands in front of the admin's: anonymous visitors are sent to it, and
    # anyone signed in who is not staff is refused.
    "admin:login": page(NOBODY),
}

# Django's admin lets only staff past its sign-in (`AdminSite.admin_view`), and no persona is staff: every admin
# address, named or not, sends everyone to the admin's sign-in, whatever the method. A model registered later is
# covered by the same rule, which is the admin's own.
PREFIXES: dict[str, Route] = {"admin:": admin_only(), "admin/": admin_only()}


def declared(key: str) -> Route | None:
    """The declaration of a route by its name (or, unnamed, its pattern): its own entry, else its prefix's."""
    if key in ROUTES:
        return ROUTES[key]
    return next((route for prefix, route in PREFIXES.items() if key.startswith(prefix)), None)


# The same route again with another of the world's objects, where the object decides who may see it.
VARIANTS: dict[str, dict[str, Route]] = {
    "referrals:detail": {
        "the other referrer's referral": page(
            CASE_STAFF | who("other_referrer"), at={"reference": ref("other_referral.reference")}
        )
    },
    # A lead reviewer sees only the reviews they are appointed to.
    "reviews:detail": {
        "a review nobody is appointed to": page(CASE_STAFF, at={"reference": ref("gate_review.reference")})
    },
    # An agency lead sees only their own agency's request and actions.
    "reviews:contribution": {
        "the request to the Police": form(REVIEW_TEAM, MANAGER, at={"request_id": ref("police_contribution.pk")})
    },
    "actions:detail": {"the Police's action": read(REVIEW_TEAM, at={"pk": ref("police_action.pk")})},
    "actions:post_update": {"the Police's action": form(NOBODY, at={"pk": ref("police_action.pk")})},
    "api:action": {"the Police's action": read(REVIEW_TEAM, at={"pk": ref("police_action.pk")})},
    # A national analyst's draft briefing is not a partnership's: no business manager sees it.
    "briefings:edit": {"a national draft": form(who("analyst"), at={"pk": ref("national_draft.pk")})},
    # Machine proposals nobody has confirmed are not public: the public catalogue has no such report.
    "search:report": {"a report nobody has reviewed": read(NOBODY, at={"pk": ref("unreviewed_report.pk")})},
    "search:page": {"a report nobody has reviewed": read(NOBODY, at={"pk": ref("unreviewed_report.pk")})},
}


# Confidential words of the world, and who may meet them in any answer of any route: the matrix reads every body
# (pages, files, JSON) it gets back, refusals included, and names a persona shown one they may not see.
SECRETS: list[tuple[str, Callable[[dict[str, Any]], Any], Any]] = [
    ("the referral's reference", ref("referral.reference"), CASE_STAFF | who("referrer")),
    ("the referred child's reference", ref("referral.child_reference"), CASE_STAFF | who("referrer")),
    # The referrer sees their referral and its status, never the deliberations (referrals/rules.py).
    ("the sub-group's deliberations", lambda o: "weighed the hospital", CASE_STAFF),
    ("the other referral's reference", ref("other_referral.reference"), CASE_STAFF | who("other_referrer")),
    (
        "the referral's account of what happened",
        lambda o: "unexplained head injury",
        CASE_STAFF | who("referrer", "other_referrer"),
    ),
    ("the review in progress", ref("review.reference"), REVIEW_TEAM | who("agency_lead")),
    ("a draft's words", lambda o: "Page one, again.", REVIEW_TEAM),
    ("what the agency was asked", lambda o: "A chronology of your agency", REVIEW_TEAM | who("agency_lead")),
    ("what the Police were asked", lambda o: "The police chronology.", REVIEW_TEAM),
    ("the agency's action", lambda o: "Audit twenty strategy discussions", REVIEW_TEAM | who("agency_lead")),
    ("the Police's action", lambda o: "Brief every response officer", REVIEW_TEAM),
    ("the signed-off review", ref("gate_review.reference"), CASE_STAFF),
    ("the review ready to publish", ref("ready_review.reference"), CASE_STAFF),
    ("a name on the case key", lambda o: "Poppy Invented", CASE_STAFF),
    ("an address on the case key", lambda o: "7 Nowhere Row", CASE_STAFF),
    ("a requester's reason", lambda o: "Training for practitioners.", MANAGER),
    ("a requester's e-mail address", lambda o: "rhea@example.org", MANAGER),
    ("an unreviewed report", lambda o: "unicorn child", LIBRARY_STAFF),
]
