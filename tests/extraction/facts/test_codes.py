import pytest

from casereviews.learning.vocabulary import HARM_TYPES, PRACTICE_THEMES, RISK_FACTORS
from extraction.facts.codes import find_harm_types, find_practice_themes, find_risk_factors
from extraction.facts.text import TextIndex
from extraction.sections import find_sections
from tests.extraction.facts.documents import assert_exact, make_document

AFFIRMED = {
    "physical_abuse": "Child A was found to have non-accidental injuries to her arms.",
    "neglect": "The children lived with chronic neglect and poor home conditions.",
    "sexual_abuse": "Child B disclosed that she had been sexually abused by an uncle.",
    "sexual_exploitation": "Professionals believed Child C was at risk of child sexual exploitation.",
    "criminal_exploitation": "Child D was drawn into county lines activity in a neighbouring town.",
    "emotional_abuse": "The review found that Child E suffered emotional abuse over many years.",
    "fabricated_induced_illness": "The paediatrician raised concerns about fabricated or induced illness.",
    "domestic_abuse": "Mother described coercive control by her partner over several years.",
    "parental_mental_ill_health": "Mother experienced post-natal depression after the birth of Child A.",
    "parental_alcohol_misuse": "Father's alcohol misuse escalated during the pandemic.",
    "parental_drug_misuse": "Mother's partner was using heroin throughout the period under review.",
    "parental_learning_disability": "Mother has a mild learning disability and struggled with written plans.",
    "parental_criminality": "Father had previous convictions for violence.",
    "young_parents": "Mother was a young parent who had herself been in care.",
    "unknown_male": "Neighbours reported an unknown male visiting the flat at night.",
    "housing_instability": "The family moved between temporary accommodation placements five times.",
    "poverty": "The family relied on a food bank and had significant rent arrears.",
    "social_isolation": "Mother was socially isolated after moving to the area.",
    "previous_child_removed": "Mother's older children had been removed from her care in 2015.",
    "adolescent_self_harm": "Zara had been self-harming since the age of thirteen.",
    "missing_episodes": "Child F was reported missing eleven times in six months.",
    "online_harm": "Child G was groomed through social media by an adult male.",
    "information_sharing": "Information was not shared between the GP and the health visitor.",
    "voice_of_the_child": "Child A was not spoken to alone during the assessment.",
    "professional_curiosity": "Practitioners needed to show greater professional curiosity.",
    "disguised_compliance": "Mother's superficial cooperation reassured professionals.",
    "escalation": "The school did not use the escalation policy when the referral was closed.",
    "assessment_of_risk": "No risk assessment was completed after the incident.",
    "unseen_men": "The mother's partner was not known to professionals until after the incident.",
    "hindsight_free_analysis": "The review has tried to avoid hindsight bias in its analysis.",
    "supervision": "The social worker did not receive regular supervision during this period.",
    "transitions": "Information was lost when the case was transferred between local authorities.",
    "thresholds": "The referral did not meet the threshold for a statutory assessment.",
}


def codes_in(sentence: str) -> dict[str, object]:
    index = TextIndex(make_document([sentence]))
    return {**find_harm_types(index), **find_risk_factors(index), **find_practice_themes(index)}


def test_every_code_of_the_vocabulary_has_an_affirmed_example():
    assert set(AFFIRMED) == set(HARM_TYPES) - {"other"} | set(RISK_FACTORS) | set(PRACTICE_THEMES)


@pytest.mark.parametrize(("code", "sentence"), sorted(AFFIRMED.items()))
def test_an_affirmed_sentence_gives_its_code_with_the_sentence_as_evidence(code, sentence):
    document = make_document(["Introduction\n\n" + sentence])
    index = TextIndex(document)
    found = {**find_harm_types(index), **find_risk_factors(index), **find_practice_themes(index)}
    assert code in found
    assert_exact(document, found[code].evidence)
    assert found[code].evidence[0].quote == sentence


