"""Write one invented case as the units of a review report, in one of six house styles.

The styles differ the way published reports do: the headings and their order, how findings and
recommendations are set out (numbered, lettered, bulleted, in a table, interleaved), whether paragraphs
are numbered, and how the child's age, sex, outcome and the family's circumstances are put into words.
The writer records, as it goes, everything the truth needs: the facts it stated and how.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from string import Formatter
from typing import TypeVar

from casereviews.learning.vocabulary import PRACTICE_THEMES, age_band
from extraction.corpus import lexicon
from extraction.corpus.blocks import (
    CallOut,
    Heading,
    Item,
    Mark,
    PageBreak,
    Para,
    Row,
    Segment,
    Segments,
    Tagged,
    Unit,
    count_words,
    plain,
)
from extraction.corpus.story import Case

Slot = str | Tagged | Callable[[], "str | Tagged | Segments"]
T = TypeVar("T")


class _Resolved:
    """The slots as `str.format_map` sees them: each callable is drawn afresh at every use."""

    __slots__ = ("slots",)

    def __init__(self, slots: dict[str, Slot]) -> None:
        self.slots = slots

    def __getitem__(self, name: str) -> str:
        slot = self.slots[name]
        value = slot() if callable(slot) else slot
        return value if isinstance(value, str) else plain(value if isinstance(value, list) else [value])


_PARSED: dict[str, tuple[tuple[str, str | None], ...]] = {}


def _parse(template: str) -> tuple[tuple[str, str | None], ...]:
    parsed = _PARSED.get(template)
    if parsed is None:
        parsed = tuple((literal, name) for literal, name, _spec, _conv in Formatter().parse(template))
        _PARSED[template] = parsed
    return parsed


def _capitalise(text: str) -> str:
    return text[:1].upper() + text[1:]


def _ordinal_date(date: dt.date, rng: random.Random) -> str:
    month = lexicon.MONTHS[date.month - 1]
    style = rng.randrange(4)
    if style == 0:
        return f"{date.day} {month} {date.year}"
    if style == 1:
        return f"{date.day:02d}/{date.month:02d}/{date.year}"
    if style == 2:
        suffix = "th" if 11 <= date.day <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(date.day % 10, "th")
        return f"{date.day}{suffix} {month} {date.year}"
    return f"{date.day:02d}.{date.month:02d}.{date.year}"


KEY_LEARNING = (
    "Always ask who else lives in or visits the household, and record what you know about them.",
    "Bruising in a non-mobile baby must always be referred, whatever the explanation given.",
    "Seek the child's views directly and record them in their own words.",
    "If you disagree with a decision, use the escalation policy: it is there to help, not to blame.",
    "A chronology helps everyone see the pattern, not just the latest incident.",
    "Missed appointments for a child are a safeguarding issue, not an administrative one.",
    "Safe sleep advice should be repeated at every contact, including with fathers and other carers.",
    "Think about what a young person's behaviour may be telling you about risks outside the home.",
)
GOOD_PRACTICE = (
    "{Role} showed persistence in trying to engage the family.",
    "The hospital safeguarding team responded quickly and made an appropriate referral.",
    "The school maintained a consistent and caring relationship with {c}.",
    "Police officers made a thorough record of what they saw and shared it promptly.",
)


@dataclass
class Stated:
    """What the report says about the child, as the truth will record it."""

    age_years: float | None = None
    age_text: str | None = None
    age_band: str | None = None
    sex: str | None = None
    ethnicity: str | None = None
    death_category: str | None = None
    year_published: int | None = None
    methodology: str | None = None
    title: str = ""
    recommendations: list[tuple[str | None, str]] = field(default_factory=list)
    findings: list[str] = field(default_factory=list)
    pseudonyms: list[str] = field(default_factory=list)
    year_incident: int | None = None
    # Who the report says harmed the child, as written: "intra_familial", "extra_familial" or both.
    harm_sources: set[str] = field(default_factory=set)
    social_care: dict[str, bool] = field(default_factory=dict)


class ReportWriter:
    def __init__(self, rng: random.Random, case: Case, target_words: int) -> None:
        self.rng = rng
        self._random = rng.random
        self.case = case
        self.target_words = target_words
        self.stated = Stated()
        self.units: list[Unit] = []
        self.next_list_id = 0
        self.toc_index: int | None = None
        self.hindsight_stated = False
        self.toc_entries: list[tuple[Para, Heading]] = []
        self.numbered_paragraphs = case.template in ("scr2015", "inquiry") and rng.random() < 0.6
        self.section_number = 0
        self.paragraph_number = 0
        self.heading_style = self.pick(("1.", "1", "Section 1:", "")) if case.template != "inquiry" else "I."
        # The period under review: never earlier than a few months before the child was born.
        self.period_days = min(rng.randint(300, 900), max(case.age_days - 7, 45))
        events = lexicon.EVENTS + (lexicon.INFANT_EVENTS if case.age_years < 2 else ())
        self.events = events + (lexicon.ADOLESCENT_EVENTS if case.age_years >= 11 else ())
        self.sex_mode = self.pick(("explicit", "explicit", "pronoun", "none"))
        self.leak = rng.uniform(0.3, 1.0) if case.draft else 0.0
        self.slots = self._slots()
        self.resolved = _Resolved(self.slots)
        # Written first so that the sections before them know how many words are left for the rest.
        self.finding_list = self.finding_texts()
        self.recommendation_list = self.recommendation_texts()

    # --- filling templates ---------------------------------------------------------------------
    def _slots(self) -> dict[str, Slot]:
        rng = self.rng
        case = self.case
        child_ref = self._child_ref
        if self.sex_mode == "none":
            he: Slot = child_ref
            his: Slot = lambda: [child_ref(), "'s"]  # noqa: E731 - a slot is a tiny closure
            him: Slot = child_ref
        else:
            he, his, him = ("she", "her", "her") if case.sex == "female" else ("he", "his", "him")
        mother_style = rng.randrange(4)
        father_style = rng.randrange(4)
        pseudo_mother = self.pick(("Sarah", "Kate", "Lisa", "Jo"))
        pseudo_father = self.pick(("Paul", "Steve", "Dan", "Rob"))
        self.stated.pseudonyms = [
            case.pseudonym,
            "Mother",
            "Father",
            pseudo_mother,
            pseudo_father,
            "Ms A",
            "Mr B",
        ]

        def parent(person_is_mother: bool, capital: bool) -> Callable[[], str | Tagged]:
            person = case.mother if person_is_mother else case.father
            style = mother_style if person_is_mother else father_style
            names = (
                ("Mother", "Mother"),
                ("the mother", "The mother"),
                ("Ms A", "Ms A"),
                (pseudo_mother, pseudo_mother),
            )
            if not person_is_mother:
                names = (
                    ("Father", "Father"),
                    ("the father", "The father"),
                    ("Mr B", "Mr B"),
                    (pseudo_father, pseudo_father),
                )
            published = names[style][1 if capital else 0]

            def name() -> str | Tagged:
                if self.leak and rng.random() < self.leak:
                    real = (
                        person.first
                        if rng.random() < 0.7
                        else ("Ms " if person_is_mother else "Mr ") + person.last
                    )
                    return Tagged(real, "PERSON", "case")
                return published

            return name

        agencies = [name for name, _short in case.agencies]
        return {
            "c": child_ref,
            "C": child_ref,
            "he": he,
            "He": _capital_slot(he),
            "his": his,
            "His": _capital_slot(his),
            "him": him,
            "mother": parent(True, False),
            "Mother": parent(True, True),
            "father": parent(False, False),
            "Father": parent(False, True),
            "role": lambda: self.pick(lexicon.ROLES),
            "Role": lambda: _capitalise(self.pick(lexicon.ROLES)),
            "meeting": lambda: self.pick(lexicon.MEETINGS),
            "month_year": lambda: (
                f"{self.pick(lexicon.MONTHS)} {case.incident_date.year - rng.randint(0, 1)}"
            ),
            "county": case.county,
            "agency": lambda: self.pick(agencies),
            "partnership_short": _capitalise(case.partnership_short),
            "topic": lambda: self.fill(self.pick(lexicon.ANALYSIS_TOPICS)),
        }

    def _child_ref(self) -> str | Tagged:
        if self.leak and self.rng.random() < self.leak:
            return Tagged(
                self.case.child.first if self.rng.random() < 0.85 else self.case.child.full, "PERSON", "case"
            )
        return self.case.pseudonym

    def pick(self, options: Sequence[T]) -> T:
        # random.choice goes through _randbelow; one float draw is several times faster and as uniform.
        return options[int(self._random() * len(options))]

    def fill(self, template: str) -> Segments:
        if not self.leak:
            # A published report names nobody, so every slot is plain text and str.format does the work.
            return [template.format_map(self.resolved)]
        out: Segments = []
        buffer: list[str] = []
        for literal, name in _parse(template):
            if literal:
                buffer.append(literal)
            if name is None:
                continue
            slot = self.slots[name]
            value = slot() if callable(slot) else slot
            if isinstance(value, str):
                buffer.append(value)
                continue
            parts: Iterable[Segment] = value if isinstance(value, list) else (value,)
            for part in parts:
                if isinstance(part, str):
                    buffer.append(part)
                else:
                    if buffer:
                        out.append("".join(buffer))
                        buffer = []
                    out.append(part)
        if buffer:
            out.append("".join(buffer))
        return out

    def fill_published(self, template: str) -> str:
        """Fill a template as a published report would, with no real names, for text kept as plain str."""
        leak, self.leak = self.leak, 0.0
        try:
            return plain(self.fill(template))
        finally:
            self.leak = leak

    def evidence(self, key: str, template: str) -> Segments:
        return [Mark(key, True), *self.fill(template), Mark(key, False)]

    # --- units ---------------------------------------------------------------------------------
    def heading(self, text: str, level: int = 1) -> Heading:
        if level == 1:
            self.section_number += 1
            self.paragraph_number = 0
            number = self.section_number
            style = self.heading_style
            if style == "I.":
                text = f"{_roman(number)}. {text}"
            elif style == "1.":
                text = f"{number}. {text}"
            elif style == "1":
                text = f"{number} {text}"
            elif style == "Section 1:":
                text = f"Section {number}: {text}"
        heading = Heading(text, level)
        self.units.append(heading)
        return heading

    def para(self, segments: Segments, style: str = "body") -> Para:
        if self.numbered_paragraphs and style == "body" and self.section_number:
            self.paragraph_number += 1
            segments = [f"{self.section_number}.{self.paragraph_number} ", *segments]
        paragraph = Para(segments, style)
        self.units.append(paragraph)
        return paragraph

    def sentences(self, parts: Iterable[Segments]) -> Segments:
        out: Segments = []
        for part in parts:
            if out:
                out.append(" ")
            out.extend(part)
        return out

    def new_list(self) -> int:
        self.next_list_id += 1
        return self.next_list_id

    def bullets(self, lines: Iterable[Segments]) -> None:
        list_id = self.new_list()
        bullet = self.pick(("•", "-", "o"))
        for line in lines:
            self.units.append(Item(list_id, bullet, line))

    def words_so_far(self) -> int:
        total = 0
        for unit in self.units:
            if isinstance(unit, (Para, Item)):
                total += count_words(unit.segments)
            elif isinstance(unit, Row):
                total += sum(count_words(cell) for cell in unit.cells)
        return total

    # --- the child -----------------------------------------------------------------------------
    def _sex_noun(self) -> str:
        age = self.case.age_years
        if self.sex_mode != "explicit":
            return "baby" if age < 1 else "child" if age < 13 else "young person"
        female = self.case.sex == "female"
        if age < 1:
            return "baby girl" if female else "baby boy"
        if age >= 16:
            return "young woman" if female else "young man"
        return "girl" if female else "boy"

    def child_description(self) -> Segments:
        """The sentences that state the child's age, sex and ethnicity (each in one of several ways)."""
        case = self.case
        rng = self.rng
        days = case.age_days
        years = int(case.age_years)
        modes = ["aged", "adjective", "was", "none"]
        school_year = years - 4
        if case.school and school_year in (2, 3, 4, 5, 7, 8, 9, 10, 12):
            modes.append("school_year")
        if case.draft:
            modes += ["dob", "dob"]
        mode = self.pick(modes)
        noun = self._sex_noun()
        if self.sex_mode != "none":
            self.stated.sex = case.sex
        out: list[Segments] = []
        if mode in ("aged", "adjective", "was"):
            amount, unit = _age_amount(days, rng)
            self.stated.age_years = round(_amount_in_years(amount, unit), 2)
            self.stated.age_band = age_band(self.stated.age_years)
            number = (
                lexicon.NUMBER_WORDS[amount]
                if amount < len(lexicon.NUMBER_WORDS) and rng.random() < 0.3
                else str(amount)
            )
            singular = unit[:-1] if amount == 1 else unit
            if mode == "aged":
                phrase = (
                    f"aged {number} {singular}" if unit != "years" or rng.random() < 0.3 else f"aged {number}"
                )
                sentence = [
                    *self._child_words(),
                    ", ",
                    Mark("child.age_years", True),
                    phrase,
                    Mark("child.age_years", False),
                    ", lived with ",
                    *self.fill("{mother}"),
                    f" in {self.pick(case.towns)}.",
                ]
            elif mode == "adjective":
                phrase = f"{number}-{unit[:-1]}-old"
                article = (
                    "an"
                    if phrase[0] in "aeiou8" or phrase.startswith("11-") or phrase.startswith("18-")
                    else "a"
                )
                phrase = f"{article} {phrase}"
                sentence = [
                    *self._child_words(),
                    " was ",
                    Mark("child.age_years", True),
                    phrase,
                    Mark("child.age_years", False),
                    f" {noun}.",
                ]
            else:
                phrase = f"{number}" if unit == "years" and rng.random() < 0.5 else f"{number} {singular} old"
                sentence = [
                    *self._child_words(),
                    " was ",
                    Mark("child.age_years", True),
                    phrase,
                    Mark("child.age_years", False),
                    " at the time of the incident.",
                ]
            self.stated.age_text = phrase
            out.append(sentence)
        elif mode == "school_year":
            phrase = f"in Year {school_year}"
            self.stated.age_text = phrase
            self.stated.age_band = "6_10" if school_year <= 5 else "11_15" if school_year <= 10 else "16_17"
            assert case.school is not None
            out.append(
                [
                    *self._child_words(),
                    " was ",
                    Mark("child.age_band", True),
                    phrase,
                    Mark("child.age_band", False),
                    " at ",
                    Tagged(case.school, "SCHOOL", "case"),
                    ".",
                ]
            )
        elif mode == "dob":
            born = _ordinal_date(case.birth_date, rng)
            happened = _ordinal_date(case.incident_date, rng)
            self.stated.age_years = round(case.age_years, 2)
            self.stated.age_band = age_band(self.stated.age_years)
            self.stated.age_text = f"born on {born}"
            event = "died" if case.outcome == "died" else "was admitted to hospital"
            self.stated.year_incident = case.incident_date.year
            out.append(
                [
                    Mark("child.age_years", True),
                    Tagged(case.child.full, "PERSON", "case"),
                    " was born on ",
                    Tagged(born, "DATE_OF_BIRTH", "case"),
                    f" and {event} on {happened}",
                    Mark("child.age_years", False),
                    ".",
                ]
            )
        if self.sex_mode == "pronoun":
            out.append(
                self.fill("{He} was described by those who knew {him} as a lively and affectionate child.")
            )
        if self.sex_mode == "explicit" and mode != "adjective":
            out.append(
                [
                    *self._child_words(),
                    " was ",
                    Mark("child.sex", True),
                    f"{'an' if noun[0] in 'aeiou' else 'a'} {noun}",
                    Mark("child.sex", False),
                    ".",
                ]
            )
        if case.ethnicity is not None:
            said, coded = case.ethnicity
            self.stated.ethnicity = coded
            if said.startswith("a "):
                said = f"{said} {'child' if self.sex_mode == 'none' or case.age_years < 13 else noun}"
            out.append(
                [
                    *self._child_words(),
                    " is ",
                    Mark("child.ethnicity", True),
                    said,
                    Mark("child.ethnicity", False),
                    ".",
                ]
            )
        return self.sentences(out)

    def _child_words(self) -> Segments:
        ref = self._child_ref()
        return [ref]

    def outcome_sentence(self) -> Segments:
        case = self.case
        category = case.death_category
        self.stated.death_category = category
        if case.outcome == "died" and self.rng.random() < 0.1:
            self.stated.death_category = None
            # The same draws as the "month_year" slot, so later text is unchanged; but a death is in its own year.
            month = self.pick(lexicon.MONTHS)
            self.rng.randint(0, 1)
            self.stated.year_incident = case.incident_date.year
            return [
                Mark("outcome", True),
                *self.fill(f"{{C}} died in {month} {case.incident_date.year}"),
                Mark("outcome", False),
                "; the cause of death has not been ascertained.",
            ]
        if case.outcome == "died":
            assert category is not None
            template = self.pick(_DEATHS[category])
            self.stated.harm_sources |= _SOURCE_OF_DEATH.get(template, set())
            return [
                Mark("outcome", True),
                Mark("death_category", True),
                *self.fill(template),
                Mark("death_category", False),
                Mark("outcome", False),
            ]
        return self.evidence("outcome", self.pick(_SERIOUS_HARM))

    def commissioning_sentence(self) -> Segments:
        case = self.case
        kind = {
            "scr": "serious case review",
            "lcspr": "local child safeguarding practice review",
            "concise_cpr": "concise child practice review",
            "extended_cpr": "extended child practice review",
            "partnership_review": "partnership learning review",
        }[case.review_type]
        if case.framework == "england_2015" and case.review_type == "scr":
            basis = (
                "The criteria for a {kind} were met under Regulation 5 of the Local Safeguarding Children "
                "Boards Regulations 2006."
            )
        elif case.framework == "england_2015":
            basis = (
                "Although the criteria for a serious case review were not met, the Board agreed that a "
                "{kind} "
                "would identify valuable learning."
            )
        elif case.framework == "england_2023":
            basis = (
                "Following a rapid review, the safeguarding partners agreed that the criteria for a {kind} "
                "were met, and the National Child Safeguarding Practice Review Panel agreed with this "
                "decision."
            )
        elif case.framework == "wales":
            basis = (
                "The Regional Safeguarding Children Board commissioned a {kind} in accordance with the "
                "Social Services and Well-being (Wales) Act 2014 guidance."
            )
        else:
            basis = (
                "This {kind} was undertaken under Chapter 8 of Working Together to Safeguard Children (2006)."
            )
        return [Mark("review_type", True), basis.format(kind=kind), Mark("review_type", False)]

    def methodology_paragraph(self) -> Segments:
        method = self.case.methodology
        self.stated.methodology = method
        texts = {
            "learning_together": "The review used the Social Care Institute for Excellence (SCIE) Learning "
            "Together model, a systems approach which seeks to understand why practice happened as it did.",
            "silp": "The review was conducted using the Significant Incident Learning Process (SILP), which "
            "brings together agency reports and a learning event with the practitioners involved.",
            "significant_event_analysis": "A Significant Event Analysis approach was used, focusing on a "
            "small "
            "number of key episodes in the agencies' work with the family.",
            "hybrid": "A hybrid methodology was adopted, combining individual management reviews from each "
            "agency with a practitioner learning event and conversations with managers.",
            "other": "The review used an appreciative inquiry approach, combining a case file audit with "
            "reflective conversations with practitioners.",
        }
        parts: list[Segments] = []
        if method is not None:
            parts.append([Mark("methodology", True), texts[method], Mark("methodology", False)])
        else:
            parts.append(
                ["The review was conducted in line with the statutory guidance in force at the time."]
            )
        parts.append(
            self.fill(
                "Agencies provided chronologies and reports, and {role} and other practitioners "
                "attended a learning event."
            )
        )
        if "hindsight_free_analysis" in self.case.practice_themes:
            self.hindsight_stated = True
            parts.append(
                self.evidence(
                    "hindsight_free_analysis", self.pick(lexicon.THEME_POSITIVE["hindsight_free_analysis"])
                )
            )
        parts.append(
            self.fill(
                self.pick(
                    (
                        "{Mother} was invited to contribute to the review and met with the lead reviewer.",
                        "The family were informed about the review but chose not to take part.",
                        "{Mother} and {father} were both offered the opportunity to contribute; {mother} "
                        "met the reviewer twice.",
                    )
                )
            )
        )
        return self.sentences(parts)

    # --- sections shared by every style ---------------------------------------------------------
    def cover(self) -> None:
        case = self.case
        rng = self.rng
        pseudonym = case.pseudonym
        quoted = pseudonym if pseudonym.startswith("Child") else self.pick((pseudonym, f"'{pseudonym}'"))
        titles = {
            "scr2015": (
                f"Serious Case Review: {quoted}",
                f"Serious Case Review – {quoted}",
                f"SERIOUS CASE REVIEW {quoted.upper()}",
            ),
            "lcspr": (
                f"Local Child Safeguarding Practice Review: {quoted}",
                f"Child Safeguarding Practice Review – {quoted}",
                f"LCSPR {quoted}",
            ),
            "welsh_cpr": (
                f"{'Concise' if case.review_type == 'concise_cpr' else 'Extended'} Child Practice Review "
                f"{case.county[:1]}RSCB {rng.randint(1, 6)}/{case.year_published - 1}",
                f"Child Practice Review Report: Re {quoted}",
            ),
            "silp": (
                f"SILP Review: {quoted}",
                f"Learning Review for {quoted} using the Significant Incident Learning Process",
            ),
            "learning_together": (
                f"{quoted}: A Learning Together Review",
                f"Serious Case Review into the circumstances of {quoted}",
            ),
            "inquiry": (
                f"Serious Case Review Executive Summary in respect of {quoted}",
                f"Report of the Serious Case Review concerning {quoted}",
            ),
        }[case.template]
        self.stated.title = self.pick(titles)
        self.units.append(Para([Mark("title", True), self.stated.title, Mark("title", False)], "title"))
        self.units.append(
            Para([Mark("partnership", True), case.partnership, Mark("partnership", False)], "subtitle")
        )
        if rng.random() < 0.85:
            self.stated.year_published = case.year_published
            month = self.pick(lexicon.MONTHS)
            said = self.pick(
                (
                    f"Published: {month} {case.year_published}",
                    f"{month} {case.year_published}",
                    f"Date of publication: {rng.randint(1, 28)} {month} {case.year_published}",
                )
            )
            self.units.append(
                Para([Mark("year_published", True), said, Mark("year_published", False)], "cover")
            )
        if case.draft:
            self.units.append(
                Para(
                    [
                        self.pick(
                            (
                                "DRAFT v0.3 – not for circulation",
                                "Draft for panel – confidential",
                                "DRAFT report for quality assurance",
                            )
                        )
                    ],
                    "cover",
                )
            )
        if rng.random() < 0.85:
            self.units.append(
                Para(
                    ["Independent Lead Reviewer: ", Tagged(case.reviewer.full, "PERSON", "professional")],
                    "cover",
                )
            )
        self.units.append(PageBreak())

    def contents(self) -> None:
        """A contents page; `finish` lists the headings and `set_contents_pages` their pages."""
        self.units.append(Heading("Contents"))
        self.toc_index = len(self.units)
        self.units.append(PageBreak())

    def foreword(self) -> None:
        case = self.case
        if self.rng.random() < 0.4:
            self.units.append(Heading("Foreword"))
            self.units.append(
                Para(
                    [
                        f"On behalf of {case.partnership}, I would like to thank the practitioners and "
                        "family members who contributed to this review. The learning is difficult but "
                        "important, and we are committed to making sure it changes practice. ",
                        Tagged(case.chair.full, "PERSON", "professional"),
                        ", Independent Chair.",
                    ]
                )
            )

    def introduction(self) -> None:
        self.para(
            self.sentences(
                [
                    self.commissioning_sentence(),
                    self.child_description(),
                    self.outcome_sentence(),
                    *(_segments(part) for part in _circumstances(self.case, self.stated)),
                ]
            )
        )
        self.para(
            self.fill(
                self.pick(
                    (
                        "The purpose of this review is to identify improvements that are needed to "
                        "safeguard and promote the "
                        "welfare of children, and not to apportion blame to individual practitioners.",
                        "Reviews are about learning lessons, not about holding individuals or "
                        "organisations to account; "
                        "that is the role of other processes.",
                    )
                )
            )
        )
        case = self.case
        if self.rng.random() < 0.8:
            reviewer = Tagged(case.reviewer.full, "PERSON", "professional")
            self.para(
                [
                    reviewer,
                    self.pick(
                        (
                            " is an independent social work consultant with no previous involvement with "
                            "the agencies in ",
                            " was appointed as lead reviewer and has no connection to any of the agencies "
                            "in ",
                        )
                    ),
                    f"{case.county}.",
                ]
            )

    def terms_of_reference(self) -> None:
        case = self.case
        start = case.incident_date - dt.timedelta(days=self.period_days)
        self.para(
            [
                f"The review considered the period from {_ordinal_date(start, self.rng)} to "
                f"{_ordinal_date(case.incident_date, self.rng)}, together with relevant earlier history."
            ]
        )
        self.para(["The key lines of enquiry were:"])
        lines = [
            "How effectively did agencies share information and work together?",
            "How well was the child's lived experience understood?",
            "Were risks to the child recognised, assessed and responded to?",
            "Did practitioners use escalation procedures where they disagreed?",
            "What was the impact of organisational context, such as caseloads and staffing?",
        ]
        self.bullets([[line] for line in self.rng.sample(lines, self.rng.randint(3, len(lines)))])

    def agencies_section(self) -> None:
        case = self.case
        self.para(["The following agencies contributed to the review:"])
        if self.rng.random() < 0.5:
            self.bullets([[name] for name, _short in case.agencies])
        else:
            table_id = self.new_list()
            for name, _short in case.agencies:
                contribution = self.pick(
                    (
                        "Chronology and agency report",
                        "Individual management review",
                        "Chronology",
                        "Agency report and practitioner interviews",
                    )
                )
                self.units.append(Row(table_id, ("Agency", "Contribution"), [[name], [contribution]]))

    def family_background(self) -> None:
        case = self.case
        rng = self.rng
        statements: list[Segments] = []
        for code in case.risk_factors:
            statements.append(self.evidence(code, self.pick(lexicon.RISK_FACTOR_POSITIVE[code])))
        for code in case.harm_types:
            statements.append(self.evidence(code, self.pick(lexicon.HARM_POSITIVE[code])))
            if code in ("sexual_exploitation", "criminal_exploitation"):
                self.stated.harm_sources.add("extra_familial")
        for code in case.negated_risk_factors:
            statements.append(self.fill(self.pick(lexicon.RISK_FACTOR_NEGATED[code])))
        for code in case.negated_harm_types:
            statements.append(self.fill(self.pick(lexicon.HARM_NEGATED[code])))
        rng.shuffle(statements)
        if case.draft:
            self.para(self._identifying_paragraph())
        family = [
            self.fill(
                "{C} lived with {mother}"
                + (
                    " and {father}."
                    if rng.random() < 0.5
                    else "; {father} lived nearby and had regular contact."
                )
            )
        ]
        for number, sibling in enumerate(case.extra_people, start=1):
            family.append(
                [
                    "There was also a sibling, ",
                    Tagged(sibling.first, "PERSON", "case") if case.draft else f"Sibling {number}",
                    ".",
                ]
            )
        if case.school and rng.random() < (0.9 if case.draft else 0.6):
            family.append([*self._child_words(), " attended ", Tagged(case.school, "SCHOOL", "case"), "."])
        self.para(self.sentences(family))
        while statements:
            take, statements = statements[:3], statements[3:]
            self.para(self.sentences([*take, self.fill(self.pick(lexicon.ANALYSIS_SENTENCES))]))

    def _identifying_paragraph(self) -> Segments:
        case = self.case
        rng = self.rng
        town = self.pick(case.towns)
        parts: list[Segments] = [
            [
                Tagged(case.child.full, "PERSON", "case"),
                " (DOB ",
                Tagged(_ordinal_date(case.birth_date, rng), "DATE_OF_BIRTH", "case"),
                ") lived with ",
                Tagged(case.mother.full, "PERSON", "case"),
                " at ",
                Tagged(case.street_address, "ADDRESS", "case"),
                f", {town}, ",
                Tagged(case.postcode, "POSTCODE", "case"),
                ".",
            ]
        ]
        if rng.random() < 0.8:
            parts.append(
                [
                    Tagged(case.child.first, "PERSON", "case"),
                    "'s NHS number is ",
                    Tagged(case.nhs_number, "NHS_NUMBER", "case"),
                    ".",
                ]
            )
        if rng.random() < 0.7:
            parts.append(
                [
                    "The National Insurance number held for ",
                    Tagged(case.father.full, "PERSON", "case"),
                    " was ",
                    Tagged(case.ni_number, "NI_NUMBER", "case"),
                    ".",
                ]
            )
        if rng.random() < 0.6:
            parts.append(
                [
                    "Agencies held a mobile number for ",
                    Tagged(case.mother.first, "PERSON", "case"),
                    " (",
                    Tagged(case.phone, "PHONE", "case"),
                    ") and an e-mail address, ",
                    Tagged(case.email, "EMAIL", "case"),
                    ".",
                ]
            )
        return self.sentences(parts)

    def chronology(self, words: int) -> None:
        case = self.case
        rng = self.rng
        period = self.period_days
        # More dates than will be needed, in order (a short period has several events a day); writing stops
        # when the word budget is spent.
        offsets = sorted(rng.choices(range(period), k=max(8, words // 10)))
        as_table = rng.random() < 0.5
        table_id = self.new_list()
        written = 0
        for position, offset in enumerate(offsets):
            if written >= words and position >= 4:
                break
            date = case.incident_date - dt.timedelta(days=period - offset)
            short = self.pick(case.agencies)[1]
            event = self.fill(self.pick(self.events))
            if as_table:
                cells: list[Segments] = [
                    [f"{date.day:02d}/{date.month:02d}/{date.year}"],
                    [short],
                    [*_capitalise_segments(event), "."],
                ]
                self.units.append(Row(table_id, ("Date", "Agency", "Event"), cells))
            else:
                month = f"{lexicon.MONTHS[date.month - 1]} {date.year}"
                said = f"On {_ordinal_date(date, rng)}, " if rng.random() < 0.7 else f"In {month}, "
                self.para([said, *event, ". ", *self.fill(self.pick(lexicon.ANALYSIS_SENTENCES))])
            written += count_words(event) + (2 if as_table else 20)

    def analysis(self, words: int) -> None:
        """Theme sections until about `words` have been written; each true theme is stated once."""
        case = self.case
        rng = self.rng
        # Hindsight is usually stated with the methodology; a report without that section states it here.
        themes = [
            code
            for code in case.practice_themes
            if code != "hindsight_free_analysis" or not self.hindsight_stated
        ]
        negated = [self.fill(self.pick(lexicon.THEME_NEGATED[code])) for code in case.negated_themes]
        written = 0
        section = 0
        while written < words or themes:
            section += 1
            if themes:
                code = themes.pop(0)
                self.heading(
                    self.pick((PRACTICE_THEMES[code], f"Theme {section}: {PRACTICE_THEMES[code]}")), 2
                )
                lead = self.evidence(code, self.pick(lexicon.THEME_POSITIVE[code]))
            else:
                topic = self.fill_published(self.pick(lexicon.ANALYSIS_TOPICS))
                self.heading(_capitalise(topic), 2)
                lead = self.fill(self.pick(lexicon.ANALYSIS_OPENERS))
            paragraphs = rng.randint(2, 5)
            for number in range(paragraphs):
                sentences = [lead] if number == 0 else [self.fill(self.pick(lexicon.ANALYSIS_OPENERS))]
                sentences += [
                    self.fill(sentence)
                    for sentence in rng.sample(lexicon.ANALYSIS_SENTENCES, rng.randint(3, 6))
                ]
                if negated and rng.random() < 0.5:
                    sentences.insert(rng.randint(1, len(sentences)), negated.pop())
                paragraph = self.sentences(sentences)
                written += count_words(paragraph)
                self.para(paragraph)
                if rng.random() < 0.15:
                    self.para(
                        [f"\u201c{self.pick(lexicon.QUOTES)}\u201d (practitioner at the learning event)"],
                        "quote",
                    )
            if case.template in ("lcspr", "learning_together", "welsh_cpr") and rng.random() < 0.4:
                self.units.append(CallOut("Key learning", [[self.pick(KEY_LEARNING)]]))
        for sentence in negated:
            self.para(sentence)

    def finding_texts(self) -> list[str]:
        rng = self.rng
        themes = list(self.case.practice_themes)
        count = rng.randint(3, 6)
        texts: list[str] = []
        while len(texts) < count:
            code = themes[len(texts) % len(themes)]
            text = self.fill_published(self.pick(lexicon.FINDING_STATEMENTS[code]))
            if text in texts:
                text = self.fill_published(self.pick(_GENERIC_FINDINGS))
                if text in texts:
                    break
            texts.append(text)
        return texts

    def recommendation_texts(self, count: int | None = None) -> list[str]:
        rng = self.rng
        count = count or rng.randint(4, 12)
        templates = rng.sample(
            lexicon.RECOMMENDATION_TEMPLATES, min(count, len(lexicon.RECOMMENDATION_TEMPLATES))
        )
        return [self.fill_published(template) for template in templates]

    def findings_section(self, style: str, label: str = "Finding") -> None:
        texts = self.finding_list
        list_id = self.new_list()
        for index, text in enumerate(texts):
            if style == "finding_paragraphs":
                prefix = f"{label} {index + 1}: "
                self.units.append(Para([prefix + text], "finding", ("finding", index), len(prefix)))
                for _ in range(self.rng.randint(1, 3)):
                    self.para(
                        self.sentences(
                            [
                                self.fill(self.pick(lexicon.ANALYSIS_SENTENCES))
                                for _ in range(self.rng.randint(3, 5))
                            ]
                        )
                    )
            elif style == "numbered":
                self.units.append(Item(list_id, f"{index + 1}.", [text], True, ("finding", index)))
            else:
                self.units.append(Item(list_id, "•", [text], False, ("finding", index)))

    def recommendations_section(self, style: str) -> None:
        texts = self.recommendation_list
        list_id = self.new_list()
        for index, text in enumerate(texts):
            number: str | None = str(index + 1)
            target = ("recommendation", index)
            if style == "numbered":
                self.units.append(Item(list_id, f"{index + 1}.", [text], True, target))
            elif style == "labelled":
                self.units.append(Item(list_id, f"Recommendation {index + 1}:", [text], False, target))
            elif style == "r_numbers":
                number = f"R{index + 1}"
                self.units.append(Item(list_id, f"R{index + 1}", [text], False, target))
            elif style == "lettered":
                number = "abcdefghijklmnopqrstuvwxyz"[index]
                self.units.append(Item(list_id, f"({number})", [text], False, target))
            elif style == "bulleted":
                number = None
                self.units.append(Item(list_id, "•", [text], False, target))
            else:
                agency = self.pick(self.case.agencies)[1]
                timescale = self.pick(("3 months", "6 months", "12 months", "Ongoing"))
                self.units.append(
                    Row(
                        list_id,
                        ("No.", "Recommendation", "Lead", "Timescale"),
                        [[str(index + 1)], [text], [agency], [timescale]],
                        target,
                        1,
                    )
                )
            self.stated.recommendations.append((number, text))

    def good_practice(self) -> None:
        if self.rng.random() < 0.5:
            self.heading("Good practice", 2)
            self.para(self.sentences([self.fill(line) for line in self.rng.sample(GOOD_PRACTICE, 2)]))

    def glossary(self) -> None:
        table_id = self.new_list()
        for term, meaning in self.rng.sample(_GLOSSARY, self.rng.randint(5, len(_GLOSSARY))):
            self.units.append(Row(table_id, ("Abbreviation", "Meaning"), [[term], [meaning]]))

    def contact(self) -> None:
        if self.rng.random() < 0.4:
            self.para(
                [
                    "For further information about this review, please contact the business unit on ",
                    Tagged(_business_phone(self.rng), "PHONE", "professional"),
                    " or at ",
                    Tagged(
                        f"safeguarding.unit@{self.case.county.lower().replace(' ', '')}.example.org",
                        "EMAIL",
                        "professional",
                    ),
                    ".",
                ]
            )


def _capitalise_segments(segments: Segments) -> Segments:
    if segments and isinstance(segments[0], str):
        return [_capitalise(segments[0]), *segments[1:]]
    return segments


def _capital_slot(value: Slot) -> Slot:
    if isinstance(value, str):
        return _capitalise(value)
    return value


def _business_phone(rng: random.Random) -> str:
    return f"01632 960{rng.randint(0, 999):03d}"


def _roman(number: int) -> str:
    numerals = ((10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"))
    out = ""
    for value, numeral in numerals:
        while number >= value:
            out += numeral
            number -= value
    return out


def _age_amount(days: int, rng: random.Random) -> tuple[int, str]:
    if days < 84 and rng.random() < 0.6:
        return max(1, days // 7), "weeks"
    if days < 365:
        return max(1, int(days / 30.44)), "months"
    if days < 730 and rng.random() < 0.5:
        return int(days / 30.44), "months"
    return int(days / 365.25), "years"


def _amount_in_years(amount: int, unit: str) -> float:
    return amount * 7 / 365.25 if unit == "weeks" else amount / 12 if unit == "months" else float(amount)


_DEATHS: dict[str, tuple[str, ...]] = {
    "suicide": (
        "{C} was found hanging in {his} bedroom.",
        "{C} took {his} own life.",
        "{C} died by suicide.",
        "Tragically, {c} ended {his} life.",
    ),
    "sudi": (
        "{C} was found unresponsive in the parental bed.",
        "{C} died suddenly and unexpectedly while sleeping on a sofa with {mother}.",
        "{C} was found unresponsive after co-sleeping with {father}, who had been drinking.",
    ),
    "fatal_physical_abuse": (
        "{C} died from head injuries inflicted by a carer.",
        "{C} died as a result of non-accidental injuries.",
    ),
    "homicide": (
        "{C} was fatally stabbed in a park near {his} home.",
        "{C} was killed by an adult known to the family.",
    ),
    "covert_homicide": (
        "{C} was smothered by {mother}.",
        "It was later established that {c}'s death was caused by deliberate suffocation.",
    ),
    "extreme_neglect": (
        "{C} died from malnutrition and dehydration.",
        "{C} died as a result of severe and prolonged neglect.",
    ),
    "other_related": (
        "{C} drowned while unsupervised near {his} home.",
        "{C} died in a road traffic collision while missing from home.",
    ),
}
_SERIOUS_HARM = (
    "{C} sustained a fractured skull and bleeding on the brain.",
    "{C} was admitted to hospital with multiple fractures of different ages.",
    "{C} was seriously harmed.",
    "{C} suffered serious and life-changing injuries.",
    "{C} was admitted to intensive care after a serious assault.",
)
_GENERIC_FINDINGS = (
    "Multi-agency meetings did not lead to shared plans with clear outcomes.",
    "The impact of staff turnover on the continuity of work with families is not recognised.",
    "The partnership does not have assurance that learning from previous reviews has changed practice.",
    "Agencies do not routinely use chronologies to understand cumulative harm.",
)
_GLOSSARY = (
    ("CAMHS", "Child and Adolescent Mental Health Services"),
    ("CSC", "Children's Social Care"),
    ("MASH", "Multi-Agency Safeguarding Hub"),
    ("MARAC", "Multi-Agency Risk Assessment Conference"),
    ("ED", "Emergency Department"),
    ("HV", "Health Visitor"),
    ("DSL", "Designated Safeguarding Lead"),
    ("IDVA", "Independent Domestic Violence Adviser"),
    ("GP", "General Practitioner"),
    ("CP", "Child Protection"),
    ("CIN", "Child in Need"),
    ("ICPC", "Initial Child Protection Conference"),
)


def _remaining_fixed_words(writer: ReportWriter) -> int:
    """Words still to come after the chronology and analysis: findings, recommendations, appendices."""
    texts = writer.finding_list + writer.recommendation_list
    return sum(text.count(" ") + 1 for text in texts) + 80 * len(writer.finding_list) + 350


class HouseStyleWriter(ReportWriter):
    """The six house styles. Each writes its sections in its own order under its own headings."""

    def write(self) -> list[Unit]:
        getattr(self, f"_write_{self.case.template}")()
        self.finish()
        return self.units

    def variable_sections(self, chronology_heading: str, analysis_heading: str | None) -> None:
        budget = max(
            (self.target_words - self.words_so_far() - _remaining_fixed_words(self)) * 93 // 100, 600
        )
        self.heading(chronology_heading)
        self.chronology(budget * 2 // 5)
        if analysis_heading:
            self.heading(analysis_heading)
        self.analysis(budget * 3 // 5)

    def _write_scr2015(self) -> None:
        rng = self.rng
        self.cover()
        if rng.random() < 0.5:
            self.contents()
        self.foreword()
        self.heading("Introduction")
        self.introduction()
        self.heading(self.pick(("Terms of Reference", "Terms of reference and scope")))
        self.terms_of_reference()
        self.heading(self.pick(("Methodology", "Review process and methodology")))
        self.para(self.methodology_paragraph())
        self.heading(self.pick(("Agencies involved", "Agency involvement")))
        self.agencies_section()
        self.heading(self.pick(("Family background", "Background to the family")))
        self.family_background()
        self.variable_sections(
            self.pick(("Summary of agency involvement", "Chronology of key events")),
            self.pick(("Analysis", "Analysis of practice")),
        )
        self.good_practice()
        self.heading(self.pick(("Key Findings", "Findings", "Conclusions and key findings")))
        self.findings_section(self.pick(("finding_paragraphs", "numbered", "bulleted")))
        self.heading("Recommendations")
        self.recommendations_section(self.pick(("numbered", "labelled", "table", "bulleted")))
        self.heading(self.pick(("Glossary", "Appendix: Glossary of terms")))
        self.glossary()
        self.contact()

    def _write_lcspr(self) -> None:
        rng = self.rng
        self.cover()
        if rng.random() < 0.5:
            self.contents()
        self.heading("Introduction")
        self.introduction()
        self.heading(self.pick(("The review process", "How the review was carried out")))
        self.para(self.methodology_paragraph())
        self.terms_of_reference()
        self.agencies_section()
        self.heading(
            self.pick((f"About {self.case.pseudonym}", f"{self.case.pseudonym}'s story", "Family context"))
        )
        self.family_background()
        self.variable_sections("What happened", "Learning")
        self.heading(self.pick(("Findings and recommendations", "Learning and recommendations")))
        self.interleaved_findings()
        self.heading("Conclusion")
        self.para(
            self.fill(
                "This review has highlighted learning for all agencies. {partnership_short} will monitor "
                "the action plan and report on progress."
            )
        )
        self.contact()

    def interleaved_findings(self) -> None:
        """LCSPR style: each finding is followed by the recommendations that answer it."""
        findings = self.finding_list
        recommendations = self.recommendation_list
        per_finding = max(1, -(-len(recommendations) // len(findings)))
        next_recommendation = 0
        list_id = self.new_list()
        for index, text in enumerate(findings):
            prefix = f"Finding {index + 1}: "
            self.units.append(Para([prefix + text], "finding", ("finding", index), len(prefix)))
            self.para(
                self.sentences(
                    [self.fill(sentence) for sentence in self.rng.sample(lexicon.ANALYSIS_SENTENCES, 3)]
                )
            )
            chunk = recommendations[next_recommendation : next_recommendation + per_finding]
            for text_of_recommendation in chunk:
                next_recommendation += 1
                label = f"Recommendation {next_recommendation}:"
                self.units.append(
                    Item(
                        list_id,
                        label,
                        [text_of_recommendation],
                        False,
                        ("recommendation", next_recommendation - 1),
                    )
                )
                self.stated.recommendations.append((str(next_recommendation), text_of_recommendation))
        del self.recommendation_list[next_recommendation:]

    def _write_welsh_cpr(self) -> None:
        self.cover()
        self.heading("Brief outline of circumstances resulting in the Review")
        self.introduction()
        self.heading("Learning Events")
        self.para(self.methodology_paragraph())
        self.agencies_section()
        self.heading("Practice and organisational learning")
        self.family_background()
        budget = max(
            (self.target_words - self.words_so_far() - _remaining_fixed_words(self)) * 93 // 100, 600
        )
        self.analysis(budget * 3 // 5)
        self.findings_section("finding_paragraphs", self.pick(("Learning point", "Finding")))
        self.heading("Improving Systems and Practice")
        self.para(["In order to promote the learning from this case the following actions were identified:"])
        self.recommendations_section(self.pick(("numbered", "labelled")))
        self.heading("Statement by Reviewer(s)")
        self.para(
            [
                "Reviewer 1: ",
                Tagged(self.case.reviewer.full, "PERSON", "professional"),
                ". I make the following statement that prior to my involvement with this learning review I "
                "have "
                "not been directly concerned with the child or family.",
            ]
        )
        self.heading("Appendix 1: Terms of reference")
        self.terms_of_reference()
        self.heading("Appendix 2: Timeline of significant events")
        self.chronology(budget * 2 // 5)

    def _write_silp(self) -> None:
        self.cover()
        self.heading("Introduction")
        self.introduction()
        self.heading("Scope of the review")
        self.terms_of_reference()
        self.heading(self.pick(("The SILP methodology", "Methodology")))
        self.para(self.methodology_paragraph())
        self.heading("Contributing agencies")
        self.agencies_section()
        self.heading("Background")
        self.family_background()
        self.variable_sections("Key episodes", "Analysis")
        self.heading(self.pick(("Learning points", "Key learning")))
        self.findings_section(self.pick(("numbered", "bulleted")))
        self.heading("Recommendations")
        self.recommendations_section(self.pick(("numbered", "labelled", "table")))
        self.heading("Appendix: Glossary")
        self.glossary()

    def _write_learning_together(self) -> None:
        rng = self.rng
        self.cover()
        if rng.random() < 0.5:
            self.contents()
        self.heading("Introduction")
        self.introduction()
        self.heading("Methodology")
        self.para(self.methodology_paragraph())
        self.para(
            [
                "The review team was led by ",
                Tagged(self.case.reviewer.full, "PERSON", "professional"),
                " and included senior managers from the agencies involved.",
            ]
        )
        self.heading("Summary of the case")
        self.family_background()
        budget = max(
            (self.target_words - self.words_so_far() - _remaining_fixed_words(self)) * 93 // 100, 600
        )
        self.chronology(budget * 2 // 5)
        self.heading("Appraisal of practice")
        self.analysis(budget * 3 // 5)
        self.heading("Findings")
        self.para([f"The review identified {len(self.finding_list)} findings for the partnership."])
        for index, text in enumerate(self.finding_list):
            prefix = f"Finding {index + 1}: "
            self.units.append(Para([prefix + text], "finding", ("finding", index), len(prefix)))
            self.para(
                self.sentences(
                    [self.fill(sentence) for sentence in rng.sample(lexicon.ANALYSIS_SENTENCES, 4)]
                )
            )
            self.para(["Questions for the Board to consider:"])
            self.bullets([[question] for question in rng.sample(_BOARD_QUESTIONS, 2)])
        if rng.random() < 0.6:
            self.heading(self.pick(("Recommendations", "Recommendations for the Partnership")))
            self.recommendations_section(self.pick(("numbered", "bulleted")))

    def _write_inquiry(self) -> None:
        self.cover()
        self.heading("Introduction")
        self.introduction()
        self.heading("The Terms of Reference")
        self.terms_of_reference()
        self.heading("The Family")
        self.family_background()
        self.variable_sections("Chronology of Agency Involvement", "Analysis of Agency Involvement")
        self.heading("Conclusions")
        self.findings_section(self.pick(("numbered", "bulleted")))
        self.heading("Recommendations")
        self.recommendations_section(self.pick(("lettered", "r_numbers", "numbered")))

    def finish(self) -> None:
        if len(self.stated.recommendations) < len(self.recommendation_list):
            del self.recommendation_list[len(self.stated.recommendations) :]
        self.stated.findings = list(self.finding_list)
        if self.toc_index is None:
            return
        headings = [
            unit for unit in self.units[self.toc_index :] if isinstance(unit, Heading) and unit.level == 1
        ]
        entries = [(Para([heading.text], "toc"), heading) for heading in headings]
        self.units[self.toc_index : self.toc_index] = [para for para, _heading in entries]
        self.toc_entries = entries

    def set_contents_pages(self, page_of: dict[int, int]) -> None:
        """Write each contents line's page number, once pagination has placed the headings."""
        for para, heading in self.toc_entries:
            para.segments = [f"{heading.text} {'.' * 8} {page_of[id(heading)]}"]


_BOARD_QUESTIONS = (
    "How can the Board be assured that practitioners feel able to challenge decisions?",
    "What would help agencies to hold the whole family history in mind?",
    "How does the Board know whether fathers are included in assessments?",
    "What is the Board's understanding of how thresholds are applied at the front door?",
    "How will the Board know whether this learning has changed practice?",
)


def write_units(rng: random.Random, case: Case, target_words: int) -> tuple[list[Unit], HouseStyleWriter]:
    writer = HouseStyleWriter(rng, case, target_words)
    return writer.write(), writer


# Who harmed the child, as some death templates say it.
_SOURCE_OF_DEATH: dict[str, set[str]] = {
    "{C} died from head injuries inflicted by a carer.": {"intra_familial"},
    "{C} was smothered by {mother}.": {"intra_familial"},
    "{C} was killed by an adult known to the family.": {"extra_familial"},
}
_INTRA_FAMILIAL_DEATHS = frozenset({"fatal_physical_abuse", "covert_homicide", "extreme_neglect"})
_INTRA_FAMILIAL_SENTENCES = (
    "{C}'s injuries were later found to have been inflicted by {his} stepfather.",
    "{His} father was subsequently convicted of {his} manslaughter.",
    "Both parents were later convicted of causing or allowing the death of a child.",
    "The criminal trial found that {C} had been killed by {his} mother's partner.",
)
_EXTRA_FAMILIAL_SENTENCES = (
    "{C} was killed by a young man unknown to the family.",
    "{C} had been groomed by older males and was being exploited by a county lines network.",
    "The police investigation found that {C} had been attacked by a group of older teenagers.",
)
_DEATH_YEAR_SENTENCES = (
    "{C} died on {date}.",
    "In {month} {year}, {C} died in hospital.",
    "Following the death of {C} in {month} {year}, the Partnership decided to commission this review.",
)
_HARM_YEAR_SENTENCES = (
    "On {date}, {C} was admitted to hospital with serious injuries.",
    "In {month} {year}, {C} was taken to hospital by ambulance.",
    "The incident that led to this review happened in {month} {year}, when {C} was seriously injured.",
)
# The child's social care status: (sentence, what it states). Wales kept a child protection register.
_SOCIAL_CARE_SENTENCES: tuple[tuple[str, dict[str, bool]], ...] = (
    ("{C} was a looked after child, placed with foster carers.", {"looked_after": True}),
    (
        "{C} had been in the care of the local authority under section 20 since {year_before}.",
        {"looked_after": True},
    ),
    ("{C} was subject to a full care order and lived in a children's home.", {"looked_after": True}),
    (
        "{C} was subject to a child protection plan under the category of neglect.",
        {"child_protection_plan": True},
    ),
    ("In {year_before} {C} was made subject to a child protection plan.", {"child_protection_plan": True}),
    ("{C} was supported as a child in need under section 17.", {"child_in_need": True}),
    ("{C} had a child in need plan, which was reviewed every three months.", {"child_in_need": True}),
    ("{C} was known to children's social care.", {"known_to_social_care": True}),
    ("A social worker was allocated to {C} in {year_before}.", {"known_to_social_care": True}),
    ("{C} was not known to children's social care.", {"known_to_social_care": False}),
    ("{C} had never been subject to a child protection plan.", {"child_protection_plan": False}),
    ("{C} was not a looked after child.", {"looked_after": False}),
)
_SOCIAL_CARE_DISTRACTORS = (
    "{C}'s older brother had been looked after by the local authority.",
    "It is not known whether {C} had been assessed as a child in need.",
    "When a child is subject to a child protection plan, the core group should meet regularly.",
)


def _circumstances(case: Case, stated: Stated) -> list[str]:
    """Sentences on the incident's date, who harmed the child and the child's social care status, recorded in
    `stated`. Drawn from their own generator so that the rest of the report is the same as without them."""
    rng = random.Random(f"circumstances:{case.pseudonym}:{case.child.full}:{case.incident_date.isoformat()}")
    he = "he" if case.sex == "male" else "she"
    his = "his" if case.sex == "male" else "her"
    slots = {
        "C": case.pseudonym,
        "he": he,
        "his": his,
        "His": his.capitalize(),
        "date": f"{case.incident_date.day} {lexicon.MONTHS[case.incident_date.month - 1]} {case.incident_date.year}",
        "month": lexicon.MONTHS[case.incident_date.month - 1],
        "year": str(case.incident_date.year),
        "year_before": str(case.incident_date.year - 1),
    }
    out: list[str] = []
    if rng.random() < 0.7:
        pool = _DEATH_YEAR_SENTENCES if case.outcome == "died" else _HARM_YEAR_SENTENCES
        out.append(rng.choice(pool).format_map(slots))
        stated.year_incident = case.incident_date.year
    if case.death_category in _INTRA_FAMILIAL_DEATHS and rng.random() < 0.7:
        out.append(rng.choice(_INTRA_FAMILIAL_SENTENCES).format_map(slots))
        stated.harm_sources.add("intra_familial")
    elif case.death_category == "homicide" and rng.random() < 0.7:
        out.append(rng.choice(_EXTRA_FAMILIAL_SENTENCES).format_map(slots))
        stated.harm_sources.add("extra_familial")
    welsh = case.framework == "wales"
    for sentence, states in rng.sample(_SOCIAL_CARE_SENTENCES, rng.choice((0, 1, 1, 2))):
        if any(stated.social_care.get(flag, value) != value for flag, value in states.items()):
            continue  # never state a status and its denial
        if welsh:
            sentence = sentence.replace(
                "subject to a child protection plan", "on the child protection register"
            )
        out.append(sentence.format_map(slots))
        stated.social_care.update(states)
    if rng.random() < 0.3:
        out.append(rng.choice(_SOCIAL_CARE_DISTRACTORS).format_map(slots))
    return out


def _segments(text: str) -> Segments:
    return [text]


def social_care_truth(stated: Stated) -> dict[str, bool | None]:
    """The four flags as the report states them; a plan or being looked after is involvement with social care."""
    flags: dict[str, bool | None] = {
        flag: stated.social_care.get(flag)
        for flag in ("looked_after", "child_protection_plan", "child_in_need", "known_to_social_care")
    }
    if any(flags[flag] is True for flag in ("looked_after", "child_protection_plan", "child_in_need")):
        flags["known_to_social_care"] = True
    return flags
