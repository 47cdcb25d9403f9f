"""Disclosure control: the rules of official statistics at their edges."""

from __future__ import annotations

from decimal import Decimal

import pytest

from casereviews.learning import disclosure


@pytest.mark.parametrize(("count", "small"), [(0, False), (1, True), (4, True), (5, True), (6, False), (100, False)])
def test_counts_from_one_to_the_threshold_are_small_and_zero_is_not(count, small):
    assert disclosure.SMALL_CELL_MAX == 5
    assert disclosure.is_small(count) is small


@pytest.mark.parametrize(
    ("count", "rounded"),
    [(0, 0), (4, 0), (5, 10), (6, 10), (14, 10), (15, 20), (25, 30), (35, 40), (44, 40), (45, 50), (1005, 1010)],
)
def test_regional_figures_round_to_the_nearest_ten_with_halves_upwards(count, rounded):
    assert disclosure.round_half_up(count) == rounded


@pytest.mark.parametrize(
    ("count", "total", "shown"),
    [
        (1, 3, Decimal("33.3")),
        (2, 3, Decimal("66.7")),
        (1, 8, Decimal("12.5")),
        (1, 16, Decimal("6.3")),  # 6.25: halves go up (round() would give 6.2)
        (3, 8, Decimal("37.5")),
        (0, 7, Decimal("0.0")),
        (7, 7, Decimal("100.0")),
    ],
)
def test_percentages_have_one_decimal_place_with_halves_upwards(count, total, shown):
    assert disclosure.percent(count, total) == shown


def test_a_percentage_of_nothing_is_not_a_number():
    assert disclosure.percent(0, 0) is None
    assert disclosure.wilson_interval(0, 0) is None


@pytest.mark.parametrize(
    ("count", "total", "low", "high"),
    [
        # Reference values: Newcombe (1998), table I, and the usual published tables of the Wilson interval.
        (0, 10, "0.0", "27.8"),
        (5, 10, "23.7", "76.3"),
        (10, 10, "72.2", "100.0"),
        (6, 10, "31.3", "83.2"),
        (81, 263, "25.5", "36.6"),
    ],
)
def test_the_wilson_interval_matches_published_values(count, total, low, high):
    bounds = disclosure.wilson_interval(count, total)
    assert bounds is not None
    assert (str(disclosure.percent_of(bounds[0])), str(disclosure.percent_of(bounds[1]))) == (low, high)


def line(counts):
    """One line of a table: cells 0..n-1 and the total in cell n."""
    cells = {(0, j): count for j, count in enumerate(counts)}
    cells[(0, len(counts))] = sum(counts)
    return [([(0, j) for j in range(len(counts))], (0, len(counts)))], cells


def test_a_total_that_would_reveal_one_suppressed_cell_makes_the_next_smallest_cell_suppressed_too():
    lines, counts = line([3, 10, 12])
    assert disclosure.secondary_suppression(lines, counts, {(0, 0)}) == {(0, 0), (0, 1)}


def test_zeros_are_never_chosen_for_secondary_suppression():
    lines, counts = line([3, 0, 20])
    assert disclosure.secondary_suppression(lines, counts, {(0, 0)}) == {(0, 0), (0, 2)}


def test_with_no_other_cell_to_hide_the_total_itself_is_suppressed():
    lines, counts = line([7, 0, 0])
    assert disclosure.secondary_suppression(lines, counts, {(0, 0)}) == {(0, 0), (0, 3)}


def test_two_suppressed_cells_in_a_line_need_nothing_more():
    lines, counts = line([3, 2, 40])
    assert disclosure.secondary_suppression(lines, counts, {(0, 0), (0, 1)}) == {(0, 0), (0, 1)}


def test_a_line_whose_total_is_hidden_reveals_nothing():
    lines, counts = line([3, 0])
    assert disclosure.secondary_suppression(lines, counts, {(0, 0), (0, 2)}) == {(0, 0), (0, 2)}


def test_suppression_spreads_across_rows_and_columns_until_nothing_can_be_worked_out():
    # Two rows of two cells with row and column totals: hiding one inner cell must hide all four.
    counts = {(0, 0): 3, (0, 1): 9, (0, 2): 12, (1, 0): 8, (1, 1): 12, (1, 2): 20, (2, 0): 11, (2, 1): 21, (2, 2): 32}
    lines = [([(i, 0), (i, 1)], (i, 2)) for i in range(3)] + [([(0, j), (1, j)], (2, j)) for j in range(3)]
    hidden = disclosure.secondary_suppression(lines, counts, {(0, 0)})
    assert hidden == {(0, 0), (0, 1), (1, 0), (1, 1)}
