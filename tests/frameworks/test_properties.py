"""Properties of every shipped framework's steps, checked through the real services and database (issue 7).

A random walk tries steps (real ones, one that does not exist, and form-only steps sent through the plain
step door) as random people of the partnership and of others. The framework definition is the oracle: a step
the definition allows for the person's roles from the referral's state moves it to the declared state; any
other attempt is refused (NotAllowed, TransitionNotAllowed, or EditConflict for a second decision) and leaves
the referral, its timeline, its deadlines, its records and the audit log exactly as they were. Each example
submits its own referral, so examples do not depend on each other although they share one transaction.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import pytest
from hypothesis import event, given
from hypothesis import strategies as st

from casereviews.core.errors import EditConflict, InvalidInput, NotAllowed, TransitionNotAllowed
from casereviews.core.models import AuditEvent
from casereviews.frameworks.engine import transition_named, transitions_from
from casereviews.frameworks.schema import FrameworkDefinition, Transition
from casereviews.frameworks.services import get_framework, shipped_definitions
from casereviews.partnerships.models import Partnership, Role, User
from casereviews.referrals import services
from casereviews.referrals.models import Decision, Referral, ReferralEvent
from tests.factories import make_person, make_referral
from tests.hostile.hypothesis_profiles import examples

SHIPPED = shipped_definitions()
NO_SUCH_STEP = "no_such_step"

# Which framework each walk runs under: the partnership, and an incident date that selects it.
WALKS = {
    "england_2015": ("northshire", datetime.date(2017, 3, 3)),
    "england_2023": ("northshire", datetime.date(2025, 3, 3)),
    "wales": ("glanmor", datetime.date(2025, 3, 3)),
}


@pytest.mark.parametrize("code", sorted(SHIPPED))
def test_terminal_states_have_no_exits_and_every_step_names_declared_states(code):
    framework = SHIPPED[code]
    declared = {state.id for state in framework.states}
    for state in framework.states:
        if not state.open:
            assert transitions_from(framework, state.id) == [], f"{code}: closed state {state.id} has a way out"
    for transition in framework.transitions:
        assert transition.to in declared
        assert set(transition.from_states) <= declared
        assert set(transition.roles) <= set(Role.values)
    assert framework.initial_state in declared


@pytest.mark.parametrize("code", sorted(SHIPPED))
def test_every_open_state_can_reach_a_terminal_state(code):
    framework = SHIPPED[code]
    terminal = {state.id for state in framework.states if not state.open}
    for state in framework.states:
        seen, frontier = {state.id}, [state.id]
        while frontier:
            for transition in transitions_from(framework, frontier.pop()):
                if transition.to not in seen:
                    seen.add(transition.to)
                    frontier.append(transition.to)
        assert seen & terminal, f"{code}: {state.id} can never be closed or withdrawn"


@dataclass(frozen=True)
class Cast:
    """Everyone who may try a step, with the roles the test expects each to hold in the walk's partnership."""

    people: dict[str, User]
    roles: dict[str, set[str]]


@pytest.fixture
def casts(people, northshire, glanmor) -> dict[str, Cast]:
    everyone = {name: getattr(people, name) for name in vars(people)}
    glanmor_people = {
        "glanmor_subgroup": make_person("gwen", Role.SUBGROUP_MEMBER, glanmor),
        "glanmor_chair": make_person("geraint", Role.CHAIR, glanmor),
    }
    everyone.update(glanmor_people)
    northshire_roles = {
        "manager": {Role.BUSINESS_MANAGER},
        "subgroup": {Role.SUBGROUP_MEMBER},
        "chair": {Role.CHAIR},
        "second_chair": {Role.CHAIR},
        "reviewer": {Role.LEAD_REVIEWER},
        "agency_lead": {Role.AGENCY_LEAD},
        "referrer": {Role.REFERRER},
        "other_referrer": {Role.REFERRER},
    }
    glanmor_roles = {
        "other_manager": {Role.BUSINESS_MANAGER},
        "glanmor_subgroup": {Role.SUBGROUP_MEMBER},
        "glanmor_chair": {Role.CHAIR},
    }
    return {
        "northshire": Cast(everyone, {name: northshire_roles.get(name, set()) for name in everyone}),
        "glanmor": Cast(everyone, {name: glanmor_roles.get(name, set()) for name in everyone}),
    }


def snapshot(referral: Referral) -> tuple[object, ...]:
    """Everything a refused step must leave alone."""
    fresh = Referral.objects.get(pk=referral.pk)
    return (
        fresh.state,
        fresh.version,
        list(ReferralEvent.objects.filter(referral=fresh).values_list("name", "occurred_on", "note")),
        list(fresh.deadlines.values_list("rule_id", "due_on", "met_on", "cancelled_on")),
        fresh.assessments.count(),
        fresh.recommendations.count(),
        list(Decision.objects.filter(referral=fresh).values_list("option", "rationale")),
        fresh.panel_responses.count(),
        AuditEvent.objects.count(),
    )


# No NUL: forms and the API refuse it before any service sees it (and PostgreSQL could not store it).
reasons = st.one_of(
    st.sampled_from(["", "   ", "\n\t"]),
    st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"], exclude_characters="\x00"), max_size=40),
)


