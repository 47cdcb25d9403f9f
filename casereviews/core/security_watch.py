"""The security watch: reads the audit log for bursts that need a person to look (ASVS 8.1.4, 11.1.7, 11.1.8).

Four kinds of burst, each counted within any SECURITY_WATCH_WINDOW_MINUTES (a sliding window, so a burst that
straddles two runs is still seen whole), each against its own threshold from the settings:
- failed sign-ins for one account: wrong passwords (by the account name typed), wrong authenticator codes and
  refused API tokens of the account's holder;
- failed sign-ins from one address: the same events, by the address they came from;
- refusals of one signed-in person (`access.refused`);
- distinct confidential records one person viewed or downloaded (the `.view` and `.download` entries that name
  a record), which is how copying the case files out one page at a time would look.

An alert is logged to `casereviews.security`, e-mailed to SECURITY_ALERT_EMAILS (if any) and audited as
`security.alert`; a SecurityAlert row records it, and events up to its window's end are never counted again for
the same kind and subject, so running the watch again never repeats an alert.

It runs as a scheduled job (casereviews.core.schedules) and looks back over the time since the previous run plus
one window, so every window is checked whatever SCHEDULE_INTERVAL_MINUTES is; the interval only decides how late
an alert can be.
"""

from __future__ import annotations

import ast
import datetime
import logging
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone

from casereviews.core.audit import audit_record
from casereviews.core.models import AuditChainHead, AuditEvent, SecurityAlert, SecurityAlertKind

security_logger = logging.getLogger("casereviews.security")

FAILED_SIGN_IN_ACTIONS = ("auth.sign_in_failed", "auth.second_factor_failed", "auth.token_refused")
REFUSAL_ACTION = "access.refused"
RECORD_VIEW_SUFFIXES = (".view", ".download")

# casereviews.core.signals writes "Failed sign-in for 'name'" (the typed name as a Python literal) and no actor.
_FAILED_SIGN_IN_SUMMARY = re.compile(r"^Failed sign-in for (?P<literal>.+)$", re.DOTALL)


@dataclass(frozen=True)
class Finding:
    kind: SecurityAlertKind
    subject_key: str
    subject: str  # for people reading the alert: "account bella (user #3)", "address 203.0.113.7"
    user_id: int | None
    count: int
    threshold: int
    window_start: datetime.datetime
    window_end: datetime.datetime

    def describe(self) -> str:
        minutes = round((self.window_end - self.window_start).total_seconds() / 60)
        return (
            f"{self.count} {self.kind.label} in {minutes} minutes: {self.subject}, "
            f"from {self.window_start:%Y-%m-%d %H:%M:%S} to {self.window_end:%H:%M:%S} UTC "
            f"(more than {self.threshold} raises an alert)"
        )


@dataclass
class _Series:
    """One subject's events of one kind, oldest first: (when, what) where `what` is the record for views."""

    subject: str
    user_id: int | None
    events: list[tuple[datetime.datetime, str]]


def _typed_account_name(summary: str, changes: Any) -> str:
    """The account name typed at a failed sign-in: from the entry's `changes`, or, for entries written before the
    name was kept there, from its summary."""
    attempted = changes.get("attempted") if isinstance(changes, dict) else None
    if isinstance(attempted, str):
        return attempted.strip().lower()
    match = _FAILED_SIGN_IN_SUMMARY.match(summary)
    if match is None:
        return ""
    try:
        name = ast.literal_eval(match["literal"])
    except (ValueError, SyntaxError):
        return ""
    return name.strip().lower() if isinstance(name, str) else ""


def _accounts_by_typed_name(names: set[str]) -> dict[str, tuple[int, str]]:
    """Typed names (lower case) that are an account's username or e-mail address (both sign people in)."""
    if not names:
        return {}
    users = (
        get_user_model()
        .objects.annotate(username_lower=Lower("username"), email_lower=Lower("email"))
        .filter(Q(username_lower__in=names) | Q(email_lower__in=names))
        .values_list("pk", "username", "username_lower", "email_lower")
    )
    found: dict[str, tuple[int, str]] = {}
    for pk, username, *typed_as in users:
        for typed in typed_as:
            if typed in names:
                found[typed] = (pk, username)
    return found


def _account(user_id: int, username: str) -> tuple[str, str, int]:
    return f"user:{user_id}", f"account {username} (user #{user_id})", user_id


def _first_sequence_since(moment: datetime.datetime) -> int:
    """The first entry stamped at or after `moment`, found by halving on the (unique, indexed) sequence: there is
    no index on `at`, and the watch must not read the whole log every few minutes. Entries are numbered without
    gaps and stamped in that order (audit_record stamps them holding the chain's lock)."""
    low = 1
    high = (AuditChainHead.objects.filter(id=1).values_list("last_sequence", flat=True).first() or 0) + 1
    while low < high:
        middle = (low + high) // 2
        at = AuditEvent.objects.filter(sequence=middle).values_list("at", flat=True).first()
        if at is None or at >= moment:  # a missing entry (audit_verify reports it) errs towards reading more
            high = middle
        else:
            low = middle + 1
    return low


