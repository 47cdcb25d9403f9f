"""Harm types, risk factors and practice themes: trigger phrases per code, and the scan that finds them.

A code is counted when at least one *affirmed* mention (see `extraction.facts.negation`) that speaks
about the case appears outside the table of contents and the references; every counted code carries the
sentences that caused it. Three kinds of mention say nothing about the family or the practice, and are
passed over:

- the name of a role, team or service: "the independent domestic violence adviser made a referral", "the
  substance misuse worker noted", "Westshire Domestic Abuse Service", "the child exploitation team".
  Reports name these practitioners for many reasons; a family seeing the drugs worker is not evidence of
  drug misuse, and the factor itself is nearly always stated elsewhere when it was present;
- a policy, procedure or document, unless someone is said to use or follow it: "the threshold document
  was open to interpretation" and "the escalation policy was revised" are about paper, while "the school
  did not use the escalation policy" is about practice;
- a question ("How effectively did agencies share information?"), as terms of reference ask them; and,
  for harm types and risk factors only, a recommendation ("agencies should review their procedures for
  recording domestic abuse incidents"), which is about what should change, not what the family lived
  with. For practice themes a recommendation is the theme's plainest statement and still counts.

Trigger phrases are regular expressions over folded text (lower case, plain quotes and hyphens; a space
matches any run of spaces). They are written to catch the many ways authors say each thing, and to leave
alone the near misses ("escalation of violence" is not the practice theme "escalation").
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Final

from casereviews.learning.vocabulary import HARM_TYPES, PRACTICE_THEMES, RISK_FACTORS
from extraction.facts.negation import Scope, is_affirmed
from extraction.facts.phrases import PhraseSet
from extraction.facts.text import TextIndex, phrase_pattern
from extraction.record import Evidence

# Enough passages for a reviewer to confirm a code; a report may mention domestic abuse 200 times.
MAX_EVIDENCE_PER_CODE: Final = 5

_PARENT: Final = r"(?:mother|father|mum|dad|parent|parents|carer|carers|step-?father|step-?mother)(?:'s|s')?"

HARM_TYPE_TRIGGERS: Final[dict[str, tuple[str, ...]]] = {
    "physical_abuse": (
        r"physical(?:ly)? (?:abuse|abused|harmed|assaulted|chastis[a-z]*)",
        r"non[- ]?accidental (?:injury|injuries|head injury|head injuries|trauma)",
        r"nai",
        r"inflicted (?:injury|injuries|head injury|head injuries|bruising|fractures?)",
        r"abusive head (?:trauma|injury)",
        r"shaken baby",
        r"(?:was|had been|being) (?:shaken|beaten|punched|kicked|assaulted)",
    ),
    "neglect": (
        r"neglect",
        r"neglected",
        r"neglectful",
        r"neglecting",
        r"poor (?:home|living) conditions",
        r"home conditions (?:were|was) (?:poor|squalid|unhygienic)",
        r"squalid",
        r"failure to thrive",
        r"faltering growth",
        r"malnourish[a-z]*",
        r"malnutrition",
        r"starvation",
    ),
    "sexual_abuse": (
        r"sexual(?:ly)? (?:abuse|abused|assault|assaulted|harmed)",
        r"child sexual abuse",
        r"csa",
        r"rape|raped",
        r"indecent assault",
        r"sexual offences? against",
    ),
    "sexual_exploitation": (
        r"sexual(?:ly)? exploit(?:ation|ed)",
        r"cse",
        r"groomed|grooming",
        r"exploited sexually",
    ),
    "criminal_exploitation": (
        r"criminal(?:ly)? exploit(?:ation|ed)",
        r"cce",
        r"county lines",
        r"drug (?:running|dealing|debt)",
        r"exploited (?:criminally|to (?:sell|carry|deal))",
    ),
    "emotional_abuse": (
        r"emotional(?:ly)? (?:abuse|abused|harm|harmed)",
        r"psychological(?:ly)? (?:abuse|abused|harm)",
    ),
    "fabricated_induced_illness": (
        r"fabricated (?:or|and|/) induced illness",
        r"fabricated illness",
        r"induced illness",
        r"fii",
        r"perplexing presentations?",
        r"munchausen'?s? (?:syndrome )?by proxy",
        r"illness induction",
        # A carer's account that doctors could not find: the usual way a report describes FII before it
        # names it ("mother reported symptoms that were not observed by ward staff").
        _PARENT + r" (?:had )?(?:fabricated|exaggerated|invented|induced|falsified) (?:the |her |his |(?:child|"
        r"[a-z]+)'s )?(?:symptoms|illness|illnesses|seizures|medical (?:history|records|needs))",
        _PARENT + r" (?:reported|described) (?:symptoms|seizures|episodes) (?:that|which) (?:were|had) (?:not|never)"
        r" (?:been )?(?:observed|seen|witnessed|found|corroborated)",
        r"symptoms (?:were|had) (?:not|never) (?:been )?(?:observed|witnessed|corroborated) by (?:any )?"
        r"(?:staff|professionals|clinicians|doctors|nurses|ward staff|medical staff)",
    ),
}

RISK_FACTOR_TRIGGERS: Final[dict[str, tuple[str, ...]]] = {
    "domestic_abuse": (
        r"domestic (?:abuse|violence|incidents?|assaults?)",
        r"dva?",
        r"coercive (?:and controlling )?(?:control|behaviour)",
        r"controlling (?:and coercive )?behaviours?",
        r"intimate partner (?:violence|abuse)",
        r"(?:violent|abusive) (?:relationship|partner|ex-partner)",
        r"marac",
    ),
    "parental_mental_ill_health": (
        _PARENT + r" (?:poor |deteriorating |own )?(?:mental (?:ill[- ]?)?health|depression|anxiety|psychosis"
        r"|personality disorder|bipolar|schizophrenia)",
        r"(?:maternal|paternal|parental|perinatal) (?:mental (?:ill[- ]?)?health|depression|psychosis)",
        r"post[- ]?natal depression",
        r"postpartum (?:depression|psychosis)",
        r"(?:mother|father) (?:was|had been|is) (?:diagnosed with|treated for|suffering from|depressed"
        r"|anxious)",
        r"(?:mother|father) (?:had|has) (?:a history of )?(?:depression|anxiety|psychosis|mental health"
        r" (?:difficulties|problems|issues|needs))",
    ),
    "parental_alcohol_misuse": (
        r"alcohol (?:misuse|abuse|dependen[a-z]*|addiction|problems?|issues?|use)",
        r"misus(?:e|ed|ing) alcohol",
        r"alcoholi(?:c|sm)",
        r"(?:heavy|excessive|binge|problem|problematic) drinking",
        r"drinking (?:heavily|to excess|alcohol)",
        r"(?:was|were|had been) (?:drunk|intoxicated|drinking)",
        r"under the influence of alcohol",
    ),
    "parental_drug_misuse": (
        r"substance (?:misuse|abuse|use)",
        r"(?:illicit )?drug (?:misuse|abuse|use|dependen[a-z]*|addiction|taking)",
        r"misus(?:e|ed|ing) (?:drugs|substances)",
        r"(?:using|used|took|taking) (?:illicit )?drugs",
        r"illicit drugs?",
        r"cannabis",
        r"heroin",
        r"cocaine",
        r"crack",
        r"amphetamines?",
        r"methadone",
        r"class a",
    ),
    "parental_learning_disability": (
        r"parental learning (?:disabilit(?:y|ies)|difficult(?:y|ies))",
        _PARENT + r" [^.;]{0,40}learning (?:disabilit(?:y|ies)|difficult(?:y|ies))",
    ),
    "parental_criminality": (
        r"parental (?:criminality|offending|imprisonment|incarceration)",
        _PARENT
        + r" [^.;]{0,40}(?:criminal (?:record|history|convictions?)|previous convictions|custodial sentence"
        r"|in prison|imprisoned|offending history|(?:was|were) (?:remanded|sentenced|jailed|convicted)"
        r"|released from (?:prison|custody)|on licence|licence conditions|on remand|on bail|on probation"
        r"|known to (?:the )?police for|(?:a )?(?:number of |several |many )?convictions for)",
        r"(?:had|has) (?:a )?(?:criminal record|previous convictions|history of offending|convictions for"
        r"|(?:a )?(?:number of |several |many )?convictions for)",
        r"(?:registered )?sex offenders?",
        r"mappa",
        r"multi-?agency public protection arrangements",
        r"(?:released|recently released) from (?:prison|custody)",
        r"subject to (?:a )?(?:licence|probation supervision|a suspended sentence|a community order)",
        r"known to (?:the )?police for (?:violent |sexual |drug |drugs |weapons |serious )?"
        r"(?:offences|offending|violence|assaults?|dealing)",
    ),
    "young_parents": (
        r"young (?:mother|father|parent|parents|mum|dad)",
        r"teenage (?:mother|father|parent|parents|mum|dad|pregnancy)",
        r"(?:mother|father) was (?:only )?(?:1[3-9]|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen"
        r"|nineteen)"
        r"(?: years old)? when",
    ),
    "unknown_male": (
        r"(?:unknown|unidentified|unnamed|new|unrelated) (?:male|man|men|adult male)",
        r"(?:mother's |her )?new (?:partner|boyfriend)",
        r"(?:male|man|men) (?:in|visiting|living in) the (?:household|home|house)",
        r"partner was (?:not|never) known to (?:professionals|agencies|services)",
    ),
    "housing_instability": (
        r"homeless(?:ness)?",
        r"temporary accommodation",
        r"housing (?:instability|insecurity|difficulties|problems|issues)",
        r"(?:unstable|insecure|unsuitable|overcrowded|poor) (?:housing|accommodation)",
        r"overcrowd(?:ed|ing)",
        r"evict(?:ed|ion)",
        r"frequent (?:house |home )?moves",
        r"moved (?:house|address|home)(?:s)? (?:frequently|several times|many times|often)",
        r"sofa[- ]surfing",
        r"no fixed abode",
    ),
    "poverty": (
        r"poverty",
        r"financial (?:difficulties|hardship|pressures?|problems|worries|strain)",
        r"debts?",
        r"food ?banks?",
        r"rent arrears",
        r"low income",
        r"deprivation",
        r"benefit sanctions?",
        r"(?:no|little) money",
    ),
    "social_isolation": (
        r"social(?:ly)? isolat(?:ed|ion)",
        r"isolated(?! (?:incidents?|events?|occasions?|episodes?|injur(?:y|ies)|bruis[a-z]*))",
        # "each incident was considered in isolation" is a practice finding, not the family's isolation.
        r"(?<!in\s)isolation",
        r"lack of (?:family |social |informal )?support",
        r"(?:no|limited|little|few) (?:family |social )?support (?:network|networks|system)",
        r"lonel(?:y|iness)",
    ),
    "previous_child_removed": (
        r"(?:older|previous|other) (?:child|children|siblings?|half-siblings?) (?:had been |were |was |had )?"
        r"(?:removed|adopted|placed for adoption|taken into care)",
        r"(?:previous|prior|earlier|recurrent) care proceedings",
        r"previously (?:had )?(?:a )?(?:child|children) removed",
        r"removed from (?:her|his|their|the mother's|the father's|the parents') care",
    ),
    "adolescent_self_harm": (
        r"self[- ]?harm(?:ed|ing)?",
        r"suicidal (?:ideation|thoughts|feelings)",
        r"attempted (?:suicide|to take (?:her|his|their) own life|to hang (?:her|him)self)",
        r"attempts? to take (?:her|his|their) own life",
        r"suicide attempts?",
        r"cut(?:ting)? (?:her|him)self",
        r"took an overdose",
    ),
    "missing_episodes": (
        r"missing episodes?",
        r"(?:reported|went|was|were|been) missing",
        r"missing from (?:home|care|school)",
        r"return (?:home )?interviews?",
        r"episodes of going missing",
    ),
    "online_harm": (
        r"online (?:abuse|harm|grooming|exploitation|bullying|safety|contact|activity|risks?)",
        r"cyber[- ]?bullying",
        r"social media",
        r"sexting",
        r"(?:indecent|nude|sexual|explicit) (?:images|photographs|photos|pictures)",
        r"snapchat|instagram|tiktok|whatsapp|facebook",
    ),
}

PRACTICE_THEME_TRIGGERS: Final[dict[str, tuple[str, ...]]] = {
    "information_sharing": (
        r"information[- ]sharing",
        r"shar(?:e|ed|ing) (?:of )?(?:the |this |relevant |key |that )?information",
        r"information (?:was|were|had been|is) (?:not )?(?:shared|passed on|communicated)",
        r"(?:communication|communicating) between (?:agencies|professionals|services|partners)",
        r"inter-?agency communication",
    ),
    "voice_of_the_child": (
        r"voice of (?:the )?(?:child|children|young person)",
        r"(?:the )?(?:child's|children's|young person's) voices?",
        r"lived experiences?",
        r"what (?:life|daily life|it) was (?:really )?like for",
        r"(?:was|were|been|being) (?:not |never )?(?:seen|spoken to) (?:on (?:her|his|their) own|alone)",
        r"wishes and feelings",
        r"direct work with (?:the )?(?:child|children|young person)",
    ),
    "professional_curiosity": (
        r"professional curiosity",
        r"curiosity",
        r"(?:more |not |less )?curious",
        r"respectful uncertainty",
        r"healthy scepticism",
    ),
    "disguised_compliance": (
        r"disguised compliance",
        r"(?:superficial|apparent|false|tokenistic) (?:co-?operation|compliance|engagement)",
    ),
    "escalation": (
        r"escalation(?! of (?:the )?(?:violence|abuse|risk|behaviour|incidents|conflict|harm|self-harm))",
        r"escalat(?:e|ed|ing) (?:concerns|the case|this|their concerns|matters|to (?:a )?(?:manager|senior))",
        r"professional (?:challenge|disagreements?)",
        r"challenge (?:other )?(?:professionals|agencies|decisions)",
        r"resolution of professional",
    ),
    "assessment_of_risk": (
        r"risk assessments?",
        r"assessments? of (?:the )?risks?",
        r"assess(?:ed|ing)? (?:the )?(?:level of )?risks?",
        r"dash (?:risk )?(?:assessment|checklist|form)",
        r"risks? (?:was|were) (?:not )?(?:assessed|underestimated|understood|identified)",
        r"underestimat(?:ed|ion of) (?:the )?risk",
    ),
    "unseen_men": (
        r"(?:unseen|invisible|hidden) (?:men|man|males?|fathers?)",
        r"partner was (?:not|never) known to (?:professionals|agencies|services)",
        r"(?:fathers|men|male carers) (?:were|was) (?:not|rarely|never) (?:seen|engaged|included|assessed"
        r"|considered)",
        r"(?:role|engagement|inclusion|assessment) of (?:fathers|men|male carers|the father)",
        r"male carers?",
    ),
    "hindsight_free_analysis": (
        r"(?:without|free (?:of|from)|avoid(?:ing)?|beware of) (?:the )?(?:benefit of )?hindsight(?: bias)?",
        r"hindsight(?: bias)?",
        r"outcome bias",
    ),
    "supervision": (
        r"(?:professional|clinical|safeguarding|reflective|management|managerial|case|staff|practice|line"
        r" management"
        r"|group|formal|regular) supervision",
        r"supervision (?:sessions?|arrangements|records|notes|was|of (?:the )?(?:practitioner|social worker"
        r"|staff))",
        r"in supervision",
        r"(?:management|managerial) oversight",
    ),
    "transitions": (
        r"transitions? (?:between|to|from|into) (?:services|adult|schools?|areas|local authorit(?:y|ies))",
        # A case passed between teams of one service is routine; a transition crosses a boundary between
        # areas, organisations or children's and adults' services.
        r"(?:case )?transfers? (?:between|from one|to another) (?:local authorit(?:y|ies)|areas?|counties|boroughs"
        r"|agencies|services|organisations|health trusts|trusts|schools|gp practices)",
        r"transferred (?:between|to another|to a different|from one) (?:local authorit(?:y|ies)|areas?|counties"
        r"|boroughs|agencies|services|organisations|health trusts|trusts|schools|gp practices)",
        r"transferred to adult(?:s'?)? services",
        r"cross[- ]border",
        r"moved (?:between|to another|to a different) (?:local authorit(?:y|ies)|areas?|counties)",
        r"hand-?overs?",
        r"step[- ]down",
    ),
    "thresholds": (
        r"thresholds?",
        r"level of need",
    ),
}


@dataclass
class Hits:
    """Affirmed mentions of one code: how many, and the first few as evidence."""

    count: int = 0
    evidence: list[Evidence] = field(default_factory=list)


def compile_triggers(triggers: Mapping[str, tuple[str, ...]]) -> PhraseSet:
    return PhraseSet({code: phrase_pattern(patterns) for code, patterns in triggers.items()})


_HARM_TYPES: Final = compile_triggers(HARM_TYPE_TRIGGERS)
_RISK_FACTORS: Final = compile_triggers(RISK_FACTOR_TRIGGERS)
_PRACTICE_THEMES: Final = compile_triggers(PRACTICE_THEME_TRIGGERS)

# Words that make a mention the name of a practitioner, team or service ("domestic abuse [support] worker",
# "substance misuse service", "child exploitation team"), optionally after a few words that such names
# carry between the topic and the noun.
_ROLE_NOUNS: Final = (
    r"advisers?|advisors?|advocates?|workers?|services?|teams?|practitioners?|nurses?|co-?ordinators?|officers?"
    r"|leads?|specialists?|champions?|consultants?|counsellors?|therapists?|partnerships?|units?|agency|agencies"
    r"|providers?|projects?|charity|charities|organisations?|hubs?|clinics?|panels?|conferences?|forums?|boards?"
    r"|sub-?groups?|navigators?|mentors?|liaison|caseworkers?"
)
_NAME_FILLERS: Final = (
    r"and|&|support|recovery|treatment|outreach|prevention|liaison|specialist|community|partnership|family"
    r"|intervention|adult|adults'?|young people'?s?|children'?s?|sexual violence|alcohol|drugs?|health|response"
    r"|safeguarding|independent|multi-?agency|referral"
)
_ROLE_NAME_AFTER: Final = re.compile(rf" *(?:(?:{_NAME_FILLERS}) +){{0,3}}(?:{_ROLE_NOUNS})(?![a-z])")
# A policy, procedure or document named after the topic ("the escalation policy", "threshold document").
_DOCUMENT_AFTER: Final = re.compile(
    r" *(?:(?:and|&|partnership|multi-?agency|local|national|pan-?[a-z]+|safeguarding|resolution) +){0,2}"
    r"(?:polic(?:y|ies)|procedures?|protocols?|guidance|guidelines|documents?|toolkits?|strategy|strategies"
    r"|pathways?|frameworks?|agreements?|templates?|forms?|leaflets?)(?![a-z])"
)
# "the policy on thresholds", "guidance about information sharing"
# Training is left out: "training on professional curiosity" is about what practitioners do.
_DOCUMENT_BEFORE: Final = re.compile(
    r"(?<![a-z])(?:polic(?:y|ies)|procedures?|protocols?|guidance|guidelines|documents?|strategy)"
    r" (?:on|for|about|regarding|relating to|covering) (?:the )?$"
)
# "the school did not use the escalation policy": a document used (or not) by someone is practice.
_DOCUMENT_USED_BEFORE: Final = re.compile(
    r"(?<![a-z])(?:use|used|using|follow|followed|following|invoke|invoked|invoking|apply|applied|applying"
    r"|consult|consulted|consulting|refer to|referred to|aware of) (?:the |its |their |this |that |an? )?"
    r"(?:[a-z'-]+ ){0,2}$"
)
_BEFORE_CHARS: Final = 80


def scan(
    index: TextIndex,
    phrases: PhraseSet,
    scope: Scope,
    *,
    speaks_to_case: Callable[[int, int], bool] | None = None,
) -> dict[str, Hits]:
    """Affirmed mentions of each code outside the contents and references, in the order of `phrases`.

    `speaks_to_case(start, end)`, when given, is asked about every affirmed mention; those it rejects are
    passed over.
    """
    found: dict[str, Hits] = {}
    folded = index.folded
    for code, match in phrases.finditer(index):
        start, end = match.span()
        sentence_start, sentence_end = index.context_span(start)
        if not is_affirmed(folded[sentence_start:start], folded[end:sentence_end], scope):
            continue
        if speaks_to_case is not None and not speaks_to_case(start, end):
            continue
        hits = found.setdefault(code, Hits())
        hits.count += 1
        if len(hits.evidence) < MAX_EVIDENCE_PER_CODE:
            hits.evidence.append(index.sentence_evidence(start, end))
    return found


def names_a_role_or_service(text: str, folded: str, end: int) -> bool:
    """True when the words after a mention ending at `end` make it the name of a role, team or service."""
    name = _ROLE_NAME_AFTER.match(folded, end, end + 60)
    if name is None:
        return False
    # A heading has no full stop, so "Professional curiosity\nPractitioners did not..." must not read as a
    # role: a name wrapped onto the next line ("domestic violence\nadviser") goes on in lower case.
    gap = text[end : name.end()]
    return "\n" not in gap or not gap[gap.rindex("\n") + 1 :].lstrip()[:1].isupper()


def names_a_document(folded: str, start: int, end: int) -> bool:
    """True when a mention names a policy, procedure or document that nobody is said to use."""
    before = folded[max(0, start - _BEFORE_CHARS) : start]
    if _DOCUMENT_USED_BEFORE.search(before):
        return False
    return _DOCUMENT_AFTER.match(folded, end, end + 60) is not None or _DOCUMENT_BEFORE.search(before) is not None


class CaseStatements:
    """Decides whether a mention speaks about the case (see the module docstring for the rules)."""

    def __init__(self, index: TextIndex, recommendations: Sequence[tuple[int, int]] = ()) -> None:
        """`recommendations` are spans whose mentions do not count (empty for practice themes)."""
        self._index = index
        spans = sorted(recommendations)
        self._recommendation_starts = [start for start, _ in spans]
        self._recommendation_ends = [end for _, end in spans]

    def __call__(self, start: int, end: int) -> bool:
        folded = self._index.folded
        if names_a_role_or_service(self._index.text, folded, end) or names_a_document(folded, start, end):
            return False
        if self._in_recommendation(start):
            return False
        _, sentence_end = self._index.sentence_at(start)
        return "?" not in folded[max(start, sentence_end - 3) : sentence_end]

    def _in_recommendation(self, offset: int) -> bool:
        position = bisect.bisect_right(self._recommendation_starts, offset) - 1
        return position >= 0 and offset < self._recommendation_ends[position]


def find_harm_types(index: TextIndex, recommendations: Sequence[tuple[int, int]] = ()) -> dict[str, Hits]:
    """Harm types stated about the case; `recommendations` are the spans of the review's recommendations."""
    case = CaseStatements(index, recommendations)
    return _in_vocabulary_order(scan(index, _HARM_TYPES, Scope.RISK, speaks_to_case=case), HARM_TYPES)


def find_risk_factors(index: TextIndex, recommendations: Sequence[tuple[int, int]] = ()) -> dict[str, Hits]:
    """Risk factors stated about the family; `recommendations` are the spans of the review's recommendations."""
    case = CaseStatements(index, recommendations)
    return _in_vocabulary_order(scan(index, _RISK_FACTORS, Scope.RISK, speaks_to_case=case), RISK_FACTORS)


def find_practice_themes(index: TextIndex) -> dict[str, Hits]:
    """Practice themes, from statements about practice anywhere, recommendations included."""
    case = CaseStatements(index)
    return _in_vocabulary_order(scan(index, _PRACTICE_THEMES, Scope.THEME, speaks_to_case=case), PRACTICE_THEMES)


def _in_vocabulary_order(found: dict[str, Hits], vocabulary: Mapping[str, str]) -> dict[str, Hits]:
    return {code: found[code] for code in vocabulary if code in found}
