"""A report as PDF, written in pure Python by fpdf2 with the DejaVu Sans font that matplotlib ships (so any
script prints, offline). The creation date is fixed, so the same report gives the same bytes."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from fimihub.reporting.charts import chart_png
from fimihub.reporting.document import Document, Figure, Table

__all__ = ["render_pdf"]

#: Written as the PDF's creation date: a report's date is its period, never the day it was rendered.
_FIXED_DATE = datetime(2000, 1, 1, tzinfo=UTC)
#: Longest text a table cell takes in the PDF: a row taller than a page cannot be laid out.
_LONGEST_CELL = 1200


def _fonts() -> tuple[Path, Path]:
    import matplotlib

    folder = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    return folder / "DejaVuSans.ttf", folder / "DejaVuSans-Bold.ttf"


def render_pdf(document: Document) -> bytes:
    import io

    from fpdf import FPDF

    pdf = FPDF(orientation="portrait", unit="mm", format="A4")
    pdf.set_creation_date(_FIXED_DATE)
    pdf.set_title(document.title)
    pdf.set_producer("fimihub")
    pdf.set_creator("fimihub")
    regular, bold = _fonts()
    pdf.add_font("DejaVu", "", str(regular))
    pdf.add_font("DejaVu", "B", str(bold))
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    pdf.set_font("DejaVu", "B", 16)
    pdf.multi_cell(0, 8, document.title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 10)
    pdf.multi_cell(0, 6, document.subtitle, new_x="LMARGIN", new_y="NEXT")
    for section in document.sections:
        pdf.ln(3)
        pdf.set_font("DejaVu", "B", 12)
        pdf.multi_cell(0, 7, section.title, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("DejaVu", "", 9)
        for paragraph in section.paragraphs:
            pdf.multi_cell(0, 4.5, paragraph, new_x="LMARGIN", new_y="NEXT")
            pdf.ln(1)
        for item in section.items:
            pdf.multi_cell(0, 4.5, f"• {item}", new_x="LMARGIN", new_y="NEXT")
        for table in section.tables:
            _table(pdf, table)
        for chart in section.charts:
            image = chart_png(chart)
            pdf.image(io.BytesIO(image), w=pdf.epw)
            pdf.ln(2)
    return bytes(pdf.output())


def _table(pdf: object, table: Table) -> None:
    from fpdf import FPDF

    assert isinstance(pdf, FPDF)
    pdf.ln(1)
    pdf.set_font("DejaVu", "B", 10)
    pdf.multi_cell(0, 6, table.title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 8)
    if table.note:
        pdf.multi_cell(0, 4.5, table.note, new_x="LMARGIN", new_y="NEXT")
    if not table.rows:
        return
    widths = _widths(table)
    with pdf.table(col_widths=widths, text_align="LEFT", line_height=4, first_row_as_headings=True) as grid:
        grid.row([str(c) for c in table.columns])
        for row in table.rows:
            grid.row([str(c.value) if isinstance(c, Figure) else _fit(str(c)) for c in row])
    traced = [
        (f"{row[0]} / {column}", cell.records)
        for row in table.rows
        for column, cell in zip(table.columns, row, strict=True)
        if isinstance(cell, Figure) and cell.records
    ]
    if traced:
        pdf.set_font("DejaVu", "", 6)
        pdf.multi_cell(0, 3, "Records counted:", new_x="LMARGIN", new_y="NEXT")
        for where, records in traced:
            pdf.multi_cell(0, 3, f"{where}: {', '.join(records)}", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)


def _fit(text: str) -> str:
    """A cell's text, cut where a table row would outgrow a page (the HTML and JSON forms keep it whole)."""
    if len(text) <= _LONGEST_CELL:
        return text
    return text[: _LONGEST_CELL - 40].rstrip() + " … (cut here; whole in the HTML and JSON)"


def _widths(table: Table) -> tuple[int, ...]:
    """Wide columns for text, narrow ones for numbers."""
    widths = []
    for index in range(len(table.columns)):
        texts = [row[index] for row in table.rows]
        numeric = all(isinstance(t, int | Figure) for t in texts)
        longest = max((len(str(t)) for t in texts), default=0)
        widths.append(1 if numeric else 2 if longest < 30 else 5)
    return tuple(widths)
