"""The generic engine: reads a framework definition and answers questions about it.

Three-valued logic throughout: an unanswered question is unknown, and the criteria say "cannot be
decided yet" rather than guessing when an unknown answer could change the result.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from casereviews.frameworks.schema import (
    Condition,
    CriteriaOutcome,
    FrameworkDefinition,
    Option,
    Question,
    Transition,
)

Answers = Mapping[str, bool | None]


def evaluate(condition: Condition, answers: Answers) -> bool | None:
    if condition.is_ is not None:
        return answers.get(condition.is_)
    if condition.not_ is not None:
        inner = evaluate(condition.not_, answers)
        return None if inner is None else not inner
    if condition.all_ is not None:
        results = [evaluate(child, answers) for child in condition.all_]
        if False in results:
            return False
        return None if None in results else True
    results = [evaluate(child, answers) for child in condition.any_ or []]
    if True in results:
        return True
    return None if None in results else False


def _reasons(condition: Condition, answers: Answers, framework: FrameworkDefinition) -> list[str]:
    """The answers that made `condition` true, in words."""
    if condition.is_ is not None:
        question = framework_question(framework, condition.is_)
        return [question.if_yes] if question else [condition.is_]
    if condition.not_ is not None:
        name = next(iter(condition.not_.names()))
        question = framework_question(framework, name)
        return [question.if_no] if question and len(condition.not_.names()) == 1 else []
    if condition.all_ is not None:
        return [reason for child in condition.all_ for reason in _reasons(child, answers, framework)]
    for child in condition.any_ or []:
        if evaluate(child, answers) is True:
            return _reasons(child, answers, framework)
    return []


def framework_question(framework: FrameworkDefinition, question_id: str) -> Question | None:
    return next((question for question in framework.criteria.questions if question.id == question_id), None)


@dataclass(frozen=True)
class CriteriaResult:
    outcome: CriteriaOutcome | None  # None: cannot be decided until more questions are answered
    explanation: str
    unanswered: list[str]

    @property
    def decided(self) -> bool:
        return self.outcome is not None


def assess_criteria(framework: FrameworkDefinition, answers: Answers) -> CriteriaResult:
    """The first outcome whose condition holds decides. An earlier outcome that cannot be evaluated yet blocks
    the result only if it would lead somewhere different: a death with abuse meets the SCR criteria whether or
    not it happened in custody, so the custody question need not be answered first."""
    unanswered = [q.id for q in framework.criteria.questions if answers.get(q.id) is None]
    undecided: list[CriteriaOutcome] = []
    for outcome in framework.criteria.outcomes:
        result = True if outcome.when is None else evaluate(outcome.when, answers)
        if result is None:
            undecided.append(outcome)
            continue
        if result is False:
            continue
        if any((earlier.met, earlier.headline) != (outcome.met, outcome.headline) for earlier in undecided):
            return _cannot_decide_yet(framework, undecided, answers, unanswered)
        return CriteriaResult(
            outcome, f"{outcome.headline} because {_because(framework, outcome, answers)}.", unanswered
        )
    if undecided:
        return _cannot_decide_yet(framework, undecided, answers, unanswered)
    return CriteriaResult(None, "The framework declares no outcome for these answers.", unanswered)


def _because(framework: FrameworkDefinition, outcome: CriteriaOutcome, answers: Answers) -> str:
    if outcome.when is not None:
        return " and ".join(_reasons(outcome.when, answers, framework))
    reasons = [
        question.if_no if answers.get(question.id) is False else f"it is not known whether {question.if_yes}"
        for question in framework.criteria.questions
        if answers.get(question.id) is not True
    ]
    return "; ".join(reasons) if reasons else "no earlier criterion applies"


def _cannot_decide_yet(
    framework: FrameworkDefinition, undecided: list[CriteriaOutcome], answers: Answers, unanswered: list[str]
) -> CriteriaResult:
    needed = sorted(
        {name for outcome in undecided if outcome.when for name in outcome.when.names() if answers.get(name) is None}
    )
    questions = [framework_question(framework, name) for name in needed]
    texts = "; ".join(f"“{question.text}”" for question in questions if question)
    return CriteriaResult(None, f"The criteria cannot be decided yet: answer {texts}", unanswered)


def transitions_from(framework: FrameworkDefinition, state: str) -> list[Transition]:
    return [transition for transition in framework.transitions if state in transition.from_states]


def transition_named(framework: FrameworkDefinition, transition_id: str) -> Transition | None:
    return next((transition for transition in framework.transitions if transition.id == transition_id), None)


def state_label(framework: FrameworkDefinition, state: str) -> str:
    return next((s.label for s in framework.states if s.id == state), state)


def open_states(framework: FrameworkDefinition) -> set[str]:
    return {state.id for state in framework.states if state.open}


def option_named(options: list[Option], option_id: str) -> Option | None:
    return next((option for option in options if option.id == option_id), None)
