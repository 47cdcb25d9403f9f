from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from casereviews.partnerships.models import Role
from casereviews.partnerships.selectors import partnership_ids_where
from casereviews.retention.policy import retention_schedule
from casereviews.retention.selectors import holds_in_force, retention_last_applied


@require_GET
@login_required
def schedule(request: HttpRequest) -> HttpResponse:
    """The retention schedule, for the business managers who answer for it to their partnership."""
    managed = partnership_ids_where(request.user, {Role.BUSINESS_MANAGER})
    if not managed:
        raise PermissionDenied
    context = {
        "holds": list(holds_in_force(managed)),
        "kinds": retention_schedule(),
        "paused": settings.RETENTION_PAUSED,
        "last_applied": retention_last_applied(),
    }
    return render(request, "retention/schedule.html", context)