def _series(since: datetime.datetime, until: datetime.datetime) -> dict[tuple[SecurityAlertKind, str], _Series]:
    views = Q()
    for suffix in RECORD_VIEW_SUFFIXES:
        views |= Q(action__endswith=suffix)
    rows = list(
        AuditEvent.objects.filter(sequence__gte=_first_sequence_since(since), at__gte=since, at__lte=until)
        .filter(Q(action__in=FAILED_SIGN_IN_ACTIONS) | Q(action=REFUSAL_ACTION) | (views & ~Q(object_id="")))
        .order_by("at", "sequence")
        .values_list(
            "sequence",
            "at",
            "action",
            "actor_id",
            "actor__username",
            "summary",
            "ip_address",
            "object_type",
            "object_id",
            "changes",
        )
    )
    typed_names = {_typed_account_name(row[5], row[9]) for row in rows if row[2] == "auth.sign_in_failed"} - {""}
    accounts = _accounts_by_typed_name(typed_names)
    series: dict[tuple[SecurityAlertKind, str], _Series] = {}

    def add(
        kind: SecurityAlertKind, key: str, subject: str, user_id: int | None, at: datetime.datetime, what: str
    ) -> None:
        series.setdefault((kind, key), _Series(subject, user_id, [])).events.append((at, what))

    for sequence, at, action, actor_id, username, summary, ip_address, object_type, object_id, changes in rows:
        event = f"#{sequence}"
        if action in FAILED_SIGN_IN_ACTIONS:
            if action == "auth.sign_in_failed":
                typed = _typed_account_name(summary, changes)
                if typed in accounts:
                    add(SecurityAlertKind.FAILED_SIGN_INS_ACCOUNT, *_account(*accounts[typed]), at, event)
                elif typed:
                    subject = f"account name {typed!r} (no such account)"
                    add(SecurityAlertKind.FAILED_SIGN_INS_ACCOUNT, f"name:{typed}"[:200], subject, None, at, event)
            elif actor_id is not None:
                add(SecurityAlertKind.FAILED_SIGN_INS_ACCOUNT, *_account(actor_id, username), at, event)
            if ip_address:
                key, subject = f"address:{ip_address}", f"address {ip_address}"
                add(SecurityAlertKind.FAILED_SIGN_INS_ADDRESS, key, subject, None, at, event)
        elif actor_id is None:
            continue  # refusals and views of anonymous visitors are not audited; the system views nothing
        elif action == REFUSAL_ACTION:
            add(SecurityAlertKind.REFUSALS, *_account(actor_id, username), at, event)
        else:
            add(SecurityAlertKind.RECORD_VIEWS, *_account(actor_id, username), at, f"{object_type}:{object_id}")
    return series


def _thresholds() -> dict[SecurityAlertKind, int]:
    return {
        SecurityAlertKind.FAILED_SIGN_INS_ACCOUNT: settings.SECURITY_ALERT_FAILED_SIGN_INS,
        SecurityAlertKind.FAILED_SIGN_INS_ADDRESS: settings.SECURITY_ALERT_FAILED_SIGN_INS,
        SecurityAlertKind.REFUSALS: settings.SECURITY_ALERT_REFUSALS,
        SecurityAlertKind.RECORD_VIEWS: settings.SECURITY_ALERT_RECORD_VIEWS,
    }


def _first_burst(
    events: list[tuple[datetime.datetime, str]], *, window: datetime.timedelta, threshold: int
) -> tuple[datetime.datetime, int] | None:
    """The start of the first window holding more than `threshold` distinct items, and how many it holds."""
    in_window: Counter[str] = Counter()
    start = 0
    for end, (at, what) in enumerate(events):
        in_window[what] += 1
        while events[start][0] < at - window:
            in_window[events[start][1]] -= 1
            if not in_window[events[start][1]]:
                del in_window[events[start][1]]
            start += 1
        if len(in_window) > threshold:
            window_start = events[start][0]
            # The whole window from its first event, so the alert's count says how big the burst is.
            rest = {what for at, what in events[end + 1 :] if at <= window_start + window}
            return window_start, len(set(in_window) | rest)
    return None


def _spent_until(findings_for: Iterable[tuple[SecurityAlertKind, str]]) -> dict[tuple[str, str], datetime.datetime]:
    keys = list(findings_for)
    spent: dict[tuple[str, str], datetime.datetime] = {}
    if not keys:
        return spent
    by_kind: defaultdict[str, list[str]] = defaultdict(list)
    for kind, key in keys:
        by_kind[kind.value].append(key)
    query = Q()
    for kind_value, subject_keys in by_kind.items():
        query |= Q(kind=kind_value, subject_key__in=subject_keys)
    for kind_value, key, window_end in SecurityAlert.objects.filter(query).values_list(
        "kind", "subject_key", "window_end"
    ):
        spent[(kind_value, key)] = max(window_end, spent.get((kind_value, key), window_end))
    return spent


