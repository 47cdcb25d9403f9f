"""Library work for the task worker."""

from __future__ import annotations

from django_tasks import task


@task()
def process_report(report_id: int) -> str:
    from casereviews.library.services import report_process

    report = report_process(report_id)
    return "missing" if report is None else report.status
