"""Resurgence detection: which new accounts are a disrupted operation coming back?

Accounts of a platform export (no time window needed) are scored against the fingerprints of disrupted
operations (:mod:`fimihub.coordination.fingerprint`), then the likely ones are *confirmed* by co-action.

Evidence, per account and operation (each kind can be switched off by giving it weight 0):

``domain``, ``url``, ``hashtag``
    distinct fingerprint values the account used, looked up exactly (registrable domains of its links,
    canonical URLs, canonical hashtags).
``pdq``
    distinct fingerprint images the account posted a near-duplicate of: PDQ Hamming distance at most
    :attr:`ResurgenceConfig.pdq_distance`, found with the PDQ index.
``text``
    distinct fingerprint texts the account posted a near-duplicate of: estimated word-shingle Jaccard of at
    least :attr:`ResurgenceConfig.text_similarity` (less the estimate's error margin), found with MinHash LSH.
``handle``
    the account's handle has a pattern in the fingerprint (renames such as ``name_1234`` -> ``name_1235`` and
    look-alike letters keep the pattern). A pattern that several new accounts share says less about each:
    the evidence is ``1 / n`` for a pattern ``n`` scanned accounts have.
``rhythm``
    how much more the account's posting hours and weekdays look like the operation's than like everyone's
    in the export (Bhattacharyya coefficients), for accounts with at least ``min_rhythm_posts`` posts. It
    never makes a candidate on its own: it is only weighed for accounts with other evidence.

Scoring: kind ``k`` with ``n`` matching values gives ``c_k = weight_k * (1 - (1 - first_hit)^n)`` (the first
value earns ``first_hit`` of the kind's weight, each further one the same share of what is left); handle and
rhythm give ``weight_k * strength``. Kinds combine as independent evidence, ``score = 1 - prod(1 - c_k)``, so
the score is in ``[0, 1]``, grows with every kind, and no single kind can exceed its weight. Accounts whose
best score reaches :attr:`ResurgenceConfig.threshold` are *candidates*.

Confirmation: operations return as networks. Candidates of the same operation that co-act with each other
(:func:`fimihub.coordination.coaction.coaction_edges`: the same objects within ``coaction_window_s``, on at
least ``min_coaction_weight`` distinct objects) are *confirmed*. Benign look-alikes — fans who share an
operation's links and hashtags now and then — score as candidates but do not act in step with the
operation's accounts, so they stay unconfirmed. With :attr:`ResurgenceConfig.confirm` (the default) only
confirmed candidates are *flagged*; every candidate is reported either way, for review.

Everything is looked up by distinct value, in batches of rows, with exact sets, the PDQ index and the text
index, so millions of posts take seconds to minutes (text signing dominates). No clock, store or network.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, fields, replace

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from fimihub.coordination._features import (
    ExportView,
    Occurrences,
    check_key,
    export_view,
    handle_patterns,
    hashtag_occurrences,
    histograms,
    keyed_patterns,
    pattern_key_id,
    pdq_occurrences,
    text_occurrences,
    url_occurrences,
)
from fimihub.coordination.actions import actions_from_export
from fimihub.coordination.coaction import coaction_edges
from fimihub.coordination.fingerprint import OperationFingerprint
from fimihub.errors import ValidationError
from fimihub.matching import minhash
from fimihub.matching.index.pdq import PdqIndex, parse_hashes
from fimihub.matching.index.text import TextIndex
from fimihub.vocab import platform as platform_slug

__all__ = [
    "CANDIDATE_SCHEMA",
    "EVIDENCE_KINDS",
    "EvidenceWeights",
    "Progress",
    "ResurgenceConfig",
    "ResurgenceResult",
    "score_accounts",
]

I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]
Progress = Callable[[int, int], None]

#: The kinds of evidence, in the order the evidence summary lists them.
EVIDENCE_KINDS = ("domain", "url", "hashtag", "pdq", "text", "handle", "rhythm")
_COUNTED = ("domain", "url", "hashtag", "pdq", "text")

CANDIDATE_SCHEMA = pa.schema(
    [
        pa.field("platform", pa.string(), nullable=False),
        pa.field("account_id", pa.string(), nullable=False),
        pa.field("operation", pa.string(), nullable=False),
        pa.field("score", pa.float64(), nullable=False),
        pa.field("confirmed", pa.bool_(), nullable=False),
        pa.field("flagged", pa.bool_(), nullable=False),
        pa.field("coactors", pa.int64(), nullable=False),
        pa.field("evidence", pa.string(), nullable=False),
    ]
)
"""One row per candidate account: where it is, the operation it most likely belongs to, its score, whether
co-action confirmed it and how many other candidates of that operation it co-acted with, whether it is
flagged for review, and the evidence as compact JSON (matching values per kind, best PDQ distance and text
similarity, handle and rhythm strengths)."""


@dataclass(frozen=True)
class EvidenceWeights:
    """The most each kind of evidence can add to a score (``0`` switches the kind off).

    Copied content (near-duplicate texts and images) weighs most: an operation's returning accounts repost
    it, while ordinary users rarely post the same narrative word for word. Links and hashtags are what
    look-alike fans share too, so they weigh less; a handle pattern is suggestive but names collide; posting
    hours are weak evidence and only ever add to other evidence.
    """

    domain: float = 0.5
    url: float = 0.6
    hashtag: float = 0.5
    pdq: float = 0.85
    text: float = 0.85
    handle: float = 0.5
    rhythm: float = 0.2

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, bool) or not isinstance(value, int | float) or not 0.0 <= value <= 1.0:
                raise ValidationError(f"weights.{f.name}", "must be a number from 0 to 1")

    def of(self, kind: str) -> float:
        return float(getattr(self, kind))

    def without(self, kind: str) -> EvidenceWeights:
        """These weights with ``kind`` switched off."""
        if kind not in EVIDENCE_KINDS:
            raise ValidationError("kind", f"unknown evidence kind {kind!r}")
        return replace(self, **{kind: 0.0})


@dataclass(frozen=True)
class ResurgenceConfig:
    """How accounts are scored and confirmed. The defaults are tuned on simulated worlds (docs/coordination.md
    gives the measured precision and recall)."""

    weights: EvidenceWeights = field(default_factory=EvidenceWeights)
    #: Share of a kind's weight its first matching value earns; each further value earns the same share of
    #: what is left (0.5: one value half the weight, two three quarters).
    first_hit: float = 0.5
    #: Score from which an account is a candidate.
    threshold: float = 0.6
    #: Largest PDQ Hamming distance of a near-duplicate image (PDQ's own confident-match distance).
    pdq_distance: int = 31
    #: Smallest estimated Jaccard similarity of a near-duplicate text (returning operations edit their texts).
    text_similarity: float = 0.6
    #: Posts an account needs before its posting rhythm is weighed.
    min_rhythm_posts: int = 8
    #: Flag only candidates confirmed by co-action.
    confirm: bool = True
    #: Seconds within which two accounts acting on the same object co-act.
    coaction_window_s: int = 600
    #: Distinct objects two candidates must have co-acted on to count as co-actors.
    min_coaction_weight: int = 2
    #: Co-actors of the same operation a candidate needs to be confirmed.
    min_coactors: int = 1
    #: Rows looked up at a time (bounds memory; progress is reported per batch).
    batch_rows: int = 200_000

    def __post_init__(self) -> None:
        if not 0.0 < self.first_hit <= 1.0:
            raise ValidationError("first_hit", "must be above 0 and at most 1")
        if not 0.0 < self.threshold <= 1.0:
            raise ValidationError("threshold", "must be above 0 and at most 1")
        if isinstance(self.pdq_distance, bool) or not 0 <= self.pdq_distance <= 256:
            raise ValidationError("pdq_distance", "must be a whole number of bits from 0 to 256")
        if not 0.5 <= self.text_similarity < 1.0:
            raise ValidationError("text_similarity", "must be at least 0.5 and below 1")
        for name in ("min_rhythm_posts", "coaction_window_s"):
            if getattr(self, name) < 0:
                raise ValidationError(name, "must not be negative")
        for name in ("min_coaction_weight", "min_coactors", "batch_rows"):
            if getattr(self, name) < 1:
                raise ValidationError(name, "must be at least 1")


@dataclass(frozen=True)
class ResurgenceResult:
    """What a resurgence scan found: :data:`CANDIDATE_SCHEMA` rows, best score first, and what it read."""

    candidates: pa.Table
    rows: int
    accounts: int
    skipped: dict[str, int]

    def flagged(self) -> pa.Table:
        """The candidates flagged for review."""
        return self.candidates.filter(self.candidates.column("flagged"))


# -- fingerprint look-ups ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _ExactLookup:
    """Distinct fingerprint values of one kind, and the operations holding each (CSR: value ``v`` belongs to
    ``ops[starts[v]:starts[v + 1]]``)."""

    values: pa.Array
    starts: I64
    ops: I64

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


def _expand(starts: I64, owners: I64, rows: I64, found: I64) -> tuple[I64, I64, I64]:
    """Rows with a fingerprint value, one entry per operation holding it: (row, value, operation)."""
    hit = found >= 0
    rows, found = rows[hit], found[hit]
    width = starts[found + 1] - starts[found]
    at = np.repeat(starts[found] - np.cumsum(width) + width, width) + np.arange(int(width.sum()))
    return np.repeat(rows, width), np.repeat(found, width), owners[at]


def _csr(keys: I64, size: int) -> tuple[I64, I64]:
    """Order of ``keys`` and the start of each key's run in it."""
    order = np.argsort(keys, kind="stable")
    return order, np.searchsorted(keys[order], np.arange(size + 1))


