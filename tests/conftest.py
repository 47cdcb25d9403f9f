"""Personas (DESIGN.md): one person per role in Northshire (England), a business manager in Glanmor (Wales),
a national analyst, and anonymous visitors."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.test import Client

from casereviews.partnerships.models import Role
from tests.clamd import antivirus, clamd_daemon  # noqa: F401 - a real clamd, one per test session (tests/clamd.py)
from tests.factories import make_partnership, make_person


@pytest.fixture
def northshire(db):
    return make_partnership("Northshire")


@pytest.fixture
def glanmor(db):
    return make_partnership("Glanmor", nation="wales")


@pytest.fixture
def people(northshire, glanmor):
    """Everyone, by persona name."""
    return SimpleNamespace(
        manager=make_person("bella", Role.BUSINESS_MANAGER, northshire),
        subgroup=make_person("sam", Role.SUBGROUP_MEMBER, northshire),
        chair=make_person("charlotte", Role.CHAIR, northshire),
        second_chair=make_person("chris", Role.CHAIR, northshire),
        reviewer=make_person("lewis", Role.LEAD_REVIEWER, northshire),
        agency_lead=make_person("agnes", Role.AGENCY_LEAD, northshire),
        referrer=make_person("rory", Role.REFERRER, northshire),
        other_referrer=make_person("ruth", Role.REFERRER, northshire),
        analyst=make_person("nadia", Role.ANALYST, None),
        other_manager=make_person("gareth", Role.BUSINESS_MANAGER, glanmor),
        outsider=make_person("olly", None, None),
    )


def signed_in(user) -> Client:
    """A client signed in as `user`, with a second factor set up for staff so no set-up redirect intervenes."""
    if not user.authenticator_set.exists():
        TOTP.activate(user, generate_totp_secret())
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def as_(people):
    """`as_("manager")` is a client signed in as that persona; `as_(None)` is anonymous."""

    def client_for(persona: str | None) -> Client:
        return Client() if persona is None else signed_in(getattr(people, persona))

    return client_for