def take_step(
    framework: FrameworkDefinition,
    transition_id: str,
    actor: User,
    referral: Referral,
    data: st.DataObject,
    through_plain_door: bool,
) -> None:
    """Try the step through the service that records it, or through the plain step door."""
    transition = transition_named(framework, transition_id)
    if transition is None or transition.records is None or through_plain_door:
        services.referral_transition(
            actor=actor, referral=referral, transition_id=transition_id, reason=data.draw(reasons, label="reason")
        )
    elif transition.records == "assessment":
        answers = {
            question.id: data.draw(st.sampled_from([True, False, None]), label=question.id)
            for question in framework.criteria.questions
        }
        services.assessment_record(actor=actor, referral=referral, answers=answers, notes="Random walk")
    elif transition.records == "recommendation":
        option = data.draw(st.sampled_from([option.id for option in framework.recommendation_options]))
        services.recommendation_record(actor=actor, referral=referral, option=option, rationale="Random walk")
    elif transition.records == "panel_response":
        services.panel_response_record(
            actor=actor, referral=referral, received_on=datetime.date.today(), summary="The Panel agreed"
        )
    else:
        option = data.draw(st.sampled_from([option.id for option in framework.decision_options]))
        services.decision_record(
            actor=actor, referral=referral, option=option, rationale="Random walk", differs_reason="Chair's view"
        )


def expected_refusal(
    transition: Transition | None, roles: set[str], state: str, plain_door: bool, decided: bool
) -> type[Exception] | None:
    """What the definition says an attempt must raise, or None when it allows it."""
    if transition is None:
        return TransitionNotAllowed
    if not roles & set(transition.roles):
        return NotAllowed
    if transition.records == "decision" and decided and not plain_door:
        return EditConflict  # someone who could decide is told another decision got there first
    if state not in transition.from_states:
        return TransitionNotAllowed
    if transition.records is not None and plain_door:
        return TransitionNotAllowed  # a step that records something needs its own form
    return None


@pytest.mark.parametrize("code", sorted(WALKS))
@examples(25)
@given(data=st.data())
def test_a_random_walk_of_steps_follows_the_framework_and_refusals_change_nothing(
    code, casts, northshire, glanmor, data
):
    partnership_slug, incident_date = WALKS[code]
    partnership = Partnership.objects.get(slug=partnership_slug)
    cast = casts[partnership_slug]
    submitter = cast.people["referrer" if partnership_slug == "northshire" else "other_manager"]
    referral = make_referral(
        partnership, submitter, incident_date=incident_date, aware_on=incident_date + datetime.timedelta(days=1)
    )
    assert referral.framework_code == code
    framework = get_framework(code)
    declared = {state.id for state in framework.states}
    terminal = {state.id for state in framework.states if not state.open}
    step_ids = [transition.id for transition in framework.transitions] + [NO_SUCH_STEP]

    for _ in range(data.draw(st.integers(min_value=1, max_value=16), label="steps")):
        state = Referral.objects.get(pk=referral.pk).state
        offered = [transition.id for transition in transitions_from(framework, state)]
        if offered and data.draw(st.integers(0, 2), label="follow the framework") > 0:
            # Two times in three take a step the framework offers, as someone who may: walks get deep enough
            # to reach every state, and the refusals in between are tried from all of them.
            onward = [t.id for t in transitions_from(framework, state) if t.to not in terminal]
            onward_only = onward and data.draw(st.integers(0, 3), label="keep the case open") > 0
            transition_id = data.draw(st.sampled_from(onward if onward_only else offered), label="step")
            allowed = set(transition_named(framework, transition_id).roles)  # type: ignore[union-attr]
            persona = data.draw(st.sampled_from(sorted(n for n, r in cast.roles.items() if r & allowed)))
            plain_door = False
        else:
            transition_id = data.draw(st.sampled_from(step_ids), label="step")
            persona = data.draw(st.sampled_from(sorted(cast.people)), label="persona")
            plain_door = data.draw(st.booleans(), label="plain door")
        transition = transition_named(framework, transition_id)
        decided = Decision.objects.filter(referral=referral).exists()
        refusal = expected_refusal(transition, cast.roles[persona], state, plain_door, decided)
        before = snapshot(referral)

        if refusal is not None:
            with pytest.raises((NotAllowed, TransitionNotAllowed, EditConflict)) as raised:
                take_step(framework, transition_id, cast.people[persona], referral, data, plain_door)
            assert type(raised.value) is refusal, (transition_id, persona, state, raised.value)
            assert snapshot(referral) == before
            continue

        assert transition is not None
        try:
            take_step(framework, transition_id, cast.people[persona], referral, data, plain_door)
        except InvalidInput as error:
            # The only invalid input a walk makes: no reason for a step that needs one, or a recommendation
            # before any assessment.
            assert (transition.needs_reason and transition.records is None) or (
                transition.records == "recommendation" and before[4] == 0
            ), error.message
            assert snapshot(referral) == before
            continue
        after = Referral.objects.get(pk=referral.pk)
        assert after.state == transition.to
        assert after.state in declared
        assert after.version == before[1] + 1
        assert AuditEvent.objects.count() > before[-1]

    final = Referral.objects.get(pk=referral.pk)
    assert final.state in declared
    event(f"walk ended at {final.state}")  # --hypothesis-show-statistics shows how deep the walks go
    if final.state in terminal:
        # A closed case refuses every step, even from someone who could take it from an open state.
        for transition in framework.transitions:
            holder = next(name for name, roles in sorted(cast.roles.items()) if roles & set(transition.roles))
            before = snapshot(final)
            with pytest.raises((TransitionNotAllowed, EditConflict)):
                take_step(framework, transition.id, cast.people[holder], final, data, through_plain_door=False)
            assert snapshot(final) == before, (holder, transition.id)
