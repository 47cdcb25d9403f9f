"""A business manager manages who holds which role in their own partnership: every change audited, refused to
everyone else, never about themselves, and confirmed with the authenticator code when the sign-in is not recent."""

from __future__ import annotations

import datetime
import time
from urllib.parse import urlencode

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from casereviews.core.audit import audit_verify
from casereviews.core.auth import SIGNED_IN_AT_SESSION_KEY
from casereviews.core.errors import InvalidInput, NotAllowed
from casereviews.core.models import AuditEvent
from casereviews.partnerships import services
from casereviews.partnerships.models import Agency, Membership, Role
from casereviews.reviews.services import reviewer_appointment_end
from tests.factories import current_code, make_person, make_review

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()  # used one-time codes are remembered in the cache


def people_url(partnership) -> str:
    return reverse("partnerships:people", args=[partnership.slug])


def add_url(partnership) -> str:
    return reverse("partnerships:role_add", args=[partnership.slug])


def end_url(membership) -> str:
    return reverse("partnerships:role_end", args=[membership.partnership.slug, membership.pk])


def role_of(user, role=None) -> Membership:
    return Membership.objects.get(user=user, **({"role": role} if role else {}))


# -- what the business manager does -------------------------------------------------------------------------------


def test_the_business_manager_sees_everyone_in_their_partnership_with_their_roles(people, northshire, as_):
    page = as_("manager").get(people_url(northshire)).content.decode()
    for person in (people.subgroup, people.chair, people.reviewer, people.agency_lead, people.referrer):
        assert person.display_name in page
    assert escape(role_of(people.agency_lead).agency.name) in page
    for stranger in (people.other_manager, people.analyst, people.outsider):
        assert stranger.display_name not in page
    assert people.manager.display_name + " (you)" in page


def test_the_business_managers_home_is_their_partnerships_people(northshire, as_):
    response = as_("manager").get(reverse("partnerships:home"))
    assert response.status_code == 302 and response["Location"] == people_url(northshire)


def test_the_business_manager_gives_an_existing_person_a_role_and_it_is_audited(people, northshire, as_):
    response = as_("manager").post(add_url(northshire), {"person": "olly@example.org", "role": Role.SUBGROUP_MEMBER})
    assert response.status_code == 302 and response["Location"] == people_url(northshire)
    membership = role_of(people.outsider)
    assert (membership.partnership, membership.role, membership.agency) == (northshire, Role.SUBGROUP_MEMBER, None)
    event = AuditEvent.objects.get(action="membership.add")
    assert (event.actor, event.partnership, event.object_id) == (people.manager, northshire, str(membership.pk))
    assert event.changes == {"person": "olly", "role": Role.SUBGROUP_MEMBER, "agency": ""}
    assert audit_verify()[1] is None
    # The new role applies from their next page: a sub-group member handles confidential material, so they must
    # set up a second factor first.
    olly = Client()
    olly.force_login(people.outsider)
    assert olly.get(reverse("referrals:dashboard"))["Location"] == reverse("mfa_activate_totp")


def test_an_agency_lead_leads_one_of_the_partnerships_own_agencies(people, northshire, glanmor, as_):
    client = as_("manager")
    missing = client.post(add_url(northshire), {"person": "olly", "role": Role.AGENCY_LEAD})
    assert "Choose the agency they lead" in missing.content.decode()
    elsewhere = Agency.objects.filter(partnership=glanmor).first()
    foreign = client.post(add_url(northshire), {"person": "olly", "role": Role.AGENCY_LEAD, "agency": elsewhere.pk})
    assert foreign.status_code == 200 and b"govuk-error-summary" in foreign.content
    with pytest.raises(InvalidInput):
        services.membership_add(
            actor=people.manager,
            partnership=northshire,
            person=people.outsider,
            role=Role.AGENCY_LEAD,
            agency=elsewhere,
        )
    health = Agency.objects.get(partnership=northshire, name="Health visiting")
    client.post(add_url(northshire), {"person": "olly", "role": Role.AGENCY_LEAD, "agency": health.pk})
    assert role_of(people.outsider).agency == health


def test_an_unknown_username_or_address_is_refused_with_a_message(northshire, as_):
    response = as_("manager").post(add_url(northshire), {"person": "nobody@example.org", "role": Role.REFERRER})
    assert response.status_code == 200
    assert "No account has that username or email address" in response.content.decode()
    assert not AuditEvent.objects.filter(action="membership.add").exists()


def test_the_same_role_twice_is_refused(people, northshire, as_):
    response = as_("manager").post(add_url(northshire), {"person": "sam", "role": Role.SUBGROUP_MEMBER})
    assert "Sam is already case review sub-group member here" in response.content.decode()
    assert Membership.objects.filter(user=people.subgroup).count() == 1


def test_the_national_analyst_role_is_not_a_partnerships_to_give(people, northshire, as_):
    response = as_("manager").post(add_url(northshire), {"person": "olly", "role": Role.ANALYST})
    assert response.status_code == 200 and not Membership.objects.filter(user=people.outsider).exists()
    with pytest.raises(InvalidInput):
        services.membership_add(actor=people.manager, partnership=northshire, person=people.outsider, role=Role.ANALYST)


