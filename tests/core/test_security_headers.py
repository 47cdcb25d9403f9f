import pytest

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
