"""What a read of a table file reports (the rows it skipped, how its text was decoded), and the limits it
reads within."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa

#: How many skipped rows (and fallback-decoded lines) a report names by line number; the rest are counted.
MAX_LISTED = 20
#: What a line that is not UTF-8 is read as.
FALLBACK_ENCODING = "cp1252"
#: pyarrow's block: rows are parsed this many bytes at a time, and a value longer than this cannot be read.
BLOCK_SIZE = 1 << 24

READ = 1 << 20
SNIFF = 1 << 16
#: The sentinel's text: it follows the file's last line, opening a quote if none is open, closing one if one
#: is, so that a quote left open ends up in a row with too many fields.
MARK = "\x1ffimihub:end-of-file\x1f"
STRADDLE = ("straddl", "out of sync")


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


def first_line(exc: BaseException) -> str:
    """The first line of an error's message (or its type's name): what a report quotes of it."""
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
