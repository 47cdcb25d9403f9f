"""The agencies involved with the child and family, by the names the report gives them.

A report names its agencies as proper names: "Northshire Police", "Eastvale NHS Foundation Trust",
"Castlereach County Council Children's Social Care", "The Probation Service (Glanmor area)". Such a name is
found by its shape: a run of capitalised words (with "and", "of", "for", "upon" between them, and a
bracketed qualifier after) that ends in the word an organisation's name ends in (`_HEADS`: Police, Trust,
Council, Service, Team, Hospital, Medical Practice, Academy ...). To be a name rather than a kind of
agency, it must hold a word that names no kind of service: a place or a proper name ("Northshire", not
"Children's Social Care" or "the Police"). The review's own partnership or board, national panels and
inspectorates are not agencies involved with the family.

A name counts when at least one mention of it is affirmed: "Child A was not known to Northshire Youth
Justice Service" does not count (`extraction.facts.negation.Scope.AGENCY`). Names are returned as written,
with their white space made single spaces, once each (letter case ignored), in order of first mention; a
name that is the start of a longer one found too ("Northshire County Council" beside "Northshire County
Council Children's Social Care") is left out.
"""

from __future__ import annotations

import re
from typing import Final

from extraction.facts.codes import MAX_EVIDENCE_PER_CODE, Hits
from extraction.facts.negation import Scope, is_affirmed
from extraction.facts.text import TextIndex


def _word_set(words: str) -> frozenset[str]:
    return frozenset(words.split())


_WORD: Final = r"(?:[A-Z][A-Za-z'’\-]*|[A-Z]{2,}s?|[0-9]{1,2}-[0-9]{2})"
_CONNECTOR: Final = r"(?:and|of|for|upon|on|&)"
# Words of a name are one or a few spaces apart: a tab or a "|" is a table's cell boundary.
_GAP: Final = r" {1,3}"
_NAME: Final = re.compile(
    rf"(?P<words>{_WORD}(?:{_GAP}(?:{_CONNECTOR}{_GAP})?{_WORD})*)"
    r"(?:[ \t]*(?P<qualifier>\([A-Z][^()]{1,40}\)))?"
)
_NAME_WORD: Final = re.compile(r"\S+")

# The words an organisation's name ends in, before any bracketed qualifier. "Practice" only as a medical
# practice: "Good Practice" and "Improving Systems and Practice" are headings.
_HEADS: Final = re.compile(
    r"(?:Police|Constabulary|Police Service|Council|Trust|Services?|Team|Hospitals?|Infirmary|Surgery"
    r"|(?:Medical|GP|Group|Family|Health) Practice|Clinic|(?:Health|Medical) Centre"
    r"|Social Care|Health Visiting|Women's Aid|Women’s Aid|CCG|ICB"
    r"|(?:Integrated Care|Health|University Health) Board|Housing Association|Unit|Hub|CAMHS|Barnardo's"
    r"|Barnardo’s|NSPCC|Home-Start)$"
)
# The last words of `_HEADS`: a run of capitalised words without one names no agency.
_HEAD_WORD: Final = re.compile(
    r"(?:Police|Constabulary|Council|Trust|Service|Team|Hospital|Infirmary|Surgery|Practice|Clinic|Centre"
    r"|Care|Visiting|Aid|CCG|ICB|Board|Association|Unit|Hub|CAMHS|Barnardo|NSPCC|Home-Start)"
)
# Capitalised words that start a sentence, a label or a heading before a name: "In May Northshire Police
# attended", "The Role of Northshire Police".
_BEFORE_A_NAME: Final = _word_set(
    """
    in on at by to from with when after before during both however although while whilst then also and or
    but the a an this that these those its their his her our all each every other others some many most
    january february march april may june july august september october november december monday tuesday
    wednesday thursday friday saturday sunday recommendation finding learning lesson point section part
    chapter appendix table figure theme episode reviewer mr mrs ms dr child baby it there he she they we
    following agency agencies contribution name lead owner timescale date event no. response role
    involvement views work summary overview analysis history contact of for
    """
)
# A child's school, nursery or children's centre is named only to identify the child, and is redacted as
# personal data (`extraction.pii`): the library must not show or filter on it.
_SETTING: Final = re.compile(
    r"\b(?:School|Academy|College|Nursery|Pupil Referral Unit|Children['’]s Centre|Family Centre)$"
)
# Words that name a kind of agency or service, not a particular one.
_GENERIC: Final = _word_set(
    """
    the and of for upon on & police constabulary council county city borough district metropolitan trust nhs
    foundation service services team hospital hospitals infirmary surgery medical practice gp group clinic
    centre center health community children's children’s childrens children child adolescent adult adults
    mental social care youth justice offending probation education educational safeguarding school schools
    nursing early help housing options ambulance drug drugs alcohol recovery domestic abuse violence
    partnership family families visiting university royal general acute integrated board primary secondary
    specialist emergency department national local authority sexual assault referral unit hub multi-agency
    mash camhs women's women’s aid substance misuse academy college infant junior high nursery
    paediatric paediatrics maternity midwifery perinatal liaison diversion division area regional south north
    east west central the-probation virtual welfare support intervention prevention homeless homelessness
    association worker workers crisis home treatment department's team's victim victims commissioning ccg icb
    voluntary sector street triage first contact front door marac mappa icpc rcpc cin cp dsl hv csc idva ed
    yot yos sarc ae a&e conference risk assessment protection plan initial review strategy meeting discussion
    """
)
# The review's own partnership or board, and bodies that oversee rather than work with a family.
_NOT_INVOLVED: Final = re.compile(
    r"safeguarding (?:children |adults )?(?:board|partnership|partners)|\b(?:lscb|scp|rscb|sab|cdop)\b"
    r"|child death overview|practice review panel|\bofsted\b|care quality commission|\bcqc\b|inspectorate"
    r"|department for education|home office|secretary of state|regional board",
    re.IGNORECASE,
)


