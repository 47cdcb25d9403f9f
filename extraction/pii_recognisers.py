"""UK recognisers for the PII scanner, written as Presidio recognisers.

Presidio ships the identifiers with strict public formats (NHS number with its Modulus 11 check, National
Insurance number with the HMRC prefix rules, postcode), and `uk_identifier_recognisers()` reuses them under this
project's type names. What Presidio lacks for UK child safeguarding reviews is written here: street addresses,
schools and nurseries, dates that identify (above all dates of birth) and people named with a title
("Mrs Patel", "DC Hughes", "Mr E. Kanar"), which the small spaCy model often misses.

Every recogniser here also exposes `find(text)`, so it can be tested without loading a spaCy model.
"""

from __future__ import annotations

import abc
from collections.abc import Iterator
from dataclasses import dataclass
from typing import ClassVar

import regex
import tldextract
from presidio_analyzer import EntityRecognizer, LocalRecognizer, Pattern, PatternRecognizer, RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts
from presidio_analyzer.predefined_recognizers import (
    EmailRecognizer,
    NhsRecognizer,
    PhoneRecognizer,
    UkNinoRecognizer,
    UkPostcodeRecognizer,
)
from spacy.lang.en.stop_words import STOP_WORDS

# UK identifiers are printed in capitals; matching case-sensitively keeps "the F1 1st" from reading as a
# postcode and "he 12 34 56 a" from reading as an NI number.
CASE_SENSITIVE_FLAGS = regex.MULTILINE

# A capitalised word with at least one lower-case letter: "Smith", "McDonald", "O'Brien", "Güzeler",
# "Smith-Jones". An apostrophe only joins letters on both sides, so a possessive "'s" is left outside.
NAME_WORD = r"\p{Lu}(?:[\p{Ll}\p{Lu}\-]|['’](?=\p{L}{2}))*\p{Ll}(?:[\p{L}\-]|['’](?=\p{L}{2}))*"
POSSESSIVE = r"(?:['’]s)?"

TITLES = (
    "Mr",
    "Mrs",
    "Ms",
    "Miss",
    "Mx",
    "Dr",
    "Prof",
    "Professor",
    "Sir",
    "Dame",
    "Lady",
    "Lord",
    "Rev",
    "Revd",
    "Reverend",
    "DC",
    "DS",
    "DI",
    "DCI",
    "DSupt",
    "PC",
    "PCSO",
    "Sgt",
    "Sergeant",
    "Inspector",
    "Constable",
    "Cllr",
    "Councillor",
    "Judge",
    "HHJ",
)

MONTHS = (
    "January|February|March|April|May|June|July|August|September|October|November|December"
    "|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec"
)


def word_set(words: str) -> frozenset[str]:
    """A vocabulary written as white-space separated words, which reads better than a long literal."""
    return frozenset(words.split())


@dataclass(frozen=True)
class Match:
    """One recogniser hit: `text[start:end]` is the identifying span."""

    start: int
    end: int
    entity: str
    score: float


class RegexRecogniser(LocalRecognizer, abc.ABC):
    """A Presidio recogniser whose logic lives in `find`, so that it can also run without spaCy."""

    ENTITIES: ClassVar[tuple[str, ...]]
    name: str  # set by Presidio's constructor, which is not annotated

    def __init__(self) -> None:
        super().__init__(supported_entities=list(self.ENTITIES), supported_language="en")

    def load(self) -> None:
        """Nothing to load: the patterns compile when the module is imported."""

    @abc.abstractmethod
    def find(self, text: str) -> Iterator[Match]:
        """Yield every hit in `text`."""

    def analyze(
        self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None = None
    ) -> list[RecognizerResult]:
        return [
            RecognizerResult(
                entity_type=match.entity,
                start=match.start,
                end=match.end,
                score=match.score,
                recognition_metadata={
                    RecognizerResult.RECOGNIZER_NAME_KEY: self.name,
                    RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: self.id,
                },
            )
            for match in self.find(text)
            if match.entity in entities
        ]


_SENTENCE_END_BEFORE = regex.compile(r"(?:^|[.!?:;]\s+|\n\s*)$")
_FIRST_WORD = regex.compile(r"(\S+)\s+")
_VERB_OR_ADVERB_ENDING = regex.compile(r"(?:ing|ed|ly)$")