def test_the_business_manager_ends_a_role_and_the_person_loses_access_at_their_next_page(people, northshire, as_):
    sam = as_("subgroup")
    assert sam.get(reverse("referrals:dashboard")).status_code == 200
    membership = role_of(people.subgroup)
    client = as_("manager")
    confirm = client.get(end_url(membership))
    assert "End Sam's role as case review sub-group member?" in confirm.content.decode()
    response = client.post(end_url(membership))
    assert response.status_code == 302 and response["Location"] == people_url(northshire)
    assert not Membership.objects.filter(pk=membership.pk).exists()
    assert sam.get(reverse("referrals:dashboard")).status_code == 403
    event = AuditEvent.objects.get(action="membership.end")
    assert (event.actor, event.partnership, event.object_id) == (people.manager, northshire, str(membership.pk))
    assert event.changes["person"] == "sam" and event.changes["role"] == Role.SUBGROUP_MEMBER
    assert client.post(end_url(membership)).status_code == 404  # already ended


def test_a_lead_reviewer_keeps_the_role_while_appointed_to_a_review(people, northshire):
    review = make_review(northshire, created_by=people.manager, reviewers=(people.reviewer,))
    membership = role_of(people.reviewer)
    with pytest.raises(InvalidInput, match=review.reference):
        services.membership_end(actor=people.manager, membership=membership)
    reviewer_appointment_end(
        actor=people.manager,
        appointment=review.appointments.get(),
        ended_on=datetime.date.today(),
        reason="The review is finished",
    )
    services.membership_end(actor=people.manager, membership=membership)
    assert not Membership.objects.filter(pk=membership.pk).exists()


def test_nobody_changes_their_own_roles(people, northshire, as_):
    own = role_of(people.manager)
    assert b"govuk-error-summary" in as_("manager").post(end_url(own)).content
    with pytest.raises(NotAllowed):
        services.membership_end(actor=people.manager, membership=own)
    with pytest.raises(NotAllowed):
        services.membership_add(actor=people.manager, partnership=northshire, person=people.manager, role=Role.CHAIR)
    assert list(Membership.objects.filter(user=people.manager)) == [own]


def test_two_business_managers_cannot_leave_the_partnership_without_one(people, northshire):
    second = make_person("betty", Role.BUSINESS_MANAGER, northshire)
    services.membership_end(actor=second, membership=role_of(people.manager))
    with pytest.raises(NotAllowed):
        services.membership_end(actor=people.manager, membership=role_of(second))
    assert role_of(second).role == Role.BUSINESS_MANAGER


# -- who is refused -------------------------------------------------------------------------------------------------


def pages(northshire, membership):
    return [people_url(northshire), add_url(northshire), end_url(membership)]


@pytest.mark.parametrize("persona", ["subgroup", "chair", "second_chair", "reviewer", "agency_lead", "referrer"])
def test_the_partnerships_other_people_are_refused(people, northshire, as_, persona):
    client = as_(persona)
    target = role_of(people.other_referrer)
    for url in pages(northshire, target):
        assert client.get(url).status_code == 403, url
    assert client.post(add_url(northshire), {"person": "olly", "role": Role.CHAIR}).status_code == 403
    assert client.post(end_url(target)).status_code == 403
    assert client.get(reverse("partnerships:home")).status_code == 403
    assert Membership.objects.filter(pk=target.pk).exists() and not Membership.objects.filter(user=people.outsider)


@pytest.mark.parametrize("persona", ["other_manager", "analyst", "outsider"])
def test_people_outside_the_partnership_are_told_nothing_about_it(people, northshire, glanmor, as_, persona):
    client = as_(persona)
    target = role_of(people.other_referrer)
    for url in pages(northshire, target):
        assert client.get(url).status_code == 404, url
    assert client.post(add_url(northshire), {"person": "olly", "role": Role.CHAIR}).status_code == 404
    assert client.post(end_url(target)).status_code == 404
    # Another partnership's manager cannot reach this partnership's roles through their own partnership's pages.
    through_own = reverse("partnerships:role_end", args=[glanmor.slug, target.pk])
    assert client.post(through_own).status_code == 404
    assert Membership.objects.filter(pk=target.pk).exists() and not Membership.objects.filter(user=people.outsider)


def test_anonymous_visitors_are_sent_to_sign_in(people, northshire, as_):
    for url in [reverse("partnerships:home"), *pages(northshire, role_of(people.referrer))]:
        response = as_(None).get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("account_login")), url


# -- re-authentication --------------------------------------------------------------------------------------------


def test_a_change_long_after_sign_in_waits_for_the_authenticator_code(people, northshire):
    secret = generate_totp_secret()
    TOTP.activate(people.manager, secret)
    client = Client()
    client.force_login(people.manager)
    session = client.session
    session[SIGNED_IN_AT_SESSION_KEY] = time.time() - 10 * 60
    session.save()
    url = add_url(northshire)
    asked = client.post(url, {"person": "olly", "role": Role.REFERRER})
    assert asked["Location"] == f"{reverse('mfa_reauthenticate')}?{urlencode({'next': url})}"
    assert not Membership.objects.filter(user=people.outsider).exists()
    code = current_code(secret)
    done = client.post(asked["Location"], {"code": code})
    assert done["Location"] == people_url(northshire)
    assert role_of(people.outsider).role == Role.REFERRER

    target = role_of(people.referrer)
    assert client.post(end_url(target)).status_code == 302  # confirmed a moment ago: no need to ask again
    assert not Membership.objects.filter(pk=target.pk).exists()
