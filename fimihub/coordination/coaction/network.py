"""Co-action networks: pairs of accounts that act on the same objects within a short window, again and again.

Two distinct accounts *co-act* on an object when both act on it (:mod:`.actions`) at most ``window_s``
seconds apart — the window is **inclusive**: a gap of exactly ``window_s`` counts, one second
more does not. An account acting twice is never its own partner.

Two ways of weighing an edge (``mode``):

``"objects"`` (the default)
    undirected; the weight of ``account_1 - account_2`` (``account_1 < account_2``) is the number of
    distinct objects on which the pair co-acted. Repeating an action on an object adds nothing.
``"actions"``
    directed, the weight the QUT coordination-network-toolkit gives its co-retweet (and co-link, co-reply)
    networks: ``account_1 -> account_2`` weighs the number of ``account_1``'s actions that ``account_2``
    matched on the same object within the window. An account that reposts the same post three times in a
    burst with another gets weight 3 towards it, and the reverse edge may weigh less; both directions are
    rows, each kept when its own weight reaches ``min_weight``. On data where no account acts twice on one
    object, both directions equal the ``"objects"`` weight. How the matches are counted without
    deduplicating them is in :mod:`fimihub.coordination.coaction.directed`.

Filters on the undirected network: ``min_weight``; ``min_weight_percentile`` (keep edges whose weight is at
least that percentile of the weights of all edges that reached ``min_weight``); and ``min_symmetry``. The
*symmetry* of an edge is its weight divided by the larger of the two accounts' object counts (distinct objects
each acted on): a hyperactive account that shares everything co-acts with many accounts, but each of those
edges holds a tiny share of its activity, so its symmetry is low. Two accounts that act on the same few things
and nothing else have symmetry 1.

The guard against pathological objects (one object acted on by thousands of accounts inside one window) is
``max_object_pairs``; see :mod:`.pairs`. Objects it leaves out are listed in
:attr:`CoactionResult.capped`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from fimihub.coordination.coaction.actions import ACTION_COLUMNS
from fimihub.coordination.coaction.directed import count_keys, directed_weights
from fimihub.coordination.coaction.pairs import EncodedActions, chunks, encode, pairs
from fimihub.coordination.columns import dictionary_codes, require_columns, required_schema
from fimihub.coordination.csr import run_starts
from fimihub.errors import ValidationError

__all__ = [
    "DEFAULT_MAX_OBJECT_PAIRS",
    "DIRECTED_EDGE_SCHEMA",
    "EDGE_SCHEMA",
    "CoactionResult",
    "Mode",
    "coaction_edges",
    "coaction_evidence",
    "detect_coaction",
]

Mode = Literal["objects", "actions"]
#: ``progress(done, total)``: ``done`` of the ``total`` actions (after the guard) have been paired.
Progress = Callable[[int, int], None]
#: In-window action pairs one object may make before the guard steps in (about 4,500 actions in one window).
DEFAULT_MAX_OBJECT_PAIRS = 10_000_000
# Pairs generated at a time: bounds the working memory of a run to a few hundred megabytes.
_CHUNK_PAIRS = 1 << 21
_LIMIT = 2**62

I64 = npt.NDArray[np.int64]

EDGE_SCHEMA = required_schema(
    account_1=pa.string(),
    account_2=pa.string(),
    weight=pa.int64(),
    symmetry=pa.float64(),
    objects_1=pa.int64(),
    objects_2=pa.int64(),
    first_time=pa.int64(),
    last_time=pa.int64(),
    kinds=pa.string(),
)
"""Columns of an undirected edge table: the pair, its weight (distinct objects co-acted on), symmetry, each
account's object count, the first and last second of their co-actions, and the object kinds involved
(comma-separated, sorted)."""

DIRECTED_EDGE_SCHEMA = required_schema(account_1=pa.string(), account_2=pa.string(), weight=pa.int64())
"""Columns of a directed edge table (``mode="actions"``): ``account_1 -> account_2`` and its weight."""


@dataclass(frozen=True)
class CoactionResult:
    """A co-action network: its ``edges``, the objects the guard left out (``capped``: ``object_kind``,
    ``object_id``, ``actions``, ``pairs``) and the number of in-window action pairs examined."""

    edges: pa.Table
    capped: pa.Table
    pairs: int


def _check(
    actions: pa.Table,
    window_s: int,
    min_weight: int,
    min_weight_percentile: float | None,
    min_symmetry: float,
    mode: str,
    max_object_pairs: int | None,
) -> None:
    require_columns(actions, [c for c in ACTION_COLUMNS if c != "platform"], "the actions table")
    if isinstance(window_s, bool) or not isinstance(window_s, int | np.integer) or window_s < 0:
        raise ValidationError("window_s", "must be a whole number of seconds, zero or more")
    if min_weight < 1:
        raise ValidationError("min_weight", "must be at least 1")
    if min_weight_percentile is not None and not 0.0 <= min_weight_percentile <= 100.0:
        raise ValidationError("min_weight_percentile", "must be between 0 and 100")
    if not 0.0 <= min_symmetry <= 1.0:
        raise ValidationError("min_symmetry", "must be between 0 and 1")
    if mode not in ("objects", "actions"):
        raise ValidationError("mode", f"must be 'objects' or 'actions', not {mode!r}")
    if mode == "actions" and (min_symmetry > 0 or min_weight_percentile is not None):
        raise ValidationError("mode", "symmetry and percentile filters apply to mode='objects' only")
    if max_object_pairs is not None and max_object_pairs < 1:
        raise ValidationError("max_object_pairs", "must be at least 1")


def detect_coaction(
    actions: pa.Table,
    *,
    window_s: int,
    min_weight: int = 1,
    min_weight_percentile: float | None = None,
    min_symmetry: float = 0.0,
    mode: Mode = "objects",
    max_object_pairs: int | None = DEFAULT_MAX_OBJECT_PAIRS,
    progress: Progress | None = None,
) -> CoactionResult:
    """The co-action network of ``actions`` (see the module docstring for the options), with what the guard
    left out. :func:`coaction_edges` returns just the edges. ``progress`` is told the actions paired so far,
    a chunk of objects at a time, in either mode."""
    _check(actions, window_s, min_weight, min_weight_percentile, min_symmetry, mode, max_object_pairs)
    limit, thin = max_object_pairs, mode == "objects"
    encoded = encode(actions, int(window_s), max_object_pairs=limit, thin=thin, ordered_objects=False)
    if mode == "actions":
        edges, examined = _directed(encoded, int(window_s), min_weight, progress)
    else:
        edges, examined = _undirected(encoded, min_weight, min_weight_percentile, min_symmetry, progress)
    if progress is not None:
        progress(len(encoded.end), len(encoded.end))
    return CoactionResult(edges, encoded.capped, examined)


def coaction_edges(
    actions: pa.Table,
    *,
    window_s: int,
    min_weight: int = 1,
    min_weight_percentile: float | None = None,
    min_symmetry: float = 0.0,
    mode: Mode = "objects",
    max_object_pairs: int | None = DEFAULT_MAX_OBJECT_PAIRS,
) -> pa.Table:
    """The edges of the co-action network of ``actions``: :data:`EDGE_SCHEMA` (``mode="objects"``) or
    :data:`DIRECTED_EDGE_SCHEMA` (``mode="actions"``), sorted by ``account_1`` then ``account_2``."""
    return detect_coaction(
        actions,
        window_s=window_s,
        min_weight=min_weight,
        min_weight_percentile=min_weight_percentile,
        min_symmetry=min_symmetry,
        mode=mode,
        max_object_pairs=max_object_pairs,
    ).edges


# -- undirected, distinct objects -------------------------------------------------------------------------


def _kind_bits(encoded: EncodedActions) -> tuple[I64, list[str]]:
    """Per object, its kind as one bit (kinds numbered in name order), and the kind names."""
    kinds = pc.dictionary_encode(encoded.object_kinds)
    names = [str(n) for n in kinds.dictionary.to_pylist()]
    if len(names) > 62:
        raise ValidationError("object_kind", f"{len(names)} object kinds; at most 62 are supported")
    rank = np.empty(len(names), dtype=np.int64)
    rank[np.argsort(np.asarray(names, dtype=object))] = np.arange(len(names), dtype=np.int64)
    codes = rank[dictionary_codes(kinds)]
    return (np.int64(1) << codes).astype(np.int64), sorted(names)


def _undirected(
    encoded: EncodedActions,
    min_weight: int,
    min_weight_percentile: float | None,
    min_symmetry: float,
    progress: Progress | None = None,
) -> tuple[pa.Table, int]:
    n_acc = max(encoded.n_accounts, 1)
    bits, kind_names = _kind_bits(encoded)
    parts: list[tuple[I64, I64, I64, I64, I64]] = []
    examined = 0
    for lo, hi in chunks(encoded, _CHUNK_PAIRS):
        if progress is not None:
            progress(lo, len(encoded.end))
        i, j = pairs(encoded, lo, hi)
        examined += len(i)
        a_i, a_j = encoded.account[i], encoded.account[j]
        other = a_i != a_j
        i, j, a_i, a_j = i[other], j[other], a_i[other], a_j[other]
        if not len(i):
            continue
        pair = np.minimum(a_i, a_j) * n_acc + np.maximum(a_i, a_j)
        local = encoded.obj[i] - encoded.obj[lo]
        n_local = int(local.max()) + 1
        # One row per (pair, object): sorted by pair, then object.
        if n_acc * n_acc * n_local < _LIMIT:
            combined = pair * n_local + local
            order = np.argsort(combined)
            starts = run_starts(combined[order])
        else:
            order = np.lexsort((local, pair))
            key_pair, key_local = pair[order], local[order]
            starts = np.flatnonzero(
                np.r_[True, (key_pair[1:] != key_pair[:-1]) | (key_local[1:] != key_local[:-1])]
            )
        t_first = np.minimum.reduceat(encoded.time[i][order], starts)
        t_last = np.maximum.reduceat(encoded.time[j][order], starts)
        per_object_pair = pair[order][starts]
        kind = bits[encoded.obj[i][order][starts]]
        parts.append(_by_pair(per_object_pair, np.ones(len(starts), np.int64), t_first, t_last, kind))
    if not parts:
        return EDGE_SCHEMA.empty_table(), examined
    if len(parts) == 1:
        pair, weight, first, last, kinds = parts[0]
    else:
        joined = [np.concatenate([p[k] for p in parts]) for k in range(5)]
        # Sums, minima, maxima and unions do not depend on the order within a pair: no stable sort needed.
        order = np.argsort(joined[0])
        pair, weight, first, last, kinds = _by_pair(*(column[order] for column in joined))
    keep = weight >= min_weight
    if min_weight_percentile is not None and keep.any():
        keep &= weight >= np.percentile(weight[keep], min_weight_percentile)
    pair, weight, first, last, kinds = pair[keep], weight[keep], first[keep], last[keep], kinds[keep]
    account_1, account_2 = np.divmod(pair, n_acc)
    activity = _objects_per_account(encoded)
    objects_1, objects_2 = activity[account_1], activity[account_2]
    symmetry = weight / np.maximum(np.maximum(objects_1, objects_2), 1)
    keep = symmetry >= min_symmetry
    table = pa.table(
        {
            "account_1": encoded.accounts.take(pa.array(account_1[keep])),
            "account_2": encoded.accounts.take(pa.array(account_2[keep])),
            "weight": pa.array(weight[keep], pa.int64()),
            "symmetry": pa.array(symmetry[keep], pa.float64()),
            "objects_1": pa.array(objects_1[keep], pa.int64()),
            "objects_2": pa.array(objects_2[keep], pa.int64()),
            "first_time": pa.array(first[keep], pa.int64()),
            "last_time": pa.array(last[keep], pa.int64()),
            "kinds": _kind_names(kinds[keep], kind_names),
        }
    )
    return table.cast(EDGE_SCHEMA), examined


def _by_pair(pair: I64, weight: I64, first: I64, last: I64, kinds: I64) -> tuple[I64, I64, I64, I64, I64]:
    """Rows sorted by ``pair`` summed up per pair."""
    starts = run_starts(pair)
    return (
        pair[starts],
        np.add.reduceat(weight, starts),
        np.minimum.reduceat(first, starts),
        np.maximum.reduceat(last, starts),
        np.bitwise_or.reduceat(kinds, starts),
    )


def _objects_per_account(encoded: EncodedActions) -> I64:
    """Distinct objects each account acted on."""
    n_obj = max(encoded.n_objects, 1)
    if encoded.n_accounts * n_obj < _LIMIT:
        distinct = count_keys(encoded.account * n_obj + encoded.obj, encoded.n_accounts * n_obj)[0] // n_obj
    else:
        order = np.lexsort((encoded.obj, encoded.account))
        a, o = encoded.account[order], encoded.obj[order]
        distinct = a[np.r_[True, (a[1:] != a[:-1]) | (o[1:] != o[:-1])]]
    return np.bincount(distinct, minlength=encoded.n_accounts).astype(np.int64)


def _kind_names(masks: I64, names: list[str]) -> pa.Array:
    """The comma-separated kind names of each bit mask of kinds."""
    ordered = np.sort(masks)
    distinct = ordered[run_starts(ordered)]
    labels = [",".join(n for b, n in enumerate(names) if int(mask) >> b & 1) for mask in distinct.tolist()]
    return pa.array(labels, pa.string()).take(pa.array(np.searchsorted(distinct, masks).astype(np.int64)))


# -- directed, matched actions (the QUT toolkit's weights) --------------------------------------------------


def _directed(
    encoded: EncodedActions, window_s: int, min_weight: int, progress: Progress | None
) -> tuple[pa.Table, int]:
    source, target, weight, examined = directed_weights(encoded, window_s, min_weight, _CHUNK_PAIRS, progress)
    table = pa.table(
        {
            "account_1": encoded.accounts.take(pa.array(source)),
            "account_2": encoded.accounts.take(pa.array(target)),
            "weight": pa.array(weight, pa.int64()),
        }
    )
    return table.cast(DIRECTED_EDGE_SCHEMA), examined


# -- evidence ---------------------------------------------------------------------------------------------


def coaction_evidence(
    actions: pa.Table,
    accounts: list[str] | pa.Array,
    *,
    window_s: int,
    limit_per_pair: int | None = 10,
) -> pa.Table:
    """The co-actions behind the edges among ``accounts``: one row per pair and object, with the first
    in-window co-action's times (``account_1``, ``account_2``, ``object_kind``, ``object_id``, ``time_1``,
    ``time_2``), ``account_1 < account_2``, at most ``limit_per_pair`` objects per pair (earliest first)."""
    _check(actions, window_s, 1, None, 0.0, "objects", None)
    wanted = pa.array(accounts, pa.string()) if isinstance(accounts, list) else accounts
    subset = actions.filter(pc.is_in(actions.column("account"), value_set=wanted))
    encoded = encode(subset, int(window_s), max_object_pairs=None, thin=False)
    columns: dict[str, list[I64]] = {"i": [], "j": []}
    for lo, hi in chunks(encoded, _CHUNK_PAIRS):
        i, j = pairs(encoded, lo, hi)
        other = encoded.account[i] != encoded.account[j]
        columns["i"].append(i[other])
        columns["j"].append(j[other])
    i = np.concatenate(columns["i"]) if columns["i"] else np.zeros(0, np.int64)
    j = np.concatenate(columns["j"]) if columns["j"] else np.zeros(0, np.int64)
    a_i, a_j = encoded.account[i], encoded.account[j]
    swap = a_i > a_j
    first, second = np.where(swap, j, i), np.where(swap, i, j)
    a_1, a_2 = encoded.account[first], encoded.account[second]
    obj = encoded.obj[first]
    start = np.minimum(encoded.time[first], encoded.time[second])
    order = np.lexsort((encoded.time[second], encoded.time[first], start, obj, a_2, a_1))
    a_1, a_2, obj, first, second, start = (x[order] for x in (a_1, a_2, obj, first, second, start))
    # The first co-action of each (pair, object), then the earliest objects of each pair.
    head = (
        np.r_[True, (a_1[1:] != a_1[:-1]) | (a_2[1:] != a_2[:-1]) | (obj[1:] != obj[:-1])]
        if len(obj)
        else np.zeros(0, bool)
    )
    a_1, a_2, obj, first, second, start = (x[head] for x in (a_1, a_2, obj, first, second, start))
    order = np.lexsort((obj, start, a_2, a_1))
    a_1, a_2, obj, first, second = (x[order] for x in (a_1, a_2, obj, first, second))
    if limit_per_pair is not None and len(a_1):
        pair_start = run_starts(a_1 * max(encoded.n_accounts, 1) + a_2)
        rank = np.arange(len(a_1)) - np.repeat(pair_start, np.diff(np.r_[pair_start, len(a_1)]))
        keep = rank < limit_per_pair
        a_1, a_2, obj, first, second = (x[keep] for x in (a_1, a_2, obj, first, second))
    return pa.table(
        {
            "account_1": encoded.accounts.take(pa.array(a_1, pa.int64())),
            "account_2": encoded.accounts.take(pa.array(a_2, pa.int64())),
            "object_kind": encoded.object_kinds.take(pa.array(obj, pa.int64())),
            "object_id": encoded.object_ids.take(pa.array(obj, pa.int64())),
            "time_1": pa.array(encoded.time[first], pa.int64()),
            "time_2": pa.array(encoded.time[second], pa.int64()),
        }
    )
