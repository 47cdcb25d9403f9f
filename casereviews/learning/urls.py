from django.urls import path

from casereviews.learning import views

app_name = "learning"

urlpatterns = [
    path("", views.analysis_index, name="analysis"),
    path("reviews/", views.analysis_cell, name="cell"),
    path("analysis.csv", views.analysis_csv, name="csv"),
    path("analysis.xlsx", views.analysis_xlsx, name="xlsx"),
    path("tables/<slug:key>/", views.analysis_table, name="table"),
]
