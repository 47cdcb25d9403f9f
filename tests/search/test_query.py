"""The query language: what a practitioner may type, and what they are told when it cannot be run."""

from __future__ import annotations

import pytest

from casereviews.search.query import All, Any_, Not, QueryError, Words, parse_query, positive_words


def test_words_side_by_side_must_all_appear():
    assert parse_query("neglect housing") == All((Words("neglect"), Words("housing")))


def test_a_quoted_phrase_is_one_exact_phrase():
    assert parse_query('"information sharing" neglect') == All(
        (Words("information sharing", phrase=True), Words("neglect"))
    )


def test_not_binds_tighter_than_and_and_and_tighter_than_or():
    assert parse_query("a OR b AND NOT c") == Any_((Words("a"), All((Words("b"), Not(Words("c"))))))


def test_a_leading_minus_means_not():
    assert parse_query("neglect -sexual") == All((Words("neglect"), Not(Words("sexual"))))


def test_brackets_group():
    assert parse_query("(a OR b) c") == All((Any_((Words("a"), Words("b"))), Words("c")))


def test_a_colon_or_star_is_plain_text_so_no_field_can_be_named():
    assert parse_query("kind:page title*") == All((Words("kind:page"), Words("title*")))


def test_an_empty_query_matches_everything():
    assert parse_query("   ") is None


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ('"information sharing', "opening quotation mark"),
        ("(neglect OR abuse", "bracket is opened but not closed"),
        ("neglect)", "closed but was never opened"),
        ("neglect AND", "AND needs something on both sides"),
        ("OR neglect", "OR needs something on both sides"),
        ("neglect NOT", "NOT needs a word or phrase after it"),
        ("()", "nothing between the brackets"),
        ("x" * 501, "too long"),
    ],
)
def test_a_query_that_cannot_be_parsed_says_what_to_change(query, message):
    with pytest.raises(QueryError) as raised:
        parse_query(query)
    assert message in raised.value.message


def test_snippets_highlight_only_the_words_a_match_contains():
    assert positive_words(parse_query('neglect NOT "sexual abuse" OR housing')) == [Words("neglect"), Words("housing")]
