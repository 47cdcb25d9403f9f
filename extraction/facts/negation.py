"""Is a mention affirmed, or does its sentence deny or doubt it? A NegEx-style check on folded text.

NegEx (Chapman et al., 2001) looks for trigger phrases within a few words before or after a mention, in
the same clause. Here:

- the scope is the clause: it ends at a semicolon or colon and at "but", "however", "although", "which",
  "who" and the like, so "no concerns about school, but domestic abuse was reported" keeps the abuse;
- a trigger counts within `WINDOW_WORDS` words of the mention (wide enough for "no evidence that the
  mother had ..."); the mention's own words are never searched, so a phrase such as "was not spoken to
  alone" can itself be a trigger for a practice theme;
- pseudo-triggers ("no further action", "no longer", "not only") are removed first: "no further action
  was taken on the domestic abuse" affirms the abuse;
- hedges count as doubt: "may have", "it is possible that", "it is not known whether" are not affirmed.

Three scopes, because the same words mean different things for different codes:

- `Scope.RISK` (risk factors, harm, outcomes, the child's circumstances) adds "no", "never", "without",
  "nor" and "not" in phrases of being or doing ("was not exposed to", "did not use"). A bare "not" is
  left out: "professionals did not recognise the domestic abuse" affirms the abuse.
- `Scope.THEME` (practice themes, methodology) keeps only explicit denials and hedges: practice themes are
  mostly stated as failures ("no information was shared", "did not meet the threshold").
- `Scope.AGENCY` adds denials of involvement ("Child A was not known to children's social care", "there
  was no contact with the police") but not "information was not shared between police and health".
"""

from __future__ import annotations

import re
from enum import Enum
from typing import Final

WINDOW_WORDS: Final = 8

_CLAUSE_BREAK: Final = re.compile(
    r"[;:]|(?<![a-z])(?:but|however|although|though|whereas|yet|except|apart from|aside from|which|who|whose"
    r"|despite|while|whilst)(?![a-z])"
)
_PSEUDO_TRIGGERS: Final = re.compile(
    r"(?<![a-z])(?:no further|nfa|no longer|not only|not just|no doubt|without doubt|not necessarily"
    r"|(?:not|never) (?:been |be )?ruled out|no change)(?![a-z])"
)
_EXPLICIT_BEFORE: Final = (
    r"no (?:evidence|indication|indications|suggestion|sign|signs|concern|concerns|issue|issues|problem"
    r"|problems"
    r"|difficulties|record|records|report|reports|history|known|identified|apparent|obvious|disclosure"
    r"|disclosures"
    r"|reason to (?:believe|suspect))"
    r"|there (?:was|were|is|are|had been|has been|have been) no|absence of|lack of evidence|denied|denies"
    r"|deny"
    r"|denying|nothing to (?:suggest|indicate)|not aware of|ruled out|free (?:of|from)|negative for"
    r"|does not (?:indicate|suggest)"
)
# "did not find/show/identify": a denial of a family's circumstance, but for a practice theme the failure
# itself ("practitioners did not show professional curiosity", "did not identify the risk").
_FOUND_NOTHING_BEFORE: Final = (
    r"did not (?:identify|find|reveal|show|indicate|suggest|have|experience)|does not have"
    r"|never (?:had|experienced|identified|disclosed)"
)
_HEDGES_BEFORE: Final = (
    r"(?<!\d )may(?! \d)|might|could have|possible|possibly|perhaps|potential|potentially|unclear (?:whether"
    r"|if)"
    r"|not (?:known|clear) (?:whether|if)|unknown (?:whether|if)|uncertain (?:whether|if)|speculat[a-z]*"
    r"|whether|if|it is not known"
)
_RISK_BEFORE: Final = (
    # "the parents were not young parents", "mother was not a heavy drinker": a denial right before the
    # mention; a bare "not" further back ("did not recognise the domestic abuse") still affirms it.
    r"(?:was|were|is|are|been) not(?: an?| the)?$"
    r"|no|never|nor|neither|without|none|(?:was|were|is|are|been|being) not (?:exposed to|subject(?:ed)? to"
    r"|affected by|experiencing|a victim of|involved in|using|misusing|drinking)"
    r"|(?:did|does|do) not (?:use|misuse|drink|take|experience|suffer)"
)
_INVOLVEMENT_BEFORE: Final = (
    r"(?:not|never) (?:previously )?(?:known to|involved with|open to|referred to|in contact with)"
    r"|no (?:previous |prior |further )?(?:involvement|contact|referrals?) (?:with|from|to|by)"
)
_EXPLICIT_AFTER: Final = (
    # "was considered and ruled out", "was explored and excluded"
    r"(?:was|were|is|are|has been|had been|have been) [a-z]+ and (?:ruled out|excluded|discounted|dismissed)"
    r"|(?:was|were|is|are|has been|had been|have been) (?:not|never) (?:a feature|an issue|a factor|a concern"
    r"|present|evident|identified|found|known|disclosed|reported|raised|substantiated|confirmed|apparent)"
    r"|(?:was|were|is|are|has been|had been|have been) (?:ruled out|excluded|unfounded|absent|unsubstantiated"
    r"|denied)|(?:did|does) not (?:feature|appear|arise)"
)
_HEDGES_AFTER: Final = (
    r"may have|might have|could have"
    r"|(?:was|were|is|are) (?:possible|possibly|unclear|uncertain|not known|unknown)"
)


