"""The controlled vocabulary of the coding frame (DOMAIN.md, "Coding frame for reports").

Plain data with no Django imports, so that the extraction pipeline, the corpus generator and the
application all speak the same codes. A code never changes once reports carry it; labels may.
"""

from __future__ import annotations

from typing import Final

AGE_BANDS: Final[dict[str, str]] = {
    "under_1": "Under 1",
    "1_5": "1 to 5",
    "6_10": "6 to 10",
    "11_15": "11 to 15",
    "16_17": "16 to 17",
    "adult": "18 or over",
}

SEXES: Final[dict[str, str]] = {"female": "Female", "male": "Male"}

OUTCOMES: Final[dict[str, str]] = {
    "died": "Died",
    "seriously_harmed": "Seriously harmed",
    "other": "Other",
}

DEATH_CATEGORIES: Final[dict[str, str]] = {
    "fatal_physical_abuse": "Fatal physical abuse",
    "homicide": "Homicide (including extra-familial)",
    "covert_homicide": "Covert homicide or infanticide",
    "extreme_neglect": "Extreme neglect",
    "sudi": "Sudden unexpected death in infancy (SUDI)",
    "suicide": "Suicide",
    "other_related": "Other related deaths",
}

HARM_TYPES: Final[dict[str, str]] = {
    "physical_abuse": "Physical abuse",
    "neglect": "Neglect",
    "sexual_abuse": "Sexual abuse",
    "sexual_exploitation": "Sexual exploitation",
    "criminal_exploitation": "Criminal exploitation",
    "emotional_abuse": "Emotional abuse",
    "fabricated_induced_illness": "Fabricated or induced illness",
    "other": "Other harm",
}

HARM_SOURCES: Final[dict[str, str]] = {
    "intra_familial": "Intra-familial",
    "extra_familial": "Extra-familial",
}

RISK_FACTORS: Final[dict[str, str]] = {
    "domestic_abuse": "Domestic abuse",
    "parental_mental_ill_health": "Parental mental ill-health",
    "parental_alcohol_misuse": "Parental alcohol misuse",
    "parental_drug_misuse": "Parental drug misuse",
    "parental_learning_disability": "Parental learning disability",
    "parental_criminality": "Parental criminality",
    "young_parents": "Young parents",
    "unknown_male": "Unknown or new male in the household",
    "housing_instability": "Housing instability",
    "poverty": "Poverty",
    "social_isolation": "Social isolation",
    "previous_child_removed": "Previous child removed",
    "adolescent_self_harm": "Adolescent self-harm",
    "missing_episodes": "Missing episodes",
    "online_harm": "Online harm",
}

PRACTICE_THEMES: Final[dict[str, str]] = {
    "information_sharing": "Information sharing",
    "voice_of_the_child": "Voice of the child",
    "professional_curiosity": "Professional curiosity",
    "disguised_compliance": "Disguised compliance",
    "escalation": "Escalation",
    "assessment_of_risk": "Assessment of risk",
    "unseen_men": "Unseen men",
    "hindsight_free_analysis": "Hindsight-free analysis",
    "supervision": "Supervision",
    "transitions": "Transitions",
    "thresholds": "Thresholds",
}

METHODOLOGIES: Final[dict[str, str]] = {
    "learning_together": "SCIE Learning Together",
    "silp": "Significant Incident Learning Process (SILP)",
    "significant_event_analysis": "Significant Event Analysis",
    "hybrid": "Hybrid",
    "other": "Other",
}

NATIONS: Final[dict[str, str]] = {
    "england": "England",
    "wales": "Wales",
    "scotland": "Scotland",
    "northern_ireland": "Northern Ireland",
}


def age_band(age_years: float | None) -> str | None:
    """The coding frame's age band for an age in years; None when the age is not known."""
    if age_years is None:
        return None
    if age_years < 1:
        return "under_1"
    if age_years < 6:
        return "1_5"
    if age_years < 11:
        return "6_10"
    if age_years < 16:
        return "11_15"
    if age_years < 18:
        return "16_17"
    return "adult"
