"""Two chairs deciding at once, for real: two threads, two database connections, one decision."""

from __future__ import annotations

import html
import threading
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.db.backends.sqlite3.creation import DatabaseCreation
from django.urls import reverse

from casereviews.core.audit import audit_verify
from casereviews.core.errors import DomainError, Duplicate, EditConflict
from casereviews.core.models import AuditEvent
from casereviews.referrals.models import Decision, Referral
from casereviews.referrals.services import (
    assessment_record,
    decision_record,
    recommendation_record,
    referral_submit,
    referral_transition,
)
from tests.conftest import signed_in
from tests.factories import make_person, make_referral, referral_input
from tests.referrals.test_deadlines import late_notification, today_is  # noqa: F401 - fixtures

THREAD_TIMEOUT_SECONDS = 30


def run_at_once(calls: list[Callable[[], Any]]) -> list[Any]:
    """Run each call in its own thread, all released together; return what each returned or raised."""
    start = threading.Barrier(len(calls))
    outcomes: list[Any] = [None] * len(calls)

    def run(index: int, call: Callable[[], Any]) -> None:
        try:
            start.wait()
            outcomes[index] = call()
        except Exception as error:  # the test inspects whatever each thread raised
            outcomes[index] = error
        finally:
            connection.close()  # each thread has its own connection; leave none open for the flush

    threads = [threading.Thread(target=run, args=(index, call)) for index, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(THREAD_TIMEOUT_SECONDS)
    assert not any(thread.is_alive() for thread in threads), "a thread is stuck waiting for a lock"
    return outcomes


@pytest.mark.django_db(transaction=True)
def test_two_chairs_deciding_at_once_record_one_decision_and_the_other_is_told(people, northshire):
    if connection.vendor == "sqlite" and DatabaseCreation.is_in_memory_db(connection.settings_dict["NAME"]):
        pytest.skip(
            "the SQLite test database is in memory with a shared cache, where a second writer fails at once "
            "with 'database table is locked' instead of waiting for the first; give the test database a file "
            "(DATABASES['default']['TEST']['NAME'] in casereviews/test_settings.py) to run this on SQLite"
        )
    referral = make_referral(northshire, people.referrer)
    referral_transition(actor=people.manager, referral=referral, transition_id="accept")
    assessment_record(
        actor=people.subgroup,
        referral=referral,
        answers={"abuse_or_neglect": True, "child_died": True, "recurrent_themes": True},
    )
    recommendation_record(actor=people.subgroup, referral=referral, option="lcspr", rationale="Recurrent theme.")
    loaded = Referral.objects.get(pk=referral.pk)
    entries_before = AuditEvent.objects.count()

    def decide(chair: Any, option: str) -> Callable[[], Decision]:
        return lambda: decision_record(
            actor=chair,
            referral=loaded,
            option=option,
            rationale=f"{chair.display_name} decides.",
            differs_reason="" if option == "lcspr" else "The Panel will review nationally.",
            expected_version=loaded.version,
        )

    outcomes = run_at_once([decide(people.chair, "lcspr"), decide(people.second_chair, "national_review")])

    decisions = [outcome for outcome in outcomes if isinstance(outcome, Decision)]
    conflicts = [outcome for outcome in outcomes if isinstance(outcome, EditConflict)]
    assert len(decisions) == 1 and len(conflicts) == 1, outcomes
    assert not [o for o in outcomes if isinstance(o, Exception) and not isinstance(o, DomainError)]
    # The loser waited for the winner's transaction, then found the referral changed under it.
    winner = decisions[0].decided_by
    assert conflicts[0].message.startswith(f"This referral was changed by {winner.display_name}")
    assert "Nothing you entered has been saved" in conflicts[0].message

    stored = Decision.objects.get(referral=referral)
    assert stored.pk == decisions[0].pk
    after = Referral.objects.get(pk=referral.pk)
    assert (after.state, after.version) == ("decided", loaded.version + 1)
    # The winner's decision is audited once; the loser left no trace; the chain is unbroken.
    assert AuditEvent.objects.filter(action="referral.decide").count() == 1
    assert AuditEvent.objects.count() == entries_before + 1
    assert audit_verify()[1] is None


@pytest.mark.django_db(transaction=True)
def test_the_same_referral_submitted_twice_at_once_is_created_once(people, northshire):
    if connection.vendor == "sqlite" and DatabaseCreation.is_in_memory_db(connection.settings_dict["NAME"]):
        pytest.skip("the in-memory SQLite test database cannot queue two writers (see the test above)")
    key = uuid.uuid4()

    def submit() -> Referral:
        return referral_submit(
            submitted_by=people.referrer, partnership=northshire, data=referral_input(), submission_key=key
        )

    outcomes = run_at_once([submit, submit])

    created = [outcome for outcome in outcomes if isinstance(outcome, Referral)]
    duplicates = [outcome for outcome in outcomes if isinstance(outcome, Duplicate)]
    assert len(created) == 1 and len(duplicates) == 1, outcomes
    assert duplicates[0].existing == created[0]
    assert Referral.objects.filter(submission_key=key).count() == 1
    assert AuditEvent.objects.filter(action="referral.submit").count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_managers_writing_a_breach_reason_from_the_same_page_keep_the_first_and_tell_the_second(
    people,
    northshire,
    late_notification,  # noqa: F811 - the imported fixture
):
    second_manager = make_person("bea", "business_manager", northshire)
    referral = late_notification.referral
    url = reverse("referrals:breach_reason", args=[referral.reference, late_notification.pk])
    first, second = signed_in(people.manager), signed_in(second_manager)
    for client in (first, second):
        assert 'name="version" value="1"' in client.get(url).content.decode()

    saved = "The hospital told us only on 3 January."
    assert first.post(url, {"reason": saved, "version": "1"}).status_code == 302
    stale = second.post(url, {"reason": "Nobody was on duty over Christmas.", "version": "1"})
    assert stale.status_code == 200
    assert "recorded a reason for this breach while you were writing yours. Nothing was saved" in html.unescape(
        stale.content.decode()
    )
    late_notification.refresh_from_db()
    assert (late_notification.breach_reason, late_notification.breach_reason_by) == (saved, people.manager)
    assert AuditEvent.objects.filter(action="deadline.breach_reason").count() == 1
    checked, broken = audit_verify()
    assert broken is None and checked == AuditEvent.objects.count()