@pytest.mark.parametrize(
    ("code", "sentence"),
    [
        ("domestic_abuse", "There was no evidence of domestic abuse in the household."),
        ("domestic_abuse", "Domestic abuse was not a feature of the case."),
        ("parental_drug_misuse", "It is not known whether mother used cannabis."),
        ("parental_alcohol_misuse", "No concerns were raised about alcohol misuse."),
        ("sexual_abuse", "There is no indication of sexual abuse."),
        ("neglect", "Neglect was ruled out at the child protection conference."),
        ("physical_abuse", "Child A may have been physically abused before the admission."),
        ("parental_mental_ill_health", "It is possible that mother's depression had returned."),
        ("information_sharing", "There were no issues with information sharing in this case."),
    ],
)
def test_a_denied_or_hedged_sentence_gives_no_code(code, sentence):
    assert code not in codes_in(sentence)


def test_escalation_of_violence_is_not_the_practice_theme_escalation():
    assert "escalation" not in codes_in("There was an escalation of violence in the weeks before the death.")


def test_incidents_considered_in_isolation_are_not_social_isolation():
    assert "social_isolation" not in codes_in("Each incident was considered in isolation by the police.")


def test_mentions_in_the_table_of_contents_do_not_count():
    found = codes_in("Contents\n3. Domestic abuse ........ 12\n4. Neglect ........ 15\n")
    assert "domestic_abuse" not in found
    assert "neglect" not in found


def test_mentions_in_the_references_at_the_end_do_not_count():
    body = "Child A lived with her mother. " * 40
    references = "\nReferences\nBrandon, M. (2020) Neglect and domestic abuse: a review. NSPCC.\n"
    assert not {"neglect", "domestic_abuse"} & set(codes_in(body + references))


def test_evidence_is_capped_but_every_mention_is_counted():
    text = " ".join(f"Incident {number} was a domestic abuse incident." for number in range(12))
    found = codes_in(text)
    assert found["domestic_abuse"].count == 12
    assert len(found["domestic_abuse"].evidence) == 5


@pytest.mark.parametrize(
    ("code", "sentence"),
    [
        ("domestic_abuse", "The independent domestic violence adviser (IDVA) made a referral to MASH."),
        ("domestic_abuse", "Mother missed an appointment with the domestic abuse support worker."),
        ("domestic_abuse", "Westshire Domestic Abuse Service contributed a chronology to the review."),
        ("domestic_abuse", "IDVA\tIndependent Domestic Violence Adviser"),
        ("parental_drug_misuse", "The substance misuse worker noted that Child A seemed tired."),
        ("parental_drug_misuse", "The substance misuse service attended the strategy meeting."),
        ("criminal_exploitation", "The child criminal exploitation team was asked for advice."),
        ("sexual_exploitation", "The CSE co-ordinator chaired the meeting."),
    ],
)
def test_the_name_of_a_role_team_or_service_is_not_evidence_of_the_factor(code, sentence):
    assert code not in codes_in(sentence)


@pytest.mark.parametrize(
    ("code", "sentence"),
    [
        (
            "domestic_abuse",
            "Mother told the domestic abuse worker about the domestic abuse she had suffered.",
        ),
        ("domestic_abuse", "Police attended three domestic abuse incidents at the address."),
        ("parental_drug_misuse", "Father's substance misuse worsened after the birth of Child A."),
        ("professional_curiosity", "Theme 2: Professional curiosity\nPractitioners accepted explanations."),
        (
            "domestic_abuse",
            "Mother was supported by the independent domestic violence\nadviser; the domestic violence continued.",
        ),
    ],
)
def test_the_factor_itself_is_still_found_beside_or_before_a_role(code, sentence):
    assert code in codes_in(sentence)


def test_a_heading_above_a_capitalised_sentence_is_not_read_as_a_role_name():
    assert "professional_curiosity" in codes_in("Professional curiosity\nPractitioners did not ask why.")
    assert "domestic_abuse" not in codes_in("The domestic abuse\nadviser visited on Tuesday.")


@pytest.mark.parametrize(
    ("code", "sentence"),
    [
        ("thresholds", "The threshold document in use at the time was open to interpretation."),
        ("escalation", "The escalation policy was revised in 2020."),
        ("information_sharing", "The information sharing protocol was signed by all partners."),
        ("thresholds", "The partnership's guidance on thresholds was rewritten after the review."),
        ("information_sharing", "How effectively did agencies share information and work together?"),
    ],
)
def test_a_policy_document_or_question_is_not_a_statement_about_practice(code, sentence):
    assert code not in codes_in(sentence)


