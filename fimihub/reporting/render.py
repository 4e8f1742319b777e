"""A report in each of its formats: JSON, Markdown, HTML (charts inline as SVG, a drill-down of the records
behind every figure), CSV (one table per file) and PDF. Every renderer is deterministic: the same report gives
the same bytes."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from html import escape

from fimihub.reporting.charts import chart_svg
from fimihub.reporting.document import Cell, Document, Figure, Report, Table

__all__ = ["FORMATS", "render", "render_csv", "render_html", "render_json", "render_markdown"]

#: The formats a report renders to, and whether the result is text.
FORMATS: dict[str, bool] = {"html": True, "md": True, "csv": True, "json": True, "pdf": False}


def render(report: Report, form: str) -> bytes:
    """The report in ``form`` (one of :data:`FORMATS`; CSV gives a ZIP of one file per table)."""
    renderers: dict[str, Callable[[Report], bytes]] = {
        "json": lambda r: render_json(r).encode("utf-8"),
        "md": lambda r: render_markdown(r.document).encode("utf-8"),
        "html": lambda r: render_html(r.document).encode("utf-8"),
        "csv": lambda r: _zip(render_csv(r.document)),
        "pdf": _pdf,
    }
    if form not in renderers:
        raise ValueError(f"unknown report format {form!r}")
    return renderers[form](report)


def _pdf(report: Report) -> bytes:
    from fimihub.reporting.pdf import render_pdf

    return render_pdf(report.document)


def render_json(report: Report) -> str:
    """The report's JSON document: keys sorted, two-space indent, one trailing newline."""
    return json.dumps(report.data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


# -- Markdown --------------------------------------------------------------------------------------------


def _md_cell(cell: Cell) -> str:
    text = str(cell.value) if isinstance(cell, Figure) else str(cell)
    return text.replace("|", "\\|").replace("\n", " ")


def render_markdown(document: Document) -> str:
    out = [f"# {document.title}", "", f"_{document.subtitle}_", ""]
    for section in document.sections:
        out += [f"## {section.title}", ""]
        for paragraph in section.paragraphs:
            out += [paragraph, ""]
        out += [f"- {item}" for item in section.items]
        if section.items:
            out.append("")
        for table in section.tables:
            out += _md_table(table)
        for chart in section.charts:
            out += [f"_Chart: {chart.title} (in the HTML and PDF forms)._", ""]
    return "\n".join(out).rstrip() + "\n"


def _md_table(table: Table) -> list[str]:
    out = [f"### {table.title}", ""]
    if table.note:
        out += [table.note, ""]
    if not table.rows:
        return out
    out.append("| " + " | ".join(table.columns) + " |")
    out.append("|" + "|".join("---" for _ in table.columns) + "|")
    out += ["| " + " | ".join(_md_cell(c) for c in row) + " |" for row in table.rows]
    out.append("")
    traced = _traced(table)
    if traced:
        out += ["Records counted:", ""]
        out += [f"- {where}: {', '.join(records)}" for where, records in traced]
        out.append("")
    return out


def _traced(table: Table) -> list[tuple[str, tuple[str, ...]]]:
    """Every figure of the table with records, as ``(row / column, records)``."""
    found = []
    for row in table.rows:
        for column, cell in zip(table.columns, row, strict=True):
            if isinstance(cell, Figure) and cell.records:
                found.append((f"{row[0]} / {column}", cell.records))
    return found


# -- HTML ------------------------------------------------------------------------------------------------

_STYLE = """
body { font-family: "DejaVu Sans", Arial, sans-serif; font-size: 10pt; margin: 2em; color: #111; }
h1 { font-size: 18pt; margin-bottom: 0; }
h2 { font-size: 13pt; border-bottom: 1px solid #999; margin-top: 1.6em; }
h3 { font-size: 11pt; } .subtitle { color: #555; margin-top: 0.2em; }
table { border-collapse: collapse; width: 100%; margin: 0.5em 0 1em; page-break-inside: auto; }
tr { page-break-inside: avoid; } thead { display: table-header-group; }
th, td { border: 1px solid #bbb; padding: 3px 5px; text-align: left; vertical-align: top; }
th { background: #eee; } td.n { text-align: right; white-space: nowrap; }
details summary { cursor: pointer; } details ul { margin: 0.2em 0; padding-left: 1.2em; font-size: 8pt; }
figure { margin: 0.5em 0 1em; page-break-inside: avoid; } figure svg { max-width: 100%; height: auto; }
@media print { body { margin: 0; } details ul { display: block; } }
""".strip()


def render_html(document: Document) -> str:
    out = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        f"<title>{escape(document.title)}</title>",
        f"<style>\n{_STYLE}\n</style>",
        "</head>",
        "<body>",
        f"<h1>{escape(document.title)}</h1>",
        f'<p class="subtitle">{escape(document.subtitle)}</p>',
    ]
    for section in document.sections:
        out.append(f"<h2>{escape(section.title)}</h2>")
        out += [f"<p>{escape(p)}</p>" for p in section.paragraphs]
        if section.items:
            out.append("<ul>" + "".join(f"<li>{escape(i)}</li>" for i in section.items) + "</ul>")
        for table in section.tables:
            out += _html_table(table)
        for chart in section.charts:
            out.append(f'<figure id="chart-{escape(chart.key)}">{chart_svg(chart)}</figure>')
    out += ["</body>", "</html>"]
    return "\n".join(out) + "\n"


