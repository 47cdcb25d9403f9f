"""The subject child: age, sex, ethnicity and whether under 18, each with the passages that state them.

Values are kept only when the text attaches them to the child (see `extraction.facts.subject`); a report
that never says the child's age gets no age. Ages in digits or words are read from "aged 7 months", "a
fifteen-year-old girl", "Child B was 2", "3 weeks old", "at the age of 15", and computed from a date of
birth and a date of death or incident when both are stated. A school year ("in Year 10") gives an age
range: under 18 is then known, and the age band when both ends of the range fall in one band.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Final

from casereviews.learning.vocabulary import age_band
from extraction.facts.codes import MAX_EVIDENCE_PER_CODE
from extraction.facts.negation import Scope, is_affirmed
from extraction.facts.phrases import PhraseSet, required_literals
from extraction.facts.subject import Attachment, Subject
from extraction.facts.text import Fact, TextIndex, phrase_pattern
from extraction.record import Evidence

# The oldest a subject of a children's review can be (care leavers are reviewed up to 25).
MAX_SUBJECT_AGE_YEARS: Final = 25

NUMBER_WORDS: Final[dict[str, int]] = {
    word: value
    for value, word in enumerate(
        [
            "zero",
            "one",
            "two",
            "three",
            "four",
            "five",
            "six",
            "seven",
            "eight",
            "nine",
            "ten",
            "eleven",
            "twelve",
            "thirteen",
            "fourteen",
            "fifteen",
            "sixteen",
            "seventeen",
            "eighteen",
            "nineteen",
            "twenty",
        ]
    )
}
_NUMBER: Final = r"(?P<n>\d{1,2}(?:\.\d)?|" + "|".join(sorted(NUMBER_WORDS, key=len, reverse=True)) + r")"
_HALF: Final = r"(?P<half> and a half)?"
_UNIT: Final = r"(?P<unit>years?|yrs?|months?|weeks?|days?)"
_UNIT_YEARS: Final = {"y": 1.0, "m": 12.0, "w": 52.0, "d": 365.0}

_STATIC_AGE_PATTERNS: Final = {
    "years_old": rf"{_NUMBER}{_HALF}[- ]{_UNIT}[- ]old(?![a-z])",
    "aged": rf"aged {_NUMBER}{_HALF}(?: {_UNIT})?(?: old)?(?![a-z0-9])",
    "age_of": rf"(?:at )?(?:the )?age of {_NUMBER}{_HALF}(?: {_UNIT})?(?![a-z0-9])",
    "of_age": rf"{_NUMBER}{_HALF} {_UNIT} of age(?![a-z])",
}
_RANGE_AFTER: Final = re.compile(r"\s*(?:-|to|or)\s*\d")
_GROUP_BEFORE: Final = re.compile(
    r"(?<![a-z])(?:under|over|between|above|below|from|children|young people|those|people|adults|babies"
    r"|infants"
    r"|all|pupils|girls|boys|women|men|aged)\W*$"
)
_SCHOOL_YEAR: Final = re.compile(
    r"(?:(?:in|into|entered|started|joined|a|of|to) year (?P<n>\d{1,2})(?![a-z0-9])"
    r"|year (?P<n2>\d{1,2}) (?:pupil|student|class|group))"
)

_MONTHS: Final = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sept", "sep"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}
_DATE: Final = (
    r"(?P<day>\d{1,2})(?:st|nd|rd|th)? (?:of )?(?P<month>"
    + "|".join(sorted(_MONTHS, key=len, reverse=True))
    + r")\.?,? (?P<year>(?:19|20)\d{2})"
)
_BORN: Final = re.compile(rf"born (?:on )?{_DATE}")
_EVENT_WORDS: Final = (
    r"died|death|passed away|was found|found (?:him|her) unresponsive|was admitted|was taken to hospital|was"
    r" injured"
    r"|sustained|incident|was pronounced dead|collapsed"
)
_EVENT_THEN_DATE: Final = re.compile(rf"(?P<event>{_EVENT_WORDS})[^.;]{{0,60}}? on {_DATE}")
_DATE_THEN_EVENT: Final = re.compile(rf"on {_DATE},? [^.;]{{0,60}}?(?P<event>{_EVENT_WORDS})")

_UNDER_18_CONTEXT: Final = PhraseSet(
    {
        "under_18": phrase_pattern(
            [
                r"looked[- ]after (?:child|children|young person)",
                r"child looked after",
                r"in the care of the local authority",
                r"child in need",
                r"child protection (?:plan|conference|register|investigation|enquir(?:y|ies))",
                r"children's social care",
                r"children's services",
                r"the (?:baby|infant|newborn|new-born|neonate)",
                r"pupil",
            ]
        )
    }
)

_SEX_WORDS: Final = {
    "girl": "female",
    "baby girl": "female",
    "female": "female",
    "young woman": "female",
    "daughter": "female",
    "boy": "male",
    "baby boy": "male",
    "male": "male",
    "young man": "male",
    "son": "male",
}
_SEX_NOUN: Final = (
    r"(?P<sex>baby girl|baby boy|young woman|young man|girl|boy|female|male|daughter|son)(?![a-z])"
)
_AGE_THEN_SEX_NOUN: Final = (
    rf"{_NUMBER}[- ](?:year|month|week|day)s?[- ]old (?:white |black |asian )?{_SEX_NOUN}"
)
_AGE_THEN_SEX_NOUN_LITERALS: Final = required_literals(_AGE_THEN_SEX_NOUN)
# "She was described by those who knew her as a lively and affectionate child": only the child is described
# as a child, so the pronoun is the child's.
_DESCRIBED_AS_A_CHILD: Final = (
    r"(?P<pronoun>he|she) (?:was|is) (?:described|remembered|known) (?:by (?:[a-z']+ ){1,6})?as (?:a|an) "
    r"(?:[a-z,-]+ ){0,5}?(?:child|baby|infant|toddler|little (?:girl|boy))(?![a-z])"
)
_DESCRIBED_AS_A_CHILD_LITERALS: Final = frozenset({"he was", "she was", "he is", "she is"})
_PRONOUN_SEX: Final = {"he": "male", "she": "female"}
_MALE_PRONOUN: Final = re.compile(r"(?<![a-z])(?:he|him|his|himself)(?![a-z])")
_FEMALE_PRONOUN: Final = re.compile(r"(?<![a-z])(?:she|her|hers|herself)(?![a-z])")
_GENDERED_OTHER: Final = re.compile(
    r"(?<![a-z])(?:mother|father|mum|dad|step-?father|step-?mother|stepdad|stepmum|grandmother|grandfather"
    r"|sister"
    r"|brother|aunt|uncle|partner|boyfriend|girlfriend|man|woman|husband|wife|mr|mrs|ms|miss)(?![a-z])"
)
# Pronoun counting decides only with this many pronouns, nearly all one way.
MIN_PRONOUNS: Final = 4
MIN_PRONOUN_SHARE: Final = 0.85

_MIXED_PREFIX: Final = (
    r"(?:(?:mixed|dual) (?:race|heritage|ethnicity|parentage|ethnic (?:background|origin)) ?[(:,-]? ?)?"
)
ETHNICITY_PATTERNS: Final[tuple[tuple[str, tuple[str, ...]], ...]] = (
    (
        "Mixed: White and Black Caribbean",
        (
            _MIXED_PREFIX + r"white (?:british )?(?:and|&|/) black (?:british )?caribbean",
            _MIXED_PREFIX + r"black (?:british )?caribbean (?:and|&|/) white(?: british)?",
        ),
    ),
    (
        "Mixed: White and Black African",
        (
            _MIXED_PREFIX + r"white (?:british )?(?:and|&|/) black (?:british )?african",
            _MIXED_PREFIX + r"black (?:british )?african (?:and|&|/) white(?: british)?",
        ),
    ),
    (
        "Mixed: White and Asian",
        (
            _MIXED_PREFIX + r"white (?:british )?(?:and|&|/) (?:british )?asian",
            _MIXED_PREFIX + r"(?:british )?asian (?:and|&|/) white(?: british)?",
        ),
    ),
    ("Other Mixed", (r"(?:any )?other mixed",)),
    (
        "Mixed or Multiple ethnic groups",
        (
            r"(?:mixed|dual) (?:race|heritage|ethnicity|parentage|ethnic (?:background|origin))",
            r"multiple ethnic (?:groups?|backgrounds?)",
            r"biracial",
        ),
    ),
    # The umbrella term spans two ONS categories, so it is kept as the aggregate it names.
    ("Gypsy, Roma or Traveller", (r"gypsy,? roma,? (?:and|or|&) travell?ers?",)),
    (
        "Gypsy or Irish Traveller",
        (r"gypsy(?: or irish travell?er)?", r"irish travell?er", r"travell?er heritage"),
    ),
    ("Roma", (r"roma(?:ni)?",)),
    (
        "Asian: Indian",
        (r"asian (?:british )?(?:[-:(] ?)?indian", r"(?:british )?indian (?:heritage|origin|descent)"),
    ),
    (
        "Asian: Pakistani",
        (r"asian (?:british )?(?:[-:(] ?)?pakistani", r"(?:british )?pakistani (?:heritage|origin|descent)"),
    ),
    (
        "Asian: Bangladeshi",
        (
            r"asian (?:british )?(?:[-:(] ?)?bangladeshi",
            r"(?:british )?bangladeshi (?:heritage|origin|descent)",
        ),
    ),
    ("Asian: Chinese", (r"asian (?:british )?(?:[-:(] ?)?chinese", r"chinese (?:heritage|origin|descent)")),
    ("Asian: Other Asian", (r"(?:any )?other asian", r"asian other")),
    (
        "Asian or Asian British",
        (r"asian british", r"british asian", r"asian (?:heritage|origin|descent|ethnicity)"),
    ),
    (
        "Black Caribbean",
        (r"black (?:british )?(?:[-:(] ?)?caribbean", r"caribbean (?:heritage|origin|descent|background)"),
    ),
    (
        "Black African",
        (
            r"black (?:british )?(?:[-:(] ?)?african",
            r"(?:somali|nigerian|ghanaian|eritrean|congolese|sudanese|zimbabwean|ethiopian|african) "
            r"(?:heritage|origin|descent|background)",
        ),
    ),
    ("Other Black", (r"(?:any )?other black", r"black other")),
    (
        "Black, Black British, Caribbean or African",
        (r"black british", r"black (?:heritage|ethnicity|origin)"),
    ),
    ("White British", (r"white (?:[-:] )?(?:british|english|scottish|welsh|northern irish|uk)",)),
    ("White Irish", (r"white (?:[-:] )?irish",)),
    (
        "Other White",
        (
            r"white (?:[-:] )?(?:other|european|eastern european|polish|romanian|lithuanian|latvian"
            r"|portuguese"
            r"|italian|spanish|bulgarian|slovak|czech|hungarian|albanian)",
            r"(?:any )?other white",
            r"(?:eastern )?european (?:heritage|origin|descent)",
            r"(?:polish|romanian|lithuanian|latvian|portuguese|bulgarian|slovak|czech|hungarian|albanian) "
            r"(?:heritage|origin|descent)",
        ),
    ),
    ("Arab", (r"arab",)),
    ("Any other ethnic group", (r"any other ethnic group",)),
)
_ETHNICITY: Final = PhraseSet({label: phrase_pattern(patterns) for label, patterns in ETHNICITY_PATTERNS})
_ETHNICITY_ORDER: Final = {label: order for order, (label, _) in enumerate(ETHNICITY_PATTERNS)}
_ETHNICITY_LABEL_BEFORE: Final = re.compile(r"(?:ethnicity|ethnic origin|heritage)\W*$")


@dataclass(frozen=True)
class AgeFacts:
    age_years: Fact[float] | None
    age_text: Fact[str] | None
    age_band: Fact[str] | None
    under_18: Fact[bool] | None


@dataclass(frozen=True)
class _AgeCandidate:
    score: int
    start: int
    end: int
    years: float


def find_age(index: TextIndex, subject: Subject) -> AgeFacts:
    """The subject child's age, its text and band, and whether under 18."""
    from_dates = _age_from_dates(index, subject)
    if from_dates is not None:
        years, phrase, evidence = from_dates
        return _facts_from_years(years, phrase, evidence)
    best = _best_stated_age(index, subject)
    if best is not None:
        evidence = (index.sentence_evidence(best.start, best.end),)
        return _facts_from_years(best.years, index.text[best.start : best.end], evidence)
    school_year = _best_school_year(index, subject)
    if school_year is not None:
        return school_year
    under_18 = _under_18_from_context(index)
    return AgeFacts(None, None, None, under_18)


