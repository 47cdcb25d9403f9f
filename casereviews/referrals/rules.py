"""Who may see and do what with a referral (DOMAIN.md, "People").

Case staff of the referral's partnership (business manager, sub-group member, chair) see everything about
it. The referrer sees their own referral and its status, never the deliberations. Nobody else sees it:
not another partnership's staff, not lead reviewers or agency leads (they see reviews, later), not
analysts (they see published and de-identified material only).
"""

from __future__ import annotations

from typing import Any

import rules

from casereviews.partnerships.models import Role
from casereviews.partnerships.selectors import roles_in

CASE_STAFF = {Role.BUSINESS_MANAGER, Role.SUBGROUP_MEMBER, Role.CHAIR}


@rules.predicate
def is_case_staff(user: Any, referral: Any) -> bool:
    return referral is not None and bool(roles_in(user, referral.partnership) & CASE_STAFF)


@rules.predicate
def is_business_manager(user: Any, referral: Any) -> bool:
    return referral is not None and Role.BUSINESS_MANAGER in roles_in(user, referral.partnership)


@rules.predicate
def is_own_referral(user: Any, referral: Any) -> bool:
    return referral is not None and user.is_authenticated and referral.submitted_by_id == user.pk


rules.add_perm("referrals.view_referral", is_case_staff | is_own_referral)
rules.add_perm("referrals.view_deliberations", is_case_staff)
rules.add_perm("referrals.manage_referral", is_business_manager)
