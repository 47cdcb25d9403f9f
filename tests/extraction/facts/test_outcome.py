import pytest

from extraction.facts.outcome import find_outcome
from extraction.facts.subject import Subject
from extraction.facts.text import TextIndex
from tests.extraction.facts.documents import assert_exact, make_document


def outcome_of(text: str, age_years: float | None = None):
    document = make_document([text])
    index = TextIndex(document)
    facts = find_outcome(index, Subject(index), age_years)
    for fact in (facts.outcome, facts.death_category):
        if fact is not None:
            assert_exact(document, fact.evidence)
    return (
        None if facts.outcome is None else facts.outcome.value,
        None if facts.death_category is None else facts.death_category.value,
    )


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("This review concerns Zara (a pseudonym). Zara took her own life in March 2021.", "suicide"),
        ("Child A was found hanging in his bedroom.", "suicide"),
        ("Child A died by suicide at the age of 15.", "suicide"),
        ("Child A was stabbed to death by a group of young men.", "homicide"),
        (
            "Child B died in hospital. He had non-accidental injuries including an unexplained head injury.",
            "fatal_physical_abuse",
        ),
        ("Child C died. The post-mortem found starvation and severe malnutrition.", "extreme_neglect"),
        (
            "Baby D was found unresponsive in the parental bed after co-sleeping and died later that day.",
            "sudi",
        ),
    ],
)
def test_a_death_and_its_category_are_read_also_when_stated_indirectly(text, category):
    assert outcome_of(text) == ("died", category)


def test_unsafe_sleep_does_not_mean_sudi_for_an_older_child():
    assert outcome_of("Child E died. Child E was found unresponsive on the sofa.", age_years=9)[1] is None


@pytest.mark.parametrize(
    "text",
    [
        "Child F sustained serious injuries including a fractured skull.",
        "Child F suffered life-threatening injuries and was admitted to paediatric intensive care.",
        "Child F has a permanent impairment as a result of the assault.",
    ],
)
def test_serious_harm_is_read_when_the_child_did_not_die(text):
    assert outcome_of(text) == ("seriously_harmed", None)


def test_someone_elses_death_is_not_the_childs():
    assert outcome_of("Child G became withdrawn after the death of her grandfather.") == (None, None)
    assert outcome_of("Child G's grandfather died in 2018.") == (None, None)


def test_the_review_criteria_do_not_say_the_child_died():
    text = "A review must be considered where a child has died or been seriously harmed and abuse is suspected."
    assert outcome_of(text) == (None, None)


def test_a_suicide_attempt_is_not_a_death():
    assert outcome_of("Child H attempted suicide twice in 2020.") == (None, None)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Child G was killed by an adult known to the family.", ("died", "homicide")),
        (
            "Bethany was born in 1999. Bethany was fatally stabbed in a park near her home.",
            ("died", "homicide"),
        ),
        ("Theo was born in 2017. Theo drowned while unsupervised near his home.", ("died", "other_related")),
        (
            "Finn was born in 2010. Finn died as a result of severe and prolonged neglect.",
            ("died", "extreme_neglect"),
        ),
        (
            "Isla was born in 2016. Isla died as a result of non-accidental injuries.",
            ("died", "fatal_physical_abuse"),
        ),
        ("Child T died from head injuries inflicted by a carer.", ("died", "fatal_physical_abuse")),
        (
            "Child G was 11 months old. Child G died suddenly and unexpectedly while sleeping on a sofa with Mother.",
            ("died", "sudi"),
        ),
        ("Child V suffered serious and life-changing injuries.", ("seriously_harmed", None)),
    ],
)
def test_indirect_statements_of_the_outcome_and_how_a_death_came_about(text, expected):
    assert outcome_of(text) == expected


def test_neglect_the_child_lived_with_is_not_the_cause_of_a_death():
    text = (
        "Child V experienced chronic neglect: home conditions were very poor. "
        "Child V was killed by an adult known to the family."
    )
    assert outcome_of(text) == ("died", "homicide")


def test_a_child_death_overview_panel_is_not_a_death_and_nearly_drowning_is_not_one():
    text = (
        "Child A was seriously injured in a fall. The Board will share the learning with the Child Death Overview "
        "Panel. Child A nearly drowned the year before."
    )
    assert outcome_of(text) == ("seriously_harmed", None)
