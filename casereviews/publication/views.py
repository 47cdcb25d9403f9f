"""Pages for publication: the public pages (no sign-in), the redaction gate and publishing, and requests.

Staff pages answer 404 to anyone who may not see the review at all, so its existence is not disclosed, and 403 to
case staff of the review who lack the role for this page.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from casereviews.core.audit import audit_record
from casereviews.core.auth import require_recent_authentication
from casereviews.core.errors import DomainError, NotAllowed
from casereviews.core.files import blob_path
from casereviews.core.middleware import client_ip
from casereviews.partnerships.models import Role, User
from casereviews.partnerships.selectors import holds_role_anywhere, partnerships_where
from casereviews.publication import forms, selectors, services
from casereviews.publication.models import (
    CaseKey,
    Publication,
    RedactionFinding,
    RequestStatus,
    ScanStatus,
)
from casereviews.reviews.models import Review, ReviewStatus

CONTEXT_CHARACTERS = 80


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _review_for(request: HttpRequest, reference: str, perm: str) -> Review:
    review = get_object_or_404(Review.objects.select_related("partnership"), reference=reference)
    if request.user.has_perm(perm, review):
        return review
    if request.user.has_perm("reviews.view_review", review):
        raise PermissionDenied
    raise Http404("No review found")


def _gate_staff(user: User) -> bool:
    return holds_role_anywhere(user, {Role.BUSINESS_MANAGER, Role.CHAIR})


# -- public pages ---------------------------------------------------------------------------------------------------


def _public_publication(slug: str) -> Publication:
    return get_object_or_404(selectors.published_reviews(), slug=slug)


def public_list(request: HttpRequest) -> HttpResponse:
    return render(request, "publication/public_list.html", {"publications": selectors.published_reviews()[:500]})


def public_detail(request: HttpRequest, slug: str) -> HttpResponse:
    publication = _public_publication(slug)
    today = timezone.localdate()
    return render(
        request,
        "publication/public_detail.html",
        {
            "publication": publication,
            "review": publication.review,
            "window_open": publication.is_window_open_on(today),
            "on_request": publication.review.status == ReviewStatus.ON_REQUEST,
        },
    )


def _pdf_response(publication: Publication) -> FileResponse:
    return FileResponse(
        blob_path(publication.file_sha256).open("rb"),
        as_attachment=True,
        filename=publication.filename,
        content_type="application/pdf",
    )


def public_download(request: HttpRequest, slug: str) -> HttpResponseBase:
    publication = _public_publication(slug)
    if publication.review.status != ReviewStatus.PUBLISHED or not publication.is_window_open_on(timezone.localdate()):
        raise Http404("This report is available on request")
    return _pdf_response(publication)


@require_http_methods(["GET", "POST"])
def public_request(request: HttpRequest, slug: str) -> HttpResponse:
    publication = _public_publication(slug)
    if publication.review.status != ReviewStatus.ON_REQUEST:
        return redirect("publication:public_detail", slug=slug)
    form = forms.ReportRequestForm(request.POST or None)
    if request.method == "POST":
        # A field people never see: only a form-filling robot writes in it. It is told its request went in.
        if request.POST.get("website", "").strip():
            return render(request, "publication/public_request_sent.html", {"publication": publication})
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.report_request_submit(
                    publication=publication,
                    data=services.RequestInput(
                        name=data["name"], email=data["email"], organisation=data["organisation"], reason=data["reason"]
                    ),
                    ip_address=client_ip(request),
                )
            except DomainError as error:
                form.add_domain_error(error)
            else:
                return render(request, "publication/public_request_sent.html", {"publication": publication})
    return render(request, "publication/public_request.html", {"publication": publication, "form": form})


def request_download(request: HttpRequest, token: str) -> HttpResponseBase:
    try:
        granted = services.request_download(token=token)
    except NotAllowed as error:
        return render(request, "publication/link_refused.html", {"message": error.message}, status=403)
    return _pdf_response(granted.publication)


# -- the redaction gate ---------------------------------------------------------------------------------------------


@login_required
def publication_home(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if not _gate_staff(user):
        raise PermissionDenied
    partnerships = partnerships_where(user, {Role.BUSINESS_MANAGER, Role.CHAIR})
    return render(
        request,
        "publication/home.html",
        {
            "awaiting": selectors.reviews_awaiting_publication(user),
            "publications": Publication.objects.filter(review__partnership__in=partnerships).select_related(
                "review", "review__partnership"
            ),
            "pending_requests": selectors.requests_visible_to(user).filter(status=RequestStatus.PENDING).count(),
            "is_business_manager": holds_role_anywhere(user, {Role.BUSINESS_MANAGER}),
        },
    )


def _context(finding: RedactionFinding, page_text: str) -> dict[str, str]:
    return {
        "before": page_text[max(0, finding.start - CONTEXT_CHARACTERS) : finding.start],
        "match": page_text[finding.start : finding.end],
        "after": page_text[finding.end : finding.end + CONTEXT_CHARACTERS],
    }


@login_required
def gate(request: HttpRequest, reference: str) -> HttpResponse:
    user = _user(request)
    review = _review_for(request, reference, "publication.redact")
    today = timezone.localdate()
    state = selectors.gate_of(review, today)
    rows = []
    if state.draft is not None:
        pages = state.draft.pages
        for finding in selectors.findings_of(state.draft):
            rows.append({"finding": finding, **_context(finding, pages[finding.page - 1])})
    audit_record(
        actor=user,
        action="redaction.view",
        target=review,
        partnership=review.partnership,
        summary=f"Viewed the redaction findings of {review.reference}",
    )
    leaks = services.redaction_leaks(state.draft) if state.draft is not None and not state.pending else []
    return render(
        request,
        "publication/gate.html",
        {
            "review": review,
            "gate": state,
            "problems": state.problems(),
            "leaks": leaks,
            "rows": rows,
            "scan_running": selectors.scan_is_running(state.scan),
            "can_publish": user.has_perm("publication.publish", review),
            "publication": getattr(review, "publication", None),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def case_key(request: HttpRequest, reference: str) -> HttpResponse:
    user = _user(request)
    review = _review_for(request, reference, "publication.view_case_key")
    key: CaseKey | None = services.case_key_view_record(actor=user, review=review)
    initial = {
        "deny_list": "\n".join(key.deny_list) if key else "",
        "allow_list": "\n".join(key.allow_list) if key else review.pseudonym,
        "version": key.version if key else None,
    }
    form = forms.CaseKeyForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.case_key_save(
                actor=user,
                review=review,
                deny_list=form.deny(),
                allow_list=form.allow(),
                expected_version=form.cleaned_data["version"],
            )
        except DomainError as error:
            form.add_domain_error(error)
        else:
            messages.success(request, "Case key saved. Scan the final draft again so the changes are looked for.")
            return redirect("publication:gate", reference=review.reference)
    return render(
        request,
        "publication/case_key.html",
        {"review": review, "form": form, "key": key, "heading": "Case key", "button": "Save case key"},
    )


@login_required
@require_POST
def scan_start(request: HttpRequest, reference: str) -> HttpResponse:
    review = _review_for(request, reference, "publication.redact")
    try:
        services.redaction_scan_request(actor=_user(request), review=review)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "The scan has started. Findings appear here when it has finished.")
    return redirect("publication:gate", reference=review.reference)


@login_required
def scan_status(request: HttpRequest, reference: str) -> JsonResponse:
    """How far the scan has got, for the gate page to poll. Shows nothing of the findings."""
    review = _review_for(request, reference, "publication.redact")
    scan = selectors.latest_scan(review)
    if scan is None:
        raise Http404("No scan")
    return JsonResponse(
        {
            "status": scan.status,
            "label": scan.get_status_display(),
            "progress": scan.progress,
            "finished": scan.status in {ScanStatus.DONE, ScanStatus.FAILED},
        }
    )


@login_required
@require_http_methods(["GET", "POST"])
def finding_decide(request: HttpRequest, reference: str, finding_id: int) -> HttpResponse:
    user = _user(request)
    review = _review_for(request, reference, "publication.redact")
    finding = get_object_or_404(
        RedactionFinding.objects.select_related("draft", "decided_by"), review=review, pk=finding_id
    )
    initial: dict[str, Any] = {
        "version": finding.version,
        "decision": finding.decision if finding.is_decided else None,
        "replacement": finding.replacement,
        "reason": finding.reason,
    }
    form = forms.FindingDecisionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.finding_decide(
                actor=user,
                finding=finding,
                decision=data["decision"],
                replacement=data["replacement"],
                reason=data["reason"],
                expected_version=data["version"],
            )
        except DomainError as error:
            form.add_domain_error(error)
        else:
            messages.success(request, "Decision saved.")
            return redirect("publication:gate", reference=review.reference)
    audit_record(
        actor=user,
        action="redaction.view",
        target=finding,
        partnership=review.partnership,
        summary=f"Viewed a finding on page {finding.page} of {review.reference}",
    )
    return render(
        request,
        "publication/finding.html",
        {
            "review": review,
            "finding": finding,
            "form": form,
            "heading": "Decide on this finding",
            "button": "Save decision",
            **_context(finding, finding.draft.pages[finding.page - 1]),
        },
    )


def _pending_by_type(review: Review) -> dict[str, int]:
    draft = selectors.final_draft(review)
    if draft is None:
        return {}
    counts: dict[str, int] = {}
    for kind in selectors.findings_of(draft).filter(decision="pending").values_list("type", flat=True):
        counts[kind] = counts.get(kind, 0) + 1
    return counts


@login_required
@require_http_methods(["GET", "POST"])
def bulk_decide(request: HttpRequest, reference: str) -> HttpResponse:
    review = _review_for(request, reference, "publication.redact")
    form = forms.BulkDecisionForm(request.POST or None, pending_by_type=_pending_by_type(review))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            count = services.findings_decide_by_type(
                actor=_user(request),
                review=review,
                finding_type=data["finding_type"],
                decision=data["decision"],
                replacement=data["replacement"],
                reason=data["reason"],
            )
        except DomainError as error:
            form.add_domain_error(error)
        else:
            messages.success(request, f"Decided {count} finding{'s' if count != 1 else ''}.")
            return redirect("publication:gate", reference=review.reference)
    return render(
        request,
        "publication/bulk.html",
        {"review": review, "form": form, "heading": "Decide all findings of one type", "button": "Save decisions"},
    )


@login_required
@require_http_methods(["GET", "POST"])
def manual_redaction(request: HttpRequest, reference: str) -> HttpResponse:
    review = _review_for(request, reference, "publication.redact")
    form = forms.ManualRedactionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            added = services.manual_redaction_add(
                actor=_user(request),
                review=review,
                text=data["text"],
                page=data["page"],
                replacement=data["replacement"],
                reason=data["reason"],
            )
        except DomainError as error:
            form.add_domain_error(error)
        else:
            messages.success(request, f"Redacted {len(added)} occurrence{'s' if len(added) != 1 else ''}.")
            return redirect("publication:gate", reference=review.reference)
    return render(
        request,
        "publication/manual.html",
        {"review": review, "form": form, "heading": "Redact text the scan missed", "button": "Redact"},
    )


@login_required
def preview(request: HttpRequest, reference: str) -> HttpResponse:
    """The PDF as it would be published now, for checking before publishing."""
    user = _user(request)
    review = _review_for(request, reference, "publication.redact")
    draft = selectors.final_draft(review)
    if draft is None:
        raise Http404("No final draft")
    try:
        data, _count = services.published_pdf(review, draft, timezone.localdate())
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("publication:gate", reference=review.reference)
    audit_record(
        actor=user,
        action="redaction.preview",
        target=review,
        partnership=review.partnership,
        summary=f"Downloaded the redacted preview of {review.reference}",
    )
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{review.reference}-preview.pdf"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def publish(request: HttpRequest, reference: str) -> HttpResponse:
    review = _review_for(request, reference, "publication.publish")
    if request.method == "POST":
        # Publishing cannot be undone: it needs a recent sign-in or the person's code (ADR 0012).
        require_recent_authentication(request)
    state = selectors.gate_of(review)
    form = forms.PublishForm(request.POST or None, initial={"version": review.version})
    if request.method == "POST" and form.is_valid():
        try:
            publication = services.review_publish(
                actor=_user(request),
                review=review,
                summary=form.cleaned_data["summary"],
                expected_version=form.cleaned_data["version"],
            )
        except DomainError as error:
            form.add_domain_error(error)
        else:
            messages.success(
                request, f"Published. The report is online until at least {publication.window_ends_on:%-d %B %Y}."
            )
            return redirect("publication:public_detail", slug=publication.slug)
    return render(
        request,
        "publication/publish.html",
        {
            "review": review,
            "form": form,
            "problems": state.problems(),
            "heading": "Publish the review",
            "button": "Publish",
        },
    )


# -- requests after the window --------------------------------------------------------------------------------------


@login_required
def request_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if not holds_role_anywhere(user, {Role.BUSINESS_MANAGER}):
        raise PermissionDenied
    requests = selectors.requests_visible_to(user)[:500]
    audit_record(actor=user, action="report_request.list", summary="Viewed the requests for reports")
    return render(request, "publication/requests.html", {"requests": requests})


@login_required
@require_http_methods(["GET", "POST"])
def request_answer(request: HttpRequest, request_id: int) -> HttpResponse:
    user = _user(request)
    report_request = get_object_or_404(selectors.requests_visible_to(user), pk=request_id)
    form = forms.RequestAnswerForm(request.POST or None, initial={"version": report_request.version})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if data["answer"] == "grant":
            # Granting sends a confidential report to someone outside: a recent sign-in or code (ADR 0012).
            require_recent_authentication(request)
        try:
            if data["answer"] == "grant":
                services.report_request_grant(actor=user, request=report_request, expected_version=data["version"])
                messages.success(request, "Granted. The download link is being emailed.")
            else:
                services.report_request_refuse(
                    actor=user, request=report_request, reason=data["reason"], expected_version=data["version"]
                )
                messages.success(request, "Refused. The reason is being emailed.")
        except DomainError as error:
            form.add_domain_error(error)
        else:
            return redirect("publication:requests")
    audit_record(
        actor=user,
        action="report_request.view",
        target=report_request,
        partnership=report_request.publication.review.partnership,
        summary=f"Viewed request {report_request.pk}",
    )
    return render(
        request,
        "publication/request_answer.html",
        {"report_request": report_request, "form": form, "pending": report_request.status == RequestStatus.PENDING},
    )
