"""Reading a member's table file as it comes: its text decoded, its bad rows skipped and named, a file that is
no table refused.

Members hand over platform exports and object tables written by whatever tool they had, and such files are
messy. This module reads them with pyarrow and says what it did:

* **Encoding.** A byte-order mark decides: UTF-8, UTF-16 or UTF-32 (UTF-16 without one is recognised by its
  zero bytes). Without one the text is read as UTF-8, and any line that is not UTF-8 is read as Windows-1252
  (:data:`FALLBACK_ENCODING`, which covers Latin-1's printable characters too); those lines are counted and
  named in the report. Nothing here raises :class:`UnicodeDecodeError`.
* **Bad rows.** A row with fewer or more fields than the header is skipped. So is a row with a quote left
  open (never closed, or closed where no value ends), from the line the quote opens on, and the rest of the
  file is read on from the next line, rather than run together into one value. Skipped rows are counted, and
  the first :data:`MAX_LISTED` are named by the line they start on (a value that spans lines counts all its
  lines) in :class:`ReadReport`. Blank lines are not rows and are passed over.
* **Not a table.** An empty file, an image, an archive or a workbook, JSON, HTML or other binary data is
  refused with one :class:`~fimihub.errors.ValidationError` that names the file, what it looks like and what
  was expected.

:class:`CsvRead` streams a CSV file batch by batch, with the report ready once the batches are read;
:func:`read_csv_table` and :func:`read_parquet_table` read a whole file into a :class:`TableRead`. Every
column of a CSV file is read as text.

How, briefly: the file is handed to pyarrow through a small stream that decodes it and, past its end, adds a
sentinel row that turns a quote still open into one over-long row, which pyarrow's ``invalid_row_handler``
skips like any other. When a read skipped rows, or ended inside a quote, Python's strict :mod:`csv` reader
looks the file over once, line by line: it names the lines of the bad rows, and finds the lines where a
quote is left open, which are emptied before the file is read again. A line that is not UTF-8 has the file
read again too, with the fallback on. A read that starts again hands out only the rows not handed out
before.
"""

from __future__ import annotations

import codecs
import io
import sys
import threading
from collections import deque
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pyarrow as pa

from fimihub.errors import ValidationError

__all__ = [
    "FALLBACK_ENCODING",
    "MAX_LISTED",
    "CsvRead",
    "ReadReport",
    "SkippedLine",
    "TableRead",
    "describe",
    "read_csv_table",
    "read_parquet_table",
]

#: How many skipped rows (and fallback-decoded lines) a report names by line number; the rest are counted.
MAX_LISTED = 20
#: What a line that is not UTF-8 is read as.
FALLBACK_ENCODING = "cp1252"
#: pyarrow's block: rows are parsed this many bytes at a time, and a value longer than this cannot be read.
BLOCK_SIZE = 1 << 24

_READ = 1 << 20
_SNIFF = 1 << 16
#: The sentinel's text: it follows the file's last line, opening a quote if none is open, closing one if one
#: is, so that a quote left open ends up in a row with too many fields.
_MARK = "\x1ffimihub:end-of-file\x1f"
_STRADDLE = ("straddl", "out of sync")

_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"%PDF", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive (an Excel .xlsx or OpenDocument workbook is one: save it as CSV)"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old-style Office document (save it as CSV)"),
    (b"\x1f\x8b", "gzip-compressed data (decompress it first)"),
    (b"\xfd7zXZ\x00", "xz-compressed data (decompress it first)"),
    (b"\x28\xb5\x2f\xfd", "zstd-compressed data (decompress it first)"),
    (b"PAR1", "a Parquet file (name it .parquet)"),
    (b"SQLite format 3\x00", "an SQLite database"),
)
_BOMS: tuple[tuple[bytes, str, str], ...] = (
    (b"\xff\xfe\x00\x00", "utf-32", "utf-32-le"),
    (b"\x00\x00\xfe\xff", "utf-32", "utf-32-be"),
    (b"\xef\xbb\xbf", "utf-8-sig", ""),
    (b"\xff\xfe", "utf-16", "utf-16-le"),
    (b"\xfe\xff", "utf-16", "utf-16-be"),
)


