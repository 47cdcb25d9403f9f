"""Every password field can be shown in full (ASVS 2.1.12): each page with one draws it as GOV.UK Frontend's
Password input, with its show and hide button, and keeps the autocomplete hint and error messages it had."""

from __future__ import annotations

import re

import pytest
from bs4 import BeautifulSoup, Tag
from django.core import mail
from django.test import Client
from django.urls import reverse

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

CURRENT, NEW = "current-password", "new-password"


def password_fields(html: str) -> dict[str, Tag]:
    """Each password input on the page, by name."""
    soup = BeautifulSoup(html, "html.parser")
    return {field["name"]: field for field in soup.select('input[type="password"]')}


def assert_drawn_as_the_password_input_component(field: Tag) -> None:
    component = field.find_parent(attrs={"data-module": "govuk-password-input"})
    assert component is not None, f"{field['name']} is not inside a govuk-password-input"
    assert {"govuk-form-group", "govuk-password-input"} <= set(component["class"])
    wrapper = field.parent
    assert {"govuk-input__wrapper", "govuk-password-input__wrapper"} <= set(wrapper["class"])
    assert {"govuk-input", "govuk-password-input__input", "govuk-js-password-input-input"} <= set(field["class"])
    assert field["spellcheck"] == "false" and field["autocapitalize"] == "none"
    label = component.select_one(f'label.govuk-label[for="{field["id"]}"]')
    assert label is not None and label.get_text(strip=True)
    toggle = wrapper.select_one("button.govuk-js-password-input-toggle")
    assert toggle is not None, f"{field['name']} has no show/hide button"
    assert toggle["type"] == "button"  # never submits the form
    assert toggle["aria-controls"] == field["id"]
    assert toggle["aria-label"] == "Show password"
    assert toggle["data-module"] == "govuk-button"
    assert toggle.has_attr("hidden")  # GOV.UK Frontend's JavaScript reveals it; without it the button does nothing
    assert {"govuk-button", "govuk-button--secondary", "govuk-password-input__toggle"} <= set(toggle["class"])
    assert toggle.get_text(strip=True) == "Show"


def assert_every_password_field_can_be_shown(html: str, expected: dict[str, str]) -> None:
    """`expected` maps each password field's name to its autocomplete hint; there must be no other."""
    fields = password_fields(html)
    assert {name: field.get("autocomplete") for name, field in fields.items()} == expected
    for field in fields.values():
        assert_drawn_as_the_password_input_component(field)


def signed_in_with_a_password_alone(user) -> Client:  # type: ignore[no-untyped-def]
    # Someone with an authenticator confirms it is them with its code, not a password (ADR 0012): the password
    # pages are for those who have none, as referrers do.
    assert not user.authenticator_set.exists()
    client = Client()
    client.force_login(user)
    return client


def reset_password_page(client: Client) -> str:
    client.post(reverse("account_reset_password"), {"email": "rory@example.org"})
    link = re.search(r"http://\S+/accounts/password/reset/key/\S+/", mail.outbox[-1].body).group(0)
    form_page = client.get(link.split("testserver", 1)[-1])
    assert form_page.status_code == 302  # allauth moves the key out of the address before showing the form
    return form_page["Location"]


def test_the_sign_in_page_lets_a_visitor_show_the_password_they_typed(client):
    response = client.get(reverse("account_login"))
    assert response.status_code == 200
    assert_every_password_field_can_be_shown(response.content.decode(), {"password": CURRENT})


def test_confirming_it_is_you_with_a_password_lets_the_password_be_shown(people):
    response = signed_in_with_a_password_alone(people.referrer).get(reverse("account_reauthenticate"))
    assert response.status_code == 200
    assert_every_password_field_can_be_shown(response.content.decode(), {"password": CURRENT})


def test_changing_a_password_lets_the_old_and_both_new_passwords_be_shown(people):
    response = signed_in_with_a_password_alone(people.referrer).get(reverse("account_change_password"))
    assert response.status_code == 200
    expected = {"oldpassword": CURRENT, "password1": NEW, "password2": NEW}
    assert_every_password_field_can_be_shown(response.content.decode(), expected)


def test_setting_a_first_password_lets_both_new_passwords_be_shown(people):
    people.referrer.set_unusable_password()
    people.referrer.save()
    response = signed_in_with_a_password_alone(people.referrer).get(reverse("account_set_password"))
    assert response.status_code == 200
    assert_every_password_field_can_be_shown(response.content.decode(), {"password1": NEW, "password2": NEW})


def test_resetting_a_password_from_the_emailed_link_lets_both_new_passwords_be_shown(people):
    client = Client()
    response = client.get(reset_password_page(client))
    assert response.status_code == 200
    assert_every_password_field_can_be_shown(response.content.decode(), {"password1": NEW, "password2": NEW})


def test_a_refused_password_keeps_its_error_message_inside_the_component(client, people):
    response = client.post(reverse("account_login"), {"login": "rory", "password": ""})
    assert response.status_code == 200
    html = response.content.decode()
    assert_every_password_field_can_be_shown(html, {"password": CURRENT})
    field = password_fields(html)["password"]
    component = field.find_parent(attrs={"data-module": "govuk-password-input"})
    assert "govuk-form-group--error" in component["class"]
    assert "govuk-input--error" in field["class"]
    error = component.select_one(".govuk-error-message")
    assert error is not None and "This field is required." in error.get_text()
    assert error["id"] in field["aria-describedby"].split()  # read out with the field


def test_a_staff_member_confirms_it_is_them_with_a_code_so_no_password_field_is_offered(people):
    # Not a gap in 2.1.12: staff never type a password to confirm it is them (ADR 0012), only their code.
    from tests.conftest import signed_in

    response = signed_in(people.manager).get(reverse("mfa_reauthenticate"))
    assert response.status_code == 200
    assert password_fields(response.content.decode()) == {}


def test_the_password_typed_on_the_sign_in_page_is_never_sent_back_to_the_browser(client, people):
    # Showing the password is done in the browser alone; a refused sign-in must not echo it into the page.
    response = client.post(reverse("account_login"), {"login": "rory", "password": "not " + PASSWORD})
    field = password_fields(response.content.decode())["password"]
    assert not field.get("value")