def _facts_from_years(years: float, phrase: str, evidence: tuple[Evidence, ...]) -> AgeFacts:
    years = round(years, 2)
    band = age_band(years)
    return AgeFacts(
        age_years=Fact(years, evidence),
        age_text=Fact(phrase, evidence),
        age_band=Fact(band, evidence) if band else None,
        under_18=Fact(years < 18, evidence),
    )


# Worked out once: parsing patterns for their literals costs more than reading a report.
_STATIC_AGE_LITERALS: Final = {
    name: required_literals(pattern) for name, pattern in _STATIC_AGE_PATTERNS.items()
}


def _best_stated_age(index: TextIndex, subject: Subject) -> _AgeCandidate | None:
    phrases = PhraseSet(
        {
            **_STATIC_AGE_PATTERNS,
            "subject_was": rf"(?:{subject.statement_pattern}) (?:was|is) (?:only |just |then |now"
            rf" )?{_NUMBER}{_HALF}"
            rf"(?: {_UNIT}(?: old)?)?(?=[ ,.;)]|$)",
        },
        literals={**_STATIC_AGE_LITERALS, "subject_was": subject.statement_literals},
    )
    best: _AgeCandidate | None = None
    for name, match in phrases.finditer(index):
        candidate = _score_age(index, subject, match, stated_with_subject=name == "subject_was")
        if candidate is not None and (
            best is None or (candidate.score, -candidate.start) > (best.score, -best.start)
        ):
            best = candidate
    return best


