from django.urls import path

from casereviews.retention import views

app_name = "retention"

urlpatterns = [
    path("", views.schedule, name="schedule"),
]
