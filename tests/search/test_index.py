"""The index follows the database: change rows written with each change, applied by the real worker; rebuilt
from scratch by `search_rebuild`; compared with the database by `search_check`."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction

from casereviews.library.models import ExtractedValue, ValueStatus
from casereviews.library.services import value_decide
from casereviews.search import engine
from casereviews.search.models import IndexChange
from casereviews.search.selectors import SearchRequest, search_reports
from casereviews.search.services import index_changes_apply, index_check, index_rebuild, index_root
from tests.search.builders import make_library_report
from tests.search.conftest import run_worker

APPLY_TASK = "casereviews.search.tasks.apply_index_changes"


def found(q: str) -> list[str]:
    return [row.title for row in search_reports(SearchRequest(q=q)).rows]


@pytest.mark.django_db(transaction=True)
def test_the_worker_keeps_the_index_current_from_the_change_table(people):
    from django_tasks_db.models import DBTaskResult

    report = make_library_report("Child K review", ["Bruising was seen by the nursery."])
    assert IndexChange.objects.filter(report_id=report.pk).exists()
    assert DBTaskResult.objects.filter(task_path=APPLY_TASK, status="READY").count() == 1
    run_worker()
    assert found("bruising") == ["Child K review"]
    assert not IndexChange.objects.filter(applied_at__isnull=True).exists()

    value_decide(
        actor=people.analyst,
        value=report.values.get(field="title"),
        decision="correct",
        corrected="Child K: bruising in infancy",
    )
    run_worker()
    assert found("bruising") == ["Child K: bruising in infancy"]

    value_decide(actor=people.analyst, value=report.values.get(field="title"), decision="reject")
    run_worker()
    assert found("bruising") == []
    assert DBTaskResult.objects.filter(task_path=APPLY_TASK, status="SUCCESSFUL").count() == 3


@pytest.mark.django_db(transaction=True)
def test_a_change_that_rolls_back_leaves_no_change_row():
    report = make_library_report("Child R review", ["Words."])
    before = IndexChange.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        ExtractedValue.objects.filter(report=report, field="title").get().save()
        raise RuntimeError("the change fails")
    assert IndexChange.objects.count() == before


@pytest.mark.django_db(transaction=True)
def test_deleting_a_report_removes_it_from_the_index():
    report = make_library_report("Child D review", ["Drowning in the bath."])
    run_worker()
    assert found("drowning") == ["Child D review"]
    report.delete()
    run_worker()
    assert found("drowning") == []


@pytest.mark.django_db
def test_a_machine_proposal_writes_no_change_row():
    report = make_library_report("Child P review", ["Words."])
    before = IndexChange.objects.count()
    ExtractedValue.objects.create(report=report, field="risk_factors", key="poverty", proposed_value=True)
    assert IndexChange.objects.count() == before


@pytest.mark.django_db
def test_renaming_a_partnership_updates_the_reports_that_name_it(northshire, apply):
    make_library_report("Child N review", ["Words about neglect."], catalogue={"partnership": northshire.name})
    apply()
    northshire.region = "Tyne and Wear"
    northshire.save()
    assert index_check().stale
    apply()
    page = search_reports(SearchRequest())
    regions = {option.value for group in page.facets if group.name == "region" for option in group.options}
    assert regions == {"Tyne and Wear"}
    assert index_check().differences == 0


@pytest.mark.django_db
def test_the_first_apply_builds_the_index_and_a_rebuild_matches_the_database(apply):
    make_library_report("Child E review", ["Escalation was not used."])
    assert engine.current_generation(index_root()) is None
    assert "after a rebuild" in apply()
    first = engine.current_generation(index_root())
    outcome = index_rebuild()
    assert outcome.reports == 1
    assert engine.current_generation(index_root()) != first
    assert found("escalation") == ["Child E review"]
    assert index_check().differences == 0


@pytest.mark.django_db
def test_a_new_generation_applies_again_every_change_newer_than_the_grace_period(apply, settings):
    report = make_library_report("Child G review", ["Grace words."])
    index_rebuild()
    generation = engine.current_generation(index_root())
    assert engine.read_cursor(generation)["position"] < IndexChange.objects.filter(report_id=report.pk).last().pk
    # Re-applying what the build already read is harmless: the index holds the report once.
    apply()
    assert found("grace") == ["Child G review"]
    assert search_reports(SearchRequest(q="grace")).total == 1
    settings.SEARCH_CHANGE_GRACE_SECONDS = 0
    index_changes_apply()
    cursor = engine.read_cursor(generation)
    assert cursor["position"] == IndexChange.objects.last().pk and cursor["recent"] == {}


@pytest.mark.django_db
def test_search_check_reports_each_kind_of_difference_and_fails(apply, capsys):
    kept = make_library_report("Child C review", ["Checked words."])
    changed = make_library_report("Child S review", ["Stale words."], codes={"risk_factors": ["poverty"]})
    gone = make_library_report("Child X review", ["Extra words."])
    apply()
    call_command("search_check")
    assert "matches the database" in capsys.readouterr().out
    # Changes made behind the application's back (a queryset update sends no signal) leave the index stale.
    changed.values.filter(key="poverty").update(status=ValueStatus.REJECTED)
    gone.values.filter(field="title").update(status=ValueStatus.REJECTED)
    missing = make_library_report("Child M review", ["Missing words."])
    IndexChange.objects.filter(report_id=missing.pk).delete()
    outcome = index_check()
    assert (outcome.missing, outcome.extra, outcome.stale) == ([missing.pk], [gone.pk], [changed.pk])
    with pytest.raises(CommandError, match="differs from the database in 3 report"):
        call_command("search_check")
    output = capsys.readouterr().out
    assert f"missing from the index: {missing.pk}" in output and f"not public in the database: {gone.pk}" in output
    call_command("search_rebuild")
    call_command("search_check")
    assert found("checked") == [kept.title]


@pytest.mark.django_db
def test_search_check_fails_when_there_is_no_index():
    with pytest.raises(CommandError, match="no search index yet"):
        call_command("search_check")