def _score_age(
    index: TextIndex, subject: Subject, match: re.Match[str], *, stated_with_subject: bool
) -> _AgeCandidate | None:
    folded = index.folded
    start, end = match.span()
    sentence_start, _ = index.context_span(start)
    before = folded[sentence_start:start]
    if _RANGE_AFTER.match(folded, end) or _GROUP_BEFORE.search(before[-40:]):
        return None
    years = _years(match)
    if years is None:
        return None
    if stated_with_subject:
        attachment: Attachment | None = subject.mentions(folded[start:end])
    else:
        attachment = subject.attachment_after(folded[end : end + 40]) or subject.attachment_before(before)
    if attachment == "other":
        return None
    score = {"subject": 4, "child": 2, None: 0}[attachment]
    if index.is_early(start):
        score += 1
    # An age given with no person attached, or an adult's age, is not taken for the child's.
    if score < 1 or (attachment is None and years >= 18) or years > MAX_SUBJECT_AGE_YEARS:
        return None
    return _AgeCandidate(score, start, end, years)


def _years(match: re.Match[str]) -> float | None:
    number = match.group("n")
    value = float(NUMBER_WORDS[number]) if number in NUMBER_WORDS else float(number)
    if match.group("half"):
        value += 0.5
    unit = match.group("unit")
    return value / _UNIT_YEARS[unit[0]] if unit else value


