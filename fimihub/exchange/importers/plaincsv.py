"""A plain CSV of indicators: the columns that hold the value (and, optionally, its kind, platform and a note)
are named by the user; or every row's kind is given once.

A kind is a signal kind (``domain``, ``url``, ``handle``, ``hashtag``, ``phrase``, ``md5``, ``sha256``,
``pdq``, ``text``) or a word a file uses for one (``domain_name``, ``ip-dst``, ``Social Media Account`` …);
without one, the kind is read from the value itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from fimihub.errors import ValidationError
from fimihub.exchange.importers.found import Found, FoundIndicator, read_text
from fimihub.exchange.importers.tables import BadRow, Row, csv_rows, header_key
from fimihub.exchange.importers.values import Value, indicators_in, personal_value
from fimihub.matching.kinds import SIGNAL_TYPES
from fimihub.matching.kinds.domain import refang
from fimihub.model import SignalKind
from fimihub.vocab import platform as platform_slug

__all__ = ["COLUMN_ROLES", "FORMAT", "read_plain_csv"]

FORMAT = "csv"
#: What ``--column ROLE=NAME`` may name.
COLUMN_ROLES = ("value", "kind", "platform", "note")
_PERSONAL = {k.value for k in SignalKind if k.personal}


def read_plain_csv(
    path: Path,
    columns: Mapping[str, str],
    *,
    kind: str | None = None,
    publisher: str | None = None,
    title: str | None = None,
) -> Found:
    """The indicators of ``path``; ``columns`` maps roles (``value`` required unless the file has a column
    named ``value``) to the header names of their columns."""
    bad = sorted(set(columns) - set(COLUMN_ROLES))
    if bad:
        raise ValidationError("column", f"unknown role {bad[0]!r}: use one of {', '.join(COLUMN_ROLES)}")
    if kind is not None and "kind" in columns:
        raise ValidationError("kind", "give either --kind or --column kind=…, not both")
    if kind is not None:
        _check_kind(kind)
    text = read_text(path, "file", "a CSV file of indicators")
    found = Found(
        file=str(path),
        sha256=text.sha256,
        size=text.size,
        format=FORMAT,
        publisher=(publisher or "unknown").strip()[:200] or "unknown",
        title=(title or path.stem).strip()[:200] or path.name,
    )
    indexes: dict[str, int] | None = None
    for row in csv_rows(text.text):
        if isinstance(row, BadRow):
            found.skip(row.line, row.reason)
            continue
        if row.blank:
            continue
        if indexes is None:
            indexes = _indexes(row, columns, path)
            continue
        _row(found, row, indexes, kind)
    if indexes is None:
        raise ValidationError("file", f"{path} has no header row")
    return found


def _check_kind(kind: str) -> None:
    if kind in _PERSONAL:
        raise ValidationError("kind", f"{kind} signals travel only as keyed hashes: they cannot be imported")
    if kind not in {k.value for k in SignalKind}:
        raise ValidationError("kind", f"unknown signal kind {kind!r}")


def _indexes(header: Row, columns: Mapping[str, str], path: Path) -> dict[str, int]:
    names = {header_key(cell): index for index, cell in enumerate(header.cells)}
    wanted = {"value": "value", **columns}
    indexes: dict[str, int] = {}
    for role, name in wanted.items():
        index = names.get(header_key(name))
        if index is None:
            if role == "value" and "value" not in columns:
                raise ValidationError(
                    "column",
                    f"{path} has no column 'value': name the column of values with --column value=NAME",
                )
            shown = ", ".join(repr(c.strip()) for c in header.cells)
            raise ValidationError(f"column.{role}", f"{path} has no column {name!r} (its columns: {shown})")
        indexes[role] = index
    return indexes


def _cell(row: Row, indexes: Mapping[str, int], role: str) -> str:
    index = indexes.get(role)
    return row.cells[index].strip() if index is not None and index < len(row.cells) else ""


def _row(found: Found, row: Row, indexes: Mapping[str, int], fixed_kind: str | None) -> None:
    value = _cell(row, indexes, "value")
    kind = fixed_kind or _cell(row, indexes, "kind")
    platform = _cell(row, indexes, "platform")
    note = _cell(row, indexes, "note")
    if not value:
        found.skip(row.line, "no value")
        return
    try:
        values = _values(value, kind, platform)
    except ValueError as exc:
        found.skip(row.line, str(exc))
        return
    for item in values:
        found.indicators.append(FoundIndicator(item.kind, item.value, row.line, item.platform, note[:2000]))


def _values(value: str, kind: str, platform: str) -> list[Value]:
    signal_kind = {k.value: k for k in SignalKind}.get(kind.strip().lower())
    if signal_kind is not None:
        if signal_kind.personal:
            # In clear here: the hub keys it with the forum's key, or skips it.
            slug = platform_slug(platform) if platform.strip() else None
            return [personal_value(signal_kind, refang(value), slug)]
        text = value
        if signal_kind is SignalKind.HANDLE and platform and ":" not in value.split("/", 1)[0]:
            text = f"{platform_slug(platform)}:{value}"
        normalised = SIGNAL_TYPES[signal_kind].normalise(text)
        handle_platform = normalised.split(":", 1)[0] if signal_kind is SignalKind.HANDLE else None
        return [Value(signal_kind, normalised, handle_platform)]
    values, problems = indicators_in(value, kind, platform)
    if not values:
        raise ValueError(problems[0] if problems else "no indicator")
    return values
