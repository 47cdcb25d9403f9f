"""Backing up and restoring everything that cannot be rebuilt: the database's rows and the stored files.

An archive is a tar of `manifest.json`, `database.jsonl` (Django's portable serialisation, one row a line, the
same on SQLite and PostgreSQL) and `files/<sha256>` for every stored file. The manifest records the SHA-256 of every
other member, so a restore refuses an archive that was altered or damaged before it touches anything. Derived data
(the search index, analysis records, the index's change table) is left out and rebuilt after a restore. Given age
public keys, the tar is encrypted to them as it is written (`<name>.tar.age`); a restore decrypts it with an age
identity. See docs/adr/0011-backup-and-restore.md.
"""

from __future__ import annotations

import datetime
import errno
import fcntl
import hashlib
import io
import json
import logging
import os
import re
import shutil
import tarfile
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import IO, Any

import pyrage
from django.apps import apps
from django.conf import settings
from django.core import serializers
from django.core.management import call_command
from django.core.management.color import no_style
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, connections, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone
from pyrage import x25519

from casereviews.core.audit import audit_record, audit_verify
from casereviews.core.errors import InvalidInput
from casereviews.core.files import blob_path
from casereviews.core.models import AuditEvent

logger = logging.getLogger(__name__)

FORMAT = "casereviews-backup"
VERSION = 1
MANIFEST = "manifest.json"
DATABASE = "database.jsonl"
_BATCH = 2000
# Rebuilt from the rest after a restore (analysis_rebuild, search_rebuild), so not worth carrying or trusting.
DERIVED_MODELS = ("learning.analysisrecord", "search.indexchange")
_BLOB_NAME = re.compile(r"^[0-9a-f]{64}$")
_CHUNK = 1024 * 1024
AGE_HEADER = b"age-encryption.org/v1"
_STAGING_PREFIX = ".backup-"
_STAGING_LOCK = "in-use.lock"
# A folder this fresh may belong to a run that has created it but not yet locked it, so it is left alone.
_STAGING_GRACE_SECONDS = 60


@dataclass(frozen=True)
class BackupOutcome:
    records: int
    files: int
    bytes: int
    seconds: float
    path: Path
    encrypted: bool


@dataclass(frozen=True)
class RestoreOutcome:
    records: int
    files: int
    audit_entries: int
    analysis_records: int
    reports_indexed: int
    seconds: float


def _sha256_of(handle: IO[bytes], copy_to: IO[bytes] | None = None) -> str:
    digest = hashlib.sha256()
    while chunk := handle.read(_CHUNK):
        digest.update(chunk)
        if copy_to is not None:
            copy_to.write(chunk)
    return digest.hexdigest()


def _kept_models() -> list[type[Any]]:
    return [
        model
        for model in apps.get_models()
        if model._meta.managed and not model._meta.proxy and model._meta.label_lower not in DERIVED_MODELS
    ]


def _record_counts() -> dict[str, int]:
    # The base manager: a default manager that hides rows (archived, soft-deleted) must not hide them from a backup.
    return {model._meta.label_lower: model._base_manager.count() for model in _kept_models()}


def _applied_migrations() -> list[str]:
    return sorted(f"{app}.{name}" for app, name in MigrationRecorder(connection).applied_migrations())


def _stored_blobs() -> list[Path]:
    root = Path(settings.FILE_STORE_ROOT)
    # Only complete files: a write in progress is a temporary name beside its final one (see files.store_blob).
    return sorted(path for path in root.glob("*/*/*") if path.is_file() and _BLOB_NAME.match(path.name))


class _FullPrecisionEncoder(DjangoJSONEncoder):
    """Django's encoder drops a time's last three digits of microseconds; a restore must give back what was stored."""

    def default(self, o: Any) -> Any:
        if isinstance(o, (datetime.datetime, datetime.time)):
            return o.isoformat()
        return super().default(o)


def _dump_rows(path: Path) -> None:
    # Streamed a model and a batch at a time, not `dumpdata` (whose JSON keeps only milliseconds) held in memory.
    with path.open("w", encoding="utf-8") as out:
        for model in _kept_models():
            rows = model._base_manager.order_by("pk").iterator(chunk_size=_BATCH)
            while batch := list(islice(rows, _BATCH)):
                for row in serializers.serialize("python", batch):
                    out.write(json.dumps(row, cls=_FullPrecisionEncoder, ensure_ascii=False) + "\n")


