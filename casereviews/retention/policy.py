"""The retention schedule (ASVS 8.3.8): every kind of record the system holds, how long it is kept and what happens
then. docs/retention.md is the same table for people; this module is what the scheduled job and the staff page read.

The periods come from the settings (`RETENTION_*`, from the environment), read each time the schedule is asked for,
so a changed period takes effect at the next run without a release. A kind with no period is kept for good or for as
long as it is in use; the job never touches it.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Literal

from django.conf import settings


@dataclass(frozen=True)
class Period:
    length: int
    unit: Literal["days", "years"]

    def __str__(self) -> str:
        singular = self.unit[:-1]
        return f"{self.length} {singular if self.length == 1 else self.unit}"

    def cutoff(self, today: datetime.date) -> datetime.date:
        """The first day that is still within the period: a record dated before it has been kept for the whole
        period and is past it today (kept through its last day, acted on the day after)."""
        if self.unit == "days":
            return today - datetime.timedelta(days=self.length)
        year = today.year - self.length
        try:
            return today.replace(year=year)
        except ValueError:  # 29 February in a year that has none
            return today.replace(year=year, day=28)


@dataclass(frozen=True)
class RecordKind:
    key: str  # the job's name for it (audit entries, the command's output); "" for a kind the job never touches
    name: str
    covers: str
    classification: str  # the level of docs/security.md's data classification
    kept_for: str  # the period in words, with what it counts from
    then: str  # what the job does once the period has passed
    kept_while: str  # what stops the job, whatever the date
    basis: str  # why this period
    period: Period | None = None
    setting: str = ""  # the environment variable that changes the period

    @property
    def kept_for_text(self) -> str:
        return self.kept_for.format(period=self.period)

    @property
    def automated(self) -> bool:
        return self.period is not None or self.key in EXPIRY_KINDS


# Kinds whose period is their own expiry (a session, a cache entry): no setting, the job removes them once expired.
EXPIRY_KINDS = frozenset({"expired_sessions", "expired_cache_entries"})

LIMITATION = (
    "No law or statutory guidance sets a period for a safeguarding partnership's copy. Six years after closure is "
    "the usual public-sector default, the general limitation period for claims (Limitation Act 1980, ss. 2 and 5); "
    "the agencies keep their own case records, from which these are drawn, under their own schedules"
)


def retention_schedule() -> list[RecordKind]:
    """Every kind of record, in the order the staff page and docs/retention.md list them."""
    return [
        RecordKind(
            key="closed_referrals",
            name="Referrals and rapid reviews that did not lead to a review",
            covers=(
                "A referral closed with a decision of no review, or withdrawn, and all of it: attachments (the stored "
                "files too), the screening, the rapid review's recommendation, the Panel's response, notifications, "
                "the decision, deadlines and the timeline"
            ),
            classification="Confidential",
            period=Period(settings.RETENTION_CLOSED_REFERRAL_YEARS, "years"),
            setting="RETENTION_CLOSED_REFERRAL_YEARS",
            kept_for="{period} after the case was closed or withdrawn",
            then="Deleted",
            kept_while=(
                "The case is open; a legal hold is in force on it; the decision chose a review (local or national), "
                "or a review was set up from it: then it is kept with the review"
            ),
            basis=LIMITATION + ".",
        ),
        RecordKind(
            key="review_working_papers",
            name="A review's working papers",
            covers=(
                "The text and files of every draft, comments on drafts, agencies' chronologies and reports (the "
                "files), the case key's real names, addresses, dates of birth and schools, and the text the personal "
                "data scan found"
            ),
            classification="Restricted and confidential",
            period=Period(settings.RETENTION_REVIEW_WORKING_PAPERS_YEARS, "years"),
            setting="RETENTION_REVIEW_WORKING_PAPERS_YEARS",
            kept_for=(
                "{period} after the review closed: its publication window ended or, if it was not published, "
                "it was signed off"
            ),
            then="Deleted (drafts keep their number, date and who uploaded them; decisions on findings stay)",
            kept_while="The review is open, or a hold (criminal proceedings, inquest, other process) is in force",
            basis=(
                LIMITATION + ". The report as published, the review's record and its action plan are kept for good "
                "(below), so what goes is the unredacted material that names the child and family."
            ),
        ),
        RecordKind(
            key="",
            name="Reviews, and referrals that led to one",
            covers=(
                "The review's record: terms of reference, appointments and declarations, panel, contribution "
                "requests, practitioner and family involvement, holds, milestones, quality assurance, the board's "
                "written response, dispatches, the decision not to publish, findings, recommendations and the "
                "action plan with its evidence; the referral and rapid review it came from"
            ),
            classification="Confidential",
            kept_for="For good",
            then="Kept",
            kept_while="Always",
            basis=(
                "Our choice, as no law sets a period: the record of why a review was held, what it found and what each "
                "agency undertook to change (the process of Working Together to Safeguard Children 2023, chapter 5) is "
                "what the Panel, inspectors, an inquest or an inquiry ask for years later, and the published report it "
                "explains is kept for good. A partnership that decides otherwise changes this schedule."
            ),
        ),
        RecordKind(
            key="",
            name="Published reports in the library",
            covers="Published reports (the redacted PDF), their catalogue details and analysis, published briefings",
            classification="Public",
            kept_for="For good",
            then="Kept",
            kept_while="Always",
            basis=(
                "Reports are published so that learning is not lost; Working Together sets a minimum (online for at "
                "least a year, then on request), not a maximum. A permanent, findable national library is the purpose "
                "of the system; the text is redacted before publication."
            ),
        ),
        RecordKind(
            key="report_requests",
            name="Requests for a report after its publication window",
            covers=(
                "The requester's name, e-mail address, organisation, reason and network address, and the reason "
                "given for a refusal"
            ),
            classification="Personal",
            period=Period(settings.RETENTION_REPORT_REQUEST_DAYS, "days"),
            setting="RETENTION_REPORT_REQUEST_DAYS",
            kept_for="{period} after the request was granted or refused (never before the download link has expired)",
            then="Anonymised: the request's date, outcome and download count stay, for the partnership's figures",
            kept_while="The request is waiting for a decision",
            basis=(
                "Our choice: a year lets the partnership answer a complaint or a repeat request about its decision; "
                "nothing needs the requester's details after that (UK GDPR, Article 5(1)(e))."
            ),
        ),
        RecordKind(
            key="unconfirmed_alerts",
            name="Search alert subscriptions never confirmed",
            covers="The e-mail address and the search of an alert whose confirmation link was never followed",
            classification="Personal",
            period=Period(settings.RETENTION_UNCONFIRMED_ALERT_DAYS, "days"),
            setting="RETENTION_UNCONFIRMED_ALERT_DAYS",
            kept_for="{period} after it was asked for (the confirmation link works for 7 days)",
            then="Deleted",
            kept_while="Never kept longer",
            basis=(
                "Our choice: long enough to show, if asked, that an address was sent one confirmation and nothing "
                "else; nothing is ever sent to an unconfirmed address."
            ),
        ),
        RecordKind(
            key="stopped_alerts",
            name="Search alert subscriptions stopped",
            covers="The e-mail address, the search and the record of alerts sent, once the subscriber stopped them",
            classification="Personal",
            period=Period(settings.RETENTION_STOPPED_ALERT_DAYS, "days"),
            setting="RETENTION_STOPPED_ALERT_DAYS",
            kept_for="{period} after the alerts were stopped",
            then="Deleted",
            kept_while="Alerts still being sent are kept while the subscriber wants them",
            basis=(
                "Our choice: a short time to answer a question about the alerts; the subscriber has asked for nothing "
                "more (UK GDPR, Articles 5(1)(e) and 17)."
            ),
        ),
        RecordKind(
            key="upload_records",
            name="Upload counts",
            covers="Who uploaded how many bytes of what kind, and when (not the files)",
            classification="Personal",
            period=Period(settings.RETENTION_UPLOAD_RECORD_DAYS, "days"),
            setting="RETENTION_UPLOAD_RECORD_DAYS",
            kept_for="{period} after the upload",
            then="Deleted",
            kept_while="Never kept longer",
            basis=(
                "Our choice: the quota looks back 24 hours; a month lets an administrator answer someone who was "
                "refused. The audit log keeps each upload's own entry."
            ),
        ),
        RecordKind(
            key="security_alerts",
            name="Security alerts",
            covers="The security watch's record of each alert it sent (the account, name or address it was about)",
            classification="Personal",
            period=Period(settings.RETENTION_SECURITY_ALERT_DAYS, "days"),
            setting="RETENTION_SECURITY_ALERT_DAYS",
            kept_for="{period} after the alert (never while the watch still looks at its window)",
            then="Deleted (the alert's entry in the audit log stays)",
            kept_while="The watch's look-back still covers the alert's window",
            basis="Our choice: a year covers the investigation of an incident and a comparison with the year before.",
        ),
        RecordKind(
            key="api_tokens",
            name="Expired and revoked API tokens",
            covers="A token's digest, first characters, owner and dates",
            classification="Restricted",
            period=Period(settings.RETENTION_API_TOKEN_DAYS, "days"),
            setting="RETENTION_API_TOKEN_DAYS",
            kept_for="{period} after it expired or was revoked",
            then="Deleted",
            kept_while="The token can still be used",
            basis=(
                "Our choice: long enough to tell an operator which token a refused client still sends; the audit log "
                "names tokens by their first characters."
            ),
        ),
        RecordKind(
            key="task_results",
            name="Finished background tasks",
            covers=(
                "The task queue's record of each finished task (e-mails sent, reports analysed, scheduled runs): "
                "its arguments (record ids), result and, for a failure, the error it raised"
            ),
            classification="Confidential",
            period=Period(settings.RETENTION_TASK_RESULT_DAYS, "days"),
            setting="RETENTION_TASK_RESULT_DAYS",
            kept_for="{period} after the task finished",
            then="Deleted",
            kept_while="The task is waiting or running",
            basis=(
                "Our choice: a month to look into a failure; an error's message may quote what the task was handling. "
                "The worker's health check needs only the latest."
            ),
        ),
        RecordKind(
            key="expired_sessions",
            name="Expired sessions",
            covers="Sessions past their expiry, and the record of where each sign-in came from (address, browser)",
            classification="Personal",
            kept_for="Until the session expires (at most SESSION_COOKIE_AGE after sign-in)",
            then="Deleted",
            kept_while="The session is live",
            basis="An expired session can never be used again.",
        ),
        RecordKind(
            key="expired_cache_entries",
            name="Used one-time codes and sign-in counts",
            covers=(
                "The cache's record of authenticator codes already used (so a code is not accepted twice) and of "
                "failed sign-ins (the throttle), with the addresses and account names it counts"
            ),
            classification="Personal",
            kept_for="Until the entry expires (30 seconds for a used code; minutes for a throttle count)",
            then="Deleted",
            kept_while="The entry has not expired",
            basis="An expired entry is never read again; the cache only removes it when it next fills up.",
        ),
        RecordKind(
            key="",
            name="The audit log",
            covers=(
                "Who did what and when, from which address and browser, for every change and every view of "
                "confidential material; entries name records by id and never carry a case's details"
            ),
            classification="Confidential",
            kept_for="For good",
            then="Kept: never deleted or changed (ADR 0002, ADR 0018)",
            kept_while="Always",
            basis=(
                "The hash chain proves that no entry was altered or removed; deleting old entries would break that "
                "proof. It records the deletions this schedule makes (how many and which ids, never what they held)."
            ),
        ),
        RecordKind(
            key="",
            name="Staff accounts",
            covers="Names, e-mail addresses, roles, second-factor secrets",
            classification="Personal and restricted",
            kept_for="While the person works with the partnership",
            then="Deactivated by an administrator when they leave (not automated)",
            kept_while="The account is named in kept records and the audit log, so it is deactivated, not deleted",
            basis="The records that are kept must still say who did what.",
        ),
    ]


def retention_kind(key: str) -> RecordKind:
    return next(kind for kind in retention_schedule() if kind.key == key)