def security_findings(*, now: datetime.datetime, lookback: datetime.timedelta) -> list[Finding]:
    """Bursts in the audit log between `now - lookback` and `now` not yet alerted about, oldest first."""
    window = datetime.timedelta(minutes=settings.SECURITY_WATCH_WINDOW_MINUTES)
    thresholds = _thresholds()
    series = _series(now - lookback, now)
    spent = _spent_until(series)
    findings = []
    for (kind, key), found in series.items():
        alerted_until = spent.get((kind.value, key))  # a member's hash is its name's, not its value's
        events = [event for event in found.events if alerted_until is None or event[0] > alerted_until]
        burst = _first_burst(events, window=window, threshold=thresholds[kind])
        if burst is None:
            continue
        window_start, count = burst
        findings.append(
            Finding(
                kind, key, found.subject, found.user_id, count, thresholds[kind], window_start, window_start + window
            )
        )
    return sorted(findings, key=lambda finding: (finding.window_start, finding.kind, finding.subject_key))


def _mail(finding: Finding, *, now: datetime.datetime) -> None:
    body = "\n\n".join(
        [
            f"The Case Reviews security watch found {finding.describe()}.",
            "Look in the audit log (Audit log page, or the admin) at the entries in that window, and at this alert's "
            "own entry (security.alert). Failed sign-ins may be someone guessing passwords; many refusals or many "
            "records viewed may be an account being misused. The watch will not alert about these events again.",
            f"Sent {now:%Y-%m-%d %H:%M} UTC to the addresses in SECURITY_ALERT_EMAILS.",
        ]
    )
    subject = f"Case Reviews security alert: {finding.count} {finding.kind.label} ({finding.subject})"
    send_mail(subject[:200], body, None, settings.SECURITY_ALERT_EMAILS, fail_silently=False)


def _alert(finding: Finding, *, now: datetime.datetime) -> SecurityAlert | None:
    # The log line never names the person or the address (casereviews.core.logging): the alert's e-mail and
    # its audit entry do, and the log says where to look.
    security_logger.warning(
        "Security alert: %s %s in the window from %s (threshold %s); the audit log's security.alert entry names who",
        finding.count,
        finding.kind.label,
        finding.window_start.isoformat(),
        finding.threshold,
        extra={"user_id": finding.user_id},
    )
    if settings.SECURITY_ALERT_EMAILS:
        try:
            _mail(finding, now=now)
        except Exception:  # an unreachable mail server must not stop the other alerts; this one is tried next run
            security_logger.exception("The security alert could not be e-mailed; it will be tried again")
            return None
    # Sent before recorded: a crash between the two sends this alert once more at the next run, never more,
    # whereas recording first could lose the alert for good. (As a scheduled job, the records are committed with
    # the job's transaction, so a crash during the run repeats each of its alerts at most once.)
    try:
        return _record(finding, now=now)
    except IntegrityError:  # another run, at the same moment, recorded this burst (and mailed it too, at most)
        return None


def _record(finding: Finding, *, now: datetime.datetime) -> SecurityAlert:
    with transaction.atomic():
        alert = SecurityAlert.objects.create(
            kind=finding.kind,
            subject_key=finding.subject_key,
            window_start=finding.window_start,
            window_end=finding.window_end,
            count=finding.count,
            sent_at=now,
        )
        audit_record(
            actor=None,
            action="security.alert",
            summary=f"Security alert: {finding.describe()}",
            target=alert,
            changes={
                "kind": finding.kind.value,
                "subject": finding.subject_key,
                "count": finding.count,
                "threshold": finding.threshold,
                "window_start": finding.window_start.isoformat(),
                "window_end": finding.window_end.isoformat(),
                "emailed_to": list(settings.SECURITY_ALERT_EMAILS),
            },
        )
    return alert


def security_watch_run(
    *, now: datetime.datetime | None = None, lookback: datetime.timedelta | None = None
) -> list[SecurityAlert]:
    """Alert about every burst not alerted about yet. `lookback` defaults to one scheduling interval plus one window,
    so that consecutive runs leave no window unchecked. Returns the alerts sent."""
    now = now or timezone.now()
    if lookback is None:
        lookback = datetime.timedelta(
            minutes=settings.SCHEDULE_INTERVAL_MINUTES + settings.SECURITY_WATCH_WINDOW_MINUTES
        )
    sent = []
    for finding in security_findings(now=now, lookback=lookback):
        alert = _alert(finding, now=now)
        if alert is not None:
            sent.append(alert)
    return sent
