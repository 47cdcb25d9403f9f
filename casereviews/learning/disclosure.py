"""Disclosure control for published statistics, as official statistics do it (DOMAIN.md, "Learning outputs").

Pure functions over whole numbers; the rules are named constants so that the note under each table is written
from the same values the code applies.

- Primary suppression: a count from 1 to SMALL_CELL_MAX is shown as SUPPRESSED ("c"). Zero is shown: a review
  that did not happen identifies no child.
- Secondary suppression: where a line of a table (a row or a column, with its total) has exactly one suppressed
  cell, the total would give it away by subtraction, so the smallest other non-zero cell of that line is
  suppressed too; where no such cell exists, the total is. Repeated until no line gives a cell away.
- Rounding: regional figures (and every figure of a selection narrowed to a region or a partnership) are rounded
  to the nearest ROUNDING_BASE, halves upwards (15 -> 20), after suppression; totals are rounded on their own.
- Percentages to PERCENT_DECIMALS decimal places, halves upwards, from the unrounded counts; the percentage or
  interval of a suppressed count is suppressed too.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Final

SUPPRESSED: Final = "c"
SMALL_CELL_MAX: Final = 5
ROUNDING_BASE: Final = 10
PERCENT_DECIMALS: Final = 1
# The normal quantile for a two-sided 95% interval.
Z_95: Final = 1.959963984540054

SUPPRESSION_RULE: Final = (
    f"Counts from 1 to {SMALL_CELL_MAX} are shown as “{SUPPRESSED}” to protect the children concerned; where a "
    f"total would reveal a single suppressed figure, another figure is suppressed as well."
)
ROUNDING_RULE: Final = (
    f"Regional figures are rounded to the nearest {ROUNDING_BASE}; totals are rounded on their own, so figures "
    f"may not add up to them."
)
PERCENT_RULE: Final = (
    f"Percentages are given to {PERCENT_DECIMALS} decimal place and are not shown for suppressed figures."
)
INTERVAL_RULE: Final = (
    "The 95% confidence interval is the Wilson score interval: the range within which the true proportion "
    "probably lies, given how few reviews there are."
)


def is_small(count: int) -> bool:
    return 1 <= count <= SMALL_CELL_MAX


def round_half_up(count: int, base: int = ROUNDING_BASE) -> int:
    """`count` to the nearest multiple of `base`, halves upwards (Python's round() would round 25 to 20)."""
    return (count + base // 2) // base * base


def percent(count: int, total: int) -> Decimal | None:
    if total <= 0:
        return None
    exact = Decimal(count) * 100 / Decimal(total)
    return exact.quantize(Decimal(1).scaleb(-PERCENT_DECIMALS), rounding=ROUND_HALF_UP)


def percent_of(proportion: float) -> Decimal:
    """A proportion in [0, 1] as a percentage to PERCENT_DECIMALS places, halves upwards."""
    return (Decimal(repr(proportion)) * 100).quantize(Decimal(1).scaleb(-PERCENT_DECIMALS), rounding=ROUND_HALF_UP)


def wilson_interval(count: int, total: int, z: float = Z_95) -> tuple[float, float] | None:
    """The Wilson score interval for a proportion (E. B. Wilson, JASA 22:209-212, 1927; recommended over the
    normal approximation for small samples and proportions near 0 or 1 by R. G. Newcombe, Stat Med 17:857-872,
    1998):

        centre = (p + z²/2n) / (1 + z²/n)
        half   = z / (1 + z²/n) * sqrt(p(1 - p)/n + z²/4n²)

    Returned as proportions in [0, 1]."""
    if total <= 0:
        return None
    p = count / total
    denominator = 1 + z * z / total
    centre = (p + z * z / (2 * total)) / denominator
    half = z / denominator * math.sqrt(p * (1 - p) / total + z * z / (4 * total * total))
    return max(0.0, centre - half), min(1.0, centre + half)


def percent_text(value: Decimal | None) -> str:
    return "" if value is None else f"{value}%"


Cell = tuple[int, int]


def secondary_suppression(
    lines: Sequence[tuple[Sequence[Cell], Cell]], counts: dict[Cell, int], suppressed: set[Cell]
) -> set[Cell]:
    """Extend `suppressed` until no line reveals a single suppressed cell by subtraction from its total.

    `lines` lists each published line of a table as (its cells, the cell holding its total); `counts` maps every
    cell, totals included, to its count. Returns the new suppressed set; the input is not changed."""
    result = set(suppressed)
    changed = True
    while changed:
        changed = False
        for cells, total_cell in lines:
            hidden = [cell for cell in cells if cell in result]
            if len(hidden) != 1 or total_cell in result:
                continue
            candidates = sorted((counts[cell], cell) for cell in cells if cell not in result and counts[cell] > 0)
            result.add(candidates[0][1] if candidates else total_cell)
            changed = True
    return result
