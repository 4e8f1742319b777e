"""Where a read went wrong, line by line: Python's strict csv reader names the lines of the bad rows and finds
the quotes left open."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from fimihub.matching.reading.report import BLOCK_SIZE, MAX_LISTED, SkippedLine
from fimihub.matching.reading.sniffing import Decoding
from fimihub.matching.reading.stream import Tally, chunks


@dataclass
class Diagnosis:
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


def diagnose(
    path: Path, decoding: Decoding, blank: frozenset[int], delimiter: str, columns: int
) -> Diagnosis:
    """Read the file's text with Python's strict :mod:`csv` reader: a row with another number of fields than
    the header is bad; a row where a quote is never closed, or closes where no value ends, has a quote left
    open: it is dropped from its first line, and reading goes on from its second."""
    import csv

    found = Diagnosis()
    lines = _Lines(chunks(path, decoding, blank, Tally(), by_line=True), BLOCK_SIZE)
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


def not_utf8(exc: BaseException) -> bool:
    return "invalid UTF8" in str(exc) or "invalid utf8" in str(exc).lower()