@dataclass(frozen=True, slots=True)
class SkippedLine:
    """A row that was not read: the line it starts on, and why."""

    line: int
    reason: str


@dataclass(frozen=True)
class ReadReport:
    """What reading a file skipped, and how its text was decoded.

    ``encoding`` is what the text was read as (``utf-8``, ``utf-8-sig`` for UTF-8 with a byte-order mark,
    ``utf-16``, ``utf-16-le``, ``utf-16-be``, ``utf-32``), ``None`` for Parquet. ``fallback_count`` lines were
    not UTF-8 and were read as :data:`FALLBACK_ENCODING`; ``skipped_count`` rows could not be read. Each list
    names the first :data:`MAX_LISTED`. ``misread_count`` rows were handed out, by a read that streams, before
    a quote left open near them was found, and read differently after it."""

    path: str
    encoding: str | None = "utf-8"
    skipped_count: int = 0
    skipped: tuple[SkippedLine, ...] = ()
    fallback_count: int = 0
    fallback_lines: tuple[int, ...] = ()
    misread_count: int = 0

    @property
    def skipped_lines(self) -> tuple[int, ...]:
        """The line numbers of the first skipped rows, in order."""
        return tuple(s.line for s in self.skipped)

    @property
    def clean(self) -> bool:
        """Whether every row was read and every line was UTF-8 (or as its byte-order mark said)."""
        return not self.skipped_count and not self.fallback_count and not self.misread_count

    def messages(self) -> list[str]:
        """One line for each thing to tell the member, naming the file and the lines: empty when clean."""
        name = Path(self.path).name
        said: list[str] = []
        if self.skipped_count:
            listed = "; ".join(f"line {s.line} ({s.reason})" for s in self.skipped)
            more = self.skipped_count - len(self.skipped)
            rows = "row" if self.skipped_count == 1 else "rows"
            said.append(
                f"{name}: skipped {self.skipped_count:,} {rows} that could not be read"
                + (f": {listed}" if listed else "")
                + (f"; and {more:,} more" if listed and more > 0 else "")
            )
        if self.fallback_count:
            listed = ", ".join(str(n) for n in self.fallback_lines)
            more = self.fallback_count - len(self.fallback_lines)
            one = self.fallback_count == 1
            said.append(
                f"{name}: {self.fallback_count:,} {'line is' if one else 'lines are'} not UTF-8 and "
                f"{'was' if one else 'were'} read as Windows-1252 ({FALLBACK_ENCODING}): "
                f"line{'' if one else 's'} {listed}" + (f" and {more:,} more" if more > 0 else "")
            )
        if self.misread_count:
            said.append(
                f"{name}: {self.misread_count:,} rows were handed out before the quote left open near them "
                "was found, and may have been read wrong"
            )
        return said


@dataclass(frozen=True)
class TableRead:
    """A table read from a file, with what reading it skipped."""

    table: pa.Table
    report: ReadReport

    @property
    def skipped_lines(self) -> tuple[int, ...]:
        return self.report.skipped_lines

    @property
    def skipped_count(self) -> int:
        return self.report.skipped_count

    @property
    def encoding(self) -> str | None:
        return self.report.encoding


def read_parquet_table(path: str | Path, what: str = "input") -> TableRead:
    """The whole Parquet file at ``path``; a file that is not Parquet is refused, naming what it looks
    like."""
    import pyarrow.parquet as pq

    path = Path(path)
    try:
        table = pq.read_table(path)
    except (pa.ArrowException, OSError) as exc:
        raise not_parquet(path, what, exc) from None
    return TableRead(table, ReadReport(str(path), encoding=None))


