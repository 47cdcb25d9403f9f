"""The shared page frame, the shared includes and the GOV.UK-styled allauth pages, rendered for real."""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

import pytest
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import (
    TOTP,
    generate_totp_secret,
)
from bs4 import BeautifulSoup, Tag
from django import forms
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages import constants as message_levels
from django.contrib.messages.storage.base import Message
from django.core.paginator import Paginator
from django.http.response import HttpResponseBase
from django.template.loader import render_to_string
from django.test import Client, RequestFactory
from django.urls import reverse

from tests.conftest import signed_in
from tests.factories import PASSWORD, current_code, make_person

pytestmark = pytest.mark.django_db


class PageResponse(Protocol):
    content: bytes


def soup_of(response: PageResponse) -> BeautifulSoup:
    return BeautifulSoup(response.content.decode(), "html.parser")


def the(soup: BeautifulSoup | Tag, selector: str) -> Tag:
    found = soup.select_one(selector)
    assert found is not None, f"nothing matches {selector!r}"
    return found


def nav_texts(soup: BeautifulSoup) -> list[str]:
    return [item.get_text(" ", strip=True) for item in soup.select(".govuk-service-navigation__item")]


def sign_in_with_password(client: Client, username: str) -> HttpResponseBase:
    return client.post(reverse("account_login"), {"login": username, "password": PASSWORD})


def confirm_password(client: Client) -> None:
    """Setting up or viewing a second factor asks for the password again, however recent the sign-in."""
    response = client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    assert response.status_code == 302


def test_sign_in_page_is_a_govuk_page_without_the_crown_or_logotype(client: Client) -> None:
    response = client.get(reverse("account_login"))
    soup = soup_of(response)

    assert response.status_code == 200
    html = the(soup, "html")
    assert html["lang"] == "en-GB"
    assert "govuk-template" in html["class"]
    assert "govuk-template__body" in the(soup, "body")["class"]
    assert soup.title is not None and soup.title.get_text(strip=True) == "Sign in – Case Reviews"
    assert the(soup, "a.govuk-skip-link")["href"] == "#main-content"
    assert "govuk-main-wrapper" in the(soup, "main#main-content")["class"]
    assert the(soup, "main").find_parent(class_="govuk-width-container") is not None
    assert the(soup, ".govuk-service-navigation__service-name").get_text(strip=True) == "Case Reviews"
    assert "Beta" in the(soup, ".govuk-phase-banner").get_text()
    assert the(soup, "link[rel=stylesheet]")["href"] == settings.STATIC_URL + "css/app.css"
    lowered = response.content.decode().lower()
    for brand_mark in ("govuk-header", "govuk-logo", "logotype", "crown", "crest", "gds transport"):
        assert brand_mark not in lowered


def test_pages_carry_no_inline_script_so_a_strict_content_security_policy_can_apply(client: Client) -> None:
    soup = soup_of(client.get(reverse("account_login")))

    scripts = soup.find_all("script")
    assert scripts
    for script in scripts:
        assert script.get("src"), f"inline script: {script}"
        assert not script.get_text(strip=True)
    assert the(soup, "script[type=module]")["src"] == settings.STATIC_URL + "js/app.js"
    assert not [tag for tag in soup.find_all(True) if any(name.startswith("on") for name in tag.attrs)]


def test_sign_in_page_offers_no_sign_up(client: Client) -> None:
    response = client.get(reverse("account_login"))

    assert reverse("account_signup") not in response.content.decode()
    assert "sign up" not in soup_of(response).get_text().lower()


def test_sign_in_fields_are_labelled_govuk_inputs_that_keep_their_autocomplete(client: Client) -> None:
    soup = soup_of(client.get(reverse("account_login")))

    for field_id, autocomplete in (("id_login", "email"), ("id_password", "current-password")):
        field = the(soup, f"input#{field_id}")
        assert "govuk-input" in field["class"]
        assert field["autocomplete"] == autocomplete
        assert "govuk-label" in the(soup, f"label[for={field_id}]")["class"]
        assert the(soup, f"#div_{field_id}").name == "div"
        assert "govuk-form-group" in the(soup, f"#div_{field_id}")["class"]
    password_hint = the(soup, "#id_password_hint")
    assert the(soup, "input#id_password")["aria-describedby"] == "id_password_hint"
    assert password_hint.a is not None and password_hint.a["href"] == reverse("account_reset_password")
    assert "govuk-button" in the(soup, "form button[type=submit]")["class"]
    assert "govuk-heading-l" in the(soup, "h1")["class"]


