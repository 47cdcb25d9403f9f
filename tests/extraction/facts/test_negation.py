import pytest

from extraction.facts.negation import Scope, is_affirmed
from extraction.facts.text import fold_for_search


def affirmed(sentence: str, mention: str, scope: Scope = Scope.RISK) -> bool:
    folded = fold_for_search(sentence)
    start = folded.index(mention)
    return is_affirmed(folded[:start], folded[start + len(mention) :], scope)


@pytest.mark.parametrize(
    "sentence",
    [
        "There was a long history of domestic abuse in the household.",
        "Mother disclosed domestic abuse to the health visitor in May 2019.",
        "No further action was taken after the domestic abuse incident was reported.",
        "Professionals did not recognise the domestic abuse for what it was.",
        "There were no concerns about school attendance, but domestic abuse was reported twice.",
        "Mother no longer saw the father, whose domestic abuse had been reported to police.",
    ],
)
def test_plain_and_contrasted_mentions_are_affirmed(sentence):
    assert affirmed(sentence, "domestic abuse")


@pytest.mark.parametrize(
    "sentence",
    [
        "There was no evidence of domestic abuse.",
        "There is no indication of domestic abuse in the agency records.",
        "Domestic abuse was not a feature of this family's life.",
        "It is not known whether domestic abuse was present.",
        "Mother may have experienced domestic abuse from a previous partner.",
        "It is possible that domestic abuse was occurring.",
        "Domestic abuse was ruled out by the strategy meeting.",
        "Child A was never exposed to domestic abuse.",
        "Mother denied any domestic abuse.",
    ],
)
def test_denied_or_hedged_mentions_are_not_affirmed(sentence):
    assert not affirmed(sentence, "domestic abuse")


def test_a_month_called_may_is_not_a_hedge():
    assert affirmed("In May 2020 mother reported domestic abuse to the police.", "domestic abuse")


def test_alcohol_with_no_concerns_raised_is_not_affirmed():
    assert not affirmed("No concerns were raised about alcohol misuse by either parent.", "alcohol misuse")


def test_a_failure_of_practice_is_affirmed_for_practice_themes_but_an_explicit_denial_is_not():
    assert affirmed("No information was shared with the school.", "information was shared", Scope.THEME)
    assert affirmed("The family did not meet the threshold for a child in need plan.", "threshold", Scope.THEME)
    assert not affirmed("There were no issues with information sharing.", "information sharing", Scope.THEME)


def test_an_agency_is_involved_unless_involvement_is_denied():
    assert affirmed("Information was not shared between the police and health.", "police", Scope.AGENCY)
    assert not affirmed("Child A was not known to children's social care.", "children's social care", Scope.AGENCY)
    assert not affirmed("There was no contact with the police.", "police", Scope.AGENCY)


def test_a_negation_far_before_the_mention_is_out_of_its_window():
    sentence = "No one at the meeting on that day knew about the long and well documented history of domestic abuse."
    assert affirmed(sentence, "domestic abuse")


def test_a_possibility_considered_and_ruled_out_is_not_affirmed():
    sentence = "Fabricated or induced illness was considered and ruled out by the paediatrician."
    assert not affirmed(sentence, "fabricated or induced illness")
    assert affirmed("Fabricated or induced illness was considered at the strategy meeting.", "fabricated")


def test_a_copula_and_not_right_before_a_circumstance_denies_it():
    assert not affirmed("The parents were in their thirties and were not young parents.", "young parents")
    assert not affirmed("Mother was not a heavy drinker.", "heavy drinker")
    assert affirmed("Professionals were not aware that mother was a heavy drinker.", "heavy drinker")


def test_did_not_show_denies_a_circumstance_but_states_a_practice_failure():
    sentence = "Practitioners did not show professional curiosity about the explanations given."
    assert affirmed(sentence, "professional curiosity", Scope.THEME)
    assert not affirmed("The toxicology did not show cannabis use.", "cannabis", Scope.RISK)
