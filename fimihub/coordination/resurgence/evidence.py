"""Counted evidence: which fingerprint values each account used, kind by kind, looked up in batches of rows.

Domains, URLs and hashtags are looked up exactly, by distinct canonical value, in one set per kind that names
the operations holding each value. Images and texts are looked up by near-duplicate: the fingerprints' PDQ
hashes in a PDQ index (Hamming distance at most :attr:`ResurgenceConfig.pdq_distance`), their text
signatures in the MinHash LSH text index (similarity at least :attr:`ResurgenceConfig.text_similarity`).
Each new value is looked up once, however many rows carry it, and its hits are joined back to the rows and
accounts with numpy. What comes out is, per kind and (account, operation) pair, the number of distinct
fingerprint values matched, and for images and texts the best distance or similarity among them.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from fimihub.coordination.csr import group_by_key, run_starts, runs
from fimihub.coordination.features import (
    ExportView,
    Occurrences,
    hashtag_occurrences,
    pdq_occurrences,
    text_occurrences,
    url_occurrences,
)
from fimihub.coordination.fingerprint import OperationFingerprint
from fimihub.coordination.resurgence.config import COUNTED_KINDS, Pair, Progress, ResurgenceConfig
from fimihub.matching import minhash, warning_lists_for
from fimihub.matching.index.pdq import PdqIndex, parse_hashes
from fimihub.matching.index.text import TextIndex
from fimihub.model import SignalKind

__all__ = ["POPULAR_SITE_LISTS", "Counts", "Evidence", "Qualities", "Specific", "counted_evidence"]

I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]
#: Per kind, the distinct fingerprint values each (account, operation) pair matched.
Counts = dict[str, dict[Pair, int]]
#: Per kind with one (``pdq``, ``text``), the best distance or similarity of each pair's matches.
Qualities = dict[str, dict[Pair, float]]
#: Per kind, the sum of the specificities of the values each pair matched (what the score counts).
Specific = dict[str, dict[Pair, float]]
#: Warning lists of sites so widely visited that linking to them says nothing about who links.
POPULAR_SITE_LISTS = frozenset(
    {"alexa", "tranco10k", "cisco_top1000", "cisco_top5k", "cisco_top10k", "cisco_top20k", "majestic_million",
     "moz-top500", "google", "microsoft", "url-shortener", "link-in-bio"}
)  # fmt: skip


@dataclass(frozen=True)
class _ExactLookup:
    """Distinct fingerprint values of one kind, and the operations holding each (CSR: value ``v`` belongs to
    ``ops[starts[v]:starts[v + 1]]``)."""

    values: pa.Array
    starts: I64
    ops: I64

    def popular(self) -> npt.NDArray[np.bool_]:
        """Which values are domains on a popular-sites warning list."""
        listed = [bool(POPULAR_SITE_LISTS.intersection(warning_lists_for(SignalKind.DOMAIN, str(v))))
                  for v in self.values.to_pylist()]  # fmt: skip
        return np.asarray(listed, dtype=np.bool_)

    @classmethod
    def build(cls, per_op: Sequence[Sequence[str]]) -> _ExactLookup:
        owners: dict[str, list[int]] = defaultdict(list)
        for o, values in enumerate(per_op):
            for value in set(values):
                owners[value].append(o)
        starts = np.zeros(len(owners) + 1, dtype=np.int64)
        np.cumsum([len(v) for v in owners.values()], out=starts[1:])
        ops = np.fromiter((o for v in owners.values() for o in v), dtype=np.int64, count=int(starts[-1]))
        return cls(pa.array(list(owners), pa.string()), starts, ops)

    def find(self, values: list[str]) -> I64:
        """Fingerprint value number of each of ``values``, ``-1`` where none."""
        if not values or not len(self.values):
            return np.full(len(values), -1, dtype=np.int64)
        found = pc.index_in(pa.array(values, pa.string()), value_set=self.values)
        return np.asarray(pc.fill_null(found, -1).to_numpy(zero_copy_only=False), dtype=np.int64)


@dataclass
class _Hits:
    """Matches of one kind: ``account`` matched fingerprint value ``value`` of operation ``op``; ``quality``
    is the PDQ distance or the text similarity where the kind has one."""

    account: list[I64] = field(default_factory=list)
    op: list[I64] = field(default_factory=list)
    value: list[I64] = field(default_factory=list)
    quality: list[F64] = field(default_factory=list)

    def add(self, account: I64, op: I64, value: I64, quality: F64 | None = None) -> None:
        keep = account >= 0
        self.account.append(account[keep])
        self.op.append(op[keep])
        self.value.append(value[keep])
        self.quality.append((quality if quality is not None else np.zeros(len(account)))[keep])


@dataclass(frozen=True)
class Evidence:
    """The counted evidence of a scan: matching values per kind and pair, their best quality, and how much
    of that is specific to the operation (:func:`specificity`)."""

    counts: Counts
    quality: Qualities
    specific: Specific


def counted_evidence(
    view: ExportView,
    fps: Sequence[OperationFingerprint],
    config: ResurgenceConfig,
    skipped: Counter[str],
    progress: Progress | None = None,
) -> Evidence:
    """The counted evidence of every account of ``view`` against ``fps`` (kinds of weight 0 are not looked
    up), ``config.batch_rows`` rows at a time; ``progress(done, total)`` after each batch."""
    weights = config.weights
    hits = {kind: _Hits() for kind in COUNTED_KINDS}
    total = view.rows
    exact = {
        "domain": _ExactLookup.build([f.domains for f in fps]),
        "url": _ExactLookup.build([f.urls for f in fps]),
        "hashtag": _ExactLookup.build([f.hashtags for f in fps]),
    }
    pdq_index, pdq_op = _pdq_lookup(fps, config)
    text_index, text_op = _text_lookup(fps, config)

    for lo in range(0, max(total, 1), config.batch_rows):
        hi = min(lo + config.batch_rows, total)
        if hi <= lo:
            break
        batch = {name: column.slice(lo, hi - lo) for name, column in view.columns.items()}
        account = view.account
        if "urls" in batch and (weights.url > 0 or weights.domain > 0):
            urls, domains = url_occurrences(batch["urls"], skipped)
            for kind, found in (("url", urls), ("domain", domains)):
                if weights.of(kind) > 0:
                    _exact_hits(exact[kind], found, lo, account, hits[kind])
        if "hashtags" in batch and weights.hashtag > 0:
            _exact_hits(exact["hashtag"], hashtag_occurrences(batch["hashtags"], skipped), lo, account,
                        hits["hashtag"])  # fmt: skip
        if "image_pdq" in batch and weights.pdq > 0 and len(pdq_index):
            found, hashes = pdq_occurrences(batch["image_pdq"], skipped)
            q, entry, distance = pdq_index.query_hashes(hashes)
            _near_hits(found.rows + lo, found.ids, q, entry, pdq_op, distance.astype(np.float64), account,
                       hits["pdq"])  # fmt: skip
        if "text" in batch and weights.text > 0 and len(text_index):
            texts = text_occurrences(batch["text"])
            q_list, e_list, s_list = [], [], []
            for i, answer in enumerate(text_index.query_signatures(texts.signatures)):
                for hit in answer:
                    q_list.append(i)
                    e_list.append(hit.entry)
                    s_list.append(hit.score)
            _near_hits(texts.rows + lo, texts.ids, np.asarray(q_list, np.int64), np.asarray(e_list, np.int64),
                       text_op, np.asarray(s_list, np.float64), account, hits["text"])  # fmt: skip
        if progress is not None:
            progress(hi, total)

    popular = {"domain": exact["domain"].popular()}
    return _counts(hits, len(fps), specificity(view.accounts, config), popular)


def _owned(per_op: Sequence[Sequence[str]]) -> tuple[list[str], I64]:
    """Every value of every operation, one entry per holder, and the operation number of each entry."""
    values = [(v, o) for o, held in enumerate(per_op) for v in held]
    return [v for v, _ in values], np.asarray([o for _, o in values], dtype=np.int64)


def _pdq_lookup(fps: Sequence[OperationFingerprint], config: ResurgenceConfig) -> tuple[PdqIndex, I64]:
    index = PdqIndex(config.pdq_distance)
    hashes, owner = _owned([f.pdq for f in fps])
    if hashes:
        index.add_hashes(parse_hashes(hashes), np.arange(len(hashes)))
    return index, owner


def _text_lookup(fps: Sequence[OperationFingerprint], config: ResurgenceConfig) -> tuple[TextIndex, I64]:
    index = TextIndex(config.text_similarity)
    signatures, owner = _owned([f.text_signatures for f in fps])
    if signatures:
        index.add_signatures(minhash.decode_many(signatures), np.arange(len(signatures)))
    return index, owner


def _expand(starts: I64, owners: I64, rows: I64, found: I64) -> tuple[I64, I64, I64]:
    """Rows with a fingerprint value, one entry per operation holding it: (row, value, operation)."""
    hit = found >= 0
    rows, found = rows[hit], found[hit]
    at, width = runs(starts, found)
    return np.repeat(rows, width), np.repeat(found, width), owners[at]


def _exact_hits(lookup: _ExactLookup, found: Occurrences, lo: int, account: I64, into: _Hits) -> None:
    if not len(found.rows):
        return
    rows, value, op = _expand(
        lookup.starts, lookup.ops, found.rows + lo, lookup.find(found.values)[found.ids]
    )
    into.add(account[rows], op, value)


def _near_hits(
    rows: I64, ids: I64, q: I64, entry: I64, entry_op: I64, quality: F64, account: I64, into: _Hits
) -> None:
    """Occurrences of distinct new values ``ids`` joined with the index hits ``(q, entry)`` on them."""
    if not len(q) or not len(rows):
        return
    order, starts = group_by_key(q, int(max(ids.max(initial=0), q.max(initial=0))) + 1)
    positions, width = runs(starts, ids)
    at = order[positions]
    rows = np.repeat(rows, width)
    into.add(account[rows], entry_op[entry[at]], entry[at], quality[at])


def specificity(accounts: int, config: ResurgenceConfig) -> Callable[[I64], F64]:
    """How much one matching value counts, from how many scanned accounts used it: in full up to
    ``max(common_floor, common_share * accounts)`` users, then less in proportion (a value everyone uses
    counts for nearly nothing). Content an operation made is rare outside it; what it posted to blend in —
    popular hashtags, mainstream links, trending content — is everyone's, and says little."""
    full = max(float(config.common_floor), config.common_share * accounts, 1.0)

    def of(users: I64) -> F64:
        return np.minimum(1.0, full / np.maximum(users, 1).astype(np.float64))

    return of


