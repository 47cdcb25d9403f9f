import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from extraction.facts.codes import HARM_TYPE_TRIGGERS, PRACTICE_THEME_TRIGGERS, RISK_FACTOR_TRIGGERS
from extraction.facts.phrases import PhraseSet, required_literals
from extraction.facts.text import TextIndex, fold_for_search, phrase_pattern, split_sentences, starts_word
from tests.extraction.facts.documents import make_document

ALL_TRIGGERS = {**HARM_TYPE_TRIGGERS, **RISK_FACTOR_TRIGGERS, **PRACTICE_THEME_TRIGGERS}


@pytest.mark.parametrize(
    ("pattern", "literals"),
    [
        (phrase_pattern(["domestic (?:abuse|violence)"]), {"domestic "}),
        (phrase_pattern(["significant incident learning process", "silp"]), {"significant ", "silp"}),
        (phrase_pattern(["(?:was|had been) (?:shaken|beaten)"]), {"shaken", "beaten"}),
    ],
)
def test_required_literals_are_worked_out_from_the_pattern(pattern, literals):
    assert required_literals(pattern) == literals


def test_every_trigger_pattern_has_usable_literals():
    assert PhraseSet({code: phrase_pattern(patterns) for code, patterns in ALL_TRIGGERS.items()}).runs_everywhere == []


SENTENCES = [
    "Mother disclosed domestic abuse and coercive control.",
    "Father's alcohol misuse and cannabis use were known to the GP.",
    "The family lived in temporary accommodation and relied on a food bank.",
    "Child A was not spoken to alone and information was not shared.",
    "The social worker did not receive regular supervision.",
    "Nothing of note happened.",
]


@settings(max_examples=40, deadline=None)
@given(st.lists(st.sampled_from(SENTENCES), min_size=1, max_size=12))
def test_the_phrase_set_finds_what_the_patterns_find_everywhere(sentences):
    document = make_document([" ".join(sentences)])
    index = TextIndex(document)
    patterns = {code: phrase_pattern(triggers) for code, triggers in ALL_TRIGGERS.items()}
    fast = sorted((name, match.span()) for name, match in PhraseSet(patterns).finditer(index))
    slow = sorted(
        (name, match.span())
        for name, pattern in patterns.items()
        for match in re.finditer(pattern, index.folded)
        if starts_word(index.folded, match.start())
    )
    assert fast == slow


@given(st.text(max_size=300))
def test_folding_never_changes_the_length_of_any_text(text):
    assert len(fold_for_search(text)) == len(text)


@given(st.text(max_size=300))
def test_sentences_are_trimmed_ordered_spans_of_any_text(text):
    previous_end = 0
    for start, end in split_sentences(text):
        assert previous_end <= start < end <= len(text)
        assert text[start:end] == text[start:end].strip()
        previous_end = end


def test_abbreviations_do_not_end_sentences():
    text = "Dr. Patel saw Child A, e.g. at the clinic. Mr. Smith did not."
    assert [text[start:end] for start, end in split_sentences(text)] == [
        "Dr. Patel saw Child A, e.g. at the clinic.",
        "Mr. Smith did not.",
    ]


def test_literals_given_for_a_pattern_find_what_parsing_it_would():
    document = make_document(["Child Q was 14 when she moved school. Nobody asked. Child Q was 15 at the end."])
    pattern = r"child q (?:was|is) (?P<n>\d+)"
    parsed = [match.group() for _, match in PhraseSet({"age": pattern}).finditer(TextIndex(document))]
    given = PhraseSet({"age": pattern}, literals={"age": frozenset({"child q"})})
    assert [match.group() for _, match in given.finditer(TextIndex(document))] == parsed
    assert parsed == ["child q was 14", "child q was 15"]
