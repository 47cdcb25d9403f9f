"""Fuzzing the document readers: seed files, mutations, and a worker process that bounds each read.

Shared by the bounded test (`tests/extraction/test_reader_fuzz.py`) and the longer run
(`scripts/fuzz_readers.py --seconds N`). The rule both check: every input either reads or is refused with an
`UnreadableDocument` (the reader's "this file cannot be read, because ..."); never another exception, never a
crash of the process, never longer than a time limit per input.

Seeds are small valid PDF, Word and HTML files built at run time (nothing binary is committed). Mutations are
plain functions of the input and a `random.Random`, so a failure is reproduced from the seed name and the random
seed alone, and Hypothesis can drive the same functions through `Mutation` descriptions that it shrinks.
"""

from __future__ import annotations

import io
import multiprocessing
import os
import random
import re
import resource
import time
import traceback
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

# -- seeds -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Seed:
    name: str
    filename: str
    data: bytes


@cache
def seeds() -> tuple[Seed, ...]:
    """Small valid documents of every kind the readers take, each exercising a different reader path."""
    import docx

    from tests.extraction import fixtures_builders as build

    pages = [
        ["1. Introduction", "Child A was seriously harmed. The health visitor shared infor-", "mation."],
        ["2. Findings", "The plan was not reviewed.", "Recommendation 1: share concerns."],
    ]
    numbered = docx.Document()
    numbered.add_heading("Recommendations", level=1)
    for text in ("Review escalation", "Record the household"):
        numbered.add_paragraph(text, style="List Number")
        numbered.add_paragraph(f"{text} in detail", style="List Number 2")
    numbered.add_paragraph("A bullet", style="List Bullet")
    buffer = io.BytesIO()
    numbered.save(buffer)
    html = (
        b"<!DOCTYPE html><html><head><title>SCR</title><style>p{}</style></head><body><header>Site</header>"
        b"<main><h1>Child A</h1><p>The child was <b>seriously</b> harmed.</p><ol start='3'><li>One<ol><li>Two"
        b"</li></ol></li></ol><ul><li>Bullet</li></ul><table><tr><th>Agency</th><td>Police</td></tr><tr><td>"
        b"<table><tr><td>nested</td></tr></table></td><td>x</td></tr></table><pre>line\nline</pre>"
        b"<div hidden>secret</div><p style='display:none'>gone</p></main><footer>Foot</footer></body></html>"
    )
    return (
        Seed("report.pdf", "report.pdf", build.report_pdf(pages)),
        Seed("table.pdf", "table.pdf", build.table_pdf([["A", "B"], ["1", "2"], ["3", "4"]], "Before.", "After.")),
        Seed("image.pdf", "image.pdf", build.image_only_pdf(1)),
        Seed("report.docx", "report.docx", build.report_docx()),
        Seed("numbered.docx", "numbered.docx", buffer.getvalue()),
        Seed("page.html", "page.html", html),
    )


# -- mutations ---------------------------------------------------------------------------------------------

INTERESTING_BYTES = [
    b"\x00", b"\xff", b"\xfe\xff", b"%PDF-1.7", b"%%EOF", b"obj", b"endobj", b"stream", b"endstream", b"<<", b">>",
    b"/Count -1", b"/Count 99999999", b"/Length 99999999", b"/Type /Pages", b"/Kids [1 0 R]", b"R", b"xref",
    b"trailer", b"9" * 30, b"-1", b"PK\x03\x04", b"<", b">", b"&#0;", b"&#xD800;", b"\xed\xa0\x80", b"\xc0\x80",
]  # fmt: skip
# Values for the attributes the Word reader turns into numbers, and for HTML's <ol start>.
HOSTILE_NUMBERS = ["x", "", "-1", "99", "9" * 5000, "²", "٣", "--5", "1e3", " 2", "0x10", "-" + "9" * 5000, "1.5"]
WORD_ATTRIBUTES = ["w:ilvl", "w:numId", "w:val", "w:abstractNumId"]


def flip_bytes(data: bytes, rnd: random.Random) -> bytes:
    mutable = bytearray(data)
    for _ in range(rnd.randint(1, 8)):
        if mutable:
            mutable[rnd.randrange(len(mutable))] ^= 1 << rnd.randrange(8)
    return bytes(mutable)


def truncate(data: bytes, rnd: random.Random) -> bytes:
    return data[: rnd.randrange(max(len(data), 1))]


def insert_junk(data: bytes, rnd: random.Random) -> bytes:
    at = rnd.randrange(len(data) + 1)
    junk = rnd.choice(INTERESTING_BYTES) if rnd.random() < 0.6 else rnd.randbytes(rnd.randint(1, 64))
    return data[:at] + junk + data[at:]


def delete_chunk(data: bytes, rnd: random.Random) -> bytes:
    if not data:
        return data
    start = rnd.randrange(len(data))
    return data[:start] + data[start + rnd.randint(1, 256) :]


