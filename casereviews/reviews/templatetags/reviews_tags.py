"""Template helpers other apps' pages use to link to reviews."""

from __future__ import annotations

from typing import Any

from django import template

from casereviews.frameworks.schema import ReviewType
from casereviews.reviews.services import commissionable_review_type

register = template.Library()


@register.filter
def review_to_set_up(referral: Any) -> ReviewType | None:
    """The review type the chair decided on, when the partnership runs it and it is not set up yet."""
    return commissionable_review_type(referral)
