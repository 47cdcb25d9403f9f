"""Extract the coding frame from a read document into an `ExtractionRecord`, every value with evidence.

Evidence is keyed by field name ("title", "child.age_years", "outcome") or by code ("domestic_abuse",
"voice_of_the_child") or agency name ("Northshire Police"); "recommendations" and "findings" hold one
passage per item, in order. A field the text does not state stays null or empty.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TypeVar

from extraction.document import Document, Section
from extraction.facts.agencies import find_agencies
from extraction.facts.child import find_age, find_ethnicity, find_sex
from extraction.facts.circumstances import find_harm_source, find_social_care, find_year_incident
from extraction.facts.codes import Hits, find_harm_types, find_practice_themes, find_risk_factors
from extraction.facts.findings import find_findings
from extraction.facts.items import Item
from extraction.facts.metadata import find_metadata
from extraction.facts.outcome import find_outcome
from extraction.facts.recommendations import find_recommendations
from extraction.facts.subject import Subject
from extraction.facts.text import Fact, TextIndex
from extraction.record import ExtractionRecord, Finding, Recommendation

T = TypeVar("T")


def extract_record(document: Document, sections: Sequence[Section] | None = None) -> ExtractionRecord:
    """The coding frame of `document`; `sections` (from `extraction.sections`) sharpen but are optional."""
    index = TextIndex(document, sections or ())
    subject = Subject(index)
    record = ExtractionRecord(source=document.source, sha256=document.sha256)

    metadata = find_metadata(index)
    record.title = _take(record, "title", metadata.title)
    record.partnership = _take(record, "partnership", metadata.partnership)
    record.year_published = _take(record, "year_published", metadata.year_published)
    record.framework = _take(record, "framework", metadata.framework)
    record.review_type = _take(record, "review_type", metadata.review_type)
    record.methodology = _take(record, "methodology", metadata.methodology)

    age = find_age(index, subject)
    child = record.child
    child.age_years = _take(record, "child.age_years", age.age_years)
    child.age_text = _take(record, "child.age_text", age.age_text)
    child.age_band = _take(record, "child.age_band", age.age_band)
    child.under_18 = _take(record, "child.under_18", age.under_18)
    child.sex = _take(record, "child.sex", find_sex(index, subject))
    child.ethnicity = _take(record, "child.ethnicity", find_ethnicity(index, subject))

    outcome = find_outcome(index, subject, child.age_years)
    record.outcome = _take(record, "outcome", outcome.outcome)
    record.death_category = _take(record, "death_category", outcome.death_category)

    recommendations = find_recommendations(index, sections or ())
    # What a review recommends is not what the family lived with: those spans do not give harm or risk.
    recommendation_spans = [(item.start, item.end) for item in recommendations]
    record.harm_types = _take_codes(record, find_harm_types(index, recommendation_spans))
    record.risk_factors = _take_codes(record, find_risk_factors(index, recommendation_spans))
    record.practice_themes = _take_codes(record, find_practice_themes(index))
    record.agencies = _take_codes(record, find_agencies(index))

    social_care = find_social_care(index, subject, recommendation_spans)
    child.looked_after = _take(record, "child.looked_after", social_care.looked_after)
    child.child_protection_plan = _take(
        record, "child.child_protection_plan", social_care.child_protection_plan
    )
    child.child_in_need = _take(record, "child.child_in_need", social_care.child_in_need)
    child.known_to_social_care = _take(record, "child.known_to_social_care", social_care.known_to_social_care)
    record.year_incident = _take(
        record, "year_incident", find_year_incident(index, subject, record.year_published)
    )
    record.harm_source = _take(record, "harm_source", find_harm_source(index, subject, recommendation_spans))

    record.recommendations = [
        Recommendation(number=item.number, text=item.text, page=document.page_at(item.start))
        for item in recommendations
    ]
    _take_items(record, index, "recommendations", recommendations)
    findings = find_findings(index, sections or ())
    record.findings = [Finding(text=item.text, page=document.page_at(item.start)) for item in findings]
    _take_items(record, index, "findings", findings)
    return record


def _take(record: ExtractionRecord, key: str, fact: Fact[T] | None) -> T | None:
    if fact is None:
        return None
    for evidence in fact.evidence:
        record.add_evidence(key, evidence)
    return fact.value


def _take_codes(record: ExtractionRecord, found: Mapping[str, Hits]) -> list[str]:
    for code, hits in found.items():
        for evidence in hits.evidence:
            record.add_evidence(code, evidence)
    return list(found)


def _take_items(record: ExtractionRecord, index: TextIndex, key: str, items: Sequence[Item]) -> None:
    for item in items:
        record.add_evidence(key, index.evidence(item.start, item.end))