def _best_school_year(index: TextIndex, subject: Subject) -> AgeFacts | None:
    folded = index.folded
    for match in _SCHOOL_YEAR.finditer(folded):
        number_group = "n" if match.group("n") else "n2"
        year_start = match.start(number_group) - len("year ")
        # "Year 10" is written with a capital; "a year 2 years ago" and "in year 2019" are not school years.
        if index.text[year_start] != "Y" or index.is_excluded(match.start()):
            continue
        school_year = int(match.group(number_group))
        if not 1 <= school_year <= 13:
            continue
        sentence_start, sentence_end = index.context_span(match.start())
        attachment = subject.attachment_before(folded[sentence_start : match.start()])
        if attachment == "other" or subject.mentions(folded[sentence_start:sentence_end]) is None:
            continue
        evidence = (index.sentence_evidence(match.start(), match.end()),)
        youngest, oldest = school_year + 4, school_year + 5
        band = age_band(youngest) if age_band(youngest) == age_band(oldest) else None
        phrase = index.text[year_start : match.end()]
        return AgeFacts(
            age_years=None,
            age_text=Fact(phrase, evidence),
            age_band=Fact(band, evidence) if band else None,
            under_18=Fact(True, evidence),
        )
    return None


def _parse_date(match: re.Match[str]) -> dt.date | None:
    try:
        return dt.date(int(match.group("year")), _MONTHS[match.group("month")], int(match.group("day")))
    except ValueError:
        return None


