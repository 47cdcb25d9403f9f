"""A small library for search tests: two public reports, and two that are not public yet."""

from __future__ import annotations

from types import SimpleNamespace

from casereviews.library.models import ValueStatus
from tests.search.builders import make_library_report

PROPOSED = ValueStatus.PROPOSED


def build_library() -> SimpleNamespace:
    a = make_library_report(
        "Child A review",
        [
            "The baby was neglected at home. <script>alert(1)</script> was found in a note.",
            "Information sharing between agencies failed.",
            "Recommendations: supervision of practitioners.",
        ],
        catalogue={"year_published": 2021},
        values={"outcome": "died", "child.sex": "female", "child.age_band": "under_1"},
        codes={"harm_types": ["neglect"], "risk_factors": ["domestic_abuse"]},
    )
    # A code the machine proposed and nobody has confirmed: it must never reach the public.
    make_proposal(a, "risk_factors", "poverty")
    make_proposal(a, "methodology", "silp", key="")
    b = make_library_report(
        "Child B review",
        ["Domestic abuse and housing instability were known.", "Sharing of information was poor."],
        catalogue={"year_published": 2023, "partnership": "Glanmor", "framework": "wales", "review_type": "cpr"},
        values={"outcome": "seriously_harmed"},
        codes={"harm_types": ["physical_abuse"], "risk_factors": ["domestic_abuse"]},
    )
    draft = make_library_report(
        "Secret draft review",
        ["The zebracorn child was neglected."],
        status=PROPOSED,
        codes={"risk_factors": ["online_harm"]},
    )
    pending = make_library_report("Quokka review", ["A quokka was neglected in the report."])
    pending.values.filter(field="partnership").update(status=PROPOSED)
    return SimpleNamespace(a=a, b=b, draft=draft, pending=pending)


def make_proposal(report, field: str, value: str, key: str | None = None) -> None:
    from casereviews.library.models import ExtractedValue

    if key is None:
        ExtractedValue.objects.create(report=report, field=field, key=value, proposed_value=True)
    else:
        ExtractedValue.objects.create(report=report, field=field, key=key, proposed_value=value)
