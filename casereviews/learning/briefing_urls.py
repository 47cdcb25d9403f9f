from django.urls import path

from casereviews.learning import briefing_views as views

app_name = "briefings"

urlpatterns = [
    path("", views.briefing_list, name="list"),
    path("new/", views.briefing_new, name="new"),
    path("drafts/<int:pk>/", views.briefing_edit, name="edit"),
    path("drafts/<int:pk>/approve/", views.briefing_approve, name="approve"),
    path("drafts/<int:pk>/publish/", views.briefing_publish, name="publish"),
    path("<slug:slug>/", views.briefing_public, name="public"),
    path("<slug:slug>/briefing.pdf", views.briefing_pdf, name="pdf"),
    path("<slug:slug>/briefing.docx", views.briefing_docx, name="docx"),
    path("<slug:slug>/7-minute-briefing.pdf", views.briefing_seven_minute, name="seven"),
]
