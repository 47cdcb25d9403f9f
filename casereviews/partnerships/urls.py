from django.urls import path

from casereviews.partnerships import views

app_name = "partnerships"

# A partnership's business manager only (ADR 0012); everyone else is refused.
urlpatterns = [
    path("", views.home, name="home"),
    path("<slug:slug>/people/", views.people, name="people"),
    path("<slug:slug>/people/add-role/", views.role_add, name="role_add"),
    path("<slug:slug>/people/roles/<int:membership_id>/end/", views.role_end, name="role_end"),
]