def score_accounts(
    table: pa.Table,
    fingerprints: Sequence[OperationFingerprint],
    *,
    key: bytes | Sequence[bytes] | None = None,
    config: ResurgenceConfig | None = None,
    progress: Progress | None = None,
) -> ResurgenceResult:
    """Score every account of the platform export ``table`` against ``fingerprints`` (see the module doc).

    ``platform`` and ``account_id`` are required (``ValidationError`` names each one missing); the other
    export columns are used when present, and unreadable values are counted in ``skipped`` by column.
    ``key`` (one key or several) is what the fingerprints' handle patterns were made with; a fingerprint
    whose ``pattern_key_id`` names none of them gets no handle evidence (counted as
    ``skipped["handle_key"]``). ``progress(done, total)`` is called with rows looked up so far.
    """
    config = config or ResurgenceConfig()
    skipped: Counter[str] = Counter()
    view = export_view(table, skipped)
    weights = config.weights
    fps = list(fingerprints)
    n_ops = len(fps)
    hits = {kind: _Hits() for kind in _COUNTED}
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

    counts, quality = _counts(hits, n_ops)
    handle = _handle_evidence(view, fps, key, skipped) if weights.handle > 0 else {}
    pairs = sorted(set().union(*(c.keys() for c in counts.values()), handle.keys()))
    scores, rhythm = _scores(pairs, counts, handle, view, fps, config)
    chosen = [(p, s) for p, s in zip(pairs, scores, strict=True) if s >= config.threshold]
    coactors = _coactors(table, view, [p for p, _ in chosen], n_ops, config, skipped)
    candidates = _candidates(chosen, coactors, counts, quality, handle, rhythm, view, fps, config)
    if progress is not None:
        progress(total, total)
    return ResurgenceResult(candidates, view.rows, view.accounts, dict(skipped))