def duplicate_chunk(data: bytes, rnd: random.Random) -> bytes:
    if not data:
        return data
    start = rnd.randrange(len(data))
    chunk = data[start : start + rnd.randint(1, 512)]
    at = rnd.randrange(len(data) + 1)
    return data[:at] + chunk * rnd.randint(1, 4) + data[at:]


def replace_number(data: bytes, rnd: random.Random) -> bytes:
    """Swap one number in the file (an object number, a length, a count, an offset) for a hostile one."""
    numbers = list(re.finditer(rb"-?\d+", data))
    if not numbers:
        return data
    match = rnd.choice(numbers)
    hostile = rnd.choice([b"0", b"-1", b"2147483648", b"99999999999999999999", b"4294967295", b"1" * 400])
    return data[: match.start()] + hostile + data[match.end() :]


def _rezip(data: bytes, change: Callable[[dict[str, bytes]], None]) -> bytes:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = {info.filename: archive.read(info) for info in archive.infolist()}
    except Exception:  # zipfile's errors, zlib's and more: a mutation that cannot unpack leaves the input alone
        return data
    change(members)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def corrupt_zip_member(data: bytes, rnd: random.Random) -> bytes:
    """Damage one part of a Word file and pack it again: its XML, its bytes, its presence or its neighbours."""

    def change(members: dict[str, bytes]) -> None:
        if not members:
            return
        name = rnd.choice(sorted(members))
        content = members[name]
        how = rnd.randrange(7)
        if how == 0:
            members[name] = flip_bytes(content, rnd)
        elif how == 1:
            members[name] = truncate(content, rnd)
        elif how == 2:
            del members[name]
        elif how == 3:
            members[name] = rnd.randbytes(rnd.randint(0, 200))
        elif how == 4:
            members[name] = _hostile_attribute(content, rnd)
        elif how == 5:
            members[name] = _nested_xml(content, rnd)
        else:
            members[f"word/extra{rnd.randrange(100)}.xml"] = content

    return _rezip(data, change)


def corrupt_zip_bytes(data: bytes, rnd: random.Random) -> bytes:
    """Flip bytes inside a compressed member's data, leaving the zip directory as it was (CRC and inflate errors)."""
    headers = [match.start() for match in re.finditer(rb"PK\x03\x04", data)]
    if not headers:
        return flip_bytes(data, rnd)
    start = rnd.choice(headers) + 30
    end = min(len(data), start + 400)
    mutable = bytearray(data)
    for _ in range(rnd.randint(1, 6)):
        if end > start:
            mutable[rnd.randrange(start, end)] ^= 1 << rnd.randrange(8)
    return bytes(mutable)


def _hostile_attribute(content: bytes, rnd: random.Random) -> bytes:
    attribute = rnd.choice(WORD_ATTRIBUTES).encode()
    value = rnd.choice(HOSTILE_NUMBERS).encode()
    found = list(re.finditer(rb'(%s)="[^"]*"' % re.escape(attribute), content))
    if found:
        match = rnd.choice(found)
        return content[: match.start()] + attribute + b'="' + value + b'"' + content[match.end() :]
    # No such attribute: give a numbering level one, where the reader reads numbers.
    return content.replace(b"<w:lvl ", b'<w:lvl %s="%s" ' % (attribute, value), 1)


def _nested_xml(content: bytes, rnd: random.Random) -> bytes:
    depth = rnd.choice([50, 500, 5000])
    at = content.find(b"<w:p>") if b"<w:p>" in content else content.find(b"<w:p ")
    if at < 0:
        return content
    opening = b"<w:sdt><w:sdtContent>" * depth
    closing = b"</w:sdtContent></w:sdt>" * depth
    end = content.find(b"</w:p>", at)
    if end < 0:
        return content
    end += len(b"</w:p>")
    return content[:at] + opening + content[at:end] + closing + content[end:]


def html_deep_nesting(data: bytes, rnd: random.Random) -> bytes:
    tag = rnd.choice([b"div", b"ol", b"ul", b"li", b"table", b"td", b"b", b"span", b"blockquote"])
    depth = rnd.choice([100, 1000, 10_000, 50_000])
    at = rnd.randrange(len(data) + 1)
    nested = b"<%s>" % tag * depth + b"deep" + (b"</%s>" % tag * depth if rnd.random() < 0.5 else b"")
    return data[:at] + nested + data[at:]


def html_huge_attribute(data: bytes, rnd: random.Random) -> bytes:
    attribute = rnd.choice([b"start", b"style", b"class", b"hidden", b"aria-hidden", b"colspan", b"title"])
    if attribute == b"start" or rnd.random() < 0.4:
        value = rnd.choice(HOSTILE_NUMBERS).encode()
    else:
        value = rnd.choice([b"display:none;", b"x", b"\"'<>", b"visibility : hidden "]) * rnd.choice([1, 1000, 100_000])
    element = rnd.choice([b"ol", b"p", b"div", b"li", b"table", b"td"])
    at = rnd.randrange(len(data) + 1)
    return data[:at] + b'<%s %s="%s">text</%s>' % (element, attribute, value, element) + data[at:]