def not_parquet(path: Path, what: str, exc: BaseException) -> ValidationError:
    """The error for a file named .parquet that pyarrow could not open as one."""
    kind = describe(path)
    if kind is None:
        return ValidationError(what, f"{path} is not a readable Parquet file: {_first_line(exc)}")
    return ValidationError(what, f"{path} is {kind}, not a Parquet file: expected a .parquet file")


def read_csv_table(path: str | Path, *, delimiter: str = ",", what: str = "input") -> TableRead:
    """The whole CSV (or, with ``delimiter="\\t"``, TSV) file at ``path``, every column as text."""
    reading = CsvRead(Path(path), delimiter=delimiter, what=what)
    table = reading.read_all()
    return TableRead(table, reading.report())


def describe(path: Path) -> str | None:
    """What the file at ``path`` looks like when it is plainly not a text table (``"a PNG image"``,
    ``"empty"``, ``"JSON"``), else ``None``."""
    try:
        with path.open("rb") as file:
            head = file.read(_SNIFF)
    except OSError:
        return None
    return _looks_like(head)


def _looks_like(head: bytes) -> str | None:
    for magic, kind in _MAGIC:
        if head.startswith(magic):
            return kind
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return "a WebP image"
    if not head.strip():
        return "empty"
    return None


@dataclass(frozen=True, slots=True)
class _Decoding:
    """How a file's bytes become UTF-8: what to call it, the Python codec that decodes it (``""``: the bytes
    are UTF-8 already), how many bytes of byte-order mark to pass over, and whether lines that are not UTF-8
    are read as :data:`FALLBACK_ENCODING`."""

    name: str
    codec: str = ""
    skip: int = 0
    fallback: bool = False


