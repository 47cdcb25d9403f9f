"""Drafting a briefing for a common theme from 10,000 reports (DESIGN.md target: < 5 s).

    .venv/bin/python benchmarks/briefing_draft.py [--reports 10000] [--repeats 3] [--database URL]

Builds a throwaway database (as `analysis_tables.py` does) with `--reports` reviewed reports: analysis records
and, in the library's own table, each report's confirmed outcome, risk factors (with evidence), 4 findings and 6
recommendations drawn from 40 phrasings of 12 recurring lessons with varying agencies and detail, so that the
grouping has real work. Half the reports have domestic abuse, the common theme drafted here. Times the whole
draft (`services.briefing_draft`: the sample, the values, grouping, the statements, saving), best and median of
`--repeats`, and, apart, the grouping alone and a single `SELECT COUNT(*)` of the values as the baseline.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

LESSONS = [
    "{a} did not share information about the new partner in the household with {b}",
    "{a} should share information about new adults in the household with {b} within one working day",
    "The voice of the child was not heard by {a} during home visits",
    "{a} should ensure the child is seen and spoken to alone at every visit",
    "Professional curiosity about the explanations given by the parents was lacking in {a}",
    "{a} should provide training on professional curiosity and disguised compliance",
    "Escalation of concerns between {a} and {b} did not happen when the plan was not working",
    "{a} should review its escalation policy so that practitioners use it when they disagree with {b}",
    "The assessment of risk by {a} did not take account of the history of domestic abuse",
    "{a} should assess the risk from domestic abuse at every contact and record it",
    "Supervision in {a} did not challenge the drift in the case",
    "{a} should make sure that supervision reflects on cases that are not progressing",
]
AGENCIES = [
    "the police",
    "children's social care",
    "the health visiting service",
    "the school",
    "the GP practice",
    "the hospital",
    "the early years setting",
    "probation",
    "the housing provider",
]
DETAIL = [
    "",
    " in the months before the incident",
    " despite repeated concerns",
    " after the family moved",
    " when the baby was born",
]


def populate(count: int, seed: int) -> None:
    from casereviews.learning import vocabulary
    from casereviews.learning.models import AnalysisRecord
    from casereviews.library.models import ExtractedValue, Report, ReportStatus, ValueStatus

    rng = random.Random(seed)
    Report.objects.bulk_create(
        (
            Report(
                sha256=f"{n:064x}",
                filename=f"report-{n}.pdf",
                title=f"Review {n}",
                media_type="application/pdf",
                size=1,
                text="",
                page_count=30,
                status=ReportStatus.READY,
            )
            for n in range(1, count + 1)
        ),
        batch_size=1000,
    )
    factors = list(vocabulary.RISK_FACTORS)
    records, values = [], []
    for report_id in Report.objects.order_by("pk").values_list("pk", flat=True):
        chosen = {f for f in factors if rng.random() < 0.2} | ({"domestic_abuse"} if rng.random() < 0.5 else set())
        outcome = "died" if rng.random() < 0.56 else "seriously_harmed"
        records.append(
            AnalysisRecord(
                report_id=report_id,
                title=f"Review {report_id}",
                year_published=rng.randint(2011, 2025),
                outcome=outcome,
                age_band=rng.choice(list(vocabulary.AGE_BANDS)[:5]),
                risk_factors=" ".join(sorted(chosen)),
                reviewed=True,
            )
        )

        def value(field: str, key: str, proposed: object, quote: str, report_id: int = report_id) -> ExtractedValue:
            return ExtractedValue(
                report_id=report_id,
                field=field,
                key=key,
                proposed_value=proposed,
                status=ValueStatus.ACCEPTED,
                evidence=[{"page": rng.randint(1, 30), "start": 0, "end": len(quote), "quote": quote}],
            )

        values.append(value("outcome", "", outcome, f"The child {outcome.replace('_', ' ')}."))
        for code in sorted(chosen):
            values.append(value("risk_factors", code, True, f"There was evidence of {code.replace('_', ' ')}."))
        for field, count_of, parity in (("findings", 4, 0), ("recommendations", 6, 1)):
            for number in range(1, count_of + 1):
                lesson = rng.choice([lesson for i, lesson in enumerate(LESSONS) if i % 2 == parity])
                text = lesson.format(a=rng.choice(AGENCIES), b=rng.choice(AGENCIES)).capitalize() + rng.choice(DETAIL)
                values.append(value(field, f"{number:03d}", {"text": text + ".", "page": 10}, text))
    AnalysisRecord.objects.bulk_create(records, batch_size=1000)
    ExtractedValue.objects.bulk_create(values, batch_size=2000)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reports", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seed", type=int, default=20261202)
    parser.add_argument("--database", help="an empty database to use, as a DATABASE_URL (default: a new SQLite file)")
    args = parser.parse_args()

    folder = tempfile.mkdtemp(prefix="briefing-bench-")
    os.environ["DATABASE_URL"] = args.database or f"sqlite:///{folder}/bench.sqlite3"
    os.environ["DJANGO_SETTINGS_MODULE"] = "casereviews.test_settings"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from casereviews.learning import grouping
    from casereviews.learning.services import briefing_draft
    from casereviews.library.models import ExtractedValue
    from casereviews.partnerships.models import Membership, Role, User

    call_command("migrate", verbosity=0)
    began = time.perf_counter()
    populate(args.reports, args.seed)
    analyst = User.objects.create_user(username="analyst", password=None)
    Membership.objects.create(user=analyst, role=Role.ANALYST)
    print(
        f"{connection.vendor}: {args.reports:,} reports, {ExtractedValue.objects.count():,} confirmed values, built "
        f"in {time.perf_counter() - began:.1f} s"
    )

    def run(work: object) -> tuple[float, float, object]:
        times, result = [], None
        for _ in range(args.repeats):
            started = time.perf_counter()
            result = work()  # type: ignore[operator]
            times.append(time.perf_counter() - started)
        return min(times), statistics.median(times), result

    baseline, _, _ = run(lambda: ExtractedValue.objects.count())
    best, median, briefing = run(
        lambda: briefing_draft(actor=analyst, theme_kind="risk_factor", theme_code="domestic_abuse")
    )
    texts = [
        grouping.Text(r, v, t["text"])
        for r, v, t in ExtractedValue.objects.filter(
            field="recommendations", report__analysis__risk_factors__contains="domestic_abuse"
        ).values_list("report_id", "pk", "proposed_value")
    ]
    group_best, _, groups = run(lambda: grouping.group_texts(texts))
    sections = {s["key"]: s["statements"] for s in briefing.content["sections"]}  # type: ignore[attr-defined]
    print("\n| Measure | best | median |\n| --- | ---: | ---: |")
    print(f"| baseline: SELECT COUNT(*) of the values | {baseline * 1000:.1f} ms | |")
    print(f"| draft a briefing on domestic abuse | {best:.2f} s | {median:.2f} s |")
    print(f"| grouping alone, {len(texts):,} recommendations | {group_best:.2f} s | |")
    print(
        f"\nSample: {len(briefing.sample):,} reviews; {len(groups):,} groups of recommendations "  # type: ignore[attr-defined, arg-type]
        f"(the largest in {len(groups[0].report_ids):,} reviews); statements per section: "  # type: ignore[index]
        + ", ".join(f"{k} {len(v)}" for k, v in sections.items())
        + ". Target < 5 s."
    )
    print("Largest recommendation group's first text:", sections["recommendations"][0]["text"])


if __name__ == "__main__":
    main()