def test_failed_sign_in_shows_a_focusable_error_summary_and_says_error_in_the_title(client: Client) -> None:
    make_person("rory", None, None)

    soup = soup_of(client.post(reverse("account_login"), {"login": "rory", "password": "not the password"}))

    assert soup.title is not None and soup.title.get_text(strip=True).startswith("Error: Sign in")
    summary = the(soup, ".govuk-error-summary")
    assert summary["tabindex"] == "-1"
    assert summary["data-module"] == "govuk-error-summary"
    assert the(summary, "[role=alert] .govuk-error-summary__title").get_text(strip=True) == "There is a problem"
    assert "not correct" in the(summary, ".govuk-error-summary__list").get_text()
    assert summary.find_next("h1") is not None, "the error summary comes before the heading"


PUBLIC_SECTIONS = ["Search reviews", "Published reviews", "Analysis", "Briefings"]


def test_anonymous_visitor_is_offered_the_public_sections_and_sign_in(client: Client) -> None:
    soup = soup_of(client.get(reverse("account_login")))

    assert nav_texts(soup) == [*PUBLIC_SECTIONS, "Sign in"]
    current = the(soup, ".govuk-service-navigation__item--active a")
    assert current["aria-current"] == "page"


def test_business_manager_sees_every_section_and_signs_out_with_a_post_button(people) -> None:
    soup = soup_of(signed_in(people.manager).get(reverse("mfa_index")))

    assert nav_texts(soup) == [
        "Dashboard",
        "Reviews",
        "Action plans",
        "Publication",
        "Referrals",
        "Make a referral",
        "Library",
        *PUBLIC_SECTIONS,
        "Audit log",
        "People and roles",
        "Sign out",
    ]
    links = {a.get_text(strip=True): a["href"] for a in soup.select(".govuk-service-navigation__link")}
    assert links["Dashboard"] == reverse("referrals:dashboard")
    assert links["Audit log"] == reverse("core:audit_log")
    assert links["Referrals"] == reverse("referrals:list")
    assert links["Make a referral"] == reverse("referrals:create")
    sign_out = the(soup, ".govuk-service-navigation form")
    assert sign_out["method"] == "post"
    assert sign_out["action"] == reverse("account_logout")
    assert sign_out.select_one("input[name=csrfmiddlewaretoken]") is not None
    assert the(sign_out, "button").get_text(strip=True) == "Sign out"


def test_referrer_sees_neither_the_dashboard_nor_the_audit_log(people) -> None:
    soup = soup_of(signed_in(people.referrer).get(reverse("mfa_index")))

    assert nav_texts(soup) == ["Referrals", "Make a referral", *PUBLIC_SECTIONS, "Sign out"]


def test_an_agency_lead_sees_their_contribution_requests_and_actions_but_no_case_sections(people) -> None:
    soup = soup_of(signed_in(people.agency_lead).get(reverse("mfa_index")))

    assert nav_texts(soup)[:2] == ["Contribution requests", "Your agency's actions"]
    assert not {"Dashboard", "Reviews", "Library", "Publication", "Audit log"} & set(nav_texts(soup))


def test_footer_links_to_accessibility_statement_and_privacy_without_crown_copyright(client: Client) -> None:
    soup = soup_of(client.get(reverse("account_login")))

    footer = the(soup, "footer.govuk-template__footer")
    links = {a.get_text(strip=True): a["href"] for a in footer.select("a.govuk-footer__link")}
    assert links == {
        "Accessibility statement": reverse("core:accessibility"),
        "Privacy": reverse("core:privacy"),
    }
    assert "copyright" not in footer.get_text().lower()
    assert "open government licence" not in footer.get_text().lower()


def test_authenticator_app_set_up_shows_the_qr_code_with_alt_text_and_the_secret_as_copyable_text(
    client: Client,
) -> None:
    make_person("olly", None, None)
    sign_in_with_password(client, "olly")
    confirm_password(client)

    response = client.get(reverse("mfa_activate_totp"))
    soup = soup_of(response)

    assert response.status_code == 200
    qr_code = the(soup, "img.app-qr-code")
    assert str(qr_code["src"]).startswith("data:image/svg+xml")
    assert qr_code["alt"] == "QR code to scan with your authenticator app"
    secret = the(soup, "input#authenticator_secret")
    assert len(secret["value"]) >= 16
    assert secret.has_attr("readonly") and not secret.has_attr("disabled")
    assert "govuk-label" in the(soup, "label[for=authenticator_secret]")["class"]
    assert secret["aria-describedby"] == "authenticator_secret-hint"
    assert the(soup, "#authenticator_secret-hint").get_text(strip=True)
    code = the(soup, "input[name=code]")
    assert "govuk-input" in code["class"]
    assert code["autocomplete"] == "one-time-code"
    assert the(soup, f"label[for={code['id']}]").get_text(strip=True) == "Authenticator code"


