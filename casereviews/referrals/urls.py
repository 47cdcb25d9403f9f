from django.urls import path

from casereviews.referrals import views

app_name = "referrals"

urlpatterns = [
    path("", views.referral_list, name="list"),
    path("new/", views.referral_create, name="create"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard.csv", views.dashboard_csv, name="dashboard_csv"),
    path("<str:reference>/", views.referral_detail, name="detail"),
    path("<str:reference>/notifications/new/", views.notification_create, name="notify"),
    path("<str:reference>/notification-summary/", views.notification_summary, name="notification_summary"),
    path("<str:reference>/assessment/", views.assess, name="assess"),
    path("<str:reference>/recommendation/", views.recommend, name="recommend"),
    path("<str:reference>/panel-response/", views.panel_response, name="panel_response"),
    path("<str:reference>/decision/", views.decide, name="decide"),
    path("<str:reference>/steps/<str:transition_id>/", views.referral_transition, name="transition"),
    path("<str:reference>/attachments/<int:attachment_id>/", views.attachment_download, name="attachment"),
    path("<str:reference>/deadlines/<int:deadline_id>/breach/", views.deadline_breach_reason, name="breach_reason"),
]
