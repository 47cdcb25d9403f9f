"""Every page's header navigation is worked out once, in the context processor, with the person's roles read in
one query, which the page's own permission checks share (issue 7: a dozen `{% url %}` lookups, includes and role
checks in base.html on every staff page)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from casereviews.core.context_processors import navigation
from tests.conftest import signed_in

pytestmark = pytest.mark.django_db


def _role_reads(captured: CaptureQueriesContext) -> int:
    """Reads of a person's roles: the header's and the page's permission checks share one a request."""
    return sum(1 for query in captured.captured_queries if 'FROM "partnerships_membership"' in query["sql"])


def test_the_navigation_reads_the_persons_roles_in_one_query_however_often_it_is_asked(people):
    request = RequestFactory().get("/")
    request.user = people.manager
    with CaptureQueriesContext(connection) as captured:
        first = navigation(request)
        again = navigation(request)
    assert len(captured.captured_queries) == 1
    assert first == again
    assert first["nav_is_case_staff"] and first["nav_is_business_manager"] and first["nav_is_library_staff"]


def test_the_navigation_links_are_the_addresses_of_their_pages(people):
    request = RequestFactory().get("/")
    request.user = people.manager
    items = navigation(request)["nav_items"]
    assert [item.text for item in items][:4] == ["Dashboard", "Reviews", "Action plans", "Publication"]
    for item in items:
        expected = reverse("partnerships:home") if item.text == "People and roles" else reverse(item.view_name)
        assert item.href == expected


def test_a_page_reads_the_persons_roles_for_its_header_once(people):
    client = signed_in(people.referrer)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("referrals:list"))
    assert response.status_code == 200
    assert _role_reads(captured) == 1
    assert 'class="govuk-service-navigation__link" href="' + reverse("referrals:list") + '" aria-current="page"' in (
        response.content.decode()
    )


def test_the_navigation_of_someone_signed_out_offers_sign_in_and_reads_nothing(client):
    request = RequestFactory().get("/")
    from django.contrib.auth.models import AnonymousUser

    request.user = AnonymousUser()
    with CaptureQueriesContext(connection) as captured:
        items = navigation(request)["nav_items"]
    assert len(captured.captured_queries) == 0
    assert items[-1].text == "Sign in" and items[-1].href == reverse("account_login")


def test_an_audit_entry_written_on_a_page_view_is_one_insert_after_one_read_of_the_chain_head(people):
    from casereviews.core.audit import audit_record

    audit_record(actor=people.manager, action="dashboard.view", summary="Viewed the case dashboard")  # the head exists
    with CaptureQueriesContext(connection) as captured:
        audit_record(actor=people.manager, action="dashboard.view", summary="Viewed the case dashboard")
    statements = [q["sql"] for q in captured.captured_queries if not q["sql"].startswith(("SAVEPOINT", "RELEASE"))]
    inserts = [sql for sql in statements if sql.startswith("INSERT")]
    head_reads = [sql for sql in statements if sql.startswith("SELECT") and "core_auditchainhead" in sql]
    assert len(inserts) == 1 and "core_auditevent" in inserts[0]
    assert len(head_reads) == 1 and '"core_auditchainhead"."id" = ' in head_reads[0]  # by primary key
    assert not [sql for sql in statements if sql.startswith("SELECT") and 'FROM "core_auditevent"' in sql]