def html_hostile_text(data: bytes, rnd: random.Random) -> bytes:
    """Text lines that trip number parsing or page-furniture detection: thousands of digits, lone numbers."""
    text = rnd.choice(
        [
            b"9" * 5000, b"Page " + b"1" * 5000, b"- 1 -", b"\xef\xbb\xbf" * 10, b"&#xFFFE;" * 50, b"\x00",
            b"\xff\xfe", b"1" + b"-" * 50_000 + b"x",
        ]
    )  # fmt: skip
    at = rnd.randrange(len(data) + 1)
    return data[:at] + b"<p>" + text + b"</p>" + data[at:]


GENERIC = (flip_bytes, truncate, insert_junk, delete_chunk, duplicate_chunk, replace_number)
MUTATIONS: dict[str, tuple[Callable[[bytes, random.Random], bytes], ...]] = {
    ".pdf": GENERIC,
    ".docx": (*GENERIC, corrupt_zip_member, corrupt_zip_member, corrupt_zip_member, corrupt_zip_bytes),
    ".html": (*GENERIC, html_deep_nesting, html_huge_attribute, html_hostile_text),
}


def mutate(seed: Seed, rnd: random.Random, rounds: int) -> bytes:
    """`rounds` mutations chosen for the seed's kind, applied one after another."""
    suffix = seed.filename[seed.filename.rfind(".") :]
    data = seed.data
    for _ in range(rounds):
        data = rnd.choice(MUTATIONS[suffix])(data, rnd)
    return data


# -- reading in a worker process ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    kind: str  # "read", "refused", "crash", "timeout" or "died"
    detail: str

    @property
    def acceptable(self) -> bool:
        return self.kind in {"read", "refused"}

    @property
    def signature(self) -> str:
        """The same for the same fault: the kind, and for a crash the exception and where it was raised."""
        return f"{self.kind}: {self.detail.split(': ')[0]}" if self.kind == "crash" else self.kind


# A document under the reader's limits never needs more than this; far more is a runaway.
MEMORY_LIMIT_BYTES = 3 * 1024**3


def _serve(connection: Connection, target: str) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT_BYTES, MEMORY_LIMIT_BYTES))
    import importlib

    from extraction.errors import UnreadableDocument

    module, name = target.split(":")
    read = getattr(importlib.import_module(module), name)
    while True:
        try:
            data, filename = connection.recv()
        except EOFError:
            return
        try:
            document = read(data, filename)
            outcome = Outcome("read", f"{len(document.text)} characters on {document.page_count} pages")
        except UnreadableDocument as refusal:
            outcome = Outcome("refused", f"{type(refusal).__name__}: {refusal.reason}")
        except BaseException as error:  # reporting every other exception is the point
            where = traceback.extract_tb(error.__traceback__)[-1]
            outcome = Outcome(
                "crash",
                f"{type(error).__name__} at {Path(where.filename).name}:{where.lineno}: {str(error)[:200]}\n"
                + traceback.format_exc(limit=-6),
            )
        connection.send(outcome)


def misbehaving_reader(data: bytes, filename: str) -> Any:
    """A stand-in reader that fails in each way the worker must report, to test the worker itself."""
    if data == b"crash":
        raise ValueError("a reader bug")
    if data == b"hang":
        time.sleep(3600)
    if data == b"die":
        os._exit(3)
    from extraction.readers import read_bytes

    return read_bytes(data, filename)


class ReaderWorker:
    """One process that reads documents on request, restarted after a timeout or a crash of the process."""

    def __init__(self, time_limit: float, target: str = "extraction.readers:read_bytes") -> None:
        self.time_limit = time_limit
        self.target = target
        self._context = multiprocessing.get_context("spawn")
        self._process: Any = None
        self._connection: Connection | None = None

    def _start(self) -> None:
        parent, child = self._context.Pipe()
        self._process = self._context.Process(target=_serve, args=(child, self.target), daemon=True)
        self._process.start()
        child.close()
        self._connection = parent
        # The first read imports the readers; it is not timed against the input.
        self._connection.send((b"warm up", "warm.txt"))
        self._connection.recv()

    def read(self, data: bytes, filename: str) -> Outcome:
        if self._process is None or not self._process.is_alive():
            self._start()
        assert self._connection is not None
        self._connection.send((data, filename))
        if not self._connection.poll(self.time_limit):
            self.stop()
            return Outcome("timeout", f"no answer within {self.time_limit:.0f} s")
        try:
            return self._connection.recv()  # type: ignore[no-any-return]
        except EOFError:
            code = self._process.exitcode if self._process else None
            self.stop()
            return Outcome("died", f"the reading process ended with exit code {code}")

    def stop(self) -> None:
        if self._process is not None:
            self._process.kill()
            self._process.join()
        if self._connection is not None:
            self._connection.close()
        self._process, self._connection = None, None

    def __enter__(self) -> ReaderWorker:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
