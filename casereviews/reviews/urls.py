from django.urls import path

from casereviews.reviews import views

app_name = "reviews"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("reviews.csv", views.dashboard_csv, name="dashboard_csv"),
    path("new/", views.commission, name="commission"),
    path("contributions/", views.contribution_list, name="contributions"),
    path("contributions/<int:request_id>/", views.contribution_detail, name="contribution"),
    path("contributions/<int:request_id>/files/<int:file_id>/", views.contribution_file, name="contribution_file"),
    path("<str:reference>/", views.review_detail, name="detail"),
    path("<str:reference>/terms/", views.terms_edit, name="terms"),
    path("<str:reference>/terms/history/", views.terms_history, name="terms_history"),
    path("<str:reference>/reviewers/new/", views.reviewer_appoint, name="appoint"),
    path("<str:reference>/reviewers/<int:appointment_id>/end/", views.reviewer_end, name="appointment_end"),
    path("<str:reference>/panel/new/", views.panel_member_add, name="panel_add"),
    path("<str:reference>/panel/<int:member_id>/remove/", views.panel_member_remove, name="panel_remove"),
    path("<str:reference>/start/", views.review_start, name="start"),
    path("<str:reference>/milestones/<int:milestone_id>/", views.milestone_replan, name="milestone_replan"),
    path("<str:reference>/contributions/new/", views.contribution_request, name="contribution_request"),
    path("<str:reference>/practitioner-events/new/", views.practitioner_event_add, name="practitioner_event_add"),
    path("<str:reference>/family/new/", views.family_involvement_add, name="family_add"),
    path("<str:reference>/holds/new/", views.hold_add, name="hold_add"),
    path("<str:reference>/holds/<int:hold_id>/end/", views.hold_end, name="hold_end"),
    path("<str:reference>/drafts/new/", views.draft_upload, name="draft_upload"),
    path("<str:reference>/drafts/compare/", views.draft_compare, name="draft_compare"),
    path("<str:reference>/drafts/<int:number>/", views.draft_detail, name="draft"),
    path("<str:reference>/drafts/<int:number>/download/", views.draft_download, name="draft_download"),
    path("<str:reference>/drafts/<int:number>/submit/", views.draft_submit, name="draft_submit"),
    path("<str:reference>/drafts/<int:number>/final/", views.draft_choose_final, name="draft_final"),
    path("<str:reference>/quality/", views.qa_summary, name="qa"),
    path("<str:reference>/quality/return/", views.qa_return, name="qa_return"),
    path("<str:reference>/quality/<int:marker>/", views.marker_edit, name="marker"),
    path("<str:reference>/sign-off/", views.sign_off, name="sign_off"),
    path("<str:reference>/response/", views.written_response, name="response"),
    path("<str:reference>/response/download/", views.written_response_download, name="response_download"),
    path("<str:reference>/dispatches/new/", views.dispatch_add, name="dispatch_add"),
    path("<str:reference>/not-publishing/", views.non_publication, name="non_publication"),
    path("<str:reference>/not-publishing/confirm/", views.not_publish, name="not_publish"),
    path("<str:reference>/not-publishing/withdraw/", views.non_publication_withdraw, name="non_publication_withdraw"),
]
