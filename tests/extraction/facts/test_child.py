import pytest

from extraction.facts.child import find_age, find_ethnicity, find_sex
from extraction.facts.subject import Subject
from extraction.facts.text import TextIndex
from tests.extraction.facts.documents import assert_exact, make_document


def age_of(*pages: str):
    document = make_document(list(pages))
    index = TextIndex(document)
    facts = find_age(index, Subject(index))
    for fact in (facts.age_years, facts.age_text, facts.age_band, facts.under_18):
        if fact is not None:
            assert_exact(document, fact.evidence)
    return facts


@pytest.mark.parametrize(
    ("sentence", "years", "band"),
    [
        ("Child A died when aged 7 months.", 0.58, "under_1"),
        ("The review concerns a 15-year-old girl, Child C.", 15, "11_15"),
        ("Zara, a fifteen-year-old girl, lived with her grandmother. Zara was known to school.", 15, "11_15"),
        ("Child B was 2 when the injuries were found.", 2, "1_5"),
        ("Child D, aged 17 months, was admitted to hospital.", 1.42, "1_5"),
        ("The baby was 3 weeks old when she was admitted.", 0.06, "under_1"),
        ("Child E died at the age of 16 in a road traffic collision.", 16, "16_17"),
        ("Child F was two and a half years old at the time.", 2.5, "1_5"),
    ],
)
def test_a_stated_age_is_read_in_years_with_its_band(sentence, years, band):
    facts = age_of(sentence)
    assert facts.age_years is not None and facts.age_years.value == pytest.approx(years, abs=0.01)
    assert facts.age_band is not None and facts.age_band.value == band
    assert facts.under_18 is not None and facts.under_18.value is True
    assert facts.age_text is not None and facts.age_text.value in sentence


def test_a_parents_age_is_not_taken_for_the_childs():
    facts = age_of("Child A lived with her mother, aged 19, and her mother's partner.")
    assert facts.age_years is None


def test_the_childs_age_is_preferred_to_a_siblings():
    facts = age_of("Child A lived with his 9-year-old brother. Child A, aged 4, attended nursery.")
    assert facts.age_years is not None and facts.age_years.value == 4


def test_an_age_range_of_a_group_is_not_an_age():
    assert age_of("The service supports children aged 11 to 16 across the county.").age_years is None


def test_an_age_computed_from_date_of_birth_and_date_of_death():
    facts = age_of("Child A was born on 12 March 2019. Child A died on 4 June 2021 in hospital.")
    assert facts.age_years is not None and facts.age_years.value == pytest.approx(2.23, abs=0.01)
    assert facts.age_band is not None and facts.age_band.value == "1_5"
    assert facts.age_text is not None and "12 March 2019" in facts.age_text.value
    assert len(facts.age_years.evidence) == 2


def test_a_school_year_gives_under_18_and_the_band_but_no_exact_age():
    facts = age_of("At the time of the incident Child H was in Year 10 at a local academy.")
    assert facts.age_years is None
    assert facts.age_text is not None and facts.age_text.value == "Year 10"
    assert facts.age_band is not None and facts.age_band.value == "11_15"
    assert facts.under_18 is not None and facts.under_18.value is True


def test_a_school_year_spanning_two_bands_gives_no_band():
    facts = age_of("Child H was in Year 6 at the village primary school.")
    assert facts.age_band is None
    assert facts.under_18 is not None and facts.under_18.value is True


def test_under_18_comes_from_context_when_no_age_is_stated():
    facts = age_of("Child J was a looked after child placed with foster carers.")
    assert facts.age_years is None
    assert facts.under_18 is not None and facts.under_18.value is True


def test_nothing_is_guessed_when_the_text_says_nothing_about_age():
    facts = age_of("The review considers how agencies worked together.")
    assert (facts.age_years, facts.age_text, facts.age_band, facts.under_18) == (None, None, None, None)


def sex_of(text: str):
    document = make_document([text])
    index = TextIndex(document)
    fact = find_sex(index, Subject(index))
    if fact is not None:
        assert_exact(document, fact.evidence)
    return None if fact is None else fact.value


def test_sex_from_an_explicit_statement():
    assert sex_of("Child A was a 4 year old girl who lived with her father.") == "female"
    assert sex_of("Child B is a White British boy.") == "male"


def test_sex_from_pronouns_around_the_pseudonym_when_they_agree():
    text = (
        "Child K started secondary school in 2019. Child K said he felt unsafe at home. "
        "Child K told his teacher that he was hungry. Child K was seen by his GP."
    )
    assert sex_of(text) == "male"


def test_sex_is_not_guessed_from_pronouns_that_may_belong_to_an_adult():
    assert sex_of("Child K lived with mother. Child K's mother said she was tired and she was unwell.") is None


def ethnicity_of(text: str):
    document = make_document([text])
    index = TextIndex(document)
    fact = find_ethnicity(index, Subject(index))
    if fact is not None:
        assert_exact(document, fact.evidence)
    return None if fact is None else fact.value


@pytest.mark.parametrize(
    ("sentence", "label"),
    [
        ("Child A is of White British heritage.", "White British"),
        ("Child B is Black Caribbean and lived with his aunt.", "Black Caribbean"),
        ("Child C is of mixed heritage (White and Black African).", "Mixed: White and Black African"),
        ("Child D is Asian British – Pakistani.", "Asian: Pakistani"),
        ("The family are Gypsy, Roma and Traveller.", "Gypsy, Roma or Traveller"),
        ("Ethnicity: White and Black Caribbean", "Mixed: White and Black Caribbean"),
    ],
)
def test_ethnicity_is_normalised_to_the_ons_categories(sentence, label):
    assert ethnicity_of(sentence) == label


def test_a_parents_ethnicity_is_not_the_childs():
    assert ethnicity_of("Child A's mother is White British and his father is Black African.") is None


def test_no_ethnicity_when_none_is_stated():
    assert ethnicity_of("Child A lived with his mother in a two bedroom flat.") is None


@pytest.mark.parametrize(
    ("text", "sex"),
    [
        (
            "The review was commissioned in 2021. Sky was a baby girl. Sky lived with her grandmother.",
            "female",
        ),
        ("Child C was born in 2019. Jamal was a baby boy. Jamal had a brother.", "male"),
        (
            "The review began in May. She was described by those who knew her as a lively and affectionate child.",
            "female",
        ),
        ("He was remembered by his teachers as a cheerful, curious child.", "male"),
    ],
)
def test_sex_from_a_statement_about_a_named_or_described_child(text, sex):
    assert sex_of(text) == sex


def test_a_first_name_the_report_states_facts_about_is_the_child_when_no_pseudonym_is_introduced():
    text = "Noah, aged 8 months, lived with his mother in Kingsmere. Noah was seen by the health visitor."
    found = age_of(text)
    assert found.age_years.value == pytest.approx(8 / 12, abs=0.01)


def test_a_mothers_description_is_not_the_childs_sex():
    assert sex_of("The mother was described by the midwife as a capable young woman.") is None


def test_the_date_of_birth_is_not_taken_for_the_date_of_death():
    found = age_of("Evie Brindley was born on 31st August 2001 and died on 16 October 2018. Evie was a girl.")
    assert found.age_years.value == pytest.approx(17.13, abs=0.01)
