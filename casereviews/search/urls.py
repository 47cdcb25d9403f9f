from django.urls import path

from casereviews.search import views

app_name = "search"

urlpatterns = [
    path("", views.search, name="search"),
    path("export.<str:fmt>", views.export, name="export"),
    path("reports/<int:pk>/pages/<int:number>/", views.report_page, name="page"),
]
