"""A person's roles are read once a request however many checks ask (the header, the second-factor check, a case
page's permission checks), afresh outside a request, and a role given or ended during a request is what the rest
of that request reads."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from casereviews.core.request_context import RequestMeta, reset_request_meta, set_request_meta
from casereviews.partnerships.models import Membership, Role
from casereviews.partnerships.selectors import holds_role_anywhere, partnership_ids_where, partnerships_where, roles_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def in_a_request():
    token = set_request_meta(RequestMeta(memo={}))
    yield
    reset_request_meta(token)


def queries_for(check) -> int:
    with CaptureQueriesContext(connection) as captured:
        check()
    return len(captured.captured_queries)


def test_within_a_request_the_roles_are_read_once_however_often_the_page_asks(people, northshire, in_a_request):
    assert roles_in(people.manager, northshire) == {Role.BUSINESS_MANAGER}
    assert queries_for(lambda: roles_in(people.manager, northshire)) == 0
    assert queries_for(lambda: holds_role_anywhere(people.manager, {Role.BUSINESS_MANAGER})) == 0
    assert queries_for(lambda: roles_in(people.chair, northshire)) == 1  # another person is read for herself


def test_outside_a_request_every_check_reads_the_roles_afresh(people, northshire):
    roles_in(people.manager, northshire)
    assert queries_for(lambda: roles_in(people.manager, northshire)) == 1


def test_a_role_given_during_a_request_is_what_the_rest_of_the_request_reads(people, northshire, in_a_request):
    assert roles_in(people.manager, northshire) == {Role.BUSINESS_MANAGER}
    given = Membership.objects.create(user=people.manager, partnership=northshire, role=Role.CHAIR)
    assert roles_in(people.manager, northshire) == {Role.BUSINESS_MANAGER, Role.CHAIR}
    given.delete()
    assert roles_in(people.manager, northshire) == {Role.BUSINESS_MANAGER}


def test_roles_in_one_partnership_are_not_roles_in_another(people, glanmor, in_a_request):
    assert roles_in(people.manager, glanmor) == set()
    assert roles_in(people.manager, None) == set()
    assert roles_in(people.analyst, None) == {Role.ANALYST}


def test_the_partnerships_where_a_role_is_held_agree_with_partnerships_where(people, northshire, in_a_request):
    for person in (people.manager, people.chair, people.referrer, people.analyst, people.outsider):
        for roles in ({Role.BUSINESS_MANAGER}, {Role.CHAIR, Role.SUBGROUP_MEMBER}, {Role.ANALYST}, set(Role)):
            expected = sorted(partnerships_where(person, roles).values_list("pk", flat=True))
            assert partnership_ids_where(person, roles) == expected, (person, roles)
            assert holds_role_anywhere(person, roles) is bool(expected), (person, roles)
