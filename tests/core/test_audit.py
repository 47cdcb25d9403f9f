"""The audit log: every change is recorded with who, what and from where; the hash chain exposes tampering."""

from __future__ import annotations

import datetime
from collections.abc import Iterator, Sequence
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from casereviews.core.audit import ChainBreak, _entry_hash, _hashed_fields, audit_record, audit_verify
from casereviews.core.models import AuditChainHead, AuditEvent, AuditLogIsAppendOnly
from casereviews.core.request_context import RequestMeta, reset_request_meta, set_request_meta
from casereviews.referrals.services import (
    assessment_record,
    decision_record,
    notification_record,
    panel_response_record,
    recommendation_record,
    referral_transition,
)
from tests.factories import make_referral

pytestmark = pytest.mark.django_db

CLIENT_IP = "203.0.113.7"


@pytest.fixture
def from_client() -> Iterator[RequestMeta]:
    """Service calls made as if from a browser at CLIENT_IP."""
    meta = RequestMeta(ip_address=CLIENT_IP, user_agent="Mozilla/5.0 (test)")
    token = set_request_meta(meta)
    yield meta
    reset_request_meta(token)


def entries_after(sequence: int) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(sequence__gt=sequence).order_by("sequence"))


def last_sequence() -> int:
    head = AuditChainHead.objects.filter(id=1).first()
    return head.last_sequence if head else 0


def write_entries(count: int) -> list[AuditEvent]:
    return [audit_record(actor=None, action="test.entry", summary=f"Entry {n}") for n in range(count)]


def raw_sql(sql: str, params: Sequence[Any] = ()) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def disable_append_only_trigger() -> None:
    """Simulate someone with direct database access. The test transaction rolls this back (DDL is
    transactional on both SQLite and PostgreSQL)."""
    if connection.vendor == "postgresql":
        # Foreign-key checks wait for the commit; PostgreSQL will not alter a table with checks pending.
        raw_sql("SET CONSTRAINTS ALL IMMEDIATE")
        raw_sql("ALTER TABLE core_auditevent DISABLE TRIGGER core_auditevent_no_change")
    else:
        raw_sql("DROP TRIGGER core_auditevent_no_update")


def test_every_step_of_the_journey_writes_an_entry_with_actor_action_partnership_and_address(
    people, northshire, from_client
):
    start = last_sequence()
    referral = make_referral(northshire, people.referrer)
    notification_record(
        actor=people.manager,
        referral=referral,
        recipient="national_panel",
        notified_on=datetime.date(2025, 3, 5),
        method="Online notification form",
    )
    referral_transition(actor=people.manager, referral=referral, transition_id="accept")
    assessment_record(
        actor=people.subgroup,
        referral=referral,
        answers={"abuse_or_neglect": True, "seriously_harmed": True, "organisations_concern": True},
    )
    recommendation_record(actor=people.subgroup, referral=referral, option="lcspr", rationale="Two agencies.")
    panel_response_record(
        actor=people.manager, referral=referral, received_on=datetime.date(2025, 4, 1), summary="Agreed."
    )
    decision_record(actor=people.chair, referral=referral, option="lcspr", rationale="Agreed.")
    referral_transition(actor=people.manager, referral=referral, transition_id="close")

    entries = entries_after(start)
    assert [(entry.action, entry.actor) for entry in entries] == [
        ("referral.submit", people.referrer),
        ("notification.record", people.manager),
        ("referral.accept", people.manager),
        ("referral.assess", people.subgroup),
        ("referral.recommend", people.subgroup),
        ("referral.record_panel_response", people.manager),
        ("referral.decide", people.chair),
        ("referral.close", people.manager),
    ]
    for entry in entries:
        assert entry.actor is not None
        assert entry.partnership == northshire
        assert entry.ip_address == CLIENT_IP
        assert entry.user_agent == "Mozilla/5.0 (test)"
        assert entry.actor_label.startswith(entry.actor.username)
        assert entry.object_id
    assert entries[0].object_type == "referrals.referral" and entries[0].object_id == str(referral.pk)
    assert entries[0].summary == f"Submitted referral {referral.reference} under england_2023"
    assert entries[2].changes == {"state": ["submitted", "rapid_review"], "note": ""}
    assert audit_verify() == (AuditEvent.objects.count(), None)


def test_the_system_and_anonymous_visitors_are_recorded_by_label_without_an_account():
    system = audit_record(actor=None, action="deadline.sweep", summary="Checked deadlines")
    anonymous = audit_record(actor=AnonymousUser(), action="library.view", summary="Viewed a report")
    assert (system.actor, system.actor_label) == (None, "system")
    assert (anonymous.actor, anonymous.actor_label) == (None, "anonymous")
    assert system.ip_address is None


