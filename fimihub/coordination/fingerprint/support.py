"""Which of an operation's values its accounts share: the support count that keeps a value in a fingerprint.

An operation's traits are what several of its accounts used; what one account posted alone (cover chatter, a
personal photo) says nothing about the operation and is the most likely to be about a person. So each value
of a labelled export is counted by the distinct accounts of each operation that used it, and kept when at
least :attr:`FingerprintConfig.min_accounts` did, the most used first, up to
:attr:`FingerprintConfig.max_values` per kind.

Domains, URLs and hashtags count exactly (:func:`exact_support`). Images and texts are edited as they are
reposted, so an account using one counts for every near-duplicate of it too (:func:`pdq_support`,
:func:`text_support`), and of near-duplicates this close only the best supported is kept: the others would
find the same copies. Everything is computed on value and account codes with numpy; each function returns,
per operation number, the kept values in their canonical form.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from fimihub.coordination.csr import group_by_key, runs
from fimihub.coordination.features import Occurrences, TextOccurrences
from fimihub.errors import ValidationError
from fimihub.matching import minhash
from fimihub.matching.index.pdq import PdqIndex
from fimihub.matching.index.text import TextIndex

__all__ = ["Exclude", "FingerprintConfig", "exact_support", "pdq_support", "text_support"]

I64 = npt.NDArray[np.int64]
#: Decides whether a value is too common to be part of any fingerprint: ``exclude(kind, value)``, with
#: ``kind`` one of ``domain``, ``url``, ``hashtag`` (e.g. a check against the MISP warning lists).
Exclude = Callable[[str, str], bool]


@dataclass(frozen=True)
class FingerprintConfig:
    """How a fingerprint is drawn from a labelled export.

    ``min_accounts``: a value is kept only when at least this many of the operation's accounts used it
    (near-duplicate texts and images counting together), so what one account posted alone stays out.
    ``text_near`` / ``pdq_near``: what counts as the same text (estimated Jaccard) or image (Hamming bits)
    when counting accounts. ``text_merge`` / ``pdq_merge``: kept texts and images this close to a better
    supported one are dropped, as they would find the same copies. ``max_values``: at most this many values
    of each kind, the most used first.
    """

    min_accounts: int = 2
    text_near: float = 0.8
    text_merge: float = 0.9
    pdq_near: int = 31
    pdq_merge: int = 8
    max_values: int = 5000

    def __post_init__(self) -> None:
        if self.min_accounts < 1:
            raise ValidationError("min_accounts", "must be at least 1")
        if not 0.5 <= self.text_near <= self.text_merge < 1:
            raise ValidationError("text_near", "need 0.5 <= text_near <= text_merge < 1")
        if not 0 <= self.pdq_merge <= self.pdq_near <= 256:
            raise ValidationError("pdq_near", "need 0 <= pdq_merge <= pdq_near <= 256")
        if self.max_values < 1:
            raise ValidationError("max_values", "must be at least 1")


def _nothing(n_ops: int) -> list[list[str]]:
    return [[] for _ in range(n_ops)]


def _triples(rows: I64, ids: I64, op: I64, account: I64) -> tuple[I64, I64, I64]:
    """Distinct (operation, value, account) of occurrences on labelled rows."""
    o, a = op[rows], account[rows]
    keep = o >= 0
    stacked = np.unique(np.stack([o[keep], ids[keep], a[keep]], axis=1), axis=0)
    return stacked[:, 0], stacked[:, 1], stacked[:, 2]


def _ranked(o: I64, v: I64, counts: I64, n_ops: int, config: FingerprintConfig) -> list[list[int]]:
    """Per operation, the value ids with enough accounts, most used first (ties by id), capped."""
    out: list[list[int]] = [[] for _ in range(n_ops)]
    keep = counts >= config.min_accounts
    order = np.lexsort((v[keep], -counts[keep], o[keep]))
    for oo, vv in zip(o[keep][order].tolist(), v[keep][order].tolist(), strict=True):
        if len(out[oo]) < config.max_values:
            out[oo].append(vv)
    return out


def exact_support(
    found: Occurrences,
    op: I64,
    account: I64,
    n_ops: int,
    config: FingerprintConfig,
    kind: str,
    exclude: Exclude | None,
) -> list[list[str]]:
    """Per operation, the values of ``found`` (of ``kind``) enough of its accounts used, less the excluded.

    ``op[r]`` and ``account[r]`` are the operation and account codes of row ``r`` (``-1``: not labelled)."""
    if not len(found.rows):
        return _nothing(n_ops)
    o, v, _ = _triples(found.rows, found.ids, op, account)
    pairs, counts = np.unique(np.stack([o, v], axis=1), axis=0, return_counts=True)
    ranked = _ranked(pairs[:, 0], pairs[:, 1], counts.astype(np.int64), n_ops, config)
    return [
        [found.values[i] for i in ids if exclude is None or not exclude(kind, found.values[i])]
        for ids in ranked
    ]


def _near_support(
    o: I64, v: I64, a: I64, near_i: I64, near_j: I64, n_ops: int, config: FingerprintConfig
) -> list[list[int]]:
    """Like exact support, but an account using value ``i`` also counts for every ``j`` near it."""
    size = int(max(v.max(initial=0), near_i.max(initial=0), near_j.max(initial=0))) + 1
    # Neighbours (self included) per value, grouped by value.
    src = np.concatenate([np.arange(size), near_i])
    dst = np.concatenate([np.arange(size), near_j])
    order, starts = group_by_key(src, size)
    at, widths = runs(starts, v)
    expanded = np.unique(
        np.stack([np.repeat(o, widths), dst[order][at], np.repeat(a, widths)], axis=1), axis=0
    )
    pairs, counts = np.unique(expanded[:, :2], axis=0, return_counts=True)
    return _ranked(pairs[:, 0], pairs[:, 1], counts.astype(np.int64), n_ops, config)


def _merge(ranked: list[list[int]], close: dict[int, set[int]]) -> list[list[int]]:
    """Per operation, drop every value close to a better supported one that is kept."""
    out = []
    for ids in ranked:
        kept: list[int] = []
        covered: set[int] = set()
        for i in ids:
            if i in covered:
                continue
            kept.append(i)
            covered |= close.get(i, set())
        out.append(kept)
    return out


def pdq_support(
    found: Occurrences,
    hashes: npt.NDArray[np.uint8],
    op: I64,
    account: I64,
    n_ops: int,
    config: FingerprintConfig,
) -> list[list[str]]:
    """Per operation, the images (PDQ hex) enough of its accounts posted a near-duplicate of, merged."""
    if not len(found.rows):
        return _nothing(n_ops)
    o, v, a = _triples(found.rows, found.ids, op, account)
    used = np.unique(v)
    index = PdqIndex(config.pdq_near)
    index.add_hashes(hashes[used], used)
    q, entries, dist = index.query_hashes(hashes[used])
    q = used[q]
    other = q != entries
    ranked = _near_support(o, v, a, q[other], entries[other], n_ops, config)
    merge = other & (dist <= config.pdq_merge)
    close: dict[int, set[int]] = {}
    for i, j in zip(q[merge].tolist(), entries[merge].tolist(), strict=True):
        close.setdefault(i, set()).add(j)
    return [[found.values[i] for i in ids] for ids in _merge(ranked, close)]


def text_support(
    texts: TextOccurrences, op: I64, account: I64, n_ops: int, config: FingerprintConfig
) -> list[list[str]]:
    """Per operation, the texts (``mh1`` signatures) enough of its accounts posted a near-duplicate of,
    merged."""
    if not len(texts.rows):
        return _nothing(n_ops)
    signatures = texts.signatures
    o, v, a = _triples(texts.rows, texts.ids, op, account)
    used = np.unique(v)
    index = TextIndex(config.text_near)
    index.add_signatures(signatures[used], used)
    near_i: list[int] = []
    near_j: list[int] = []
    close: dict[int, set[int]] = {}
    for i, hits in zip(used.tolist(), index.query_signatures(signatures[used]), strict=True):
        for hit in hits:
            if hit.entry == i or hit.score < config.text_near:
                continue
            near_i.append(i)
            near_j.append(hit.entry)
            if hit.score >= config.text_merge:
                close.setdefault(i, set()).add(hit.entry)
    ranked = _near_support(o, v, a, np.asarray(near_i, np.int64), np.asarray(near_j, np.int64), n_ops, config)
    return [[minhash.encode(signatures[i]) for i in ids] for ids in _merge(ranked, close)]
