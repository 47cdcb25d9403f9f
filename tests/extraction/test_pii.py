"""The PII scanner: each UK recogniser on its own, then the scanner with spaCy, deny list and allow list.

All text is synthetic. The recogniser tests need no spaCy model; the scanner tests share one scanner per
module, and the model loads once per process whatever the number of scanners.
"""

from __future__ import annotations

import itertools
import time

import pytest
from presidio_analyzer import PatternRecognizer

from extraction.pii import PiiScanner
from extraction.pii_recognisers import (
    IdentifyingDateRecogniser,
    ReferenceNumberRecogniser,
    SchoolRecogniser,
    StreetAddressRecogniser,
    TitledNameRecogniser,
    uk_identifier_recognisers,
)
from extraction.record import PiiFinding


def _found(
    recogniser: StreetAddressRecogniser
    | SchoolRecogniser
    | IdentifyingDateRecogniser
    | TitledNameRecogniser
    | ReferenceNumberRecogniser,
    text: str,
) -> list[tuple[str, str]]:
    return [(match.entity, text[match.start : match.end]) for match in recogniser.find(text)]


def _identifiers(text: str) -> list[tuple[str, str]]:
    found = []
    for recogniser in uk_identifier_recognisers():
        # The phone recogniser needs the scanner's NLP artefacts; it is tested through the scanner.
        if isinstance(recogniser, PatternRecognizer):
            for result in recogniser.analyze(text, recogniser.supported_entities):
                found.append((result.entity_type, text[result.start : result.end]))
    return sorted(found, key=lambda pair: text.index(pair[1]))


# Postcodes, NI numbers, NHS numbers: Presidio's rules under this project's names.


@pytest.mark.parametrize(
    "postcode",
    ["M1 1AE", "B33 8TH", "CR2 6XH", "DN55 1PT", "W1A 0AX", "EC1A 1BB", "GIR 0AA", "SW1A2AA"],
)
def test_every_uk_postcode_format_is_found(postcode: str) -> None:
    assert _identifiers(f"The family moved to {postcode} in the spring.") == [("POSTCODE", postcode)]


def test_postcode_inside_a_longer_word_or_with_invalid_letters_is_not_found() -> None:
    assert _identifiers("Codes XLS6 2ABX, QA1 1AA (Q cannot start one) and the F1 1st lap.") == []


def test_nhs_number_with_a_valid_check_digit_is_found_with_any_spacing() -> None:
    text = "NHS number 943 476 5919, also written 943-476-5919 or 9434765919."
    assert _identifiers(text) == [
        ("NHS_NUMBER", "943 476 5919"),
        ("NHS_NUMBER", "943-476-5919"),
        ("NHS_NUMBER", "9434765919"),
    ]


def test_nhs_number_with_a_wrong_check_digit_is_rejected() -> None:
    assert _identifiers("NHS number 943 476 5918 was mistyped.") == []


def test_national_insurance_number_with_a_valid_prefix_is_found() -> None:
    assert _identifiers("His NI number is AB 12 34 56 C (also JT482107B).") == [
        ("NI_NUMBER", "AB 12 34 56 C"),
        ("NI_NUMBER", "JT482107B"),
    ]


@pytest.mark.parametrize(
    "number", ["QQ 12 34 56 C", "GB 12 34 56 A", "DA 12 34 56 A", "AO 12 34 56 A", "AB 12 34 56 E"]
)
def test_national_insurance_number_with_an_unallocated_prefix_or_suffix_is_rejected(number: str) -> None:
    assert _identifiers(f"Recorded as {number} on the form.") == []


def test_email_address_is_found() -> None:
    assert _identifiers("Write to duty.team@northshire.example.org.uk today.") == [
        ("EMAIL", "duty.team@northshire.example.org.uk")
    ]


# The recognisers written here.


def test_numbered_streets_and_flats_are_addresses() -> None:
    text = "They lived at 14 Acacia Road, then Flat 3, Ivy Court, then Flat 2, 7 Mill Lane and 9a Church St."
    assert _found(StreetAddressRecogniser(), text) == [
        ("ADDRESS", "14 Acacia Road"),
        ("ADDRESS", "Flat 3, Ivy Court"),
        ("ADDRESS", "Flat 2, 7 Mill Lane"),
        ("ADDRESS", "9a Church St"),
    ]


