from django.urls import path, register_converter

from casereviews.actions import views

app_name = "actions"


class ExportFormat:
    regex = "csv|xlsx"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(ExportFormat, "export_format")

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("dashboard.<export_format:fmt>", views.dashboard_export, name="dashboard_export"),
    path("my-agency/", views.agency_actions, name="agency_actions"),
    path("reviews/<str:reference>/", views.plan, name="plan"),
    path("reviews/<str:reference>/plan.<export_format:fmt>", views.plan_export, name="plan_export"),
    path("reviews/<str:reference>/findings/new/", views.finding_edit, name="finding_create"),
    path("reviews/<str:reference>/findings/<int:pk>/", views.finding_edit, name="finding_edit"),
    path("reviews/<str:reference>/recommendations/new/", views.recommendation_edit, name="recommendation_create"),
    path("reviews/<str:reference>/recommendations/<int:pk>/", views.recommendation_edit, name="recommendation_edit"),
    path(
        "reviews/<str:reference>/recommendations/<int:recommendation_id>/actions/new/",
        views.action_create,
        name="action_create",
    ),
    path("<int:pk>/", views.action_detail, name="detail"),
    path("<int:pk>/edit/", views.action_edit, name="edit"),
    path("<int:pk>/updates/new/", views.progress_update_create, name="post_update"),
    path("<int:pk>/accept-evidence/", views.evidence_accept, name="accept_evidence"),
    path("<int:pk>/evidence/<int:file_id>/", views.evidence_download, name="evidence"),
]
