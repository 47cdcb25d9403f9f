"""The child's circumstances: children's social care involvement, the year of the incident, who harmed them.

Each value comes from a statement about the subject child (see `extraction.facts.subject`): "her older
brother was looked after" says nothing about the child, and a sentence about children in general ("when a
child is subject to a plan ...") says nothing about this one. A denied statement ("she was not subject to a
child protection plan") makes a social care flag false; a doubted one ("it is not known whether ...") leaves
it null, as does silence. When the report both affirms and denies a flag, the affirmation wins: reports
deny involvement "at the time of the incident" and state an earlier plan elsewhere.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from casereviews.learning.vocabulary import HARM_SOURCES
from extraction.facts.codes import MAX_EVIDENCE_PER_CODE
from extraction.facts.negation import Scope, is_affirmed, is_hedged
from extraction.facts.phrases import PhraseSet
from extraction.facts.subject import Subject
from extraction.facts.text import Fact, TextIndex, phrase_pattern
from extraction.record import Evidence

_CSC: Final = (
    r"(?:the )?(?:local authority'?s? )?(?:children'?s |childrens )?(?:social care|social services|social work"
    r"(?: services?| team)?|children'?s services|early help)"
)
# Patterns per flag, numbered in order: a denied mention makes its flag false unless `_DENIAL_IS_UNKNOWN` says not.
_SOCIAL_CARE_PATTERNS: Final[dict[str, tuple[str, ...]]] = {
    "looked_after": (
        # "was looked after by her grandmother" is informal care: only the local authority's counts.
        r"(?:was|were|is|been|being|became|become) (?:not |never )?looked[- ]after"
        r"(?: by (?:the )?(?:local authority|council))?"
        r"(?! by)(?! at home)(?! (?:her|his|their|him|them|a|an|the)(?![a-z]))",
        r"(?:a )?looked[- ]after (?:child|young person|status)",
        r"(?:a )?child looked after",
        r"(?:a )?child in care(?! proceedings)",
        r"in the care of (?:the |a )?(?:local authority|council)",
        r"in (?:local authority|foster|residential) care",
        r"(?:came|taken|received|went|returned) (?:back )?into (?:local authority |foster )?care(?! proceedings)",
        r"(?:placed|living|lived|accommodated|was) (?:with|in) (?:(?:a|an|her|his|their|local authority|kinship"
        r"|connected persons?|emergency|short[- ]term|long[- ]term|independent|new|specialist) )*(?:foster (?:carers?"
        r"|placement|home|family)|residential (?:children's )?(?:home|placement|unit)|children's home)",
        r"subject (?:to|of) (?:an? |the )?(?:full |final |interim )?care order",
        r"(?:full|final|interim) care order was (?:made|granted)",
        r"(?:accommodated|looked after) (?:under|by virtue of|through|via) (?:a |an )?(?:section|s\.?) ?20(?![0-9])",
        r"(?:section|s\.?) ?20 (?:accommodation|agreement|arrangement|placement|of the children act)",
    ),
    "child_protection_plan": (
        r"child protection plans?",
        r"(?:cp|cpp) plan",
        r"(?:on|to|onto) (?:the )?child protection register",
        r"(?:placed|registered|name was placed) on the (?:child protection )?register",
        r"(?:plan|register) under the categor(?:y|ies) of",
    ),
    "child_in_need": (
        r"child in need (?:plans?|meetings?|reviews?|status|procedures|support|services|processes|arrangements"
        r"|level|threshold)",
        r"(?:was|were|is|been|being|became|as) (?:a |the )?child(?:ren)? in need",
        r"cin (?:plan|meeting|review|status|level)",
        r"(?:under|by virtue of|through|via|on) (?:a |an )?(?:section|s\.?) ?17(?![0-9])(?! assessment)",
        r"(?:section|s\.?) ?17 (?:plan|support|services|child in need|of the children act)",
        r"stepped down to (?:a )?child in need",
    ),
    "known_to_social_care": (
        rf"known to {_CSC}",
        rf"open to {_CSC}",
        rf"(?:involvement|involved) (?:with|from|of) {_CSC}",
        rf"referred to {_CSC}",
        rf"referrals? (?:was |were |had been |have been )?(?:made )?(?:to|by) {_CSC}",
        r"(?:allocated|assigned|had) (?:a|an|her|his|their|a new) (?:allocated )?social worker",
        r"(?:a )?social worker (?:was|had been) allocated",
        rf"{_CSC} (?:became|were|was|had been|have been) involved",
    ),
}
# Denying a referral or an allocated social worker does not deny that the child was known (patterns from the
# fourth on of "known_to_social_care").
_DENIAL_IS_UNKNOWN: Final = frozenset(
    ("known_to_social_care", number)
    for number in range(3, len(_SOCIAL_CARE_PATTERNS["known_to_social_care"]))
)
_SOCIAL_CARE: Final = PhraseSet(
    {
        f"{flag}:{index}": phrase_pattern([pattern])
        for flag, patterns in _SOCIAL_CARE_PATTERNS.items()
        for index, pattern in enumerate(patterns)
    }
)
# A denial a few words before the mention: "was not subject to a", "had never been on the", "did not meet the
# threshold for a". The shared RISK scope stops at "was not"; plans are denied with longer phrases.
_DENIED_BEFORE: Final = re.compile(r"(?<![a-z])(?:not|never|no|nor|neither)(?![a-z])(?:\W+[a-z']+){0,5}\W*$")
# "was not looked after": the auxiliary is part of the phrase, so its denial is too.
_DENIED_WITHIN: Final = re.compile(r"(?<![a-z])(?:not|never)(?![a-z])")
# "a child protection plan was not needed", "a plan was not considered necessary".
_DENIED_AFTER: Final = re.compile(
    r"^\W*(?:was|were|is|had|has)(?: been)? (?:not|never)(?![a-z])(?: [a-z]+)?(?: (?:required|needed|necessary"
    r"|made|put in place|agreed|considered|pursued|granted|warranted|used|in place))?"
)
# A counterfactual or a recommendation is neither affirmed nor denied: "should have been", "would have".
_COUNTERFACTUAL: Final = re.compile(
    r"(?<![a-z])(?:should|would|ought to|could|might|may)(?: not)?(?: have)?(?: been)?(?![a-z])(?:\W+[a-z']+){0,4}"
    r"\W*$"
    r"|(?<![a-z])(?:consider(?:ed|ing|ation)?|discuss(?:ed|ing|ion)?|request(?:ed|ing)?|recommend(?:ed|ing)?"
    r"|application for|threshold for|thresholds? of|eligib[a-z]+ for|whether|if)(?:\W+[a-z']+){0,3}\W*$"
)
# Children in general: "when a child is subject to a plan", "every child looked after".
_GENERIC_CHILD: Final = re.compile(
    r"(?<![a-z])(?:when|where|whenever|once|if|a|any|every|all|each|many|most|other) (?:child|children"
    r"|baby|babies|young (?:person|people)|infants?)(?![a-z])"
)
_THRESHOLD_DENIED: Final = re.compile(
    r"(?<![a-z])(?:not|never)(?: [a-z]+){0,2} (?:meet|met|reach|reached|warrant|warranted|cross|crossed)"
)
_PRONOUN_SUBJECT: Final = re.compile(r"(?<![a-z])(?:he|she)(?![a-z])")
# A group the child belongs to: "the children were made subject to child protection plans".
_CHILD_GROUP: Final = re.compile(r"(?<![a-z])(?:the|all the|both|all (?:three|four|five)) children(?![a-z])")


@dataclass(frozen=True)
class SocialCare:
    looked_after: Fact[bool] | None
    child_protection_plan: Fact[bool] | None
    child_in_need: Fact[bool] | None
    known_to_social_care: Fact[bool] | None


def _about_child(index: TextIndex, subject: Subject, start: int, end: int) -> bool:
    """Whether the phrase at `start` is said of the subject child, not of another person or of children."""
    folded = index.folded
    sentence_start, sentence_end = index.context_span(start, end)
    # A full stop the splitter took for an initial ("... for Child N. A meeting ...") still ends the sentence.
    stops_before = list(_SENTENCE_STOP.finditer(folded, sentence_start, start))
    if stops_before:
        sentence_start = stops_before[-1].end()
    before = folded[sentence_start:start]
    window = " ".join(before.split()[-8:])
    if _GENERIC_CHILD.search(window):
        return False
    attachment = subject.attachment_before(before)
    if attachment == "other":
        return False
    if attachment is not None:
        return True
    clause = " ".join(before.split()[-8:])
    return (
        _PRONOUN_SUBJECT.search(clause) is not None
        or _CHILD_GROUP.search(clause) is not None
        # The phrase's own words ("a child in need meeting") do not name the child, nor does a running header
        # ("Serious Case Review: Child Y | Page 3") read into the sentence.
        or subject.mentions(_own_sentence(index, sentence_start, start, end, sentence_end)) is not None
    )


_SENTENCE_STOP: Final = re.compile(r"[.!?][\"')\]]*\s")


def _own_sentence(index: TextIndex, sentence_start: int, start: int, end: int, sentence_end: int) -> str:
    """The words either side of a phrase up to a full stop, without the phrase: sentences that the splitter
    left joined (a PDF's table rows, a missed break) do not lend the phrase a neighbour's mention of the
    child."""
    folded = index.folded
    stops_before = list(_SENTENCE_STOP.finditer(folded, sentence_start, start))
    own_start = stops_before[-1].end() if stops_before else sentence_start
    stop_after = _SENTENCE_STOP.search(folded, end, sentence_end)
    own_end = stop_after.start() if stop_after else sentence_end
    own = _without_furniture(index, own_start, start) + " " + folded[end:own_end]
    return _FAMILY_SERVICE.sub(" ", own)


# "Family" names the child's household, but not in a service's name ("the family support worker").
_FAMILY_SERVICE: Final = re.compile(
    r"(?<![a-z])family (?=support|worker|court|practitioner|liaison|nurse|hub|service|help|group|centre)"
)


def _without_furniture(index: TextIndex, start: int, end: int) -> str:
    return "".join(
        " " if index.is_furniture(offset) else char
        for offset, char in enumerate(index.folded[start:end], start)
    )


def _reading(index: TextIndex, start: int, end: int) -> bool | None:
    """True when the phrase is affirmed, False when denied, None when doubted or counterfactual."""
    folded = index.folded
    sentence_start, sentence_end = index.context_span(start, end)
    before, after = folded[sentence_start:start], folded[end:sentence_end]
    near_before = before[-80:]
    if is_hedged(before, after) or _COUNTERFACTUAL.search(near_before):
        if _THRESHOLD_DENIED.search(near_before):
            return False
        return None
    if (
        _DENIED_BEFORE.search(near_before)
        or _DENIED_AFTER.search(after)
        or _DENIED_WITHIN.search(folded[start:end])
    ):
        return False
    return is_affirmed(before, after, Scope.AGENCY)


def find_social_care(index: TextIndex, subject: Subject, skip: Sequence[tuple[int, int]] = ()) -> SocialCare:
    """The four flags of children's social care involvement; `skip` are spans (recommendations) to ignore."""
    found: dict[str, dict[bool, list[Evidence]]] = {
        flag: {True: [], False: []} for flag in _SOCIAL_CARE_PATTERNS
    }
    for name, match in _SOCIAL_CARE.finditer(index):
        start, end = match.span()
        if any(low <= start < high for low, high in skip):
            continue
        flag, number = name.split(":")
        if not _about_child(index, subject, start, end):
            continue
        reading = _reading(index, start, end)
        if reading is None or (reading is False and (flag, int(number)) in _DENIAL_IS_UNKNOWN):
            continue
        found[flag][reading].append(index.sentence_evidence(start, end))
    facts = {flag: _decide(votes) for flag, votes in found.items()}
    # Looked after, a plan or a child in need: each is children's social care involvement.
    known = facts["known_to_social_care"]
    if known is None or known.value is False:
        implied = next(
            (
                facts[flag]
                for flag in ("looked_after", "child_protection_plan", "child_in_need")
                if _is_true(facts[flag])
            ),
            None,
        )
        if implied is not None:
            known = Fact(True, implied.evidence)
    return SocialCare(
        looked_after=facts["looked_after"],
        child_protection_plan=facts["child_protection_plan"],
        child_in_need=facts["child_in_need"],
        known_to_social_care=known,
    )


def _is_true(fact: Fact[bool] | None) -> bool:
    return fact is not None and fact.value is True


def _decide(votes: dict[bool, list[Evidence]]) -> Fact[bool] | None:
    for value in (True, False):
        if votes[value]:
            return Fact(value, _unique(votes[value]))
    return None


def _unique(evidence: list[Evidence]) -> tuple[Evidence, ...]:
    seen: dict[tuple[int, int], Evidence] = {}
    for item in evidence:
        seen.setdefault((item.start, item.end), item)
    return tuple(list(seen.values())[:MAX_EVIDENCE_PER_CODE])


# --- the year of the incident -------------------------------------------------------------------------

_MONTH: Final = (
    r"(?:january|february|march|april|may|june|july|august|september|october|november|december|jan|feb|mar"
    r"|apr|jun|jul|aug|sept|sep|oct|nov|dec)\.?"
)
_YEAR: Final = r"(?:19[89]|20[0-4])\d(?![0-9])"
_YEAR_RE: Final = re.compile(_YEAR)
_DATE: Final = (
    rf"(?:on |in |during |by |of )?(?:(?:the )?\d{{1,2}}(?:st|nd|rd|th)? (?:of )?{_MONTH},? {_YEAR}"
    rf"|(?:early |late |mid-?|the end of |the beginning of |the summer of |the spring of |the autumn of "
    rf"|the winter of )?(?:{_MONTH},? )?{_YEAR}|\d{{1,2}}[/.-]\d{{1,2}}[/.-]{_YEAR})"
)
# Words for the child's death and for serious harm to the child; a death outranks an earlier admission.
_DEATH_EVENT: Final = (
    r"died|death|passed away|was pronounced dead|was found dead|took (?:his|her|their) own life|was killed"
    r"|was murdered|was fatally [a-z]+|drowned|was found (?:hanging|unresponsive|collapsed)"
)
_HARM_EVENT: Final = (
    r"was (?:admitted|taken|rushed|brought|airlifted) to (?:the )?(?:hospital|emergency department|a&e|a and e)"
    r"|was admitted|(?:was|were) (?:seriously|severely|critically|gravely) (?:injured|harmed|assaulted|hurt)"
    r"|sustained|suffered (?:serious|significant|severe|life|catastrophic|a |an )|was (?:stabbed|assaulted|shot"
    r"|attacked|shaken|raped|injured)"
    r"|the (?:serious |critical |significant )?incident (?:which|that) (?:led to|prompted|resulted in|triggered)"
    r"|the (?:serious |critical )incident"
)
_EVENT_THEN_DATE: Final = re.compile(
    rf"(?P<event>{_DEATH_EVENT}|{_HARM_EVENT})(?![a-z])[^.;:]{{0,60}}?(?<![a-z0-9]){_DATE}"
)
_DATE_THEN_EVENT: Final = re.compile(
    rf"(?<![a-z0-9])(?:on|in|during) {_DATE.removeprefix('(?:on |in |during |by |of )?')},? [^.;:]{{0,80}}?"
    rf"(?P<event>{_DEATH_EVENT}|{_HARM_EVENT})(?![a-z])"
)
_BORN_BEFORE: Final = re.compile(r"born\W*(?:on\W*)?$")
_DEATH_RE: Final = re.compile(rf"^(?:{_DEATH_EVENT})$")
_EARLIEST_YEAR: Final = 1980


def find_year_incident(
    index: TextIndex, subject: Subject, year_published: int | None = None
) -> Fact[int] | None:
    """The year of the death or serious harm that led to the review, from a dated statement about it."""
    folded = index.folded
    candidates: dict[bool, dict[int, list[Evidence]]] = {True: {}, False: {}}
    for pattern, date_last in ((_EVENT_THEN_DATE, True), (_DATE_THEN_EVENT, False)):
        for match in pattern.finditer(folded):
            event_start, event_end = match.span("event")
            if index.is_excluded(event_start) or not (
                event_start == 0 or not folded[event_start - 1].isalnum()
            ):
                continue
            # The date ends one pattern and starts the other; text between them may hold other years.
            years_said = _YEAR_RE.findall(match.group())
            year = int(years_said[-1] if date_last else years_said[0])
            if not date_last and _BORN_BEFORE.search(folded, max(0, match.start() - 20), match.start() + 3):
                continue  # "born on 7 October 2015 and died on ...": the first date is the birth
            if year < _EARLIEST_YEAR or (year_published is not None and year > year_published):
                continue
            sentence_start, sentence_end = index.context_span(event_start, event_end)
            before = folded[sentence_start:event_start]
            if subject.attachment_before(before) == "other":
                continue
            if subject.attachment_after(folded[event_end:sentence_end], words=3) == "other":
                continue  # "the death of her father in 2015"
            if subject.mentions(folded[sentence_start:sentence_end]) is None and not _PRONOUN_SUBJECT.search(
                " ".join(before.split()[-4:])
            ):
                continue
            if not is_affirmed(before, folded[event_end:sentence_end], Scope.RISK):
                continue
            if _COUNTERFACTUAL.search(before[-60:]):
                continue
            death = _DEATH_RE.match(match.group("event")) is not None
            evidence = index.sentence_evidence(min(match.start(), event_start), match.end())
            candidates[death].setdefault(year, []).append(evidence)
    for tier in (True, False):
        years = candidates[tier]
        if years:
            votes = Counter({year: len(items) for year, items in years.items()})
            best = max(votes, key=lambda year: (votes[year], year))
            return Fact(best, _unique(years[best]))
    return None


# --- who harmed the child ------------------------------------------------------------------------------

assert set(HARM_SOURCES) == {"intra_familial", "extra_familial"}, "harm source codes changed"

_FAMILY: Final = (
    r"(?:(?:her|his|their|the child's|the baby's|the|[a-z]+'s|a) )?(?:birth |biological |adoptive |own )?"
    r"(?:mother's (?:partner|boyfriend|husband)|father's (?:partner|girlfriend|wife)|mother|father|mum|dad"
    r"|parents?|step-?(?:father|mother|dad|mum|parent)|grand(?:mother|father|parents?)|uncle|aunt"
    r"|(?:older |elder )?(?:brother|sister|sibling|half-brother|half-sister)|cousin|family members?"
    r"|members? of (?:the|her|his) (?:family|household)|relatives?|carers?|parent or carer)"
)
_HARMED_BY: Final = (
    r"(?:(?:killed|murdered|assaulted|injured|abused|harmed|shaken|attacked|stabbed|strangled|suffocated"
    r"|smothered|beaten|hit|inflicted|caused|poisoned|neglected|starved|exploited)(?: [a-z]+)? by"
    r"|at the hands of)"
)
_OUTSIDER: Final = (
    r"(?:(?:an?|the|some|two|three|four|several|other|older|local|rival|unknown|adult|a group of|group of"
    r"|young|teenage|older) )*(?:strangers?|man|men|young (?:man|men|person|people)|teenagers?|peers?|boys?"
    r"|youths?|gangs?|groups?|adults?|males?|individuals?|person|people|members of a gang|associates?"
    r"|acquaintances?|pupils?|drug dealers?|dealers?|perpetrators? unknown to)"
    r"|(?:her|his|their) (?:friends?|peers?|boyfriend|girlfriend|associates?|classmates?)"
)
_HARM_SOURCE_PATTERNS: Final[dict[str, tuple[str, ...]]] = {
    "intra_familial": (
        rf"{_HARMED_BY} {_FAMILY}(?![a-z])",
        rf"{_FAMILY} (?:was|were|has been|had been) (?:subsequently |later |both )?(?:convicted|charged|found"
        r" guilty|sentenced|jailed|imprisoned)(?: [a-z]+){0,3} (?:of|with|for) (?:(?:the |his |her |their )?"
        r"(?:murder|manslaughter|causing or allowing|child cruelty|cruelty|wilful neglect|causing grievous"
        r"|grievous bodily harm|gbh"
        r"|(?:child )?sexual (?:abuse|assault)|rape|familial))",
        rf"{_FAMILY} (?:killed|murdered|shook|stabbed|strangled|suffocated|smothered|fatally [a-z]+)"
        r" (?:him|her)(?![a-z])",
        r"intra-?familial (?:abuse|harm|violence|child sexual abuse|sexual abuse)",
    ),
    "extra_familial": (
        rf"{_HARMED_BY} {_OUTSIDER}(?![a-z])",
        r"(?:exploited|groomed|trafficked|recruited) by",
        r"county lines",
        r"(?:criminal(?:ly)?|sexual(?:ly)?) exploit(?:ed|ation)",
        r"child (?:criminal|sexual) exploitation",
        r"(?:adult|man|person|individual|male|men|adults)s? (?:who (?:was|were) )?(?:previously )?(?:unknown|not"
        r" known) to (?:the|her|his) family",
        r"(?:peer[- ]on[- ]peer|child[- ]on[- ]child) (?:abuse|violence)",
        r"gang[- ](?:related|violence|members?|affiliated|involvement)",
        r"extra-?familial (?:harm|abuse|risks?|exploitation|threats?|violence)",
    ),
}
_HARM_SOURCE: Final = PhraseSet(
    {
        f"{source}:{number}": phrase_pattern([pattern])
        for source, patterns in _HARM_SOURCE_PATTERNS.items()
        for number, pattern in enumerate(patterns)
    }
)
# A denial that governs a whole clause, further back than the negation window reads: "there is nothing to
# suggest that Child V was at risk of sexual exploitation".
_WIDE_DENIAL: Final = re.compile(
    r"(?<![a-z])(?:nothing to (?:suggest|indicate)|no (?:evidence|indication|suggestion|information|concerns?)"
    r"|not aware|no reason to (?:believe|suspect))(?![a-z])[^;:]*$"
)
# One source is kept only when it has at least this many times the other's mentions.
_DOMINANCE: Final = 2


def find_harm_source(
    index: TextIndex, subject: Subject, skip: Sequence[tuple[int, int]] = ()
) -> Fact[str] | None:
    """Intra- or extra-familial, from who the report says harmed the child; null when it is unclear."""
    folded = index.folded
    found: dict[str, list[Evidence]] = {source: [] for source in _HARM_SOURCE_PATTERNS}
    for name, match in _HARM_SOURCE.finditer(index):
        start, end = match.span()
        if any(low <= start < high for low, high in skip):
            continue
        source = name.split(":")[0]
        sentence_start, sentence_end = index.context_span(start, end)
        before = folded[sentence_start:start]
        # "Her stepfather was convicted of murder": a parent convicted of these crimes in a review is
        # convicted of harming the child, who is named, if at all, after the person.
        if name == "intra_familial:1":
            if _GENERIC_CHILD.search(before[-60:]):
                continue
        elif not _about_child(index, subject, start, end):
            continue
        if _WIDE_DENIAL.search(before[-120:]):
            continue
        if not is_affirmed(before, folded[end:sentence_end], Scope.RISK) or _COUNTERFACTUAL.search(
            before[-60:]
        ):
            continue
        found[source].append(index.sentence_evidence(start, end))
    # Several patterns can match one statement ("sexually exploited by older men"): sentences are counted.
    intra, extra = (
        len({item.start for item in found[source]}) for source in ("intra_familial", "extra_familial")
    )
    if intra >= _DOMINANCE * max(extra, 1) or (intra and not extra):
        return Fact("intra_familial", _unique(found["intra_familial"]))
    if extra >= _DOMINANCE * max(intra, 1) or (extra and not intra):
        return Fact("extra_familial", _unique(found["extra_familial"]))
    return None
