"""Each person's upload quota: at most UPLOAD_QUOTA_FILES files and UPLOAD_QUOTA_BYTES bytes in any 24 hours.

The quota protects the file store (ASVS 12.1.3): one account, careless or taken over, cannot fill the disk that
every partnership's files share. It counts what the person actually stored, one `UploadRecord` per file, written
in the same transaction as the stored file's row, so an upload that is refused or fails counts nothing.

Superusers are not exempt: the quota protects the store, not a role, and an administrator's account taken over is
the one that could do most harm. The system (the `ingest` and demo commands, with no person) is not counted.

Two uploads by one person at the same instant may both pass the check: the quota is a ceiling against filling the
store, and the slack is at most one request's files.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.conf import settings
from django.utils import timezone

from casereviews.core.errors import InvalidInput
from casereviews.core.models import UploadKind, UploadRecord

if TYPE_CHECKING:
    from casereviews.partnerships.models import User

WINDOW = datetime.timedelta(hours=24)


def _size(count: int) -> str:
    if count >= 1024**3:
        return f"{count / 1024**3:.1f} GB"
    if count >= 1024**2:
        return f"{count / 1024**2:.1f} MB"
    return f"{count:,} bytes"


def _when(moment: datetime.datetime, now: datetime.datetime) -> str:
    local = timezone.localtime(moment)
    suffix = "" if local.date() == timezone.localtime(now).date() else " tomorrow"
    return f"{local:%H:%M}{suffix}"


def upload_quota_check(*, user: User, incoming_bytes: int, files: int = 1, field: str = "file") -> None:
    """Refuse (InvalidInput on `field`, before anything is stored) if storing `files` more files of
    `incoming_bytes` in all would take the person past either quota over the last 24 hours."""
    now = timezone.now()
    max_files, max_bytes = settings.UPLOAD_QUOTA_FILES, settings.UPLOAD_QUOTA_BYTES
    recent = list(
        UploadRecord.objects.filter(user=user, at__gt=now - WINDOW).order_by("at", "pk").values_list("at", "bytes")
    )
    stored_files, stored_bytes = len(recent), sum(size for _, size in recent)
    if stored_files + files <= max_files and stored_bytes + incoming_bytes <= max_bytes:
        return
    these = "this file" if files == 1 else "these files"
    if files > max_files or incoming_bytes > max_bytes:
        message = (
            f"{these.capitalize()} {'is' if files == 1 else 'are'} more than one person may upload in 24 hours "
            f"({max_files} files, {_size(max_bytes)}); "
            "upload fewer at a time or ask your administrator"
        )
        raise InvalidInput(message, field_errors={field: [message]})
    # The time the oldest uploads leave the window and make room for this one.
    remaining_files, remaining_bytes, frees_at = stored_files, stored_bytes, now
    for at, size in recent:
        if remaining_files + files <= max_files and remaining_bytes + incoming_bytes <= max_bytes:
            break
        remaining_files, remaining_bytes, frees_at = remaining_files - 1, remaining_bytes - size, at + WINDOW
    if stored_files + files > max_files:
        used, most = (
            f"{stored_files} file{'s' if stored_files != 1 else ''}",
            f"{max_files} file{'s' if max_files != 1 else ''}",
        )
    else:
        used, most = _size(stored_bytes), _size(max_bytes)
    message = (
        f"You have uploaded {used} in the last 24 hours and {these} would take you past the most allowed "
        f"({most}); try again after {_when(frees_at, now)} or ask your administrator"
    )
    raise InvalidInput(message, field_errors={field: [message]})


def upload_quota_use(*, user: User, sizes: Sequence[int], kind: UploadKind, field: str = "file") -> None:
    """Check the quota for these files and count them. Call it inside the transaction that stores them, before
    the files are written, so a refusal stores nothing and a rolled-back upload counts nothing."""
    if not sizes:
        return
    upload_quota_check(user=user, incoming_bytes=sum(sizes), files=len(sizes), field=field)
    now = timezone.now()
    UploadRecord.objects.bulk_create(UploadRecord(user=user, bytes=size, at=now, kind=kind) for size in sizes)
