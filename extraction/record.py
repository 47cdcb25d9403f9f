"""The extraction record: the stable interface between the pipeline and everything that reads it.

The shape is fixed by DESIGN.md ("The extraction record"). Every field is null when the text does not
say, never guessed. Offsets index into the document text exactly as read (for a `.txt` file, the file's
own characters), and pages are 1-based.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class Evidence:
    page: int
    start: int
    end: int
    quote: str


@dataclass
class Child:
    age_years: float | None = None
    age_text: str | None = None
    age_band: str | None = None
    under_18: bool | None = None
    sex: str | None = None
    ethnicity: str | None = None
    # Children's social care involvement, each true, false (the report denies it) or null (it does not say).
    looked_after: bool | None = None
    child_protection_plan: bool | None = None
    child_in_need: bool | None = None
    known_to_social_care: bool | None = None


@dataclass
class Recommendation:
    number: str | None
    text: str
    page: int


@dataclass
class Finding:
    text: str
    page: int


@dataclass
class ExtractionRecord:
    source: str
    sha256: str
    title: str | None = None
    partnership: str | None = None
    year_published: int | None = None
    framework: str | None = None
    review_type: str | None = None
    methodology: str | None = None
    child: Child = field(default_factory=Child)
    outcome: str | None = None
    death_category: str | None = None
    harm_types: list[str] = field(default_factory=list)
    risk_factors: list[str] = field(default_factory=list)
    practice_themes: list[str] = field(default_factory=list)
    agencies: list[str] = field(default_factory=list)
    recommendations: list[Recommendation] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    # The year of the death or serious harm that led to the review; who harmed the child (`HARM_SOURCES`).
    year_incident: int | None = None
    harm_source: str | None = None
    # Keyed by field name ("child.age_years", "outcome") or by code ("domestic_abuse").
    evidence: dict[str, list[Evidence]] = field(default_factory=dict)

    def add_evidence(self, key: str, evidence: Evidence) -> None:
        self.evidence.setdefault(key, []).append(evidence)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class PiiFinding:
    start: int
    end: int
    text: str
    type: str
    score: float
