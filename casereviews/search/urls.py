from django.urls import path

from casereviews.search import views

app_name = "search"

urlpatterns = [
    path("", views.search, name="search"),
    path("export.<str:fmt>", views.export, name="export"),
    path("reports/<int:pk>/", views.report_entry, name="report"),
    path("reports/<int:pk>/pages/<int:number>/", views.report_page, name="page"),
    path("browse/", views.browse, name="browse"),
    path("themes/<str:facet>/<str:code>/", views.browse_theme, name="theme"),
    path("years/<int:year>/", views.browse_year, name="year"),
    path("partnerships/<slug:slug>/", views.browse_partnership, name="partnership"),
]