@pytest.mark.parametrize(
    ("code", "sentence"),
    [
        ("escalation", "The school did not use the escalation policy when the referral was closed."),
        ("thresholds", "The referral was judged not to meet the threshold for an assessment."),
        ("escalation", "The health visitor escalated concerns under the escalation procedure."),
    ],
)
def test_a_policy_that_someone_used_or_did_not_use_is_practice(code, sentence):
    assert code in codes_in(sentence)


def test_a_recommendation_gives_practice_themes_but_not_risk_factors():
    text = "Agencies should share information about domestic abuse with GPs within a day."
    index = TextIndex(make_document([text]))
    recommendation = [(0, len(text))]
    assert "domestic_abuse" not in find_risk_factors(index, recommendation)
    assert "domestic_abuse" in find_risk_factors(index)
    assert "information_sharing" in find_practice_themes(index)


@pytest.mark.parametrize(
    "sentence",
    [
        "Father had convictions for violent offences.",
        "Father had a number of convictions for burglary and assault.",
        "Mother was in prison for much of Child A's early life.",
        "Father was known to police for violent offences.",
        "The stepfather was on licence after his release.",
        "Mother's partner was managed under MAPPA.",
        "Father had recently been released from prison.",
        "Mother's partner was a registered sex offender.",
    ],
)
def test_parental_criminality_is_found_in_the_ways_reports_state_it(sentence):
    assert "parental_criminality" in codes_in(sentence)


@pytest.mark.parametrize(
    "sentence",
    [
        "Neither parent had any criminal convictions.",
        "There was no evidence that father had a criminal record.",
        "The probation officer attended the meeting.",
    ],
)
def test_parental_criminality_is_not_found_when_denied_or_only_a_role(sentence):
    assert "parental_criminality" not in codes_in(sentence)


@pytest.mark.parametrize(
    "sentence",
    [
        "The paediatrician raised concerns about fabricated or induced illness.",
        "Clinicians described a perplexing presentation over many months.",
        "Mother reported symptoms that were not observed by ward staff.",
        "It was later established that mother had fabricated symptoms.",
        "Mother reported seizures that had never been witnessed by staff.",
    ],
)
def test_fabricated_or_induced_illness_is_found_in_the_ways_reports_state_it(sentence):
    assert "fabricated_induced_illness" in codes_in(sentence)


@pytest.mark.parametrize(
    "sentence",
    [
        "Fabricated or induced illness was considered and ruled out by the paediatrician.",
        "Mother reported that Child A had a cough, which the GP confirmed.",
    ],
)
def test_fabricated_or_induced_illness_is_not_found_when_ruled_out_or_absent(sentence):
    assert "fabricated_induced_illness" not in codes_in(sentence)


def test_an_attempted_home_visit_is_not_a_suicide_attempt():
    assert "adolescent_self_harm" not in codes_in("The health visitor attempted a home visit; nobody answered.")
    assert "adolescent_self_harm" in codes_in("Zara attempted suicide in March 2020.")


def test_a_transfer_between_teams_is_routine_but_between_areas_is_a_transition():
    assert "transitions" not in codes_in("The case was transferred between social work teams.")
    assert "transitions" in codes_in("The case was transferred between local authorities twice.")
    assert "transitions" in codes_in("Zara was transferred to adult services at eighteen.")


def test_a_glossary_explains_terms_and_says_nothing_about_the_case():
    text = (
        "Analysis\nPractitioners shared information promptly.\n"
        "Appendix: Glossary of terms\nMARAC | Multi-Agency Risk Assessment Conference\n"
        "IDVA | Independent Domestic Violence Adviser\n"
    )
    document = make_document([text])
    index = TextIndex(document, find_sections(document))
    assert "domestic_abuse" not in find_risk_factors(index)
    assert "domestic_abuse" in find_risk_factors(TextIndex(document))