def _age_from_dates(index: TextIndex, subject: Subject) -> tuple[float, str, tuple[Evidence, ...]] | None:
    folded = index.folded
    for born in _BORN.finditer(folded):
        sentence_start, _ = index.context_span(born.start())
        if subject.attachment_before(folded[sentence_start : born.start()]) not in ("subject", "child"):
            continue
        birth = _parse_date(born)
        if birth is None:
            continue
        event = _first_event_after(index, subject, birth, born.span())
        if event is None:
            continue
        event_date, event_start, event_end = event
        years = (event_date - birth).days / 365.25
        if not 0 <= years <= MAX_SUBJECT_AGE_YEARS:
            continue
        phrase = f"{index.text[born.start() : born.end()]}; {index.text[event_start:event_end]}"
        evidence = (
            index.sentence_evidence(born.start(), born.end()),
            index.sentence_evidence(event_start, event_end),
        )
        return years, phrase, evidence
    return None


def _first_event_after(
    index: TextIndex, subject: Subject, birth: dt.date, born: tuple[int, int]
) -> tuple[dt.date, int, int] | None:
    """The first dated event in the child's life after `birth`; the date of birth itself, `born`, is not one
    ("born on 31st August 2001 and died on ..." is not a death on the day of birth)."""
    folded = index.folded
    found: list[tuple[int, int, dt.date]] = []
    for pattern in (_EVENT_THEN_DATE, _DATE_THEN_EVENT):
        for match in pattern.finditer(folded):
            if born[0] <= match.start("day") < born[1]:
                continue
            date = _parse_date(match)
            sentence_start, sentence_end = index.context_span(match.start())
            if date is None or date < birth or subject.mentions(folded[sentence_start:sentence_end]) is None:
                continue
            found.append((match.start(), match.end(), date))
    if not found:
        return None
    start, end, date = min(found)
    return date, start, end


def _under_18_from_context(index: TextIndex) -> Fact[bool] | None:
    folded = index.folded
    evidence: list[Evidence] = []
    for _, match in _UNDER_18_CONTEXT.finditer(index):
        start, end = match.span()
        sentence_start, sentence_end = index.context_span(start)
        if is_affirmed(folded[sentence_start:start], folded[end:sentence_end], Scope.RISK):
            evidence.append(index.sentence_evidence(start, end))
            if len(evidence) == MAX_EVIDENCE_PER_CODE:
                break
    return Fact(True, tuple(evidence)) if evidence else None


def find_sex(index: TextIndex, subject: Subject) -> Fact[str] | None:
    """The child's sex from an explicit statement, else by conservative pronoun counting around the"
    " pseudonym."""
    explicit = _explicit_sex(index, subject)
    if explicit is not None:
        return explicit
    return _sex_from_pronouns(index, subject)


