"""Who may see and do what with a review (DOMAIN.md, "People").

The partnership's case staff (business manager, sub-group member, chair) see the whole review. A lead
reviewer sees and edits only the reviews they are appointed to. An agency lead sees only what concerns
their agency in a review their agency is part of: its contribution request and its actions, never the
drafts or the deliberations. Analysts and the public see a review only once it is published, through the
public page and the library.
"""

from __future__ import annotations

from typing import Any

import rules

from casereviews.partnerships.models import Role
from casereviews.partnerships.selectors import roles_in

CASE_STAFF = {Role.BUSINESS_MANAGER, Role.SUBGROUP_MEMBER, Role.CHAIR}


def _roles(user: Any, review: Any) -> set[str]:
    if review is None:
        return set()
    remembered = review.__dict__.get("_roles_for_request")
    if remembered is not None and remembered[0] == getattr(user, "pk", None):
        return set(remembered[1])
    return set(roles_in(user, review.partnership))


def remember_roles(user: Any, review: Any) -> None:
    """Read `user`'s roles in the review's partnership once for a request and keep them on this copy of `review`.

    A page asks several permissions of the same review (the review page five, besides seeing it): each would read
    the roles again. Only views call this, on the review they loaded for the request, so a role granted later in
    a longer-lived process (a test, a task) is never missed.
    """
    review.__dict__["_roles_for_request"] = (getattr(user, "pk", None), frozenset(roles_in(user, review.partnership)))


@rules.predicate
def is_review_case_staff(user: Any, review: Any) -> bool:
    return bool(_roles(user, review) & CASE_STAFF)


@rules.predicate
def is_review_business_manager(user: Any, review: Any) -> bool:
    return Role.BUSINESS_MANAGER in _roles(user, review)


@rules.predicate
def is_review_chair(user: Any, review: Any) -> bool:
    return Role.CHAIR in _roles(user, review)


@rules.predicate
def is_review_subgroup_member(user: Any, review: Any) -> bool:
    return Role.SUBGROUP_MEMBER in _roles(user, review)


@rules.predicate
def is_appointed_reviewer(user: Any, review: Any) -> bool:
    if review is None or not user.is_authenticated:
        return False
    return review.appointments.filter(reviewer=user, ended_on__isnull=True).exists()


def agency_ids_led_by(user: Any, review: Any) -> set[int]:
    """The agencies of `review` for which `user` is agency lead in the review's partnership."""
    if review is None or not user.is_authenticated:
        return set()
    led = set(
        user.memberships.filter(
            partnership=review.partnership, role=Role.AGENCY_LEAD, agency__isnull=False
        ).values_list("agency_id", flat=True)
    )
    return led & set(review.agencies.values_list("pk", flat=True))


@rules.predicate
def is_agency_lead_in_review(user: Any, review: Any) -> bool:
    return bool(agency_ids_led_by(user, review))


def _contribution_review(request: Any) -> Any:
    return request.review if request is not None else None


@rules.predicate
def is_lead_of_requested_agency(user: Any, request: Any) -> bool:
    """`request` is a ContributionRequest: the user leads that agency in the review's partnership."""
    if request is None or not user.is_authenticated:
        return False
    return user.memberships.filter(
        partnership_id=request.review.partnership_id, role=Role.AGENCY_LEAD, agency_id=request.agency_id
    ).exists()


@rules.predicate
def is_contribution_case_staff(user: Any, request: Any) -> bool:
    return bool(_roles(user, _contribution_review(request)) & CASE_STAFF)


@rules.predicate
def is_contribution_business_manager(user: Any, request: Any) -> bool:
    return Role.BUSINESS_MANAGER in _roles(user, _contribution_review(request))


@rules.predicate
def is_contribution_reviewer(user: Any, request: Any) -> bool:
    return bool(is_appointed_reviewer(user, _contribution_review(request)))


rules.add_perm("reviews.view_review", is_review_case_staff | is_appointed_reviewer)
rules.add_perm("reviews.view_review_summary", is_review_case_staff | is_appointed_reviewer | is_agency_lead_in_review)
rules.add_perm("reviews.manage_review", is_review_business_manager)
rules.add_perm("reviews.edit_review_work", is_review_business_manager | is_appointed_reviewer)
rules.add_perm("reviews.quality_assure", is_review_subgroup_member | is_review_business_manager)
rules.add_perm("reviews.sign_off", is_review_chair)
rules.add_perm("reviews.sign_off_marker", is_review_subgroup_member | is_review_chair)
rules.add_perm("reviews.respond_for_board", is_review_business_manager | is_review_chair)
# The lead reviewers need the agencies' chronologies and reports to write the review.
rules.add_perm(
    "reviews.view_contribution", is_contribution_case_staff | is_contribution_reviewer | is_lead_of_requested_agency
)
rules.add_perm("reviews.submit_contribution", is_contribution_business_manager | is_lead_of_requested_agency)
