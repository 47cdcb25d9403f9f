import pytest

from extraction.facts.circumstances import find_harm_source, find_social_care, find_year_incident
from extraction.facts.subject import Subject
from extraction.facts.text import TextIndex
from tests.extraction.facts.documents import assert_exact, make_document

FLAGS = ("looked_after", "child_protection_plan", "child_in_need", "known_to_social_care")


def social_care_of(text: str) -> dict[str, bool | None]:
    document = make_document([text])
    index = TextIndex(document)
    found = find_social_care(index, Subject(index))
    values = {}
    for flag in FLAGS:
        fact = getattr(found, flag)
        if fact is not None:
            assert_exact(document, fact.evidence)
        values[flag] = None if fact is None else fact.value
    return values


def year_of(text: str, year_published: int | None = None) -> int | None:
    document = make_document([text])
    index = TextIndex(document)
    fact = find_year_incident(index, Subject(index), year_published)
    if fact is not None:
        assert_exact(document, fact.evidence)
    return None if fact is None else fact.value


def source_of(text: str) -> str | None:
    document = make_document([text])
    index = TextIndex(document)
    fact = find_harm_source(index, Subject(index))
    if fact is not None:
        assert_exact(document, fact.evidence)
    return None if fact is None else fact.value


@pytest.mark.parametrize(
    ("text", "flag"),
    [
        ("Child B had been in the care of the local authority since the age of 12.", "looked_after"),
        (
            "At the time of his death Jayden was a looked after child living in a children's home.",
            "looked_after",
        ),
        ("Child C was placed with foster carers under section 20 of the Children Act 1989.", "looked_after"),
        (
            "Child C became looked after in 2019 and was later made subject to a full care order.",
            "looked_after",
        ),
        ("Child A was subject to an interim care order and lived with kinship carers.", "looked_after"),
        (
            "Child D was made subject to a child protection plan under the category of neglect.",
            "child_protection_plan",
        ),
        ("Baby E's name was placed on the child protection register in 2017.", "child_protection_plan"),
        ("Child F was supported as a child in need under section 17.", "child_in_need"),
        ("The plan for Child F was stepped down to child in need in June 2020.", "child_in_need"),
        ("The family were known to children's social care from 2015 onwards.", "known_to_social_care"),
        ("A social worker was allocated to Child G after the school's referral.", "known_to_social_care"),
        ("Child G was referred to children's social care three times in 2019.", "known_to_social_care"),
    ],
)
def test_a_childs_social_care_status_is_read_from_varied_phrasings(text, flag):
    assert social_care_of(text)[flag] is True


def test_being_looked_after_or_on_a_plan_means_the_child_was_known_to_social_care():
    values = social_care_of("Child A was subject to a child protection plan for emotional abuse.")

    assert values["child_protection_plan"] is True
    assert values["known_to_social_care"] is True
    assert values["looked_after"] is None


@pytest.mark.parametrize(
    ("text", "flag"),
    [
        (
            "Child A was not subject to a child protection plan at the time of her death.",
            "child_protection_plan",
        ),
        ("She had never been on a child protection plan.", "child_protection_plan"),
        ("Child B did not meet the threshold for a child in need plan.", "child_in_need"),
        ("Child C was not known to children's social care before the incident.", "known_to_social_care"),
        ("Child D had never been looked after by the local authority.", "looked_after"),
    ],
)
def test_a_denied_status_is_false_not_true(text, flag):
    assert social_care_of(text)[flag] is False


@pytest.mark.parametrize(
    "text",
    [
        "It is not known whether Child A was subject to a child protection plan.",
        "It is unclear whether Child A had ever been looked after by the local authority.",
        "Child A should have been made subject to a child protection plan in 2019.",
        "The review considered whether Child A could have been looked after under section 20.",
    ],
)
def test_a_doubted_or_counterfactual_status_stays_unknown(text):
    values = social_care_of(text)

    assert values["child_protection_plan"] is None
    assert values["looked_after"] is None


@pytest.mark.parametrize(
    "text",
    [
        "Child A lived at home with her mother. Her older brother was looked after by the local authority.",
        "Child A's half-sister had been subject to a child protection plan in another authority.",
        "Child A's mother had herself been a looked after child.",
        "Child A was looked after by her grandmother during the school holidays.",
        "When a child is subject to a child protection plan, the core group should meet every month.",
    ],
)
def test_a_status_of_a_sibling_a_parent_or_children_in_general_is_not_the_childs(text):
    values = social_care_of(text)

    assert values["looked_after"] is None
    assert values["child_protection_plan"] is None


