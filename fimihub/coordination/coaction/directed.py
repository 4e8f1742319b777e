"""Directed co-action weights — the QUT coordination-network-toolkit's — counted without a pass per action.

``a -> b`` weighs the number of ``a``'s actions that ``b`` matched: actions of ``a`` with at least one action
of ``b`` on the same object within the window, before or after. An action of ``a`` that ``b`` matched three
times still counts once, so a plain count of in-window action pairs overcounts as soon as an account acts
twice on one object within about two windows.

Rather than list every (action, partner account) pair and keep the distinct ones (two sorts of twice the
number of pairs), each in-window pair ``(i, j)`` (rows sorted by object and time, ``i < j``) is *assigned*
to at most one match in each direction, by where the accounts' neighbouring actions on the object lie:

- ``i -> account(j)`` is counted by the pair whose ``j`` is ``account(j)``'s first action after ``i``, and
  only if that account has no action in ``i``'s window before it either: ``prev[j] < start[i]``, where
  ``prev[j]`` is the previous row of ``j``'s account on the object and ``start[i]`` the first row at most
  ``window`` seconds before ``i``. (Every row between ``start[i]`` and ``j`` is within ``i``'s window.)
- ``j -> account(i)`` is counted by the pair whose ``i`` is ``account(i)``'s last action before ``j``:
  ``next[i] > j``. An action of ``account(i)`` after ``j`` matching ``j`` is then found by the first rule.

So every (action, partner) match is counted exactly once, a pair of one account's own actions never (its
``prev``/``next`` is the other row), and the weights are plain counts of the surviving pairs per
(account, account). When no account repeats itself on an object, every pair survives in both directions:
those pairs are counted once per unordered pair of accounts, which halves the work of the common case.

``prev`` and ``next`` need only the rows with an in-window neighbour: an action of an account with no
neighbour at all lies more than a window away from everything, so it can neither sit inside a window nor
between a pair.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic

import numpy as np
import numpy.typing as npt

from fimihub.coordination.coaction.pairs import EncodedActions, Int, chunks, pair_rows
from fimihub.coordination.csr import run_starts

__all__ = ["count_keys", "directed_weights", "neighbours"]

I64 = npt.NDArray[np.int64]
Ints = npt.NDArray[np.signedinteger[Any]]
_LIMIT = 2**62
# Row numbers and pair keys below this fit in 32 bits.
_NARROW = 2**31


def count_keys(keys: Ints, space: int) -> tuple[I64, I64]:
    """The distinct values of ``keys`` (all in ``[0, space)``) in ascending order, and how often each occurs.

    A histogram (``bincount``) when ``space`` is no larger than the number of keys — it then costs less
    than the sort it saves — else a sort and a scan (``numpy.unique`` hashes wide integer keys, slower)."""
    if not len(keys):
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty
    if space <= len(keys):
        histogram = np.bincount(keys, minlength=space)
        present = np.flatnonzero(histogram)
        return present.astype(np.int64), histogram[present].astype(np.int64)
    ordered = np.sort(keys)
    starts = run_starts(ordered)
    return ordered[starts].astype(np.int64), np.diff(np.append(starts, len(ordered))).astype(np.int64)


def _sorted_by_key(keys: I64, values: I64) -> tuple[I64, I64]:
    """``keys`` (distinct, non-negative) in ascending order, each with its value.

    Key and value are packed into one integer when they fit, so that a plain sort (vectorised, several
    times faster than an argsort) moves both."""
    if not len(keys):
        return keys, values
    bits = int(values.max()).bit_length()
    if (int(keys.max()) << bits) < _LIMIT:
        packed = np.sort((keys << bits) | values)
        return packed >> bits, packed & ((1 << bits) - 1)
    order = np.argsort(keys)
    return keys[order], values[order]


def _summed(keys: list[I64], counts: list[I64]) -> tuple[I64, I64]:
    """Counts of several runs of distinct keys, summed per key, in ascending key order."""
    if len(keys) == 1:
        return keys[0], counts[0]
    joined, weight = _sorted_by_key(np.concatenate(keys), np.concatenate(counts))
    starts = run_starts(joined)
    return joined[starts], np.add.reduceat(weight, starts)


def _lookup(sorted_keys: I64, keys: I64) -> tuple[I64, npt.NDArray[np.bool_]]:
    """Where each of ``keys`` is in ``sorted_keys``, and whether it is there at all."""
    at = np.searchsorted(sorted_keys, keys)
    found = at < len(sorted_keys)
    found[found] = sorted_keys[at[found]] == keys[found]
    return at, found


def neighbours(encoded: EncodedActions, window_s: int) -> tuple[I64, I64, I64]:
    """Per row: ``start`` (the first row on its object at most ``window_s`` seconds earlier), ``prev`` and
    ``next`` (the neighbouring rows of the same account on the same object; ``-1`` and ``n`` where none).

    ``prev``/``next`` are exact for the rows with an in-window neighbour; see the module docstring."""
    n = len(encoded.end)
    rows = np.arange(n, dtype=np.int64)
    start = np.searchsorted(encoded.key, encoded.key - window_s, side="left").astype(np.int64)
    previous = np.full(n, -1, dtype=np.int64)
    following = np.full(n, n, dtype=np.int64)
    linked = rows[(encoded.end > rows + 1) | (start < rows)]
    if len(linked) < 2:
        return start, previous, following
    # By account, then row: an object's rows are contiguous, so one account's rows on one object are
    # neighbours in this order too — the object need not be part of the key.
    if encoded.n_accounts * n < _LIMIT:
        packed = np.sort(encoded.account[linked] * n + linked)
        ordered = packed % n
        account = packed // n
    else:
        order = np.lexsort((linked, encoded.account[linked]))
        ordered = linked[order]
        account = encoded.account[ordered]
    obj = encoded.obj[ordered]
    same = (account[1:] == account[:-1]) & (obj[1:] == obj[:-1])
    previous[ordered[1:][same]] = ordered[:-1][same]
    following[ordered[:-1][same]] = ordered[1:][same]
    return start, previous, following


@dataclass(frozen=True)
class _Rows(Generic[Int]):
    """Per row, in ``dtype``: the account, ``start``, ``prev`` and ``next`` (see :func:`neighbours`)."""

    account: npt.NDArray[Int]
    start: npt.NDArray[Int]
    previous: npt.NDArray[Int]
    following: npt.NDArray[Int]
    dtype: type[Int]

    @classmethod
    def of(cls, account: I64, start: I64, previous: I64, following: I64, dtype: type[Int]) -> _Rows[Int]:
        return cls(
            account.astype(dtype), start.astype(dtype), previous.astype(dtype), following.astype(dtype), dtype
        )

    def matches(
        self, end: I64, lo: int, hi: int, n_acc: int, key_type: type[np.signedinteger[Any]]
    ) -> tuple[tuple[I64, I64], tuple[I64, I64] | None, int]:
        """The matches of the pairs of rows ``lo .. hi - 1``: distinct unordered account-pair keys of the
        pairs that count both ways, with counts; the same for directed keys of the pairs that count one way
        only (``None`` when there are none); and the number of pairs."""
        i, j = pair_rows(end, lo, hi, self.dtype)
        a_i, a_j = self.account[i], self.account[j]
        forward = self.previous[j] < self.start[i]
        backward = self.following[i] > j
        del i, j
        both = forward & backward
        key = np.minimum(a_i, a_j).astype(key_type)
        key *= n_acc
        key += np.maximum(a_i, a_j)
        counted = count_keys(key if both.all() else key[both], n_acc * n_acc)
        if both.all():
            return counted, None, len(a_i)
        single = np.concatenate(
            (
                (a_i.astype(key_type) * n_acc + a_j)[forward & ~backward],
                (a_j.astype(key_type) * n_acc + a_i)[backward & ~forward],
            )
        )
        return counted, count_keys(single, n_acc * n_acc), len(a_i)


def directed_weights(
    encoded: EncodedActions,
    window_s: int,
    min_weight: int,
    budget: int,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[I64, I64, I64, int]:
    """``source``, ``target`` (account codes) and ``weight`` of every directed edge of at least
    ``min_weight``, sorted by source then target, and the number of in-window action pairs examined. Pairs
    are made ``budget`` at a time; ``progress(done, total)`` is told the actions paired before each."""
    n_acc = max(encoded.n_accounts, 1)
    start, previous, following = neighbours(encoded, window_s)
    space = n_acc * n_acc
    both_keys: list[I64] = []
    both_counts: list[I64] = []
    one_keys: list[I64] = []
    one_counts: list[I64] = []
    examined = 0
    # Row numbers, account codes and (where they fit) pair keys in 32 bits halve the memory the pairs take.
    rows: _Rows[Any]
    if len(encoded.end) < _NARROW:
        rows = _Rows.of(encoded.account, start, previous, following, np.int32)
    else:
        rows = _Rows.of(encoded.account, start, previous, following, np.int64)
    key_type: type[np.signedinteger[Any]] = np.int32 if space < _NARROW else np.int64
    for lo, hi in chunks(encoded, budget):
        if progress is not None:
            progress(lo, len(encoded.end))
        both, one, pairs_made = rows.matches(encoded.end, lo, hi, n_acc, key_type)
        examined += pairs_made
        both_keys.append(both[0])
        both_counts.append(both[1])
        if one is not None:
            one_keys.append(one[0])
            one_counts.append(one[1])
    empty = np.zeros(0, dtype=np.int64)
    pair, up = _summed(both_keys, both_counts) if both_keys else (empty, empty)
    # Per unordered pair (low, high): the weights of low -> high and of high -> low.
    down = up.copy()
    if one_keys:
        directed, extra = _summed(one_keys, one_counts)
        source, target = np.divmod(directed, n_acc)
        unordered = np.minimum(source, target) * n_acc + np.maximum(source, target)
        rising = source < target
        at, found = _lookup(pair, unordered)
        up[at[found & rising]] += extra[found & rising]
        down[at[found & ~rising]] += extra[found & ~rising]
        # Pairs matched one way only, never both ways by one pair: appended with their own weights.
        lone, lone_extra, lone_rising = unordered[~found], extra[~found], rising[~found]
        ordered = np.sort(lone)
        alone = ordered[run_starts(ordered)]
        where, _ = _lookup(alone, lone)
        alone_up, alone_down = np.zeros(len(alone), np.int64), np.zeros(len(alone), np.int64)
        alone_up[where[lone_rising]] = lone_extra[lone_rising]
        alone_down[where[~lone_rising]] = lone_extra[~lone_rising]
        pair = np.concatenate((pair, alone))
        up, down = np.concatenate((up, alone_up)), np.concatenate((down, alone_down))
    least = max(min_weight, 1)
    heavy = np.maximum(up, down) >= least
    low, high = np.divmod(pair[heavy], n_acc)
    keys = np.concatenate((low * n_acc + high, high * n_acc + low))
    weight = np.concatenate((up[heavy], down[heavy]))
    keep = weight >= least
    directed, weight = _sorted_by_key(keys[keep], weight[keep])
    source, target = np.divmod(directed, n_acc)
    return source, target, weight, examined