def _is_sentence_start(text: str, offset: int) -> bool:
    return _SENTENCE_END_BEFORE.search(text[max(0, offset - 3) : offset]) is not None


def _strip_leading_function_words(text: str, start: int, end: int, keep: frozenset[str]) -> int:
    """Move `start` past capitalised words that are not part of the name ("On Acacia Road").

    Those are stop words anywhere, and at the start of a sentence also words shaped like verbs and adverbs
    ("Following", "Concerned", "Ultimately"), which are capitalised only because they begin it. `keep`
    lists short words that belong to a name ("St"). Returns the new start.
    """
    while True:
        word_match = _FIRST_WORD.match(text[start:end])
        if word_match is None:
            return start
        word = word_match.group(1)
        sentence_opener = _is_sentence_start(text, start) and _VERB_OR_ADVERB_ENDING.search(word)
        if word in keep or (word.lower() not in STOP_WORDS and not sentence_opener):
            return start
        start += word_match.end()


STREET_TYPES = (
    "Road|Rd|Street|St|Avenue|Ave|Lane|Ln|Drive|Close|Crescent|Cres|Gardens|Gdns|Grove|Place|Square|Sq"
    "|Terrace|Way|Walk|Hill|Park|Parade|Mews|Rise|View|Row|Green|Vale|Villas|Mount|Boulevard|Yard|Gate|Fold"
    "|Croft|Chase|Heights|Approach|Wharf|Cottages|Crest|Dale|Glade|Hollow|Nook|Quay|Wynd|Circus|Embankment"
    "|Esplanade|Promenade|Broadway|Causeway|Meadows|Meadow|Orchard|Brow|Bank"
)
# Without a house number only these read unmistakably as a street; "Hill", "Park" or "Green" alone are
# as often part of a surname or a place.
UNNUMBERED_STREET_TYPES = "Road|Street|Avenue|Lane|Drive|Close|Crescent|Gardens|Grove|Terrace|Mews|Boulevard"
BUILDING_TYPES = (
    "House|Court|Lodge|Mansions|Tower|Towers|Buildings|Block|Heights|Point|Hall|Cottage|Cottages|Farm"
    "|Place|Flats|Apartments|Gardens|Close|Walk|Mews"
)
HOUSE_NUMBER = r"\d{1,3}[A-Za-z]?(?:\s?[-–]\s?\d{1,3}[A-Za-z]?)?"
STREET_NAME = rf"(?:{NAME_WORD}{POSSESSIVE}[ \t]+){{1,3}}"
FLAT_PREFIX = rf"(?:Flat|Apartment|Apt|Unit|Maisonette|Room)\.?[ \t]+{HOUSE_NUMBER},?\s+"


class StreetAddressRecogniser(RegexRecogniser):
    """Street addresses: "14 Acacia Road", "Flat 3, Ivy Court", "Flat 2, 7 Mill Lane", "Bramble Close".

    A numbered street or a flat scores high; a street named without a number (a quasi-identifier in a
    review: "the family lived on Bramble Close") scores lower. Town and postcode are left to the location
    and postcode recognisers, so that each finding keeps one type.
    """

    ENTITIES = ("ADDRESS",)
    NUMBERED = regex.compile(
        rf"(?<![\w/.,£$-])(?:{FLAT_PREFIX})?{HOUSE_NUMBER},?[ \t]+{STREET_NAME}(?:{STREET_TYPES})\b"
        rf"|\b{FLAT_PREFIX}{STREET_NAME}(?:{BUILDING_TYPES}|{STREET_TYPES})\b",
        CASE_SENSITIVE_FLAGS,
    )
    UNNUMBERED = regex.compile(rf"\b{STREET_NAME}(?:{UNNUMBERED_STREET_TYPES})\b", CASE_SENSITIVE_FLAGS)
    STREET_TYPE_ONLY = regex.compile(rf"(?:{UNNUMBERED_STREET_TYPES})")

    def find(self, text: str) -> Iterator[Match]:
        numbered_spans: list[tuple[int, int]] = []
        for match in self.NUMBERED.finditer(text):
            numbered_spans.append(match.span())
            yield Match(match.start(), match.end(), "ADDRESS", 0.85)
        for match in self.UNNUMBERED.finditer(text):
            if any(start <= match.start() < end for start, end in numbered_spans):
                continue
            start = _strip_leading_function_words(text, match.start(), match.end(), frozenset())
            if self.STREET_TYPE_ONLY.fullmatch(text, start, match.end()):
                continue
            yield Match(start, match.end(), "ADDRESS", 0.6)