def test_wrong_authenticator_code_is_shown_next_to_the_field_and_in_the_summary(client: Client) -> None:
    make_person("olly", None, None)
    sign_in_with_password(client, "olly")
    confirm_password(client)

    soup = soup_of(client.post(reverse("mfa_activate_totp"), {"code": "000000"}))

    code = the(soup, "input[name=code]")
    error = the(soup, ".govuk-error-message")
    assert error["id"] in str(code["aria-describedby"]).split()
    assert code["aria-invalid"] == "true"
    assert "govuk-form-group--error" in the(soup, f"#div_{code['id']}")["class"]
    assert the(soup, ".govuk-error-summary__list a")["href"] == f"#{code['id']}"


def test_second_factor_step_asks_for_a_labelled_one_time_code(client: Client) -> None:
    user = make_person("bella", None, None)
    TOTP.activate(user, generate_totp_secret())

    response = sign_in_with_password(client, "bella")
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_authenticate")
    soup = soup_of(client.get(reverse("mfa_authenticate")))

    code = the(soup, "input[name=code]")
    assert "govuk-input" in code["class"]
    assert code["autocomplete"] == "one-time-code"
    assert "govuk-label" in the(soup, f"label[for={code['id']}]")["class"]
    buttons = soup.select("main .govuk-button")
    assert [button.get_text(strip=True) for button in buttons] == ["Sign In", "Cancel"]
    assert "govuk-button--secondary" in buttons[1]["class"]


def test_recovery_codes_are_listed_in_a_labelled_read_only_box_after_both_factors(client: Client) -> None:
    user = make_person("bella", None, None)
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    codes = RecoveryCodes.activate(user).get_unused_codes()
    sign_in_with_password(client, "bella")
    client.post(reverse("mfa_authenticate"), {"code": current_code(secret)})
    confirm_password(client)

    response = client.get(reverse("mfa_view_recovery_codes"))
    soup = soup_of(response)

    assert response.status_code == 200
    box = the(soup, "textarea#recovery_codes")
    assert "govuk-textarea" in box["class"]
    assert box.has_attr("readonly")
    assert box.get_text().split() == codes
    assert the(soup, "label[for=recovery_codes]").get_text(strip=True) == "Unused codes"


def test_password_reset_page_asks_for_an_email_address_in_a_govuk_input(client: Client) -> None:
    soup = soup_of(client.get(reverse("account_reset_password")))

    email = the(soup, "input[name=email]")
    assert email["type"] == "email"
    assert "govuk-input" in email["class"]
    assert "govuk-label" in the(soup, f"label[for={email['id']}]")["class"]
    assert "govuk-button" in the(soup, "main form button")["class"]


def test_sign_out_confirmation_is_a_post_form_with_a_govuk_button(people) -> None:
    soup = soup_of(signed_in(people.referrer).get(reverse("account_logout")))

    form = the(soup, f"main form[action='{reverse('account_logout')}']")
    assert form["method"] == "post"
    assert the(form, "button[type=submit]")["class"] == ["govuk-button"]


def test_success_message_is_a_success_banner_and_other_messages_are_important_banners() -> None:
    messages = [
        Message(message_levels.SUCCESS, "Referral NS-000123 submitted"),
        Message(message_levels.INFO, "The decision is due in 5 working days"),
    ]

    soup = BeautifulSoup(render_to_string("includes/messages.html", {"messages": messages}), "html.parser")

    success, info = soup.select(".govuk-notification-banner")
    assert "govuk-notification-banner--success" in success["class"]
    assert success["role"] == "alert"
    assert the(success, ".govuk-notification-banner__title").get_text(strip=True) == "Success"
    assert "NS-000123" in success.get_text()
    assert "govuk-notification-banner--success" not in info["class"]
    assert info["role"] == "region"
    assert the(info, ".govuk-notification-banner__title").get_text(strip=True) == "Important"
    assert success["aria-labelledby"] != info["aria-labelledby"]
    assert soup.select_one(f"#{info['aria-labelledby']}") is not None


