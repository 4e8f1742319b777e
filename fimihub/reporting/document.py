"""What a report is made of, whatever it is rendered to: sections of paragraphs, tables and charts, and the
figures in them, each with the ids of the records it counts.

A report builder (:mod:`fimihub.reporting.cio`, :mod:`fimihub.reporting.c16`) makes a :class:`Report`: its
JSON document (``data``, the machine-readable form with every id) and its :class:`Document` (the same facts
laid out for people). The renderers turn the document into HTML, Markdown, CSV or PDF.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Cell", "Chart", "Document", "Figure", "Report", "Section", "Table", "figure"]


@dataclass(frozen=True, slots=True)
class Figure:
    """A number in a report and the records it counts (sorted ids), so it can be checked one by one."""

    value: int
    records: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {"value": self.value, "records": list(self.records)}


def figure(value: int, records: Iterable[str]) -> Figure:
    """A figure of ``value`` counting ``records`` (deduplicated, sorted)."""
    return Figure(value, tuple(sorted(set(records))))


#: A table cell: text, a plain number, or a figure with its records.
Cell = str | int | Figure


@dataclass(frozen=True, slots=True)
class Table:
    """A table: ``key`` names it in CSV output (``<key>.csv``), ``columns`` head it."""

    key: str
    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    note: str = ""


@dataclass(frozen=True, slots=True)
class Chart:
    """A chart drawn on the server: ``kind`` is ``bar`` (one or more series over ``labels``), ``barh``
    (horizontal bars) or ``line``; each series is a name and one value per label."""

    key: str
    title: str
    kind: str
    labels: tuple[str, ...]
    series: tuple[tuple[str, tuple[int, ...]], ...]
    ylabel: str = ""


@dataclass(frozen=True, slots=True)
class Section:
    title: str
    paragraphs: tuple[str, ...] = ()
    tables: tuple[Table, ...] = ()
    charts: tuple[Chart, ...] = ()
    #: Bullet points after the paragraphs.
    items: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Document:
    title: str
    subtitle: str
    sections: tuple[Section, ...]

    def tables(self) -> list[Table]:
        """Every table, in the order it appears."""
        return [t for s in self.sections for t in s.tables]

    def charts(self) -> list[Chart]:
        return [c for s in self.sections for c in s.charts]


@dataclass(frozen=True, slots=True)
class Report:
    """A built report: ``kind`` (``cio``, ``c16``), its JSON document and its layout; ``inputs`` are the ids
    of every record it was computed from (what a frozen report keeps)."""

    kind: str
    data: dict[str, Any]
    document: Document
    inputs: tuple[str, ...] = field(default=())
