"""Ragged look-ups in numpy: which entries belong to each key, without a Python loop per key.

Fingerprint support (an account using one text also counts for the texts near it) and resurgence look-ups
(a value held by several operations, a new value with several index hits) both join each item with a
variable number of entries. Entries are grouped by key in compressed sparse row form: sorted, with
``starts[k]:starts[k + 1]`` the run of key ``k``; :func:`runs` then lists the runs of many keys one after
another, with each key's width, so the items can be repeated alongside with ``np.repeat``. :func:`run_starts`
finds where the runs of sorted keys start, which is how co-action sums, counts and dedupes per key.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

__all__ = ["group_by_key", "run_starts", "runs"]

I64 = npt.NDArray[np.int64]


def group_by_key(keys: I64, size: int) -> tuple[I64, I64]:
    """The order that sorts ``keys`` (stable) and where each key's run starts in it, for keys below ``size``
    (``size + 1`` starts: key ``k`` is ``order[starts[k]:starts[k + 1]]``)."""
    order = np.argsort(keys, kind="stable")
    return order, np.searchsorted(keys[order], np.arange(size + 1))


def runs(starts: I64, keys: I64) -> tuple[I64, I64]:
    """The positions of the runs of ``keys`` (``starts[k]`` to ``starts[k + 1]``), one after another, and
    the width of each key's run."""
    width = starts[keys + 1] - starts[keys]
    return np.repeat(starts[keys] - np.cumsum(width) + width, width) + np.arange(int(width.sum())), width


def run_starts(sorted_keys: npt.NDArray[np.signedinteger[Any]]) -> I64:
    """Start positions of the runs of equal values in ``sorted_keys`` (key ``k``'s run, in CSR terms)."""
    if not len(sorted_keys):
        return np.zeros(0, dtype=np.int64)
    new = np.empty(len(sorted_keys), dtype=bool)
    new[0] = True
    np.not_equal(sorted_keys[1:], sorted_keys[:-1], out=new[1:])
    return np.flatnonzero(new)
