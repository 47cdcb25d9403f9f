from django.urls import path

from casereviews.search import views
from casereviews.search.feeds import SearchFeed

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
    path("feed.atom", SearchFeed(), name="feed"),
    path("alerts/new/", views.alert_new, name="alert_new"),
    path("alerts/sent/", views.alert_sent, name="alert_sent"),
    path("alerts/confirm/<str:token>/", views.alert_confirm, name="alert_confirm"),
    path("alerts/stop/<str:token>/", views.alert_unsubscribe, name="alert_unsubscribe"),
]
