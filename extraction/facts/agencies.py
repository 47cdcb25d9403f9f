"""Agencies involved with the child and family, under one normalised name each.

An agency is involved when an affirmed mention names it: "Child A was not known to children's social care"
does not count, but "information was not shared between the police and health" does (see
`extraction.facts.negation.Scope.AGENCY`). Names are the ones the library shows and filters on.
"""

from __future__ import annotations

from typing import Final

from extraction.facts.codes import Hits, compile_triggers, scan
from extraction.facts.negation import Scope
from extraction.facts.text import TextIndex

AGENCY_TRIGGERS: Final[dict[str, tuple[str, ...]]] = {
    "police": (r"police", r"constabulary", r"police officers?"),
    "children's social care": (
        r"children's social care",
        r"children's (?:services|social work|social services)",
        r"children and families (?:service|team|social work)",
        r"csc",
        r"(?:the |allocated |a )?social workers?",
        r"social work (?:team|service|assessment)",
        r"multi-agency safeguarding hub",
        r"mash",
    ),
    "health visiting": (r"health visit(?:or|ors|ing)", r"hv", r"0-19 (?:service|team)"),
    "GP": (r"gp", r"gps", r"general practi(?:ce|ces|tioner|tioners)", r"family doctor"),
    "midwifery": (r"midwi(?:fe|ves|fery)", r"antenatal (?:care|clinic|booking)"),
    "school": (r"schools?", r"academy", r"designated safeguarding lead", r"head ?teacher", r"class teacher"),
    "early years": (
        r"early years",
        r"nurser(?:y|ies)",
        r"children's centres?",
        r"childminders?",
        r"pre-?school",
    ),
    "CAMHS": (
        r"camhs",
        r"child and adolescent mental health",
        r"children and young people's mental health",
    ),
    "adult mental health": (
        r"adult mental health",
        r"community mental health (?:team|service)",
        r"cmht",
        r"perinatal mental health (?:team|service)",
        r"(?:mental health )?crisis (?:team|service|resolution)",
        r"psychiatrists?",
    ),
    "probation": (r"probation", r"community rehabilitation company", r"offender managers?"),
    "housing": (
        r"housing (?:providers?|officers?|associations?|department|services?|teams?|options|authority"
        r"|support)",
        r"homeless(?:ness)? (?:team|service|unit|prevention)",
        r"social landlord",
    ),
    "ambulance": (r"ambulance", r"paramedics?"),
    "emergency department": (
        r"emergency department",
        r"a ?& ?e",
        r"accident and emergency",
        r"minor injur(?:y|ies) unit",
        r"urgent care centre",
    ),
    "youth justice": (r"youth (?:justice|offending)", r"yot", r"yos"),
    "drug and alcohol service": (
        r"drug and alcohol (?:services?|teams?|workers?|treatment)",
        r"substance misuse (?:services?|teams?|workers?|treatment)",
        r"(?:drug|alcohol) (?:services?|teams?|treatment services?)",
        r"addiction services?",
    ),
    "voluntary sector": (
        r"voluntary (?:sector|organisations?|agenc(?:y|ies)|services?)",
        r"third sector",
        r"charit(?:y|ies)",
        r"women's aid",
        r"barnardo's",
        r"home-start",
        r"idvas?",
        r"independent domestic violence advis[eo]rs?",
    ),
    "education": (
        r"education (?:services?|welfare|department|psychologists?|team)",
        r"local authority education",
        r"virtual school",
        r"elective home education",
        r"special educational needs",
        r"pupil referral unit",
        r"alternative provision",
        r"colleges?",
    ),
}

_AGENCIES: Final = compile_triggers(AGENCY_TRIGGERS)


def find_agencies(index: TextIndex) -> dict[str, Hits]:
    """Agencies with at least one affirmed mention, in the order of `AGENCY_TRIGGERS`."""
    return scan(index, _AGENCIES, Scope.AGENCY)