def _pdq_lookup(fps: Sequence[OperationFingerprint], config: ResurgenceConfig) -> tuple[PdqIndex, I64]:
    index = PdqIndex(config.pdq_distance)
    values = [(h, o) for o, f in enumerate(fps) for h in f.pdq]
    if values:
        index.add_hashes(parse_hashes([h for h, _ in values]), np.arange(len(values)))
    return index, np.asarray([o for _, o in values], dtype=np.int64)


def _text_lookup(fps: Sequence[OperationFingerprint], config: ResurgenceConfig) -> tuple[TextIndex, I64]:
    index = TextIndex(config.text_similarity)
    values = [(s, o) for o, f in enumerate(fps) for s in f.text_signatures]
    if values:
        index.add_signatures(minhash.decode_many([s for s, _ in values]), np.arange(len(values)))
    return index, np.asarray([o for _, o in values], dtype=np.int64)


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
    order, starts = _csr(q, int(max(ids.max(initial=0), q.max(initial=0))) + 1)
    width = starts[ids + 1] - starts[ids]
    at = order[np.repeat(starts[ids] - np.cumsum(width) + width, width) + np.arange(int(width.sum()))]
    rows = np.repeat(rows, width)
    into.add(account[rows], entry_op[entry[at]], entry[at], quality[at])


