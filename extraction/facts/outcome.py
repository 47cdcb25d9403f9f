"""The outcome for the child (died, seriously harmed) and the category of death, with evidence.

A death counts only when a sentence says the *child* died: it names the child (pseudonym or role) and no
other person stands just before the verb ("Child A's grandfather died" does not count). Sentences quoting
the review criteria ("where a child has died or been seriously harmed") are skipped. Deaths are also
stated indirectly ("took her own life", "was found hanging", "was stabbed to death"); such phrases both
establish the death and give its category. Other category phrases ("non-accidental injuries",
"malnutrition", "found unresponsive in the parental bed") only say how a death came about, so they give
the category once the death is known. The category is the one with the most affirmed mentions, ties
broken by the order of `DEATH_CATEGORY_TRIGGERS`. "other" is never proposed: no phrase states it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from extraction.facts.codes import MAX_EVIDENCE_PER_CODE, Hits
from extraction.facts.negation import Scope, is_affirmed
from extraction.facts.phrases import PhraseSet
from extraction.facts.subject import Subject
from extraction.facts.text import Fact, TextIndex, phrase_pattern

# Infants are under 2 for the purposes of sudden unexpected death in infancy.
SUDI_MAX_AGE_YEARS: Final = 2

_DEATH: Final = (
    r"died",
    r"dies",
    # The Child Death Overview Panel and child death reviews are processes, not a death.
    r"death(?! overview| review)",
    r"passed away",
    r"(?:was|were) pronounced (?:dead|life extinct)",
    r"lost (?:his|her|their) life",
    r"(?:was|were) killed",
    r"fatal(?:ly)? (?:injured|injuries|assault|stabbing|incident)",
)

# (category, implies death) -> trigger phrases.
DEATH_CATEGORY_TRIGGERS: Final[dict[tuple[str, bool], tuple[str, ...]]] = {
    ("suicide", True): (
        r"died by suicide",
        r"death by suicide",
        r"took (?:his|her|their) own life",
        r"ended (?:his|her|their) (?:own )?life",
        r"(?:was|were) found hang(?:ing|ed)",
    ),
    ("suicide", False): (r"suicide(?! (?:attempts?|risk|prevention|ideation|threats?|plan|notes?))",),
    ("sudi", True): (
        r"sudden (?:and )?unexpected death in infancy",
        r"sudden unexplained death in infancy",
        r"sudi",
        r"sids",
        r"sudden infant death(?: syndrome)?",
        r"cot death",
    ),
    ("sudi", False): (
        r"died suddenly and unexpectedly",
        r"(?:sleeping|asleep) (?:on (?:a|the) sofa|in (?:an|the) adult bed|in the parents' bed)",
        r"(?:was|were) found (?:unresponsive|not breathing|lifeless)",
        r"found (?:him|her) (?:unresponsive|not breathing|lifeless)",
        r"co-?sleeping",
        r"unsafe sleep(?:ing)?(?: arrangements| environment)?",
    ),
    ("extreme_neglect", False): (
        r"starvation",
        r"starved",
        r"malnutrition",
        r"malnourish(?:ed|ment)",
        r"severe dehydration",
        r"emaciated",
    ),
    # Neglect as the cause of the death, not the neglect a child lived with ("experienced chronic neglect").
    ("extreme_neglect", True): (
        r"(?:died|death) (?:was )?(?:as a result of|because of|caused by|due to|from|of) (?:[a-z]+ ){0,3}?neglect",
    ),
    ("covert_homicide", True): (r"covert homicide", r"infanticide", r"neonaticide"),
    ("covert_homicide", False): (
        r"smother(?:ed|ing)",
        r"(?:deliberately )?suffocated",
        r"deliberate suffocation",
    ),
    ("fatal_physical_abuse", False): (
        r"non[- ]?accidental (?:injury|injuries|head injury|head injuries|trauma)",
        r"inflicted (?:injury|injuries|head injury|head injuries)",
        r"injur(?:y|ies) inflicted by",
        r"abusive head (?:trauma|injury)",
        r"unexplained (?:head )?injur(?:y|ies)",
        r"(?:was|had been) (?:shaken|beaten)",
    ),
    ("homicide", True): (
        r"stabbed to death",
        r"fatally (?:stabbed|shot|assaulted)",
        r"murder(?:ed)?",
        r"manslaughter",
        r"homicide",
        r"unlawful(?:ly)? kill(?:ed|ing)",
        # Killed by a person, not by a car or an illness.
        r"(?:was|were) killed by (?:an? |the |his |her |their )?(?:[a-z-]+ ){0,2}?(?:adult|man|woman|men|father"
        r"|mother|step-?father|step-?mother|partner|boyfriend|parent|carer|relative|person|peers?"
        r"|young (?:person|people|man|men)|teenager|gang|stranger|brother|sister|uncle|grandfather)",
    ),
    ("homicide", False): (r"(?:was|were) (?:stabbed|shot)", r"knife attack"),
    ("other_related", True): (r"drowned",),
    ("other_related", False): (
        r"drowning",
        r"road traffic (?:collision|accident)",
        r"house fire",
        r"accidental (?:death|overdose)",
    ),
}

SERIOUS_HARM_TRIGGERS: Final = (
    r"sustained (?:a |an )?(?:serious|significant|life-?threatening|severe|multiple|catastrophic) "
    r"(?:and [a-z-]+ )?injur(?:y|ies)",
    r"(?:was|were) (?:seriously|severely|gravely) (?:injured|harmed|hurt)",
    r"suffered (?:a |an )?(?:serious|significant|life-?threatening|life-?changing|severe|catastrophic)"
    r"(?: and [a-z-]+)? (?:injur(?:y|ies)|harm)",
    r"life-?changing (?:injury|injuries)",
    r"life-?threatening (?:injury|injuries|condition|harm)",
    r"(?:fractured skull|skull fractures?|rib fractures|multiple fractures|metaphyseal fractures?)",
    r"permanent (?:impairment|disability|disabilities|brain damage|brain injury)",
    r"(?:brain|head) injur(?:y|ies) (?:which|that) (?:will|are likely to) have",
    r"(?:subdural|retinal) (?:haematomas?|haemorrhages?|bleeds?)",
    r"(?:paediatric )?intensive care",
)

_CRITERIA_SENTENCE: Final = re.compile(
    r"(?:died|dies|death) or (?:[a-z]+ ){0,3}serious(?:ly)? (?:harm|injur)|serious(?:ly)? (?:harm|harmed"
    r"|injured)"
    r" or (?:[a-z]+ ){0,2}died|criteria|regulation|working together|where a child|the panel"
)
_NOT_A_DEATH: Final = re.compile(
    r"(?:nearly|almost|attempt(?:ed|s)?|threat(?:en(?:ed|s)?)?|risk of|thoughts of|fear(?:ed)? of|about|regarding"
    r"|discuss(?:ed)?"
    r"|mention(?:ed)?)\W*$"
)
_INFANT_CONTEXT: Final = re.compile(
    r"baby|infant|newborn|new-born|cot|moses basket|parental bed|parents' bed|sofa"
)

_DEATH_NAME: Final = "death"
_HARM_NAME: Final = "serious_harm"
_PHRASES: Final = PhraseSet(
    {
        _DEATH_NAME: phrase_pattern(_DEATH),
        _HARM_NAME: phrase_pattern(SERIOUS_HARM_TRIGGERS),
        **{
            f"{category}:{implies}": phrase_pattern(triggers)
            for (category, implies), triggers in DEATH_CATEGORY_TRIGGERS.items()
        },
    }
)


@dataclass(frozen=True)
class OutcomeFacts:
    outcome: Fact[str] | None
    death_category: Fact[str] | None


def find_outcome(index: TextIndex, subject: Subject, age_years: float | None) -> OutcomeFacts:
    """Whether the child died or was seriously harmed, and how a death came about."""
    found = _affirmed_mentions(index, subject)
    death = found.pop(_DEATH_NAME, Hits())
    harm = found.pop(_HARM_NAME, Hits())
    categories: dict[str, Hits] = {}
    for category, implies_death in DEATH_CATEGORY_TRIGGERS:
        hits = found.get(f"{category}:{implies_death}", Hits())
        if category == "sudi" and not implies_death:
            hits = _infant_hits(index, hits, age_years)
        if not hits.count:
            continue
        if implies_death:
            death.count += hits.count
            death.evidence.extend(hits.evidence)
        merged = categories.setdefault(category, Hits())
        merged.count += hits.count
        merged.evidence.extend(hits.evidence)
    if death.count:
        outcome = Fact("died", tuple(death.evidence[:MAX_EVIDENCE_PER_CODE]))
        if not categories:
            return OutcomeFacts(outcome, None)
        order = list(dict.fromkeys(category for category, _ in DEATH_CATEGORY_TRIGGERS))
        category = max(categories, key=lambda name: (categories[name].count, -order.index(name)))
        evidence = tuple(categories[category].evidence[:MAX_EVIDENCE_PER_CODE])
        return OutcomeFacts(outcome, Fact(category, evidence))
    if harm.count:
        return OutcomeFacts(Fact("seriously_harmed", tuple(harm.evidence[:MAX_EVIDENCE_PER_CODE])), None)
    return OutcomeFacts(None, None)


def _affirmed_mentions(index: TextIndex, subject: Subject) -> dict[str, Hits]:
    """Affirmed mentions outside criteria sentences; deaths only in sentences about the child."""
    folded = index.folded
    found: dict[str, Hits] = {}
    for name, match in _PHRASES.finditer(index):
        start, end = match.span()
        sentence_start, sentence_end = index.context_span(start)
        sentence = folded[sentence_start:sentence_end]
        before = folded[sentence_start:start]
        if _CRITERIA_SENTENCE.search(sentence) or _NOT_A_DEATH.search(before[-25:]):
            continue
        if (name == _DEATH_NAME or name.endswith(":True")) and not _about_child(
            subject, folded, sentence, before, end
        ):
            continue
        if not is_affirmed(before, folded[end:sentence_end], Scope.RISK):
            continue
        hits = found.setdefault(name, Hits())
        hits.count += 1
        if len(hits.evidence) < MAX_EVIDENCE_PER_CODE:
            hits.evidence.append(index.sentence_evidence(start, end))
    return found


def _about_child(subject: Subject, folded: str, sentence: str, before: str, end: int) -> bool:
    return not (
        subject.mentions(sentence) is None
        or subject.attachment_before(before) == "other"
        # "the death of her grandfather" is someone else's death.
        or (folded.startswith(" of ", end) and subject.attachment_after(folded[end : end + 40]) == "other")
    )


def _infant_hits(index: TextIndex, hits: Hits, age_years: float | None) -> Hits:
    """Unsafe-sleep phrases point to SUDI only for an infant: by the child's age or the sentence's own"
    " words."""
    if age_years is not None:
        return hits if age_years < SUDI_MAX_AGE_YEARS else Hits()
    kept = [item for item in hits.evidence if _INFANT_CONTEXT.search(index.folded[item.start : item.end])]
    return Hits(count=len(kept), evidence=kept)