def _insert(model: type[Any], items: list[Any]) -> None:
    """Insert one model's rows as they were, in bulk. Like a raw save, no model `save()` runs; unlike it, no signal
    fires either, which is what a restore wants: what the signals keep in step (analysis records, the index's
    change rows) is derived and rebuilt once after the load, not once a row."""
    if model._meta.parents:  # a child of multi-table inheritance cannot be bulk-inserted
        for item in items:
            item.save()
        return
    # Raw, as a raw save is (`bulk_create` would stamp `auto_now` fields with the time of the restore), and through
    # one prepared statement run over the batch: the ORM's insert compiler costs more than the database's work.
    fields = list(model._meta.concrete_fields)
    statement = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608 - names from the model, quoted
        connection.ops.quote_name(model._meta.db_table),
        ", ".join(connection.ops.quote_name(field.column) for field in fields),
        ", ".join(["%s"] * len(fields)),
    )
    database = connections[connection.alias]  # the connection itself, not the per-thread proxy: cheaper per value
    rows = [
        tuple(field.get_db_prep_save(getattr(item.object, field.attname), database) for field in fields)
        for item in items
    ]
    with connection.cursor() as cursor:
        cursor.executemany(statement, rows)
    for field in model._meta.local_many_to_many:
        through = field.remote_field.through
        source, target = f"{field.m2m_field_name()}_id", f"{field.m2m_reverse_field_name()}_id"
        links = [
            through(**{source: item.object.pk, target: related})
            for item in items
            for related in item.m2m_data.get(field.name, [])
        ]
        through._base_manager.bulk_create(links, batch_size=_BATCH)


def _load_rows(path: Path) -> None:
    loaded: set[type[Any]] = set()
    with path.open(encoding="utf-8") as lines:
        while batch := [json.loads(line) for line in islice(lines, _BATCH)]:
            by_model: dict[type[Any], list[Any]] = {}
            for item in serializers.deserialize("python", batch):
                by_model.setdefault(type(item.object), []).append(item)
            for model, items in by_model.items():  # the dump is in model order, so this keeps it
                _insert(model, items)
                loaded.add(model)
    # Foreign keys are checked at commit on PostgreSQL; SQLite is asked now. Sequences continue after the loaded ids.
    connection.check_constraints()
    with connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_sql(no_style(), list(loaded)):
            cursor.execute(statement)


def age_recipients_parse(keys: Sequence[str]) -> list[x25519.Recipient]:
    recipients = []
    for key in keys:
        try:
            recipients.append(x25519.Recipient.from_str(key.strip()))
        except pyrage.RecipientError as error:
            raise InvalidInput(f"{key!r} is not an age public key (age1...): {error}") from error
    return recipients


def age_identities_read(path: Path) -> list[x25519.Identity]:
    """The identities in an age identity file as `age-keygen` (or `backup_keygen`) writes it: `#` comments and one
    `AGE-SECRET-KEY-1...` a line."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as error:
        raise InvalidInput(f"The age identity file {path} cannot be read: {error}") from error
    identities = []
    for line in lines:
        if line.strip() and not line.lstrip().startswith("#"):
            try:
                identities.append(x25519.Identity.from_str(line.strip()))
            except pyrage.IdentityError as error:
                raise InvalidInput(f"The age identity file {path} holds a line that is not an identity") from error
    if not identities:
        raise InvalidInput(f"The age identity file {path} holds no identity (AGE-SECRET-KEY-1...)")
    return identities


def _create_private(path: Path) -> None:
    """Create `path` empty and readable by this user only (0600), before any plaintext is written into it."""
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


def _is_age_file(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            return handle.read(len(AGE_HEADER)) == AGE_HEADER
    except OSError:
        return False  # the tar reader then says what is wrong with the path


def _remove_abandoned_staging(directory: Path) -> None:
    """Remove staging folders that earlier runs left behind when they were killed (a run that fails otherwise removes
    its own). A live run holds an exclusive lock on its folder's lock file, which the kernel releases when the
    process dies, so a folder whose lock can be taken is abandoned."""
    for folder in directory.glob(f"{_STAGING_PREFIX}*"):
        if not folder.is_dir() or time.time() - folder.stat().st_mtime < _STAGING_GRACE_SECONDS:
            continue
        try:
            with (folder / _STAGING_LOCK).open("rb") as lock:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except FileNotFoundError:
            pass  # killed before it took its lock (or left by a version that took none)
        except OSError as error:
            if error.errno in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
                continue  # a backup is running there now
            raise
        shutil.rmtree(folder, ignore_errors=True)
        logger.warning("backup: removed %s, left behind by an interrupted backup", folder)


def _encrypt_streamed(
    partial: Path, recipients: list[x25519.Recipient], fill: Callable[[tarfile.TarFile], None]
) -> None:
    """Write the tar through age into `partial` without the plaintext tar ever reaching the disk: a thread writes the
    tar into a pipe that age reads and encrypts in 64 KiB chunks, so memory stays flat whatever the archive's size."""
    read_end, write_end = os.pipe()
    failures: list[BaseException] = []

    def produce() -> None:
        try:
            with os.fdopen(write_end, "wb") as sink, tarfile.open(fileobj=sink, mode="w|") as archive:
                fill(archive)
        except BaseException as error:  # handed to the main thread, which raises it
            failures.append(error)

    producer = threading.Thread(target=produce, name="backup-tar", daemon=True)
    producer.start()
    try:
        # If age fails, closing the pipe's read end makes the producer's next write fail, so it always ends.
        with os.fdopen(read_end, "rb") as source, partial.open("xb") as out:
            pyrage.encrypt_io(source, out, recipients)
    finally:
        producer.join()
    if failures:
        # The producer stopped early: age saw the end of its input and sealed a valid but incomplete archive,
        # which stays in the staging folder and is removed with it.
        raise failures[0]


