"""Writing and verifying the audit log.

Every change and every view of confidential material is recorded through `audit_record`, inside the
same transaction as the change it describes, so an entry exists exactly when the change does.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db import models, transaction
from django.utils import timezone

from casereviews.core.models import AuditChainHead, AuditEvent
from casereviews.core.request_context import current_request_meta

GENESIS_HASH = "0" * 64


def _entry_hash(previous_hash: str, fields: dict[str, Any]) -> str:
    canonical = json.dumps(fields, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256((previous_hash + canonical).encode("utf-8")).hexdigest()


def _hashed_fields(event: AuditEvent) -> dict[str, Any]:
    return {
        "sequence": event.sequence,
        "at": event.at.isoformat(),
        "actor_id": event.actor_id,
        "actor_label": event.actor_label,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "partnership_id": event.partnership_id,
        "summary": event.summary,
        "changes": event.changes,
        "ip_address": event.ip_address,
        "user_agent": event.user_agent,
    }


def audit_record(
    *,
    actor: Any,
    action: str,
    summary: str,
    target: models.Model | None = None,
    partnership: Any = None,
    changes: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one entry. `actor` is a user, or None for the system (scheduled jobs, the task worker)."""
    meta = current_request_meta()
    if actor is None or isinstance(actor, AnonymousUser) or not actor.is_authenticated:
        actor_obj, actor_label = None, "system" if actor is None else "anonymous"
    else:
        actor_obj, actor_label = actor, f"{actor.get_username()} ({getattr(actor, 'display_name', '')})"
    with transaction.atomic():
        head, _ = AuditChainHead.objects.select_for_update().get_or_create(id=1)
        event = AuditEvent(
            sequence=head.last_sequence + 1,
            at=timezone.now().replace(microsecond=0),
            actor=actor_obj,
            actor_label=actor_label,
            action=action,
            object_type=target._meta.label_lower if target is not None else "",
            object_id=str(target.pk) if target is not None else "",
            partnership=partnership,
            summary=summary,
            changes=json.loads(json.dumps(changes or {}, default=str)),
            ip_address=meta.ip_address,
            user_agent=meta.user_agent[:300],
            previous_hash=head.last_hash,
        )
        event.entry_hash = _entry_hash(head.last_hash, _hashed_fields(event))
        event.save()
        AuditChainHead.objects.filter(id=1).update(last_sequence=event.sequence, last_hash=event.entry_hash)
    return event


@dataclass(frozen=True)
class ChainBreak:
    sequence: int
    reason: str


def _events_in_order(batch_size: int = 2000) -> Iterator[AuditEvent]:
    last = 0
    while True:
        batch = list(AuditEvent.objects.filter(sequence__gt=last).order_by("sequence")[:batch_size])
        if not batch:
            return
        yield from batch
        last = batch[-1].sequence


def audit_verify() -> tuple[int, ChainBreak | None]:
    """Walk the chain from the start. Returns how many entries were checked and the first broken link."""
    expected_previous = GENESIS_HASH
    expected_sequence = 1
    checked = 0
    for event in _events_in_order():
        if event.sequence != expected_sequence:
            return checked, ChainBreak(expected_sequence, f"entry #{expected_sequence} is missing")
        if event.previous_hash != expected_previous:
            return checked, ChainBreak(event.sequence, "does not point at the previous entry's hash")
        if _entry_hash(event.previous_hash, _hashed_fields(event)) != event.entry_hash:
            return checked, ChainBreak(event.sequence, "its content does not match its hash (altered)")
        expected_previous = event.entry_hash
        expected_sequence += 1
        checked += 1
    head = AuditChainHead.objects.filter(id=1).first()
    if head is not None and (head.last_sequence != checked or head.last_hash != expected_previous):
        return checked, ChainBreak(checked + 1, f"the chain head records #{head.last_sequence}: entries removed")
    return checked, None
