import json
import os
import subprocess
import sys
import tempfile
from urllib.parse import urlsplit

import pytest
from bs4 import BeautifulSoup
from django.conf import settings
from django.contrib.staticfiles import finders

pytestmark = pytest.mark.django_db

PAGES = ["/", "/accounts/login/", "/library/", "/referrals/", "/api/schema/"]


@pytest.mark.parametrize("path", PAGES)
def test_every_page_type_forbids_inline_script_framing_and_sniffing(as_, path):
    response = as_("manager").get(path)
    policy = response.headers["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_an_anonymous_visitor_gets_the_same_policy(as_):
    assert "script-src 'self'" in as_(None).get("/accounts/login/").headers["Content-Security-Policy"]


# -- the API's documentation page (ASVS 14.2.3): Swagger UI from our own static files, no inline code ---------------


def test_the_api_documentation_loads_everything_from_our_own_site_with_no_inline_script_or_style(client):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    soup = BeautifulSoup(response.content, "html.parser")
    scripts = soup.find_all("script")
    assert scripts and all(script.get("src") and not script.string for script in scripts)
    assert not soup.find_all("style") and not soup.select("[style]")
    addresses = [tag.get("src") or tag.get("href") for tag in soup.find_all(["script", "link", "img"])]
    assert addresses and all(urlsplit(address).netloc == "" for address in addresses), addresses
    assets = [address for address in addresses if address.startswith(settings.STATIC_URL)]
    assert len(assets) == len(addresses) - 1  # and the start-up script, below
    for address in assets:  # every asset is one of our static files (collectstatic gathers the sidecar's)
        assert finders.find(address.removeprefix(settings.STATIC_URL)), address


def test_the_api_documentation_start_up_script_is_served_as_javascript_from_the_page_address(client):
    soup = BeautifulSoup(client.get("/api/docs/").content, "html.parser")
    start_up = [script["src"] for script in soup.find_all("script") if not script["src"].startswith("/static/")]
    assert start_up == ["/api/docs/?script="]
    response = client.get(start_up[0])
    assert response.status_code == 200 and response["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle" in response.content.decode() and "/api/schema/" in response.content.decode()


# -- HSTS (ASVS 14.4.5) -------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def production_hsts() -> dict:
    """The HSTS settings as production loads them (DJANGO_DEBUG=false), in a process of its own."""
    environment = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "MFA_"))}
    environment.update(
        DJANGO_SETTINGS_MODULE="casereviews.settings",
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY="a-secret-for-this-test-only",
        PASSWORD_PEPPER="a-password-pepper-for-this-test-only",
        CASEREVIEWS_VAR_DIR=tempfile.mkdtemp(prefix="casereviews-settings-"),
    )
    names = ["SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_HSTS_PRELOAD"]
    code = (
        f"import json; from django.conf import settings as s; print(json.dumps({{n: getattr(s, n) for n in {names}}}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_production_asks_for_https_for_a_year_on_the_host_and_its_subdomains_but_does_not_preload(production_hsts):
    assert production_hsts == {
        "SECURE_HSTS_SECONDS": 31536000,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SECURE_HSTS_PRELOAD": False,
    }


@pytest.mark.parametrize("path", PAGES)
def test_every_page_type_sent_over_https_in_production_carries_hsts_with_subdomains(
    as_, settings, production_hsts, path
):
    for name, value in production_hsts.items():
        setattr(settings, name, value)
    response = as_("manager").get(path, secure=True)
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


def test_an_anonymous_visitor_over_https_gets_hsts_too_and_plain_http_never_does(as_, settings, production_hsts):
    for name, value in production_hsts.items():
        setattr(settings, name, value)
    assert (
        as_(None)
        .get("/accounts/login/", secure=True)
        .headers["Strict-Transport-Security"]
        .endswith("; includeSubDomains")
    )
    assert "Strict-Transport-Security" not in as_(None).get("/accounts/login/").headers
