"""The tantivy index: its schema, its generations on disk, writing reports into it, and running a search.

Plain Python with no Django imports, so that the benchmark drives exactly this code over generated reports.

Each report is one `report` document (title, whole text, facet values; ranked and counted) and one `page`
document per page (that page's text, stored, so a snippet is cut from a few thousand characters rather than
the whole report, and knows which page it is on).

On disk the index lives in generations: `ROOT/current` names the live generation directory. A rebuild writes a
new generation and switches `current` in one rename, so readers never see a half-built index; each generation
keeps its own cursor into the change table (see `casereviews/search/services.py`).
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import shutil
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import Any

import tantivy

from casereviews.search.query import All, Any_, Node, Not, QueryError, Words, positive_words

FACETS: tuple[str, ...] = (
    "nation",
    "region",
    "partnership",
    "framework",
    "review_type",
    "outcome",
    "death_category",
    "harm_types",
    "age_band",
    "sex",
    "ethnicity",
    "risk_factors",
    "practice_themes",
    "methodology",
)
TEXT_FIELDS = (("title", 3.0), ("body", 1.0))
# A text field's adjacent word pairs, so that a phrase is looked up rather than assembled from word positions.
PAIR_FIELDS = {"body": "body_pairs"}
PAGE_FIELDS = (("page_text", 1.0),)
SNIPPET_CHARS = 240
FACET_BUCKETS = 1000
WRITER_HEAP = 256 * 1024 * 1024

SCHEMA_VERSION = 2  # 2: the body's word pairs


def _schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("kind", tokenizer_name="raw", fast=True)
    builder.add_integer_field("report_id", stored=True, indexed=True, fast=True)
    builder.add_text_field("title", stored=True, tokenizer_name="en_stem")
    builder.add_text_field("body", tokenizer_name="en_stem")
    builder.add_integer_field("year", stored=True, indexed=True, fast=True)
    # Newest first, then the later upload: one fast field, because tantivy orders by a single field.
    builder.add_integer_field("sort_date", indexed=False, fast=True)
    builder.add_text_field("digest", stored=True, tokenizer_name="raw")
    for name in FACETS:
        builder.add_text_field(name, stored=True, tokenizer_name="raw", fast=True)
    builder.add_integer_field("page", stored=True)
    builder.add_integer_field("page_offset", stored=True)
    builder.add_text_field("page_text", stored=True, tokenizer_name="en_stem")
    # The body's adjacent word pairs as `en_stem` analyses them, one token each ("child_was"), at the position
    # of the pair's first word (see `word_pairs`). A two-word phrase is then one term, whose frequency is the
    # phrase's, and a longer phrase a phrase of pairs: the positions of "of_the" are far fewer than those of
    # "of" and "the", which is what made a phrase of common words take hundreds of milliseconds. Last, so the
    # other fields keep their numbers in an index built before it (which `current_generation` then refuses).
    builder.add_text_field("body_pairs", tokenizer_name="whitespace")
    return builder.build()


SCHEMA = _schema()
# The same analysis as the `en_stem` tokenizer the text fields use, so a query word becomes the indexed term.
ANALYZER = (
    tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
    .filter(tantivy.Filter.remove_long(40))
    .filter(tantivy.Filter.lowercase())
    .filter(tantivy.Filter.stemmer("english"))
    .build()
)
# The same words before any filter, to find where `en_stem` drops a long word but still counts its position.
_SPLITTER = tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple()).build()
LONG_WORD_BYTES = 40  # `remove_long(40)` above: a word of 40 bytes or more is not indexed
NO_PAIR = "_"  # where a pair would include a dropped word; no word contains "_", so no query reaches it


def analysed_words(text: str) -> list[str | None]:
    """`text`'s words as the text fields index them, one per position, None where a long word was dropped."""
    stems = iter(ANALYZER.analyze(text))
    return [next(stems) if len(word.encode()) < LONG_WORD_BYTES else None for word in _SPLITTER.analyze(text)]