class _Phases:
    """Seconds spent in each phase, logged as `<what> phase <name>: <seconds> s` (the benchmark reads them)."""

    def __init__(self, what: str) -> None:
        self.what, self.last = what, time.perf_counter()

    def done(self, name: str) -> None:
        now = time.perf_counter()
        logger.info("%s phase %s: %.2f s", self.what, name, now - self.last)
        self.last = now


def backup_create(*, out: Path, recipients: Sequence[str] = (), require_encryption: bool = False) -> BackupOutcome:
    """Write an archive of the database and every stored file to `out`, replacing it only once it is complete.

    With age `recipients` (public keys) the archive is encrypted to them and named `<out>.age`. Plaintext still
    reaches the disk in two ways, both inside a staging folder beside `out` that only this user can enter (0700) and
    that is removed when the backup ends, whether it succeeds or fails: the row dump, written first because the
    manifest holds its hash, and, without recipients, the tar itself. A process killed mid-backup leaves that folder
    behind; the next backup into the same directory removes it (`_remove_abandoned_staging`)."""
    if require_encryption and not recipients:
        raise InvalidInput(
            "Encryption is required (BACKUP_REQUIRE_ENCRYPTION or --require-encryption) but no age recipient is set "
            "(BACKUP_AGE_RECIPIENTS or --recipient): nothing was written"
        )
    age_recipients = age_recipients_parse(recipients)
    began = time.perf_counter()
    phases = _Phases("backup")
    out = out.resolve()
    if age_recipients and out.suffix != ".age":
        out = out.with_name(f"{out.name}.age")
    out.parent.mkdir(parents=True, exist_ok=True)
    _remove_abandoned_staging(out.parent)
    with (
        tempfile.TemporaryDirectory(dir=out.parent, prefix=_STAGING_PREFIX) as work,
        (Path(work) / _STAGING_LOCK).open("wb") as lock,
    ):
        fcntl.flock(lock, fcntl.LOCK_EX)
        dump = Path(work) / DATABASE
        _create_private(dump)  # before a row is written
        with transaction.atomic():
            if connection.vendor == "postgresql":
                # One snapshot for every table, so rows written during the dump cannot point at rows missing from it.
                with connection.cursor() as cursor:
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            counts = _record_counts()
            migrations = _applied_migrations()
            _dump_rows(dump)
        phases.done("rows dumped")
        members: dict[str, str] = {}
        with dump.open("rb") as handle:
            members[DATABASE] = _sha256_of(handle)
        blobs = _stored_blobs()
        for path in blobs:
            with path.open("rb") as handle:
                digest = _sha256_of(handle)
            if digest != path.name:
                raise InvalidInput(f"Stored file {path.name} is damaged: its content does not match its name")
            members[f"files/{digest}"] = digest
        phases.done("files checked")
        manifest = {
            "format": FORMAT,
            "version": VERSION,
            "created_at": timezone.now().isoformat(),
            "database_vendor": connection.vendor,
            "migrations": migrations,
            "counts": {"records": counts, "files": len(blobs)},
            "members": members,
        }
        encoded = json.dumps(manifest, indent=2, sort_keys=True).encode("utf-8")

        def fill(archive: tarfile.TarFile) -> None:
            info = tarfile.TarInfo(MANIFEST)
            info.size, info.mtime = len(encoded), int(time.time())
            archive.addfile(info, io.BytesIO(encoded))
            archive.add(dump, arcname=DATABASE)
            for path in blobs:
                archive.add(path, arcname=f"files/{path.name}")

        if age_recipients:
            partial = Path(work) / "archive.tar.age"
            _encrypt_streamed(partial, age_recipients, fill)
        else:
            partial = Path(work) / "archive.tar"
            with tarfile.open(partial, "w") as archive:
                fill(archive)
        os.replace(partial, out)
        phases.done("archive written")
    size = out.stat().st_size
    audit_record(
        actor=None,
        action="backup.create",
        summary=f"Backup written: {sum(counts.values())} records, {len(blobs)} files, {size} bytes, "
        + (f"encrypted to {len(age_recipients)} age recipients" if age_recipients else "not encrypted"),
    )
    return BackupOutcome(
        records=sum(counts.values()),
        files=len(blobs),
        bytes=size,
        seconds=time.perf_counter() - began,
        path=out,
        encrypted=bool(age_recipients),
    )


