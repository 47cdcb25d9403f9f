"""Pages for briefings: drafting, editing, approving and publishing (library staff), and the published briefing
with its downloads (everyone).

A draft or approved briefing is staff-only: anyone else gets 404, so its existence is not disclosed. Views are thin
over `services` and `selectors`; the services check the same rules again.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from casereviews.core.errors import DomainError
from casereviews.learning import documents, selectors, services
from casereviews.learning.forms import BriefingDraftForm
from casereviews.learning.models import Briefing, BriefingStatus
from casereviews.partnerships.models import User


def _staff(request: HttpRequest) -> User:
    user: User = request.user  # type: ignore[assignment]
    if not services.can_write_briefings(user):
        raise PermissionDenied
    return user


def _staff_briefing(request: HttpRequest, pk: int) -> tuple[User, Briefing]:
    user = _staff(request)
    return user, get_object_or_404(selectors.briefings_visible_to(user), pk=pk)


def briefing_list(request: HttpRequest) -> HttpResponse:
    """Published briefings for everyone; library staff also see the drafts they may work on."""
    staff = services.can_write_briefings(request.user)
    drafts = selectors.briefings_visible_to(request.user).exclude(status=BriefingStatus.PUBLISHED) if staff else []
    return render(
        request,
        "learning/briefing_list.html",
        {
            "published": selectors.published_briefings(),
            "drafts": drafts,
            "staff": staff,
        },
    )


@login_required
def briefing_new(request: HttpRequest) -> HttpResponseBase:
    user = _staff(request)
    form = BriefingDraftForm(request.POST or None)
    domain_error = None
    if request.method == "POST" and form.is_valid():
        kind, code = form.chosen_theme()
        try:
            briefing = services.briefing_draft(
                actor=user,
                theme_kind=kind,
                theme_code=code,
                published_from=form.cleaned_data.get("published_from"),
                published_to=form.cleaned_data.get("published_to"),
            )
        except DomainError as error:
            domain_error = error.message
        else:
            messages.success(request, "Draft briefing created: check every statement before approving it")
            return redirect("briefings:edit", pk=briefing.pk)
    return render(request, "learning/briefing_new.html", {"form": form, "domain_error": domain_error})


@login_required
def briefing_edit(request: HttpRequest, pk: int) -> HttpResponseBase:
    user, briefing = _staff_briefing(request, pk)
    domain_error = None
    if request.method == "POST":
        statements: dict[tuple[str, int], str] = {}
        for name in request.POST:
            value = request.POST.get(name, "")
            if name.startswith("statement-"):
                _prefix, section, position = name.split("-", 2)
                if position.isdigit():
                    statements[(section, int(position))] = value
        version = request.POST.get("version", "")
        try:
            services.briefing_edit(
                actor=user,
                briefing=briefing,
                title=request.POST.get("title", ""),
                summary=request.POST.get("summary", ""),
                statements=statements,
                expected_version=int(version) if version.isdigit() else None,
            )
        except DomainError as error:
            domain_error = error.message
        else:
            messages.success(request, "Briefing saved")
            return redirect("briefings:edit", pk=briefing.pk)
    return render(
        request,
        "learning/briefing_edit.html",
        {
            "view": documents.briefing_view(briefing),
            "briefing": briefing,
            "domain_error": domain_error,
        },
        status=400 if domain_error else 200,
    )


@login_required
@require_POST
def briefing_approve(request: HttpRequest, pk: int) -> HttpResponseBase:
    user, briefing = _staff_briefing(request, pk)
    version = request.POST.get("version", "")
    try:
        services.briefing_approve(
            actor=user, briefing=briefing, expected_version=int(version) if version.isdigit() else None
        )
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "Briefing approved: it can now be published")
    return redirect("briefings:edit", pk=briefing.pk)


@login_required
@require_POST
def briefing_publish(request: HttpRequest, pk: int) -> HttpResponseBase:
    user, briefing = _staff_briefing(request, pk)
    version = request.POST.get("version", "")
    try:
        services.briefing_publish(
            actor=user, briefing=briefing, expected_version=int(version) if version.isdigit() else None
        )
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("briefings:edit", pk=briefing.pk)
    messages.success(request, "Briefing published")
    return redirect("briefings:public", slug=briefing.slug)


def _published(slug: str) -> Briefing:
    return get_object_or_404(selectors.published_briefings(), slug=slug)


def briefing_public(request: HttpRequest, slug: str) -> HttpResponse:
    briefing = _published(slug)
    return render(request, "learning/briefing_public.html", {"view": documents.briefing_view(briefing)})


def _download(body: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def briefing_pdf(request: HttpRequest, slug: str) -> HttpResponse:
    briefing = _published(slug)
    return _download(documents.briefing_pdf(briefing), "application/pdf", f"{briefing.slug}.pdf")


def briefing_seven_minute(request: HttpRequest, slug: str) -> HttpResponse:
    briefing = _published(slug)
    return _download(
        documents.briefing_pdf(briefing, seven_minute=True), "application/pdf", f"{briefing.slug}-7-minute-briefing.pdf"
    )


def briefing_docx(request: HttpRequest, slug: str) -> HttpResponse:
    briefing = _published(slug)
    return _download(
        documents.briefing_docx(briefing),
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        f"{briefing.slug}.docx",
    )
