from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from casereviews.core.audit import audit_record
from casereviews.core.health import readiness
from casereviews.core.models import AuditEvent, BackgroundJob
from casereviews.library.selectors import library_progress
from casereviews.partnerships.models import Role, User
from casereviews.partnerships.selectors import partnership_ids_where
from casereviews.referrals.selectors import can_see_dashboard


def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    job = BackgroundJob.objects.filter(name="demo_library").first()
    progress = library_progress()
    waiting = progress["queued"] + progress["processing"]
    context = {
        "can_see_dashboard": user.is_authenticated and can_see_dashboard(user),
        # The first page never waits for slow work: it shows how far the demo library has got instead.
        "demo_job": job if job and (job.running or waiting) else None,
        "library_progress": progress,
        "library_waiting": waiting,
    }
    return render(request, "core/home.html", context)


@login_required
def audit_log(request: HttpRequest) -> HttpResponse:
    """A business manager reads their own partnerships' audit entries, newest first."""
    user: User = request.user  # type: ignore[assignment]
    # The ids, not a subquery: with the usual one partnership the database reads the newest entries straight off
    # the (partnership, -sequence) index, where a subquery made SQLite sort every entry the partnership ever had.
    managed = partnership_ids_where(user, {Role.BUSINESS_MANAGER})
    if not managed:
        raise PermissionDenied
    events = AuditEvent.objects.filter(partnership_id__in=managed).select_related("partnership")
    action = request.GET.get("action", "").strip()
    if action:
        events = events.filter(action__startswith=action)
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    audit_record(actor=user, action="audit.view", summary="Viewed the audit log")
    return render(request, "core/audit_log.html", {"page": page, "action": action})


def accessibility(request: HttpRequest) -> HttpResponse:
    return render(request, "core/accessibility.html")


def privacy(request: HttpRequest) -> HttpResponse:
    return render(request, "core/privacy.html")


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness: the process answers. Touches nothing else, so a database outage never makes a supervisor
    restart healthy web processes; /readyz says whether this node can serve."""
    return JsonResponse({"status": "ok"})


@never_cache
def readyz(request: HttpRequest) -> JsonResponse:
    """Readiness: each check with ok or fail and why (casereviews/core/health.py); 200 when all pass, else 503.
    Anonymous, like /healthz: a load balancer has no account, and no reason names a person, a path or a host."""
    checks = readiness()
    ready = all(check.ok for check in checks)
    body = {
        "status": "ready" if ready else "not ready",
        "checks": {check.name: {"ok": check.ok, "reason": check.reason} for check in checks},
    }
    response = JsonResponse(body, status=200 if ready else 503)
    # The request's own log line says it; Django's "Service Unavailable" line on every probe would repeat it.
    response._has_been_logged = True  # type: ignore[attr-defined]
    return response
