"""Pages for referrals: thin views over the selectors and services."""

from __future__ import annotations

import csv
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from casereviews.core.audit import audit_record
from casereviews.core.errors import DomainError, Duplicate, InvalidInput
from casereviews.core.files import CheckedFile, blob_path, check_attachment
from casereviews.core.paging import page_of
from casereviews.frameworks.engine import option_named, state_label, transition_named
from casereviews.frameworks.services import get_framework
from casereviews.partnerships.models import Agency, User
from casereviews.partnerships.selectors import partnerships_where
from casereviews.referrals import forms, selectors, services
from casereviews.referrals.models import Attachment, Deadline, Referral
from casereviews.referrals.rules import CASE_STAFF


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _visible_referral(request: HttpRequest, reference: str, perm: str = "referrals.view_referral") -> Referral:
    """The referral, or 404 when this person may not see it (so its existence is not disclosed)."""
    referral = get_object_or_404(Referral.objects.select_related("partnership", "submitted_by"), reference=reference)
    if not request.user.has_perm(perm, referral):
        raise Http404("No referral found")
    return referral


def _case_staff_referral(request: HttpRequest, reference: str) -> Referral:
    referral = _visible_referral(request, reference)
    if not request.user.has_perm("referrals.view_deliberations", referral):
        raise PermissionDenied
    return referral


@login_required
def referral_list(request: HttpRequest) -> HttpResponse:
    # One framework read per framework, not one per referral (issue 7: the list cost 72 queries), and one page of
    # referrals rendered, not every referral the person may see.
    listed = selectors.referral_list_page(_user(request), request.GET.get("page"))
    return render(request, "referrals/list.html", {"rows": listed.rows, "page_obj": listed.page})


