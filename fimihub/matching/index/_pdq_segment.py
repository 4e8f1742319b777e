"""Exact search of PDQ hashes within a Hamming distance, over one immutable block (a *segment*) of them.

A segment cuts the 256 bits into ``m`` chunks and keeps, per chunk, its rows grouped by the chunk's value
(multi-index hashing, Norouzi et al.). For a query with threshold ``t`` each chunk ``i`` gets a probe radius
``r_i`` with ``sum(r_i + 1) >= t + 1`` (``r_i = -1``: chunk not probed). A hash within ``t`` of the query has
per-chunk distances ``d_i`` adding up to at most ``t``, so some probed chunk has ``d_i <= r_i`` (pigeonhole):
probing every chunk value within ``r_i`` of the query's finds it. Every candidate is then checked on all 256
bits, so recall is exactly 1.0 and no hit is false. Radii are chosen per query threshold, so one segment
serves any threshold; only the speed changes.

Chunks are about ``log2(n)`` bits wide, so a bucket holds about one row: a query at ``t = 31`` over 10M
hashes touches a few thousand candidates instead of scanning 10M. Below a few thousand rows, or for
thresholds where probing would cost more than scanning, a segment simply scans all its rows.
"""

from __future__ import annotations

import itertools
import math
from concurrent.futures import ThreadPoolExecutor
from functools import cache, lru_cache

import numpy as np
import numpy.typing as npt

__all__ = ["Matches", "Segment", "Words", "distances", "scan"]

#: Hashes as rows of four native 64-bit words (the 32 bytes of a hash, viewed in place).
Words = npt.NDArray[np.uint64]
#: (query number, row, distance) of every verified match, as three parallel arrays.
Matches = tuple[npt.NDArray[np.intp], npt.NDArray[np.intp], npt.NDArray[np.uint16]]

# Rough costs in nanoseconds, measured on a 2-core machine with numpy 2: probing one bucket, verifying one
# candidate (a random 32-byte gather and a popcount) and comparing one row in a sequential scan. They only
# steer the choice of chunking and radii, never what is found.
_PROBE_NS = 60.0
_CANDIDATE_NS = 170.0
_SCAN_NS = 8.0
# Fixed numpy overhead per probed chunk and query batch, spread over a typical batch of 100 queries.
_CHUNK_NS = 400.0
# Radii whose probe list would be longer than this are never used (scanning is cheaper long before).
_MAX_PROBES = 50_000
# Segments at least this big build their chunks on two threads.
_PARALLEL_ROWS = 1 << 18
# Candidate and scan work per numpy step, in rows: bounds the temporary arrays to some tens of MiB.
_STEP_ROWS = 1 << 20


@cache
def _flip_masks(width: int, radius: int) -> npt.NDArray[np.intp]:
    """Every ``width``-bit mask with at most ``radius`` bits set: the bucket offsets to probe."""
    masks = [0]
    for k in range(1, radius + 1):
        masks.extend(sum(1 << b for b in bits) for bits in itertools.combinations(range(width), k))
    return np.array(masks, dtype=np.intp)


@cache
def _probes(width: int, radius: int) -> int:
    return sum(math.comb(width, k) for k in range(radius + 1))


def _chunk_cost(width: int, radius: int, n: int) -> float:
    """Estimated nanoseconds per query to probe one chunk at ``radius`` (0 if not probed)."""
    if radius < 0:
        return 0.0
    probes = _probes(width, radius)
    if probes > _MAX_PROBES:
        return math.inf
    return _CHUNK_NS + probes * (_PROBE_NS + _CANDIDATE_NS * n / 2.0**width)


@lru_cache(maxsize=4096)
def _radii(widths: tuple[int, ...], threshold: int, n: int) -> tuple[tuple[int, ...], float]:
    """Radii covering ``threshold`` by the pigeonhole rule at least cost, and that cost (inf: none)."""
    if not widths:
        return (), math.inf
    radii = [-1] * len(widths)
    # Hand out the t + 1 units one at a time to the chunk whose cost grows least: cheap and close to the best
    # allocation, since a chunk's next unit of radius costs more than its last. Exactness only needs the
    # units to add up to t + 1.
    for _ in range(threshold + 1):
        steps = [_chunk_cost(w, r + 1, n) - _chunk_cost(w, r, n) for w, r in zip(widths, radii, strict=True)]
        best = min(range(len(widths)), key=steps.__getitem__)
        if math.isinf(steps[best]):
            return (), math.inf
        radii[best] += 1
    return tuple(radii), sum(_chunk_cost(w, r, n) for w, r in zip(widths, radii, strict=True))


