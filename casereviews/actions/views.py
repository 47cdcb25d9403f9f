"""Pages for action plans: thin views over the selectors and services.

A person who may not see a review's plan gets 404 (its existence is not disclosed); one who may see it but
not do what a page does gets 403.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from casereviews.actions import exports, forms, selectors, services
from casereviews.actions.models import Action, EvidenceFile, Finding, Recommendation
from casereviews.core.audit import audit_record
from casereviews.core.errors import DomainError, InvalidInput
from casereviews.core.files import CheckedFile, blob_path, check_attachment
from casereviews.core.paging import page_of
from casereviews.partnerships.models import Agency, Role, User
from casereviews.reviews.models import Review


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _plan_review(request: HttpRequest, reference: str, perm: str | None = None) -> Review:
    review = get_object_or_404(Review.objects.select_related("partnership"), reference=reference)
    if not request.user.has_perm("actions.view_plan", review):
        raise Http404("No review found")
    if perm is not None and not request.user.has_perm(perm, review):
        raise PermissionDenied
    return review


def _visible_action(request: HttpRequest, pk: int, perm: str | None = None) -> Action:
    action = get_object_or_404(
        selectors.with_latest_update(Action.objects.all()).select_related("recommendation__finding"), pk=pk
    )
    if not request.user.has_perm("actions.view_action", action):
        raise Http404("No action found")
    if perm is not None and not request.user.has_perm(perm, action):
        raise PermissionDenied
    return action


def _audit_view(request: HttpRequest, review: Review, action: str, summary: str, target: Any = None) -> None:
    """Views of the plan of a review that is not yet published are confidential and so recorded."""
    if review.status not in selectors.PUBLISHED_STATUSES:
        audit_record(
            actor=request.user, action=action, summary=summary, target=target or review, partnership=review.partnership
        )


def _handle(request: HttpRequest, form: Any, act: Callable[[dict[str, Any]], Any], success: str, to: str) -> Any:
    """Run a service for a valid form; on refusal put the message on the form and return None."""
    if not form.is_valid():
        return None
    try:
        act(form.cleaned_data)
    except DomainError as error:
        form.add_domain_error(error)
        return None
    messages.success(request, success)
    return redirect(to)


def _form_page(
    request: HttpRequest,
    form: Any,
    *,
    review: Review,
    heading: str,
    button: str,
    back: str,
    back_text: str,
    template: str = "actions/form_page.html",
    **extra: Any,
) -> HttpResponse:
    context = {
        "form": form,
        "review": review,
        "heading": heading,
        "button": button,
        "back_url": back,
        "back_text": back_text,
        **extra,
    }
    return render(request, template, context)


# -- the board's dashboard and the agency lead's list ---------------------------------------------------------


def _dashboard_rows(request: HttpRequest) -> list[selectors.DashboardRow]:
    if not selectors.can_see_dashboard(request.user):
        raise PermissionDenied
    return selectors.dashboard_rows(_user(request), timezone.localdate())


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    rows = _dashboard_rows(request)
    audit_record(actor=request.user, action="action_dashboard.view", summary="Viewed the action plans dashboard")
    page = page_of(rows, request.GET.get("page"))
    return render(
        request,
        "actions/dashboard.html",
        {"rows": page.object_list, "page_obj": page, "statuses": exports.STATUS_URGENCY},
    )


@login_required
@require_GET
def dashboard_export(request: HttpRequest, fmt: str) -> HttpResponse:
    rows = _dashboard_rows(request)
    audit_record(
        actor=request.user,
        action="action_dashboard.download",
        summary=f"Downloaded the action plans dashboard as {fmt.upper()} ({len(rows)} reviews)",
    )
    table = exports.dashboard_table(rows)
    if fmt == "csv":
        return exports.csv_response(table, "action-plans")
    return exports.xlsx_response(table, "action-plans", "Action plans")


@login_required
@require_GET
def agency_actions(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if not selectors.is_agency_lead_anywhere(user):
        raise PermissionDenied
    today = timezone.localdate()
    actions = [(action, action.status_on(today)) for action in selectors.agency_actions_for(user)]
    audit_record(actor=user, action="agency_actions.view", summary=f"Viewed their agency's actions ({len(actions)})")
    agencies = Agency.objects.filter(pk__in=selectors.agencies_led_by(user))
    return render(request, "actions/agency_actions.html", {"actions": actions, "agencies": agencies})


# -- a review's plan ------------------------------------------------------------------------------------------


@login_required
@require_GET
def plan(request: HttpRequest, reference: str) -> HttpResponse:
    review = _plan_review(request, reference)
    _audit_view(request, review, "action_plan.view", f"Viewed the action plan of {review.reference}")
    user = _user(request)
    return render(
        request,
        "actions/plan.html",
        {
            "review": review,
            "plan": selectors.plan_of(review, timezone.localdate()),
            "statuses": exports.STATUS_URGENCY,
            "can_edit_recommendations": user.has_perm("actions.edit_recommendations", review),
            "can_edit_actions": user.has_perm("actions.edit_actions", review),
        },
    )


@login_required
@require_GET
def plan_export(request: HttpRequest, reference: str, fmt: str) -> HttpResponse:
    review = _plan_review(request, reference)
    audit_record(
        actor=request.user,
        action="action_plan.download",
        summary=f"Downloaded the action plan of {review.reference} as {fmt.upper()}",
        target=review,
        partnership=review.partnership,
    )
    table = exports.plan_table(selectors.plan_of(review, timezone.localdate()))
    filename = f"action-plan-{review.reference}"
    if fmt == "csv":
        return exports.csv_response(table, filename)
    return exports.xlsx_response(table, filename, f"Action plan {review.reference}")


@login_required
@require_http_methods(["GET", "POST"])
def finding_edit(request: HttpRequest, reference: str, pk: int | None = None) -> HttpResponse:
    user = _user(request)
    review = _plan_review(request, reference, "actions.edit_recommendations")
    finding = get_object_or_404(Finding, review=review, pk=pk) if pk is not None else None
    initial: dict[str, Any]
    if finding is None:
        initial = {"version": 0, "number": review.findings.count() + 1}
    else:
        initial = {"version": finding.version, "number": finding.number, "text": finding.text}
    form = forms.FindingForm(request.POST or None, initial=initial)
    back = reverse("actions:plan", args=[review.reference])
    if request.method == "POST":

        def act(data: dict[str, Any]) -> Finding:
            if finding is None:
                return services.finding_create(actor=user, review=review, number=data["number"], text=data["text"])
            return services.finding_update(
                actor=user, finding=finding, number=data["number"], text=data["text"], expected_version=data["version"]
            )

        response = _handle(request, form, act, "Finding saved.", back)
        if response:
            return response
    return _form_page(
        request,
        form,
        review=review,
        heading="Change the finding" if finding else "Add a finding",
        button="Save finding",
        back=back,
        back_text="Back to the action plan",
    )


@login_required
@require_http_methods(["GET", "POST"])
def recommendation_edit(request: HttpRequest, reference: str, pk: int | None = None) -> HttpResponse:
    user = _user(request)
    review = _plan_review(request, reference, "actions.edit_recommendations")
    recommendation = get_object_or_404(Recommendation, review=review, pk=pk) if pk is not None else None
    if recommendation is None:
        initial: dict[str, Any] = {"version": 0, "number": review.plan_recommendations.count() + 1}
    else:
        initial = {
            "version": recommendation.version,
            "number": recommendation.number,
            "text": recommendation.text,
            "finding": recommendation.finding_id,
            "agency": recommendation.agency_id,
        }
    form = forms.RecommendationForm(
        request.POST or None,
        initial=initial,
        findings=review.findings.all(),
        agencies=Agency.objects.filter(partnership=review.partnership),
    )
    back = reverse("actions:plan", args=[review.reference])
    if request.method == "POST":

        def act(data: dict[str, Any]) -> Recommendation:
            values = {
                "number": data["number"],
                "text": data["text"],
                "finding": data["finding"],
                "agency": data["agency"],
            }
            if recommendation is None:
                return services.recommendation_create(actor=user, review=review, **values)
            return services.recommendation_update(
                actor=user, recommendation=recommendation, expected_version=data["version"], **values
            )

        response = _handle(request, form, act, "Recommendation saved.", back)
        if response:
            return response
    return _form_page(
        request,
        form,
        review=review,
        heading="Change the recommendation" if recommendation else "Add a recommendation",
        button="Save recommendation",
        back=back,
        back_text="Back to the action plan",
    )


def _action_form(request: HttpRequest, review: Review, initial: dict[str, Any]) -> forms.ActionForm:
    lead_users = User.objects.filter(
        memberships__partnership=review.partnership, memberships__role=Role.AGENCY_LEAD
    ).distinct()
    return forms.ActionForm(
        request.POST or None,
        initial=initial,
        agencies=Agency.objects.filter(partnership=review.partnership),
        lead_users=lead_users,
    )


@login_required
@require_http_methods(["GET", "POST"])
def action_create(request: HttpRequest, reference: str, recommendation_id: int) -> HttpResponse:
    user = _user(request)
    review = _plan_review(request, reference, "actions.edit_actions")
    recommendation = get_object_or_404(Recommendation, review=review, pk=recommendation_id)
    form = _action_form(request, review, {"version": 0, "owner_agency": recommendation.agency_id})
    back = reverse("actions:plan", args=[review.reference])
    if request.method == "POST":
        response = _handle(
            request,
            form,
            lambda _data: services.action_create(actor=user, recommendation=recommendation, data=form.to_input()),
            "Action added to the plan.",
            back,
        )
        if response:
            return response
    return _form_page(
        request,
        form,
        review=review,
        heading=f"Add an action to recommendation {recommendation.number}",
        button="Save action",
        back=back,
        back_text="Back to the action plan",
        recommendation=recommendation,
    )


@login_required
@require_http_methods(["GET", "POST"])
def action_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    action = _visible_action(request, pk)
    review = action.recommendation.review
    if not user.has_perm("actions.edit_actions", review):
        raise PermissionDenied
    form = _action_form(
        request,
        review,
        {
            "version": action.version,
            "description": action.description,
            "owner_agency": action.owner_agency_id,
            "lead_name": action.lead_name,
            "lead_user": action.lead_user_id,
            "due_on": action.due_on,
            "expected_change": action.expected_change,
            "success_measure": action.success_measure,
        },
    )
    back = reverse("actions:detail", args=[action.pk])
    if request.method == "POST":
        response = _handle(
            request,
            form,
            lambda data: services.action_update(
                actor=user, action=action, data=form.to_input(), expected_version=data["version"]
            ),
            "Action saved.",
            back,
        )
        if response:
            return response
    return _form_page(
        request,
        form,
        review=review,
        heading=f"Change action {action.label}",
        button="Save action",
        back=back,
        back_text=f"Back to action {action.label}",
        recommendation=action.recommendation,
    )


# -- one action: detail, progress, evidence -------------------------------------------------------------------


@login_required
@require_GET
def action_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    action = _visible_action(request, pk)
    review = action.recommendation.review
    _audit_view(request, review, "action.view", f"Viewed action {action.label} of {review.reference}", action)
    return render(
        request,
        "actions/detail.html",
        {
            "action": action,
            "review": review,
            "status": action.status_on(timezone.localdate()),
            "updates": action.updates.select_related("posted_by").prefetch_related("files"),
            "sees_plan": user.has_perm("actions.view_plan", review),
            "can_edit": user.has_perm("actions.edit_actions", review) and action.evidence_accepted_at is None,
            "can_post": user.has_perm("actions.post_update", action) and action.evidence_accepted_at is None,
            "can_accept": user.has_perm("actions.accept_evidence", action)
            and action.evidence_accepted_at is None
            and action.latest_declared_state() == "completed",
        },
    )


def _checked_files(form: forms.ProgressUpdateForm) -> list[CheckedFile] | None:
    checked = []
    for upload in form.cleaned_data.get("attachments") or []:
        try:
            checked.append(check_attachment(upload.name, upload.read()))
        except InvalidInput as error:
            form.add_error("attachments", error.message)
            return None
    return checked


@login_required
@require_http_methods(["GET", "POST"])
def progress_update_create(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    action = _visible_action(request, pk, "actions.post_update")
    review = action.recommendation.review
    form = forms.ProgressUpdateForm(request.POST or None, request.FILES or None, initial={"version": action.version})
    back = reverse("actions:detail", args=[action.pk])
    if request.method == "POST" and form.is_valid():
        files = _checked_files(form)
        if files is not None:
            try:
                services.progress_update_post(
                    actor=user,
                    action=action,
                    narrative=form.cleaned_data["narrative"],
                    declared_state=form.cleaned_data["declared_state"],
                    evidence=form.cleaned_data["evidence"],
                    files=files,
                    expected_version=form.cleaned_data["version"],
                )
            except DomainError as error:
                form.add_domain_error(error)
            else:
                messages.success(request, "Progress update posted.")
                return redirect(back)
    return _form_page(
        request,
        form,
        review=review,
        heading=f"Report progress on action {action.label}",
        button="Post update",
        back=back,
        back_text=f"Back to action {action.label}",
        action=action,
        multipart=True,
    )


@login_required
@require_http_methods(["GET", "POST"])
def evidence_accept(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    action = _visible_action(request, pk, "actions.accept_evidence")
    review = action.recommendation.review
    form = forms.AcceptEvidenceForm(request.POST or None, initial={"version": action.version})
    back = reverse("actions:detail", args=[action.pk])
    if request.method == "POST":
        response = _handle(
            request,
            form,
            lambda data: services.evidence_accept(
                actor=user, action=action, note=data["note"], expected_version=data["version"]
            ),
            f"Evidence accepted: action {action.label} is evidenced.",
            back,
        )
        if response:
            return response
    return _form_page(
        request,
        form,
        review=review,
        heading=f"Accept the evidence for action {action.label}",
        button="Accept the evidence",
        back=back,
        back_text=f"Back to action {action.label}",
        action=action,
        latest=action.latest_update(),
    )


@login_required
@require_GET
def evidence_download(request: HttpRequest, pk: int, file_id: int) -> HttpResponseBase:
    action = _visible_action(request, pk)
    review = action.recommendation.review
    evidence = get_object_or_404(EvidenceFile, update__action=action, pk=file_id)
    audit_record(
        actor=request.user,
        action="action_evidence.download",
        target=evidence,
        partnership=review.partnership,
        summary=f"Downloaded {evidence.filename} from action {action.label} of {review.reference}",
    )
    # Always a download, never shown inline: an uploaded file must not run in our origin.
    return FileResponse(
        blob_path(evidence.sha256).open("rb"),
        as_attachment=True,
        filename=evidence.filename,
        content_type="application/octet-stream",
    )
