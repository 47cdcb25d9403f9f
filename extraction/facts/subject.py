"""Who the report is about: the subject child's pseudonym, and whether a phrase is attached to that child.

Reports name the child by a pseudonym ("Child A", "Baby T", "Zara", "J.") or by role ("the child", "the
baby", "the deceased"). Ages, sexes and ethnicities in a report belong to many people (siblings, parents,
perpetrators), so the finders keep a value only when the nearest person named before it, in the same
clause, is the child: "Child A, aged 7 months" counts, "her mother, aged 19" does not.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Final, Literal

from extraction.facts.phrases import Literals, required_literals
from extraction.facts.text import TextIndex

Attachment = Literal["subject", "child", "other"]

# How many words before a phrase are searched for the person it belongs to.
ATTACHMENT_WINDOW_WORDS: Final = 7

# No leading word boundary: a pattern that starts with literals is scanned for quickly; see `_coded_names`.
_CODED_NAME: Final = re.compile(r"(?:Child|Baby|Young Person|Infant|YP)[ \t]+[A-Z]{1,2}\d?(?![A-Za-z0-9])")
_INTRODUCED_NAME: Final = re.compile(
    r"(?:(?:referred to|known|called|named)(?: [a-z]+){0,4} as|pseudonym(?: of)?|(?:is|was) named)"
    r"[ \t]+[\"'‘“]?([A-Z][a-z]{1,20}|[A-Z]\.)(?=[\"'’”]?[\s,.;:)])"
)
# A name the report states a child's facts about: "Sky was a baby girl", "Noah was born in 2014", "Noah,
# aged 8 months, lived with ...", "Leo died from malnutrition".
_STATED_CHILD_NAME: Final = re.compile(
    r"(?<![A-Za-z])([A-Z][a-z]{1,20})(?:(?:\s+[A-Z][a-z]+)?\s+(?:(?:was|is)\s+(?:(?:a|an)\s+"
    r"(?:[a-z-]+\s+){0,3}?"
    r"(?:girl|boy|baby|child|infant|toddler|teenager|young\s+(?:woman|man|person)|son|daughter)(?![a-z])"
    r"|born\s+(?:on|in)\s)|died\s+(?:on|from|of|in|at|as|suddenly)\s|drowned\s"
    r"|(?:was\s+fatally|suffered\s+serious)\s)|,\s+aged\s+(?:1[0-7]|\d)(?!\d))"
)
_NAME_IN_BRACKETS: Final = re.compile(r"\b([A-Z][a-z]{1,20}) \((?:a |not (?:her|his) real name|pseudonym)")
_NOT_NAMES: Final = frozenset({"The", "This", "Child", "Baby", "Mother", "Father", "Mum", "Dad", "She", "He"})

GENERIC_CHILD: Final = (
    r"(?:the )?(?:subject )?(?:child|baby|infant|toddler|young person|teenager|deceased|girl|boy|newborn"
    r"|new-born)"
    r"|son|daughter|family"
)
STATING_CHILD: Final = r"the (?:subject )?(?:child|deceased|baby|infant|young person)"
_STATING_CHILD_LITERALS: Final[Literals] = required_literals(STATING_CHILD) or frozenset()
OTHER_PERSON: Final = (
    r"(?:mother|father|mum|dad|parents?|partner|ex-partner|boyfriend|girlfriend|step-?father|step-?mother"
    r"|stepdad"
    r"|stepmum|siblings?|half-siblings?|brothers?|sisters?|uncle|aunt|grand(?:mother|father|parents?|mum|dad)"
    r"|cousins?|man|woman|men|women|friends?|perpetrator|offender|adults?|peers?|mr|mrs|ms|carers?|husband"
    r"|wife"
    r"|lodger|neighbour)(?:'s|s')?"
)


class Subject:
    """The subject child's references in one document, and tests for what a phrase is attached to."""

    def __init__(self, index: TextIndex) -> None:
        stated = _stated_child_names(index.text)
        self.pseudonym = _find_pseudonym(index.text, stated)
        # A report may also call the child by a first name it states facts about ("Child C" and "Jamal was a
        # baby boy"): the child's, unless the report says otherwise.
        self.names: Final = [self.pseudonym] if self.pseudonym else []
        self.names.extend(sorted(stated - {self.pseudonym}))
        names = [re.escape(name.lower()) for name in self.names]
        subject = "|".join(names) if names else "(?!x)x"
        self.named: Final = re.compile(f"(?<![a-z0-9])(?:{subject})(?![a-z0-9])")
        self._person = re.compile(
            f"(?<![a-z0-9])(?:(?P<subject>{subject})|(?P<child>{GENERIC_CHILD})|(?P<other>{OTHER_PERSON}))"
            r"(?![a-z0-9])"
        )
        self.reference_pattern: Final = f"{subject}|{GENERIC_CHILD}"
        # The child as the subject of a sentence that states a fact about them ("Child A was a girl").
        self.statement_pattern: Final = f"{subject}|{STATING_CHILD}"
        # Every match of a pattern that starts with `statement_pattern` holds one of these (see `PhraseSet`).
        self.statement_literals: Final = _STATING_CHILD_LITERALS | {name.lower() for name in self.names}

    def attachment_before(self, folded_before: str) -> Attachment | None:
        """The kind of the last person named in the clause before a phrase, within a few words."""
        window = " ".join(_clause_tail(folded_before).split()[-ATTACHMENT_WINDOW_WORDS:])
        return self._last_person(window)

    def attachment_after(self, folded_after: str, words: int = 3) -> Attachment | None:
        """The kind of the first person named just after a phrase ("a 15-year-old *girl*")."""
        window = " ".join(folded_after.split()[:words])
        match = self._person.search(window)
        return None if match is None else _kind(match)

    def mentions(self, folded_sentence: str) -> Attachment | None:
        """Whether a sentence names the subject by pseudonym, by role, or neither."""
        kinds = {_kind(match) for match in self._person.finditer(folded_sentence)}
        if "subject" in kinds:
            return "subject"
        return "child" if "child" in kinds else None

    def _last_person(self, window: str) -> Attachment | None:
        last = None
        for last in self._person.finditer(window):  # noqa: B007 - the last match is wanted
            pass
        return None if last is None else _kind(last)


