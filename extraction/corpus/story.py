"""The facts of one invented case: who the child was, what happened, which review looked at it.

The report writer states these facts (sometimes plainly, sometimes obliquely, sometimes not at all) and
the truth records what the report states. Choices are drawn from the caller's `random.Random` only.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from casereviews.learning import vocabulary
from extraction.corpus import lexicon

# The (framework, review type) pairs each house style is used for; `None` is the pre-2015 regime.
TEMPLATES: dict[str, tuple[tuple[str | None, str], ...]] = {
    "scr2015": (("england_2015", "scr"),),
    "lcspr": (("england_2023", "lcspr"),),
    "welsh_cpr": (("wales", "concise_cpr"), ("wales", "extended_cpr")),
    "silp": (("england_2015", "partnership_review"), ("england_2015", "scr"), ("england_2023", "lcspr")),
    "learning_together": (("england_2015", "scr"), ("england_2023", "lcspr")),
    "inquiry": ((None, "scr"),),
}
YEARS: dict[str | None, tuple[int, int]] = {
    "england_2015": (2015, 2020),
    "england_2023": (2019, 2025),
    "wales": (2014, 2024),
    None: (2004, 2010),
}

# Codes that only make sense for some ages (in years): a baby does not go missing or take an overdose.
ADOLESCENT_ONLY = {
    "adolescent_self_harm",
    "missing_episodes",
    "online_harm",
    "sexual_exploitation",
    "criminal_exploitation",
    "transitions",
}
DEATHS_BY_AGE: tuple[tuple[str, float, float], ...] = (
    ("sudi", 0.0, 2.0),
    ("fatal_physical_abuse", 0.0, 6.0),
    ("covert_homicide", 0.0, 2.0),
    ("extreme_neglect", 0.0, 10.0),
    ("homicide", 0.0, 20.0),
    ("suicide", 11.0, 20.0),
    ("other_related", 0.0, 20.0),
)


@dataclass(frozen=True)
class Person:
    first: str
    last: str

    @property
    def full(self) -> str:
        return f"{self.first} {self.last}"


@dataclass
class Case:
    template: str
    framework: str | None
    review_type: str
    methodology: str | None
    county: str
    nation: str
    postcode_area: str
    towns: tuple[str, ...]
    partnership: str
    partnership_short: str
    year_published: int
    incident_date: dt.date
    sex: str
    child: Person
    pseudonym: str
    mother: Person
    father: Person
    birth_date: dt.date
    age_days: int
    ethnicity: tuple[str, str] | None
    outcome: str
    death_category: str | None
    harm_types: list[str]
    risk_factors: list[str]
    practice_themes: list[str]
    negated_risk_factors: list[str]
    negated_harm_types: list[str]
    negated_themes: list[str]
    agencies: list[tuple[str, str]]
    school: str | None
    reviewer: Person
    chair: Person
    draft: bool
    street_address: str
    postcode: str
    nhs_number: str
    ni_number: str
    phone: str
    email: str
    extra_people: list[Person] = field(default_factory=list)

    @property
    def age_years(self) -> float:
        return self.age_days / 365.25


def _person(rng: random.Random, firsts: tuple[str, ...], surname: str | None = None) -> Person:
    return Person(rng.choice(firsts), surname or rng.choice(lexicon.SURNAMES))


def _professional(rng: random.Random, family_surnames: set[str]) -> Person:
    # A reviewer who shared the family's surname would blur the deny list of the case's own names.
    surname = rng.choice([name for name in lexicon.SURNAMES if name not in family_surnames])
    return Person(
        rng.choice(lexicon.PROFESSIONAL_TITLES) + rng.choice(lexicon.PROFESSIONAL_FIRST_NAMES), surname
    )


def _age_days(rng: random.Random) -> int:
    # Roughly the age profile of national analyses: a third of children under one, many adolescents.
    roll = rng.random()
    if roll < 0.36:
        return rng.randint(14, 364)
    if roll < 0.55:
        return rng.randint(365, 6 * 365)
    if roll < 0.65:
        return rng.randint(6 * 365 + 2, 11 * 365)
    if roll < 0.87:
        return rng.randint(11 * 365 + 3, 16 * 365)
    if roll < 0.98:
        return rng.randint(16 * 365 + 4, 18 * 365 - 2)
    return rng.randint(18 * 365 + 5, 19 * 365)


def nhs_number(rng: random.Random) -> str:
    """A number with a valid modulus 11 check digit in the 999 range, which the NHS never issues."""
    while True:
        digits = [9, 9, 9] + [rng.randint(0, 9) for _ in range(6)]
        check = 11 - sum(digit * (10 - position) for position, digit in enumerate(digits)) % 11
        if check == 11:
            check = 0
        if check != 10:
            number = "".join(map(str, digits)) + str(check)
            return rng.choice(
                (
                    f"{number[:3]} {number[3:6]} {number[6:]}",
                    number,
                    f"{number[:3]}-{number[3:6]}-{number[6:]}",
                )
            )


def ni_number(rng: random.Random) -> str:
    first_letters = "ABCEGHJKLMNOPRSTWXYZ"
    second_letters = "ABCEGHJKLMNPRSTWXYZ"
    while True:
        prefix = rng.choice(first_letters) + rng.choice(second_letters)
        if prefix not in {"BG", "GB", "KN", "NK", "NT", "TN", "ZZ"}:
            break
    digits = f"{rng.randint(0, 999999):06d}"
    suffix = rng.choice("ABCD")
    if rng.random() < 0.5:
        return f"{prefix} {digits[:2]} {digits[2:4]} {digits[4:]} {suffix}"
    return f"{prefix}{digits}{suffix}"


def phone_number(rng: random.Random) -> str:
    # Ofcom reserves these ranges for drama, so none of them can ring anyone.
    tail = rng.randint(0, 999)
    return rng.choice(
        (f"07700 900{tail:03d}", f"01632 960{tail:03d}", f"020 7946 0{tail:03d}", f"0161 496 0{tail:03d}")
    )


def postcode(rng: random.Random, area: str) -> str:
    inward_letters = "ABDEFGHJLNPQRSTUWXYZ"
    inward = f"{rng.randint(0, 9)}{rng.choice(inward_letters)}{rng.choice(inward_letters)}"
    return f"{area}{rng.randint(1, 19)} {inward}"


def _pick(rng: random.Random, pool: list[str], low: int, high: int) -> list[str]:
    return rng.sample(pool, min(len(pool), rng.randint(low, high)))


def build_case(rng: random.Random, template: str, draft: bool) -> Case:
    framework, review_type = rng.choice(TEMPLATES[template])
    welsh = framework == "wales"
    counties = [county for county in lexicon.COUNTIES if (county[1] == "wales") == welsh]
    county, nation, area, towns = rng.choice(counties)
    first_year, last_year = YEARS[framework]
    year_published = rng.randint(first_year, last_year)
    incident_date = dt.date(year_published - rng.randint(1, 2), rng.randint(1, 12), rng.randint(1, 28))
    if framework == "england_2015":
        partnership = f"{county} Local Safeguarding Children Board"
        short = rng.choice((f"{county} LSCB", "the LSCB", "the Board"))
    elif framework == "england_2023":
        partnership = f"{county} Safeguarding Children Partnership"
        short = rng.choice((f"{county} SCP", "the Partnership", "the Safeguarding Partners"))
    elif welsh:
        partnership = f"{county} Regional Safeguarding Children Board"
        short = rng.choice(("the Regional Board", f"{county} RSCB"))
    else:
        partnership = (
            f"{county} Area Child Protection Committee"
            if year_published < 2006
            else (f"{county} Local Safeguarding Children Board")
        )
        short = "the Committee" if year_published < 2006 else "the Board"

    methodology: str | None
    if template == "silp":
        methodology = "silp"
    elif template == "learning_together":
        methodology = "learning_together"
    elif template == "inquiry":
        methodology = None
    else:
        methodology = rng.choice((None, "hybrid", "significant_event_analysis", "learning_together", "other"))

    sex = rng.choice(("female", "male"))
    surname = rng.choice(lexicon.SURNAMES)
    child = _person(rng, lexicon.GIRL_NAMES if sex == "female" else lexicon.BOY_NAMES, surname)
    if rng.random() < 0.6:
        pseudonym = f"Child {rng.choice(lexicon.LETTERS)}"
    else:
        pseudonym = rng.choice(lexicon.PSEUDONYMS_GIRL if sex == "female" else lexicon.PSEUDONYMS_BOY)
    age_days = _age_days(rng)
    age = age_days / 365.25
    birth_date = incident_date - dt.timedelta(days=age_days)

    deaths = [code for code, low, high in DEATHS_BY_AGE if low <= age < high]
    outcome = "died" if rng.random() < 0.56 else "seriously_harmed"
    death_category = rng.choice(deaths) if outcome == "died" else None
    harm_pool = [
        code
        for code in vocabulary.HARM_TYPES
        if code != "other" and (age >= 11 or code not in ADOLESCENT_ONLY)
    ]
    if death_category == "fatal_physical_abuse":
        harm_types = ["physical_abuse", *_pick(rng, [c for c in harm_pool if c != "physical_abuse"], 0, 1)]
    elif death_category == "extreme_neglect":
        harm_types = ["neglect"]
    else:
        harm_types = _pick(rng, harm_pool, 0 if outcome == "died" else 1, 2)
    rf_pool = [code for code in vocabulary.RISK_FACTORS if age >= 11 or code not in ADOLESCENT_ONLY]
    risk_factors = _pick(rng, rf_pool, 1, 5)
    theme_pool = [code for code in vocabulary.PRACTICE_THEMES if age >= 11 or code not in ADOLESCENT_ONLY]
    practice_themes = _pick(rng, theme_pool, 2, 6)
    # Distractors are drawn only from what is not true, so a negated mention is never also a positive one.
    negated_rf = _pick(rng, [c for c in rf_pool if c not in risk_factors], 1, 3)
    negated_harm = _pick(rng, [c for c in harm_pool if c not in harm_types], 0, 2)
    negated_themes = _pick(
        rng, [c for c in lexicon.THEME_NEGATED if c in theme_pool and c not in practice_themes], 0, 2
    )

    town = rng.choice(towns)
    trust = rng.choice(lexicon.HOSPITAL_TRUSTS).format(county=county, town=rng.choice(towns))
    agency_pool = list(lexicon.AGENCIES)
    chosen = agency_pool[:2] + rng.sample(agency_pool[2:], rng.randint(3, 7))
    agencies = [
        (name.format(county=county, town=town, trust=trust), short_name) for name, short_name in chosen
    ]
    if age < 4:
        school = rng.choice(lexicon.NURSERIES).format(town=town) if age >= 2 and rng.random() < 0.5 else None
    elif age < 11:
        school = rng.choice(lexicon.PRIMARY_SCHOOLS).format(town=town, county=county)
    else:
        school = rng.choice(lexicon.SECONDARY_SCHOOLS).format(town=town, county=county)

    mother = _person(rng, lexicon.WOMEN_NAMES, surname if rng.random() < 0.6 else None)
    father = _person(rng, lexicon.MEN_NAMES)
    ethnicity = rng.choice(lexicon.ETHNICITIES) if rng.random() < 0.45 else None
    siblings = rng.sample(
        [name for name in lexicon.GIRL_NAMES + lexicon.BOY_NAMES if name != child.first], rng.randint(0, 2)
    )
    family_surnames = {surname, mother.last, father.last}
    email_domain = rng.choice(("example.com", "example.org", "example.net"))
    return Case(
        template=template,
        framework=framework,
        review_type=review_type,
        methodology=methodology,
        county=county,
        nation=nation,
        postcode_area=area,
        towns=towns,
        partnership=partnership,
        partnership_short=short,
        year_published=year_published,
        incident_date=incident_date,
        sex=sex,
        child=child,
        pseudonym=pseudonym,
        mother=mother,
        father=father,
        birth_date=birth_date,
        age_days=age_days,
        ethnicity=ethnicity,
        outcome=outcome,
        death_category=death_category,
        harm_types=harm_types,
        risk_factors=risk_factors,
        practice_themes=practice_themes,
        negated_risk_factors=negated_rf,
        negated_harm_types=negated_harm,
        negated_themes=negated_themes,
        agencies=agencies,
        school=school,
        reviewer=_professional(rng, family_surnames),
        chair=_professional(rng, family_surnames),
        draft=draft,
        street_address=f"{rng.randint(1, 120)} {rng.choice(lexicon.STREET_NAMES)}",
        postcode=postcode(rng, area),
        nhs_number=nhs_number(rng),
        ni_number=ni_number(rng),
        phone=phone_number(rng),
        email=f"{mother.first.lower()}.{mother.last.lower()}{rng.randint(1, 99)}@{email_domain}",
        extra_people=[Person(first, surname) for first in siblings],
    )
