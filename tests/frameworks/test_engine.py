"""The criteria engine: three-valued answers, outcomes in order, and explanations a person can read."""

from __future__ import annotations

import pytest

from casereviews.frameworks.engine import (
    assess_criteria,
    evaluate,
    open_states,
    option_named,
    state_label,
    transitions_from,
)
from casereviews.frameworks.schema import Condition
from casereviews.frameworks.services import shipped_definitions

FRAMEWORKS = shipped_definitions()
ENGLAND_2015 = FRAMEWORKS["england_2015"]
ENGLAND_2023 = FRAMEWORKS["england_2023"]
WALES = FRAMEWORKS["wales"]

SCR_MET = "Criteria met: a serious case review must be held"
LCSPR_MET = "Criteria met: the safeguarding partners should commission a local child safeguarding practice review"


def condition(data: object) -> Condition:
    return Condition.model_validate(data)


@pytest.mark.parametrize(
    ("a", "b", "both", "either"),
    [
        (True, True, True, True),
        (True, False, False, True),
        (False, None, False, None),
        (True, None, None, True),
        (None, None, None, None),
        (False, False, False, False),
    ],
)
def test_all_and_any_follow_three_valued_logic(a, b, both, either):
    answers = {"a": a, "b": b}
    assert evaluate(condition({"all": ["a", "b"]}), answers) is both
    assert evaluate(condition({"any": ["a", "b"]}), answers) is either


def test_not_of_an_unknown_answer_is_unknown():
    assert evaluate(condition({"not": "a"}), {"a": None}) is None
    assert evaluate(condition({"not": "a"}), {}) is None
    assert evaluate(condition({"not": "a"}), {"a": False}) is True


def test_england_2015_death_with_abuse_meets_the_scr_criteria_and_says_why():
    result = assess_criteria(ENGLAND_2015, {"abuse_or_neglect": True, "child_died": True, "death_in_custody": False})
    assert result.outcome is not None and result.outcome.id == "death" and result.outcome.met
    assert result.explanation == (f"{SCR_MET} because abuse or neglect is known or suspected and the child died.")
    assert result.outcome.suggests == ["scr"]


def test_england_2015_death_with_abuse_is_decided_without_asking_whether_it_was_in_custody():
    # Whatever the custody answer, the criteria are met: the unknown answer cannot change the result, so
    # it must not hold the decision up.
    result = assess_criteria(ENGLAND_2015, {"abuse_or_neglect": True, "child_died": True})
    assert result.decided
    assert result.outcome is not None and result.outcome.met
    assert result.explanation.startswith(f"{SCR_MET} because")


def test_england_2015_serious_harm_with_inter_agency_concern_meets_the_criteria():
    answers = {
        "abuse_or_neglect": True,
        "child_died": False,
        "seriously_harmed": True,
        "working_together_concern": True,
        "death_in_custody": False,
    }
    result = assess_criteria(ENGLAND_2015, answers)
    assert result.outcome is not None and result.outcome.id == "serious_harm"
    assert result.explanation == (
        f"{SCR_MET} because abuse or neglect is known or suspected and the child was seriously harmed "
        "and there is cause for concern about how agencies worked together."
    )


def test_england_2015_serious_harm_without_inter_agency_concern_does_not_meet_the_criteria():
    answers = {
        "abuse_or_neglect": True,
        "child_died": False,
        "seriously_harmed": True,
        "working_together_concern": False,
        "death_in_custody": False,
    }
    result = assess_criteria(ENGLAND_2015, answers)
    assert result.outcome is not None and result.outcome.id == "below_criteria"
    assert result.outcome.met is False
    assert result.explanation.startswith("Criteria not met: a serious case review is not required because")
    assert "it is clear there are no concerns about how agencies worked together" in result.explanation
    assert result.outcome.suggests == ["partnership_review", "no_review"]


def test_england_2015_a_death_in_custody_always_meets_the_criteria_even_with_nothing_else_answered():
    result = assess_criteria(ENGLAND_2015, {"death_in_custody": True})
    assert result.outcome is not None and result.outcome.id == "custody_death" and result.outcome.met
    assert result.explanation == (
        f"{SCR_MET} because the child died in custody, a secure setting or under the Mental Health Act."
    )
    assert result.unanswered == [
        "abuse_or_neglect",
        "child_died",
        "seriously_harmed",
        "working_together_concern",
    ]


def test_england_2015_unknown_answers_that_matter_leave_the_criteria_undecided_and_name_the_questions():
    answers = {"abuse_or_neglect": True, "child_died": False, "death_in_custody": False}
    result = assess_criteria(ENGLAND_2015, answers)
    assert not result.decided
    assert result.explanation == (
        "The criteria cannot be decided yet: answer “Has the child been seriously harmed?”; "
        "“Is there cause for concern about how the authority, board partners or others worked together?”"
    )
    assert result.unanswered == ["seriously_harmed", "working_together_concern"]