def find_agencies(index: TextIndex) -> dict[str, Hits]:
    """Agencies with at least one affirmed mention, by name, in order of first mention."""
    found: dict[str, Hits] = {}
    names: dict[str, str] = {}  # case-folded name -> the name as first written
    folded = index.folded
    for match in _NAME.finditer(_names_text(index)):
        if _HEAD_WORD.search(match.group()) is None:
            continue
        for name, start, end in _agency_names(match):
            if index.is_excluded(start) or index.is_furniture(start):
                continue
            context_start, context_end = index.context_span(start, end)
            if not is_affirmed(folded[context_start:start], folded[end:context_end], Scope.AGENCY):
                continue
            key = names.setdefault(name.casefold(), name)
            hits = found.setdefault(key, Hits())
            hits.count += 1
            if len(hits.evidence) < MAX_EVIDENCE_PER_CODE:
                hits.evidence.append(index.sentence_evidence(start, end))
    longer = list(names)
    return {
        name: hits
        for name, hits in found.items()
        if not any(other.startswith(name.casefold() + " ") for other in longer)
    }


def _names_text(index: TextIndex) -> str:
    """The text with each line break that wraps running text made a space, the same length as the text.

    A name may wrap onto the next line of a PDF, but a list or table of agencies has one name a line, and
    those lines must not run together: only a line of running text (not a table row) that reaches most of
    the way across the column wraps, and not where it ends with a name and the next line starts another.
    """
    if index.wrap_width is None:
        return index.text
    wrapping = index.wrap_width // 2
    lines = index.text.split("\n")
    joined = []
    for number, line in enumerate(lines[:-1]):
        joined.append(line)
        joined.append(" " if _wraps(line, lines[number + 1], wrapping) else "\n")
    joined.append(lines[-1])
    return "".join(joined)


def _wraps(line: str, following: str, wrapping: int) -> bool:
    stripped = line.strip()
    if len(stripped) < wrapping or "|" in line or "\t" in line:
        return False
    if _HEADS.search(stripped) is None:
        return True
    starts_a_name = _NAME.match(following.lstrip())
    return starts_a_name is None or not _agency_names(starts_a_name)


_Word = tuple[int, int, str]  # start, end, the word


def _agency_names(match: re.Match[str]) -> list[tuple[str, int, int]]:
    """The agencies a run of capitalised words names, with their spans.

    "Northshire Police and Eastvale NHS Foundation Trust" is two names; "Redbarrow and District University
    Hospitals NHS Trust" and "Child and Adolescent Mental Health Service" are one, because their first
    part names no agency on its own.
    """
    offset = match.start("words")
    words = [
        (offset + word.start(), offset + word.end(), word.group())
        for word in _NAME_WORD.finditer(match.group("words"))
    ]
    qualifier = match.group("qualifier")
    qualified = None if qualifier is None else (" ".join(qualifier.split()), match.end("qualifier"))
    return _split_names(words, qualified)


def _split_names(words: list[_Word], qualified: tuple[str, int] | None) -> list[tuple[str, int, int]]:
    for position, (_, _, word) in enumerate(words):
        if word in ("and", "&") and 0 < position < len(words) - 1:
            left = _agency_name(words[:position], None)
            right = _split_names(words[position + 1 :], qualified)
            if left is not None and right:
                return [left, *right]
    named = _agency_name(words, qualified)
    return [] if named is None else [named]


def _agency_name(words: list[_Word], qualified: tuple[str, int] | None) -> tuple[str, int, int] | None:
    """The agency these words name, with its span, or None when they name no particular one.

    The name ends at the last word an organisation's name ends in, and starts after any words that begin a
    sentence or a label; a bracketed qualifier belongs to it only when it follows that last word.
    """
    last = next(
        (
            count
            for count in range(len(words), 0, -1)
            if _HEADS.search(" ".join(word for _, _, word in words[:count]))
        ),
        0,
    )
    first = 0
    while first < last and words[first][2].casefold().rstrip(":") in _BEFORE_A_NAME:
        first += 1
    if first == last:
        return None
    if first and words[first - 1][2] == "The" and all(_is_generic(word) for _, _, word in words[first:last]):
        first -= 1  # "The Probation Service (Glanmor area)" is the service's name
    kept = words[first:last]
    name = " ".join(word for _, _, word in kept)
    end = kept[-1][1]
    if last == len(words) and qualified is not None:
        name, end = f"{name} {qualified[0]}", qualified[1]
    if (
        _NOT_INVOLVED.search(name)
        or _SETTING.search(name)
        or all(_is_generic(word) for word in re.findall(r"[\w'’&-]+", name))
    ):
        return None
    return name, kept[0][0], end


def _is_generic(word: str) -> bool:
    return word.casefold() in _GENERIC
