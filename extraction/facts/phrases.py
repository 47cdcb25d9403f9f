"""Many phrase patterns over a text: one Aho-Corasick pass for required words, then regexes per sentence.

Running seventy regular expressions over a megabyte of text costs seconds; ingestion must be nearly free.
So each pattern's *required literals* (strings one of which every match must contain, such as "domestic"
for "domestic (?:abuse|violence)") are worked out from the pattern itself, all of them are found in one
pass of an Aho-Corasick automaton (`pyahocorasick`), and each pattern then runs only over the sentences
where one of its literals occurs. A pattern with no usable literal runs over the whole text, so the
result is always the same as running every pattern everywhere, sentence by sentence.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterator, Mapping
from typing import Any, Final

import ahocorasick

from extraction.facts.text import TextIndex, starts_word

# The standard library's own regular expression parser (the public `sre_parse` alias is deprecated). Its
# parse trees are untyped, hence `Any` below.
sre_parser: Any = importlib.import_module("re._parser")
sre_constants: Any = importlib.import_module("re._constants")

# A run of literal choices larger than this is not expanded further (it stays correct, just less selective).
MAX_EXPANSION: Final = 64
# Literals shorter than this would match nearly every sentence; such a pattern runs everywhere instead.
MIN_LITERAL_CHARS: Final = 2
_SMALL_CLASS: Final = 10

Literals = frozenset[str]


def required_literals(pattern: str) -> Literals | None:
    """Strings one of which every match of `pattern` contains, or None when none can be worked out."""
    try:
        parsed = sre_parser.parse(pattern)
    except re.error:
        return None
    literals = _required(list(parsed))
    if not literals or min(len(literal) for literal in literals) < MIN_LITERAL_CHARS:
        return None
    return literals


# Words so common that a literal made of one would send nearly every sentence to the regex.
_COMMON_WORDS: Final = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "at",
        "be",
        "been",
        "being",
        "by",
        "for",
        "had",
        "has",
        "have",
        "her",
        "his",
        "in",
        "is",
        "it",
        "no",
        "not",
        "of",
        "on",
        "the",
        "their",
        "this",
        "to",
        "was",
        "were",
        "with",
    ]
)


def _selectivity(literals: Literals) -> tuple[int, int]:
    shortest = min(0 if literal.strip() in _COMMON_WORDS else len(literal.strip()) for literal in literals)
    return shortest, -len(literals)


def _required(items: list[tuple[Any, Any]]) -> Literals | None:
    """Required literals of a sequence: the most selective of its literal runs and mandatory groups."""
    candidates: list[Literals] = []
    run: set[str] | None = {""}
    for op, argument in items:
        choices = _finite(op, argument)
        if choices is not None:
            if run is not None and len(run) * len(choices) <= MAX_EXPANSION:
                run = {before + after for before in run for after in choices}
                continue
            _keep(run, candidates)
            run = set(choices)
            continue
        # "si(?:gnificant ...|lp)": the regex parser factors out common prefixes, so the run is completed
        # with each alternative's own leading literals.
        leading = _leading(op, argument) if run is not None and run != {""} else None
        if run is not None and leading and len(run) * len(leading) <= MAX_EXPANSION:
            _keep({before + after for before in run for after in leading}, candidates)
        _keep(run, candidates)
        run = {""}
        inner = _mandatory_inner(op, argument)
        if inner:
            candidates.append(inner)
    _keep(run, candidates)
    return max(candidates, key=_selectivity) if candidates else None


def _keep(run: set[str] | None, candidates: list[Literals]) -> None:
    if run and "" not in run:
        candidates.append(frozenset(run))


def _finite(op: Any, argument: Any) -> set[str] | None:
    """Every string an element can match, when that is a small finite set (assertions match the empty one)."""
    if op is sre_constants.LITERAL:
        return {chr(argument)}
    if op in (sre_constants.AT, sre_constants.ASSERT, sre_constants.ASSERT_NOT):
        return {""}
    if op is sre_constants.IN:
        members = list(argument)
        if len(members) <= _SMALL_CLASS and all(kind is sre_constants.LITERAL for kind, _ in members):
            return {chr(value) for _, value in members}
        return None
    if op is sre_constants.SUBPATTERN:
        return _finite_sequence(list(argument[-1]))
    if op is sre_constants.BRANCH:
        union: set[str] = set()
        for branch in argument[1]:
            strings = _finite_sequence(list(branch))
            if strings is None:
                return None
            union |= strings
        return union if len(union) <= MAX_EXPANSION else None
    if op in (sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT):
        low, high, body = argument
        strings = _finite_sequence(list(body))
        if strings is None or (low, high) != (0, 1):
            return None
        return strings | {""}
    return None


def _finite_sequence(items: list[tuple[Any, Any]]) -> set[str] | None:
    strings = {""}
    for op, argument in items:
        choices = _finite(op, argument)
        if choices is None or len(strings) * len(choices) > MAX_EXPANSION:
            return None
        strings = {before + after for before in strings for after in choices}
    return strings


def _leading(op: Any, argument: Any) -> set[str] | None:
    """The literal strings a mandatory element can start with, when they are few."""
    if op is sre_constants.SUBPATTERN:
        return _finite_prefix(list(argument[-1]))
    if op in (sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT) and argument[0] >= 1:
        return _finite_prefix(list(argument[2]))
    if op is sre_constants.BRANCH:
        union: set[str] = set()
        for branch in argument[1]:
            prefixes = _finite_prefix(list(branch))
            if not prefixes:
                return None
            union |= prefixes
        return union if len(union) <= MAX_EXPANSION else None
    return None


def _finite_prefix(items: list[tuple[Any, Any]]) -> set[str] | None:
    strings = {""}
    for op, argument in items:
        choices = _finite(op, argument)
        if choices is None:
            leading = _leading(op, argument)
            if leading and len(strings) * len(leading) <= MAX_EXPANSION:
                strings = {before + after for before in strings for after in leading}
            break
        if len(strings) * len(choices) > MAX_EXPANSION:
            break
        strings = {before + after for before in strings for after in choices}
    return None if "" in strings else strings


def _mandatory_inner(op: Any, argument: Any) -> Literals | None:
    if op is sre_constants.SUBPATTERN:
        return _required(list(argument[-1]))
    if op in (sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT) and argument[0] >= 1:
        return _required(list(argument[2]))
    if op is sre_constants.BRANCH:
        union: set[str] = set()
        for branch in argument[1]:
            literals = _required(list(branch))
            if not literals:
                return None
            union |= literals
        return frozenset(union)
    return None


class PhraseSet:
    """Named patterns (over folded text) found together: `finditer` yields (name, match) in name order."""

    def __init__(
        self, patterns: Mapping[str, str], literals: Mapping[str, Literals | None] | None = None
    ) -> None:
        """`literals` gives the required literals of some patterns when the caller knows them already: a
        pattern built for one document (around the child's pseudonym) need not be parsed for them."""
        self.patterns: Final = {name: re.compile(pattern) for name, pattern in patterns.items()}
        self._everywhere: Final = []
        self._automaton: Final = ahocorasick.Automaton()
        by_literal: dict[str, set[str]] = {}
        known = literals or {}
        for name, pattern in patterns.items():
            literals_of_pattern = known[name] if name in known else required_literals(pattern)
            if literals_of_pattern is None:
                self._everywhere.append(name)
                continue
            for literal in literals_of_pattern:
                by_literal.setdefault(literal, set()).add(name)
        for literal, names in by_literal.items():
            self._automaton.add_word(literal, frozenset(names))
        self._has_literals: Final = bool(by_literal)
        if by_literal:
            self._automaton.make_automaton()

    @property
    def runs_everywhere(self) -> list[str]:
        """Names of patterns without a usable literal: they run over the whole text."""
        return list(self._everywhere)

    def finditer(self, index: TextIndex) -> Iterator[tuple[str, re.Match[str]]]:
        """Matches that start a word and lie outside the contents and references, per name in text order."""
        folded = index.folded
        sentences = self._candidate_sentences(index)
        for name, pattern in self.patterns.items():
            if name in self._everywhere:
                spans: list[tuple[int, int]] = [(0, len(folded))]
            else:
                spans = sorted(sentences.get(name, ()))
            for start, end in spans:
                for match in pattern.finditer(folded, start, end):
                    if starts_word(folded, match.start()) and not index.is_excluded(match.start()):
                        yield name, match

    def _candidate_sentences(self, index: TextIndex) -> dict[str, set[tuple[int, int]]]:
        found: dict[str, set[tuple[int, int]]] = {}
        if not self._has_literals:
            return found
        span = (0, -1)
        for end, names in self._automaton.iter(index.folded):
            # Hits come in text order, so most fall in the sentence of the hit before.
            if not span[0] <= end < span[1]:
                span = index.sentence_at(end)
                span = (span[0], max(span[1], end + 1))
            for name in names:
                found.setdefault(name, set()).add(span)
        return found