def _html_table(table: Table) -> list[str]:
    out = [f'<h3 id="table-{escape(table.key)}">{escape(table.title)}</h3>']
    if table.note:
        out.append(f"<p>{escape(table.note)}</p>")
    if not table.rows:
        return out
    out.append("<table>")
    out.append("<thead><tr>" + "".join(f"<th>{escape(c)}</th>" for c in table.columns) + "</tr></thead>")
    out.append("<tbody>")
    for row in table.rows:
        out.append("<tr>" + "".join(_html_cell(c) for c in row) + "</tr>")
    out += ["</tbody>", "</table>"]
    return out


def _html_cell(cell: Cell) -> str:
    if isinstance(cell, int):
        return f'<td class="n">{cell}</td>'
    if isinstance(cell, str):
        return f"<td>{escape(cell)}</td>"
    if not cell.records:
        return f'<td class="n">{cell.value}</td>'
    items = "".join(f"<li><code>{escape(r)}</code></li>" for r in cell.records)
    return f'<td class="n"><details><summary>{cell.value}</summary><ul>{items}</ul></details></td>'


# -- CSV -------------------------------------------------------------------------------------------------


def render_csv(document: Document) -> dict[str, str]:
    """One CSV text per table, by file name (``<table key>.csv``). A figure's column is followed by one
    listing the records it counts, space-separated."""
    from fimihub.csvcells import neutralise

    files: dict[str, str] = {}
    for table in document.tables():
        figure_columns = {i for row in table.rows for i, cell in enumerate(row) if isinstance(cell, Figure)}
        header: list[str] = []
        for index, column in enumerate(table.columns):
            header.append(column)
            if index in figure_columns:
                header.append(f"{column} records")
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow([neutralise(h) for h in header])
        for row in table.rows:
            cells: list[str] = []
            for index, cell in enumerate(row):
                if isinstance(cell, Figure):
                    cells += [str(cell.value), " ".join(cell.records)]
                else:
                    cells.append(neutralise(str(cell)))
                    if index in figure_columns:
                        cells.append("")
            writer.writerow(cells)
        files[f"{table.key}.csv"] = buffer.getvalue()
    return files


def _zip(files: dict[str, str]) -> bytes:
    """The files as a ZIP archive, in name order, with fixed dates and modes (the same bytes each time)."""
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, files[name])
    return buffer.getvalue()
