"""How the analysis reads the coding frame: the fields it counts and the groupings it derives from them.

The codes themselves are in `vocabulary.py`; this module adds what only the learning outputs need (the level of
children's social care involvement, the sectors an agency belongs to), with no Django imports.
"""

from __future__ import annotations

import re
from typing import Final

from casereviews.learning import vocabulary

# Children's social care involvement, highest level first: a child who was looked after is counted there and not
# again under "child protection plan". The booleans are the coding frame's (DOMAIN.md, "The child").
SOCIAL_CARE_FIELDS: Final[dict[str, str]] = {
    "looked_after": "child.looked_after",
    "protection_plan": "child.child_protection_plan",
    "child_in_need": "child.child_in_need",
    "known": "child.known_to_social_care",
}
SOCIAL_CARE: Final[dict[str, str]] = {
    "looked_after": "Looked after",
    "protection_plan": "Child protection plan",
    "child_in_need": "Child in need",
    "known": "Known to children's social care, no plan",
    "not_known": "Not known to children's social care",
}

SECTORS: Final[dict[str, str]] = {
    "police": "Police",
    "schools": "Schools",
    "health": "Health",
    "early_years": "Early years",
    "social_care": "Children's social care",
}
# An agency belongs to a sector when its name matches; a name may match several (a school nurse is health).
SECTOR_PATTERNS: Final[dict[str, re.Pattern[str]]] = {
    "police": re.compile(r"\b(police|constabulary|met(ropolitan)? police|cid)\b", re.IGNORECASE),
    "schools": re.compile(r"\b(schools?|academy|college|education|pupil referral)\b", re.IGNORECASE),
    "health": re.compile(
        r"\b(health|hospitals?|gp|general practi\w*|nhs|midwi\w*|ambulance|camhs|paediatric\w*|nurs(e|es|ing)"
        r"|emergency department|a&e|mental health)\b",
        re.IGNORECASE,
    ),
    "early_years": re.compile(
        r"\b(nursery|nurseries|early years|childminders?|children'?s cent(re|er)s?|pre-?school)\b", re.IGNORECASE
    ),
    "social_care": re.compile(
        r"\b(social care|social work\w*|children'?s services|social services|mash)\b", re.IGNORECASE
    ),
}


def sectors_of(agency: str) -> set[str]:
    return {code for code, pattern in SECTOR_PATTERNS.items() if pattern.search(agency)}


def nation_of_framework(framework: str | None) -> str:
    """The nation a framework code belongs to (`england_2023` -> `england`), or "" when it names none."""
    if not framework:
        return ""
    return next((nation for nation in vocabulary.NATIONS if framework.startswith(nation)), "")


def social_care_level(flags: dict[str, bool | None]) -> str:
    """The highest level of involvement confirmed true; `not_known` when the child is confirmed not known to
    children's social care (which rules out every level); "" when nothing is confirmed."""
    for level in SOCIAL_CARE_FIELDS:
        if flags.get(level) is True:
            return level
    return "not_known" if flags.get("known") is False else ""
