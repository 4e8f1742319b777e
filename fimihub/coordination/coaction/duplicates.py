"""Rows equal in several integer columns, found with one plain sort: the duplicate checks of object tables.

Sorting rows by a tuple of columns (``numpy.lexsort``) is slow, and packing the tuple into one integer
overflows 63 bits on large tables (a million accounts times two million objects times half a year of
seconds). Equal rows only have to be *adjacent*, not in any meaningful order, so the tuple is hashed to 64
bits instead, the row number packed into the low bits, and the packed values sorted with numpy's
vectorised sort. Rows whose hash occurs once are alone (equal tuples hash equally); the few rows that share
a hash value — true duplicates and rare collisions — are sorted exactly by their columns.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from fimihub.coordination.coaction.codes import string_codes

__all__ = ["first_actions", "group_rows", "mix"]

I64 = npt.NDArray[np.int64]
U64 = npt.NDArray[np.uint64]
# Fixed odd 64-bit multipliers (any fixed choice does; these are splitmix64's).
_MULTIPLIERS = (0x9E3779B97F4A7C15, 0xBF58476D1CE4E5B9, 0x94D049BB133111EB)


def mix(columns: list[I64]) -> U64:
    """A 64-bit hash of each row of ``columns`` (integer arrays of one length); equal rows hash equally."""
    h = np.zeros(len(columns[0]), dtype=np.uint64)
    for k, column in enumerate(columns):
        h ^= column.astype(np.uint64) * np.uint64(_MULTIPLIERS[k % len(_MULTIPLIERS)])
        h ^= h >> np.uint64(31)
        h *= np.uint64(_MULTIPLIERS[(k + 1) % len(_MULTIPLIERS)])
    h ^= h >> np.uint64(29)
    return h


def group_rows(columns: list[I64]) -> tuple[I64, I64]:
    """An order of the rows that puts rows equal in every column next to each other, and the position in
    that order where each group of equal rows starts."""
    n = len(columns[0])
    if n == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty
    bits = max(n - 1, 1).bit_length()
    # The hash's top bits above the row number; the sign bit stays clear.
    hashed = (mix(columns) >> np.uint64(bits + 1)).astype(np.int64)
    packed = np.sort((hashed << bits) | np.arange(n, dtype=np.int64))
    rows = packed & ((1 << bits) - 1)
    value = packed >> bits
    repeated = np.zeros(n, dtype=bool)
    if n > 1:
        same = value[1:] == value[:-1]
        repeated[1:] = same
        repeated[:-1] |= same
    alone = rows[~repeated]
    shared = rows[repeated]
    if not len(shared):
        return alone, np.arange(n, dtype=np.int64)
    # Rows that share a hash value: sorted by their columns, groups where any column changes.
    shared = shared[np.lexsort([c[shared] for c in reversed(columns)])]
    new = np.zeros(len(shared), dtype=bool)
    new[0] = True
    for column in columns:
        values = column[shared]
        new[1:] |= values[1:] != values[:-1]
    starts = np.concatenate((np.arange(len(alone), dtype=np.int64), len(alone) + np.flatnonzero(new)))
    return np.concatenate((alone, shared)), starts


def first_actions(
    rows: I64,
    account: I64,
    obj: I64,
    times: I64,
    content: Callable[[I64], pa.Array] | None,
    dropped: Counter[str],
) -> I64:
    """The first of ``rows`` of each (account, object, time): a later row equal to it in ``content`` too
    is a ``duplicate_row``, one with another ``content`` a ``duplicate_action``.

    ``content(at)`` gives the content ids of the rows ``at``. They are the costliest column to read (nearly
    all distinct), so they are only read for the rows of groups that have more than one row, which are
    few."""
    if not len(rows):
        return rows
    order, starts = group_rows([account[rows], obj[rows], times[rows]])
    if len(starts) == len(rows):
        return rows
    first = np.minimum.reduceat(rows[order], starts)
    distinct_rows = len(rows)
    if content is not None:
        # The rows of groups with several rows, and how many distinct (group, content) they hold.
        sizes = np.diff(np.append(starts, len(rows)))
        several = sizes > 1
        shared = np.repeat(several, sizes)
        group = np.repeat(np.arange(len(starts), dtype=np.int64), sizes)[shared]
        codes = string_codes(content(rows[order][shared]))[0]
        pair = np.sort(group * (int(codes.max()) + 1) + codes)
        in_shared = int(np.count_nonzero(pair[1:] != pair[:-1])) + 1
        distinct_rows = len(first) - int(several.sum()) + in_shared
    dropped["duplicate_row"] += len(rows) - distinct_rows
    dropped["duplicate_action"] += distinct_rows - len(first)
    return np.sort(first)