def test_each_entry_points_at_the_hash_of_the_one_before():
    first, second, third = write_entries(3)
    assert second.sequence == first.sequence + 1 and third.sequence == second.sequence + 1
    assert second.previous_hash == first.entry_hash
    assert third.previous_hash == second.entry_hash
    assert len({first.entry_hash, second.entry_hash, third.entry_hash}) == 3
    head = AuditChainHead.objects.get(id=1)
    assert (head.last_sequence, head.last_hash) == (third.sequence, third.entry_hash)


def test_an_intact_chain_verifies_and_reports_how_many_entries_it_checked():
    write_entries(4)
    assert audit_verify() == (AuditEvent.objects.count(), None)


def test_the_database_refuses_an_update_made_with_raw_sql():
    entry = write_entries(1)[0]
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        raw_sql("UPDATE core_auditevent SET summary = %s WHERE id = %s", ["Nothing happened", entry.pk])
    entry.refresh_from_db()
    assert entry.summary == "Entry 0"


def test_postgresql_also_refuses_a_delete_made_with_raw_sql():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has no DELETE trigger; a deletion there is caught by audit_verify (tested below)")
    entry = write_entries(1)[0]
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        raw_sql("DELETE FROM core_auditevent WHERE id = %s", [entry.pk])
    assert AuditEvent.objects.filter(pk=entry.pk).exists()


def test_an_entry_altered_behind_the_triggers_back_is_reported_as_altered():
    _first, second, _third = write_entries(3)
    disable_append_only_trigger()
    raw_sql("UPDATE core_auditevent SET summary = %s WHERE id = %s", ["Nothing to see", second.pk])
    checked, broken = audit_verify()
    assert broken == ChainBreak(second.sequence, "its content does not match its hash (altered)")
    assert checked == second.sequence - 1


def test_an_entry_forged_with_a_recomputed_hash_breaks_the_link_from_the_next_one():
    _first, second, third = write_entries(3)
    second.summary = "Nothing to see"
    forged_hash = _entry_hash(second.previous_hash, _hashed_fields(second))
    disable_append_only_trigger()
    raw_sql(
        "UPDATE core_auditevent SET summary = %s, entry_hash = %s WHERE id = %s",
        [second.summary, forged_hash, second.pk],
    )
    broken = ChainBreak(third.sequence, "does not point at the previous entry's hash")
    assert audit_verify() == (second.sequence, broken)


def test_a_deleted_entry_in_the_middle_is_reported_as_missing():
    first, second, _third = write_entries(3)
    disable_append_only_trigger()
    raw_sql("DELETE FROM core_auditevent WHERE id = %s", [second.pk])
    checked, broken = audit_verify()
    assert broken == ChainBreak(second.sequence, f"entry #{second.sequence} is missing")
    assert checked == first.sequence


def test_a_deleted_last_entry_is_caught_by_the_chain_head():
    entries = write_entries(3)
    disable_append_only_trigger()
    raw_sql("DELETE FROM core_auditevent WHERE id = %s", [entries[-1].pk])
    checked, broken = audit_verify()
    assert checked == entries[-1].sequence - 1
    assert broken == ChainBreak(
        entries[-1].sequence, f"the chain head records #{entries[-1].sequence}: entries removed"
    )


def test_the_orm_refuses_to_save_an_existing_entry_again():
    entry = write_entries(1)[0]
    entry.summary = "Changed"
    with pytest.raises(AuditLogIsAppendOnly, match="cannot be changed"):
        entry.save()


def test_the_orm_refuses_to_delete_an_entry():
    entry = write_entries(1)[0]
    with pytest.raises(AuditLogIsAppendOnly, match="cannot be deleted"):
        entry.delete()
    assert AuditEvent.objects.filter(pk=entry.pk).exists()


def test_the_orm_refuses_bulk_updates_and_deletes():
    write_entries(2)
    with pytest.raises(AuditLogIsAppendOnly):
        AuditEvent.objects.all().update(summary="Changed")
    with pytest.raises(AuditLogIsAppendOnly):
        AuditEvent.objects.filter(action="test.entry").delete()
    assert AuditEvent.objects.filter(summary="Changed").count() == 0
    assert audit_verify()[1] is None


def test_the_audit_verify_command_reports_an_intact_chain(capsys):
    write_entries(2)
    call_command("audit_verify")
    assert f"Audit chain intact: {AuditEvent.objects.count()} entries verified." in capsys.readouterr().out


def test_the_audit_verify_command_fails_naming_the_first_broken_link():
    _first, second, _third = write_entries(3)
    disable_append_only_trigger()
    raw_sql("UPDATE core_auditevent SET action = %s WHERE id = %s", ["test.other", second.pk])
    with pytest.raises(CommandError, match=rf"broken at entry #{second.sequence}: .*altered"):
        call_command("audit_verify")
