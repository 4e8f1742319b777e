"""Tables as peers write them: a header found wherever it is (names with stray spaces, capitals, synonyms),
rows with their line numbers, the delimiter sniffed."""

from __future__ import annotations

import csv
import io
import re
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

__all__ = ["BadRow", "Columns", "Row", "columns_of", "csv_rows", "header_key"]

# Column names, as header_key writes them, for each role a column can play.
_ROLES: dict[str, frozenset[str]] = {
    "value": frozenset({
        "indicator", "indicatorvalue", "indicators", "value", "ioc", "iocs", "iocvalue", "observable",
        "observablevalue", "indicatorofcompromise", "artifact", "artefact",
    }),
    "type": frozenset({"indicatortype", "type", "iocttype", "ioctype", "kind", "category", "observabletype"}),
    "tactic": frozenset({"tactic", "phase", "killchainphase", "killchain"}),
    "technique": frozenset({"technique"}),
    "procedure": frozenset({"procedure", "procedures"}),
    "date": frozenset({"ds", "date", "datepublished", "published", "firstseen"}),
    "platform": frozenset({"platform", "socialmedia", "socialnetwork", "service", "site"}),
    "note": frozenset({
        "comment", "comments", "commernts", "note", "notes", "description", "context", "threatactor", "actor",
        "network", "campaign", "remarks",
    }),
}  # fmt: skip
csv.field_size_limit(min(sys.maxsize, 2**31 - 1))


def header_key(name: str) -> str:
    """A header cell compared without case, spaces or punctuation ("Indicator Type " -> ``indicatortype``)."""
    return re.sub(r"[^a-z0-9]", "", name.lower())


@dataclass(frozen=True, slots=True)
class Columns:
    """Which column plays which role (``value``, ``type``, ``tactic`` …); ``notes`` may be several."""

    roles: dict[str, int]
    notes: tuple[int, ...]

    def cell(self, row: Sequence[str], role: str) -> str:
        index = self.roles.get(role)
        return row[index].strip() if index is not None and index < len(row) else ""

    def note(self, row: Sequence[str]) -> str:
        return "; ".join(row[i].strip() for i in self.notes if i < len(row) and row[i].strip())


def columns_of(header: Sequence[str]) -> Columns | None:
    """The roles of a header's columns, or ``None`` when it names no value column (it is no header)."""
    roles: dict[str, int] = {}
    notes: list[int] = []
    for index, name in enumerate(header):
        key = header_key(name)
        for role, names in _ROLES.items():
            if key in names:
                if role == "note":
                    notes.append(index)
                else:
                    roles.setdefault(role, index)
                break
    if "value" not in roles:
        return None
    return Columns(roles, tuple(notes))


@dataclass(frozen=True, slots=True)
class Row:
    line: int
    cells: list[str]

    @property
    def blank(self) -> bool:
        return not any(cell.strip() for cell in self.cells)


@dataclass(frozen=True, slots=True)
class BadRow:
    line: int
    reason: str


def _dialect(text: str) -> type[csv.Dialect] | csv.Dialect:
    """The CSV dialect: the delimiter under which a header naming an indicator column appears near the top,
    else the one Python's sniffer finds, else a comma."""
    sample = "\n".join(text.splitlines()[:50])
    for delimiter in ",\t;|":
        try:
            rows = list(csv.reader(io.StringIO(sample), delimiter=delimiter))
        except csv.Error:
            continue
        if any(len(row) > 1 and columns_of(row) is not None for row in rows[:20]):
            return _Delimited(delimiter)
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t|")
    except csv.Error:
        return csv.excel


class _Delimited(csv.excel):
    def __init__(self, delimiter: str) -> None:
        super().__init__()
        self.delimiter = delimiter


def csv_rows(text: str) -> Iterator[Row | BadRow]:
    """The rows of a CSV text with the line each starts on; a row the reader cannot parse is yielded as the
    reason (a :class:`BadRow`), and reading goes on from the next line."""
    dialect = _dialect(text)
    lines = text.splitlines(keepends=True)
    start = 0
    while start < len(lines):
        reader = csv.reader(io.StringIO("".join(lines[start:])), dialect)
        line = start + 1
        try:
            while True:
                line = start + reader.line_num + 1
                try:
                    cells = next(reader)
                except StopIteration:
                    return
                yield Row(line, cells)
        except csv.Error as exc:
            yield BadRow(line, f"the row cannot be read as CSV ({exc})")
            start = line
