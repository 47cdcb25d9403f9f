"""Drafting a briefing from the confirmed library (DOMAIN.md, "Learning outputs": the NSPCC "at a glance" shape).

A draft is made only of what people have confirmed: the sample (analysis records of reviewed reports with the
theme, in the period), their confirmed outcomes, risk factors, findings and recommendations. Every statement
keeps the reviews it rests on and up to EVIDENCE_PER_STATEMENT quotes with their page and offsets, so the
published briefing can cite each one. Findings and recommendations are grouped by `grouping.py`.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any, Final, NamedTuple

from django.db import connection
from django.db.models import Q, QuerySet

from casereviews.learning import coding, grouping, vocabulary
from casereviews.learning.forms import THEME_KINDS
from casereviews.learning.models import AnalysisRecord
from casereviews.library.models import ExtractedValue, ValueStatus

EVIDENCE_PER_STATEMENT: Final = 5
TOP_RISK_FACTORS: Final = 8
TOP_GROUPS: Final = 8
THEME_COLUMNS: Final = {
    "risk_factor": "risk_factors",
    "practice_theme": "practice_themes",
    "harm_type": "harm_types",
    "sector": "sectors",
}


def theme_label(kind: str, code: str) -> str:
    return THEME_KINDS[kind][1][code]


def sample_records(
    kind: str, code: str, published_from: int | None, published_to: int | None
) -> QuerySet[AnalysisRecord]:
    records = AnalysisRecord.objects.filter(reviewed=True)
    if published_from is not None:
        records = records.filter(year_published__gte=published_from)
    if published_to is not None:
        records = records.filter(year_published__lte=published_to)
    if kind == "age_band":
        records = records.filter(age_band=code)
    else:
        # Codes are whole words of the space-separated list: match the word, not a longer code containing it.
        column = THEME_COLUMNS[kind]
        records = records.filter(
            Q(**{column: code})
            | Q(**{f"{column}__startswith": f"{code} "})
            | Q(**{f"{column}__endswith": f" {code}"})
            | Q(**{f"{column}__contains": f" {code} "})
        )
    return records.order_by("year_published", "title", "report_id")


class SampleRow(NamedTuple):
    report_id: int
    year_published: int | None
    outcome: str
    death_category: str
    age_band: str
    risk_factors: str


@dataclass
class Draft:
    title: str
    summary: str
    content: dict[str, Any]
    notes: str
    sample: list[int]


def _statement(text: str, reports: list[int], evidence: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {"text": text, "reports": sorted(set(reports)), "evidence": (evidence or [])[:EVIDENCE_PER_STATEMENT]}


def _json(raw: Any) -> Any:
    """A JSON column as the cursor gives it: text on SQLite, text or already decoded on PostgreSQL."""
    return json.loads(raw) if isinstance(raw, str) else raw


def _quote(value_id: int, report_id: int, raw_evidence: Any) -> dict[str, Any] | None:
    evidence = _json(raw_evidence)
    if not evidence:
        return None
    first = evidence[0]
    return {
        "report": report_id,
        "value": value_id,
        "page": first.get("page"),
        "start": first.get("start"),
        "end": first.get("end"),
        "quote": first.get("quote", ""),
    }


def _share(count: int, total: int) -> str:
    return f"{count} of the {total} reviews ({count * 100 / total:.1f}%)" if total else f"{count} reviews"


def draft_briefing(kind: str, code: str, published_from: int | None, published_to: int | None) -> Draft | None:
    """The draft for a theme and period, or None when no confirmed review has the theme."""
    sample = sample_records(kind, code, published_from, published_to)
    records = [SampleRow._make(row) for row in sample.values_list(*SampleRow._fields)]
    if not records:
        return None
    ids = [record.report_id for record in records]
    total = len(records)
    values = (
        ExtractedValue.objects.filter(
            report__analysis__in=sample,
            status__in=[ValueStatus.ACCEPTED, ValueStatus.CORRECTED],
            field__in=["findings", "recommendations", "risk_factors", "outcome"],
        )
        .order_by("report_id", "field", "key")
        .values_list("pk", "report_id", "field", "key", "status", "proposed_value", "corrected_value", "evidence")
    )
    texts: dict[str, list[grouping.Text]] = {"findings": [], "recommendations": []}
    factor_quotes: defaultdict[str, list[dict[str, Any]]] = defaultdict(list)
    outcome_quotes: defaultdict[str, list[dict[str, Any]]] = defaultdict(list)
    # Through the cursor with the JSON left undecoded: a common theme has tens of thousands of values, and only
    # the texts and a few quotations per statement are ever read.
    sql, params = values.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    for pk, report_id, field, key, status, proposed, corrected, evidence in rows:
        current = _json(corrected if status == ValueStatus.CORRECTED else proposed)
        if field in texts:
            if isinstance(current, dict) and current.get("text"):
                texts[field].append(grouping.Text(report_id, pk, str(current["text"]), evidence))
        elif field == "risk_factors" and current and len(factor_quotes[key]) < EVIDENCE_PER_STATEMENT:
            quote = _quote(pk, report_id, evidence)
            if quote:
                factor_quotes[key].append(quote)
        elif field == "outcome" and len(outcome_quotes[str(current)]) < EVIDENCE_PER_STATEMENT:
            quote = _quote(pk, report_id, evidence)
            if quote:
                outcome_quotes[str(current)].append(quote)

    label = theme_label(kind, code)
    years = sorted({r.year_published for r in records if r.year_published})
    period = f"{years[0]} to {years[-1]}" if years else "in years not confirmed"
    sector_note = ""
    if kind == "sector":
        pattern = coding.SECTOR_PATTERNS[code]
        for field in texts:
            about_sector = [text for text in texts[field] if pattern.search(text.text)]
            if about_sector:
                texts[field] = about_sector
        sector_note = (
            f" Findings and recommendations that name the sector ({label.lower()}) were kept; where none "
            "did, all of them were."
        )
    sample_text = f"This briefing draws on {total} review{'s' if total != 1 else ''} published {period}, " + (
        f"in which agencies of the {label.lower()} sector were involved."
        if kind == "sector"
        else f"with the theme “{label}” confirmed by a person."
    )
    sections = [
        {"key": "sample", "heading": "The sample", "statements": [_statement(sample_text, ids)]},
        {
            "key": "commissioned",
            "heading": "Why the reviews were commissioned",
            "statements": _commissioned(records, outcome_quotes),
        },
        {
            "key": "risk_factors",
            "heading": "Key risk factors",
            "statements": _risk_factors(records, factor_quotes, kind, code),
        },
        {
            "key": "learning",
            "heading": "Learning for improved practice",
            "statements": _grouped(texts["findings"], total, "finding"),
        },
        {
            "key": "recommendations",
            "heading": "Recommendations that recur",
            "statements": _grouped(texts["recommendations"], total, "recommendation"),
        },
    ]
    notes = (
        f"Drafted from the {total} reviews in the library with “{label}” confirmed by a person, published {period}. "
        "Only values a person has accepted or corrected are used; each statement lists the reviews it rests on "
        f"and up to {EVIDENCE_PER_STATEMENT} quotations with their page.{sector_note} Findings and recommendations "
        "were grouped when they share at least "
        f"{grouping.THRESHOLD:.0%} of their distinct content words (the Jaccard index of the two sets of words, "
        "after lower-casing, dropping common words and plural endings); each group is shown by its first text, in "
        "report order, and the groups found in the most reviews come first. A group is a starting point for the "
        "editor, not a finding of this briefing."
    )
    title = f"{label}: learning from case reviews" + (" (sector briefing)" if kind == "sector" else "")
    summary = (
        f"Summary of risk factors and learning for improved practice from {total} case "
        f"review{'s' if total != 1 else ''} published {period}."
    )
    return Draft(title=title, summary=summary, content={"sections": sections}, notes=notes, sample=ids)


def _commissioned(records: list[SampleRow], quotes: dict[str, list[dict[str, Any]]]) -> list[dict[str, Any]]:
    total = len(records)
    by_outcome: defaultdict[str, list[int]] = defaultdict(list)
    for record in records:
        by_outcome[record.outcome].append(record.report_id)
    statements = []
    deaths = [r for r in records if r.outcome == "died"]
    if deaths:
        categories = Counter(r.death_category for r in deaths if r.death_category)
        detail = "; ".join(f"{vocabulary.DEATH_CATEGORIES.get(c, c)}: {n}" for c, n in categories.most_common())
        statements.append(
            _statement(
                f"{_share(len(deaths), total)} followed the death of a child" + (f" ({detail})." if detail else "."),
                by_outcome["died"],
                quotes.get("died"),
            )
        )
    if by_outcome.get("seriously_harmed"):
        statements.append(
            _statement(
                f"{_share(len(by_outcome['seriously_harmed']), total)} followed serious harm to a child.",
                by_outcome["seriously_harmed"],
                quotes.get("seriously_harmed"),
            )
        )
    ages = Counter(r.age_band for r in records if r.age_band)
    if ages:
        band, count = ages.most_common(1)[0]
        statements.append(
            _statement(
                f"The largest age group was {vocabulary.AGE_BANDS.get(band, band).lower()}: {_share(count, total)}.",
                [r.report_id for r in records if r.age_band == band],
            )
        )
    unknown = by_outcome.get("", [])
    if unknown:
        statements.append(_statement(f"The outcome is not confirmed for {len(unknown)} of the reviews.", unknown))
    return statements


def _risk_factors(
    records: list[SampleRow], quotes: dict[str, list[dict[str, Any]]], kind: str, code: str
) -> list[dict[str, Any]]:
    total = len(records)
    holders: defaultdict[str, list[int]] = defaultdict(list)
    for record in records:
        for factor in record.risk_factors.split():
            holders[factor].append(record.report_id)
    ranked = sorted(holders.items(), key=lambda item: (-len(item[1]), item[0]))
    statements = []
    for factor, reports in ranked[:TOP_RISK_FACTORS]:
        if kind == "risk_factor" and factor == code:
            continue
        name = vocabulary.RISK_FACTORS.get(factor, factor)
        statements.append(
            _statement(f"{name} was present in {_share(len(reports), total)}.", reports, quotes.get(factor))
        )
    return statements


def _grouped(texts: list[grouping.Text], total: int, noun: str) -> list[dict[str, Any]]:
    statements = []
    for group in grouping.group_texts(texts)[:TOP_GROUPS]:
        reports = group.report_ids
        evidence = []
        for member in group.members:
            quote = _quote(member.value_id, member.report_id, member.evidence)
            if quote:
                evidence.append(quote)
            if len(evidence) == EVIDENCE_PER_STATEMENT:
                break
        count = len(reports)
        where = f"in {count} review{'s' if count != 1 else ''}" if count > 1 else "in one review"
        statements.append(_statement(f"{group.first.text.strip()} (a {noun} {where})", reports, evidence))
    return statements
