from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.throttling import AnonRateThrottle

from casereviews.api import views
from casereviews.api.base import PersonRateThrottle
from casereviews.api.schema import SCHEMA_SETTINGS

app_name = "api"

urlpatterns = [
    # Building the schema costs a good part of a second of CPU and anyone may ask for it: the same per-person and
    # anonymous throttles as the public endpoints, so it cannot be used to flood a worker.
    path(
        "schema/",
        SpectacularAPIView.as_view(
            custom_settings=SCHEMA_SETTINGS, throttle_classes=[AnonRateThrottle, PersonRateThrottle]
        ),
        name="schema",
    ),
    # The split view serves Swagger UI's start-up script from its own address instead of inline, for our CSP.
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(url_name="api:schema", template_name="api/swagger_ui.html"),
        name="docs",
    ),
    path("referrals/", views.ReferralListCreate.as_view(), name="referrals"),
    path("referrals/<str:reference>/", views.ReferralDetail.as_view(), name="referral"),
    path("referrals/<str:reference>/notifications/", views.NotificationListCreate.as_view(), name="notifications"),
    path("referrals/<str:reference>/assessments/", views.AssessmentListCreate.as_view(), name="assessments"),
    path(
        "referrals/<str:reference>/recommendations/", views.RecommendationListCreate.as_view(), name="recommendations"
    ),
    path("referrals/<str:reference>/panel-responses/", views.PanelResponseListCreate.as_view(), name="panel_responses"),
    path("referrals/<str:reference>/decision/", views.DecisionListCreate.as_view(), name="decision"),
    path("referrals/<str:reference>/transitions/", views.TransitionCreate.as_view(), name="transitions"),
    path("referrals/<str:reference>/deadlines/", views.ReferralDeadlines.as_view(), name="referral_deadlines"),
    path("deadlines/", views.DeadlineList.as_view(), name="deadlines"),
    path("library/", include("casereviews.library.api")),
    path("publication/", include("casereviews.api.publication")),
    path("actions/", include("casereviews.api.actions")),
    path("reviews/", include("casereviews.api.reviews")),
    path("search/", include("casereviews.api.search")),
    path("learning/", include("casereviews.api.learning")),
    # Last: an address under /api/ that names nothing (a malformed id, an unknown path) is a JSON 404 like the
    # views' own, not the HTML page. Only addresses ending in a slash, so a missing slash still redirects.
    re_path(r"^[\s\S]*/$", views.not_found, name="not_found"),  # [\s\S], not ".": an address may hold a newline
]