def _decoding(path: Path, what: str, expected: str) -> _Decoding:
    """How to decode the file at ``path``, or the error that says it is no text table."""
    try:
        with path.open("rb") as file:
            head = file.read(_SNIFF)
            whole = len(head) < _SNIFF
    except OSError as exc:
        raise ValidationError(what, f"{path} cannot be read: {exc.strerror or exc}") from None

    def refuse(kind: str) -> ValidationError:
        return ValidationError(what, f"{path} is {kind}, not a table: expected {expected}")

    kind = _looks_like(head)
    if kind is not None:
        raise refuse(kind)
    found = next(((bom, name, codec) for bom, name, codec in _BOMS if head.startswith(bom)), None)
    if found is not None:
        bom, name, codec = found
        decoding = _Decoding(name, codec, len(bom))
    elif b"\x00" in head:
        codec = _bomless_utf16(head)
        if not codec:
            raise refuse("binary data")
        decoding = _Decoding(codec, codec)
    else:
        decoding = _Decoding("utf-8")
    sample = head[decoding.skip :]
    if decoding.codec:
        text = codecs.getincrementaldecoder(decoding.codec)("replace").decode(sample, whole)
    else:
        try:
            text = codecs.getincrementaldecoder("utf-8")().decode(sample, whole)
        except UnicodeDecodeError:
            text = sample.decode(FALLBACK_ENCODING, "replace")
            decoding = replace(decoding, fallback=True)
    start = text.lstrip()
    if not start:
        raise refuse("empty")
    if start[0] in "{[":
        raise refuse("JSON")
    if start[0] == "<":
        raise refuse("HTML or XML")
    controls = sum(1 for c in text if c < " " and c not in "\t\n\r\f\v")
    if controls > max(2, len(text) // 100):
        raise refuse("binary data")
    return decoding


def _bomless_utf16(head: bytes) -> str:
    """``utf-16-le`` or ``utf-16-be`` when ``head`` looks like UTF-16 text without a byte-order mark (most
    high bytes zero, as in Latin text, and hardly any low byte), else ``""``."""
    sample = head[:4096]
    evens, odds = sample[0::2], sample[1::2]
    if len(sample) < 4:
        return ""
    if odds.count(0) > 0.5 * len(odds) and evens.count(0) < 0.05 * len(evens):
        return "utf-16-le"
    if evens.count(0) > 0.5 * len(evens) and odds.count(0) < 0.05 * len(odds):
        return "utf-16-be"
    return ""


@dataclass
class _Tally:
    """What one pass over a file's text saw: blank lines before the header, and the lines read as
    :data:`FALLBACK_ENCODING`."""

    lead: int = 0
    fallback_count: int = 0
    fallback_lines: list[int] = field(default_factory=list)

    def fell_back(self, line: int) -> None:
        self.fallback_count += 1
        if len(self.fallback_lines) < MAX_LISTED:
            self.fallback_lines.append(line)


def _chunks(
    path: Path, decoding: _Decoding, blank: frozenset[int], tally: _Tally, *, by_line: bool = False
) -> Iterator[tuple[int, bytes]]:
    """The file's text as UTF-8, in chunks, each with the number of its first line: blank lines before the
    header left out (and counted), the lines in ``blank`` emptied. Chunks end at a line's end where lines are
    looked at (the fallback, ``blank``, ``by_line``); elsewhere the bytes pass as they are."""
    decoder = codecs.getincrementaldecoder(decoding.codec)("replace") if decoding.codec else None
    last_blank = max(blank, default=0)
    carry = b""
    line = 1
    started = False
    with path.open("rb") as file:
        file.seek(decoding.skip)
        while True:
            raw = file.read(_READ)
            final = not raw
            data = decoder.decode(raw, final).encode("utf-8") if decoder is not None else raw
            if not started:
                data = carry + data
                carry = b""
                body = data.lstrip(b"\r\n")
                tally.lead += data.count(b"\n", 0, len(data) - len(body))
                line += data.count(b"\n", 0, len(data) - len(body))
                data = body
                started = bool(body)
                if not started and not final:
                    continue
            slow = by_line or decoding.fallback or line <= last_blank
            if not slow:
                if carry:
                    data, carry = carry + data, b""
                if data:
                    yield line, data
                if final:
                    return
                continue
            data = carry + data
            cut = len(data) if final else data.rfind(b"\n") + 1
            chunk, carry = data[:cut], data[cut:]
            if chunk:
                yield line, _fixed(chunk, line, decoding, blank, tally)
                line += chunk.count(b"\n")
            if final:
                return


def _fixed(chunk: bytes, first: int, decoding: _Decoding, blank: frozenset[int], tally: _Tally) -> bytes:
    """``chunk`` (whole lines from line ``first``) with the lines in ``blank`` emptied and, under the
    fallback, each line that is not UTF-8 decoded as :data:`FALLBACK_ENCODING`."""
    last = first + chunk.count(b"\n")
    empties = [n for n in blank if first <= n <= last]
    if not empties and not decoding.fallback:
        return chunk
    if not empties:
        try:
            chunk.decode("utf-8")
        except UnicodeDecodeError:
            pass
        else:
            return chunk
    lines = chunk.split(b"\n")
    for n in empties:
        lines[n - first] = b""
    if decoding.fallback:
        for i, text in enumerate(lines):
            try:
                text.decode("utf-8")
            except UnicodeDecodeError:
                try:
                    lines[i] = text.decode(FALLBACK_ENCODING).encode("utf-8")
                except UnicodeDecodeError:  # the five bytes Windows-1252 leaves undefined: Latin-1's controls
                    lines[i] = text.decode("latin-1").encode("utf-8")
                tally.fell_back(first + i)
    return b"\n".join(lines)


class _Stream(io.RawIOBase):
    """A file's decoded text as a binary stream for pyarrow, with ``tail`` after its end (on a line of its
    own)."""

    def __init__(self, chunks: Iterator[tuple[int, bytes]], tail: bytes) -> None:
        super().__init__()
        self._chunks: Iterator[tuple[int, bytes]] | None = chunks
        self._tail = tail
        self._buffer = bytearray()
        self._last = b"\n"

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> bytes:
        want = sys.maxsize if size is None or size < 0 else size
        while len(self._buffer) < want and self._chunks is not None:
            try:
                _, chunk = next(self._chunks)
            except StopIteration:
                self._chunks = None
                if self._last not in (b"\n", b"\r"):
                    self._buffer += b"\n"
                self._buffer += self._tail
                break
            if chunk:
                self._buffer += chunk
                self._last = chunk[-1:]
        out = bytes(self._buffer[:want])
        del self._buffer[:want]
        return out

    def readinto(self, buffer: Any) -> int:
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


class _Rows:
    """pyarrow's ``invalid_row_handler`` for one pass: skips every row that does not fit, counting the bad
    ones, and notes the sentinel's row when it shows a quote left open."""

    def __init__(self, tail: str) -> None:
        self.tail = tail
        self.bad = 0
        self.open_quote = False
        self.undecodable = False
        self._lock = threading.Lock()

    def __call__(self, row: Any) -> str:
        text: str = row.text
        if _MARK in text:
            if text.rstrip("\r\n") != self.tail:
                self.open_quote = True
        elif text.strip():
            with self._lock:
                self.bad += 1
        return "skip"


@contextmanager
def _quiet(rows: _Rows) -> Iterator[None]:
    """While pyarrow reads: a row it cannot hand ``rows`` as text (it is not UTF-8) marks ``rows`` undecodable
    rather than printing a traceback; pyarrow then fails the read, which is done again with the fallback."""
    previous = sys.unraisablehook

    def hook(unraisable: Any) -> None:
        if isinstance(unraisable.exc_value, UnicodeDecodeError) and unraisable.object is rows:
            rows.undecodable = True
            return
        previous(unraisable)

    sys.unraisablehook = hook
    try:
        yield
    finally:
        if sys.unraisablehook is hook:
            sys.unraisablehook = previous


class CsvRead:
    """One CSV file being read: its columns now, its rows as :meth:`batches`, and once those are read, the
    :meth:`report` of what was skipped. ``columns`` limits the columns read (those the file has); every column
    is read as text.

    Opening one checks the file: a file that is no text table, or whose header cannot be read, raises
    :class:`ValidationError` naming it."""

    def __init__(
        self,
        path: Path,
        *,
        delimiter: str = ",",
        columns: Sequence[str] | None = None,
        what: str = "input",
        expected: str = "a CSV file with a header row",
    ) -> None:
        self.path = path
        self.what = what
        self._delimiter = delimiter
        if not path.is_file():
            raise ValidationError(what, f"{path} does not exist or is not a file")
        self._decoding = _decoding(path, what, expected)
        self._tally = _Tally()
        #: Every column the file has, in order.
        self.names: list[str] = self._header()
        #: The columns read: those of ``columns`` the file has, in that order (without ``columns``, all).
        self.columns = list(self.names) if columns is None else [c for c in columns if c in self.names]
        self.schema = pa.schema([(c, pa.string()) for c in self.columns])
        self._tail = '"' + delimiter * max(1, len(self.names)) + _MARK
        self._blank: frozenset[int] = frozenset()
        self._diagnosis: _Diagnosis | None = None
        self._rows: _Rows | None = None
        self._misread = 0

    # -- the header ------------------------------------------------------------------------------------------

    def _header(self) -> list[str]:
        for _ in range(2):
            rows = _Rows("")
            self._tally = _Tally()
            try:
                with _quiet(rows):
                    # The sentinel (with one delimiter, the columns not known yet) shows a header whose quote
                    # is never closed: it ends up among the column names.
                    reader = self._open(
                        self._decoding,
                        frozenset(),
                        rows,
                        tail='"' + self._delimiter + _MARK,
                        tally=self._tally,
                        block=_READ,
                        infer=True,
                    )
                    names = list(reader.schema.names)
                    if any(_MARK in name for name in names):
                        raise self._unreadable(pa.ArrowInvalid("straddling header"))
            except UnicodeDecodeError:
                rows.undecodable = True
            except pa.ArrowInvalid as exc:
                if not rows.undecodable and not _not_utf8(exc):
                    raise self._unreadable(exc) from None
                rows.undecodable = True
            except OSError as exc:
                raise ValidationError(
                    self.what, f"{self.path} cannot be read: {exc.strerror or exc}"
                ) from None
            if not rows.undecodable:
                return names
            if self._decoding.fallback or self._decoding.codec:
                break
            self._decoding = replace(self._decoding, fallback=True)
        raise ValidationError(self.what, f"{self.path}: its header row cannot be read")

    def _unreadable(self, exc: BaseException) -> ValidationError:
        message = _first_line(exc)
        if "Empty CSV" in message:
            return ValidationError(self.what, f"{self.path} is empty, not a table: expected a header row")
        if any(s in message for s in _STRADDLE):
            return ValidationError(
                self.what,
                f"{self.path}: the header row (line {self._tally.lead + 1}) has a quote that is never closed",
            )
        return ValidationError(self.what, f"{self.path} is not a readable table: {message}")

    def _open(
        self,
        decoding: _Decoding,
        blank: frozenset[int],
        rows: _Rows,
        *,
        tail: str,
        tally: _Tally | None = None,
        block: int | None = None,
        infer: bool = False,
        include: Sequence[str] | None = None,
    ) -> Any:
        import pyarrow.csv as pacsv

        tally = tally if tally is not None else _Tally()
        stream = _Stream(
            _chunks(self.path, decoding, blank, tally), tail.encode("utf-8") + b"\n" if tail else b""
        )
        convert = (
            pacsv.ConvertOptions()
            if infer
            else pacsv.ConvertOptions(
                column_types=dict.fromkeys(self.names, pa.string()),
                include_columns=list(include) if include is not None else None,
            )
        )
        return pacsv.open_csv(
            stream,
            read_options=pacsv.ReadOptions(block_size=block or BLOCK_SIZE),
            parse_options=pacsv.ParseOptions(
                delimiter=self._delimiter,
                newlines_in_values=True,
                invalid_row_handler=rows,
            ),
            convert_options=convert,
        )

    # -- the rows --------------------------------------------------------------------------------------------

    def batches(self) -> Iterator[pa.RecordBatch]:
        """The file's rows, batch by batch. A read that has to start again (quotes left open, a line that is
        not UTF-8) reads the file again and hands out only the rows not handed out before. Each batch is held
        back until the next is read, so that trouble is found before the rows near it are handed out; rows
        handed out that a read started again finds different are counted in the report."""
        handed = 0
        seen = 0
        for item in self._attempts():
            if isinstance(item, int):
                self._misread += max(0, handed - item)
                handed = min(handed, item)
                seen = 0
                continue
            seen += item.num_rows
            if seen > handed:
                yield item.slice(item.num_rows - (seen - handed))
                handed = seen

    def read_all(self) -> pa.Table:
        """Every row of the file, as one table: a read that starts again drops what it finds different."""
        kept: list[pa.RecordBatch] = []
        have = 0
        seen = 0
        for item in self._attempts():
            if isinstance(item, int):
                if have > item:
                    kept = pa.Table.from_batches(kept, schema=self.schema).slice(0, item).to_batches()
                    have = item
                seen = 0
                continue
            seen += item.num_rows
            if seen > have:
                kept.append(item.slice(item.num_rows - (seen - have)))
                have = seen
        return pa.Table.from_batches(kept, schema=self.schema)

    def _attempts(self) -> Iterator[pa.RecordBatch | int]:
        """Each read of the file: its batches from the first row on, and, where it is given up to start again,
        how many of the rows it gave are right (those before the first change)."""
        while True:
            rows = _Rows(self._tail)
            tally = _Tally()
            given = 0
            again: int | None = None
            try:
                with _quiet(rows):
                    reader = self._open(
                        self._decoding, self._blank, rows, tail=self._tail, tally=tally, include=self.columns
                    )
                    if any(_MARK in name for name in reader.schema.names):
                        raise self._unreadable(pa.ArrowInvalid("straddling header"))
                    held: pa.RecordBatch | None = None
                    while True:
                        try:
                            batch = reader.read_next_batch()
                        except StopIteration:
                            batch = None
                        if (rows.bad or rows.open_quote) and self._diagnosed():
                            again = self._good_rows()
                            break
                        if held is not None:
                            given += held.num_rows
                            yield held
                        if batch is None:
                            break
                        held = self._without_sentinel(batch)
            except pa.ArrowInvalid as exc:
                if rows.undecodable or _not_utf8(exc):
                    if self._decoding.fallback or self._decoding.codec:
                        raise self._unreadable(exc) from None
                    self._decoding = replace(self._decoding, fallback=True)
                    again = given
                elif not any(s in str(exc) for s in _STRADDLE):
                    raise self._unreadable(exc) from None
                elif self._diagnosed():
                    again = self._good_rows()
                else:
                    raise ValidationError(
                        self.what,
                        f"{self.path}: a quoted value after row {given:,} runs on for more than "
                        f"{BLOCK_SIZE >> 20} MB",
                    ) from None
            except OSError as exc:
                raise ValidationError(
                    self.what, f"{self.path} cannot be read: {exc.strerror or exc}"
                ) from None
            if again is not None:
                yield again
                continue
            self._rows = rows
            self._tally = tally
            return

    def _diagnosed(self) -> bool:
        """Look the file over line by line (once), to name the lines of the rows pyarrow skipped and find the
        quotes left open; whether that found quotes to empty the lines of, so the file is to be read again."""
        if self._diagnosis is not None:
            return False
        self._diagnosis = _diagnose(self.path, self._decoding, self._blank, self._delimiter, len(self.names))
        opened = [s.line for s in self._diagnosis.open_quotes if s.line not in self._blank]
        self._blank = self._blank | set(opened)
        return bool(opened)

    def _good_rows(self) -> int:
        assert self._diagnosis is not None
        return self._diagnosis.rows_before_open_quote

    def _without_sentinel(self, batch: pa.RecordBatch) -> pa.RecordBatch:
        """In a file of one column, the sentinel is a row: the last; it is dropped."""
        if len(self.names) != 1 or not batch.num_rows or batch.num_columns != 1:
            return batch
        last = batch.column(0)[batch.num_rows - 1].as_py()
        return batch.slice(0, batch.num_rows - 1) if last is not None and _MARK in last else batch

    # -- the report ------------------------------------------------------------------------------------------

    def report(self) -> ReadReport:
        """What the read skipped and how it decoded the text; call it once :meth:`batches` is read through."""
        if self._rows is None:
            raise RuntimeError("CsvRead.report() is ready once its batches have been read")
        rows, diagnosis = self._rows, self._diagnosis
        skipped: list[SkippedLine] = []
        count = rows.bad
        if diagnosis is not None:
            skipped = sorted([*diagnosis.open_quotes, *diagnosis.bad], key=lambda s: s.line)
            count += len(diagnosis.open_quotes)
        if rows.open_quote:  # still: the diagnosis could not tell where (it gave up on the header)
            count += 1
        return ReadReport(
            str(self.path),
            encoding=self._decoding.name,
            skipped_count=max(count, len(skipped)),
            skipped=tuple(skipped[:MAX_LISTED]),
            fallback_count=self._tally.fallback_count,
            fallback_lines=tuple(self._tally.fallback_lines),
            misread_count=self._misread,
        )


@dataclass
class _Diagnosis:
    """What looking a file over line by line found: the lines with a quote left open (the whole row from
    there is dropped, and the file read on from the next line), and the first bad rows."""

    open_quotes: list[SkippedLine] = field(default_factory=list)
    bad: list[SkippedLine] = field(default_factory=list)
    #: The rows read right before the first quote left open (all of them, without one).
    rows_before_open_quote: int = 0


class _TooLong(Exception):
    """A row runs on for more than pyarrow's block: a quote left open."""


class _Lines:
    """The lines of a file's text for Python's :mod:`csv` reader, each noted with its number as it is handed
    out, so that a row that fails can be handed out again from its second line."""

    def __init__(self, chunks: Iterator[tuple[int, bytes]], limit: int) -> None:
        self._chunks = chunks
        self._limit = limit
        self._ahead: deque[tuple[int, str]] = deque()
        self.row: list[tuple[int, str]] = []
        self._size = 0

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        if not self._ahead:
            first, chunk = next(self._chunks)
            parts = chunk.decode("utf-8", "replace").split("\n")
            self._ahead.extend((first + i, part + "\n") for i, part in enumerate(parts[:-1]))
            if parts[-1]:
                self._ahead.append((first + len(parts) - 1, parts[-1]))
            if not self._ahead:
                return next(self)
        line = self._ahead.popleft()
        self.row.append(line)
        self._size += len(line[1])
        if self._size > self._limit:
            raise _TooLong
        return line[1]

    def next_row(self) -> None:
        self.row = []
        self._size = 0

    def again_from_second(self) -> None:
        """Hand out the current row's lines again, all but its first."""
        self._ahead.extendleft(reversed(self.row[1:]))
        self.next_row()


def _diagnose(
    path: Path, decoding: _Decoding, blank: frozenset[int], delimiter: str, columns: int
) -> _Diagnosis:
    """Read the file's text with Python's strict :mod:`csv` reader: a row with another number of fields than
    the header is bad; a row where a quote is never closed, or closes where no value ends, has a quote left
    open: it is dropped from its first line, and reading goes on from its second."""
    import csv

    found = _Diagnosis()
    lines = _Lines(_chunks(path, decoding, blank, _Tally(), by_line=True), BLOCK_SIZE)
    limit = csv.field_size_limit()
    csv.field_size_limit(max(limit, BLOCK_SIZE))
    try:
        reader = csv.reader(lines, delimiter=delimiter, strict=True)
        header = True
        rows = 0
        while True:
            lines.next_row()
            try:
                fields = next(reader)
            except StopIteration:
                break
            except (csv.Error, _TooLong) as exc:
                if header or not lines.row:
                    break  # pyarrow read the header; this reader cannot: nothing to say
                if not found.open_quotes:
                    found.rows_before_open_quote = rows
                found.open_quotes.append(SkippedLine(lines.row[0][0], _quote_reason(exc)))
                lines.again_from_second()
                reader = csv.reader(lines, delimiter=delimiter, strict=True)
                continue
            if header:
                header = False
            elif len(fields) == columns:
                rows += 1
            elif (len(fields) > 1 or "".join(fields).strip()) and len(found.bad) < MAX_LISTED:
                found.bad.append(SkippedLine(lines.row[0][0], _fields_reason(len(fields), columns)))
    finally:
        csv.field_size_limit(limit)
    if not found.open_quotes:
        found.rows_before_open_quote = rows
    return found


def _quote_reason(exc: BaseException) -> str:
    if isinstance(exc, _TooLong):
        return f"a quote opened on this line is not closed within {BLOCK_SIZE >> 20} MB"
    if "end of data" in str(exc):
        return "a quote opened on this line is never closed"
    if "expected after" in str(exc):
        return "a quote opened on this line is not closed where a value ends"
    return f"unreadable: {exc}"


def _fields_reason(got: int, header: int) -> str:
    return f"{got} field{'' if got == 1 else 's'} where the header has {header}"


def _not_utf8(exc: BaseException) -> bool:
    return "invalid UTF8" in str(exc) or "invalid utf8" in str(exc).lower()


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