def test_england_2015_unknown_answers_that_do_not_matter_do_not_block_a_decision():
    # No abuse or neglect: whether the child died or was harmed cannot make the criteria met.
    result = assess_criteria(ENGLAND_2015, {"abuse_or_neglect": False, "death_in_custody": False})
    assert result.outcome is not None and result.outcome.id == "below_criteria"
    assert "abuse or neglect is neither known nor suspected" in result.explanation
    assert "it is not known whether the child died" in result.explanation
    assert set(result.unanswered) == {"child_died", "seriously_harmed", "working_together_concern"}


def test_england_2023_a_death_with_abuse_and_a_recurrent_theme_meets_the_lcspr_criteria():
    answers = {"abuse_or_neglect": True, "child_died": True, "recurrent_themes": True}
    result = assess_criteria(ENGLAND_2023, answers)
    assert result.outcome is not None and result.outcome.id == "lcspr_criteria"
    assert result.explanation == (
        f"{LCSPR_MET} because abuse or neglect is known or suspected and the child died "
        "and the case highlights recurrent themes."
    )
    assert result.outcome.suggests == ["lcspr"]


@pytest.mark.parametrize("reason", ["improvements_needed", "organisations_concern", "panel_suggests_local"])
def test_england_2023_any_one_of_the_regulation_11_reasons_is_enough(reason):
    result = assess_criteria(ENGLAND_2023, {"abuse_or_neglect": True, "seriously_harmed": True, reason: True})
    assert result.outcome is not None and result.outcome.id == "lcspr_criteria"


def test_england_2023_a_serious_incident_with_no_local_review_reason_is_notifiable_only():
    answers = {
        "abuse_or_neglect": True,
        "child_died": False,
        "seriously_harmed": True,
        "improvements_needed": False,
        "recurrent_themes": False,
        "organisations_concern": False,
        "panel_suggests_local": False,
    }
    result = assess_criteria(ENGLAND_2023, answers)
    assert result.outcome is not None and result.outcome.id == "notifiable_only" and not result.outcome.met
    assert result.outcome.suggests == ["no_review", "national_review"]


def test_england_2023_a_harmed_child_with_the_local_review_reasons_unanswered_is_undecided():
    result = assess_criteria(ENGLAND_2023, {"abuse_or_neglect": True, "seriously_harmed": True})
    assert not result.decided
    assert "“Does the case highlight recurrent themes in safeguarding children?”" in result.explanation


def test_england_2023_without_abuse_or_neglect_it_is_not_a_serious_incident():
    result = assess_criteria(ENGLAND_2023, {"abuse_or_neglect": False})
    assert result.outcome is not None and result.outcome.id == "not_notifiable"


def test_wales_a_child_on_the_register_gets_an_extended_review():
    answers = {"abuse_or_neglect": True, "serious_outcome": True, "registered_or_looked_after": True}
    result = assess_criteria(WALES, answers)
    assert result.outcome is not None and result.outcome.id == "extended"
    assert result.explanation.endswith(
        "and the child was on the child protection register or looked after in the 6 months before."
    )


def test_wales_a_child_not_on_the_register_gets_a_concise_review_explained_by_the_negative_answer():
    answers = {"abuse_or_neglect": True, "serious_outcome": True, "registered_or_looked_after": False}
    result = assess_criteria(WALES, answers)
    assert result.outcome is not None and result.outcome.id == "concise"
    assert result.explanation.endswith(
        "and the child was neither on the child protection register nor looked after in the 6 months before."
    )


def test_wales_whether_the_child_was_registered_decides_concise_or_extended_so_it_must_be_answered():
    result = assess_criteria(WALES, {"abuse_or_neglect": True, "serious_outcome": True})
    assert not result.decided
    assert "“Was the child on the child protection register" in result.explanation


def test_the_states_and_steps_of_england_2015_are_read_from_the_definition():
    assert [t.id for t in transitions_from(ENGLAND_2015, "recommended")] == ["return_to_screening", "decide"]
    assert [t.id for t in transitions_from(ENGLAND_2015, "submitted")] == ["accept", "withdraw"]
    assert "closed" not in open_states(ENGLAND_2015) and "recommended" in open_states(ENGLAND_2015)
    assert state_label(ENGLAND_2015, "screening") == "Screening by the sub-group"
    assert state_label(ENGLAND_2015, "nowhere") == "nowhere"


def test_only_england_2023_has_a_step_for_the_panels_response():
    assert [t.id for t in transitions_from(ENGLAND_2023, "recommended")] == [
        "record_panel_response",
        "decide",
        "return_to_screening",
    ]
    assert all(t.id != "record_panel_response" for t in ENGLAND_2015.transitions)


def test_options_are_found_by_id_and_no_review_has_no_review_type():
    scr = option_named(ENGLAND_2015.decision_options, "scr")
    no_review = option_named(ENGLAND_2015.decision_options, "no_review")
    assert scr is not None and scr.review_type == "scr"
    assert no_review is not None and no_review.review_type is None
    assert option_named(ENGLAND_2015.decision_options, "lcspr") is None
