"""The typed shape of a framework definition (see docs/adr/0001-frameworks-as-data.md).

A framework declares its states, the transitions between them and who may make each, the criteria
questions and how their answers decide, the options a recommendation or decision can take, who must be
notified, and the deadlines with their clocks. The engine (`engine.py`) is generic over this shape.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from casereviews.core.calendar import ClockUnit

ROLES = {"referrer", "business_manager", "subgroup_member", "chair", "lead_reviewer", "agency_lead", "analyst"}
RECORDS = Literal["assessment", "recommendation", "decision", "panel_response"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Condition(Strict):
    """`is: name` is true when that answer or fact is yes; `all`, `any` and `not` combine conditions."""

    is_: str | None = Field(None, alias="is")
    all_: list[Condition] | None = Field(None, alias="all")
    any_: list[Condition] | None = Field(None, alias="any")
    not_: Condition | None = Field(None, alias="not")

    @model_validator(mode="before")
    @classmethod
    def bare_name_means_is(cls, value: Any) -> Any:
        return {"is": value} if isinstance(value, str) else value

    @model_validator(mode="after")
    def exactly_one_form(self) -> Condition:
        given = [form for form in (self.is_, self.all_, self.any_, self.not_) if form is not None]
        if len(given) != 1:
            raise ValueError("a condition has exactly one of: is, all, any, not")
        return self

    def names(self) -> set[str]:
        if self.is_ is not None:
            return {self.is_}
        if self.not_ is not None:
            return self.not_.names()
        return set().union(*(child.names() for child in (self.all_ or self.any_ or [])))


class Question(Strict):
    id: str
    text: str
    hint: str = ""
    # How the answer reads in an explanation: "abuse or neglect is known or suspected".
    if_yes: str
    if_no: str


class CriteriaOutcome(Strict):
    id: str
    when: Condition | None = None  # None: applies when no earlier outcome did
    met: bool
    headline: str
    suggests: list[str] = []


class Criteria(Strict):
    title: str
    guidance: str = ""
    questions: list[Question]
    outcomes: list[CriteriaOutcome]


class State(Strict):
    id: str
    label: str
    open: bool = True  # an open case appears on the dashboard


class Transition(Strict):
    id: str
    label: str
    from_states: list[str] = Field(alias="from")
    to: str
    roles: list[str]
    records: RECORDS | None = None
    needs_reason: bool = False


class Option(Strict):
    id: str
    label: str
    review_type: str | None = None  # None: no review is held


class Recipient(Strict):
    id: str
    label: str
    when: Condition | None = None  # required only when this holds of the referral's facts


class DeadlineRule(Strict):
    id: str
    label: str
    starts_on: str  # an event: referral_submitted, notified:<recipient>, transition:<id>, decision:<option>
    clock_from: Literal["aware_on", "event"] = "event"
    length: int = Field(ge=0)
    unit: ClockUnit
    met_by: list[str]  # events; the deadline is met when all of them have happened
    cancelled_by: list[str] = []
    when: Condition | None = None
    basis: str = ""  # the statutory source, shown beside the deadline
    confirm: bool = False  # DOMAIN.md marks the rule as not checked against the primary text


class ReviewType(Strict):
    """A kind of review the framework provides for, and what it asks of the partnership running it."""

    id: str
    label: str
    statutory: bool
    run_locally: bool = True  # False: another body runs it (the Panel's national review)
    lead_reviewers: int = Field(1, ge=1)  # how many independent reviewers must be appointed
    target_length: int | None = Field(None, ge=1)  # from commissioning to completion
    target_unit: ClockUnit = ClockUnit.CALENDAR_MONTHS
    basis: str = ""
    confirm: bool = False


class Publication(Strict):
    """What the framework asks before and after a review report is published."""

    notice_length: int = Field(ge=0)  # the final report goes to `notice_recipients` this long before publication
    notice_unit: ClockUnit
    notice_recipients: list[str]
    window_length: int = Field(ge=1)  # published online at least this long, then available on request
    window_unit: ClockUnit
    non_publication: str  # what the framework asks when the report is not published
    basis: str = ""
    confirm: bool = False


class FrameworkDefinition(Strict):
    code: str
    name: str
    nation: str
    version: int
    summary: str
    initial_state: str
    states: list[State]
    transitions: list[Transition]
    criteria: Criteria
    recommendation_options: list[Option]
    decision_options: list[Option]
    recipients: list[Recipient]
    deadlines: list[DeadlineRule]
    review_types: list[ReviewType]
    publication: Publication

    @model_validator(mode="after")
    def references_are_consistent(self) -> FrameworkDefinition:
        states = {state.id for state in self.states}
        problems: list[str] = []
        if self.initial_state not in states:
            problems.append(f"initial state {self.initial_state!r} is not a state")
        for transition in self.transitions:
            for state in [*transition.from_states, transition.to]:
                if state not in states:
                    problems.append(f"transition {transition.id!r} names unknown state {state!r}")
            for role in transition.roles:
                if role not in ROLES:
                    problems.append(f"transition {transition.id!r} names unknown role {role!r}")
        question_ids = {question.id for question in self.criteria.questions}
        for outcome in self.criteria.outcomes:
            if outcome.when is not None and not outcome.when.names() <= question_ids:
                problems.append(f"outcome {outcome.id!r} uses unknown questions")
        if self.criteria.outcomes and self.criteria.outcomes[-1].when is not None:
            problems.append("the last criteria outcome must apply otherwise (no `when`)")
        events = self.events()
        for rule in self.deadlines:
            for event in [rule.starts_on, *rule.met_by, *rule.cancelled_by]:
                if event not in events:
                    problems.append(f"deadline {rule.id!r} names unknown event {event!r}")
        review_types = {review_type.id for review_type in self.review_types}
        for option in [*self.recommendation_options, *self.decision_options]:
            if option.review_type is not None and option.review_type not in review_types:
                problems.append(f"option {option.id!r} names unknown review type {option.review_type!r}")
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def review_type(self, review_type_id: str) -> ReviewType:
        for review_type in self.review_types:
            if review_type.id == review_type_id:
                return review_type
        raise KeyError(review_type_id)

    def events(self) -> set[str]:
        return (
            {"referral_submitted"}
            | {f"notified:{recipient.id}" for recipient in self.recipients}
            | {f"transition:{transition.id}" for transition in self.transitions}
            | {f"decision:{option.id}" for option in self.decision_options}
            | {f"recommendation:{option.id}" for option in self.recommendation_options}
        )
