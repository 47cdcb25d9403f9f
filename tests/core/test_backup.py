"""A backup holds every record and stored file; a restore brings them all back, or refuses and changes nothing."""

from __future__ import annotations

import io
import shutil
import tarfile
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from casereviews.core.audit import audit_verify
from casereviews.core.backup import DATABASE, _kept_models, backup_create, backup_restore
from casereviews.core.errors import InvalidInput
from casereviews.core.files import blob_path, check_attachment, read_blob
from casereviews.core.models import AuditEvent
from casereviews.learning.models import AnalysisRecord
from casereviews.library.models import Report, ReportStatus
from casereviews.library.services import report_process, report_upload
from casereviews.referrals.models import Referral
from casereviews.referrals.services import referral_submit
from tests.factories import make_referral, referral_input

# Transactional: the restore empties and reloads real tables and commits, as it does in production.
pytestmark = pytest.mark.django_db(transaction=True)

REPORT_TEXT = """Westshire Safeguarding Children Partnership
Local Child Safeguarding Practice Review: Child K
Published: June 2023

1. Introduction
This review concerns Child K, a 15-year-old boy who was fatally stabbed by a group of young men in
October 2021. Child K had been exploited by a county lines network for a year before he died.
"""
# The audit chain and its head grow by the restore's own entry, so they are compared entry by entry instead.
AUDIT_MODELS = {"core.auditevent", "core.auditchainhead"}


@pytest.fixture
def store(settings, tmp_path) -> Path:
    settings.FILE_STORE_ROOT = tmp_path / "files" / "blobs"
    settings.SEARCH_INDEX_DIR = tmp_path / "search"
    return Path(settings.FILE_STORE_ROOT)


@pytest.fixture
def data(people, northshire, store) -> SimpleNamespace:
    referral = make_referral(northshire, people.referrer)
    minutes = check_attachment("strategy-meeting.txt", b"Strategy meeting minutes, 4 March 2025.\n")
    with_attachment = referral_submit(
        submitted_by=people.referrer,
        partnership=northshire,
        data=referral_input(child_reference="NS-000456"),
        attachments=[minutes],
    )
    report = report_upload(
        uploaded_by=people.analyst, filename="child-k.txt", data=REPORT_TEXT.encode(), queue=False
    ).report
    report_process(report.pk)
    report.refresh_from_db()
    assert report.status == ReportStatus.READY
    return SimpleNamespace(
        referral=referral, attachment=with_attachment.attachments.get(), minutes=minutes, report=report
    )


def snapshot() -> dict[str, list[dict[str, Any]]]:
    return {
        model._meta.label_lower: list(model._base_manager.order_by("pk").values())
        for model in _kept_models()
        if model._meta.label_lower not in AUDIT_MODELS
    }


def audit_hashes() -> list[str]:
    return list(AuditEvent.objects.order_by("sequence").values_list("entry_hash", flat=True))


def empty_everything(store: Path) -> None:
    call_command("flush", interactive=False, verbosity=0)
    shutil.rmtree(store)


def rewrite_member(source: Path, target: Path, name: str, content: bytes) -> None:
    with tarfile.open(source) as original, tarfile.open(target, "w") as altered:
        for member in original:
            handle = original.extractfile(member)
            assert handle is not None
            data = content if member.name == name else handle.read()
            member.size = len(data)
            altered.addfile(member, io.BytesIO(data))


def test_a_restore_into_an_emptied_database_brings_back_every_record_and_file_with_a_valid_chain(data, store, tmp_path):
    records, chain = snapshot(), audit_hashes()
    archive = tmp_path / "backup.tar"
    output = io.StringIO()
    call_command("backup", str(archive), stdout=output)
    assert "Backed up" in output.getvalue()

    empty_everything(store)
    assert not Referral.objects.exists() and not store.exists()

    output = io.StringIO()
    call_command("restore", str(archive), stdout=output)

    assert "audit chain intact" in output.getvalue()
    assert snapshot() == records
    assert Referral.objects.filter(pk=data.referral.pk).exists()
    assert read_blob(data.attachment.sha256) == data.minutes.data
    assert read_blob(data.report.sha256) == REPORT_TEXT.encode()
    assert AnalysisRecord.objects.filter(report=data.report).exists()
    # The backup's own entry came after the dump; the restore's entry follows the restored chain.
    assert audit_hashes()[: len(chain)] == chain
    assert AuditEvent.objects.order_by("-sequence").first().action == "backup.restore"
    checked, broken = audit_verify()
    assert broken is None and checked == len(chain) + 1


def test_a_database_that_already_holds_data_is_refused_without_force(data, store, tmp_path):
    archive = tmp_path / "backup.tar"
    backup_create(out=archive)

    with pytest.raises(CommandError, match="already holds data"):
        call_command("restore", str(archive))


def test_a_forced_restore_replaces_what_the_database_held(data, northshire, people, store, tmp_path):
    records = snapshot()
    archive = tmp_path / "backup.tar"
    backup_create(out=archive)
    later = make_referral(northshire, people.referrer, child_reference="NS-000789")

    outcome = backup_restore(archive_path=archive, force=True)

    assert not Referral.objects.filter(pk=later.pk).exists()
    assert snapshot() == records
    assert outcome.files == 2 and outcome.analysis_records == 1
    assert audit_verify()[1] is None


@pytest.mark.parametrize("member", ["database", "report file"])
def test_an_altered_archive_is_refused_and_nothing_is_restored(data, store, tmp_path, member):
    archive, altered = tmp_path / "backup.tar", tmp_path / "altered.tar"
    backup_create(out=archive)
    name = DATABASE if member == "database" else f"files/{data.report.sha256}"
    with tarfile.open(archive) as original:
        handle = original.extractfile(name)
        assert handle is not None
        content = handle.read().replace(b"Child K", b"Child Q")
    rewrite_member(archive, altered, name, content)
    empty_everything(store)

    with pytest.raises(InvalidInput, match=f"altered or damaged .*{name}"):
        backup_restore(archive_path=altered)

    assert not Report.objects.exists() and not AuditEvent.objects.exists()
    assert not blob_path(data.report.sha256).exists()
    assert list(store.parent.iterdir()) == [store]  # the staging directory is gone


def test_a_stored_file_whose_content_no_longer_matches_its_name_stops_the_backup(data, tmp_path):
    blob_path(data.attachment.sha256).write_bytes(b"something else")

    with pytest.raises(InvalidInput, match=f"{data.attachment.sha256} is damaged"):
        backup_create(out=tmp_path / "backup.tar")

    assert not (tmp_path / "backup.tar").exists()