def _explicit_sex(index: TextIndex, subject: Subject) -> Fact[str] | None:
    folded = index.folded
    phrases = PhraseSet(
        {
            "statement": rf"(?:{subject.statement_pattern})(?![a-z0-9]),? (?:(?:was|is)(?: described as)? )?"
            rf"(?:\(|(?:a|an) )(?:[a-z0-9-]+,? ){{0,5}}?{_SEX_NOUN}",
            "age_then_noun": _AGE_THEN_SEX_NOUN,
            "described_as_child": _DESCRIBED_AS_A_CHILD,
        },
        literals={
            "statement": subject.statement_literals,
            "age_then_noun": _AGE_THEN_SEX_NOUN_LITERALS,
            "described_as_child": _DESCRIBED_AS_A_CHILD_LITERALS,
        },
    )
    votes: dict[str, list[Evidence]] = {}
    for name, match in phrases.finditer(index):
        start = match.start()
        if name == "age_then_noun":
            sentence_start, _ = index.context_span(start)
            if subject.attachment_before(folded[sentence_start:start]) == "other":
                continue
        sex = (
            _SEX_WORDS[match.group("sex")]
            if name != "described_as_child"
            else _PRONOUN_SEX[match.group("pronoun")]
        )
        votes.setdefault(sex, []).append(index.sentence_evidence(start, match.end()))
    if len(votes) != 1:
        return None
    sex, evidence = next(iter(votes.items()))
    return Fact(sex, tuple(evidence[:MAX_EVIDENCE_PER_CODE]))


def _sex_from_pronouns(index: TextIndex, subject: Subject) -> Fact[str] | None:
    if subject.pseudonym is None:
        return None
    folded = index.folded
    counts = {"male": 0, "female": 0}
    evidence: dict[str, list[Evidence]] = {"male": [], "female": []}
    seen_sentences: set[int] = set()
    for match in subject.named.finditer(folded):
        sentence_start, sentence_end = index.context_span(match.start())
        if sentence_start in seen_sentences or index.is_excluded(match.start()):
            continue
        seen_sentences.add(sentence_start)
        sentence = folded[sentence_start:sentence_end]
        # A sentence naming another man or woman may use the pronoun for them.
        if _GENDERED_OTHER.search(sentence):
            continue
        for sex, pronoun in (("male", _MALE_PRONOUN), ("female", _FEMALE_PRONOUN)):
            found = len(pronoun.findall(sentence))
            counts[sex] += found
            if found and len(evidence[sex]) < MAX_EVIDENCE_PER_CODE:
                evidence[sex].append(index.evidence(sentence_start, sentence_end))
    total = counts["male"] + counts["female"]
    if total < MIN_PRONOUNS:
        return None
    for sex in ("male", "female"):
        if counts[sex] / total >= MIN_PRONOUN_SHARE:
            return Fact(sex, tuple(evidence[sex]))
    return None


def find_ethnicity(index: TextIndex, subject: Subject) -> Fact[str] | None:
    """The child's ethnicity normalised to the ONS 2021 categories, when a sentence about the child states"
    " it."""
    folded = index.folded
    # Where two labels match at one place ("mixed heritage (White and Black African)"), the earlier, more
    # specific label in ETHNICITY_PATTERNS wins.
    matches = sorted(
        _ETHNICITY.finditer(index), key=lambda found: (found[1].start(), _ETHNICITY_ORDER[found[0]])
    )
    for label, match in matches:
        start = match.start()
        sentence_start, sentence_end = index.context_span(start)
        before = folded[sentence_start:start]
        attachment = subject.attachment_before(before)
        if attachment == "other":
            continue
        labelled = _ETHNICITY_LABEL_BEFORE.search(before[-30:]) is not None
        if (
            attachment is None
            and not labelled
            and subject.mentions(folded[sentence_start:sentence_end]) is None
        ):
            continue
        if not is_affirmed(before, folded[match.end() : sentence_end], Scope.RISK):
            continue
        return Fact(label, (index.sentence_evidence(start, match.end()),))
    return None
