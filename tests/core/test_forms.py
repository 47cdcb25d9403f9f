"""A refused form submission is logged on the security log, naming the form, the fields and the error codes but
never what was typed (ASVS 7.1.3)."""

from __future__ import annotations

import logging

import pytest
from django.urls import reverse

from casereviews.core.forms import ValidationLoggedForm
from casereviews.referrals.forms import GdsForm
from casereviews.search.forms import AlertForm
from tests.conftest import signed_in


def test_a_refused_form_is_logged_with_its_fields_and_codes_but_not_what_was_typed(caplog):
    caplog.set_level(logging.INFO, logger="casereviews.security")
    form = AlertForm(data={"email": "Child Ava Smith " * 20})  # longer than an address may be
    assert not form.is_valid()
    [record] = [r for r in caplog.records if r.name == "casereviews.security"]
    assert record.getMessage().startswith("Form refused: AlertForm (fields: email; codes: ")
    assert "Ava" not in record.getMessage()


def test_a_valid_form_and_an_unbound_form_log_nothing(caplog):
    caplog.set_level(logging.INFO, logger="casereviews.security")
    assert AlertForm(data={"email": "reader@example.org"}).is_valid()
    assert not AlertForm().is_valid()  # a first visit shows the form empty, unbound: not a refusal
    assert not [r for r in caplog.records if r.name == "casereviews.security"]


def test_the_service_forms_and_the_public_alert_form_log_their_refusals():
    assert issubclass(GdsForm, ValidationLoggedForm)
    assert issubclass(AlertForm, ValidationLoggedForm)


@pytest.mark.django_db
def test_a_referral_submitted_empty_is_logged_as_refused_by_the_page(people, caplog):
    caplog.set_level(logging.INFO, logger="casereviews.security")
    response = signed_in(people.referrer).post(reverse("referrals:create"), {})
    assert response.status_code == 200  # shown again with its errors
    messages = [r.getMessage() for r in caplog.records if r.name == "casereviews.security"]
    assert any(message.startswith("Form refused: ReferralForm (fields: ") for message in messages)
    assert any("required" in message for message in messages)