def _altered(what: str) -> InvalidInput:
    return InvalidInput(f"The archive has been altered or damaged ({what}); nothing was restored")


def _read_manifest(archive: tarfile.TarFile) -> dict[str, Any]:
    try:
        member = archive.getmember(MANIFEST)
        handle = archive.extractfile(member)
        manifest = json.loads(handle.read().decode("utf-8")) if handle is not None else None
    except (KeyError, ValueError) as error:
        raise InvalidInput("This is not a Case Reviews backup: it has no readable manifest") from error
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise InvalidInput("This is not a Case Reviews backup: its manifest is not one")
    if manifest.get("version") != VERSION:
        raise InvalidInput(f"This backup is format version {manifest.get('version')}; this code reads {VERSION}")
    return manifest


def _unpack_checked(archive: tarfile.TarFile, manifest: dict[str, Any], staging: Path) -> None:
    """Copy every member into `staging`, refusing the archive if any member differs from what the manifest says."""
    expected: dict[str, str] = manifest.get("members") or {}
    if DATABASE not in expected:
        raise _altered("the manifest lists no database")
    for name, digest in expected.items():
        if name.startswith("files/") and not (name == f"files/{digest}" and _BLOB_NAME.match(digest)):
            raise _altered(f"{name} is not named by its hash")
    seen: set[str] = set()
    for member in archive:
        if member.name == MANIFEST:
            continue
        if member.name not in expected or not member.isreg() or member.name in seen:
            raise _altered(f"unexpected member {member.name}")
        seen.add(member.name)
        source = archive.extractfile(member)
        assert source is not None  # a regular file always has content
        target = staging / member.name
        target.parent.mkdir(parents=True, exist_ok=True)
        with target.open("wb") as copy:
            digest = _sha256_of(source, copy_to=copy)
        if digest != expected[member.name]:
            raise _altered(f"{member.name} does not match its recorded SHA-256")
    missing = sorted(set(expected) - seen)
    if missing:
        raise _altered(f"{len(missing)} listed members are missing, first {missing[0]}")


def _holds_data() -> bool:
    if AuditEvent._meta.db_table not in connection.introspection.table_names():
        return False
    user_model = apps.get_model(settings.AUTH_USER_MODEL)
    return AuditEvent.objects.exists() or user_model._base_manager.exists()


def _check_schema_matches(manifest: dict[str, Any]) -> None:
    archived, here = set(manifest.get("migrations") or []), set(_applied_migrations())
    if archived - here:
        raise InvalidInput(
            f"This backup was made by newer code ({len(archived - here)} migrations this code does not have, "
            f"first {sorted(archived - here)[0]}); restore it with the version that made it"
        )
    if here - archived:
        raise InvalidInput(
            f"This backup was made before {len(here - archived)} migrations this code has applied "
            f"(first {sorted(here - archived)[0]}); restore it with the version that made it, then migrate"
        )


def _empty_every_table() -> None:
    tables = connection.introspection.django_table_names(only_existing=True, include_views=False)
    # PostgreSQL truncates, which the audit table's row triggers allow; SQLite deletes, which its trigger allows.
    statements = connection.ops.sql_flush(no_style(), tables, reset_sequences=True, allow_cascade=False)
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def _migrations_pending() -> bool:
    executor = MigrationExecutor(connection)
    return bool(executor.migration_plan(executor.loader.graph.leaf_nodes()))