SCHOOL_TYPES = (
    r"School|Academy|College|Nursery|Pre-?[Ss]chool|Preschool|Playgroup|Children['’]?s Centre"
    r"|Pupil Referral Unit|Primary|Infants|Juniors"
)
# Words that end a school's name, so "Little Acorns Nursery and Oakfield Academy" reads as two schools.
SCHOOL_ENDINGS = r"School|Academy|College|Nursery|Pre-?[Ss]chool|Preschool|Playgroup|Centre|Unit"
SCHOOL_CONNECTORS = (
    r"of|the|and|&|de|la|on|upon|St\.?|Saint|C\.? ?of ?E\.?|CofE|CE|RC|VA|VC|\(C\.? ?of ?E\)|\(CE\)|\(RC\)"
)
# Words that describe a kind of school rather than name one: "the Primary School", "a Further Education
# College" and "the Virtual School" (a local-authority function) identify nobody.
GENERIC_SCHOOL_WORDS = word_set(
    """
    primary junior juniors infant infants secondary high grammar community catholic church england methodist
    special free prep preparatory middle upper lower first nursery sixth form school schools academy college
    pre-school preschool playgroup children's childrens centre pupil referral unit virtual local mainstream
    independent boarding day private maintained further education new current previous village state
    residential alternative provision hospital medical year royal specialist short stay secure training
    education's c of e ce rc va vc cofe st saint
    """
)


class SchoolRecogniser(RegexRecogniser):
    """Schools, nurseries, academies and colleges: "St Mary's Primary School", "Little Acorns Nursery"."""

    ENTITIES = ("SCHOOL",)
    PATTERN = regex.compile(
        rf"\b(?:(?:St\.?|Saint)[ \t]+)?{NAME_WORD}{POSSESSIVE}"
        rf"(?:[ \t]+(?:(?!(?:{SCHOOL_ENDINGS})\b){NAME_WORD}{POSSESSIVE}|{SCHOOL_CONNECTORS})){{0,6}}"
        rf"[ \t]+(?:{SCHOOL_TYPES})\b",
        CASE_SENSITIVE_FLAGS,
    )
    WORD = regex.compile(r"[\p{L}'’\-&.()]+")
    POSSESSIVE_END = regex.compile(r"['’]s$")

    def find(self, text: str) -> Iterator[Match]:
        for match in self.PATTERN.finditer(text):
            start = _strip_leading_function_words(text, match.start(), match.end(), frozenset({"St", "St."}))
            words = self.WORD.findall(text, start, match.end())
            naming_words = [
                word
                for word in words
                if self.POSSESSIVE_END.sub("", word.lower()).strip(".()") not in GENERIC_SCHOOL_WORDS
                and word.lower() not in STOP_WORDS
            ]
            if naming_words:
                yield Match(start, match.end(), "SCHOOL", 0.85)


