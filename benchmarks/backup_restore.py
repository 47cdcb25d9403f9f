"""Backup and restore of 10,000 reports with their stored files, beside the database's own tools.

    nice -n 10 .venv/bin/python benchmarks/backup_restore.py [--reports 10000] [--words 3000] [--seed 20261204]
                                                             [--postgres postgres://postgres@127.0.0.1:5432/NAME]

1. Build. A throwaway database (SQLite in a temporary folder, or with `--postgres` the PostgreSQL databases NAME
   and NAME_restore, dropped and created afresh) is migrated and filled in bulk: `--reports` library reports of
   `--words` words of the synthetic corpus (100 generated texts, each made distinct by its own closing line), each
   with its stored file (the text's bytes, stored by hash like an upload), its pages, eight extracted values (two
   decided by a person) and one audit entry. The row and file counts and the build time are printed.
2. Backup. `python manage.py backup ARCHIVE` runs as its own process, as an operator runs it, and is timed from
   start to exit. The baseline, timed in the same run: the database's own copy (SQLite's online backup API;
   `pg_dump -Fc`) plus `tar` of the file store.
3. Restore. `python manage.py restore ARCHIVE` runs as its own process against a new, empty, never-migrated
   database and file store, timed from start to exit; its phases come from its log. The baseline: copying the
   SQLite file back (or `pg_restore` into a new database) plus extracting the files' tar. Afterwards every model's
   count and the file count in the restored database are compared with the source.

Reported: seconds, archive size, rows and files per second, and each time over its baseline's.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DISTINCT_TEXTS = 100
PAGES_PER_REPORT = 8


def run(command: list[str], env: dict[str, str] | None = None) -> tuple[float, str]:
    """Run a command to completion; its wall-clock seconds and its combined output."""
    began = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    seconds = time.perf_counter() - began
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return seconds, done.stdout + done.stderr


def manage(args: list[str], database_url: str, var_dir: Path) -> tuple[float, str]:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "CASEREVIEWS_VAR_DIR": str(var_dir),
        "DJANGO_SETTINGS_MODULE": "casereviews.settings",
        "LOG_LEVEL": "INFO",
        # As in production: with DEBUG on, Django would also keep the text of every query.
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": "backup-benchmark-only-" + "x" * 40,
        "PASSWORD_PEPPER": "backup-benchmark-only-pepper-" + "x" * 40,
    }
    return run([sys.executable, "manage.py", *args], env)


def postgres_recreate(url: str) -> None:
    import psycopg

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    admin = parsed._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def postgres_drop(url: str) -> None:
    import psycopg

    parsed = urlparse(url)
    admin = parsed._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{parsed.path.lstrip("/")}" WITH (FORCE)')


def populate(reports: int, words: int, seed: int) -> None:
    from django.utils import timezone

    from casereviews.core.audit import audit_record
    from casereviews.core.files import store_blob
    from casereviews.library.models import ExtractedValue, Report, ReportPage, ReportStatus, ValueStatus
    from casereviews.partnerships.models import Partnership, User
    from extraction.corpus import generate_report

    analyst = User.objects.create_user(username="analyst", email="analyst@example.invalid", password="x" * 20)
    partnerships = [
        Partnership.objects.create(name=f"Partnership {n}", slug=f"p{n}", nation="england", region="London")
        for n in range(1, 21)
    ]
    bases = [generate_report(seed, n, words=words, formats=("txt",)).text for n in range(DISTINCT_TEXTS)]
    now = timezone.now()
    rows = []
    for n in range(reports):
        text = f"{bases[n % DISTINCT_TEXTS]}\nReport {n + 1} of the backup benchmark.\n"
        data = text.encode("utf-8")
        rows.append(
            Report(
                sha256=store_blob(data),
                filename=f"report-{n + 1}.txt",
                title=f"Child {n + 1}: a practice review",
                media_type="text/plain",
                size=len(data),
                source="command",
                uploaded_by=analyst,
                uploaded_at=now,
                text=text,
                page_count=PAGES_PER_REPORT,
                status=ReportStatus.READY,
                progress=100,
                attempts=1,
                processed_at=now,
                sections=[{"kind": "introduction", "heading": "1. Introduction", "start": 0, "end": 200}],
            )
        )
    Report.objects.bulk_create(rows, batch_size=500)
    pages, values = [], []
    for report in Report.objects.order_by("pk").only("pk", "text"):
        length, step = len(report.text), len(report.text) // PAGES_PER_REPORT
        for number in range(PAGES_PER_REPORT):
            end = length if number == PAGES_PER_REPORT - 1 else (number + 1) * step
            pages.append(ReportPage(report_id=report.pk, number=number + 1, start=number * step, end=end))
        partnership = partnerships[report.pk % len(partnerships)]
        evidence = [{"page": 1, "start": 0, "end": 40, "quote": report.text[:40]}]
        for field, key, value in [
            ("title", "", f"Child {report.pk}"),
            ("partnership", "", partnership.name),
            ("year_published", "", 2015 + report.pk % 10),
            ("child.sex", "", "female" if report.pk % 2 else "male"),
            ("outcome", "", "died"),
            ("risk_factors", "domestic_abuse", True),
            ("practice_themes", "information_sharing", True),
            ("recommendations", "1", "Agencies should share information."),
        ]:
            decided = field in {"title", "outcome"}
            values.append(
                ExtractedValue(
                    report_id=report.pk,
                    field=field,
                    key=key,
                    proposed_value=value,
                    evidence=evidence,
                    status=ValueStatus.ACCEPTED if decided else ValueStatus.PROPOSED,
                    decided_by=analyst if decided else None,
                    decided_at=now if decided else None,
                )
            )
        if len(values) >= 20_000:
            ReportPage.objects.bulk_create(pages, batch_size=2000)
            ExtractedValue.objects.bulk_create(values, batch_size=2000)
            pages, values = [], []
    ReportPage.objects.bulk_create(pages, batch_size=2000)
    ExtractedValue.objects.bulk_create(values, batch_size=2000)
    for report_id in Report.objects.order_by("pk").values_list("pk", flat=True):
        audit_record(actor=analyst, action="report.upload", summary=f"Uploaded report {report_id}")


def counts() -> tuple[dict[str, int], int]:
    from django.conf import settings

    from casereviews.core.backup import _kept_models, _stored_blobs

    kept = {model._meta.label_lower: model._base_manager.count() for model in _kept_models()}
    del settings  # the store is read through _stored_blobs, which follows the settings
    return kept, len(_stored_blobs())


def restored_counts(database_url: str, var_dir: Path) -> str:
    code = (
        "import django, json; django.setup(); "
        "from casereviews.core.backup import _kept_models, _stored_blobs; "
        "print(json.dumps({'rows': {m._meta.label_lower: m._base_manager.count() for m in _kept_models()}, "
        "'files': len(_stored_blobs())}))"
    )
    env = {**os.environ, "DATABASE_URL": database_url, "CASEREVIEWS_VAR_DIR": str(var_dir),
           "DJANGO_SETTINGS_MODULE": "casereviews.settings", "LOG_LEVEL": "WARNING"}  # fmt: skip
    return run([sys.executable, "-c", code], env)[1].strip().splitlines()[-1]


def mb(size: int) -> str:
    return f"{size / 1_048_576:,.0f} MB"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reports", type=int, default=10_000)
    parser.add_argument("--words", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=20261204)
    parser.add_argument("--postgres", help="a PostgreSQL URL whose database (and NAME_restore) may be replaced")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (printed)")
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="backup-bench-"))
    source_var, target_var = folder / "source", folder / "target"
    source_var.mkdir()
    target_var.mkdir()
    if args.postgres:
        source_url = args.postgres
        target_url = re.sub(r"/([^/]+)$", r"/\1_restore", args.postgres)
        native_url = re.sub(r"/([^/]+)$", r"/\1_native", args.postgres)
        postgres_recreate(source_url)
        postgres_recreate(target_url)
    else:
        source_url = f"sqlite:///{source_var / 'source.sqlite3'}"
        target_url = f"sqlite:///{target_var / 'restored.sqlite3'}"
        native_url = ""
    os.environ.update(
        DATABASE_URL=source_url, CASEREVIEWS_VAR_DIR=str(source_var), DJANGO_SETTINGS_MODULE="casereviews.settings"
    )
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    began = time.perf_counter()
    populate(args.reports, args.words, args.seed)
    rows, files = counts()
    total_rows = sum(rows.values())
    store = Path(settings.FILE_STORE_ROOT)
    store_bytes = sum(path.stat().st_size for path in store.rglob("*") if path.is_file())
    vendor = connection.vendor
    print(
        f"{vendor}: {rows['library.report']:,} reports, {total_rows:,} rows, {files:,} stored files "
        f"({mb(store_bytes)}), built in {time.perf_counter() - began:.0f} s"
    )
    connection.close()

    archive = folder / "backup.tar"
    backup_seconds, backup_log = manage(["backup", str(archive)], source_url, source_var)
    archive_size = archive.stat().st_size

    native_db, files_tar = folder / "native-db", folder / "files.tar"
    began = time.perf_counter()
    if vendor == "sqlite":
        with sqlite3.connect(settings.DATABASES["default"]["NAME"]) as live, sqlite3.connect(native_db) as copy:
            live.backup(copy)
        copy.close()
    else:
        run(["pg_dump", "-Fc", "-f", str(native_db), "-d", source_url])
    run(["tar", "-cf", str(files_tar), "-C", str(store.parent), store.name])
    native_backup_seconds = time.perf_counter() - began
    native_size = native_db.stat().st_size + files_tar.stat().st_size

    restore_seconds, restore_log = manage(["restore", str(archive)], target_url, target_var)
    restored = restored_counts(target_url, target_var)

    native_var = folder / "native"
    native_var.mkdir()
    began = time.perf_counter()
    if vendor == "sqlite":
        shutil.copyfile(native_db, native_var / "restored.sqlite3")
    else:
        postgres_recreate(native_url)
        run(["pg_restore", "--no-owner", "-d", native_url, str(native_db)])
    run(["tar", "-xf", str(files_tar), "-C", str(native_var)])
    native_restore_seconds = time.perf_counter() - began

    import json

    after = json.loads(restored)
    derived = {"learning.analysisrecord", "search.indexchange"}
    differing = [
        label
        for label in rows
        if label not in derived | {"core.auditevent", "core.auditchainhead", "django_tasks_database.dbtaskresult"}
        and after["rows"].get(label) != rows[label]
    ]  # fmt: skip
    phases = re.findall(r"restore phase ([a-z ]+): ([0-9.]+) s", restore_log)
    backup_phases = re.findall(r"backup phase ([a-z ]+): ([0-9.]+) s", backup_log)

    print(f"\n| {vendor} | seconds | archive | rows/s | files/s | ÷ baseline |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    print(
        f"| `manage.py backup` | {backup_seconds:.1f} | {mb(archive_size)} | {total_rows / backup_seconds:,.0f} | "
        f"{files / backup_seconds:,.0f} | {backup_seconds / native_backup_seconds:.1f}× |"
    )
    baseline_name = "sqlite backup API + tar" if vendor == "sqlite" else "pg_dump -Fc + tar"
    print(
        f"| baseline: {baseline_name} | {native_backup_seconds:.1f} | {mb(native_size)} | "
        f"{total_rows / native_backup_seconds:,.0f} | {files / native_backup_seconds:,.0f} | 1× |"
    )
    print(
        f"| `manage.py restore` (empty database) | {restore_seconds:.1f} | | {total_rows / restore_seconds:,.0f} | "
        f"{files / restore_seconds:,.0f} | {restore_seconds / native_restore_seconds:.1f}× |"
    )
    restore_name = "copy the file + untar" if vendor == "sqlite" else "pg_restore + untar"
    print(
        f"| baseline: {restore_name} | {native_restore_seconds:.1f} | | {total_rows / native_restore_seconds:,.0f} | "
        f"{files / native_restore_seconds:,.0f} | 1× |"
    )
    if backup_phases:
        print("\nBackup phases: " + ", ".join(f"{name} {float(seconds):.1f} s" for name, seconds in backup_phases))
    summary = re.search(r"Restored [^\n]*", restore_log)
    if summary:
        print(summary.group())
    if phases:
        print("Restore phases: " + ", ".join(f"{name} {float(seconds):.1f} s" for name, seconds in phases))
    print(
        f"Restored: {after['files']:,} files of {files:,}; rows differing from the source: "
        f"{', '.join(differing) or 'none'} (audit rows grow by the backup's and the restore's own entries)"
    )
    if args.postgres:
        postgres_drop(native_url)
        postgres_drop(target_url)
    if args.keep:
        print(f"kept: {folder}")
    else:
        shutil.rmtree(folder, ignore_errors=True)
    if differing or after["files"] != files:
        raise SystemExit("the restore did not give back what was backed up")


if __name__ == "__main__":
    main()