def _counts(
    hits: Mapping[str, _Hits], n_ops: int
) -> tuple[dict[str, dict[tuple[int, int], int]], dict[str, dict[tuple[int, int], float]]]:
    """Distinct matching values per (account, operation) and kind, and the best distance or similarity."""
    counts: dict[str, dict[tuple[int, int], int]] = {}
    quality: dict[str, dict[tuple[int, int], float]] = {}
    for kind, found in hits.items():
        counts[kind], quality[kind] = {}, {}
        if not found.account:
            continue
        account = np.concatenate(found.account)
        if not len(account):
            continue
        op, value, q = np.concatenate(found.op), np.concatenate(found.value), np.concatenate(found.quality)
        pair = account * max(n_ops, 1) + op
        triples = np.unique(np.stack([pair, value], axis=1), axis=0)
        keys, n = np.unique(triples[:, 0], return_counts=True)
        for k, c in zip(keys.tolist(), n.tolist(), strict=True):
            counts[kind][divmod(k, max(n_ops, 1))] = c
        if kind in ("pdq", "text"):
            # Best distance (smallest) for images, best similarity (largest) for texts.
            signed = q if kind == "pdq" else -q
            order = np.lexsort((signed, pair))
            first = np.r_[True, pair[order][1:] != pair[order][:-1]]
            for k, v in zip(pair[order][first].tolist(), q[order][first].tolist(), strict=True):
                quality[kind][divmod(k, max(n_ops, 1))] = v
    return counts, quality


def _handle_evidence(
    view: ExportView,
    fps: Sequence[OperationFingerprint],
    key: bytes | Sequence[bytes] | None,
    skipped: Counter[str],
) -> dict[tuple[int, int], float]:
    """Handle evidence per (account, operation): ``1 / n`` for its rarest shared pattern, held by ``n``."""
    if "handle" not in view.columns or not any(f.handle_patterns for f in fps):
        return {}
    keys = [] if key is None else [key] if isinstance(key, bytes | bytearray) else list(key)
    by_id = {pattern_key_id(check_key(k)): bytes(k) for k in keys}
    encoded = view.columns["handle"].dictionary_encode()
    valid = view.account >= 0
    codes = np.asarray(encoded.indices.to_numpy(zero_copy_only=False), dtype=np.int64)
    pairs = np.unique(np.stack([view.account[valid], codes[valid]], axis=1), axis=0)
    names = encoded.dictionary.to_pylist()
    clear = {c: handle_patterns(names[c]) for c in np.unique(pairs[:, 1]).tolist() if names[c]}
    evidence: dict[tuple[int, int], float] = {}
    for key_id in sorted({f.pattern_key_id for f in fps if f.handle_patterns and f.pattern_key_id}):
        ops = [o for o, f in enumerate(fps) if f.handle_patterns and f.pattern_key_id == key_id]
        if key_id not in by_id:
            skipped["handle_key"] += len(ops)
            continue
        digests = {c: keyed_patterns(by_id[key_id], p) for c, p in clear.items()}
        holders: dict[str, set[int]] = defaultdict(set)
        for account, code in pairs.tolist():
            for d in digests.get(code, ()):
                holders[d].add(account)
        for o in ops:
            for d in fps[o].handle_patterns:
                for account in holders.get(d, ()):
                    strength = 1.0 / len(holders[d])
                    if strength > evidence.get((account, o), 0.0):
                        evidence[(account, o)] = strength
    return evidence