def _pair(first: str | None, second: str | None) -> str:
    return NO_PAIR if first is None or second is None else f"{first}_{second}"


def word_pairs(text: str) -> str:
    """The pairs field's text: one token per pair of adjacent words, in order, so that each sits at the
    position of its first word."""
    words = analysed_words(text)
    return " ".join(_pair(first, second) for first, second in pairwise(words))


@dataclass(frozen=True)
class IndexedPage:
    number: int
    start: int  # offset of `text` in the report's whole text
    text: str


@dataclass(frozen=True)
class IndexedReport:
    """Everything the public may search about one report: confirmed values only (see ADR 0008)."""

    report_id: int
    source_sha256: str  # identifies the text: a report's text never changes once stored
    title: str
    year: int | None
    facets: dict[str, tuple[str, ...]]
    page_spans: tuple[tuple[int, int, int], ...]  # (number, start, end) as stored: all `digest` needs
    pages: tuple[IndexedPage, ...] = ()  # the text, only when the report is being written to the index

    @property
    def digest(self) -> str:
        """A fingerprint of what the index holds for this report, for `search_check`."""
        content = {
            "schema": SCHEMA_VERSION,
            "source": self.source_sha256,
            "title": self.title,
            "year": self.year,
            "facets": {name: sorted(values) for name, values in sorted(self.facets.items()) if values},
            "pages": [list(span) for span in self.page_spans],
        }
        return hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()


def report_documents(report: IndexedReport) -> list[tantivy.Document]:
    year = report.year or 0
    body = "\n".join(page.text for page in report.pages)
    main = tantivy.Document(
        kind="report",
        report_id=report.report_id,
        title=report.title,
        body=body,
        body_pairs=word_pairs(body),
        year=year,
        sort_date=year * 1_000_000_000 + report.report_id,
        digest=report.digest,
    )
    for name in FACETS:
        for value in report.facets.get(name, ()):
            main.add_text(name, value)
    documents = [main]
    for page in report.pages:
        documents.append(
            tantivy.Document(
                kind="page", report_id=report.report_id, page=page.number, page_offset=page.start, page_text=page.text
            )
        )
    return documents


def page_of(number: int, start: int, text: str) -> IndexedPage:
    """A page as the index keeps it: stripped, because tantivy trims a snippet's source text, and with the
    offset of what remains so that snippet positions map back onto the report's text."""
    stripped = text.lstrip()
    return IndexedPage(number=number, start=start + len(text) - len(stripped), text=stripped.rstrip())


# -- generations on disk ---------------------------------------------------------------------------------------


def current_generation(root: Path) -> Path | None:
    """The live generation; None when there is none, or when it was built before the word pairs, whose
    queries tantivy cannot run on it (it panics): the next apply then rebuilds, as on a node with no index."""
    try:
        name = (root / "current").read_text().strip()
        path = root / name
        meta = json.loads((path / "meta.json").read_text())
    except FileNotFoundError:
        return None
    return path if any(field["name"] == "body_pairs" for field in meta.get("schema", [])) else None


def generation_create(root: Path) -> tuple[Path, tantivy.Index]:
    root.mkdir(parents=True, exist_ok=True)
    path = root / f"g-{time.strftime('%Y%m%d%H%M%S')}-{secrets.token_hex(3)}"
    path.mkdir()
    return path, tantivy.Index(SCHEMA, path=str(path), reuse=False)


def generation_activate(root: Path, path: Path) -> None:
    """Make `path` the live generation in one rename, and remove generations older than the one it replaces
    (a reader that still has one open keeps its files until it lets go; that is how Unix deletes work)."""
    previous = current_generation(root)
    temporary = root / f"current.{secrets.token_hex(4)}"
    temporary.write_text(path.name)
    os.replace(temporary, root / "current")
    keep = {path.name, previous.name if previous else ""}
    for other in root.glob("g-*"):
        if other.is_dir() and other.name not in keep:
            shutil.rmtree(other, ignore_errors=True)


def open_generation(path: Path) -> tantivy.Index:
    return tantivy.Index.open(str(path))


