"""The query language a practitioner types, parsed into a tree the index can run on any of its text fields.

Words, "exact phrases", AND, OR, NOT (or a leading `-`), and brackets. Words side by side must all be present
(an implicit AND), because that is what people expect of a search box; OR widens. NOT binds tighter than AND,
and AND tighter than OR. Nothing else is special: a colon or a star is just part of the text, so nobody can
reach a field by name or build an expensive query by accident.

We parse ourselves rather than use tantivy's own parser because its `a AND NOT b` matches nothing (the NOT
becomes a sub-query with only an exclusion), and its errors ("Syntax Error: (a") do not tell a practitioner what
to change. Plain Python, no Django: the benchmark runs it beside the raw engine.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_QUERY_CHARS = 500
MAX_TERMS = 40


class QueryError(ValueError):
    """A query that cannot be run, with a message that says what to change."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Words:
    """One word, or an exact phrase when `phrase` is true (the words in this order, side by side)."""

    text: str
    phrase: bool = False


@dataclass(frozen=True)
class Not:
    operand: Node


@dataclass(frozen=True)
class All:
    operands: tuple[Node, ...]


@dataclass(frozen=True)
class Any_:
    operands: tuple[Node, ...]


Node = Words | Not | All | Any_

_TOKEN = re.compile(r'\s*(?:(?P<quote>")|(?P<open>\()|(?P<close>\))|(?P<minus>-)(?=\S)|(?P<word>[^\s"()]+))')
_OPERATORS = {"AND", "OR", "NOT"}


def _tokens(text: str) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    position = 0
    while position < len(text):
        if text[position:].strip() == "":
            break
        match = _TOKEN.match(text, position)
        if match is None:  # only a lone "-" followed by a space gets here
            position += 1
            continue
        if match.group("quote"):
            end = text.find('"', match.end())
            if end == -1:
                raise QueryError(
                    'A phrase has an opening quotation mark (") but no closing one. '
                    'Put the phrase between two quotation marks, like "information sharing".'
                )
            phrase = text[match.end() : end].strip()
            if phrase:
                tokens.append(("phrase", phrase))
            position = end + 1
            continue
        kind = next(name for name, value in match.groupdict().items() if value is not None)
        value = match.group(kind)
        if kind == "word" and value in _OPERATORS:
            kind = value
        tokens.append((kind, value))
        position = match.end()
    return tokens


class _Parser:
    def __init__(self, tokens: list[tuple[str, str]]) -> None:
        self.tokens = tokens
        self.index = 0

    def peek(self) -> str | None:
        return self.tokens[self.index][0] if self.index < len(self.tokens) else None

    def take(self) -> tuple[str, str]:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def any_of(self) -> Node:
        operands = [self.all_of()]
        while self.peek() == "OR":
            self.take()
            if self.peek() in {None, "close", "OR", "AND"}:
                raise QueryError("OR needs something on both sides, like: neglect OR abuse.")
            operands.append(self.all_of())
        return operands[0] if len(operands) == 1 else Any_(tuple(operands))

    def all_of(self) -> Node:
        operands = [self.unary()]
        while self.peek() not in {None, "close", "OR"}:
            if self.peek() == "AND":
                self.take()
                if self.peek() in {None, "close", "OR", "AND"}:
                    raise QueryError("AND needs something on both sides, like: neglect AND housing.")
            operands.append(self.unary())
        return operands[0] if len(operands) == 1 else All(tuple(operands))

    def unary(self) -> Node:
        kind = self.peek()
        if kind in {"NOT", "minus"}:
            self.take()
            if self.peek() in {None, "close", "OR", "AND"}:
                raise QueryError("NOT needs a word or phrase after it, like: neglect NOT sexual.")
            return Not(self.unary())
        if kind == "open":
            self.take()
            if self.peek() == "close":
                raise QueryError("There is nothing between the brackets. Put words inside them or remove them.")
            inner = self.any_of()
            if self.peek() != "close":
                raise QueryError("A bracket is opened but not closed. Add a ) or remove the (.")
            self.take()
            return inner
        if kind == "close":
            raise QueryError("A bracket is closed but was never opened. Remove the ) or add a ( before it.")
        if kind in {"AND", "OR"}:
            raise QueryError(f"{kind} needs something on both sides, like: neglect {kind} housing.")
        taken, value = self.take()
        return Words(value, phrase=taken == "phrase")


def parse_query(text: str) -> Node | None:
    """The query as a tree, or None for an empty query (which matches every report)."""
    text = text.strip()
    if len(text) > MAX_QUERY_CHARS:
        raise QueryError(f"The search is too long. Use at most {MAX_QUERY_CHARS} characters.")
    tokens = _tokens(text)
    if not tokens:
        return None
    if sum(kind in {"word", "phrase"} for kind, _ in tokens) > MAX_TERMS:
        raise QueryError(f"The search has too many words. Use at most {MAX_TERMS} words and phrases.")
    parser = _Parser(tokens)
    tree = parser.any_of()
    if parser.peek() is not None:
        raise QueryError("A bracket is closed but was never opened. Remove the ) or add a ( before it.")
    return tree


def positive_words(node: Node | None) -> list[Words]:
    """The words and phrases a matching report contains (not those after NOT): what a snippet highlights."""
    if node is None or isinstance(node, Not):
        return []
    if isinstance(node, Words):
        return [node]
    return [words for operand in node.operands for words in positive_words(operand)]
