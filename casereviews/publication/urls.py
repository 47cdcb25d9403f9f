from django.urls import path

from casereviews.publication import views

app_name = "publication"

urlpatterns = [
    # Public: no sign-in.
    path("published/", views.public_list, name="public_list"),
    path("published/<slug:slug>/", views.public_detail, name="public_detail"),
    path("published/<slug:slug>/report.pdf", views.public_download, name="public_download"),
    path("published/<slug:slug>/request/", views.public_request, name="public_request"),
    path("published/download/<str:token>/", views.request_download, name="request_download"),
    # Staff: the redaction gate, publishing and requests.
    path("publication/", views.publication_home, name="home"),
    path("publication/requests/", views.request_list, name="requests"),
    path("publication/requests/<int:request_id>/", views.request_answer, name="request_answer"),
    path("publication/<str:reference>/", views.gate, name="gate"),
    path("publication/<str:reference>/case-key/", views.case_key, name="case_key"),
    path("publication/<str:reference>/scan/", views.scan_start, name="scan"),
    path("publication/<str:reference>/scan/status.json", views.scan_status, name="scan_status"),
    path("publication/<str:reference>/findings/<int:finding_id>/", views.finding_decide, name="finding"),
    path("publication/<str:reference>/manual/", views.manual_redaction, name="manual"),
    path("publication/<str:reference>/findings/by-type/", views.bulk_decide, name="bulk"),
    path("publication/<str:reference>/preview.pdf", views.preview, name="preview"),
    path("publication/<str:reference>/publish/", views.publish, name="publish"),
]
