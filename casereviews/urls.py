from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

from casereviews.core import security_keys
from casereviews.core import views as core_views

# The admin's own sign-in form would take a password alone; allauth's asks superusers for their code too.
admin.site.login = secure_admin_login(admin.site.login)  # type: ignore[method-assign]

urlpatterns = [
    path("", core_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("readyz", core_views.readyz, name="readyz"),
    # Before allauth's own page at the same address and name: a refused key is said so on the page (ADR 0015).
    path(
        "accounts/2fa/webauthn/reauthenticate/",
        security_keys.confirm_with_security_key,
        name="mfa_reauthenticate_webauthn",
    ),
    path("accounts/", include("allauth.urls")),
    path("referrals/", include("casereviews.referrals.urls")),
    path("reviews/", include("casereviews.reviews.urls")),
    path("library/", include("casereviews.library.urls")),
    path("analysis/", include("casereviews.learning.urls")),
    path("briefings/", include("casereviews.learning.briefing_urls")),
    path("search/", include("casereviews.search.urls")),
    path("", include("casereviews.search.public_urls")),
    path("", include("casereviews.publication.urls")),
    path("actions/", include("casereviews.actions.urls")),
    path("partnerships/", include("casereviews.partnerships.urls")),
    path("retention/", include("casereviews.retention.urls")),
    path("api/", include("casereviews.api.urls")),
    path("admin/", admin.site.urls),
    path("", include("casereviews.core.urls")),
]