def _scores(
    pairs: Sequence[tuple[int, int]],
    counts: Mapping[str, Mapping[tuple[int, int], int]],
    handle: Mapping[tuple[int, int], float],
    view: ExportView,
    fps: Sequence[OperationFingerprint],
    config: ResurgenceConfig,
) -> tuple[list[float], dict[tuple[int, int], float]]:
    """Each pair's score, and the rhythm strength of the pairs where it was weighed."""
    w = config.weights
    miss = np.ones(len(pairs))
    for kind in _COUNTED:
        n = np.array([counts[kind].get(p, 0) for p in pairs], dtype=np.float64)
        miss *= 1.0 - w.of(kind) * (1.0 - (1.0 - config.first_hit) ** n)
    miss *= 1.0 - w.handle * np.array([handle.get(p, 0.0) for p in pairs])
    rhythm = _rhythm(pairs, view, fps, config) if w.rhythm > 0 else {}
    miss *= 1.0 - w.rhythm * np.array([rhythm.get(p, 0.0) for p in pairs])
    return (1.0 - miss).tolist(), rhythm


def _rhythm(
    pairs: Sequence[tuple[int, int]],
    view: ExportView,
    fps: Sequence[OperationFingerprint],
    config: ResurgenceConfig,
) -> dict[tuple[int, int], float]:
    """How much more each account posts on its operation's hours and days than on everyone's (0 to 1)."""
    if not pairs or not view.has_time.any():
        return {}
    accounts = np.unique(np.array([a for a, _ in pairs], dtype=np.int64))
    slot = np.full(view.accounts, -1, dtype=np.int64)
    slot[accounts] = np.arange(len(accounts))
    timed = np.flatnonzero(view.has_time)
    all_hours, all_days = histograms(np.zeros(len(timed), np.int64), view.times[timed], 1)
    mine = timed[slot[view.account[timed]] >= 0]
    hours, days = histograms(slot[view.account[mine]], view.times[mine], len(accounts))
    posts = hours.sum(axis=1)

    def bc(x: F64, y: F64) -> F64:
        return np.asarray(np.sqrt(x * y).sum(axis=-1), dtype=np.float64)

    share_h = hours / np.maximum(posts, 1)[:, None]
    share_d = days / np.maximum(posts, 1)[:, None]
    everyone = 0.5 * (bc(share_h, all_hours[0] / all_hours.sum()) + bc(share_d, all_days[0] / all_days.sum()))
    out: dict[tuple[int, int], float] = {}
    for a, o in pairs:
        rhythm = fps[o].rhythm
        s = int(slot[a])
        if rhythm is None or posts[s] < config.min_rhythm_posts:
            continue
        theirs = 0.5 * (
            float(bc(share_h[s], np.asarray(rhythm.hours)))
            + float(bc(share_d[s], np.asarray(rhythm.weekdays)))
        )
        base = float(everyone[s])
        if theirs > base and base < 1.0:
            out[(a, o)] = min(1.0, (theirs - base) / (1.0 - base))
    return out


