from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from casereviews.library.services import can_manage_library
from casereviews.partnerships.models import Membership, Role


def navigation(request: HttpRequest) -> dict[str, Any]:
    """Which sections of the service the signed-in person can use, for the header navigation."""
    user = request.user
    if not user.is_authenticated:
        return {"nav_roles": set()}
    roles = set(Membership.objects.filter(user=user).values_list("role", flat=True))
    return {
        "nav_roles": roles,
        "nav_is_case_staff": bool(roles & {Role.BUSINESS_MANAGER, Role.SUBGROUP_MEMBER, Role.CHAIR}),
        "nav_is_business_manager": Role.BUSINESS_MANAGER in roles,
        "nav_is_library_staff": can_manage_library(user),
    }
