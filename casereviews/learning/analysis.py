"""The tables of a triennial-style analysis (DOMAIN.md, "Learning outputs"), from analysis records.

Pure Python over `Row`s (one per report, human-confirmed values only), so the same code serves the pages, the
downloads, the API and the benchmark. Every table is one pass over the rows. Disclosure control
(`disclosure.py`) is applied when a table is built: a `Cell` carries its true count for the server's own use (the
list of reviews behind it) and the text that may be shown.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from operator import itemgetter
from typing import Final, NamedTuple

from casereviews.learning import coding, disclosure, vocabulary

TOTAL: Final = "total"


class Row(NamedTuple):
    """One report's confirmed values, as `selectors.analysis_rows` reads them from the database: lists of codes
    and the fields still pending are space-separated text, "" is "none confirmed"."""

    report_id: int
    year_published: int | None
    year_incident: int | None
    nation: str
    region: str
    outcome: str
    death_category: str
    age_band: str
    sex: str
    ethnicity: str
    harm_source: str
    social_care: str
    harm_types: str
    risk_factors: str
    practice_themes: str
    pending: str
    reviewed: bool


@dataclass(frozen=True)
class Dimension:
    """How a table reads one coded field of a row."""

    field: str  # the coding frame's field, as recorded in Row.pending
    columns: tuple[str, ...]  # the Row fields it reads
    read: Callable[..., tuple[str, ...]]  # those fields' values -> the row's codes; () when none is confirmed
    labels: dict[str, str] | None  # codes in display order; None: the codes the rows have, sorted
    multiple: bool = False  # a row may have several codes (risk factors): prevalence, not a distribution


def _scalar(value: object) -> tuple[str, ...]:
    return (str(value),) if value not in ("", None) else ()


def _codes(value: str) -> tuple[str, ...]:
    return tuple(value.split())


def _region(region: str, nation: str) -> tuple[str, ...]:
    if region:
        return (region,)
    return (f"{vocabulary.NATIONS[nation]} (no regions)",) if nation in vocabulary.NATIONS else ()


def _ethnicity(value: str) -> tuple[str, ...]:
    # Free text in reports: group spellings that differ only in case and spacing.
    return (" ".join(value.split()).capitalize(),) if value else ()


YEAR = Dimension("year_published", ("year_published",), _scalar, None)
OUTCOME = Dimension("outcome", ("outcome",), _scalar, vocabulary.OUTCOMES)
AGE_BAND = Dimension("child.age_band", ("age_band",), _scalar, vocabulary.AGE_BANDS)
SEX = Dimension("child.sex", ("sex",), _scalar, vocabulary.SEXES)
ETHNICITY = Dimension("child.ethnicity", ("ethnicity",), _ethnicity, None)
DEATH_CATEGORY = Dimension("death_category", ("death_category",), _scalar, vocabulary.DEATH_CATEGORIES)
HARM_TYPE = Dimension("harm_types", ("harm_types",), _codes, vocabulary.HARM_TYPES, multiple=True)
HARM_SOURCE = Dimension("harm_source", ("harm_source",), _scalar, vocabulary.HARM_SOURCES)
RISK_FACTOR = Dimension("risk_factors", ("risk_factors",), _codes, vocabulary.RISK_FACTORS, multiple=True)
PRACTICE_THEME = Dimension("practice_themes", ("practice_themes",), _codes, vocabulary.PRACTICE_THEMES, multiple=True)
SOCIAL_CARE = Dimension("social_care", ("social_care",), _scalar, coding.SOCIAL_CARE)
REGION = Dimension("region", ("region", "nation"), _region, None)


@dataclass(frozen=True)
class TableSpec:
    key: str
    title: str
    kind: str  # crosstab, distribution, prevalence
    rows: Dimension
    columns: Dimension | None = None
    # Which reviews the table is about: those whose outcome is one of `universe`; empty: all.
    universe: frozenset[str] = frozenset()
    universe_label: str = "reviews"
    always_rounded: bool = False  # regional figures

    def reads(self) -> tuple[str, ...]:
        """The Row fields the table needs, in the order `parts` unpacks them."""
        own = self.rows.columns + (self.columns.columns if self.columns else ())
        # The outcome only where it decides the universe: every extra field multiplies the combinations.
        return (*own, *(("outcome",) if self.universe else ()), "pending", "reviewed")

    def getter(self) -> Callable[[Row], tuple[object, ...]]:
        return itemgetter(*(Row._fields.index(name) for name in self.reads()))

    def parts(self, key: tuple[object, ...]) -> tuple[tuple[str, ...], tuple[str, ...] | None, bool, str, bool]:
        """From a getter's result: the row codes, the column codes, whether the review is in the universe, the
        pending fields and whether it was reviewed."""
        n = len(self.rows.columns)
        row_codes = self.rows.read(*key[:n])
        column_codes = None
        if self.columns is not None:
            m = n + len(self.columns.columns)
            column_codes = self.columns.read(*key[n:m])
            n = m
        in_universe = True
        if self.universe:
            in_universe = key[n] in self.universe
            n += 1
        pending, reviewed = key[n], key[n + 1]
        return row_codes, column_codes, in_universe, str(pending), bool(reviewed)


TABLES: Final[tuple[TableSpec, ...]] = (
    TableSpec("year_outcome", "Reviews by year of publication and outcome", "crosstab", YEAR, OUTCOME),
    TableSpec("age_outcome", "Age of the child by outcome", "crosstab", AGE_BAND, OUTCOME),
    TableSpec("sex", "Sex of the child", "distribution", SEX),
    TableSpec("ethnicity", "Ethnicity of the child", "distribution", ETHNICITY),
    TableSpec(
        "death_category",
        "Category of death",
        "distribution",
        DEATH_CATEGORY,
        universe=frozenset({"died"}),
        universe_label="reviews of a child's death",
    ),
    TableSpec(
        "harm_type",
        "Type of harm where the child survived",
        "prevalence",
        HARM_TYPE,
        universe=frozenset({"seriously_harmed", "other"}),
        universe_label="reviews where the child survived",
    ),
    TableSpec("harm_source", "Source of harm", "distribution", HARM_SOURCE),
    TableSpec("risk_factors", "Prevalence of risk factors", "prevalence", RISK_FACTOR),
    TableSpec("practice_themes", "Prevalence of practice themes", "prevalence", PRACTICE_THEME),
    TableSpec("social_care", "Involvement of children's social care", "distribution", SOCIAL_CARE),
    TableSpec("region", "Reviews by region", "distribution", REGION, always_rounded=True),
)
TABLES_BY_KEY: Final = {spec.key: spec for spec in TABLES}


@dataclass
class Cell:
    row: str
    column: str
    count: int  # the true count: for the server's own use, never shown when suppressed
    text: str = ""
    suppressed: bool = False
    percent: str = ""
    interval: str = ""
    value: int | None = None  # what may be published as a number (rounded), None when suppressed
    percent_value: Decimal | None = None
    interval_values: tuple[Decimal, Decimal] | None = None

    @property
    def linkable(self) -> bool:
        return self.count > 0 and not self.suppressed


@dataclass
class TableRow:
    code: str
    label: str
    cells: list[Cell]


@dataclass
class Table:
    key: str
    title: str
    kind: str
    row_heading: str
    columns: list[tuple[str, str]]  # (code, label); the last is the total in a crosstab
    rows: list[TableRow]
    counted: int  # reviews in the table's universe with the field(s) confirmed
    unconfirmed: int  # in the universe, but a proposal waits for a person
    unknown: int  # in the universe, confirmed or reviewed, but the value is not known
    universe_label: str
    rounded: bool
    notes: list[str] = field(default_factory=list)

    def cell(self, row: str, column: str) -> Cell | None:
        for table_row in self.rows:
            if table_row.code == row:
                return next((c for c in table_row.cells if c.column == column), None)
        return None


@dataclass(frozen=True)
class Analysis:
    tables: list[Table]
    reviews: int  # reviews in the selection
    rounded: bool

    def table(self, key: str) -> Table:
        return next(t for t in self.tables if t.key == key)


def _labels(dimension: Dimension, seen: Iterable[str]) -> list[tuple[str, str]]:
    if dimension.labels is not None:
        known = list(dimension.labels.items())
        extra = sorted(set(seen) - set(dimension.labels))  # a corrected code outside the vocabulary still counts
        return known + [(code, code) for code in extra]
    return [(code, code) for code in sorted(set(seen), key=str)]


def _finish_cell(cell: Cell, *, denominator: int | None, rounded: bool, interval: bool) -> None:
    if cell.suppressed:
        cell.text, cell.value = disclosure.SUPPRESSED, None
        if denominator is not None:
            cell.percent = disclosure.SUPPRESSED
            if interval:
                cell.interval = disclosure.SUPPRESSED
        return
    cell.value = disclosure.round_half_up(cell.count) if rounded else cell.count
    cell.text = f"{cell.value:,}"
    if denominator is not None:
        cell.percent_value = disclosure.percent(cell.count, denominator)
        cell.percent = disclosure.percent_text(cell.percent_value)
        if interval:
            bounds = disclosure.wilson_interval(cell.count, denominator)
            if bounds is not None:
                low, high = disclosure.percent_of(bounds[0]), disclosure.percent_of(bounds[1])
                cell.interval_values = (low, high)
                cell.interval = f"{low}% to {high}%"


def build_table(spec: TableSpec, rows: Sequence[Row], *, rounded: bool = False) -> Table:
    """One table. Rows are first grouped by the fields the table reads (at C speed, and there are few distinct
    combinations), so the rules below run once per combination rather than once per report."""
    rounded = rounded or spec.always_rounded
    fields = [spec.rows.field] + ([spec.columns.field] if spec.columns else [])
    if spec.universe:
        fields.append("outcome")
    counts: Counter[tuple[str, ...]] = Counter()
    missing: Counter[str] = Counter()
    counted = in_universe = 0
    for key, weight in Counter(map(spec.getter(), rows)).items():
        row_codes, column_codes, inside, pending_text, reviewed = spec.parts(key)
        pending = pending_text.split()
        if not inside:
            if "outcome" in pending:
                missing["unconfirmed"] += weight
            continue
        in_universe += weight
        if spec.rows.multiple:
            # A list of codes is complete once a person has reviewed the report and no proposal of it waits.
            if reviewed and spec.rows.field not in pending:
                counted += weight
                for code in row_codes:
                    counts[(code,)] += weight
            else:
                missing["unconfirmed" if spec.rows.field in pending or not reviewed else "unknown"] += weight
        elif row_codes and (column_codes is None or column_codes):
            counted += weight
            counts[(row_codes[0], column_codes[0]) if column_codes else (row_codes[0],)] += weight
        else:
            missing["unconfirmed" if any(f in pending for f in fields) else "unknown"] += weight
    if spec.kind == "crosstab":
        table = _crosstab(spec, counts, counted, rounded=rounded)
    elif spec.kind == "prevalence":
        table = _prevalence(spec, counts, counted, rounded=rounded)
    else:
        table = _distribution(spec, counts, counted, rounded=rounded)
    table.unconfirmed, table.unknown = missing["unconfirmed"], missing["unknown"]
    table.notes = _notes(table, spec, in_universe)
    return table


def _crosstab(spec: TableSpec, counts: Counter[tuple[str, ...]], counted: int, *, rounded: bool) -> Table:
    assert spec.columns is not None
    row_labels = _labels(spec.rows, (r for r, _ in counts))
    column_labels = _labels(spec.columns, (c for _, c in counts))
    grid: dict[tuple[int, int], int] = {}
    for i, (r, _) in enumerate(row_labels):
        for j, (c, _) in enumerate(column_labels):
            grid[(i, j)] = counts[(r, c)]
    n_rows, n_cols = len(row_labels), len(column_labels)
    for i in range(n_rows):
        grid[(i, n_cols)] = sum(grid[(i, j)] for j in range(n_cols))
    for j in range(n_cols + 1):
        grid[(n_rows, j)] = sum(grid[(i, j)] for i in range(n_rows))
    primary = {cell for cell, count in grid.items() if disclosure.is_small(count)}
    lines: list[tuple[list[tuple[int, int]], tuple[int, int]]] = []
    for i in range(n_rows + 1):
        lines.append(([(i, j) for j in range(n_cols)], (i, n_cols)))
    for j in range(n_cols + 1):
        lines.append(([(i, j) for i in range(n_rows)], (n_rows, j)))
    hidden = disclosure.secondary_suppression(lines, grid, primary)
    all_rows = [*row_labels, (TOTAL, "Total")]
    all_columns = [*column_labels, (TOTAL, "Total")]
    table_rows = []
    for i, (r, label) in enumerate(all_rows):
        cells = []
        for j, (c, _) in enumerate(all_columns):
            cell = Cell(row=r, column=c, count=grid[(i, j)], suppressed=(i, j) in hidden)
            _finish_cell(cell, denominator=None, rounded=rounded, interval=False)
            cells.append(cell)
        table_rows.append(TableRow(r, label, cells))
    return Table(
        spec.key,
        spec.title,
        spec.kind,
        _heading(spec.rows),
        all_columns,
        table_rows,
        counted,
        0,
        0,
        spec.universe_label,
        rounded,
    )


def _distribution(spec: TableSpec, counts: Counter[tuple[str, ...]], total: int, *, rounded: bool) -> Table:
    labels = _labels(spec.rows, (code for (code,) in counts))
    grid = {(i, 0): counts[(code,)] for i, (code, _) in enumerate(labels)}
    grid[(len(labels), 0)] = total
    primary = {cell for cell, count in grid.items() if disclosure.is_small(count)}
    hidden = disclosure.secondary_suppression([([(i, 0) for i in range(len(labels))], (len(labels), 0))], grid, primary)
    table_rows = []
    for i, (code, label) in enumerate([*labels, (TOTAL, "Total")]):
        cell = Cell(row=code, column=TOTAL, count=grid[(i, 0)], suppressed=(i, 0) in hidden)
        _finish_cell(cell, denominator=total, rounded=rounded, interval=False)
        table_rows.append(TableRow(code, label, [cell]))
    return Table(
        spec.key,
        spec.title,
        spec.kind,
        _heading(spec.rows),
        [(TOTAL, "Reviews")],
        table_rows,
        total,
        0,
        0,
        spec.universe_label,
        rounded,
    )


def _prevalence(spec: TableSpec, counts: Counter[tuple[str, ...]], total: int, *, rounded: bool) -> Table:
    """Each code's share of the reviews: the codes overlap, so there is no total to subtract from."""
    labels = _labels(spec.rows, (code for (code,) in counts))
    table_rows = []
    for code, label in labels:
        count = counts[(code,)]
        cell = Cell(row=code, column=TOTAL, count=count, suppressed=disclosure.is_small(count))
        _finish_cell(cell, denominator=total, rounded=rounded, interval=True)
        table_rows.append(TableRow(code, label, [cell]))
    base = Cell(row=TOTAL, column=TOTAL, count=total, suppressed=disclosure.is_small(total))
    _finish_cell(base, denominator=None, rounded=rounded, interval=False)
    table_rows.append(TableRow(TOTAL, "Reviews counted", [base]))
    return Table(
        spec.key,
        spec.title,
        spec.kind,
        _heading(spec.rows),
        [(TOTAL, "Reviews")],
        table_rows,
        total,
        0,
        0,
        spec.universe_label,
        rounded,
    )


