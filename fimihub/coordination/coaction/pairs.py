"""The vectorised core of co-action detection: actions as integer codes, sorted by (object, time), and the
pairs of actions on one object that fall within the time window of each other.

Rows are sorted by a single ``int64`` key ``object * span + (time - first time)``, where ``span`` exceeds the
time range plus the window, so that ``key + window`` never reaches the next object. For each row ``i`` the
rows ``i + 1 .. end[i] - 1`` are then exactly the later actions on the same object at most ``window``
seconds after it (the window is inclusive: a gap of exactly ``window`` seconds counts), and ``end`` is one
``searchsorted``. Pairs are generated as ragged ranges — ``np.repeat`` of each row by its count, plus an
offset — a chunk of whole objects at a time, so memory stays bounded by the chunk's pair budget however many
pairs the whole run has. No Python loop runs per row or per pair.

Guard: an object on which one window holds thousands of actions (a viral post, a hashtag a bot hammers) would
make millions of pairs and link everyone to everyone. Objects above ``max_object_pairs`` in-window pairs are
first *thinned* when only distinct objects count: of an account's actions on the object within each slot of
``window`` seconds only the first and the last are kept — the others add no pair of accounts that those two do
not make already (see :func:`_redundant`). Objects still above the cap are left out and reported.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TypeVar

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from fimihub.coordination.coaction.codes import Codes, recall, string_codes
from fimihub.coordination.csr import run_starts
from fimihub.errors import ValidationError

__all__ = ["EncodedActions", "chunks", "encode", "pair_rows", "pairs"]

I64 = npt.NDArray[np.int64]
Int = TypeVar("Int", np.int32, np.int64)
Mask = npt.NDArray[np.bool_]
_LIMIT = 2**62
# Largest packed sort key (object, time, account): beyond it the rows are argsorted instead.
_PACKED = _LIMIT


def _plain(column: pa.ChunkedArray | pa.Array) -> pa.Array:
    array = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    if pa.types.is_dictionary(array.type):
        array = array.dictionary_decode()
    return array


def _codes(
    column: pa.ChunkedArray | pa.Array, *, ordered: bool = True, known: Codes | None = None
) -> tuple[I64, pa.Array]:
    """Integer codes of a string column and the distinct strings they index: in the strings' sort order
    when ``ordered`` (then code order is string order), else in order of first appearance (no sort).
    ``known``: the column's codes in order of first appearance, already made (:mod:`.codes`)."""
    indices, dictionary = known if known is not None else string_codes(_plain(column))
    if not ordered:
        return indices, dictionary
    order = np.asarray(pc.sort_indices(dictionary).to_numpy(), dtype=np.int64)
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order), dtype=np.int64)
    return rank[indices], dictionary.take(pa.array(order))


def _objects(ident: I64, n_idents: int, kind: I64, n_kinds: int) -> tuple[I64, I64]:
    """Codes of the distinct (object id, kind) pairs, in ascending order of ``ident * n_kinds + kind``, and
    the pair codes (each ``ident * n_kinds + kind``) they stand for.

    One kind (an object table) is the common case: the id codes already are the object codes. Otherwise a
    presence table over the ``n_idents * n_kinds`` possible pairs (kinds are few) numbers them in one pass,
    without a sort."""
    if n_kinds <= 1:
        return ident, np.arange(n_idents, dtype=np.int64)
    pair = ident * n_kinds + kind
    present = np.zeros(n_idents * n_kinds, dtype=bool)
    present[pair] = True
    number = np.cumsum(present, dtype=np.int64) - 1
    return number[pair], np.flatnonzero(present).astype(np.int64)


@dataclass
class EncodedActions:
    """Actions sorted by (object, time), as codes.

    ``account[i]`` indexes :attr:`accounts` (sorted, so code order is string order), ``obj[i]`` indexes
    :attr:`object_kinds` / :attr:`object_ids`, and ``end[i]`` bounds the in-window successors of row ``i``.
    ``key`` is the sort key (``object * span + time - first time``): ``key[i] - key[j]`` is the time between
    two rows on one object, and two objects are always more than a window apart. ``capped`` lists the objects
    left out by the guard, with their action and pair counts."""

    key: I64
    account: I64
    obj: I64
    time: I64
    end: I64
    accounts: pa.Array
    object_kinds: pa.Array
    object_ids: pa.Array
    capped: pa.Table

    @property
    def n_accounts(self) -> int:
        return len(self.accounts)

    @property
    def n_objects(self) -> int:
        return len(self.object_ids)

    @property
    def pair_counts(self) -> I64:
        """In-window successors of each row."""
        return self.end - np.arange(len(self.end), dtype=np.int64) - 1


