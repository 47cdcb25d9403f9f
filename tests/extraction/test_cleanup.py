import pytest

from extraction.cleanup import join_line_end_hyphens, remove_repeated_headers_footers


@pytest.mark.parametrize(
    ("broken", "whole"),
    [
        ("shared infor-\nmation with", "shared information with"),
        ("the multi-\nagency meeting", "the multi-agency meeting"),
        ("an early inter-\nvention", "an early intervention"),
        ("a child-\ncentred plan", "a child-centred plan"),
        ("joint decision-\nmaking", "joint decision-making"),
        ("a follow-\nup visit", "a follow-up visit"),
        ("her behav-\niour at school", "her behaviour at school"),
        ("the organi-\nsation had", "the organisation had"),
        ("safe-\nguarding partners", "safeguarding partners"),
        ("non-\nattendance at clinic", "non-attendance at clinic"),
        ("self-\nharm was disclosed", "self-harm was disclosed"),
        ("a re-\nferral was made", "a referral was made"),
        ("Mrs Smith-\nJones attended", "Mrs Smith-Jones attended"),
        ("a two-\nyear-old child", "a two-year-old child"),
    ],
)
def test_line_end_hyphen_is_joined_but_compound_hyphen_is_kept(broken: str, whole: str) -> None:
    assert join_line_end_hyphens(broken) == whole


def test_pdfium_hyphen_markers_are_decided_like_line_end_hyphens() -> None:
    pdfium_text = "shared infor\ufffemation with the multi\ufffeagency team"
    assert join_line_end_hyphens(pdfium_text) == "shared information with the multi-agency team"


def test_a_pdfium_marker_without_a_following_word_becomes_a_plain_hyphen() -> None:
    assert join_line_end_hyphens("between 2019\ufffe2020") == "between 2019-2020"


def test_a_soft_hyphen_at_a_line_end_is_always_joined() -> None:
    assert join_line_end_hyphens("multi\u00ad\nagency") == "multiagency"


def test_hyphens_that_do_not_end_a_line_and_dashes_are_left_alone() -> None:
    text = "A multi-agency meeting – held late – agreed a plan -\nthen nothing happened."
    assert join_line_end_hyphens(text) == text


def test_running_headers_and_numbered_footers_are_removed_from_every_page() -> None:
    pages = [
        f"Northshire SCR Child A – Page {number}\nBody text of page {number} about the family.\n"
        f"Another line of the review.\nPage {number} of 40\n- {number} -"
        for number in range(1, 6)
    ]
    cleaned = remove_repeated_headers_footers(pages)
    assert cleaned == [
        f"Body text of page {number} about the family.\nAnother line of the review." for number in range(1, 6)
    ]


OPENING_LINES = [
    "The family moved to Northshire in 2017.",
    "Child A started nursery in September.",
    "The GP saw Child A for a rash.",
    "Police attended the home after a call.",
    "A strategy discussion was held.",
]


def test_body_lines_repeated_near_the_top_of_pages_are_kept() -> None:
    pages = [
        f"OFFICIAL SENSITIVE\n{opening}\nNo further action was taken.\nThe case was closed.\n{number}"
        for number, opening in enumerate(OPENING_LINES, start=1)
    ]
    cleaned = remove_repeated_headers_footers(pages)
    assert cleaned == [f"{opening}\nNo further action was taken.\nThe case was closed." for opening in OPENING_LINES]


def test_chronology_dates_at_the_top_of_pages_are_not_taken_for_page_numbers() -> None:
    days = [3, 17, 5, 22, 9, 30]
    pages = [f"{day:02d}/03/2019 Home visit by the health visitor\nThe baby was weighed." for day in days]
    assert remove_repeated_headers_footers(pages) == pages


def test_a_line_at_the_top_of_only_a_few_pages_is_kept() -> None:
    pages = ["Recommendations\nThe partnership should act.", "Recommendations\nContinued."] + [
        f"{opening}\nThe health visitor visited." for opening in OPENING_LINES
    ]
    assert remove_repeated_headers_footers(pages) == pages


def test_a_lone_page_number_matching_its_page_is_removed_even_on_one_page() -> None:
    pages = ["Front cover text\nSecond line", "2\nSummary of the incident\nMore detail"]
    cleaned = remove_repeated_headers_footers(pages)
    assert cleaned == ["Front cover text\nSecond line", "Summary of the incident\nMore detail"]


def test_a_number_that_is_not_the_page_number_is_body_text() -> None:
    pages = ["7\nSeven professionals attended the meeting.", "Another page\nwith text"]
    assert remove_repeated_headers_footers(pages) == pages


def test_a_single_page_is_never_cleaned_of_repeated_lines() -> None:
    page = "Northshire SCR Child A\nBody\nNorthshire SCR Child A"
    assert remove_repeated_headers_footers([page]) == [page]