def test_a_street_named_without_a_number_is_an_address_without_the_word_before_it() -> None:
    assert _found(StreetAddressRecogniser(), "On Bramble Close the neighbours heard shouting.") == [
        ("ADDRESS", "Bramble Close")
    ]


def test_courts_and_amounts_are_not_addresses() -> None:
    text = "The Crown Court sat on 12 May. She owed £40 Council Tax and read chapter 3 Park Life."
    assert [pair for pair in _found(StreetAddressRecogniser(), text) if "Court" in pair[1] or "£" in pair[1]] == []


def test_schools_nurseries_and_academies_are_found_one_by_one() -> None:
    text = "She attended Little Acorns Nursery and Oakfield Academy, then St Mary's Primary School."
    assert _found(SchoolRecogniser(), text) == [
        ("SCHOOL", "Little Acorns Nursery"),
        ("SCHOOL", "Oakfield Academy"),
        ("SCHOOL", "St Mary's Primary School"),
    ]


def test_a_kind_of_school_is_not_a_school() -> None:
    text = "The Virtual School and a Further Education College advised. Following School policy, the Primary School."
    assert _found(SchoolRecogniser(), text) == []


def test_date_of_birth_is_told_from_other_dates_by_its_context() -> None:
    text = "Child A (born 12 March 2015, DOB 12/03/2015) died on 3rd June 2019. He was born in 1957 and 1960."
    assert _found(IdentifyingDateRecogniser(), text) == [
        ("DATE_OF_BIRTH", "12 March 2015"),
        ("DATE_OF_BIRTH", "12/03/2015"),
        ("DATE", "3rd June 2019"),
        ("DATE_OF_BIRTH", "1957"),
        ("DATE_OF_BIRTH", "1960"),
    ]


def test_month_and_year_scores_lower_than_a_full_date_near_a_death() -> None:
    text = "In March 2019 the health visitor called. Child A died on 4 April 2019."
    scores = {text[m.start : m.end]: m.score for m in IdentifyingDateRecogniser().find(text)}
    assert scores["March 2019"] < 0.5 < scores["4 April 2019"]


def test_paragraph_numbers_and_bare_years_are_not_dates() -> None:
    assert _found(IdentifyingDateRecogniser(), "See 4.12.15 and 3.2.1; in 2019 the plan ended.") == []


def test_titled_and_introduced_names_are_people() -> None:
    text = "Mrs Patel, DC Hughes and Mr E. Kanar met Dr Ian Le Petit about a man called Darren Hollis."
    assert _found(TitledNameRecogniser(), text) == [
        ("PERSON", "Mrs Patel"),
        ("PERSON", "DC Hughes"),
        ("PERSON", "Mr E. Kanar"),
        ("PERSON", "Dr Ian Le Petit"),
        ("PERSON", "Darren Hollis"),
    ]


def test_reference_numbers_need_an_introducing_word() -> None:
    text = "Application no. 35574/97 and crime reference 13/45678/19 were cited; 12345 people attended."
    assert _found(ReferenceNumberRecogniser(), text) == [("REFERENCE", "35574/97"), ("REFERENCE", "13/45678/19")]


# The scanner.

SAFEGUARDING_PARAGRAPH = (
    "Child A (born 12 March 2015) lived with her mother, Kelly Marsh, and Kelly's partner Darren Hollis at "
    "14 Acacia Road, Northtown NT4 7QX. Child A attended St Mary's Primary School. Her NHS number "
    "943 476 5919 was recorded by the Health Visitor, and Darren's NI number AB 12 34 56 C by Probation. "
    "Zara, her half-sister, stayed with Jayden's father in Flat 3, Ivy Court."
)


@pytest.fixture(scope="module")
def scanner() -> PiiScanner:
    return PiiScanner(deny_list=["Jayden Reid"], allow_list=["Child A", "Zara", "Mother", "Father"])


@pytest.fixture(scope="module")
def paragraph_findings(scanner: PiiScanner) -> list[PiiFinding]:
    return scanner.scan(SAFEGUARDING_PARAGRAPH)


def _by_text(findings: list[PiiFinding]) -> dict[str, str]:
    return {finding.text: finding.type for finding in findings}