_HEADINGS = {
    "year_published": "Year published",
    "outcome": "Outcome",
    "child.age_band": "Age",
    "child.sex": "Sex",
    "child.ethnicity": "Ethnicity",
    "death_category": "Category of death",
    "harm_types": "Type of harm",
    "harm_source": "Source of harm",
    "risk_factors": "Risk factor",
    "practice_themes": "Practice theme",
    "social_care": "Involvement",
    "region": "Region",
}


def _heading(dimension: Dimension) -> str:
    return _HEADINGS[dimension.field]


def _notes(table: Table, spec: TableSpec, in_universe: int) -> list[str]:
    plural = "" if table.counted == 1 else "s"
    notes = [
        f"Counted: {table.counted} review{plural} of {in_universe} {spec.universe_label} in the selection, "
        "from values a person has confirmed."
    ]
    if table.unconfirmed or table.unknown:
        notes.append(
            f"Not counted: {table.unconfirmed} with the field not yet confirmed and {table.unknown} "
            "where it is not known."
        )
    notes.append(
        disclosure.SUPPRESSION_RULE
        if spec.kind != "prevalence"
        else f"Counts from 1 to {disclosure.SMALL_CELL_MAX} are shown as “{disclosure.SUPPRESSED}”. A review "
        "may have several, so the figures overlap and do not add up to the number of reviews."
    )
    if table.rounded:
        notes.append(disclosure.ROUNDING_RULE)
    if spec.kind != "crosstab":
        notes.append(f"{disclosure.PERCENT_RULE} Percentages are of the reviews counted.")
    if spec.kind == "prevalence":
        notes.append(disclosure.INTERVAL_RULE)
    return notes


def analyse(rows: Sequence[Row], *, rounded: bool = False) -> Analysis:
    """Every table for the selection `rows`. `rounded`: the selection is regional (a region or a partnership)."""
    return Analysis([build_table(spec, rows, rounded=rounded) for spec in TABLES], len(rows), rounded)


def cell_members(spec: TableSpec, rows: Iterable[Row], row_code: str, column_code: str) -> list[int]:
    """The reports a cell counts: the same test `build_table` applies, for the cell's row and column."""
    members = []
    getter = spec.getter()
    for row in rows:
        row_codes, column_codes, inside, pending, reviewed = spec.parts(getter(row))
        if not inside or (spec.rows.multiple and not (reviewed and spec.rows.field not in pending.split())):
            continue
        if not row_codes or (row_code != TOTAL and row_code not in row_codes):
            continue
        if column_codes is not None and (
            not column_codes or (column_code != TOTAL and column_code not in column_codes)
        ):
            continue
        members.append(row.report_id)
    return members
