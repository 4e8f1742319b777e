"""Charts drawn on the server with matplotlib (the Agg backend: no display, no GUI toolkit), as SVG for HTML
and PNG for PDF. The same chart always gives the same bytes: the SVG ids come from a fixed hash salt, and no
date or software version is written into either file."""

from __future__ import annotations

import io
import threading
from typing import Any

from fimihub.reporting.document import Chart

__all__ = ["chart_png", "chart_svg"]

# pyplot keeps global state; one chart at a time, whatever thread asks (the HTTP edge runs routes in a pool).
_LOCK = threading.Lock()
_COLOURS = ("#1f4e79", "#c55a11", "#548235", "#7f6000")


def chart_svg(chart: Chart) -> str:
    """The chart as an SVG document (text), to embed in HTML."""
    data = _draw(chart, "svg")
    text = data.decode("utf-8")
    start = text.find("<svg")
    return text[start:] if start >= 0 else text


def chart_png(chart: Chart) -> bytes:
    """The chart as a PNG image, to place in a PDF."""
    return _draw(chart, "png")


def _draw(chart: Chart, form: str) -> bytes:
    import matplotlib

    matplotlib.use("Agg", force=False)
    from matplotlib.figure import Figure

    params: Any = {
        "svg.hashsalt": "fimihub-report",
        "svg.fonttype": "none",
        "font.family": "DejaVu Sans",
        "font.size": 8,
    }
    with _LOCK, matplotlib.rc_context(params):
        height = 3.0 if chart.kind != "barh" else max(2.5, 0.3 * len(chart.labels) + 1.2)
        figure = Figure(figsize=(7.0, height), dpi=100)
        axes = figure.subplots()
        _plot(axes, chart)
        axes.set_title(chart.title)
        if chart.ylabel:
            if chart.kind == "barh":
                axes.set_xlabel(chart.ylabel)
            else:
                axes.set_ylabel(chart.ylabel)
        axes.spines[["top", "right"]].set_visible(False)
        if len(chart.series) > 1:
            axes.legend(frameon=False)
        figure.tight_layout()
        out = io.BytesIO()
        metadata: dict[str, Any] = {"Date": None, "Creator": None} if form == "svg" else {"Software": None}
        figure.savefig(out, format=form, metadata=metadata)
        return out.getvalue()


def _plot(axes: Any, chart: Chart) -> None:
    positions = list(range(len(chart.labels)))
    count = max(1, len(chart.series))
    if chart.kind == "line":
        for (name, values), colour in zip(chart.series, _COLOURS, strict=False):
            axes.plot(positions, values, marker="o", label=name, color=colour)
        axes.set_xticks(positions, chart.labels)
    elif chart.kind == "barh":
        width = 0.8 / count
        for index, ((name, values), colour) in enumerate(zip(chart.series, _COLOURS, strict=False)):
            axes.barh([p + index * width for p in positions], values, height=width, label=name, color=colour)
        axes.set_yticks([p + width * (count - 1) / 2 for p in positions], chart.labels)
        axes.invert_yaxis()
    else:
        bottom = [0] * len(positions)
        for (name, values), colour in zip(chart.series, _COLOURS, strict=False):
            axes.bar(positions, values, bottom=bottom, label=name, color=colour)
            bottom = [b + v for b, v in zip(bottom, values, strict=True)]
        rotate = 90 if len(chart.labels) > 12 else 0
        axes.set_xticks(positions, chart.labels, rotation=rotate)
    counts = axes.xaxis if chart.kind == "barh" else axes.yaxis
    counts.get_major_locator().set_params(integer=True)
    if not positions:
        axes.text(0.5, 0.5, "nothing to show", ha="center", va="center", transform=axes.transAxes)