def _kind(match: re.Match[str]) -> Attachment:
    if match.group("subject") is not None:
        return "subject"
    return "child" if match.group("child") is not None else "other"


_CLAUSE_BREAK: Final = re.compile(
    r"[;:()]|(?<![a-z])(?:but|however|although|whereas|while|whilst|and)(?![a-z])"
)


def _clause_tail(before: str) -> str:
    before = before[-200:]
    last_break = None
    for last_break in _CLAUSE_BREAK.finditer(before):  # noqa: B007 - the last match is wanted
        pass
    return before if last_break is None else before[last_break.end() :]


_OTHER_PERSON_NEARBY: Final = re.compile(f"(?<![a-z])(?:{OTHER_PERSON})(?![a-z])")
_CHILD_NEARBY: Final = re.compile(f"(?<![a-z])(?:{GENERIC_CHILD}|subject)(?![a-z])")


def _introduces_child(text: str, offset: int) -> bool:
    """False for "her mother, who will be referred to as Sarah": the name introduced is an adult's."""
    before = text[max(0, offset - 60) : offset].lower()
    return _CHILD_NEARBY.search(before) is not None or _OTHER_PERSON_NEARBY.search(before) is None


def _stated_child_names(text: str) -> set[str]:
    """First names the report states a child's facts about ("Sky was a girl") and uses again."""
    stated = {match.group(1) for match in _STATED_CHILD_NAME.finditer(text)} - _NOT_NAMES
    # A substring count is enough to tell a name used again from one used once, and far cheaper.
    return {name for name in stated if text.count(name) >= 2}


def _find_pseudonym(text: str, stated: set[str]) -> str | None:
    """The pseudonym used most often for a child: a coded name ("Child A") or an introduced one ("Zara")."""
    coded = Counter(
        " ".join(match.group().split())
        for match in _CODED_NAME.finditer(text)
        if match.start() == 0 or not text[match.start() - 1].isalnum()
    )
    candidates: Counter[str] = Counter()
    if coded:
        name, count = coded.most_common(1)[0]
        candidates[name] = count
    introduced = {
        match.group(1) for match in _INTRODUCED_NAME.finditer(text) if _introduces_child(text, match.start())
    }
    introduced |= {match.group(1) for match in _NAME_IN_BRACKETS.finditer(text)}
    introduced |= stated
    for name in introduced - _NOT_NAMES:
        count = len(re.findall(rf"(?<![A-Za-z]){re.escape(name)}(?![A-Za-z])", text))
        # A name seen once is more likely a passing mention than the subject of the whole report.
        if count >= 2:
            candidates[name] = count
    if not candidates:
        return None
    return candidates.most_common(1)[0][0]
