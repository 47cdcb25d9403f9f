"""Who may see and do what with a review's action plan (DOMAIN.md, "People").

The partnership's case staff (business manager, sub-group member, chair) see every plan of their
partnership; an appointed lead reviewer sees the plans of their reviews. An agency lead sees only the
actions their agency owns, with the recommendation each answers, and posts progress on them. The business
manager writes the plan and accepts evidence; the lead reviewer may write findings and recommendations
while the review is open (the report is theirs), but not the actions (the partnership's commitments).
"""

from __future__ import annotations

from typing import Any

import rules

from casereviews.partnerships.models import Membership, Role
from casereviews.reviews.rules import is_appointed_reviewer, is_review_business_manager, is_review_case_staff


@rules.predicate
def is_open_review(user: Any, review: Any) -> bool:
    return review is not None and review.is_open


def _review_of(action: Any) -> Any:
    return action.recommendation.review if action is not None else None


@rules.predicate
def can_view_plan_of_action(user: Any, action: Any) -> bool:
    review = _review_of(action)
    return bool(is_review_case_staff(user, review) or is_appointed_reviewer(user, review))


@rules.predicate
def leads_owner_agency(user: Any, action: Any) -> bool:
    if action is None or not user.is_authenticated:
        return False
    return Membership.objects.filter(
        user=user,
        role=Role.AGENCY_LEAD,
        agency_id=action.owner_agency_id,
        partnership_id=action.owner_agency.partnership_id,
    ).exists()


@rules.predicate
def is_business_manager_of_action(user: Any, action: Any) -> bool:
    return bool(is_review_business_manager(user, _review_of(action)))


rules.add_perm("actions.view_plan", is_review_case_staff | is_appointed_reviewer)
rules.add_perm("actions.edit_actions", is_review_business_manager)
rules.add_perm("actions.edit_recommendations", is_review_business_manager | (is_appointed_reviewer & is_open_review))
rules.add_perm("actions.view_action", can_view_plan_of_action | leads_owner_agency)
rules.add_perm("actions.post_update", leads_owner_agency)
rules.add_perm("actions.accept_evidence", is_business_manager_of_action)
