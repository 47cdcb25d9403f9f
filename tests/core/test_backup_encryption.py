"""An encrypted backup reads as noise without its identity; with it, a restore brings everything back, and a wrong key
or a damaged file is refused before anything changes. No plaintext archive is left behind either way."""

from __future__ import annotations

import fcntl
import io
import os
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pyrage
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from pyrage import x25519

from casereviews.core.audit import audit_verify
from casereviews.core.backup import AGE_HEADER, age_identities_read, backup_create, backup_restore
from casereviews.core.errors import InvalidInput
from casereviews.core.files import blob_path, read_blob
from casereviews.core.models import AuditEvent
from casereviews.learning.models import AnalysisRecord
from casereviews.referrals.models import Referral
from tests.core.test_backup import REPORT_TEXT, audit_hashes, empty_everything, snapshot

# The plain backup's fixtures (a system with records and stored files, and its file store), used by name.
from tests.core.test_backup import data as data
from tests.core.test_backup import store as store
from tests.factories import make_referral

pytestmark = pytest.mark.django_db(transaction=True)

CHILD_NAME = "Tallulah Pemberton-Okafor"


@pytest.fixture
def key(tmp_path) -> SimpleNamespace:
    """A new identity as an operator makes one with `backup_keygen`, saved to a file kept away from the server."""
    out, err = io.StringIO(), io.StringIO()
    call_command("backup_keygen", stdout=out, stderr=err)
    identity_file = tmp_path / "keys" / "backup-identity.txt"
    identity_file.parent.mkdir()
    identity_file.write_text(out.getvalue())
    public = err.getvalue().split("Public key: ")[1].strip()
    return SimpleNamespace(public=public, identity_file=identity_file)


@pytest.fixture
def named_child(data, northshire, people) -> Referral:
    return make_referral(
        northshire, people.referrer, what_happened=f"{CHILD_NAME} was admitted to hospital with a head injury."
    )


@pytest.fixture
def backups(tmp_path) -> Path:
    folder = tmp_path / "backups"
    folder.mkdir()
    return folder


def secrets_in(content: bytes, data: Any) -> list[bytes]:
    known = [CHILD_NAME.encode(), data.minutes.data, REPORT_TEXT.encode(), b"Child K"]
    return [secret for secret in known if secret in content]


def test_backup_keygen_prints_an_identity_file_that_a_restore_can_read_and_its_public_key(key):
    text = key.identity_file.read_text()

    assert text.startswith("# created: ") and f"# public key: {key.public}" in text
    (identity,) = age_identities_read(key.identity_file)
    assert str(identity.to_public()) == key.public


def test_an_encrypted_backup_holds_no_childs_name_and_no_stored_files_bytes_in_clear(
    data, named_child, key, backups, tmp_path
):
    plain = backups / "plain.tar"
    backup_create(out=plain)
    assert len(secrets_in(plain.read_bytes(), data)) == 4  # the check below would see them if they were there
    plain.unlink()

    output = io.StringIO()
    call_command("backup", str(backups / "backup.tar"), "--recipient", key.public, stdout=output)

    archive = backups / "backup.tar.age"
    content = archive.read_bytes()
    assert content.startswith(AGE_HEADER + b"\n")
    assert secrets_in(content, data) == []
    assert "encrypted to 1 age recipients" in output.getvalue()
    assert list(backups.iterdir()) == [archive]  # neither a plaintext tar nor the staging folder is left


def test_an_encrypted_backup_restored_with_its_identity_into_an_empty_system_brings_back_every_record_and_file(
    data, named_child, key, backups, store, settings
):
    settings.BACKUP_AGE_RECIPIENTS = [key.public]
    records, chain = snapshot(), audit_hashes()
    call_command("backup", str(backups / "nightly.tar"), stdout=io.StringIO(), stderr=io.StringIO())
    empty_everything(store)
    assert not Referral.objects.exists() and not store.exists()

    output = io.StringIO()
    call_command("restore", str(backups / "nightly.tar.age"), "--identity", str(key.identity_file), stdout=output)

    assert "audit chain intact" in output.getvalue()
    assert snapshot() == records
    assert Referral.objects.get(pk=named_child.pk).what_happened.startswith(CHILD_NAME)
    assert read_blob(data.attachment.sha256) == data.minutes.data
    assert read_blob(data.report.sha256) == REPORT_TEXT.encode()
    assert AnalysisRecord.objects.filter(report=data.report).exists()
    assert audit_hashes()[: len(chain)] == chain
    assert audit_verify()[1] is None
    assert list(store.parent.iterdir()) == [store]  # the decrypted archive went with the staging folder


def test_the_identity_file_may_come_from_the_setting(data, key, backups, store, settings):
    backup_create(out=backups / "b.tar", recipients=[key.public])
    empty_everything(store)
    settings.BACKUP_AGE_IDENTITY_FILE = str(key.identity_file)

    outcome = backup_restore(archive_path=backups / "b.tar.age")

    assert outcome.files == 2


