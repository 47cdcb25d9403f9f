"""All the tables of the analysis for 10,000 reports (DESIGN.md target: < 1 s).

    .venv/bin/python benchmarks/analysis_tables.py [--reports 10000] [--repeats 7] [--database URL]

Builds a throwaway database (SQLite in a temporary folder unless --database names another, which must be empty
and is migrated), adds `--reports` reports with their analysis records in bulk (confirmed values drawn with a
fixed seed in realistic proportions: half the reports with domestic abuse, a tenth with values still waiting for
a person), then times, best and median of `--repeats` runs each:

- the baseline: one `SELECT COUNT(*)` of the analysis records, the cheapest read of the same table;
- every table for everything (`selectors.analysis_for`), the page's work before rendering;
- every table for a region (a filtered, rounded selection);
- every table and its chart rendered as the public page, through Django's test client;
- the CSV and Excel downloads;
- rebuilding one report's record after a person's decision (`analysis_record_refresh`).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

REGIONS = [
    "North East",
    "North West",
    "Yorkshire and the Humber",
    "East Midlands",
    "West Midlands",
    "East of England",
    "London",
    "South East",
    "South West",
]


def timed(work: Callable[[], object], repeats: int) -> tuple[float, float]:
    times = []
    for _ in range(repeats):
        began = time.perf_counter()
        work()
        times.append(time.perf_counter() - began)
    return min(times), statistics.median(times)


def populate(count: int, seed: int) -> None:
    from casereviews.learning import coding, vocabulary
    from casereviews.learning.models import AnalysisRecord
    from casereviews.library.models import Report, ReportStatus
    from casereviews.partnerships.models import Partnership

    rng = random.Random(seed)
    partnerships = [
        Partnership.objects.create(
            name=f"Partnership {n}",
            slug=f"p{n}",
            nation="wales" if n % 10 == 0 else "england",
            region="" if n % 10 == 0 else REGIONS[n % len(REGIONS)],
        )
        for n in range(1, 121)
    ]
    reports = [
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
    ]
    Report.objects.bulk_create(reports, batch_size=1000)
    factors, themes, harms = (
        list(vocabulary.RISK_FACTORS),
        list(vocabulary.PRACTICE_THEMES),
        list(vocabulary.HARM_TYPES),
    )
    records = []
    for report in Report.objects.order_by("pk").only("pk", "title"):
        partnership = rng.choice(partnerships)
        died = rng.random() < 0.56
        pending = "child.sex outcome" if rng.random() < 0.1 else ""
        chosen_factors = {f for f in factors if rng.random() < 0.2}
        if rng.random() < 0.5:
            chosen_factors.add("domestic_abuse")
        records.append(
            AnalysisRecord(
                report=report,
                title=report.title,
                year_published=rng.randint(2011, 2025),
                year_incident=rng.randint(2009, 2024),
                partnership=partnership,
                partnership_name=partnership.name,
                nation=partnership.nation,
                region=partnership.region,
                framework=rng.choice(["england_2015", "england_2023"]),
                review_type=rng.choice(["Serious case review", "Local child safeguarding practice review"]),
                outcome="" if "outcome" in pending else ("died" if died else "seriously_harmed"),
                death_category=rng.choice(list(vocabulary.DEATH_CATEGORIES)) if died else "",
                age_band=rng.choice([*list(vocabulary.AGE_BANDS)[:5], ""]),
                sex="" if pending else rng.choice(["female", "male", ""]),
                ethnicity=rng.choice(["White British", "Black British", "Asian British", "Mixed", ""]),
                harm_source=rng.choice(["intra_familial", "extra_familial", ""]),
                social_care=rng.choice([*coding.SOCIAL_CARE, ""]),
                harm_types=" ".join(sorted(h for h in harms if rng.random() < 0.2)),
                risk_factors=" ".join(sorted(chosen_factors)),
                practice_themes=" ".join(sorted(t for t in themes if rng.random() < 0.3)),
                sectors=" ".join(sorted(s for s in coding.SECTORS if rng.random() < 0.6)),
                pending=pending,
                reviewed=True,
            )
        )
    AnalysisRecord.objects.bulk_create(records, batch_size=1000)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reports", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--seed", type=int, default=20261202)
    parser.add_argument("--database", help="an empty database to use, as a DATABASE_URL (default: a new SQLite file)")
    args = parser.parse_args()

    folder = tempfile.mkdtemp(prefix="analysis-bench-")
    os.environ["DATABASE_URL"] = args.database or f"sqlite:///{folder}/bench.sqlite3"
    os.environ["DJANGO_SETTINGS_MODULE"] = "casereviews.test_settings"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment

    from casereviews.learning import exports, selectors
    from casereviews.learning.models import AnalysisRecord
    from casereviews.learning.services import analysis_record_refresh

    setup_test_environment()
    call_command("migrate", verbosity=0)
    began = time.perf_counter()
    populate(args.reports, args.seed)
    print(
        f"{connection.vendor}: {AnalysisRecord.objects.count():,} reports with analysis records, built in "
        f"{time.perf_counter() - began:.1f} s"
    )

    everything = selectors.Selection()
    region = selectors.Selection(region="London")
    client = Client()
    some_report = AnalysisRecord.objects.order_by("pk").values_list("report_id", flat=True).first()
    assert some_report is not None
    measures: list[tuple[str, Callable[[], object]]] = [
        ("baseline: SELECT COUNT(*) of the records", lambda: AnalysisRecord.objects.count()),
        ("all 11 tables, every report", lambda: selectors.analysis_for(everything)),
        ("all 11 tables, one region (rounded)", lambda: selectors.analysis_for(region)),
        ("the public page: tables, charts, HTML", lambda: client.get("/analysis/")),
        ("CSV download", lambda: exports.analysis_csv(selectors.analysis_for(everything), "all")),
        ("Excel download", lambda: exports.analysis_xlsx(selectors.analysis_for(everything), "all")),
        ("one record rebuilt after a decision", lambda: analysis_record_refresh(report_id=some_report)),
    ]
    baseline = None
    print("\n| Measure | best | median | best ÷ baseline |\n| --- | ---: | ---: | ---: |")
    for label, work in measures:
        work()  # warm: first-query and template compilation costs are not what is measured
        best, median = timed(work, args.repeats)
        baseline = baseline or best
        print(f"| {label} | {best * 1000:.1f} ms | {median * 1000:.1f} ms | {best / baseline:.0f}× |")
    response = client.get("/analysis/")
    assert response.status_code == 200, response.status_code
    result = selectors.analysis_for(everything)
    print(
        f"\nReviews in the selection: {result.reviews:,}; page size {len(response.content) / 1024:.0f} KiB; "
        f"target < 1 s for all tables."
    )


if __name__ == "__main__":
    main()