def choose_widths(n: int, threshold: int) -> tuple[int, ...]:
    """The chunk widths (summing to 256) that make queries at ``threshold`` cheapest; () means scan."""
    # Planned for the next power of two: plans change slowly with size, and this keeps the cache small.
    return _plan(1 << max(n - 1, 0).bit_length(), threshold)


@lru_cache(maxsize=256)
def _plan(n: int, threshold: int) -> tuple[int, ...]:
    best: tuple[int, ...] = ()
    best_cost = _SCAN_NS * n
    # Buckets much wider than the row count only cost memory (their offset tables are 2**width long); keys
    # stay within two 16-bit radix digits.
    max_width = min(28, max(12, math.ceil(math.log2(max(n, 2))) + 1))
    for m in range(math.ceil(256 / max_width), 65):
        widths = tuple(256 // m + (1 if i < 256 % m else 0) for i in range(m))
        _, cost = _radii(widths, threshold, n)
        if cost < best_cost:
            best, best_cost = widths, cost
    return best


def chunk_keys(words: Words, start: int, width: int) -> npt.NDArray[np.uint32]:
    """The value of bits ``start .. start + width`` (width at most 32) of each row, across the words."""
    word, shift = divmod(start, 64)
    keys = words[:, word] >> np.uint64(shift)
    if shift + width > 64:
        keys |= words[:, word + 1] << np.uint64(64 - shift)
    return (keys & np.uint64((1 << width) - 1)).astype(np.uint32)


def _group(keys: npt.NDArray[np.uint32], width: int) -> tuple[npt.NDArray[np.int32], npt.NDArray[np.int32]]:
    """Bucket offsets (``2**width + 1``) and the rows ordered by bucket, by an LSD radix sort on two 16-bit
    digits (numpy sorts 16-bit keys by radix, several times faster than it sorts wider ones)."""
    order = np.argsort(keys.astype(np.uint16), kind="stable")
    if width > 16:
        order = order[np.argsort((keys >> 16).astype(np.uint16)[order], kind="stable")]
    offsets = np.zeros((1 << width) + 1, dtype=np.int32)
    np.cumsum(np.bincount(keys, minlength=1 << width), out=offsets[1:])
    return offsets, order.astype(np.int32)


def distances(a: Words, b: Words) -> npt.NDArray[np.uint16]:
    """Row-wise Hamming distance of two equally shaped word arrays (or one broadcast against the other)."""
    counts = np.bitwise_count(a ^ b)
    total: npt.NDArray[np.uint16] = counts.sum(axis=-1, dtype=np.uint16)
    return total


def _ragged_range(starts: npt.NDArray[np.int32], counts: npt.NDArray[np.int32]) -> npt.NDArray[np.intp]:
    """``concatenate([arange(s, s + c) for s, c in zip(starts, counts)])`` without a Python loop."""
    ends = np.cumsum(counts, dtype=np.intp)
    positions: npt.NDArray[np.intp] = np.arange(int(ends[-1]), dtype=np.intp)
    positions += np.repeat(starts - (ends - counts), counts)
    return positions


class Segment:
    """An immutable block of hashes with their entry ids, a tombstone mask and per-chunk buckets."""

    def __init__(self, words: Words, entries: npt.NDArray[np.int64], design_threshold: int) -> None:
        self.words = np.ascontiguousarray(words)
        self.entries = entries
        self.alive = np.ones(len(entries), dtype=bool)
        self.live = len(entries)
        self.widths = choose_widths(len(entries), design_threshold)
        self.starts = tuple(itertools.accumulate(self.widths, initial=0))[:-1]
        self._buckets = self._build_buckets()
        # Entry ids usually arrive increasing (the matcher numbers signals in order); then no sort is kept.
        increasing = bool(np.all(entries[1:] > entries[:-1]))
        self._by_entry = None if increasing else np.argsort(entries, kind="stable")
        # The transposed copy a scan streams through, made on first use (small segments, huge thresholds).
        self._columns: Words | None = None

    def __len__(self) -> int:
        return len(self.entries)

    def _build_buckets(self) -> list[tuple[npt.NDArray[np.int32], npt.NDArray[np.int32]]]:
        def build(chunk: tuple[int, int]) -> tuple[npt.NDArray[np.int32], npt.NDArray[np.int32]]:
            return _group(chunk_keys(self.words, *chunk), chunk[1])

        chunks = list(zip(self.starts, self.widths, strict=True))
        if len(self) < _PARALLEL_ROWS:
            return [build(c) for c in chunks]
        # numpy sorts without holding the GIL, so chunks of a big segment build side by side on two cores.
        with ThreadPoolExecutor(max_workers=2) as pool:
            return list(pool.map(build, chunks))

    def rows_of(self, entries: npt.NDArray[np.int64]) -> npt.NDArray[np.intp]:
        """Rows holding any of ``entries`` (dead or alive); ids not in this segment are skipped."""
        if not len(self) or not len(entries):
            return np.empty(0, np.intp)
        ordered = self.entries if self._by_entry is None else self.entries[self._by_entry]
        at = np.minimum(np.searchsorted(ordered, entries), len(ordered) - 1)
        found: npt.NDArray[np.intp] = at[ordered[at] == entries]
        return found if self._by_entry is None else self._by_entry[found]

    def kill(self, rows: npt.NDArray[np.intp]) -> None:
        """Tombstone ``rows``; queries skip them from now on."""
        rows = rows[self.alive[rows]]
        self.alive[rows] = False
        self.live -= len(rows)

    def search(self, queries: Words, threshold: int) -> Matches:
        """Every live row within ``threshold`` of each query, each (query, row) pair once."""
        radii, cost = _radii(self.widths, threshold, len(self))
        scan = cost >= _SCAN_NS * len(self)
        # Rows a query touches per numpy step: all of them when scanning, else the largest chunk's probes
        # plus candidates. Queries go in batches that keep the temporary arrays near _STEP_ROWS rows.
        touched = (
            len(self)
            if scan
            else max(_probes(w, r) * (1 + (len(self) >> w)) for w, r in zip(self.widths, radii, strict=True))
        )
        step = max(1, _STEP_ROWS // max(touched, 1))
        parts: list[Matches] = []
        for first in range(0, len(queries), step):
            batch = queries[first : first + step]
            q, rows, dist = self._scan(batch, threshold) if scan else self._probe(batch, radii, threshold)
            keep = self.alive[rows]
            parts.append((q[keep] + first, rows[keep], dist[keep]))
        q, rows, dist = _concat(parts)
        if len(q) and not scan:
            # A row can be reached through several chunks; keep one copy of each (query, row) pair.
            _, first_seen = np.unique(q * len(self) + rows, return_index=True)
            q, rows, dist = q[first_seen], rows[first_seen], dist[first_seen]
        return q, rows, dist

    def _scan(self, queries: Words, threshold: int) -> Matches:
        if self._columns is None:
            self._columns = np.ascontiguousarray(self.words.T)
        return scan(queries, self._columns, threshold)

    def _probe(self, queries: Words, radii: tuple[int, ...], threshold: int) -> Matches:
        parts: list[Matches] = []
        chunks = zip(self.starts, self.widths, radii, self._buckets, strict=True)
        for start, width, radius, (offsets, order) in chunks:
            if radius < 0:
                continue
            masks = _flip_masks(width, radius)
            keys = (chunk_keys(queries, start, width).astype(np.intp)[:, None] ^ masks[None, :]).ravel()
            lo = offsets[keys]
            counts = offsets[keys + 1] - lo
            hit = np.flatnonzero(counts)
            if not len(hit):
                continue
            lo, counts = lo[hit], counts[hit]
            rows = order[_ragged_range(lo, counts)].astype(np.intp)
            q = np.repeat(hit // len(masks), counts)
            # np.take is several times faster than fancy indexing for gathering whole rows.
            dist = distances(np.take(self.words, rows, axis=0), np.take(queries, q, axis=0))
            near = np.flatnonzero(dist <= threshold)
            parts.append((q[near], rows[near], dist[near]))
        return _concat(parts)


def scan(queries: Words, columns: Words, threshold: int) -> Matches:
    """Brute force: every query against every row, ``columns`` being the hashes transposed to ``(4, n)``.

    Word by word over contiguous columns, so each numpy step streams memory once; a block of queries at a
    time keeps the ``(queries, rows)`` distance matrix near _STEP_ROWS cells.
    """
    n = columns.shape[1]
    step = max(1, _STEP_ROWS // max(n, 1))
    parts: list[Matches] = []
    for first in range(0, len(queries), step):
        block = queries[first : first + step]
        dist = np.zeros((len(block), n), dtype=np.uint16)
        for word in range(4):
            dist += np.bitwise_count(block[:, word, None] ^ columns[word][None, :])
        q, rows = np.nonzero(dist <= threshold)
        parts.append((q + first, rows, dist[q, rows]))
    return _concat(parts)


def _concat(parts: list[Matches]) -> Matches:
    if not parts:
        return np.empty(0, np.intp), np.empty(0, np.intp), np.empty(0, np.uint16)
    return (
        np.concatenate([p[0] for p in parts]),
        np.concatenate([p[1] for p in parts]),
        np.concatenate([p[2] for p in parts]),
    )