def _ends(key: I64, window_s: int) -> I64:
    return np.searchsorted(key, key + window_s, side="right").astype(np.int64)


def _object_pairs(obj: I64, count: I64, n_objects: int) -> I64:
    return np.bincount(obj, weights=count, minlength=n_objects).astype(np.int64)


def encode(
    actions: pa.Table,
    window_s: int,
    *,
    max_object_pairs: int | None,
    thin: bool,
    ordered_objects: bool = True,
) -> EncodedActions:
    """Sort ``actions`` (columns ``account``, ``object_kind``, ``object_id``, ``time``) by object and time,
    apply the guard for objects above ``max_object_pairs`` pairs (thinning first when ``thin``).

    Accounts are always numbered in string order (edges are written in that order). Objects are too when
    ``ordered_objects``; without it they are numbered as they first appear — no sort of their strings, and
    nothing a network depends on (its edges do not; :attr:`EncodedActions.capped` is sorted by object
    either way)."""
    time_column = _plain(actions.column("time"))
    if time_column.null_count:
        raise ValidationError("time", f"{time_column.null_count} actions have no time")
    if not pa.types.is_integer(time_column.type):
        raise ValidationError("time", f"must be integer Unix seconds, not {time_column.type}")
    for name in ("account", "object_kind", "object_id"):
        if _plain(actions.column(name)).null_count:
            raise ValidationError(name, f"actions with no {name}")
    times = np.asarray(time_column.to_numpy(), dtype=np.int64)
    account, accounts = _codes(actions.column("account"), known=recall(actions, "account"))
    kind, kinds = _codes(
        actions.column("object_kind"), ordered=ordered_objects, known=recall(actions, "object_kind")
    )
    ident, idents = _codes(
        actions.column("object_id"), ordered=ordered_objects, known=recall(actions, "object_id")
    )
    n_kinds = max(len(kinds), 1)
    obj, objects = _objects(ident, len(idents), kind, n_kinds)
    n_objects = len(objects)
    object_kinds = kinds.take(pa.array(objects % n_kinds))
    object_ids = idents.take(pa.array(objects // n_kinds))
    first = int(times.min()) if len(times) else 0
    span = (int(times.max()) - first + 1 + window_s) if len(times) else 1
    if n_objects * span >= _LIMIT:
        raise ValidationError(
            "time", f"times spread over {span} seconds: too wide for {n_objects} objects (Unix seconds?)"
        )
    key = obj * span + (times - first)
    n_acc = max(len(accounts), 1)
    if n_objects * span * n_acc < _PACKED:
        # The account rides along in the key and object and time are read back from it: one plain sort
        # (several times faster than an argsort and four gathers).
        packed = np.sort(key * n_acc + account)
        key, account = np.divmod(packed, n_acc)
        obj, offset = np.divmod(key, span)
        times = offset + first
    else:
        order = np.argsort(key)
        key, account, obj, times = key[order], account[order], obj[order], times[order]
    end = _ends(key, window_s)
    capped_ids: list[int] = []
    capped_actions: list[int] = []
    capped_pairs: list[int] = []
    if max_object_pairs is not None and len(key):
        count = end - np.arange(len(end), dtype=np.int64) - 1
        per_object = _object_pairs(obj, count, n_objects)
        heavy = per_object > max_object_pairs
        if heavy.any() and thin:
            keep = ~_redundant(account, obj, times, heavy[obj], window_s)
            key, account, obj, times = key[keep], account[keep], obj[keep], times[keep]
            end = _ends(key, window_s)
            count = end - np.arange(len(end), dtype=np.int64) - 1
            per_object = _object_pairs(obj, count, n_objects)
            heavy = per_object > max_object_pairs
        if heavy.any():
            actions_per_object = np.bincount(obj, minlength=n_objects)
            over = np.flatnonzero(heavy)
            capped_ids = over.tolist()
            capped_actions = actions_per_object[over].tolist()
            capped_pairs = per_object[over].tolist()
            rows = np.flatnonzero(heavy[obj])
            end[rows] = rows + 1  # no successors: the object makes no pairs
    capped = pa.table(
        {
            "object_kind": object_kinds.take(pa.array(capped_ids, pa.int64())),
            "object_id": object_ids.take(pa.array(capped_ids, pa.int64())),
            "actions": pa.array(capped_actions, pa.int64()),
            "pairs": pa.array(capped_pairs, pa.int64()),
        }
    )
    if capped.num_rows > 1:
        by_object = [("object_id", "ascending"), ("object_kind", "ascending")]
        capped = capped.take(pc.sort_indices(capped, sort_keys=by_object))
    return EncodedActions(key, account, obj, times, end, accounts, object_kinds, object_ids, capped)


def _redundant(account: I64, obj: I64, times: I64, candidate: Mask, window_s: int) -> Mask:
    """Rows (among ``candidate``) that add no pair of accounts: see the module docstring.

    Per account and object, time is cut into slots of ``window_s`` seconds and only the first and the last
    action of each slot are kept. Kept actions that follow each other are then either in one slot (less than
    a window apart) or were neighbours already, and every dropped action lies between two kept ones of its
    slot. Whoever acted within the window of a dropped action at ``t`` is therefore within the window of the
    kept one before ``t`` (if they acted before it) or after ``t`` (if after)."""
    rows = np.flatnonzero(candidate)
    slot = times[rows] // max(window_s, 1)
    order = np.lexsort((times[rows], slot, account[rows], obj[rows]))
    rows, slot = rows[order], slot[order]
    a, o = account[rows], obj[rows]
    new = np.concatenate(([True], (a[1:] != a[:-1]) | (o[1:] != o[:-1]) | (slot[1:] != slot[:-1])))
    last = np.concatenate((new[1:], [True]))
    out = np.zeros(len(account), dtype=bool)
    out[rows[~(new | last)]] = True
    return out


def chunks(encoded: EncodedActions, budget: int) -> Iterator[tuple[int, int]]:
    """Row ranges ``[lo, hi)`` of whole objects with at most ``budget`` pairs each (one object may exceed
    it alone); ranges without pairs are skipped."""
    n = len(encoded.end)
    if not n:
        return
    count = encoded.pair_counts
    # Object boundaries, the end of the rows included, and the pairs made by the rows before each row.
    starts = np.r_[run_starts(encoded.obj), n]
    before = np.r_[0, np.cumsum(count)]
    at_start = before[starts]
    lo = 0
    total = int(before[-1])
    while lo < n and int(before[lo]) < total:
        # The last object start whose preceding pairs still fit in this chunk's budget.
        limit = int(before[lo]) + budget
        k = int(np.searchsorted(at_start, limit, side="right")) - 1
        hi = int(starts[k])
        if hi <= lo:
            hi = int(starts[np.searchsorted(starts, lo, side="right")])
        if int(before[hi]) > int(before[lo]):
            yield lo, hi
        lo = hi


def pairs(encoded: EncodedActions, lo: int, hi: int) -> tuple[I64, I64]:
    """Every in-window pair of rows ``(i, j)``, ``lo <= i < j``, ``i < hi``, on the same object."""
    return pair_rows(encoded.end, lo, hi, np.int64)


def pair_rows(end: I64, lo: int, hi: int, dtype: type[Int]) -> tuple[npt.NDArray[Int], npt.NDArray[Int]]:
    """:func:`pairs` from the ``end`` of each row, as integers of ``dtype`` (``np.int32`` halves the memory
    when there are fewer than 2**31 rows)."""
    rows = np.arange(lo, hi, dtype=np.int64)
    count = end[lo:hi] - rows - 1
    i = np.repeat(rows.astype(dtype), count)
    # j runs i + 1, i + 2, ... for each i: steps of one, with a jump where the next row's run starts,
    # summed up in place (one array of pairs, where an arange and a repeat would take three).
    some = count > 0
    rows, count = rows[some], count[some]
    j = np.ones(len(i), dtype=dtype)
    if len(rows):
        at = np.cumsum(count) - count
        j[at[0]] = rows[0] + 1
        j[at[1:]] = rows[1:] + 1 - (rows[:-1] + count[:-1])
        np.cumsum(j, out=j)
    return i, j