def test_an_encrypted_backup_without_an_identity_is_refused_with_what_to_give(data, key, backups, store):
    backup_create(out=backups / "b.tar", recipients=[key.public])
    empty_everything(store)

    with pytest.raises(CommandError, match="encrypted with age: give the identity file"):
        call_command("restore", str(backups / "b.tar.age"))


@pytest.mark.parametrize("fault", ["wrong identity", "truncated", "damaged"])
def test_a_wrong_key_or_a_truncated_or_damaged_encrypted_backup_is_refused_and_nothing_changes(
    data, key, backups, store, tmp_path, fault
):
    archive = backup_create(out=backups / "b.tar", recipients=[key.public]).path
    identity_file = key.identity_file
    content = archive.read_bytes()
    if fault == "wrong identity":
        identity_file = tmp_path / "someone-else.txt"
        identity_file.write_text(str(x25519.Identity.generate()) + "\n")
        expected = "wrong key"
    elif fault == "truncated":
        archive.write_bytes(content[: len(content) - 100])
        expected = "damaged or truncated"
    else:
        middle = len(content) // 2
        archive.write_bytes(content[:middle] + bytes([content[middle] ^ 1]) + content[middle + 1 :])
        expected = "damaged"
    empty_everything(store)

    with pytest.raises(CommandError, match=f"{expected}.*nothing was restored"):
        call_command("restore", str(archive), "--identity", str(identity_file))

    assert not Referral.objects.exists() and not AuditEvent.objects.exists()
    assert not blob_path(data.report.sha256).exists()
    assert list(store.parent.iterdir()) == [store]  # no staging folder, and so no decrypted part, is left


def test_require_encryption_without_recipients_refuses_and_writes_nothing(data, backups, settings):
    with pytest.raises(CommandError, match="no age recipient is set"):
        call_command("backup", str(backups / "b.tar"), "--require-encryption")
    settings.BACKUP_REQUIRE_ENCRYPTION = True
    with pytest.raises(CommandError, match="no age recipient is set"):
        call_command("backup", str(backups / "b.tar"))

    assert list(backups.iterdir()) == []
    assert not AuditEvent.objects.filter(action="backup.create").exists()


def test_a_backup_without_recipients_still_writes_a_plain_archive_and_warns_that_it_is_not_encrypted(data, backups):
    errors = io.StringIO()

    call_command("backup", str(backups / "b.tar"), stdout=io.StringIO(), stderr=errors)

    assert "is NOT encrypted" in errors.getvalue()
    assert (backups / "b.tar").read_bytes()[: len(AGE_HEADER)] != AGE_HEADER


def test_a_recipient_that_is_not_an_age_public_key_is_refused(data, backups):
    with pytest.raises(CommandError, match="not an age public key"):
        call_command("backup", str(backups / "b.tar"), "--recipient", "age1nonsense")

    assert list(backups.iterdir()) == []


def test_an_encrypted_backup_that_fails_midway_leaves_no_plaintext_and_no_partial_archive(
    data, key, backups, monkeypatch
):
    def failing_encrypt(reader: Any, writer: Any, recipients: Any) -> None:
        writer.write(reader.read(1024))
        raise OSError("No space left on device")

    monkeypatch.setattr(pyrage, "encrypt_io", failing_encrypt)

    with pytest.raises(OSError, match="No space left"):
        backup_create(out=backups / "b.tar", recipients=[key.public])

    assert list(backups.iterdir()) == []


def test_a_damaged_stored_file_stops_an_encrypted_backup_and_leaves_nothing(data, key, backups):
    blob_path(data.attachment.sha256).write_bytes(b"something else")

    with pytest.raises(InvalidInput, match="is damaged"):
        backup_create(out=backups / "b.tar", recipients=[key.public])

    assert list(backups.iterdir()) == []


def test_the_next_backup_removes_a_staging_folder_left_by_a_killed_backup_but_not_one_in_use(data, key, backups):
    abandoned, running = backups / ".backup-killed", backups / ".backup-running"
    for folder in (abandoned, running):
        folder.mkdir(mode=0o700)
        (folder / "database.jsonl").write_text(CHILD_NAME)
        (folder / "in-use.lock").touch()
        an_hour_ago = time.time() - 3600
        os.utime(folder, (an_hour_ago, an_hour_ago))

    with (running / "in-use.lock").open("rb") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        backup_create(out=backups / "b.tar", recipients=[key.public])

    assert sorted(path.name for path in backups.iterdir()) == [".backup-running", "b.tar.age"]


def test_a_staging_folder_made_moments_ago_is_left_alone_as_its_backup_may_not_have_locked_it_yet(data, key, backups):
    starting = backups / ".backup-starting"
    starting.mkdir(mode=0o700)

    backup_create(out=backups / "b.tar", recipients=[key.public])

    assert starting.exists()
