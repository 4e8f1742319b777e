"""Meta's threat-research indicator files: both CSV layouts and the Markdown IOC pages.

* **Typed CSV** (``indicator_type,indicator_value,comment,ds``): each row one indicator of the type given.
* **Kill-chain CSV** (``Tactic,Technique,Procedure,Indicator[,Notes]``), tagged with Meta's Online Operations
  Kill Chain: a row holds an indicator, a count ("658 accounts", a figure of the disclosure), or prose (what
  the network did; ad spend and followers become figures, the rest the disclosure's summary).
* **Markdown IOC pages**: a title, a network summary, and indicators in tables (``| Indicator Type |
  Indicator Value |``), in lists or code blocks under headings; cross-links are references, not indicators.

Headers are found wherever they are and whatever their spacing or case; defanged values are restored; a
profile URL becomes a handle on its platform; a link a copy from a PDF broke with spaces is put back together;
links in a row's notes (where a shortened link "redirects to: …") come in too; an App Store id becomes its
store page. Every row that brings nothing in is reported with its line and the reason.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

from fimihub.errors import ValidationError
from fimihub.exchange.importers.found import (
    FileText,
    Found,
    FoundFigure,
    FoundIndicator,
    FoundOperation,
    file_bytes,
    read_text,
)
from fimihub.exchange.importers.prose import ad_spend, date_in, figures_in, tactic_of
from fimihub.exchange.importers.tables import BadRow, Columns, Row, columns_of, csv_rows, header_key
from fimihub.exchange.importers.values import Value, counted_in, indicators_in, strong_indicators_in
from fimihub.matching.kinds.domain import refang

__all__ = ["FORMAT", "PUBLISHER", "read_meta", "read_meta_text", "url_of"]

FORMAT = "meta-threat-research"
PUBLISHER = "Meta"
_EXPECTED = "a Meta threat-research indicator file (CSV, Markdown or JSON)"
_HEADER_SEARCH = 20
_PROSE_WORDS = 5
_SCHEME = re.compile(r"^https?://", re.IGNORECASE)
# What carries a broken link on: a path fragment (with a dash, slash, underscore, percent sign, dot or query
# mark) or digits, never a plain word of a remark nor anything in brackets.
_CONTINUATION = re.compile(r"^(?=\S*[-/_%.?=&]|\d+/?$)[\w\-./%?=&#~+]+$")
_APP_STORE_TYPE = re.compile(r"\b(?:ios|apple|app ?store|itunes)\b", re.IGNORECASE)


def read_meta(path: Path) -> Found:
    """Read one file (refused with :class:`~fimihub.errors.ValidationError` when it is no text)."""
    data = file_bytes(path, "file")
    if data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] in (b"[", b"{"):
        return _read_json(path, data)
    return read_meta_text(read_text(path, "file", _EXPECTED), str(path))


def _read_json(path: Path, data: bytes) -> Found:
    """The JSON form of the typed files: a list of objects with ``indicator_type``, ``indicator_value`` …;
    a row's line is the object's number in the list."""
    try:
        items = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise ValidationError("file", f"{path} is not valid JSON ({exc}): expected {_EXPECTED}") from None
    if isinstance(items, dict):
        items = next((v for v in items.values() if isinstance(v, list)), [items])
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise ValidationError(
            "file", f"{path} is JSON but not a list of indicator objects: expected {_EXPECTED}"
        )
    header = list(dict.fromkeys(str(k) for item in items for k in item))
    columns = columns_of(header)
    if columns is None:
        raise ValidationError("file", f"{path} is JSON with no indicator field: expected {_EXPECTED}")
    found = Found(
        file=str(path),
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
        format=FORMAT,
        publisher=PUBLISHER,
        title=_title(path.name),
    )
    reader = _CsvFile(found)
    for number, item in enumerate(items, start=1):
        reader._row(columns, Row(number, ["" if item.get(k) is None else str(item.get(k)) for k in header]))
    found.summary = "\n".join(reader.prose)
    return _finish(found, path.name)


def read_meta_text(text: FileText, name: str) -> Found:
    found = Found(
        file=name,
        sha256=text.sha256,
        size=text.size,
        format=FORMAT,
        publisher=PUBLISHER,
        title=_title(text.name),
    )
    if _is_markdown(text):
        _MarkdownPage(found).read(text.text)
        found.url = url_of(text.text)
    else:
        _CsvFile(found).read(text.text)
    return _finish(found, text.name)


def _finish(found: Found, name: str) -> Found:
    found.published_at = found.published_at or date_in(name, found.title)
    found.tactics = sorted({t for t in (tactic_of(p) for p in found.kill_chain) if t})
    if found.indicators or found.figures:
        found.operation = _operation(found)
    return found


def _is_markdown(text: FileText) -> bool:
    if text.name.lower().endswith((".md", ".markdown")):
        return True
    head = text.text.lstrip()[:2000]
    return head.startswith("#") or bool(re.search(r"^\|.*\|\s*$\n^\|\s*:?-{3,}", head, re.MULTILINE))


def _title(filename: str) -> str:
    stem = re.sub(r"\.(csv|md|markdown|txt)$", "", filename.strip(), flags=re.IGNORECASE)
    stem = re.sub(r"^.*?GithubIOCs\s*-\s*", "", stem)
    words = re.sub(r"[_]+", " ", stem).strip(" -")
    return re.sub(r"\s+", " ", words)[:200] or filename[:200]


def _operation(found: Found) -> FoundOperation:
    fields: dict[str, object] = {
        "name": found.title[:200],
        "description": found.summary[:100_000],
        "status": "disrupted",
        "detection_source": "external",
        "detection_partner": PUBLISHER,
    }
    spend = ad_spend(found.summary)
    if spend is not None:
        fields["ad_spend"], fields["ad_spend_currency"] = spend
    if found.published_at is not None:
        fields["last_seen"] = found.published_at
    return FoundOperation(fields)


def _add(found: Found, values: list[Value], line: int | None, note: str) -> None:
    for value in values:
        found.indicators.append(FoundIndicator(value.kind, value.value, line, value.platform, note[:2000]))


class _CsvFile:
    def __init__(self, found: Found) -> None:
        self.found = found
        self.prose: list[str] = []

    def read(self, text: str) -> None:
        columns: Columns | None = None
        rows = csv_rows(text)
        waiting: list[Row] = []
        for row in rows:
            if isinstance(row, BadRow):
                self.found.skip(row.line, row.reason)
                continue
            if columns is None:
                found_columns = columns_of(row.cells) if not row.blank else None
                if found_columns is not None:
                    columns = found_columns
                    for early in waiting:
                        self._headerless(early, preamble=True)
                    waiting = []
                    continue
                if len(waiting) < _HEADER_SEARCH:
                    waiting.append(row)
                    continue
                for early in waiting:
                    self._headerless(early)
                waiting = []
                self._headerless(row)
                continue
            self._row(columns, row)
        for early in waiting:
            self._headerless(early)
        self.found.summary = "\n".join(self.prose)

    def _row(self, columns: Columns, row: Row) -> None:
        if row.blank:
            return
        cells = row.cells
        value = columns.cell(cells, "value")
        kind = columns.cell(cells, "type")
        tactic = columns.cell(cells, "tactic")
        procedure = columns.cell(cells, "procedure") or columns.cell(cells, "technique")
        platform = columns.cell(cells, "platform")
        note = "; ".join(part for part in (procedure, platform, columns.note(cells)) if part)
        if tactic and tactic not in self.found.kill_chain:
            self.found.kill_chain.append(re.sub(r"\s+", " ", tactic)[:200])
        date = columns.cell(cells, "date")
        if date and self.found.published_at is None:
            self.found.published_at = date_in(date)
        if not value:
            self.found.skip(row.line, "no indicator value in the row")
            return
        value, kind = app_store_link(rejoined(value), kind)
        before = len(self.found.indicators)
        self._value(value, kind, " ".join(p for p in (procedure, platform) if p), note, row.line)
        self._note_links(columns.note(cells), row.line, before, value)

    def _note_links(self, notes: str, line: int, before: int, value: str) -> None:
        """Links a row's notes give beside its value ("redirects to: hxxp://…"): indicators of the same
        network, kept with what the row says of them."""
        if not notes:
            return
        have = {(i.kind, i.value) for i in self.found.indicators[before:]}
        links = [v for v in strong_indicators_in(notes) if (v.kind, v.value) not in have]
        _add(self.found, list(dict.fromkeys(links)), line, f"named in the notes of {value[:200]}: {notes}")

    def _value(self, value: str, kind: str, context: str, note: str, line: int) -> None:
        counted = counted_in(value)
        if counted is not None:
            self.found.figures.append(FoundFigure(counted.value, counted.unit, context or kind, line))
            return
        values, problems = indicators_in(value, kind, context)
        if values:
            _add(self.found, values, line, note)
            return
        if len(value.split()) >= _PROSE_WORDS:
            figures = figures_in(value, line, context)
            self.found.figures.extend(figures)
            self.prose.append(f"{context}: {value.strip()}" if context else value.strip())
            strong = strong_indicators_in(value)
            if strong:
                _add(self.found, strong, line, note)
            elif not figures:
                self.found.skip(line, "free text, no indicator (kept in the disclosure's summary)")
            return
        self.found.skip(line, problems[0] if problems else "no indicator")

    def _headerless(self, row: Row, *, preamble: bool = False) -> None:
        """A row without a header, or (``preamble``) above it: any cell that holds an indicator is taken; a
        title above the header is passed over."""
        if row.blank:
            return
        for cell in row.cells:
            values, _ = indicators_in(cell)
            if values:
                _add(self.found, values, row.line, "")
                return
        if any(len(c.split()) >= _PROSE_WORDS for c in row.cells):
            self.prose.append(" ".join(c.strip() for c in row.cells if c.strip()))
            return
        if preamble or not any(header_key(c) for c in row.cells):
            return
        self.found.skip(row.line, "no indicator in the row (and no header naming an indicator column)")


_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_TABLE_LINE = re.compile(r"^\s*\|.*\|\s*$")
_SEPARATOR = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")
_BULLET = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+(.*)$")
_LABELLED = re.compile(r"^\*{0,2}([A-Za-z][A-Za-z /&()-]{0,40}?)\*{0,2}\s*:\*{0,2}\s+(.+)$")
_LINK = re.compile(r"\[([^\]]*)\]\(([^)\s]+)\)")
# Whole words, so that a section on an "RT-Linked Campaign" or "Open-Sourced Tools" is no reference list.
_REFERENCE_SECTIONS = re.compile(
    r"\b(?:links?|references?|further reading|sources?|see also|acknowledge?ments?|contacts?)\b"
)
_SUMMARY_SECTIONS = ("summary", "overview", "about", "background", "description")
_INDICATOR_HEADING = re.compile(r"indicator|\bioc|domain|\burls?\b|accounts?\b|hash|handle|infrastructure")


class _MarkdownPage:
    def __init__(self, found: Found) -> None:
        self.found = found
        self.heading = ""
        self.summary_level: int | None = None  # the level of the summary section the page is in, if any
        self.summary: list[str] = []
        self.intro: list[str] = []
        self.h1_seen = False

    def read(self, text: str) -> None:
        lines = text.splitlines()
        index = 0
        fence: str | None = None
        while index < len(lines):
            line = lines[index]
            number = index + 1
            index += 1
            stripped = line.strip()
            if fence is not None:
                if stripped.startswith(fence):
                    fence = None
                elif stripped and not self._reference():
                    self._cell(stripped, self.heading, "", number)
                continue
            if stripped.startswith(("```", "~~~")):
                fence = stripped[:3]
                continue
            heading = _HEADING.match(line)
            if heading is not None:
                self._heading(len(heading.group(1)), heading.group(2))
                continue
            if _TABLE_LINE.match(line) and index < len(lines) and _SEPARATOR.match(lines[index]):
                index = self._table(lines, index - 1)
                continue
            if not stripped or self._reference():
                continue
            bullet = _BULLET.match(line)
            if bullet is not None and not self._in_summary():
                self._bullet(bullet.group(1), number)
                continue
            self._paragraph(stripped, number)
        self._finish()

    def _heading(self, level: int, text: str) -> None:
        clean = text.strip("* ")
        if level == 1 and not self.h1_seen:
            self.h1_seen = True
            if clean:
                self.found.title = clean[:200]
            self.heading = ""
            return
        self.heading = clean
        lower = clean.lower()
        if any(word in lower for word in _SUMMARY_SECTIONS):
            self.summary_level = level
        elif self.summary_level is None or level <= self.summary_level or _INDICATOR_HEADING.search(lower):
            # The summary ends at a heading of its level or above, or one naming indicators; a sub-section
            # below it ("### Case Study 1") stays in it.
            self.summary_level = None

    def _reference(self) -> bool:
        return _REFERENCE_SECTIONS.search(self.heading.lower()) is not None

    def _in_summary(self) -> bool:
        return self.summary_level is not None

    def _paragraph(self, text: str, line: int) -> None:
        if text.startswith(("*Note", "_Note", "> ")) or re.fullmatch(r"\**\s*TEST[\sA-Z*]*", text):
            return
        if self._in_summary():
            self.summary.append(text)
            self.found.figures.extend(figures_in(text, line, removed=True))
        elif not self.heading:
            self.intro.append(text)
        else:
            strong = strong_indicators_in(text)
            if strong:
                _add(self.found, strong, line, self.heading)

    def _table(self, lines: list[str], start: int) -> int:
        header = _cells(lines[start])
        columns = columns_of(header)
        index = start + 2
        while index < len(lines) and _TABLE_LINE.match(lines[index]):
            row = _cells(lines[index])
            number = index + 1
            index += 1
            if not any(row) or self._reference():
                continue
            if columns is None:
                self._untyped_row(row, number)
                continue
            value = columns.cell(row, "value")
            kind = " ".join(p for p in (columns.cell(row, "type"), columns.cell(row, "platform")) if p)
            note = "; ".join(p for p in (columns.note(row), columns.cell(row, "procedure")) if p)
            tactic = columns.cell(row, "tactic")
            if tactic and tactic not in self.found.kill_chain:
                self.found.kill_chain.append(tactic[:200])
            if not value:
                self.found.skip(number, "no indicator value in the row")
                continue
            self._cell(value, kind or self.heading, note, number)
        return index

    def _untyped_row(self, row: list[str], line: int) -> None:
        for cell in row:
            values, _ = indicators_in(cell, self.heading)
            if values:
                _add(self.found, values, line, self.heading)
                return
        self.found.skip(line, "no indicator in the table row")

    def _bullet(self, text: str, line: int) -> None:
        if _LINK.search(text) and "`" not in text:
            return  # a reference, not an indicator
        labelled = _LABELLED.match(text)
        if labelled is not None and not labelled.group(2).startswith("//"):
            self._cell(labelled.group(2), f"{self.heading} {labelled.group(1)}", self.heading, line)
            return
        self._cell(text.strip("* "), self.heading, self.heading, line)

    def _cell(self, value: str, kind: str, note: str, line: int) -> None:
        value = rejoined(value)
        counted = counted_in(value.strip("`"))
        if counted is not None:
            self.found.figures.append(FoundFigure(counted.value, counted.unit, kind, line))
            return
        values, problems = indicators_in(value, kind, kind)
        if values:
            _add(self.found, values, line, note)
        else:
            self.found.skip(line, problems[0] if problems else "no indicator")

    def _finish(self) -> None:
        self.found.summary = "\n\n".join(self.summary or self.intro)
        if not self.summary:
            for paragraph in self.intro:
                self.found.figures.extend(figures_in(paragraph, removed=True))


def _cells(line: str) -> list[str]:
    text = line.strip()
    if text.startswith("|"):
        text = text[1:]
    if text.endswith("|"):
        text = text[:-1]
    return [cell.strip().strip("`").strip() for cell in re.split(r"(?<!\\)\|", text)]


def url_of(text: str) -> str | None:
    """The report a Markdown page links to (its full report, else its own IOC file), if it links one."""
    links: list[tuple[str, str]] = [
        (str(label).lower(), str(url)) for label, url in _LINK.findall(text) if str(url).startswith("http")
    ]
    for label, url in links:
        if re.search(r"\breport\b", label):  # "Full ATR Report", not a passage that "reported" something
            return url
    return next((url for _, url in links if "github.com" in url), None)


def rejoined(value: str) -> str:
    """A link that a copy from a PDF broke with spaces ("…/why-boyc ott-beijing-olympics/", "…/status/15626
    921025") put back together: a cell that is a link with a path followed only by fragments that carry the
    path on. A link followed by a remark ("(hosted a spoof)", "redirects to: …", "spam account") is left."""
    parts = value.split()
    if not 2 <= len(parts) <= 4:
        return value
    try:
        first = refang(parts[0].strip("`"))
    except ValueError:
        return value
    if not _SCHEME.match(first) or "/" not in first.split("://", 1)[1]:
        return value
    if all(_CONTINUATION.match(part.strip("`")) for part in parts[1:]):
        return "".join(part.strip("`") for part in parts)
    return value


def app_store_link(value: str, kind: str) -> tuple[str, str]:
    """An App Store id (``ios_app_id``, ``1555651942`` or ``id1555651942``) as its store page, the link posts
    give; any other value as it is."""
    digits = value.strip().removeprefix("id")
    if kind and _APP_STORE_TYPE.search(kind.replace("_", " ")) and digits.isdigit():
        return f"https://apps.apple.com/app/id{digits}", "url"
    return value, kind