def _compile(alternation: str) -> re.Pattern[str]:
    return re.compile(r"(?<![a-z'])(?:" + alternation + r")(?![a-z])")


class Scope(Enum):
    RISK = "risk"
    THEME = "theme"
    AGENCY = "agency"


_BEFORE: Final = {
    Scope.RISK: _compile(f"{_EXPLICIT_BEFORE}|{_FOUND_NOTHING_BEFORE}|{_HEDGES_BEFORE}|{_RISK_BEFORE}"),
    Scope.THEME: _compile(f"{_EXPLICIT_BEFORE}|{_HEDGES_BEFORE}"),
    Scope.AGENCY: _compile(
        f"{_EXPLICIT_BEFORE}|{_FOUND_NOTHING_BEFORE}|{_HEDGES_BEFORE}|{_INVOLVEMENT_BEFORE}"
    ),
}
_AFTER: Final = _compile(f"{_EXPLICIT_AFTER}|{_HEDGES_AFTER}")


def is_affirmed(before: str, after: str, scope: Scope = Scope.RISK) -> bool:
    """True unless the clause around a mention denies or doubts it.

    `before` is the folded text from the start of the sentence to the mention, `after` from the end of the
    mention to the end of the sentence (see `extraction.facts.text.fold_for_search`).
    """
    clause_before = _clause_tail(before)
    window_before = " ".join(clause_before.split()[-WINDOW_WORDS:])
    window_before = _PSEUDO_TRIGGERS.sub(" ", window_before)
    if _BEFORE[scope].search(window_before):
        return False
    clause_after = _clause_head(after)
    window_after = " ".join(clause_after.split()[:WINDOW_WORDS])
    window_after = _PSEUDO_TRIGGERS.sub(" ", window_after)
    return _AFTER.search(window_after) is None


def _clause_tail(before: str) -> str:
    before = before[-300:]
    last_break = None
    for last_break in _CLAUSE_BREAK.finditer(before):  # noqa: B007 - the last match is wanted
        pass
    return before if last_break is None else before[last_break.end() :]


def _clause_head(after: str) -> str:
    after = after[:300]
    first_break = _CLAUSE_BREAK.search(after)
    return after if first_break is None else after[: first_break.start()]


_HEDGE_BEFORE: Final = _compile(_HEDGES_BEFORE)
_HEDGE_AFTER: Final = _compile(_HEDGES_AFTER)


def is_hedged(before: str, after: str) -> bool:
    """True when the clause around a mention doubts it ("it is not known whether", "may have been") rather
    than denies it: a doubted fact is unknown, a denied one is false."""
    window_before = " ".join(_clause_tail(before).split()[-WINDOW_WORDS:])
    if _HEDGE_BEFORE.search(_PSEUDO_TRIGGERS.sub(" ", window_before)):
        return True
    window_after = " ".join(_clause_head(after).split()[:WINDOW_WORDS])
    return _HEDGE_AFTER.search(_PSEUDO_TRIGGERS.sub(" ", window_after)) is not None
