from django.urls import path

from casereviews.library import views

app_name = "library"

urlpatterns = [
    path("", views.report_list, name="list"),
    path("upload/", views.report_upload, name="upload"),
    path("reports/<int:pk>/", views.report_detail, name="detail"),
    path("reports/<int:pk>/status.json", views.report_status, name="status"),
    path("reports/<int:pk>/codes/", views.code_add, name="add_code"),
    path("reports/<int:pk>/reprocess/", views.report_reprocess, name="reprocess"),
    path("reports/<int:pk>/pages/<int:number>/", views.report_page, name="page"),
    path("reports/<int:pk>/download/", views.report_download, name="download"),
    path("values/<int:value_id>/decision/", views.value_decide, name="decide"),
]
