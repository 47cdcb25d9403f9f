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
from typing import Final, NamedTuple

from casereviews.learning import coding, disclosure, vocabulary

TOTAL: Final = "total"


class Row(NamedTuple):
    """One report's confirmed values, as `selectors.analysis_rows` reads them."""

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
    harm_types: frozenset[str]
    risk_factors: frozenset[str]
    practice_themes: frozenset[str]
    pending: frozenset[str]
    reviewed: bool


@dataclass(frozen=True)
class Dimension:
    """How a table reads one coded field of a row."""

    field: str  # the coding frame's field, as recorded in Row.pending
    values: Callable[[Row], tuple[str, ...]]  # the row's codes; () when it has none confirmed
    labels: dict[str, str] | None  # codes in display order; None: the codes the rows have, sorted
    multiple: bool = False  # a row may have several codes (risk factors): prevalence, not a distribution


def _scalar(name: str) -> Callable[[Row], tuple[str, ...]]:
    def read(row: Row) -> tuple[str, ...]:
        value = getattr(row, name)
        return (str(value),) if value not in ("", None) else ()

    return read


def _codes(name: str) -> Callable[[Row], tuple[str, ...]]:
    def read(row: Row) -> tuple[str, ...]:
        return tuple(getattr(row, name))

    return read


def _region(row: Row) -> tuple[str, ...]:
    if row.region:
        return (row.region,)
    return (f"{vocabulary.NATIONS[row.nation]} (no regions)",) if row.nation in vocabulary.NATIONS else ()


def _ethnicity(row: Row) -> tuple[str, ...]:
    # Free text in reports: group spellings that differ only in case and spacing.
    return (" ".join(row.ethnicity.split()).capitalize(),) if row.ethnicity else ()


YEAR = Dimension("year_published", _scalar("year_published"), None)
OUTCOME = Dimension("outcome", _scalar("outcome"), vocabulary.OUTCOMES)
AGE_BAND = Dimension("child.age_band", _scalar("age_band"), vocabulary.AGE_BANDS)
SEX = Dimension("child.sex", _scalar("sex"), vocabulary.SEXES)
ETHNICITY = Dimension("child.ethnicity", _ethnicity, None)
DEATH_CATEGORY = Dimension("death_category", _scalar("death_category"), vocabulary.DEATH_CATEGORIES)
HARM_TYPE = Dimension("harm_types", _codes("harm_types"), vocabulary.HARM_TYPES, multiple=True)
HARM_SOURCE = Dimension("harm_source", _scalar("harm_source"), vocabulary.HARM_SOURCES)
RISK_FACTOR = Dimension("risk_factors", _codes("risk_factors"), vocabulary.RISK_FACTORS, multiple=True)
PRACTICE_THEME = Dimension("practice_themes", _codes("practice_themes"), vocabulary.PRACTICE_THEMES, multiple=True)
SOCIAL_CARE = Dimension("social_care", _scalar("social_care"), coding.SOCIAL_CARE)
REGION = Dimension("region", _region, None)


def _is_death(row: Row) -> bool:
    return row.outcome == "died"


def _is_non_fatal(row: Row) -> bool:
    return row.outcome in {"seriously_harmed", "other"}


@dataclass(frozen=True)
class TableSpec:
    key: str
    title: str
    kind: str  # crosstab, distribution, prevalence
    rows: Dimension
    columns: Dimension | None = None
    universe: Callable[[Row], bool] | None = None  # which reviews the table is about; None: all
    universe_label: str = "reviews"
    universe_field: str = ""  # the field the universe depends on, for the unconfirmed count
    always_rounded: bool = False  # regional figures


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
        universe=_is_death,
        universe_label="reviews of a child's death",
        universe_field="outcome",
    ),
    TableSpec(
        "harm_type",
        "Type of harm where the child survived",
        "prevalence",
        HARM_TYPE,
        universe=_is_non_fatal,
        universe_label="reviews where the child survived",
        universe_field="outcome",
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


def _missing_kind(row: Row, fields: Sequence[str]) -> str:
    """Why a row is not counted: "unconfirmed" when a proposal for one of the fields waits, else "unknown"."""
    return "unconfirmed" if any(f in row.pending for f in fields) else "unknown"


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
    rounded = rounded or spec.always_rounded
    fields = [spec.rows.field] + ([spec.columns.field] if spec.columns else [])
    universe_fields = [*fields, spec.universe_field] if spec.universe_field else fields
    counted: list[Row] = []
    missing: Counter[str] = Counter()
    in_universe = 0
    for row in rows:
        if spec.universe is not None and not spec.universe(row):
            if spec.universe_field and spec.universe_field in row.pending:
                missing["unconfirmed"] += 1
            continue
        in_universe += 1
        if spec.rows.multiple:
            # A list of codes is complete once a person has reviewed the report and no proposal of it waits.
            if row.reviewed and spec.rows.field not in row.pending:
                counted.append(row)
            else:
                missing["unconfirmed" if spec.rows.field in row.pending or not row.reviewed else "unknown"] += 1
            continue
        if spec.rows.values(row) and (spec.columns is None or spec.columns.values(row)):
            counted.append(row)
        else:
            missing[_missing_kind(row, universe_fields)] += 1
    if spec.kind == "crosstab":
        assert spec.columns is not None
        table = _crosstab(spec, counted, rounded=rounded)
    elif spec.kind == "prevalence":
        table = _prevalence(spec, counted, rounded=rounded)
    else:
        table = _distribution(spec, counted, rounded=rounded)
    table.unconfirmed, table.unknown = missing["unconfirmed"], missing["unknown"]
    table.notes = _notes(table, spec, in_universe)
    return table


def _crosstab(spec: TableSpec, rows: Sequence[Row], *, rounded: bool) -> Table:
    assert spec.columns is not None
    counts: Counter[tuple[str, str]] = Counter()
    for row in rows:
        counts[(spec.rows.values(row)[0], spec.columns.values(row)[0])] += 1
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
        len(rows),
        0,
        0,
        spec.universe_label,
        rounded,
    )


def _distribution(spec: TableSpec, rows: Sequence[Row], *, rounded: bool) -> Table:
    counts: Counter[str] = Counter(spec.rows.values(row)[0] for row in rows)
    labels = _labels(spec.rows, counts)
    total = len(rows)
    grid = {(i, 0): counts[code] for i, (code, _) in enumerate(labels)}
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


def _prevalence(spec: TableSpec, rows: Sequence[Row], *, rounded: bool) -> Table:
    """Each code's share of the reviews: the codes overlap, so there is no total to subtract from."""
    counts: Counter[str] = Counter(code for row in rows for code in spec.rows.values(row))
    labels = _labels(spec.rows, counts)
    total = len(rows)
    table_rows = []
    for code, label in labels:
        cell = Cell(row=code, column=TOTAL, count=counts[code], suppressed=disclosure.is_small(counts[code]))
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
    for row in rows:
        if spec.universe is not None and not spec.universe(row):
            continue
        if spec.rows.multiple and not (row.reviewed and spec.rows.field not in row.pending):
            continue
        row_values = spec.rows.values(row)
        if not row_values or (row_code != TOTAL and row_code not in row_values):
            continue
        if spec.columns is not None:
            column_values = spec.columns.values(row)
            if not column_values or (column_code != TOTAL and column_code not in column_values):
                continue
        members.append(row.report_id)
    return members