DAY = r"(?:3[01]|[12]\d|0?[1-9])(?:st|nd|rd|th)?"
YEAR = r"(?:19|20)\d{2}"
DATE_PATTERN = regex.compile(
    rf"(?P<full>\b(?:{DAY}[-–])?{DAY}(?:[ \t]+of)?[ \t]+(?:{MONTHS})\.?,?[ \t]+{YEAR}\b"
    rf"|\b(?:{MONTHS})\.?[ \t]+{DAY},?[ \t]+{YEAR}\b"
    # Two-digit years only with "/" or "-": "4.12.15" is far more often a paragraph number than a date.
    rf"|\b(?:3[01]|[12]\d|0?[1-9])(?P<sep>[/\-])(?:1[0-2]|0?[1-9])(?P=sep)(?:{YEAR}|\d{{2}})\b(?![.\-/]\d)"
    rf"|\b(?:3[01]|[12]\d|0?[1-9])\.(?:1[0-2]|0?[1-9])\.{YEAR}\b(?![.\-/]\d)"
    rf"|\b{YEAR}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])\b)"
    rf"|(?P<day_month>\b{DAY}(?:[ \t]+of)?[ \t]+(?:{MONTHS})\b|\b(?:{MONTHS})[ \t]+{DAY}\b(?![:.]\d))"
    rf"|(?P<month_year>\b(?:{MONTHS})[ \t]+{YEAR}\b)"
    rf"|(?<=\b(?:[Bb]orn|[Bb]irth)[ \t]+(?:in[ \t]+)?(?:{YEAR}(?:,[ \t]*|[ \t]+and[ \t]+))*)(?P<birth_year>{YEAR}\b)",
    CASE_SENSITIVE_FLAGS,
)
BIRTH_CONTEXT = regex.compile(r"\b(?:born|birth|birthday|dob|d\.o\.b)\b[^.;\n\d)]{0,20}$|\(b\.\s*$", regex.IGNORECASE)
# Words that mark the date of the death, injury or incident a review is about.
EVENT_CONTEXT = regex.compile(
    r"\b(?:died|death|deceased|passed away|killed|incident|injur\w*|admitted|found|assault\w*|arrest\w*"
    r"|fatal\w*|collapsed|attack\w*|suicide|harm\w*)\b",
    regex.IGNORECASE,
)


SENTENCE_BREAK = regex.compile(r"[.;\n]\s")
CLAUSE_BREAK = regex.compile(r"[.;\n]")


class IdentifyingDateRecogniser(RegexRecogniser):
    """Dates, graded by how much they identify.

    A date of birth ("born 12 March 2015", "DOB: 12/03/2015") is DATE_OF_BIRTH with a high score. A full date
    is DATE, scored higher near words for a death, injury or incident. Published reviews usually keep
    month-and-year dates ("March 2019"), so those are DATE with a low score and the redaction gate can
    choose its threshold; years alone and relative dates ("two weeks later") are not reported.
    """

    ENTITIES = ("DATE", "DATE_OF_BIRTH")
    SCORES: ClassVar[dict[str, tuple[float, float]]] = {
        # kind: (score, score near an event word)
        "full": (0.65, 0.8),
        "day_month": (0.5, 0.65),
        "month_year": (0.3, 0.4),
    }

    def find(self, text: str) -> Iterator[Match]:
        for match in DATE_PATTERN.finditer(text):
            kind = match.lastgroup if match.lastgroup != "sep" else "full"
            before = text[max(0, match.start() - 40) : match.start()]
            if kind == "birth_year" or BIRTH_CONTEXT.search(before):
                yield Match(match.start(), match.end(), "DATE_OF_BIRTH", 0.95)
                continue
            assert kind is not None
            plain, near_event = self.SCORES[kind]
            sentence_before = SENTENCE_BREAK.split(text[max(0, match.start() - 80) : match.start()])[-1]
            after = CLAUSE_BREAK.split(text[match.end() : match.end() + 40])[0]
            near = EVENT_CONTEXT.search(sentence_before) or EVENT_CONTEXT.search(after)
            yield Match(match.start(), match.end(), "DATE", near_event if near else plain)


class ReferenceNumberRecogniser(RegexRecogniser):
    """Case, court, police and application references introduced as such: "application no. 35574/97",
    "crime reference 13/45678/19", "case number LS19C00123". Five characters at least, one a digit."""

    ENTITIES = ("REFERENCE",)
    PATTERN = regex.compile(
        r"(?<=\b(?:[Nn]os?\.|[Nn]umber|[Rr]ef\.?|[Rr]eference|[Cc]ase|[Cc]rime|[Aa]pplication|[Cc]laim|URN)"
        r"[ \t]*[:#]?[ \t]*)(?=[A-Z0-9/\-]*\d)[A-Z0-9][A-Z0-9/\-]{3,}[A-Z0-9]\b(?![/\-]\w)",
        CASE_SENSITIVE_FLAGS,
    )

    def find(self, text: str) -> Iterator[Match]:
        for match in self.PATTERN.finditer(text):
            yield Match(match.start(), match.end(), "REFERENCE", 0.8)


