"""Pages for a business manager to manage who holds which role in their partnership: thin views over the selectors
and services.

Anyone who holds no role in the partnership gets 404 (nothing is disclosed about it); its other staff get 403. Every
change needs a recent sign-in or the person's authenticator code (ADR 0012).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from casereviews.core.auth import require_recent_authentication
from casereviews.core.errors import DomainError
from casereviews.partnerships import forms, selectors, services
from casereviews.partnerships.models import Membership, Partnership, User


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _managed(request: HttpRequest, slug: str) -> Partnership:
    partnership = get_object_or_404(Partnership, slug=slug)
    user = _user(request)
    if selectors.partnerships_managed_by(user).filter(pk=partnership.pk).exists():
        return partnership
    if selectors.roles_in(user, partnership):
        raise PermissionDenied
    raise Http404("No partnership found")


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    managed = list(selectors.partnerships_managed_by(_user(request)))
    if not managed:
        raise PermissionDenied
    if len(managed) == 1:
        return redirect("partnerships:people", slug=managed[0].slug)
    return render(request, "partnerships/home.html", {"partnerships": managed})


@login_required
@require_GET
def people(request: HttpRequest, slug: str) -> HttpResponse:
    partnership = _managed(request, slug)
    return render(
        request,
        "partnerships/people.html",
        {"partnership": partnership, "rows": selectors.people_of(partnership), "me": _user(request)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def role_add(request: HttpRequest, slug: str) -> HttpResponse:
    partnership = _managed(request, slug)
    if request.method == "POST":
        require_recent_authentication(request)
    form = forms.RoleAddForm(
        request.POST or None, partnership=partnership, initial={"person": request.GET.get("person", "")}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            membership = services.membership_add(
                actor=_user(request),
                partnership=partnership,
                person=data["person"],
                role=data["role"],
                agency=data["agency"],
            )
        except DomainError as error:
            form.add_domain_error(error)
        else:
            messages.success(
                request, f"{membership.user.display_name} is now {membership.get_role_display().lower()} here."
            )
            return redirect("partnerships:people", slug=partnership.slug)
    return render(request, "partnerships/role_add.html", {"partnership": partnership, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def role_end(request: HttpRequest, slug: str, membership_id: int) -> HttpResponse:
    partnership = _managed(request, slug)
    membership = get_object_or_404(
        Membership.objects.select_related("user", "agency"), partnership=partnership, pk=membership_id
    )
    if request.method == "POST":
        require_recent_authentication(request)
    # The form has no fields, so its POST is empty: bind it by the method, not by whether the POST has data.
    form = forms.RoleEndForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.membership_end(actor=_user(request), membership=membership)
        except DomainError as error:
            form.add_domain_error(error)
        else:
            messages.success(
                request, f"{membership.user.display_name} is no longer {membership.get_role_display().lower()} here."
            )
            return redirect("partnerships:people", slug=partnership.slug)
    return render(
        request, "partnerships/role_end.html", {"partnership": partnership, "membership": membership, "form": form}
    )