def _attachments_from(request: HttpRequest, form: forms.ReferralForm) -> list[CheckedFile] | None:
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
def referral_create(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    partnerships = selectors.referral_partnerships_for(user)
    if not partnerships.exists():
        raise PermissionDenied
    agencies: QuerySet[Agency] = Agency.objects.filter(partnership__in=partnerships).select_related("partnership")
    if request.method == "POST":
        form = forms.ReferralForm(request.POST, request.FILES, partnerships=partnerships, agencies=agencies)
        if form.is_valid():
            attachments = _attachments_from(request, form)
            if attachments is not None:
                try:
                    referral = services.referral_submit(
                        submitted_by=user,
                        partnership=form.cleaned_data["partnership"],
                        data=form.to_input(),
                        attachments=attachments,
                        submission_key=form.cleaned_data["submission_key"],
                    )
                except Duplicate as duplicate:
                    existing: Referral = duplicate.existing  # type: ignore[assignment]
                    messages.info(request, f"This referral was already submitted as {existing.reference}.")
                    return redirect("referrals:detail", reference=existing.reference)
                except DomainError as error:
                    form.add_domain_error(error)
                else:
                    messages.success(
                        request, f"Referral {referral.reference} submitted. The partnership has been told."
                    )
                    return redirect("referrals:detail", reference=referral.reference)
    else:
        initial = {
            "referrer_name": user.display_name,
            "referrer_job_title": user.job_title,
            "referrer_organisation": user.organisation,
            "referrer_email": user.email,
            "referrer_phone": user.phone,
        }
        form = forms.ReferralForm(initial=initial, partnerships=partnerships, agencies=agencies)
    return render(request, "referrals/create.html", {"form": form})


@login_required
def referral_detail(request: HttpRequest, reference: str) -> HttpResponse:
    user = _user(request)
    referral = _visible_referral(request, reference)
    framework = get_framework(referral.framework_code)
    staff = user.has_perm("referrals.view_deliberations", referral)
    audit_record(
        actor=user,
        action="referral.view",
        summary=f"Viewed referral {referral.reference}",
        target=referral,
        partnership=referral.partnership,
    )
    context: dict[str, Any] = {
        "referral": referral,
        "framework": framework,
        "status": state_label(framework, referral.state),
        "is_case_staff": staff,
        "attachments": referral.attachments.all(),
        "agencies": referral.agencies.all(),
    }
    if staff:
        recipients = {recipient.id: recipient.label for recipient in framework.recipients}
        decision = getattr(referral, "decision", None)
        recommendation = referral.recommendations.first()
        context.update(
            deadlines=referral.deadlines.all(),
            notifications=[(n, recipients.get(n.recipient, n.recipient)) for n in referral.notifications.all()],
            assessment=referral.assessments.first(),
            recommendation=recommendation,
            recommendation_label=(
                option_named(framework.recommendation_options, recommendation.option).label  # type: ignore[union-attr]
                if recommendation
                else ""
            ),
            panel_response=referral.panel_responses.first(),
            decision=decision,
            decision_label=(
                option_named(framework.decision_options, decision.option).label  # type: ignore[union-attr]
                if decision
                else ""
            ),
            events=referral.events.select_related("actor").all(),
            transitions=selectors.transitions_for(user, referral),
            can_notify=user.has_perm("referrals.manage_referral", referral),
            questions={q.id: q for q in framework.criteria.questions},
        )
    return render(request, "referrals/detail.html", context)


_RECORD_VIEWS = {
    "assessment": "referrals:assess",
    "recommendation": "referrals:recommend",
    "decision": "referrals:decide",
    "panel_response": "referrals:panel_response",
}


def _handle(
    request: HttpRequest, form: forms.GdsForm, referral: Referral, action: Any, success: str
) -> HttpResponse | None:
    """Run a service for a valid form; on refusal put the message on the form and return None."""
    if not form.is_valid():
        return None
    try:
        action(form.cleaned_data)
    except DomainError as error:
        form.add_domain_error(error)
        return None
    messages.success(request, success)
    return redirect("referrals:detail", reference=referral.reference)


@login_required
@require_http_methods(["GET", "POST"])
def referral_transition(request: HttpRequest, reference: str, transition_id: str) -> HttpResponse:
    user = _user(request)
    referral = _case_staff_referral(request, reference)
    framework = get_framework(referral.framework_code)
    transition = transition_named(framework, transition_id)
    if transition is None:
        raise Http404("No such step")
    if transition.records is not None:
        return redirect(_RECORD_VIEWS[transition.records], reference=reference)
    form = forms.TransitionForm(request.POST or None, initial={"version": referral.version})
    if request.method == "POST":
        response = _handle(
            request,
            form,
            referral,
            lambda data: services.referral_transition(
                actor=user,
                referral=referral,
                transition_id=transition_id,
                reason=data["reason"],
                expected_version=data["version"],
            ),
            f"{transition.label}: done.",
        )
        if response:
            return response
    return render(
        request,
        "referrals/transition.html",
        {
            "referral": referral,
            "transition": transition,
            "form": form,
            "heading": transition.label,
            "button": "Confirm",
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def notification_create(request: HttpRequest, reference: str) -> HttpResponse:
    user = _user(request)
    referral = _visible_referral(request, reference, "referrals.manage_referral")
    framework = get_framework(referral.framework_code)
    form = forms.NotificationForm(
        request.POST or None,
        framework=framework,
        initial={"version": referral.version, "method": "The national online form"},
    )
    if request.method == "POST":
        response = _handle(
            request,
            form,
            referral,
            lambda data: services.notification_record(
                actor=user,
                referral=referral,
                recipient=data["recipient"],
                notified_on=data["notified_on"],
                method=data["method"],
                reference=data["reference"],
                notes=data["notes"],
                expected_version=data["version"],
            ),
            "Notification recorded.",
        )
        if response:
            return response
    return render(
        request,
        "referrals/notification_form.html",
        {
            "referral": referral,
            "form": form,
            "heading": "Record a notification",
            "button": "Save notification",
        },
    )


@login_required
def notification_summary(request: HttpRequest, reference: str) -> HttpResponse:
    """The incident summary with the fields of the national notification form, ready to copy."""
    user = _user(request)
    referral = _case_staff_referral(request, reference)
    audit_record(
        actor=user,
        action="referral.notification_summary",
        target=referral,
        summary=f"Viewed the notification summary of {referral.reference}",
        partnership=referral.partnership,
    )
    return render(
        request,
        "referrals/notification_summary.html",
        {
            "referral": referral,
            "framework": get_framework(referral.framework_code),
            "agencies": referral.agencies.all(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def assess(request: HttpRequest, reference: str) -> HttpResponse:
    user = _user(request)
    referral = _case_staff_referral(request, reference)
    framework = get_framework(referral.framework_code)
    latest = referral.assessments.first()
    initial: dict[str, Any] = {"version": referral.version}
    if latest:
        words = {True: "yes", False: "no", None: "unknown"}
        initial.update({f"q_{key}": words[value] for key, value in latest.answers.items()})
    form = forms.AssessmentForm(request.POST or None, framework=framework, initial=initial)
    if request.method == "POST":
        response = _handle(
            request,
            form,
            referral,
            lambda data: services.assessment_record(
                actor=user,
                referral=referral,
                answers=form.answers(),
                notes=data["notes"],
                expected_version=data["version"],
            ),
            "Criteria assessment recorded.",
        )
        if response:
            return response
    return render(
        request,
        "referrals/assess.html",
        {
            "referral": referral,
            "framework": framework,
            "form": form,
            "heading": framework.criteria.title,
            "button": "Save assessment",
            "latest": latest,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def recommend(request: HttpRequest, reference: str) -> HttpResponse:
    user = _user(request)
    referral = _case_staff_referral(request, reference)
    framework = get_framework(referral.framework_code)
    assessment = referral.assessments.first()
    options = [(o.id, o.label) for o in framework.recommendation_options]
    form = forms.OptionForm(
        request.POST or None,
        options=options,
        option_label="What does the sub-group recommend?",
        rationale_label="Rationale for the recommendation",
        initial={"version": referral.version, "option": _suggested(framework, assessment) if assessment else None},
    )
    if request.method == "POST":
        response = _handle(
            request,
            form,
            referral,
            lambda data: services.recommendation_record(
                actor=user,
                referral=referral,
                option=data["option"],
                rationale=data["rationale"],
                expected_version=data["version"],
            ),
            "Recommendation recorded.",
        )
        if response:
            return response
    return render(
        request,
        "referrals/recommend.html",
        {
            "referral": referral,
            "form": form,
            "assessment": assessment,
            "heading": "Record the recommendation",
            "button": "Save recommendation",
        },
    )


def _suggested(framework: Any, assessment: Any) -> str | None:
    outcome = next((o for o in framework.criteria.outcomes if o.id == assessment.outcome), None)
    return outcome.suggests[0] if outcome and outcome.suggests else None


@login_required
@require_http_methods(["GET", "POST"])
def panel_response(request: HttpRequest, reference: str) -> HttpResponse:
    user = _user(request)
    referral = _visible_referral(request, reference, "referrals.manage_referral")
    form = forms.PanelResponseForm(request.POST or None, initial={"version": referral.version})
    if request.method == "POST":
        response = _handle(
            request,
            form,
            referral,
            lambda data: services.panel_response_record(
                actor=user,
                referral=referral,
                received_on=data["received_on"],
                summary=data["summary"],
                expected_version=data["version"],
            ),
            "The Panel's response is recorded.",
        )
        if response:
            return response
    return render(
        request,
        "referrals/panel_response.html",
        {
            "referral": referral,
            "form": form,
            "heading": "Record the Panel's response",
            "button": "Save response",
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def decide(request: HttpRequest, reference: str) -> HttpResponse:
    user = _user(request)
    referral = _case_staff_referral(request, reference)
    framework = get_framework(referral.framework_code)
    recommendation = referral.recommendations.first()
    form = forms.DecisionForm(
        request.POST or None,
        options=[(o.id, o.label) for o in framework.decision_options],
        option_label="What is your decision?",
        rationale_label="Rationale for the decision",
        initial={"version": referral.version, "option": recommendation.option if recommendation else None},
    )
    if request.method == "POST":
        response = _handle(
            request,
            form,
            referral,
            lambda data: services.decision_record(
                actor=user,
                referral=referral,
                option=data["option"],
                rationale=data["rationale"],
                differs_reason=data["differs_reason"],
                expected_version=data["version"],
            ),
            "Decision recorded. Follow-on deadlines have started.",
        )
        if response:
            return response
    recommendation_label = (
        option_named(framework.recommendation_options, recommendation.option).label  # type: ignore[union-attr]
        if recommendation
        else ""
    )
    return render(
        request,
        "referrals/decide.html",
        {
            "referral": referral,
            "form": form,
            "recommendation": recommendation,
            "recommendation_label": recommendation_label,
            "assessment": referral.assessments.first(),
            "heading": "Record the decision",
            "button": "Record decision",
        },
    )


@login_required
def attachment_download(request: HttpRequest, reference: str, attachment_id: int) -> HttpResponseBase:
    user = _user(request)
    referral = _visible_referral(request, reference)
    attachment = get_object_or_404(Attachment, referral=referral, pk=attachment_id)
    audit_record(
        actor=user,
        action="attachment.download",
        target=attachment,
        partnership=referral.partnership,
        summary=f"Downloaded {attachment.filename} from {referral.reference}",
    )
    # Always a download, never shown inline: an uploaded file must not run in our origin.
    return FileResponse(
        blob_path(attachment.sha256).open("rb"),
        as_attachment=True,
        filename=attachment.filename,
        content_type="application/octet-stream",
    )


def _dashboard_context(request: HttpRequest) -> tuple[forms.DashboardFilterForm, list[selectors.DashboardRow]]:
    user = _user(request)
    if not selectors.can_see_dashboard(user):
        raise PermissionDenied
    form = forms.DashboardFilterForm(request.GET or None, partnerships=partnerships_where(user, set(CASE_STAFF)))
    filters = selectors.DashboardFilters()
    if form.is_valid():
        data = form.cleaned_data
        filters = selectors.DashboardFilters(
            partnership=data["partnership"].pk if data["partnership"] else None,
            deadline_status=data["deadline_status"],
            query=data["query"],
        )
    return form, selectors.dashboard_rows(user, filters, timezone.localdate())


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    form, rows = _dashboard_context(request)
    audit_record(actor=request.user, action="dashboard.view", summary="Viewed the case dashboard")
    page = page_of(rows, request.GET.get("page"))
    query = request.GET.urlencode()
    return render(
        request,
        "referrals/dashboard.html",
        {
            "form": form,
            "page_obj": page,
            "rows": page.object_list,
            "csv_url": reverse("referrals:dashboard_csv") + (f"?{query}" if query else ""),
        },
    )


@login_required
def dashboard_csv(request: HttpRequest) -> HttpResponse:
    _form, rows = _dashboard_context(request)
    audit_record(
        actor=request.user, action="dashboard.download", summary=f"Downloaded the dashboard ({len(rows)} cases)"
    )
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="case-dashboard.csv"'
    writer = csv.writer(response)
    writer.writerow(
        [
            "Reference",
            "Partnership",
            "Framework",
            "Status",
            "Aware on",
            "Next deadline",
            "Due on",
            "Deadline status",
            "Breached deadlines",
            "Breach reasons",
        ]
    )
    today = timezone.localdate()
    for row in rows:
        breached = [d for d in row.deadlines if d.is_breached]
        writer.writerow(
            [
                row.referral.reference,
                row.referral.partnership.name,
                row.referral.framework_code,
                row.status,
                row.referral.aware_on.isoformat(),
                row.next_deadline.label if row.next_deadline else "",
                row.next_deadline.due_on.isoformat() if row.next_deadline else "",
                row.next_deadline.status_on(today).label if row.next_deadline else "",
                "; ".join(d.label for d in breached),
                "; ".join(d.breach_reason for d in breached if d.breach_reason),
            ]
        )
    return response


@login_required
@require_http_methods(["GET", "POST"])
def deadline_breach_reason(request: HttpRequest, reference: str, deadline_id: int) -> HttpResponse:
    user = _user(request)
    referral = _visible_referral(request, reference, "referrals.manage_referral")
    deadline = get_object_or_404(Deadline, referral=referral, pk=deadline_id)
    form = forms.BreachReasonForm(
        request.POST or None, initial={"reason": deadline.breach_reason, "version": deadline.version}
    )
    if request.method == "POST":
        response = _handle(
            request,
            form,
            referral,
            lambda data: services.deadline_breach_reason_record(
                actor=user, deadline=deadline, reason=data["reason"], expected_version=data["version"]
            ),
            "The reason for the breach is recorded.",
        )
        if response:
            return response
    return render(
        request,
        "referrals/breach_reason.html",
        {
            "referral": referral,
            "deadline": deadline,
            "form": form,
            "heading": "Why was the deadline breached?",
            "button": "Save reason",
        },
    )
