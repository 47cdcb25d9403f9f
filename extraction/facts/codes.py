"""Harm types, risk factors and practice themes: trigger phrases per code, and the scan that finds them.

A code is counted when at least one *affirmed* mention (see `extraction.facts.negation`) appears anywhere
outside the table of contents and the references. Mentions in terms of reference and recommendations
count too: keeping the rule this simple makes it predictable for the people who confirm each code, and
every counted code carries the sentences that caused it.

Trigger phrases are regular expressions over folded text (lower case, plain quotes and hyphens; a space
matches any run of spaces). They are written to catch the many ways authors say each thing, and to leave
alone the near misses ("escalation of violence" is not the practice theme "escalation").
"""

from __future__ import annotations

from collections.abc import Mapping
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
        r"parental criminality",
        _PARENT
        + r" [^.;]{0,40}(?:criminal (?:record|history|convictions?)|previous convictions|custodial sentence"
        r"|in prison|imprisoned|offending history)",
        r"(?:had|has) (?:a )?(?:criminal record|previous convictions|history of offending)",
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
        r"(?:attempted|attempt to take (?:her|his) own life|suicide attempts?)",
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
        r"(?:case )?transfers? (?:between|of the case)",
        r"transferred between",
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


def scan(index: TextIndex, phrases: PhraseSet, scope: Scope) -> dict[str, Hits]:
    """Affirmed mentions of each code outside the contents and references, in the order of `phrases`."""
    found: dict[str, Hits] = {}
    folded = index.folded
    for code, match in phrases.finditer(index):
        start, end = match.span()
        sentence_start, sentence_end = index.context_span(start)
        if not is_affirmed(folded[sentence_start:start], folded[end:sentence_end], scope):
            continue
        hits = found.setdefault(code, Hits())
        hits.count += 1
        if len(hits.evidence) < MAX_EVIDENCE_PER_CODE:
            hits.evidence.append(index.sentence_evidence(start, end))
    return found


def find_harm_types(index: TextIndex) -> dict[str, Hits]:
    return _in_vocabulary_order(scan(index, _HARM_TYPES, Scope.RISK), HARM_TYPES)


def find_risk_factors(index: TextIndex) -> dict[str, Hits]:
    return _in_vocabulary_order(scan(index, _RISK_FACTORS, Scope.RISK), RISK_FACTORS)


def find_practice_themes(index: TextIndex) -> dict[str, Hits]:
    return _in_vocabulary_order(scan(index, _PRACTICE_THEMES, Scope.THEME), PRACTICE_THEMES)


def _in_vocabulary_order(found: dict[str, Hits], vocabulary: Mapping[str, str]) -> dict[str, Hits]:
    return {code: found[code] for code in vocabulary if code in found}
