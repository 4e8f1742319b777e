"""CSV cells a spreadsheet will not run: text neutralised against formula injection (CWE-1236).

A spreadsheet program opening a CSV file takes a cell that begins with ``=``, ``+``, ``-`` or ``@`` for a
formula, and some also start one after a leading TAB or carriage return: ``=HYPERLINK("https://…", "open")``
in an account id or a post's text would become a live link, ``=cmd|' /C calc'!A0`` a command. Every cell of
a member's export (handles, texts, URLs, account ids) is written by whoever runs the accounts under study,
so every CSV fimihub writes goes through :func:`neutralise_table` first.

The rule is OWASP's: a *text* cell that begins with one of :data:`FORMULA_TRIGGERS` gets a leading single
quote (``'``), which spreadsheets show as text and do not evaluate. Readers that are not spreadsheets see the
quote; the value is otherwise unchanged, so ``cell[1:]`` recovers it.

* Numbers stay numbers: columns of numeric type (weights, scores, community ``-1``) are written as they are.
  Only text columns, and the header row's column names, are neutralised.
* A text cell that is a plain negative decimal number (``-12``, ``-1001234567890``, ``-0.5``: a minus sign,
  digits, optionally a point and digits, nothing else) is left alone. A spreadsheet reads it as a number and
  runs nothing, and such ids are real: Telegram's channel and group ids are negative. Anything else that
  begins with a minus (``-1+1``, ``-A1``, ``-1e3``, ``-12`` followed by a newline) is quoted.

Parquet and GraphML are not spreadsheets and are written as they are.
"""

from __future__ import annotations

import re
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["FORMULA_TRIGGERS", "QUOTE", "neutralise", "neutralise_column", "neutralise_table"]

#: First characters that make a spreadsheet evaluate a cell (OWASP: ``=``, ``+``, ``-``, ``@``, TAB, CR).
FORMULA_TRIGGERS = frozenset("=+-@\t\r")
#: What a risky cell is prefixed with.
QUOTE = "'"

_PLAIN_NEGATIVE = re.compile(r"-[0-9]+(?:\.[0-9]+)?", re.ASCII)
# The same two rules in RE2 for Arrow's kernels (without the multi-line flag, RE2's ``$`` is the text's end).
_TRIGGER_RE2 = r"^[=+\-@\t\r]"
_PLAIN_NEGATIVE_RE2 = r"^-[0-9]+(\.[0-9]+)?$"


def neutralise(cell: str) -> str:
    """``cell`` as a spreadsheet may safely open it: prefixed with ``'`` when it would start a formula."""
    if cell and cell[0] in FORMULA_TRIGGERS and not _PLAIN_NEGATIVE.fullmatch(cell):
        return QUOTE + cell
    return cell


def neutralise_column(column: Any) -> Any:
    """A ``pyarrow`` array or chunked array with :func:`neutralise` applied to every text cell; nulls stay
    null and the type is kept. Columns that are not text (numbers, times, booleans, lists) come back as
    they are."""
    kind = column.type
    if pa.types.is_dictionary(kind):
        if not _is_text(kind.value_type):
            return column
        if isinstance(column, pa.ChunkedArray):
            return pa.chunked_array([_neutralise_dictionary(c) for c in column.chunks], type=kind)
        return _neutralise_dictionary(column)
    if pa.types.is_string_view(kind):
        return neutralise_column(column.cast(pa.string())).cast(kind)
    if not _is_text(kind):
        return column
    risky = pc.and_not(
        pc.match_substring_regex(column, _TRIGGER_RE2), pc.match_substring_regex(column, _PLAIN_NEGATIVE_RE2)
    )
    if not pc.any(risky).as_py():
        return column
    quoted = pc.binary_join_element_wise(pa.scalar(QUOTE, kind), column, pa.scalar("", kind))
    return pc.if_else(risky, quoted, column)


def neutralise_table(table: pa.Table) -> pa.Table:
    """``table`` ready to be written as CSV: every text column, and every column name, neutralised.

    The schema is kept (names aside, which change only when one would start a formula), so a stream of
    chunks still matches the writer's schema."""
    names = [neutralise(name) for name in table.column_names]
    columns = [neutralise_column(column) for column in table.columns]
    return pa.Table.from_arrays(
        columns,
        schema=pa.schema(
            [field.with_name(name) for field, name in zip(table.schema, names, strict=True)],
            metadata=table.schema.metadata,
        ),
    )


def _is_text(kind: Any) -> bool:
    return bool(
        pa.types.is_string(kind)
        or pa.types.is_large_string(kind)
        or pa.types.is_binary(kind)
        or pa.types.is_large_binary(kind)
    )


def _neutralise_dictionary(chunk: Any) -> Any:
    return pa.DictionaryArray.from_arrays(
        chunk.indices, neutralise_column(chunk.dictionary), ordered=chunk.type.ordered
    )
