"""String columns as integer codes, remembered per actions table so that they are hashed once.

Reading an object table already numbers its accounts and objects (to find duplicate rows); a co-action run
on the actions made from it would hash the same strings again, which on large tables is a good share of
the run. The table that :func:`~fimihub.coordination.coaction.actions.actions_from_objects` returns therefore
carries its codes here: keyed by the table object itself, which is immutable (Arrow tables and arrays never
change), and forgotten when that object is garbage-collected (a weak reference's callback removes the
entry, so a later object with the same ``id`` never finds it). Any other table — a filtered or re-built
one, or one read from a file — is simply encoded anew.
"""

from __future__ import annotations

import weakref

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from fimihub.coordination.columns import dictionary_codes

__all__ = ["Codes", "compact", "recall", "remember", "string_codes"]

I64 = npt.NDArray[np.int64]
Codes = tuple[I64, pa.Array]

_KNOWN: dict[int, tuple[weakref.ref[pa.Table], dict[str, Codes]]] = {}


def string_codes(column: pa.Array) -> Codes:
    """Integer codes of a column's values, in order of first appearance, and the distinct values."""
    encoded = pc.dictionary_encode(column)
    return dictionary_codes(encoded), encoded.dictionary


def compact(codes: I64, values: pa.Array) -> Codes:
    """``codes`` renumbered to the values they still use (after rows were dropped), with those values."""
    used = np.zeros(len(values), dtype=bool)
    used[codes] = True
    if used.all():
        return codes, values
    number = np.cumsum(used, dtype=np.int64) - 1
    return number[codes], values.filter(pa.array(used))


def remember(table: pa.Table, columns: dict[str, Codes]) -> None:
    """Record the codes of some string columns of ``table`` (each as :func:`string_codes` gives them, one
    code per row of the table) for :func:`recall`, for as long as the table object lives."""
    key = id(table)

    def forget(_: object) -> None:
        _KNOWN.pop(key, None)

    _KNOWN[key] = (weakref.ref(table, forget), columns)


def recall(table: pa.Table, name: str) -> Codes | None:
    """The codes of column ``name`` recorded for this very table object, if any."""
    entry = _KNOWN.get(id(table))
    if entry is None or entry[0]() is not table:
        return None
    return entry[1].get(name)