TITLE_PATTERN = "|".join(sorted(TITLES, key=len, reverse=True))
NAME_PARTICLES = r"(?:de|van|von|der|den|le|la|da|di|du|del|bin|al|Le|La|De|Van|Von|Da|Di|Du|Del|Al)"


class TitledNameRecogniser(RegexRecogniser):
    """People named with a title or introduced by a naming phrase.

    "Mrs Patel", "DC Hughes", "Mr E. Kanar", "Dr Ian Le Petit", "a man called Darren Hollis", "known as
    Tiny". A title followed by a single letter ("Mr A") is how reviews anonymise adults: it is emitted
    here and dropped by the scanner's role filter, so the rule lives in one place.
    """

    ENTITIES = ("PERSON",)
    NAME_TAIL = rf"(?:[ \t]+(?:{NAME_PARTICLES}[ \t]+)?{NAME_WORD}){{0,3}}"
    TITLED = regex.compile(
        rf"\b(?:{TITLE_PATTERN})\.?[ \t]+(?:\p{{Lu}}\.[ \t]*){{0,3}}(?:{NAME_WORD}{NAME_TAIL}|\p{{Lu}}\b)",
        CASE_SENSITIVE_FLAGS,
    )
    INTRODUCED = regex.compile(
        rf"(?<=\b(?:named|called|known[ \t]+as|née|nee|alias|aka)[ \t]+){NAME_WORD}{NAME_TAIL}",
        CASE_SENSITIVE_FLAGS,
    )

    def find(self, text: str) -> Iterator[Match]:
        for match in self.TITLED.finditer(text):
            yield Match(match.start(), match.end(), "PERSON", 0.8)
        for match in self.INTRODUCED.finditer(text):
            yield Match(match.start(), match.end(), "PERSON", 0.7)


def _case_sensitive(recogniser: PatternRecognizer) -> PatternRecognizer:
    recogniser.global_regex_flags = CASE_SENSITIVE_FLAGS
    return recogniser


def _renamed(patterns: list[Pattern], score: float, name: str) -> list[Pattern]:
    """A Presidio recogniser's regexes under this project's name and score.

    Presidio scores a bare postcode 0.1 and relies on context words to raise it; in a review a string in
    strict UK postcode format is a postcode, so the format alone earns the score.
    """
    return [Pattern(name, pattern.regex, score) for pattern in patterns]


class OfflineEmailRecogniser(EmailRecognizer):
    """Presidio's e-mail recogniser, checking domains against tldextract's bundled public-suffix snapshot.

    Presidio's own check calls `tldextract.extract`, which downloads the public-suffix list on first use;
    offline that costs a failed request (or a timeout where the network drops packets) in every process.
    """

    SUFFIXES = tldextract.TLDExtract(cache_dir=None, suffix_list_urls=())

    def validate_result(self, pattern_text: str) -> bool:
        return self.SUFFIXES(pattern_text).fqdn != ""


def uk_identifier_recognisers() -> list[EntityRecognizer]:
    """Presidio's own recognisers for formats with public rules, under this project's type names."""
    return [
        _case_sensitive(
            UkPostcodeRecognizer(
                patterns=_renamed(UkPostcodeRecognizer.PATTERNS, 0.85, "UK postcode"), supported_entity="POSTCODE"
            )
        ),
        _case_sensitive(
            UkNinoRecognizer(
                patterns=_renamed(UkNinoRecognizer.PATTERNS, 0.85, "UK National Insurance number"),
                supported_entity="NI_NUMBER",
            )
        ),
        # A number passing the Modulus 11 check is raised to 1.0 by Presidio's validation; one failing it is
        # dropped.
        NhsRecognizer(supported_entity="NHS_NUMBER"),
        _case_sensitive(OfflineEmailRecogniser(supported_entity="EMAIL")),
        PhoneRecognizer(supported_entity="PHONE", supported_regions=("GB",)),
    ]


def uk_text_recognisers() -> list[RegexRecogniser]:
    """The recognisers written for UK safeguarding text."""
    return [
        StreetAddressRecogniser(),
        SchoolRecogniser(),
        IdentifyingDateRecogniser(),
        TitledNameRecogniser(),
        ReferenceNumberRecogniser(),
    ]
