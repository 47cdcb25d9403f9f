"""Pages for reviews: thin views over the selectors and services.

Who may see what follows `reviews.rules`: a review the person may not see is a 404 (its existence is not
disclosed), an action on a review they may see but not change is a 403, as in the referrals pages.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from casereviews.core.audit import audit_record
from casereviews.core.errors import DomainError, Duplicate, InvalidInput
from casereviews.core.files import CheckedFile, blob_path, check_attachment
from casereviews.core.paging import page_of
from casereviews.frameworks.services import get_framework
from casereviews.partnerships.models import Partnership, Role, User
from casereviews.partnerships.selectors import holds_role_anywhere, partnerships_where
from casereviews.referrals.forms import GdsForm
from casereviews.referrals.models import Referral
from casereviews.reviews import forms, selectors, services
from casereviews.reviews.models import (
    WORK_STATUSES,
    ContributionFile,
    ContributionRequest,
    DraftVersion,
    Hold,
    Milestone,
    PanelMember,
    Review,
    ReviewerAppointment,
    ReviewStatus,
)
from casereviews.reviews.quality import quality_markers
from casereviews.reviews.rules import CASE_STAFF, remember_roles


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _visible_review(request: HttpRequest, reference: str, reviews: QuerySet[Review] | None = None) -> Review:
    if reviews is None:
        reviews = Review.objects.select_related("partnership", "referral")
    review = get_object_or_404(reviews, reference=reference)
    # The page asks several permissions of this review: the person's roles are read once for them all.
    remember_roles(request.user, review)
    if not request.user.has_perm("reviews.view_review", review):
        raise Http404("No review found")
    return review


def _review_for(request: HttpRequest, reference: str, perm: str) -> Review:
    review = _visible_review(request, reference)
    if not request.user.has_perm(perm, review):
        raise PermissionDenied
    return review


def _audit_view(request: HttpRequest, review: Review, what: str, target: Any = None) -> None:
    audit_record(
        actor=request.user,
        action="review.view",
        summary=f"Viewed {what} of review {review.reference}",
        target=target if target is not None else review,
        partnership=review.partnership,
    )


def _file(form: GdsForm, name: str = "file") -> CheckedFile | None:
    """The uploaded file checked by content, or None with the reason put on the form."""
    upload = form.cleaned_data.get(name)
    if not upload:
        return None
    try:
        return check_attachment(upload.name, upload.read())
    except InvalidInput as error:
        form.add_error(name, error.message)
        return None


def _form_page(
    request: HttpRequest,
    review: Review,
    form: GdsForm,
    action: Callable[[dict[str, Any]], Any],
    *,
    heading: str,
    button: str,
    success: str,
    intro: str = "",
    back: str = "",
    multipart: bool = False,
) -> HttpResponse:
    """Show `form`; on a valid POST run `action` (a service call) and go back to the review, or show its refusal."""
    if request.method == "POST" and form.is_valid():
        try:
            result = action(form.cleaned_data)
        except DomainError as error:
            form.add_domain_error(error)
        else:
            if result is not False:
                messages.success(request, success)
                return redirect(back or reverse("reviews:detail", args=[review.reference]))
    return render(
        request,
        "reviews/form_page.html",
        {
            "review": review,
            "form": form,
            "heading": heading,
            "button": button,
            "intro": intro,
            "back": back or reverse("reviews:detail", args=[review.reference]),
            "multipart": multipart,
        },
    )


# -- the dashboard and the review page ------------------------------------------------------------------------------


def _can_use_dashboard(user: User) -> bool:
    return holds_role_anywhere(user, set(CASE_STAFF) | {Role.LEAD_REVIEWER})


def _dashboard_rows(request: HttpRequest) -> tuple[forms.ReviewFilterForm, list[selectors.ReviewRow]]:
    user = _user(request)
    form = forms.ReviewFilterForm(request.GET or None)
    filters = selectors.DashboardFilters()
    if form.is_valid():
        filters = selectors.DashboardFilters(
            status=form.cleaned_data["status"], flag=form.cleaned_data["flag"], query=form.cleaned_data["query"]
        )
    return form, selectors.dashboard_rows(user, filters, timezone.localdate())


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if not _can_use_dashboard(user):
        if selectors.contribution_requests_visible_to(user).exists():
            return redirect("reviews:contributions")
        raise PermissionDenied
    form, rows = _dashboard_rows(request)
    audit_record(actor=user, action="review.dashboard", summary=f"Viewed the reviews dashboard ({len(rows)} reviews)")
    page = page_of(rows, request.GET.get("page"))
    query = request.GET.urlencode()
    return render(
        request,
        "reviews/dashboard.html",
        {
            "form": form,
            "page_obj": page,
            "rows": page.object_list,
            "today": timezone.localdate(),
            "can_commission": holds_role_anywhere(user, {Role.BUSINESS_MANAGER}),
            "csv_url": reverse("reviews:dashboard_csv") + (f"?{query}" if query else ""),
        },
    )


@login_required
def dashboard_csv(request: HttpRequest) -> HttpResponse:
    """The dashboard as CSV, for the board's report on its reviews."""
    user = _user(request)
    if not _can_use_dashboard(user):
        raise PermissionDenied
    _form, rows = _dashboard_rows(request)
    audit_record(
        actor=user,
        action="review.dashboard_download",
        summary=f"Downloaded the reviews dashboard ({len(rows)} reviews)",
    )
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="reviews.csv"'
    writer = csv.writer(response)
    writer.writerow(
        [
            "Reference",
            "Partnership",
            "Title",
            "Pseudonym",
            "Framework",
            "Review type",
            "Status",
            "Commissioned",
            "Target",
            "Target allowing for holds",
            "Days on hold",
            "On hold for",
            "Overdue",
            "Next milestone",
            "Next milestone due",
        ]
    )
    for row in rows:
        review = row.review
        overdue = [m.get_kind_display() for m in row.overdue_milestones] + [
            f"Contribution from {c.agency.name}" for c in row.overdue_contributions
        ]
        writer.writerow(
            [
                _csv_safe(value)
                for value in (
                    review.reference,
                    review.partnership.name,
                    review.title,
                    review.pseudonym,
                    review.framework_code,
                    review.review_type,
                    review.get_status_display(),
                    review.commissioned_on.isoformat(),
                    review.target_completion_on.isoformat() if review.target_completion_on else "",
                    row.target_with_holds.isoformat() if row.target_with_holds else "",
                    str(row.held_days),
                    "; ".join(f"{h.get_kind_display()}: {h.reason}" for h in row.active_holds),
                    "; ".join(overdue),
                    row.next_milestone.get_kind_display() if row.next_milestone else "",
                    row.next_milestone.due_on.isoformat() if row.next_milestone else "",
                )
            ]
        )
    return response


