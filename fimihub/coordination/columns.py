"""Arrow columns as the coordination room reads and writes them: required columns named, string columns with
nulls made empty, boolean columns and dictionary indices as numpy arrays, and the schemas of the tables it
returns, which hold no nulls.

Co-action (actions from exports and object tables, networks, communities) and what fingerprints and
resurgence read of an export (:mod:`fimihub.coordination.features`) read their tables alike through these.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from fimihub.errors import ValidationError

__all__ = ["dictionary_codes", "mask", "require_columns", "required_schema", "string_column"]

I64 = npt.NDArray[np.int64]


def require_columns(table: pa.Table, columns: Iterable[str], what: str) -> None:
    """A ``ValidationError`` naming each of ``columns`` that ``table`` lacks (the first as its field), and
    the columns it has; ``what`` names the table (``"the platform export"``)."""
    missing = [name for name in columns if name not in table.column_names]
    if missing:
        have = ", ".join(table.column_names) or "none"
        errors = [(name, f"{what} has no {name!r} column (it has: {have})") for name in missing]
        raise ValidationError(missing[0], errors[0][1], errors=errors)


def required_schema(**types: pa.DataType) -> pa.Schema:
    """A schema of the columns named by ``types``, in their order, with those types and none nullable."""
    return pa.schema([pa.field(name, type_, nullable=False) for name, type_ in types.items()])


def string_column(table: pa.Table, name: str, rows: I64 | None = None, *, trim: bool = False) -> pa.Array:
    """Column ``name`` of ``table`` (at ``rows`` only, if given) as one string array, nulls made empty and,
    with ``trim``, surrounding space stripped."""
    column = table.column(name)
    if rows is not None:
        column = column.take(pa.array(rows, pa.int64()))
    array = column.combine_chunks() if column.num_chunks != 1 else column.chunk(0)
    if pa.types.is_dictionary(array.type):
        array = array.dictionary_decode()
    if not (pa.types.is_string(array.type) or pa.types.is_large_string(array.type)):
        array = pc.cast(array, pa.string())
    array = pc.fill_null(array, "")
    return pc.utf8_trim_whitespace(array) if trim else array


def mask(values: pa.Array | pa.ChunkedArray) -> npt.NDArray[np.bool_]:
    """A boolean Arrow array as a numpy mask (nulls as ``False``)."""
    return np.asarray(pc.fill_null(values, False).to_numpy(zero_copy_only=False), dtype=bool)


def dictionary_codes(encoded: pa.DictionaryArray) -> I64:
    """The dictionary index of each value of a dictionary-encoded array."""
    return np.asarray(encoded.indices.to_numpy(zero_copy_only=False), dtype=np.int64)