class DecisionForm(forms.Form):
    reason = forms.CharField()
    outcome = forms.ChoiceField(choices=[("yes", "Yes"), ("no", "No")], widget=forms.RadioSelect)

    def clean(self) -> dict[str, object]:
        raise forms.ValidationError("The decision has already been recorded")


def test_error_summary_links_each_field_error_to_its_input_and_lists_other_errors() -> None:
    form = DecisionForm(data={})
    form.is_valid()

    html = render_to_string(
        "includes/error_summary.html",
        {"form": form, "domain_error": "A review cannot start before a decision"},
    )
    summary = the(BeautifulSoup(html, "html.parser"), ".govuk-error-summary")

    items = summary.select(".govuk-error-summary__list li")
    assert [item.get_text(strip=True) for item in items] == [
        "A review cannot start before a decision",
        "The decision has already been recorded",
        "This field is required.",
        "This field is required.",
    ]
    assert [a["href"] for a in summary.select("a")] == ["#id_reason", "#id_outcome_1"]
    assert summary.select_one("[role=alert]") is not None


def test_error_summary_renders_nothing_without_errors() -> None:
    assert render_to_string("includes/error_summary.html", {"form": DecisionForm()}).strip() == ""


def test_pagination_shows_the_ends_and_the_neighbours_and_keeps_the_search() -> None:
    request = RequestFactory().get("/library/", {"q": "neglect", "page": "5"})
    request.user = AnonymousUser()
    page_obj = Paginator(range(120), 10).page(5)

    html = render_to_string("includes/pagination.html", {"page_obj": page_obj}, request=request)
    soup = BeautifulSoup(html, "html.parser")

    items = [item.get_text(strip=True) for item in soup.select(".govuk-pagination__item")]
    assert items == ["1", "⋯", "4", "5", "6", "⋯", "12"]
    assert the(soup, "[aria-current=page]").get_text(strip=True) == "5"
    assert the(soup, "a[rel=next]")["href"] == "?q=neglect&page=6"
    assert the(soup, "a[rel=prev]")["href"] == "?q=neglect&page=4"


def test_summary_list_row_names_what_the_change_link_changes_and_says_when_a_value_is_missing() -> None:
    html = render_to_string(
        "includes/summary_list_row.html",
        {
            "key": "Child's reference",
            "value": "",
            "action_url": "/referrals/1/edit/",
            "action_hidden": "reference",
        },
    )
    row = the(BeautifulSoup(html, "html.parser"), ".govuk-summary-list__row")

    assert the(row, ".govuk-summary-list__value").get_text(strip=True) == "Not recorded"
    assert the(row, ".govuk-summary-list__actions a").get_text(" ", strip=True) == "Change reference"
    assert the(row, ".govuk-visually-hidden").get_text(strip=True) == "reference"


def test_missing_page_uses_the_service_frame(client: Client) -> None:
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    soup = soup_of(response)
    assert the(soup, "h1").get_text(strip=True) == "Page not found"
    assert the(soup, "a.govuk-skip-link")["href"] == "#main-content"


def test_server_error_page_renders_without_a_request() -> None:
    soup = BeautifulSoup(render_to_string("500.html"), "html.parser")

    assert the(soup, "h1").get_text(strip=True) == "Sorry, there is a problem with the service"
    assert nav_texts(soup) == [*PUBLIC_SECTIONS, "Sign in"]


BUILT_STYLESHEET = Path(settings.BASE_DIR) / "casereviews" / "static" / "css" / "app.css"


@pytest.mark.skipif(not BUILT_STYLESHEET.exists(), reason="run `npm ci && npm run build` to build the stylesheet")
def test_built_stylesheet_uses_a_system_font_and_references_no_gov_uk_brand_asset() -> None:
    css = BUILT_STYLESHEET.read_text()

    assert "font-family:arial,sans-serif" in css
    assert "GDS Transport" not in css
    assert "@font-face" not in css
    assert "crest" not in css
    assert ".govuk-service-navigation" in css
    assert ".app-service-navigation__button" in css


def test_a_signed_in_person_finds_their_sessions_and_second_factor_in_the_footer(people) -> None:
    soup = soup_of(signed_in(people.referrer).get(reverse("referrals:list")))

    footer = the(soup, "footer.govuk-template__footer")
    links = {a.get_text(strip=True): a["href"] for a in footer.select("a.govuk-footer__link")}
    assert links["Your sessions"] == reverse("usersessions_list")
    assert links["Your second factor"] == reverse("mfa_index")
