"""How much of Meta's published indicator files `fimihub import meta-threat-research` brings in.

    .venv/bin/python bench/meta_import_rate.py DIR_OR_FILE... [--worst 10] [--show-skipped] [--json OUT]

Each ``.csv``, ``.md`` or ``.json`` file under the given folders is imported, one at a time, into a throwaway
SQLite hub (as an analyst of a fresh organisation, exactly as the command does), and read again with the
importer to see which rows the stored signals came from. Every row is then put in one class:

* **imported**: the row gave at least one signal;
* **figure**: a count row ("658 accounts"), kept as a figure of the disclosure;
* **skipped** / **passed over**: the importer reported it (with its line and reason) or left it without a word
  (a row of a summary section, a reference list, a title above the header).

Whether a row that brought nothing in *is* an indicator row is judged here, independently of the importer, by
a deliberately simple rule on the row's value cell (the ``Indicator``/``indicator_value``/``Indicator Value``
column; the whole row when there is no header; the list item or code line in Markdown):

* the cell *looks like an indicator* when, after stripping quotes and backticks, its first word (or the word
  after a ``Label:``) is one of: a link with a scheme (``http``, ``hxxp``, defanged colons), anything
  defanged (``[.]``, ``(.)``, ``[at]``), a ``www.`` name, an IPv4 address, a 32/40/64-hex hash, an
  ``@handle``, a ``#hashtag``, or a host name (``word.word`` ending in letters) with or without a path; or
  when the row's type column names an indicator type (typed layout, whatever the value);
* a Markdown link ``[label](url)`` is a reference, never an indicator; a cell whose first word is no indicator
  is prose, even when it names a service in passing ("Registering domains with namecheap[.]com"): such rows
  are counted as "prose naming an indicator";
* everything else (names of personas or outlets, service names, empty cells) is prose.

The figure is imported / (imported + skipped or passed over rows that look like indicators); rows counted are
the file's non-blank data rows (CSV records below the header, Markdown table rows, list items and code lines).
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import re
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from fimihub import Hub, Settings
from fimihub.exchange.importers import read_meta
from fimihub.exchange.importers.tables import columns_of

SUFFIXES = {".csv", ".md", ".json"}
_TOKEN = re.compile(
    r"^(?:"
    r"(?:h[tx]{2}ps?|ftp)(?:://|\[:\]//|\{:\}//|\(:\)//|\[://\])"  # a link with its scheme, defanged or not
    r"|\S*(?:\[\.\]|\(\.\)|\{\.\}|\[at\]|\[@\])\S*"  # anything defanged
    r"|www\.\S+"
    r"|\d{1,3}(?:\.\d{1,3}){3}(?::\d+)?"  # IPv4
    r"|[0-9a-fA-F]{32}|[0-9a-fA-F]{40}|[0-9a-fA-F]{64}"  # hashes
    r"|@[\w.]{2,}|#[^\s#]{2,}"  # handles, hashtags
    r"|(?:[\w-]+\.)+[A-Za-z]{2,24}(?:[:/?#]\S*)?"  # host names, with or without a path
    r")",
)
_QUOTES = "`'\"*\u201c\u201d\u2018\u2019"
_MD_LINK = re.compile(r"\[[^\]]*\]\([^)]*\)")
_TYPE_WORDS = re.compile(
    r"domain|url|ip|md5|sha|hash|package|app_id|handle|account|telegram|twitter|email|hashtag", re.I
)


def _strip(text: str) -> str:
    return text.strip().strip(_QUOTES).strip()


def looks_like_indicator(cell: str) -> bool:
    """The independent rule of this benchmark (see the module's docstring)."""
    text = _MD_LINK.sub(" ", cell)
    words = [_strip(w) for w in text.split() if _strip(w)]
    if not words:
        return False
    if words[0].endswith(":") and len(words) > 1:
        words = words[1:]
    return bool(_TOKEN.match(words[0]))


def mentions_indicator(cell: str) -> bool:
    return any(_TOKEN.match(_strip(w)) for w in _MD_LINK.sub(" ", cell).split() if _strip(w))


@dataclass
class Row:
    line: int
    cell: str
    typed: bool = False  # the row's type column names an indicator type


def csv_rows(text: str) -> list[Row]:
    """Non-blank CSV records below the header (or every record when there is none), with their first line."""
    reader = csv.reader(io.StringIO(text))
    rows: list[Row] = []
    columns = None
    line = 1
    for cells in reader:
        start, line = line, reader.line_num + 1
        if not any(c.strip() for c in cells):
            continue
        if columns is None:
            columns = columns_of(cells)
            if columns is not None:
                continue
            rows.append(Row(start, " ".join(cells)))
            continue
        value = columns.cell(cells, "value")
        kind = columns.cell(cells, "type")
        rows.append(Row(start, value, bool(kind and _TYPE_WORDS.search(kind) and value)))
    return rows


def markdown_rows(text: str) -> list[Row]:
    """Markdown table body rows (their value cell when the header names one), list items and code lines."""
    rows: list[Row] = []
    lines = text.splitlines()
    fence = False
    header: list[str] | None = None
    value_index: int | None = None
    for number, raw in enumerate(lines, start=1):
        line = raw.strip()
        if line.startswith(("```", "~~~")):
            fence = not fence
            continue
        if fence:
            if line:
                rows.append(Row(number, line))
            continue
        if line.startswith("|") and line.endswith("|"):
            cells = [c.strip() for c in line.strip("|").split("|")]
            if header is None:
                header = cells
                columns = columns_of(cells)
                value_index = columns.roles.get("value") if columns else None
                continue
            if all(re.fullmatch(r":?-{2,}:?", c) for c in cells if c):
                continue
            cell = cells[value_index] if value_index is not None and value_index < len(cells) else line
            rows.append(Row(number, cell, False))
            continue
        header = None
        item = re.match(r"^(?:[-*+]|\d+[.)])\s+(.*)$", line)
        if item is not None:
            rows.append(Row(number, item.group(1)))
    return rows


@dataclass
class FileResult:
    name: str
    rows: int = 0
    imported: int = 0
    figures: int = 0
    prose_skipped: int = 0
    prose_passed: int = 0
    indicator_skipped: list[tuple[int, str, str]] = field(default_factory=list)  # line, cell, reason
    indicator_passed: list[tuple[int, str]] = field(default_factory=list)
    prose_naming: int = 0
    signals: int = 0
    stored: bool = True
    error: str = ""

    @property
    def missed(self) -> int:
        return len(self.indicator_skipped) + len(self.indicator_passed)

    @property
    def rate(self) -> float:
        total = self.imported + self.missed
        return self.imported / total if total else 1.0


def measure(hub: Hub, analyst_id: str, path: Path) -> FileResult:
    result = FileResult(path.name)
    actor = hub.admin.actor(analyst_id)
    summary = hub.disclosures.import_files(actor, "meta-threat-research", [path])
    result.signals = sum(summary.imported.values())
    if summary.files != 1:
        result.stored = False
        result.error = "; ".join(s.reason for s in summary.skipped if s.line is None)[:200]
    skips = {s.line: s.reason for s in summary.skipped if s.line is not None}
    try:
        found = read_meta(path)
        indicator_lines = {i.line for i in found.indicators} if result.stored else set()
        figure_lines = {f.line for f in found.figures}
    except Exception as exc:  # a file the importer refuses: every row is missed
        result.error = result.error or str(exc)[:200]
        indicator_lines, figure_lines = set(), set()
    text = path.read_text(encoding="utf-8-sig", errors="replace")
    rows = markdown_rows(text) if path.suffix.lower() == ".md" else csv_rows(text)
    for row in rows:
        result.rows += 1
        indicator = row.typed or looks_like_indicator(row.cell)
        if row.line in indicator_lines:
            result.imported += 1
        elif row.line in figure_lines and not indicator:
            result.figures += 1
        elif row.line in skips:
            if indicator:
                result.indicator_skipped.append((row.line, row.cell, skips[row.line]))
            else:
                result.prose_skipped += 1
                result.prose_naming += mentions_indicator(row.cell)
        elif indicator:
            result.indicator_passed.append((row.line, row.cell))
        else:
            result.prose_passed += 1
            result.prose_naming += mentions_indicator(row.cell)
    return result


def files_under(paths: list[Path]) -> list[Path]:
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(p for p in sorted(path.rglob("*")) if p.is_file() and p.suffix.lower() in SUFFIXES)
        elif path.is_file():
            found.append(path)
        else:
            sys.exit(f"{path} does not exist")
    return found


def _reason_group(reason: str) -> str:
    return re.sub(r"'[^']*'", "'…'", reason)[:90]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="+", type=Path, metavar="DIR_OR_FILE")
    parser.add_argument("--worst", type=int, default=10, help="How many of the worst files to list.")
    parser.add_argument("--show-skipped", action="store_true", help="List every missed indicator row.")
    parser.add_argument("--json", type=Path, help="Write the per-file results to this file as JSON.")
    args = parser.parse_args()
    files = files_under(args.paths)
    if not files:
        sys.exit("no .csv, .md or .json files found")
    results: list[FileResult] = []
    with (
        tempfile.TemporaryDirectory(prefix="fimihub-meta-bench-") as folder,
        Hub.open(Settings(db=str(Path(folder) / "hub.db"))) as hub,
    ):
        op = hub.operator("bench")
        org = hub.admin.create_organisation(op, name="Bench", kind="researcher")
        analyst = hub.admin.create_member(op, org_id=org.id, name="bench analyst", roles=["analyst"])
        for path in files:
            results.append(measure(hub, analyst.id, path))
    _print(results, args.worst, args.show_skipped)
    if args.json:
        args.json.write_text(json.dumps([_as_json(r) for r in results], indent=1), encoding="utf-8")