def test_a_report_that_does_not_mention_social_care_gives_no_status():
    assert set(social_care_of("Child A lived with his mother and attended a local primary school.").values()) == {None}


def test_no_referral_to_social_care_does_not_say_the_child_was_unknown_to_it():
    assert (
        social_care_of("No referral was made to children's social care about Child F.")["known_to_social_care"] is None
    )


@pytest.mark.parametrize(
    ("text", "year"),
    [
        ("Child A died in March 2021 at the family home.", 2021),
        ("Child B was admitted to hospital on 3 May 2022 with a serious head injury.", 2022),
        ("In January 2020, Child T was found unresponsive in her bedroom.", 2020),
        ("On 14th February 2019 Zara took her own life. Zara was a lively girl.", 2019),
        (
            "Following the death of Child C in the summer of 2018, the Partnership commissioned this review.",
            2018,
        ),
    ],
)
def test_the_year_of_the_incident_is_read_from_a_dated_statement_about_the_child(text, year):
    assert year_of(text) == year


def test_the_childs_death_outranks_an_earlier_hospital_admission():
    text = (
        "Child A was admitted to hospital in June 2019 with a fractured arm. "
        "Child A died in November 2020 from a head injury."
    )

    assert year_of(text) == 2020


@pytest.mark.parametrize(
    "text",
    [
        "Child A was born on 3 May 2015 and lived with his mother.",
        "Child A's grandmother died in 2016, which affected the family deeply.",
        "The report was published in 2023 and the review panel met in May 2022.",
        "Child A could have died in 2019 had the ambulance not arrived.",
        "Child A lived with his mother and younger sister.",
    ],
)
def test_a_birth_another_persons_death_a_meeting_or_a_hedge_gives_no_incident_year(text):
    assert year_of(text) is None


def test_a_date_of_birth_before_the_death_is_not_the_incident_year():
    text = "Child A was born on 7th October 2015 and died on 16.02.2016 at the family home."

    assert year_of(text) == 2016


def test_an_incident_year_after_publication_is_not_believed():
    assert year_of("Child A died in 2024.", year_published=2022) is None


@pytest.mark.parametrize(
    ("text", "source"),
    [
        ("Baby H was killed by her stepfather, who was later convicted of murder.", "intra_familial"),
        ("Child A died from injuries inflicted by his father.", "intra_familial"),
        ("Both parents were convicted of causing or allowing the death of a child.", "intra_familial"),
        ("Child A's father was subsequently convicted of his manslaughter.", "intra_familial"),
        ("Child J was being exploited by a county lines gang.", "extra_familial"),
        ("Child K was fatally stabbed by an adult unknown to the family.", "extra_familial"),
        ("Child L was sexually exploited by a group of adult men in the town.", "extra_familial"),
    ],
)
def test_the_source_of_harm_is_read_from_who_harmed_the_child(text, source):
    assert source_of(text) == source


@pytest.mark.parametrize(
    "text",
    [
        "Child L took his own life in 2020.",
        "Zara's mother had been assaulted by her ex-partner on several occasions.",
        "There was no evidence that Child A was criminally exploited.",
        "There is nothing to suggest that Child V was at risk of sexual exploitation by adults in the area.",
        "It is not known whether Child A had been exploited by older young people.",
        "Child A's older brother was involved in county lines.",
        "Child A lived with her mother and attended school regularly.",
    ],
)
def test_suicide_harm_to_someone_else_or_a_denied_or_doubted_harm_gives_no_source(text):
    assert source_of(text) is None


def test_a_report_that_names_both_sources_equally_gives_no_source():
    text = "Child A was assaulted by her father. Child A was also sexually exploited by older men."

    assert source_of(text) is None


@pytest.mark.parametrize(
    "text",
    [
        "Records said little about what this meant for Child N. A child in need meeting was held in May 2019.",
        "01/12/2019 | GP | A referral was made to Children's Social Care by the family support worker.",
    ],
)
def test_a_meeting_or_referral_in_a_sentence_that_does_not_name_the_child_says_nothing_about_them(text):
    values = social_care_of(text)

    assert values["child_in_need"] is None
    assert values["known_to_social_care"] is None