def _csv_safe(value: str) -> str:
    """Text a spreadsheet would run as a formula is prefixed with an apostrophe (CSV injection)."""
    return f"'{value}" if value[:1] in {"=", "+", "-", "@", "\t", "\r"} else value


@login_required
def review_detail(request: HttpRequest, reference: str) -> HttpResponse:
    user = _user(request)
    # Everything the page and its selectors read more than once, read once (issue 7: the page cost 55 queries).
    review = _visible_review(
        request,
        reference,
        Review.objects.select_related(
            "partnership", "referral", "written_response", "non_publication"
        ).prefetch_related(Prefetch("holds", queryset=Hold.objects.select_related("recorded_by"))),
    )
    today = timezone.localdate()
    framework = get_framework(review.framework_code)
    _audit_view(request, review, "the page")
    draft_list = list(review.drafts.select_related("uploaded_by"))
    context = {
        "review": review,
        "framework": framework,
        "review_type": framework.review_type(review.review_type),
        "row": selectors.review_row(review, today),
        "today": today,
        "terms": review.terms_versions.select_related("recorded_by").first(),
        "terms_count": review.terms_versions.count(),
        "appointments": review.appointments.select_related("reviewer"),
        "required_reviewers": services.required_lead_reviewers(review),
        "panel": review.panel_members.select_related("agency"),
        "agencies": review.agencies.all(),
        "contributions": review.contributions.select_related("agency"),
        "practitioner_events": review.practitioner_events.all(),
        "family": review.family_involvement.all(),
        "holds": review.holds.all(),
        "drafts": draft_list,
        "final_draft": next((d for d in draft_list if d.is_final), None),
        "open_submission": review.qa_submissions.filter(returned_at__isnull=True).select_related("draft").first(),
        "returns": review.qa_submissions.filter(returned_at__isnull=False).select_related("draft", "returned_by"),
        "qa": selectors.qa_summary(review),
        "written_response": getattr(review, "written_response", None),
        "dispatches": review.dispatches.all(),
        "notice_recipients": framework.publication.notice_recipients,
        "earliest_publication": selectors.earliest_publication_date(review, fresh=False),
        "blockers": selectors.publication_blockers(review, today, fresh=False),
        "non_publication": getattr(review, "non_publication", None),
        "held_days": selectors.review_held_days(review, review.commissioned_on, today),
        "can": {
            "manage": user.has_perm("reviews.manage_review", review),
            "work": user.has_perm("reviews.edit_review_work", review),
            "qa": user.has_perm("reviews.quality_assure", review),
            "sign_off": user.has_perm("reviews.sign_off", review),
            "board": user.has_perm("reviews.respond_for_board", review),
        },
        "Status": ReviewStatus,
        "work_statuses": [status.value for status in WORK_STATUSES],
    }
    return render(request, "reviews/detail.html", context)