def _as_json(result: FileResult) -> dict[str, object]:
    return {
        "file": result.name, "rows": result.rows, "imported": result.imported, "figures": result.figures,
        "prose_skipped": result.prose_skipped, "prose_passed": result.prose_passed,
        "indicator_skipped": result.indicator_skipped, "indicator_passed": result.indicator_passed,
        "signals": result.signals, "stored": result.stored, "error": result.error,
    }  # fmt: skip


def _print(results: list[FileResult], worst: int, show: bool) -> None:
    head = ("file", "rows", "imported", "figures", "prose skipped", "prose passed", "ind. skipped",
            "ind. passed", "rate")  # fmt: skip
    print(" | ".join(head))
    for r in results:
        print(
            f"{r.name[:70]} | {r.rows} | {r.imported} | {r.figures} | {r.prose_skipped} | {r.prose_passed} | "
            f"{len(r.indicator_skipped)} | {len(r.indicator_passed)} | {r.rate:.1%}"
            + ("" if r.stored else f" | NOT STORED: {r.error}")
        )
    total = FileResult("total")
    for r in results:
        total.rows += r.rows
        total.imported += r.imported
        total.figures += r.figures
        total.prose_skipped += r.prose_skipped
        total.prose_passed += r.prose_passed
        total.prose_naming += r.prose_naming
        total.indicator_skipped += [(n, f"{r.name}: {cell}", why) for n, cell, why in r.indicator_skipped]
        total.indicator_passed += [(line, f"{r.name}: {cell}") for line, cell in r.indicator_passed]
        total.signals += r.signals
    print()
    print(f"files: {len(results)} ({sum(not r.stored for r in results)} not stored)")
    print(f"rows: {total.rows}; imported rows: {total.imported} ({total.signals} signals); figures: "
          f"{total.figures}")  # fmt: skip
    print(f"prose rows: {total.prose_skipped} skipped (reported), {total.prose_passed} passed over; "
          f"{total.prose_naming} of them name an indicator in passing")  # fmt: skip
    print(f"indicator-looking rows missed: {len(total.indicator_skipped)} skipped, "
          f"{len(total.indicator_passed)} passed over")  # fmt: skip
    print(f"RATE: {total.imported} / {total.imported + total.missed} = {total.rate:.2%}")
    reasons = Counter(_reason_group(why) for _, _, why in total.indicator_skipped)
    if reasons:
        print("\nmissed indicator rows by reason:")
        for reason, n in reasons.most_common():
            print(f"  {n:5}  {reason}")
    ranked = sorted((r for r in results if r.missed or not r.stored), key=lambda r: (r.rate, -r.missed))
    if ranked:
        print(f"\nworst files (up to {worst}):")
        for r in ranked[:worst]:
            print(f"  {r.rate:7.1%}  {r.missed:4} missed  {r.name}")
    if show:
        print("\nmissed indicator rows:")
        for line, cell, why in total.indicator_skipped:
            print(f"  skipped {cell[:110]!r} (line {line}): {why[:100]}")
        for line, cell in total.indicator_passed:
            print(f"  passed over {cell[:110]!r} (line {line})")


if __name__ == "__main__":
    main()
