"""Importers of what peers publish: Meta's threat-research indicator files, STIX bundles, MISP events and
feeds, plain CSV files of indicators.

Each reads one file into a :class:`Found` (indicators with their lines, skipped rows with reasons, figures,
the disclosure's facts, the operation the file names) and stores nothing: the hub
(:mod:`fimihub.hub.disclosures`) turns a :class:`Found` into records in one unit of work.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from fimihub.errors import ValidationError
from fimihub.exchange.importers.found import Found, FoundFigure, FoundIndicator, FoundOperation, Skip
from fimihub.exchange.importers.meta import read_meta
from fimihub.exchange.importers.misp import feed_files, read_misp
from fimihub.exchange.importers.plaincsv import COLUMN_ROLES, read_plain_csv
from fimihub.exchange.importers.stixfile import read_stix_bundle

__all__ = [
    "COLUMN_ROLES",
    "FORMATS",
    "Found",
    "FoundFigure",
    "FoundIndicator",
    "FoundOperation",
    "Skip",
    "read_file",
    "read_meta",
    "read_misp",
    "read_plain_csv",
    "read_stix_bundle",
]

#: The formats an import reads.
FORMATS = ("meta-threat-research", "stix", "misp", "csv")


def read_file(format: str, path: Path, options: Mapping[str, Any]) -> list[Found | Skip]:
    """What ``path`` holds, read as ``format``: one :class:`Found` per file (a MISP feed folder gives one per
    event, and a :class:`Skip` for an event file it cannot read). Raises :class:`ValidationError` for a file
    that is no such file."""
    if not path.exists():
        raise ValidationError("file", f"{path} does not exist")
    if format == "misp" and path.is_dir():
        results: list[Found | Skip] = []
        for event in feed_files(path):
            try:
                results.append(read_misp(event))
            except ValidationError as exc:
                results.append(Skip(str(event), None, exc.errors[0][1] if exc.errors else str(exc)))
        return results
    if path.is_dir():
        raise ValidationError("file", f"{path} is a folder: name the files to import")
    if format == "meta-threat-research":
        return [read_meta(path)]
    if format == "stix":
        return [read_stix_bundle(path)]
    if format == "misp":
        return [read_misp(path)]
    if format == "csv":
        return [
            read_plain_csv(
                path,
                options.get("columns") or {},
                kind=options.get("kind"),
                publisher=options.get("publisher"),
                title=options.get("title"),
            )
        ]
    raise ValidationError("format", f"unknown format {format!r}: use one of {', '.join(FORMATS)}")