def read_cursor(path: Path) -> dict[str, Any]:
    try:
        data: dict[str, Any] = json.loads((path / "cursor.json").read_text())
    except FileNotFoundError:
        return {"position": 0, "applied": []}
    return data


def write_cursor(path: Path, cursor: dict[str, Any]) -> None:
    temporary = path / f"cursor.{secrets.token_hex(4)}"
    temporary.write_text(json.dumps(cursor))
    os.replace(temporary, path / "cursor.json")


class Writer:
    """One batch of changes to a generation, committed together."""

    def __init__(self, index: tantivy.Index, *, threads: int = 1, heap: int = WRITER_HEAP) -> None:
        self.index = index
        self.writer = index.writer(heap, threads)

    def replace(self, report_id: int, report: IndexedReport | None) -> None:
        """What the index holds for `report_id` becomes `report`; None removes it (no longer public)."""
        self.writer.delete_documents_by_term("report_id", report_id)
        if report is not None:
            self.add(report)

    def add(self, report: IndexedReport) -> None:
        for document in report_documents(report):
            self.writer.add_document(document)

    def commit(self) -> None:
        self.writer.commit()
        self.writer.wait_merging_threads()


# -- reading -------------------------------------------------------------------------------------------------------


class Reader:
    """The live generation under `root`, opened once per process and reloaded when a commit or a rebuild
    changes it (two `stat` calls per search when nothing changed)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._lock = threading.Lock()
        self._generation: Path | None = None
        self._index: tantivy.Index | None = None
        self._stamp: tuple[float, float] = (0.0, 0.0)

    def index(self) -> tantivy.Index | None:
        with self._lock:
            try:
                current_stamp = (self.root / "current").stat().st_mtime
            except FileNotFoundError:
                return None
            if self._index is None or current_stamp != self._stamp[0]:
                generation = current_generation(self.root)
                if generation is None:
                    return None
                self._generation, self._index = generation, open_generation(generation)
                self._stamp = (current_stamp, 0.0)
            assert self._generation is not None
            meta_stamp = (self._generation / "meta.json").stat().st_mtime
            if meta_stamp != self._stamp[1]:
                self._index.reload()
                self._stamp = (self._stamp[0], meta_stamp)
            return self._index


_readers: dict[Path, Reader] = {}


def reader_for(root: Path) -> Reader:
    reader = _readers.get(root)
    if reader is None:
        reader = _readers.setdefault(root, Reader(root))
    return reader


# -- compiling a query ------------------------------------------------------------------------------------------


def _words_on(name: str, words: list[str | None]) -> tantivy.Query:
    """Exactly the reports where `words` stand side by side in this order in field `name` (a None is a long
    word the index dropped: any word may stand there)."""
    if len(words) == 1:
        assert words[0] is not None
        return tantivy.Query.term_query(SCHEMA, name, words[0])
    pairs_field = PAIR_FIELDS.get(name)
    if pairs_field is None or None in words:
        positioned = [(position, word) for position, word in enumerate(words) if word is not None]
        return tantivy.Query.phrase_query(SCHEMA, name, list[str | tuple[int, str]](positioned))
    pairs = [_pair(first, second) for first, second in pairwise(words)]
    if len(pairs) == 1:
        return tantivy.Query.term_query(SCHEMA, pairs_field, pairs[0])
    # Pairs k and k+1 side by side share word k+1, so a phrase of pairs is exactly the phrase of words.
    return tantivy.Query.phrase_query(SCHEMA, pairs_field, list[str | tuple[int, str]](pairs))


def _term_on(fields: Sequence[tuple[str, float]], words: list[str | None]) -> tantivy.Query:
    per_field = []
    for name, boost in fields:
        query = _words_on(name, words)
        per_field.append((tantivy.Occur.Should, query if boost == 1.0 else tantivy.Query.boost_query(query, boost)))
    return per_field[0][1] if len(per_field) == 1 else tantivy.Query.boolean_query(per_field)


def _everything_but(query: tantivy.Query) -> tantivy.Query:
    return tantivy.Query.boolean_query(
        [(tantivy.Occur.Must, tantivy.Query.all_query()), (tantivy.Occur.MustNot, query)]
    )


def compile_query(node: Node, fields: Sequence[tuple[str, float]]) -> tantivy.Query | None:
    """The tree as a tantivy query over `fields`; None when nothing in it can match a word (only punctuation)."""
    if isinstance(node, Words):
        words = analysed_words(node.text)
        while words and words[0] is None:
            words.pop(0)
        while words and words[-1] is None:
            words.pop()
        return _term_on(fields, words) if words else None
    if isinstance(node, Not):
        inner = compile_query(node.operand, fields)
        return None if inner is None else _everything_but(inner)
    if isinstance(node, All):
        clauses: list[tuple[tantivy.Occur, tantivy.Query]] = []
        for operand in node.operands:
            if isinstance(operand, Not):
                inner = compile_query(operand.operand, fields)
                if inner is not None:
                    clauses.append((tantivy.Occur.MustNot, inner))
                continue
            compiled = compile_query(operand, fields)
            if compiled is not None:
                clauses.append((tantivy.Occur.Must, compiled))
        if not any(occur == tantivy.Occur.Must for occur, _ in clauses):
            if not clauses:
                return None
            clauses.append((tantivy.Occur.Must, tantivy.Query.all_query()))
        return tantivy.Query.boolean_query(clauses)
    assert isinstance(node, Any_)
    alternatives = [compiled for operand in node.operands if (compiled := compile_query(operand, fields)) is not None]
    if not alternatives:
        return None
    return tantivy.Query.boolean_query([(tantivy.Occur.Should, query) for query in alternatives])


# -- searching -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Snippet:
    page: int
    fragment: str
    highlights: tuple[tuple[int, int], ...]  # character offsets into `fragment`
    start: int  # where the first highlighted word sits in the report's whole text
    end: int


@dataclass(frozen=True)
class Hit:
    report_id: int
    score: float
    title: str
    year: int | None
    facets: dict[str, tuple[str, ...]]
    snippet: Snippet | None


@dataclass(frozen=True)
class EngineResult:
    total: int
    hits: list[Hit]
    facets: dict[str, dict[str, int]]  # facet -> value -> reports; "year" -> year (as text) -> reports
    elapsed_ms: float = 0.0


@dataclass(frozen=True)
class Filters:
    values: dict[str, tuple[str, ...]] = field(default_factory=dict)  # OR within a facet, AND across facets
    year_from: int | None = None
    year_to: int | None = None


def _facet_clause(name: str, values: tuple[str, ...]) -> tantivy.Query:
    return tantivy.Query.term_set_query(SCHEMA, name, list(values))


def _year_clause(filters: Filters) -> tantivy.Query | None:
    if filters.year_from is None and filters.year_to is None:
        return None
    return tantivy.Query.range_query(SCHEMA, "year", tantivy.FieldType.Integer, filters.year_from, filters.year_to)


_KIND_REPORT = tantivy.Query.term_query(SCHEMA, "kind", "report")
_KIND_PAGE = tantivy.Query.term_query(SCHEMA, "kind", "page")


def _conjunction(queries: Iterable[tantivy.Query | None]) -> tantivy.Query:
    return tantivy.Query.boolean_query([(tantivy.Occur.Must, query) for query in queries if query is not None])


def _fragment_in_chars(fragment_bytes: bytes, ranges: Iterable[tuple[int, int]]) -> tuple[tuple[int, int], ...]:
    return tuple(
        (len(fragment_bytes[:start].decode(errors="ignore")), len(fragment_bytes[:end].decode(errors="ignore")))
        for start, end in ranges
    )


def _stored(document: tantivy.Document) -> dict[str, list[Any]]:
    data: dict[str, list[Any]] = document.to_dict()
    return data


def search(
    index: tantivy.Index,
    tree: Node | None,
    *,
    filters: Filters = Filters(),
    sort: str = "relevance",
    offset: int = 0,
    limit: int = 20,
    facets: bool = True,
    snippets: bool = True,
) -> EngineResult:
    """Reports matching `tree` and `filters`: one page of hits, the total, and counts per facet value.

    A facet's counts apply every filter except that facet's own, so the other values of a facet already
    chosen still show how many reports choosing them as well would add."""
    began = time.perf_counter()
    text_query = compile_query(tree, TEXT_FIELDS) if tree is not None else None
    if tree is not None and text_query is None:
        raise QueryError("Enter words to search for: the search has only punctuation in it.")
    year_clause = _year_clause(filters)
    facet_clauses = {name: _facet_clause(name, values) for name, values in filters.values.items() if values}
    searcher = index.searcher()
    query = _conjunction([_KIND_REPORT, text_query, year_clause, *facet_clauses.values()])
    if sort == "date":
        found = searcher.search(query, limit, offset=offset, order_by_field="sort_date", order=tantivy.Order.Desc)
    else:
        found = searcher.search(query, limit, offset=offset)
    hits: list[Hit] = []
    for score, address in found.hits:
        stored = _stored(searcher.doc(address))
        year = stored["year"][0] if stored.get("year") else None
        hits.append(
            Hit(
                report_id=stored["report_id"][0],
                score=float(score) if sort != "date" else 0.0,
                title=stored["title"][0] if stored.get("title") else "",
                year=year or None,
                facets={name: tuple(stored.get(name, [])) for name in FACETS},
                snippet=None,
            )
        )
    if snippets and tree is not None and positive_words(tree) and hits:
        hits = _with_snippets(searcher, tree, hits)
    counts: dict[str, dict[str, int]] = {}
    if facets:
        counts = _facet_counts(searcher, text_query, year_clause, facet_clauses)
    return EngineResult(
        total=found.count or 0,  # type: ignore[attr-defined]
        hits=hits,
        facets=counts,
        elapsed_ms=(time.perf_counter() - began) * 1000,
    )


def _with_snippets(searcher: tantivy.Searcher, tree: Node, hits: list[Hit]) -> list[Hit]:
    page_query = compile_query(tree, PAGE_FIELDS)
    if page_query is None:
        return hits
    generator = tantivy.SnippetGenerator.create(searcher, page_query, SCHEMA, "page_text")
    generator.set_max_num_chars(SNIPPET_CHARS)
    with_snippets = []
    for hit in hits:
        on_report = tantivy.Query.term_query(SCHEMA, "report_id", hit.report_id)
        best = searcher.search(_conjunction([_KIND_PAGE, on_report, page_query]), 1, count=False).hits
        if not best:
            with_snippets.append(hit)
            continue
        document = searcher.doc(best[0][1])
        snippet = generator.snippet_from_doc(document)
        page_text = str(document.get_first("page_text"))
        fragment = snippet.fragment()
        fragment_bytes = fragment.encode()
        highlights = _fragment_in_chars(fragment_bytes, ((r.start, r.end) for r in snippet.highlighted()))
        fragment_start_bytes = snippet.fragment_range().start
        fragment_start = len(page_text.encode()[:fragment_start_bytes].decode(errors="ignore"))
        first = highlights[0] if highlights else (0, 0)
        for start, end in highlights[1:]:
            # The words of a phrase, side by side, are marked as one span on the page.
            if start - first[1] > 2:
                break
            first = (first[0], end)
        page_offset = int(document.get_first("page_offset") or 0)
        with_snippets.append(
            Hit(
                report_id=hit.report_id,
                score=hit.score,
                title=hit.title,
                year=hit.year,
                facets=hit.facets,
                snippet=Snippet(
                    page=int(document.get_first("page") or 0),
                    fragment=fragment,
                    highlights=highlights,
                    start=page_offset + fragment_start + first[0],
                    end=page_offset + fragment_start + first[1],
                ),
            )
        )
    return with_snippets


def _aggregations(names: Iterable[str]) -> dict[str, Any]:
    aggregations: dict[str, Any] = {name: {"terms": {"field": name, "size": FACET_BUCKETS}} for name in names}
    return aggregations


def _buckets(result: dict[str, Any], name: str) -> dict[str, int]:
    return {str(bucket["key"]): int(bucket["doc_count"]) for bucket in result.get(name, {}).get("buckets", [])}


def _facet_counts(
    searcher: tantivy.Searcher,
    text_query: tantivy.Query | None,
    year_clause: tantivy.Query | None,
    facet_clauses: dict[str, tantivy.Query],
) -> dict[str, dict[str, int]]:
    counts: dict[str, dict[str, int]] = {}
    unfiltered = [name for name in FACETS if name not in facet_clauses]
    base = [_KIND_REPORT, text_query]
    # Facets without a filter of their own, and the year (whose filter is a range), share one pass.
    shared = searcher.aggregate(_conjunction([*base, year_clause, *facet_clauses.values()]), _aggregations(unfiltered))
    for name in unfiltered:
        counts[name] = _buckets(shared, name)
    years = searcher.aggregate(
        _conjunction([*base, *facet_clauses.values()]),
        {"year": {"terms": {"field": "year", "size": FACET_BUCKETS}}},
    )
    counts["year"] = {year: count for year, count in _buckets(years, "year").items() if year != "0"}
    for name in facet_clauses:
        others = [clause for other, clause in facet_clauses.items() if other != name]
        result = searcher.aggregate(_conjunction([*base, year_clause, *others]), _aggregations([name]))
        counts[name] = _buckets(result, name)
    return counts


def similar(index: tantivy.Index, report: IndexedReport, *, limit: int = 5) -> list[Hit]:
    """Reports that share this one's codes and distinctive words: a more-like-this query over the text,
    with each shared code (harm, risk factors, practice themes, category of death) as a boosted clause."""
    searcher = index.searcher()
    text = " ".join(page.text for page in report.pages)[:200_000]
    clauses: list[tuple[tantivy.Occur, tantivy.Query]] = []
    if text.strip():
        clauses.append(
            (
                tantivy.Occur.Should,
                tantivy.Query.more_like_this_document_fields_query(
                    SCHEMA,
                    {"body": [text]},
                    min_doc_frequency=2,
                    max_query_terms=25,
                    min_term_frequency=2,
                    min_word_length=4,
                ),
            )
        )
    for name in ("harm_types", "risk_factors", "practice_themes", "death_category", "review_type"):
        for value in report.facets.get(name, ()):
            clauses.append(
                (tantivy.Occur.Should, tantivy.Query.boost_query(tantivy.Query.term_query(SCHEMA, name, value), 2.0))
            )
    if not clauses:
        return []
    query = _conjunction(
        [
            _KIND_REPORT,
            tantivy.Query.boolean_query(clauses),
            _everything_but(tantivy.Query.term_query(SCHEMA, "report_id", report.report_id)),
        ]
    )
    hits = []
    for score, address in searcher.search(query, limit).hits:
        stored = _stored(searcher.doc(address))
        hits.append(
            Hit(
                report_id=stored["report_id"][0],
                score=float(score),
                title=stored["title"][0],
                year=stored["year"][0] or None,
                facets={name: tuple(stored.get(name, [])) for name in FACETS},
                snippet=None,
            )
        )
    return hits


def indexed_digests(index: tantivy.Index) -> dict[int, str]:
    """Every report the index holds, with the fingerprint of what it holds for it."""
    searcher = index.searcher()
    total = searcher.num_docs
    found = searcher.search(_KIND_REPORT, max(total, 1), count=False)
    digests = {}
    for _, address in found.hits:
        stored = _stored(searcher.doc(address))
        digests[stored["report_id"][0]] = stored["digest"][0]
    return digests


def indexed_pages(index: tantivy.Index, report_id: int) -> int:
    searcher = index.searcher()
    query = _conjunction([_KIND_PAGE, tantivy.Query.term_query(SCHEMA, "report_id", report_id)])
    return int(searcher.search(query, 0).count or 0)  # type: ignore[attr-defined]