def _counts(
    hits: Mapping[str, _Hits],
    n_ops: int,
    specific_of: Callable[[I64], F64],
    popular: Mapping[str, npt.NDArray[np.bool_]],
) -> Evidence:
    """Distinct matching values per (account, operation) and kind, the best distance or similarity, and the
    specificity-weighted count of the values."""
    counts: Counts = {}
    quality: Qualities = {}
    specific: Specific = {}
    width = max(n_ops, 1)
    for kind, found in hits.items():
        counts[kind], quality[kind], specific[kind] = {}, {}, {}
        if not found.account:
            continue
        account = np.concatenate(found.account)
        if not len(account):
            continue
        op, value, q = np.concatenate(found.op), np.concatenate(found.value), np.concatenate(found.quality)
        pair = account * width + op
        triples = np.unique(np.stack([pair, value], axis=1), axis=0)
        keys, n = np.unique(triples[:, 0], return_counts=True)
        for k, c in zip(keys.tolist(), n.tolist(), strict=True):
            counts[kind][divmod(k, width)] = c
        # Users of each value: distinct accounts, whatever operation the value was looked up for.
        users_of = np.unique(np.stack([triples[:, 1], triples[:, 0] // width], axis=1), axis=0)[:, 0]
        held, users = np.unique(users_of, return_counts=True)
        weight = np.zeros(int(max(held.max(initial=0), triples[:, 1].max(initial=0))) + 1)
        weight[held] = specific_of(users.astype(np.int64))
        if kind in popular and len(popular[kind]):
            weight[: len(popular[kind])][popular[kind][: len(weight)]] = 0.0
        summed = np.bincount(
            np.searchsorted(keys, triples[:, 0]), weights=weight[triples[:, 1]], minlength=len(keys)
        )
        for k, s in zip(keys.tolist(), summed.tolist(), strict=True):
            specific[kind][divmod(k, width)] = s
        if kind in ("pdq", "text"):
            # Best distance (smallest) for images, best similarity (largest) for texts.
            signed = q if kind == "pdq" else -q
            order = np.lexsort((signed, pair))
            first = order[run_starts(pair[order])]
            for k, v in zip(pair[first].tolist(), q[first].tolist(), strict=True):
                quality[kind][divmod(k, width)] = v
    return Evidence(counts, quality, specific)