def _decrypt_to_staging(archive_path: Path, identity_file: Path | None, staging: Path) -> Path:
    """Decrypt an age archive into the staging folder (0700, removed when the restore ends). age authenticates each
    64 KiB chunk and the last one is marked, so a wrong key, a damaged byte or a truncated file raises here, before
    the manifest is read and before the database or the store is touched."""
    if identity_file is None:
        if not settings.BACKUP_AGE_IDENTITY_FILE:
            raise InvalidInput(
                f"{archive_path} is encrypted with age: give the identity file that decrypts it "
                "(--identity PATH or BACKUP_AGE_IDENTITY_FILE); nothing was restored"
            )
        identity_file = Path(settings.BACKUP_AGE_IDENTITY_FILE)
    identities = age_identities_read(identity_file)
    decrypted = staging / "decrypted-archive.tar"
    _create_private(decrypted)
    try:
        with archive_path.open("rb") as source, decrypted.open("wb") as target:
            pyrage.decrypt_io(source, target, identities)
    except pyrage.DecryptError as error:
        if "no matching keys" in str(error).lower():
            raise InvalidInput(
                f"{archive_path} was not encrypted to the identity in {identity_file} (wrong key); nothing was restored"
            ) from error
        raise InvalidInput(
            f"{archive_path} cannot be decrypted, it is damaged ({error}); nothing was restored"
        ) from error
    except OSError as error:
        raise InvalidInput(
            f"{archive_path} cannot be decrypted, it is damaged or truncated ({error}); nothing was restored"
        ) from error
    return decrypted


def backup_restore(*, archive_path: Path, force: bool = False, identity_file: Path | None = None) -> RestoreOutcome:
    """Replace the database's rows and add the stored files from an archive, all or nothing, then rebuild the
    derived data. A database that already holds data is replaced only with `force`. An age-encrypted archive is
    recognised by its header and decrypted with `identity_file` (else BACKUP_AGE_IDENTITY_FILE)."""
    from casereviews.learning.services import analysis_records_rebuild
    from casereviews.search.services import index_rebuild

    began = time.perf_counter()
    phases = _Phases("restore")
    store = Path(settings.FILE_STORE_ROOT)
    store.mkdir(parents=True, exist_ok=True)
    # Beside the store, so moving a checked file into place is a rename on one file system.
    staging = Path(tempfile.mkdtemp(dir=store.parent, prefix=".restore-"))
    try:
        plain = _decrypt_to_staging(archive_path, identity_file, staging) if _is_age_file(archive_path) else None
        try:
            with tarfile.open(plain or archive_path, "r") as archive:
                manifest = _read_manifest(archive)
                _unpack_checked(archive, manifest, staging)
            if plain is not None:
                plain.unlink()  # each member is now staged on its own; the whole plaintext need not wait
            phases.done("archive checked")
        except (OSError, tarfile.TarError) as error:
            raise InvalidInput(f"{archive_path} cannot be read as a backup archive: {error}") from error
        if _holds_data() and not force:
            raise InvalidInput(
                "The target database already holds data; a restore would replace all of it. "
                "Restore into an empty database, or use --force to replace it"
            )
        call_command("migrate", interactive=False, verbosity=0)
        phases.done("migrated")
        _check_schema_matches(manifest)
        expected_counts: dict[str, int] = manifest["counts"]["records"]
        blobs = sorted((staging / "files").glob("*")) if (staging / "files").exists() else []
        with transaction.atomic():
            _empty_every_table()
            _load_rows(staging / DATABASE)
            phases.done("rows loaded")
            counts = _record_counts()
            differing = sorted(
                label
                for label in set(counts) | set(expected_counts)
                if counts.get(label, 0) != expected_counts.get(label, 0)
            )
            if differing:
                raise InvalidInput(f"The restored records do not match the manifest's counts: {', '.join(differing)}")
            checked, broken = audit_verify()
            if broken is not None:
                raise InvalidInput(f"The restored audit chain is broken at entry #{broken.sequence}: {broken.reason}")
            phases.done("counted and verified")
            for blob in blobs:
                target = blob_path(blob.name)
                target.parent.mkdir(parents=True, exist_ok=True)
                os.replace(blob, target)
            audit_record(
                actor=None,
                action="backup.restore",
                summary=f"Restored from the backup made {manifest['created_at']}: "
                f"{sum(counts.values())} records, {len(blobs)} files, {checked} audit entries verified",
            )
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    if _migrations_pending():
        raise InvalidInput("The restored database has unapplied migrations; run migrate")
    phases.done("files moved and committed")
    analysed = analysis_records_rebuild()
    phases.done("analysis rebuilt")
    indexed = index_rebuild().reports
    phases.done("search index rebuilt")
    checked, broken = audit_verify()
    if broken is not None:
        raise InvalidInput(f"The audit chain is broken at entry #{broken.sequence} after the restore: {broken.reason}")
    return RestoreOutcome(
        records=sum(counts.values()),
        files=len(blobs),
        audit_entries=checked,
        analysis_records=analysed,
        reports_indexed=indexed,
        seconds=time.perf_counter() - began,
    )