def test_every_identifier_in_a_safeguarding_paragraph_is_found(paragraph_findings: list[PiiFinding]) -> None:
    found = _by_text(paragraph_findings)
    assert found["12 March 2015"] == "DATE_OF_BIRTH"
    assert found["Kelly Marsh"] == "PERSON"
    assert found["Darren Hollis"] == "PERSON"
    assert found["14 Acacia Road"] == "ADDRESS"
    assert found["NT4 7QX"] == "POSTCODE"
    assert found["St Mary's Primary School"] == "SCHOOL"
    assert found["943 476 5919"] == "NHS_NUMBER"
    assert found["AB 12 34 56 C"] == "NI_NUMBER"
    assert found["Flat 3, Ivy Court"] == "ADDRESS"


def test_findings_index_exactly_into_the_text_in_order(paragraph_findings: list[PiiFinding]) -> None:
    assert all(SAFEGUARDING_PARAGRAPH[f.start : f.end] == f.text for f in paragraph_findings)
    assert [f.start for f in paragraph_findings] == sorted(f.start for f in paragraph_findings)
    assert all(a.end <= b.start for a, b in itertools.pairwise(paragraph_findings))


def test_a_name_found_once_is_found_at_every_mention(paragraph_findings: list[PiiFinding]) -> None:
    found = _by_text(paragraph_findings)
    assert found["Kelly"] == "PERSON"
    assert found["Darren"] == "PERSON"


def test_pseudonyms_and_roles_are_never_findings(paragraph_findings: list[PiiFinding]) -> None:
    texts = {finding.text for finding in paragraph_findings}
    assert not texts & {"Child A", "Zara", "Health Visitor", "Probation", "Mother"}


def test_a_name_part_from_the_deny_list_is_a_known_name_even_with_a_possessive(
    paragraph_findings: list[PiiFinding],
) -> None:
    assert _by_text(paragraph_findings)["Jayden"] == "KNOWN_NAME"


def test_deny_list_matches_whole_words_ignoring_case_and_line_breaks(scanner: PiiScanner) -> None:
    text = "JAYDEN REID was seen. Jayden\nReid's brother. Jaydenson is unrelated."
    known = [(f.text, f.score) for f in scanner.scan(text) if f.type == "KNOWN_NAME"]
    assert known == [("JAYDEN REID", 1.0), ("Jayden\nReid", 1.0)]


def test_deny_list_wins_over_allow_list() -> None:
    findings = PiiScanner(deny_list=["Zara"], allow_list=["Zara"]).scan("Zara was seen at home.")
    assert [(f.text, f.type) for f in findings] == [("Zara", "KNOWN_NAME")]


def test_a_pseudonym_joined_to_a_real_surname_is_still_a_finding(scanner: PiiScanner) -> None:
    assert "Zara Hollingworth" in {f.text for f in scanner.scan("Later Zara Hollingworth moved to Leeds.")}


def test_overlapping_findings_keep_the_more_specific_type(scanner: PiiScanner) -> None:
    findings = scanner.scan("The school, St Mary's Primary School, is in Northtown NT4 7QX.")
    by_text = _by_text(findings)
    assert by_text["St Mary's Primary School"] == "SCHOOL"
    assert by_text["NT4 7QX"] == "POSTCODE"
    assert "Mary" not in by_text


def test_scan_many_gives_the_same_findings_as_scan(scanner: PiiScanner) -> None:
    texts = [SAFEGUARDING_PARAGRAPH, "No names here.", "Mrs Doreen Pike called 999."]
    assert scanner.scan_many(texts) == [scanner.scan(text) for text in texts]


def test_a_text_longer_than_one_chunk_keeps_exact_offsets(scanner: PiiScanner) -> None:
    filler = "The review considered how agencies worked together. " * 2200
    text = filler + "\n\n" + SAFEGUARDING_PARAGRAPH
    findings = scanner.scan(text)
    assert len(text) > 100_000
    assert all(text[f.start : f.end] == f.text for f in findings)
    assert "943 476 5919" in {f.text for f in findings}


def test_uk_phone_numbers_are_found(scanner: PiiScanner) -> None:
    findings = scanner.scan("The duty desk is on 0113 496 0958; her mobile was 07911 123456.")
    assert [(f.text, f.type) for f in findings] == [("0113 496 0958", "PHONE"), ("07911 123456", "PHONE")]


def test_an_email_scan_does_not_wait_for_the_network(scanner: PiiScanner) -> None:
    began = time.perf_counter()
    findings = scanner.scan("Write to k.marsh@example.co.uk about the meeting.")
    assert time.perf_counter() - began < 2.0
    assert [(f.text, f.type) for f in findings] == [("k.marsh@example.co.uk", "EMAIL")]