# -- commissioning ------------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def commission(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    managed = partnerships_where(user, {Role.BUSINESS_MANAGER})
    referral: Referral | None = None
    reference = request.GET.get("referral") or request.POST.get("referral") or ""
    if reference:
        referral = get_object_or_404(Referral.objects.select_related("partnership"), reference=reference)
        if not user.has_perm("referrals.view_referral", referral):
            raise Http404("No referral found")
        if not user.has_perm("referrals.manage_referral", referral):
            raise PermissionDenied
        if hasattr(referral, "review"):
            messages.info(request, f"A review of {referral.reference} is already set up.")
            return redirect("reviews:detail", reference=referral.review.reference)
        review_type = services.commissionable_review_type(referral)
        if review_type is None:
            raise Http404("The decision on this referral is not for a review the partnership runs")
        partnership: Partnership = referral.partnership
        fixed: tuple[str, str] | None = (referral.framework_code, review_type.id)
    else:
        partnership_id = request.GET.get("partnership") or request.POST.get("partnership")
        if not partnership_id and managed.count() > 1:
            return render(request, "reviews/choose_partnership.html", {"partnerships": managed})
        chosen = managed.filter(pk=partnership_id).first() if partnership_id else managed.first()
        if chosen is None:
            raise PermissionDenied
        partnership = chosen
        fixed = None
    initial: dict[str, Any] = {"commissioned_on": timezone.localdate()}
    if referral is not None:
        initial["agencies"] = list(referral.agencies.all())
    form = forms.CommissionForm(request.POST or None, partnership=partnership, fixed_type=fixed, initial=initial)

    def action(data: dict[str, Any]) -> HttpResponse:
        code, type_id = fixed or form.framework_and_type()
        commission_input = services.CommissionInput(
            title=data["title"],
            pseudonym=data["pseudonym"],
            terms_of_reference=data["terms_of_reference"],
            commissioned_on=data["commissioned_on"],
            agency_ids=[agency.pk for agency in data["agencies"]],
            framework_code="" if referral else code,
            review_type="" if referral else type_id,
        )
        try:
            review = services.review_commission(
                actor=user, partnership=partnership, data=commission_input, referral=referral
            )
        except Duplicate as duplicate:
            existing: Review = duplicate.existing  # type: ignore[assignment]
            messages.info(request, duplicate.message)
            return redirect("reviews:detail", reference=existing.reference)
        messages.success(request, f"Review {review.reference} is set up. Appoint the lead reviewers next.")
        return redirect("reviews:detail", reference=review.reference)

    if request.method == "POST" and form.is_valid():
        try:
            return action(form.cleaned_data)
        except DomainError as error:
            form.add_domain_error(error)
    return render(
        request,
        "reviews/commission.html",
        {
            "form": form,
            "referral": referral,
            "partnership": partnership,
            "review_type": fixed and get_framework(fixed[0]).review_type(fixed[1]),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def terms_edit(request: HttpRequest, reference: str) -> HttpResponse:
    review = _review_for(request, reference, "reviews.manage_review")
    current = review.terms_versions.first()
    form = forms.TermsForm(
        request.POST or None, initial={"version": review.version, "text": current.text if current else ""}
    )
    return _form_page(
        request,
        review,
        form,
        lambda d: services.terms_of_reference_record(
            actor=_user(request), review=review, text=d["text"], expected_version=d["version"]
        ),
        heading="Change the terms of reference",
        button="Save a new version",
        success="The terms of reference are updated; the earlier version is kept.",
        intro="Saving keeps the earlier version with who recorded it and when.",
    )


@login_required
def terms_history(request: HttpRequest, reference: str) -> HttpResponse:
    review = _visible_review(request, reference)
    _audit_view(request, review, "the terms of reference")
    return render(
        request,
        "reviews/terms_history.html",
        {"review": review, "versions": review.terms_versions.select_related("recorded_by")},
    )


# -- people ---------------------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def reviewer_appoint(request: HttpRequest, reference: str) -> HttpResponse:
    review = _review_for(request, reference, "reviews.manage_review")
    today = timezone.localdate()
    form = forms.AppointForm(
        request.POST or None,
        partnership=review.partnership,
        initial={"version": review.version, "appointed_on": today, "declared_on": today},
    )
    return _form_page(
        request,
        review,
        form,
        lambda d: services.reviewer_appoint(
            actor=_user(request),
            review=review,
            reviewer=d["reviewer"],
            appointed_on=d["appointed_on"],
            declaration=d["declaration"],
            declared_on=d["declared_on"],
            expected_version=d["version"],
        ),
        heading="Appoint a lead reviewer",
        button="Appoint",
        success="The lead reviewer is appointed.",
        intro=f"This review needs {services.required_lead_reviewers(review)} independent lead reviewer(s), each with "
        "a declaration of independence.",
    )


@login_required
@require_http_methods(["GET", "POST"])
def reviewer_end(request: HttpRequest, reference: str, appointment_id: int) -> HttpResponse:
    review = _review_for(request, reference, "reviews.manage_review")
    appointment = get_object_or_404(ReviewerAppointment, review=review, pk=appointment_id)
    form = forms.EndAppointmentForm(request.POST or None, initial={"ended_on": timezone.localdate()})
    return _form_page(
        request,
        review,
        form,
        lambda d: services.reviewer_appointment_end(
            actor=_user(request), appointment=appointment, ended_on=d["ended_on"], reason=d["reason"]
        ),
        heading=f"End {appointment.reviewer.display_name}'s appointment",
        button="End the appointment",
        success="The appointment has ended.",
    )


@login_required
@require_http_methods(["GET", "POST"])
def panel_member_add(request: HttpRequest, reference: str) -> HttpResponse:
    review = _review_for(request, reference, "reviews.manage_review")
    form = forms.PanelMemberForm(request.POST or None, partnership=review.partnership)
    return _form_page(
        request,
        review,
        form,
        lambda d: services.panel_member_add(
            actor=_user(request),
            review=review,
            name=d["name"],
            role=d["role"],
            agency=d["agency"],
            organisation=d["organisation"],
        ),
        heading="Add a panel member",
        button="Add",
        success="The panel member is added.",
    )


@login_required
@require_http_methods(["GET", "POST"])
def panel_member_remove(request: HttpRequest, reference: str, member_id: int) -> HttpResponse:
    review = _review_for(request, reference, "reviews.manage_review")
    member = get_object_or_404(PanelMember, review=review, pk=member_id)
    form = forms.PanelMemberRemoveForm(request.POST or None)
    return _form_page(
        request,
        review,
        form,
        lambda d: services.panel_member_remove(actor=_user(request), member=member, reason=d["reason"]),
        heading=f"Remove {member.name} from the panel",
        button="Remove",
        success=f"{member.name} is no longer on the panel.",
    )


@login_required
@require_http_methods(["GET", "POST"])
def review_start(request: HttpRequest, reference: str) -> HttpResponse:
    review = _review_for(request, reference, "reviews.manage_review")
    form = forms.ConfirmForm(request.POST or None, initial={"version": review.version})
    return _form_page(
        request,
        review,
        form,
        lambda d: services.review_start(actor=_user(request), review=review, expected_version=d["version"]),
        heading="Start the review",
        button="Start the review",
        success="The review is in progress.",
        intro="The review's work begins: the lead reviewers can upload drafts.",
    )


@login_required
@require_http_methods(["GET", "POST"])
def milestone_replan(request: HttpRequest, reference: str, milestone_id: int) -> HttpResponse:
    review = _review_for(request, reference, "reviews.manage_review")
    milestone = get_object_or_404(Milestone, review=review, pk=milestone_id)
    form = forms.MilestoneReplanForm(
        request.POST or None, initial={"due_on": milestone.due_on, "version": milestone.version}
    )
    return _form_page(
        request,
        review,
        form,
        lambda d: services.milestone_replan(
            actor=_user(request),
            milestone=milestone,
            due_on=d["due_on"],
            reason=d["reason"],
            expected_version=d["version"],
        ),
        heading=f"Re-plan “{milestone.get_kind_display()}”",
        button="Save the new date",
        success="The milestone has a new due date.",
        intro=f"It is due on {milestone.due_on:%d %B %Y}. The reason is kept in the audit log.",
    )


# -- contributions ------------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def contribution_request(request: HttpRequest, reference: str) -> HttpResponse:
    review = _review_for(request, reference, "reviews.manage_review")
    form = forms.ContributionRequestForm(request.POST or None, partnership=review.partnership)
    return _form_page(
        request,
        review,
        form,
        lambda d: services.contribution_request(
            actor=_user(request),
            review=review,
            agency=d["agency"],
            due_on=d["due_on"],
            what_is_asked=d["what_is_asked"],
        ),
        heading="Ask an agency for its contribution",
        button="Send the request",
        success="The request is recorded and the agency's lead has been told.",
    )


@login_required
def contribution_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    requests = selectors.contribution_requests_visible_to(user).order_by("received_on", "due_on")
    if not requests.exists() and not holds_role_anywhere(user, {Role.AGENCY_LEAD}):
        raise PermissionDenied
    audit_record(actor=user, action="review.contributions_list", summary="Viewed contribution requests")
    return render(request, "reviews/contribution_list.html", {"requests": requests, "today": timezone.localdate()})


def _visible_contribution(request: HttpRequest, request_id: int) -> ContributionRequest:
    contribution = get_object_or_404(
        ContributionRequest.objects.select_related("review__partnership", "agency"), pk=request_id
    )
    if not request.user.has_perm("reviews.view_contribution", contribution):
        raise Http404("No contribution request found")
    return contribution


@login_required
@require_http_methods(["GET", "POST"])
def contribution_detail(request: HttpRequest, request_id: int) -> HttpResponse:
    """The agency's view of what is asked of it: upload its documents and submit them. An agency lead sees
    this page and nothing else of the review."""
    user = _user(request)
    contribution = _visible_contribution(request, request_id)
    can_submit = user.has_perm("reviews.submit_contribution", contribution)
    upload_form = forms.ContributionFileForm(prefix="upload")
    receive_form = forms.ContributionReceiveForm(prefix="receive", initial={"received_on": timezone.localdate()})
    if request.method == "POST":
        if not can_submit:
            raise PermissionDenied
        if "upload" in request.POST.get("step", ""):
            upload_form = forms.ContributionFileForm(request.POST, request.FILES, prefix="upload")
            if upload_form.is_valid():
                checked = _file(upload_form)
                if checked is not None:
                    try:
                        services.contribution_file_add(
                            actor=user, request=contribution, kind=upload_form.cleaned_data["kind"], checked=checked
                        )
                    except DomainError as error:
                        upload_form.add_domain_error(error)
                    else:
                        messages.success(request, f"{checked.filename} is added.")
                        return redirect("reviews:contribution", request_id=contribution.pk)
        else:
            receive_form = forms.ContributionReceiveForm(request.POST, prefix="receive")
            if receive_form.is_valid():
                try:
                    services.contribution_receive(
                        actor=user, request=contribution, received_on=receive_form.cleaned_data["received_on"]
                    )
                except DomainError as error:
                    receive_form.add_domain_error(error)
                else:
                    messages.success(request, "The contribution is submitted.")
                    return redirect("reviews:contribution", request_id=contribution.pk)
    audit_record(
        actor=user,
        action="review.view",
        summary=f"Viewed {contribution.agency.name}'s contribution request for {contribution.review.reference}",
        target=contribution,
        partnership=contribution.review.partnership,
    )
    return render(
        request,
        "reviews/contribution_detail.html",
        {
            "contribution": contribution,
            "files": contribution.files.select_related("uploaded_by"),
            "can_submit": can_submit and contribution.received_on is None,
            "upload_form": upload_form,
            "receive_form": receive_form,
            "sees_review": user.has_perm("reviews.view_review", contribution.review),
            "today": timezone.localdate(),
        },
    )


def _download(request: HttpRequest, sha256: str, filename: str) -> FileResponse:
    # Always a download, never shown inline: an uploaded file must not run in our origin.
    return FileResponse(
        blob_path(sha256).open("rb"), as_attachment=True, filename=filename, content_type="application/octet-stream"
    )


@login_required
def contribution_file(request: HttpRequest, request_id: int, file_id: int) -> HttpResponseBase:
    contribution = _visible_contribution(request, request_id)
    stored = get_object_or_404(ContributionFile, request=contribution, pk=file_id)
    audit_record(
        actor=request.user,
        action="review.download",
        summary=f"Downloaded {stored.filename} from {contribution.review.reference}",
        target=stored,
        partnership=contribution.review.partnership,
    )
    return _download(request, stored.sha256, stored.filename)


# -- practitioners, family, holds ---------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def practitioner_event_add(request: HttpRequest, reference: str) -> HttpResponse:
    review = _review_for(request, reference, "reviews.edit_review_work")
    form = forms.PractitionerEventForm(request.POST or None)
    return _form_page(
        request,
        review,
        form,
        lambda d: services.practitioner_event_record(
            actor=_user(request),
            review=review,
            held_on=d["held_on"],
            title=d["title"],
            attendees=d["attendees"],
            notes=d["notes"],
        ),
        heading="Record a practitioner event",
        button="Save",
        success="The practitioner event is recorded.",
    )


@login_required
@require_http_methods(["GET", "POST"])
def family_involvement_add(request: HttpRequest, reference: str) -> HttpResponse:
    review = _review_for(request, reference, "reviews.edit_review_work")
    form = forms.FamilyInvolvementForm(request.POST or None)
    return _form_page(
        request,
        review,
        form,
        lambda d: services.family_involvement_record(
            actor=_user(request),
            review=review,
            on=d["on"],
            family_member=d["family_member"],
            outcome=d["outcome"],
            declined_reason=d["declined_reason"],
            notes=d["notes"],
        ),
        heading="Record family involvement",
        button="Save",
        success="Family involvement is recorded.",
    )


@login_required
@require_http_methods(["GET", "POST"])
def hold_add(request: HttpRequest, reference: str) -> HttpResponse:
    review = _review_for(request, reference, "reviews.manage_review")
    form = forms.HoldForm(request.POST or None, initial={"starts_on": timezone.localdate()})
    return _form_page(
        request,
        review,
        form,
        lambda d: services.hold_start(
            actor=_user(request), review=review, kind=d["kind"], reason=d["reason"], starts_on=d["starts_on"]
        ),
        heading="Put the review on hold",
        button="Put on hold",
        success="The review is on hold. The publication clock stands still until the hold ends.",
        intro="Record a hold for parallel proceedings (a criminal trial, an inquest). Learning can still be acted on.",
    )


@login_required
@require_http_methods(["GET", "POST"])
def hold_end(request: HttpRequest, reference: str, hold_id: int) -> HttpResponse:
    review = _review_for(request, reference, "reviews.manage_review")
    hold = get_object_or_404(Hold, review=review, pk=hold_id)
    form = forms.HoldEndForm(request.POST or None, initial={"ends_on": timezone.localdate()})
    return _form_page(
        request,
        review,
        form,
        lambda d: services.hold_end(actor=_user(request), hold=hold, ends_on=d["ends_on"], note=d["note"]),
        heading=f"End the hold for {hold.get_kind_display().lower()}",
        button="End the hold",
        success="The hold has ended.",
    )


# -- drafts -------------------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def draft_upload(request: HttpRequest, reference: str) -> HttpResponse:
    review = _review_for(request, reference, "reviews.edit_review_work")
    form = forms.DraftUploadForm(request.POST or None, request.FILES or None)

    def action(data: dict[str, Any]) -> Any:
        upload = data["file"]
        return services.draft_upload(
            actor=_user(request), review=review, filename=upload.name, data=upload.read(), note=data["note"]
        )

    return _form_page(
        request,
        review,
        form,
        action,
        heading="Upload a draft",
        button="Upload",
        success="The draft is uploaded and read.",
        multipart=True,
    )


def _draft(review: Review, number: int) -> DraftVersion:
    return get_object_or_404(DraftVersion.objects.select_related("uploaded_by"), review=review, number=number)


@login_required
@require_http_methods(["GET", "POST"])
def draft_detail(request: HttpRequest, reference: str, number: int) -> HttpResponse:
    user = _user(request)
    review = _visible_review(request, reference)
    draft = _draft(review, number)
    form = forms.CommentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.draft_comment_add(
                actor=user, draft=draft, text=form.cleaned_data["text"], page=form.cleaned_data["page"]
            )
        except DomainError as error:
            form.add_domain_error(error)
        else:
            messages.success(request, "Your comment is added.")
            return redirect("reviews:draft", reference=review.reference, number=draft.number)
    _audit_view(request, review, f"draft {draft.number}", draft)
    others = [d for d in review.drafts.all() if d.pk != draft.pk]
    return render(
        request,
        "reviews/draft_detail.html",
        {
            "review": review,
            "draft": draft,
            "pages": list(enumerate(draft.pages, start=1)),
            "comments": draft.comments.select_related("author"),
            "form": form,
            "others": others,
            "can_submit": review.status == ReviewStatus.IN_PROGRESS
            and user.has_perm("reviews.edit_review_work", review),
            "can_choose_final": review.status == ReviewStatus.QUALITY_ASSURANCE
            and user.has_perm("reviews.sign_off", review),
        },
    )


@login_required
def draft_download(request: HttpRequest, reference: str, number: int) -> HttpResponseBase:
    review = _visible_review(request, reference)
    draft = _draft(review, number)
    audit_record(
        actor=request.user,
        action="review.download",
        summary=f"Downloaded draft {draft.number} of {review.reference}",
        target=draft,
        partnership=review.partnership,
    )
    return _download(request, draft.sha256, draft.filename)


@login_required
def draft_compare(request: HttpRequest, reference: str) -> HttpResponse:
    review = _visible_review(request, reference)
    try:
        older_number, newer_number = int(request.GET.get("from", "")), int(request.GET.get("to", ""))
    except ValueError as error:
        raise Http404("Choose two drafts to compare") from error
    older, newer = _draft(review, older_number), _draft(review, newer_number)
    _audit_view(request, review, f"the comparison of drafts {older.number} and {newer.number}")
    return render(
        request,
        "reviews/draft_compare.html",
        {"review": review, "older": older, "newer": newer, "pages": selectors.draft_compare(older, newer)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def draft_submit(request: HttpRequest, reference: str, number: int) -> HttpResponse:
    review = _review_for(request, reference, "reviews.edit_review_work")
    draft = _draft(review, number)
    form = forms.ConfirmForm(request.POST or None, initial={"version": review.version})
    return _form_page(
        request,
        review,
        form,
        lambda d: services.draft_submit_for_qa(actor=_user(request), draft=draft, expected_version=d["version"]),
        heading=f"Submit draft {draft.number} for quality assurance",
        button="Submit for quality assurance",
        success="The draft is with the sub-group for quality assurance.",
    )


@login_required
@require_http_methods(["GET", "POST"])
def draft_choose_final(request: HttpRequest, reference: str, number: int) -> HttpResponse:
    review = _review_for(request, reference, "reviews.sign_off")
    draft = _draft(review, number)
    form = forms.ConfirmForm(request.POST or None, initial={"version": review.version})
    return _form_page(
        request,
        review,
        form,
        lambda d: services.draft_choose_final(actor=_user(request), draft=draft, expected_version=d["version"]),
        heading=f"Choose draft {draft.number} as the final report",
        button="Choose as final",
        success=f"Draft {draft.number} is the final report.",
        intro="The final draft is the one signed off, redacted and published.",
    )


# -- quality assurance and sign-off --------------------------------------------------------------------------------


@login_required
def qa_summary(request: HttpRequest, reference: str) -> HttpResponse:
    user = _user(request)
    review = _visible_review(request, reference)
    _audit_view(request, review, "the quality assurance")
    return render(
        request,
        "reviews/qa_summary.html",
        {
            "review": review,
            "qa": selectors.qa_summary(review),
            "source": quality_markers(),
            "can_record": user.has_perm("reviews.quality_assure", review),
        },
    )


def _posted_version(request: HttpRequest) -> int | None:
    """The version a confirmation button's page showed (None when the post has none); an altered one is stale."""
    posted = request.POST.get("version")
    if posted is None:
        return None
    try:
        return int(posted)
    except ValueError:
        return -1


@login_required
@require_http_methods(["GET", "POST"])
def marker_edit(request: HttpRequest, reference: str, marker: int) -> HttpResponse:
    user = _user(request)
    review = _visible_review(request, reference)
    try:
        definition = quality_markers().marker(marker)
    except KeyError as error:
        raise Http404("No such quality marker") from error
    can_record = user.has_perm("reviews.quality_assure", review)
    can_sign = user.has_perm("reviews.sign_off_marker", review)
    if request.method == "POST" and not (can_record or can_sign):
        raise PermissionDenied
    assessment = review.marker_assessments.filter(marker=marker).select_related("answered_by", "signed_off_by").first()
    form = forms.MarkerForm(
        request.POST if request.method == "POST" and request.POST.get("step") == "record" else None,
        initial={"answer": assessment.answer, "evidence": assessment.evidence, "version": assessment.version}
        if assessment
        else {"version": 0},
    )
    domain_error = ""
    if request.method == "POST":
        back = redirect("reviews:qa", reference=review.reference)
        if request.POST.get("step") == "sign_off":
            try:
                services.marker_sign_off(
                    actor=user, review=review, marker=marker, expected_version=_posted_version(request)
                )
            except DomainError as error:
                domain_error = error.message
            else:
                messages.success(request, f"Quality marker {marker} is signed off.")
                return back
        elif form.is_valid():
            try:
                services.marker_record(
                    actor=user,
                    review=review,
                    marker=marker,
                    answer=form.cleaned_data["answer"],
                    evidence=form.cleaned_data["evidence"],
                    expected_version=form.cleaned_data["version"],
                )
            except DomainError as error:
                form.add_domain_error(error)
            else:
                messages.success(request, f"Quality marker {marker} is recorded.")
                return back
    _audit_view(request, review, f"quality marker {marker}")
    return render(
        request,
        "reviews/marker.html",
        {
            "review": review,
            "marker": definition,
            "assessment": assessment,
            "form": form,
            "domain_error": domain_error,
            "can_record": can_record,
            "can_sign": can_sign,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def qa_return(request: HttpRequest, reference: str) -> HttpResponse:
    review = _review_for(request, reference, "reviews.quality_assure")
    form = forms.QaReturnForm(request.POST or None, initial={"version": review.version})
    return _form_page(
        request,
        review,
        form,
        lambda d: services.qa_return(
            actor=_user(request), review=review, reasons=d["reasons"], expected_version=d["version"]
        ),
        heading="Return the draft for more work",
        button="Return the draft",
        success="The draft is returned; the review is in progress again.",
    )


@login_required
@require_http_methods(["GET", "POST"])
def sign_off(request: HttpRequest, reference: str) -> HttpResponse:
    review = _review_for(request, reference, "reviews.sign_off")
    form = forms.ConfirmForm(request.POST or None, initial={"version": review.version})
    return _form_page(
        request,
        review,
        form,
        lambda d: services.review_sign_off(actor=_user(request), review=review, expected_version=d["version"]),
        heading="Sign off the review",
        button="Sign off",
        success="The review is signed off. Record the board's response and send the report before publication.",
        intro="Every quality marker must be signed off and the final draft chosen.",
    )


# -- after sign-off -------------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def written_response(request: HttpRequest, reference: str) -> HttpResponse:
    review = _review_for(request, reference, "reviews.respond_for_board")
    current = getattr(review, "written_response", None)
    form = forms.WrittenResponseForm(
        request.POST or None,
        request.FILES or None,
        initial={
            "version": review.version,
            "text": current.text if current else "",
            "agreed_on": current.agreed_on if current else timezone.localdate(),
        },
    )

    def action(data: dict[str, Any]) -> Any:
        checked = _file(form)
        if data.get("file") and checked is None:
            return False
        return services.written_response_record(
            actor=_user(request),
            review=review,
            text=data["text"],
            agreed_on=data["agreed_on"],
            file=checked,
            expected_version=data["version"],
        )

    return _form_page(
        request,
        review,
        form,
        action,
        heading="The board's written response",
        button="Save the response",
        success="The board's written response is recorded.",
        intro="The report is sent with the response; if you change it after sending, send them again.",
        multipart=True,
    )


@login_required
def written_response_download(request: HttpRequest, reference: str) -> HttpResponseBase:
    review = _visible_review(request, reference)
    response = getattr(review, "written_response", None)
    if response is None or not response.sha256:
        raise Http404("No file")
    audit_record(
        actor=request.user,
        action="review.download",
        summary=f"Downloaded the board's response to {review.reference}",
        target=response,
        partnership=review.partnership,
    )
    return _download(request, response.sha256, response.filename)


@login_required
@require_http_methods(["GET", "POST"])
def dispatch_add(request: HttpRequest, reference: str) -> HttpResponse:
    review = _review_for(request, reference, "reviews.manage_review")
    publication = get_framework(review.framework_code).publication
    form = forms.DispatchForm(
        request.POST or None, recipients=publication.notice_recipients, initial={"sent_on": timezone.localdate()}
    )
    return _form_page(
        request,
        review,
        form,
        lambda d: services.dispatch_record(
            actor=_user(request),
            review=review,
            recipient=d["recipient"],
            sent_on=d["sent_on"],
            method=d["method"],
            reference=d["reference"],
        ),
        heading="Record sending the report before publication",
        button="Save",
        success="The dispatch is recorded.",
        intro=f"{publication.basis}",
    )


@login_required
@require_http_methods(["GET", "POST"])
def non_publication(request: HttpRequest, reference: str) -> HttpResponse:
    review = _review_for(request, reference, "reviews.respond_for_board")
    current = getattr(review, "non_publication", None)
    initial = (
        {
            "reasons": current.reasons,
            "proposed_on": current.proposed_on,
            "advice": current.advice,
            "advice_received_on": current.advice_received_on,
            "improvements": current.improvements,
        }
        if current
        else {"proposed_on": timezone.localdate()}
    )
    form = forms.NonPublicationForm(request.POST or None, initial={**initial, "version": review.version})
    return _form_page(
        request,
        review,
        form,
        lambda d: services.non_publication_propose(
            actor=_user(request),
            review=review,
            reasons=d["reasons"],
            proposed_on=d["proposed_on"],
            advice=d["advice"],
            advice_received_on=d["advice_received_on"],
            improvements=d["improvements"],
            expected_version=d["version"],
        ),
        heading="Propose not to publish",
        button="Save the proposal",
        success="The proposal not to publish is recorded.",
        intro=get_framework(review.framework_code).publication.non_publication,
    )


@login_required
@require_http_methods(["GET", "POST"])
def non_publication_withdraw(request: HttpRequest, reference: str) -> HttpResponse:
    review = _review_for(request, reference, "reviews.respond_for_board")
    form = forms.WithdrawForm(request.POST or None)
    return _form_page(
        request,
        review,
        form,
        lambda d: services.non_publication_withdraw(actor=_user(request), review=review, reason=d["reason"]),
        heading="Publish after all",
        button="Withdraw the proposal",
        success="The proposal not to publish is withdrawn.",
        intro="The proposal is removed from the review; what it said and your reason are kept in the audit log.",
    )


@login_required
@require_http_methods(["GET", "POST"])
def not_publish(request: HttpRequest, reference: str) -> HttpResponse:
    review = _review_for(request, reference, "reviews.respond_for_board")
    form = forms.ConfirmForm(request.POST or None, initial={"version": review.version})
    return _form_page(
        request,
        review,
        form,
        lambda d: services.review_not_publish(actor=_user(request), review=review, expected_version=d["version"]),
        heading="Close the review without publishing the report",
        button="Do not publish",
        success="The review is closed unpublished; the improvements information is to be published instead.",
        intro="The report will not be published. The information about improvements recorded with the proposal is "
        "published instead.",
    )