def _coactors(
    table: pa.Table,
    view: ExportView,
    pairs: Sequence[tuple[int, int]],
    n_ops: int,
    config: ResurgenceConfig,
    skipped: Counter[str],
) -> dict[tuple[int, int], int]:
    """Per candidate pair, how many candidates of the same operation it co-acts with."""
    if len(pairs) < 2 or "posted_at" not in table.column_names:
        return {}
    accounts = np.unique(np.array([a for a, _ in pairs], dtype=np.int64))
    rows = np.flatnonzero(np.isin(view.account, accounts))
    sub = table.take(pa.array(rows))
    platforms = []
    for name in view.platforms:
        try:
            platforms.append(platform_slug(name))
        except ValueError:
            platforms.append("unknown")
    codes = view.account[rows]
    # The account as its code, so edges name accounts without a second look-up of platform and id.
    sub = sub.set_column(
        sub.column_names.index("platform"), "platform", pa.array([platforms[c] for c in codes.tolist()])
    )
    sub = sub.set_column(
        sub.column_names.index("account_id"), "account_id", pa.array([str(c) for c in codes.tolist()])
    )
    actions = actions_from_export(sub)
    edges = coaction_edges(
        actions.actions, window_s=config.coaction_window_s, min_weight=config.min_coaction_weight
    )
    ops_of: dict[int, set[int]] = defaultdict(set)
    for a, o in pairs:
        ops_of[a].add(o)
    found: Counter[tuple[int, int]] = Counter()
    first = [int(s.rsplit(":", 1)[1]) for s in edges.column("account_1").to_pylist()]
    second = [int(s.rsplit(":", 1)[1]) for s in edges.column("account_2").to_pylist()]
    for a, b in zip(first, second, strict=True):
        for o in ops_of[a] & ops_of[b]:
            found[(a, o)] += 1
            found[(b, o)] += 1
    return dict(found)


def _candidates(
    chosen: Sequence[tuple[tuple[int, int], float]],
    coactors: Mapping[tuple[int, int], int],
    counts: Mapping[str, Mapping[tuple[int, int], int]],
    quality: Mapping[str, Mapping[tuple[int, int], float]],
    handle: Mapping[tuple[int, int], float],
    rhythm: Mapping[tuple[int, int], float],
    view: ExportView,
    fps: Sequence[OperationFingerprint],
    config: ResurgenceConfig,
) -> pa.Table:
    """One row per account: its confirmed operation if any, else its best scoring one."""
    best: dict[int, tuple[bool, float, str, int]] = {}
    for (a, o), score in chosen:
        confirmed = coactors.get((a, o), 0) >= config.min_coactors
        rank = (confirmed, score, fps[o].operation, o)
        if a not in best or rank[:2] > best[a][:2]:
            best[a] = rank
    rows: list[tuple[float, str, str, str, bool, int, str]] = []
    for a, (confirmed, score, operation, o) in best.items():
        evidence: dict[str, object] = {}
        for kind in _COUNTED:
            n = counts[kind].get((a, o), 0)
            if n:
                evidence[kind] = n
        if (a, o) in quality["pdq"]:
            evidence["pdq_distance"] = int(quality["pdq"][(a, o)])
        if (a, o) in quality["text"]:
            evidence["text_similarity"] = round(quality["text"][(a, o)], 3)
        if (a, o) in handle:
            evidence["handle"] = round(handle[(a, o)], 3)
        if (a, o) in rhythm:
            evidence["rhythm"] = round(rhythm[(a, o)], 3)
        coacting = coactors.get((a, o), 0)
        if coacting:
            evidence["coactors"] = coacting
        summary = json.dumps(evidence, separators=(",", ":"))
        rows.append((-score, view.platforms[a], view.account_ids[a], operation, confirmed, coacting, summary))
    rows.sort()
    columns = list(zip(*rows, strict=True)) if rows else [()] * 7
    return pa.table(
        {
            "platform": pa.array(columns[1], pa.string()),
            "account_id": pa.array(columns[2], pa.string()),
            "operation": pa.array(columns[3], pa.string()),
            "score": pa.array([round(-s, 6) for s in columns[0]], pa.float64()),
            "confirmed": pa.array(columns[4], pa.bool_()),
            "flagged": pa.array([c or not config.confirm for c in columns[4]], pa.bool_()),
            "coactors": pa.array(columns[5], pa.int64()),
            "evidence": pa.array(columns[6], pa.string()),
        },
        schema=CANDIDATE_SCHEMA,
    )
