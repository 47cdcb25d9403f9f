"""Every endpoint of the OpenAPI schema, fuzzed by Schemathesis with and without credentials (issue 7).

The schema is the one the running application serves at /api/schema/ (drf-spectacular), loaded and called
through the WSGI application in-process, against the test database. The credentials are an API token of the
Northshire business manager, in a world with referrals at several steps, a review with an action plan, a
published review with a pending request for its report, library reports with values to decide on and a
published briefing. Path parameters are drawn from that world half the time, so requests reach real records
as well as missing ones; a third of requests are invalid on purpose (Schemathesis's negative mode).

Each response must not be a server error (5xx), and must conform to the schema: a documented status code,
the documented content type, a body that validates against the documented schema and the documented
headers. Failures are collected across all operations and reported together.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from io import StringIO
from typing import Any

import pytest
import schemathesis
from django.core.cache import cache
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from casereviews.learning.analysis import TABLES_BY_KEY
from casereviews.learning.services import briefing_approve, briefing_draft, briefing_publish
from casereviews.library.models import ExtractedValue
from casereviews.publication import services as publication_services
from casereviews.publication.schedules import close_publication_windows
from casereviews.referrals import services as referral_services
from casereviews.wsgi import application
from tests.factories import make_referral
from tests.hostile.hypothesis_profiles import RANDOM, SCALE
from tests.learning.builders import make_report

pytestmark = pytest.mark.django_db

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]
# Examples per operation: with credentials most requests get past authentication, so they get more.
EXAMPLES_SIGNED_IN = max(1, round(50 * SCALE))
EXAMPLES_ANONYMOUS = max(1, round(10 * SCALE))


@pytest.fixture(autouse=True)
def connection_kept_open_between_requests():
    """Calling the WSGI application directly sends the request signals that close the database connection; the
    test's transaction lives on that connection. Django's own test client disconnects them in the same way."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@dataclass
class World:
    token: str
    known: dict[str, list[Any]] = field(default_factory=dict)


@pytest.fixture
def world(people, northshire, settings, tmp_path) -> World:
    """A business manager's token and the records their partnership holds, by the path parameter naming them."""
    from casereviews.search.tasks import apply_index_changes
    from tests.search.builders import make_library_report

    settings.SEARCH_INDEX_DIR = tmp_path / "search-index"
    from tests.actions.conftest import action_input
    from tests.publication.conftest import make_signed_off_review, publish_review

    submitted = make_referral(northshire, people.referrer)
    accepted = make_referral(northshire, people.referrer, child_reference="NS-000124")
    referral_services.referral_transition(actor=people.manager, referral=accepted, transition_id="accept")
    other_partnership = make_referral(people.other_manager.memberships.get().partnership, people.other_manager)

    from casereviews.actions.services import action_create, finding_create, recommendation_create
    from tests.factories import make_review

    review = make_review(northshire, created_by=people.manager, reviewers=(people.reviewer,), status="in_progress")
    finding = finding_create(actor=people.manager, review=review, number=1, text="Information was not shared.")
    recommendation = recommendation_create(
        actor=people.manager, review=review, number=1, text="Share information.", finding=finding, agency=None
    )
    action = action_create(actor=people.manager, recommendation=recommendation, data=action_input(northshire))

    published_review = make_signed_off_review(people, northshire, pseudonym="Child P")
    publication = publish_review(people, published_review)
    close_publication_windows(publication.window_ends_on + datetime.timedelta(days=1))
    publication.refresh_from_db()
    request = publication_services.report_request_submit(
        publication=publication,
        data=publication_services.RequestInput(name="Pat", email="pat@example.org", organisation="", reason="Study"),
        ip_address="192.0.2.1",
    )

    reports = [
        make_report(risk_factors=["domestic_abuse"], findings=["Nobody asked the child."], title="Child A"),
        make_report(reviewed=False, outcome="died", title="Child B"),
    ]
    make_library_report("Child S", ["Domestic abuse was known to the police.", "Nobody asked the child."])
    apply_index_changes.call()
    briefing = briefing_draft(actor=people.manager, theme_kind="risk_factor", theme_code="domestic_abuse")
    briefing = briefing_publish(
        actor=people.manager, briefing=briefing_approve(actor=people.manager, briefing=briefing)
    )

    out = StringIO()
    call_command("create_token", people.manager.username, stdout=out)
    return World(
        token=out.getvalue().strip(),
        known={
            "reference": [submitted.reference, accepted.reference, other_partnership.reference, review.reference,
                          published_review.reference],
            "id": [action.pk, *[report.pk for report in reports],
                   *ExtractedValue.objects.values_list("pk", flat=True)[:5]],
            "slug": [briefing.slug, publication.slug],
            "key": list(TABLES_BY_KEY)[:3],
            "request_id": [request.pk],
            "partnership": ["northshire", "glanmor"],  # in request bodies
        },
    )  # fmt: skip


def strategy_for(operation: Any, known: dict[str, list[Any]]) -> st.SearchStrategy[Any]:
    """Valid requests, invalid ones (wrong types, missing fields, out-of-range values), and valid ones naming real
    records in the path, in about equal measure."""
    strategies = [
        operation.as_strategy(),
        operation.as_strategy(generation_mode=GenerationMode.NEGATIVE),
    ]
    names = [parameter.name for parameter in operation.path_parameters]
    real = [operation.as_strategy(path_parameters={name: value}) for name in names for value in known.get(name, [])]
    if real:
        strategies.append(st.one_of(real))
    return st.one_of(strategies)


def fuzz_every_operation(headers: dict[str, str], known: dict[str, list[Any]], examples: int) -> tuple[list[str], int]:
    """Run every operation of the served schema: the failures, each headed by its operation, and the calls made."""
    schema = schemathesis.openapi.from_wsgi("/api/schema/", application)
    failures = []
    calls = 0
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1

        @settings(
            max_examples=examples,
            deadline=None,
            database=None,
            derandomize=not RANDOM,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=strategy_for(operation, known), data=st.data())
        def call(case: Any, data: st.DataObject) -> None:
            nonlocal calls
            if isinstance(case.body, dict):
                for name in set(case.body) & set(known):
                    if data.draw(st.booleans(), label=f"a real {name}"):
                        case.body[name] = data.draw(st.sampled_from(known[name]), label=name)
            cache.clear()  # the throttles count in the cache: without this, fuzzing soon meets 429
            calls += 1
            case.call_and_validate(headers=headers, checks=CHECKS)

        try:
            call()
        except BaseException as failure:  # Schemathesis raises exception groups; every failure is reported
            if isinstance(failure, KeyboardInterrupt):
                raise
            failures.append(f"{operation.label}\n{failure}"[:3000])
    assert operations >= 30, "the schema lost its operations"
    return failures, calls


def test_every_endpoint_with_a_business_managers_token_never_fails_and_matches_the_schema(world):
    failures, calls = fuzz_every_operation({"Authorization": f"Token {world.token}"}, world.known, EXAMPLES_SIGNED_IN)
    assert not failures, "\n\n".join(failures)
    assert calls >= 15 * 30


def test_every_endpoint_without_credentials_never_fails_and_matches_the_schema(world):
    failures, calls = fuzz_every_operation({}, world.known, EXAMPLES_ANONYMOUS)
    assert not failures, "\n\n".join(failures)
    assert calls >= 3 * 30
