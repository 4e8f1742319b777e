"""MinHash LSH index of ``mh1`` text signatures: finds the entries whose texts are near-duplicates of a query.

Banding: a signature's first ``bands x rows`` MinHash values are cut into bands of ``rows`` values; two texts
become candidates when any band agrees exactly, which for Jaccard similarity ``J`` happens with probability
``1 - (1 - J^rows)^bands`` (the S-curve). :func:`lsh_shape` picks the most selective shape whose S-curve still
finds :data:`LSH_RECALL` of the pairs at the threshold. For the default threshold 0.8 that is 21 bands of 6
rows (126 of the 128 values)::

    J           0.3     0.4     0.5     0.6     0.7     0.8     0.9
    candidate   0.015   0.083   0.282   0.633   0.928   0.998   1.000

(7 rows x 18 bands would find only 0.985 at 0.8; 5 x 25 would make a candidate of half the pairs at 0.5.)

Candidates are verified on all 128 values: a hit needs :func:`min_agreement` of them to agree, three standard
errors of the estimate below the threshold (89 of 128 for 0.8), so a pair *at* the threshold is kept with
probability 0.998 and one at Jaccard 0.5 almost never. Hits carry the estimate: ``score = J``,
``distance = 1 - J``; callers wanting only estimates above the threshold filter on ``score``.

Layout: signatures sit in one growing ``uint32`` array indexed by slot; band keys (64-bit hashes of a band's
values) are kept in a few sorted runs of ``(key, slot)`` with a directory on their top bits, merged like a
binary counter as entries are added, so adding costs amortised ``O(log n)`` sorting and a batch of queries a
few vectorised look-ups per run. Removal leaves a tombstone; the index compacts itself once tombstones
outnumber live entries (and at least 1024 of them wait).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import BinaryIO, ClassVar, Self

import numpy as np
import numpy.typing as npt

from fimihub.errors import ValidationError
from fimihub.matching import minhash
from fimihub.matching.base import Hit, SignalIndex
from fimihub.matching.index import fileformat

__all__ = [
    "DEFAULT_THRESHOLD",
    "LSH_RECALL",
    "TextIndex",
    "candidate_probability",
    "check_threshold",
    "lsh_shape",
    "min_agreement",
]

DEFAULT_THRESHOLD = 0.8
#: Share of pairs at exactly the threshold that banding must make candidates.
LSH_RECALL = 0.99
_K = minhash.NUM_PERM
# Candidate pairs compared on their full signatures at a time (8 MiB of uint32 pairs).
_VERIFY_CHUNK = 1 << 14


def candidate_probability(jaccard: float, bands: int, rows: int) -> float:
    """The chance that two texts of Jaccard similarity ``jaccard`` share at least one band."""
    return float(1.0 - (1.0 - jaccard**rows) ** bands)


def lsh_shape(threshold: float) -> tuple[int, int]:
    """``(bands, rows)``: most rows per band (fewest false candidates) that still reach :data:`LSH_RECALL`."""
    for rows in range(_K, 0, -1):
        if candidate_probability(threshold, _K // rows, rows) >= LSH_RECALL:
            return _K // rows, rows
    raise AssertionError("one row per band always qualifies")  # pragma: no cover


def min_agreement(threshold: float) -> int:
    """MinHash values that must agree for a hit: the threshold less three standard errors of the estimate."""
    floor = threshold - 3.0 * math.sqrt(threshold * (1.0 - threshold) / _K)
    return math.ceil(floor * _K)


def check_threshold(threshold: float) -> float:
    """``threshold`` as a float, or ``ValueError`` if the index cannot serve it."""
    if not 0.5 <= threshold < 1.0:
        raise ValueError(f"text match threshold must be at least 0.5 and below 1, not {threshold}")
    return float(threshold)


@dataclass(frozen=True, slots=True)
class _Run:
    """Band keys in order with their slots, and a directory on the keys' top bits: the keys starting with
    ``p`` sit at ``directory[p]:directory[p + 1]``. With about one cell per key a look-up touches two or three
    cache lines, where a binary search over millions of keys would miss the cache on most of its steps."""

    keys: npt.NDArray[np.uint64]
    slots: npt.NDArray[np.int64]
    directory: npt.NDArray[np.int64]
    shift: np.uint64

    @classmethod
    def build(cls, keys: npt.NDArray[np.uint64], slots: npt.NDArray[np.int64]) -> _Run:
        order = np.argsort(keys, kind="stable")
        keys, slots = keys[order], slots[order]
        bits = max(1, len(keys).bit_length() - 1)
        shift = np.uint64(64 - bits)
        directory = np.zeros((1 << bits) + 1, dtype=np.int64)
        np.cumsum(np.bincount((keys >> shift).astype(np.int64), minlength=1 << bits), out=directory[1:])
        return cls(keys, slots, directory, shift)

    def find(self, keys: npt.NDArray[np.uint64]) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
        """Positions in this run holding one of ``keys``, and which of ``keys`` each holds."""
        cell = (keys >> self.shift).astype(np.int64)
        lo = self.directory[cell]
        width = self.directory[cell + 1] - lo
        # Every position of every key's cell, without a Python loop; then keep the exact matches.
        asked = np.repeat(np.arange(len(keys)), width)
        positions = np.repeat(lo - np.cumsum(width) + width, width) + np.arange(int(width.sum()))
        match = self.keys[positions] == keys[asked]
        return positions[match], asked[match]


class TextIndex(SignalIndex):
    """Near-duplicate texts by MinHash LSH; values are ``mh1`` signature strings (see :mod:`..minhash`)."""

    format_name: ClassVar[str] = "fimihub.text-minhash-lsh"
    format_version: ClassVar[int] = 1

    def __init__(self, threshold: float = DEFAULT_THRESHOLD) -> None:
        self.threshold = check_threshold(threshold)
        self.bands, self.rows = lsh_shape(self.threshold)
        self.min_agreement = min_agreement(self.threshold)
        # Band-key multipliers shape only the in-memory layout (keys are rebuilt on load): any seed does.
        self._mix = np.random.default_rng(0x7E47).integers(1, 2**63, (self.bands, self.rows), dtype=np.uint64)
        self._signatures = np.zeros((0, _K), dtype=np.uint32)
        self._entries = np.zeros(0, dtype=np.int64)
        self._live = np.zeros(0, dtype=bool)
        self._used = 0
        self._slot_of: dict[int, int] = {}
        self._runs: list[_Run] = []

    # -- updates -------------------------------------------------------------------------------------------

    def add(self, values: Sequence[str], entries: Sequence[int]) -> None:
        if len(values) != len(entries):
            raise ValueError(f"{len(values)} values but {len(entries)} entry ids")
        self.add_signatures(minhash.decode_many(values), entries)

    def add_signatures(
        self, signatures: npt.NDArray[np.uint32], entries: Sequence[int] | npt.NDArray[np.int64]
    ) -> None:
        """Add entries from signature rows (see :func:`minhash.signatures`); an id added again is replaced."""
        signatures = np.asarray(signatures, dtype=np.uint32)
        ids = np.asarray(entries, dtype=np.int64).reshape(-1)
        if signatures.ndim != 2 or signatures.shape[1] != _K or len(signatures) != len(ids):
            raise ValueError(
                f"expected {len(ids)} signature rows of {_K} values, got shape {signatures.shape}"
            )
        empty = np.flatnonzero((signatures == minhash.EMPTY).all(axis=1))
        if len(empty):
            raise ValueError(f"signature row {int(empty[0])} is empty (a text too short or too long to sign)")
        if not len(ids):
            return
        first = self._reserve(len(ids))
        slots = np.arange(first, first + len(ids), dtype=np.int64)
        self._signatures[slots] = signatures
        self._entries[slots] = ids
        self._live[slots] = True
        for entry, slot in zip(ids.tolist(), slots.tolist(), strict=True):
            old = self._slot_of.get(entry)
            if old is not None:
                self._live[old] = False
            self._slot_of[entry] = slot
        self._push_run(signatures, slots)
        self._compact_if_worth_it()

    def remove(self, entries: Iterable[int]) -> None:
        for entry in entries:
            slot = self._slot_of.pop(entry, None)
            if slot is not None:
                self._live[slot] = False
        self._compact_if_worth_it()

    def _compact_if_worth_it(self) -> None:
        # Tombstones cost memory and candidate checks, a rebuild costs one sort: wait for more dead than live.
        if self._used - len(self._slot_of) > max(len(self._slot_of), 1024):
            self.compact()

    def compact(self) -> None:
        """Drop removed and replaced entries and rebuild the band runs as one (also done when worth it)."""
        slots = np.fromiter(self._slot_of.values(), dtype=np.int64, count=len(self._slot_of))
        slots.sort()
        signatures, ids = self._signatures[slots], self._entries[slots]
        self._signatures, self._entries = signatures, ids
        self._live = np.ones(len(slots), dtype=bool)
        self._used = len(slots)
        self._slot_of = dict(zip(ids.tolist(), range(len(slots)), strict=True))
        self._runs = []
        if len(slots):
            self._push_run(signatures, np.arange(len(slots), dtype=np.int64))

    def _reserve(self, n: int) -> int:
        first = self._used
        if first + n > len(self._entries):
            size = max(first + n, 2 * len(self._entries), 1024)
            for name in ("_signatures", "_entries", "_live"):
                old = getattr(self, name)
                grown = np.zeros((size, *old.shape[1:]), dtype=old.dtype)
                grown[:first] = old[:first]
                setattr(self, name, grown)
        self._used = first + n
        return first

    def _band_keys(self, signatures: npt.NDArray[np.uint32]) -> npt.NDArray[np.uint64]:
        """One 64-bit key per (row, band): a random linear hash of the band's values, then mixed."""
        values = signatures[:, : self.bands * self.rows].reshape(len(signatures), self.bands, self.rows)
        keys = (values.astype(np.uint64) * self._mix).sum(axis=2, dtype=np.uint64)
        keys ^= keys >> np.uint64(31)
        keys *= np.uint64(0xBF58476D1CE4E5B9)
        keys ^= keys >> np.uint64(29)
        return np.asarray(keys, dtype=np.uint64)

    def _push_run(self, signatures: npt.NDArray[np.uint32], slots: npt.NDArray[np.int64]) -> None:
        self._runs.append(_Run.build(self._band_keys(signatures).reshape(-1), np.repeat(slots, self.bands)))
        # Merge while the newest run is at least half its elder: at most log2(n) runs, O(log n) moves a key.
        while len(self._runs) > 1 and 2 * len(self._runs[-1].keys) >= len(self._runs[-2].keys):
            newer, older = self._runs.pop(), self._runs.pop()
            keys, slots = np.concatenate((older.keys, newer.keys)), np.concatenate((older.slots, newer.slots))
            self._runs.append(_Run.build(keys, slots))

    # -- queries -------------------------------------------------------------------------------------------

    def query(self, value: str) -> list[Hit]:
        return self.query_signatures(minhash.decode(value)[None, :])[0]

    def query_many(self, values: Sequence[str]) -> list[list[Hit]]:
        return self.query_signatures(minhash.decode_many(values))

    def query_signatures(self, signatures: npt.NDArray[np.uint32]) -> list[list[Hit]]:
        """Hits for each signature row, best first (highest estimated Jaccard, then lowest entry id)."""
        signatures = np.asarray(signatures, dtype=np.uint32)
        if signatures.ndim != 2 or signatures.shape[1] != _K:
            raise ValueError(f"expected signature rows of {_K} values, got shape {signatures.shape}")
        answers: list[list[Hit]] = [[] for _ in range(len(signatures))]
        if not self._slot_of or not len(signatures):
            return answers
        queries, slots = self._candidates(signatures)
        agree = np.zeros(len(slots), dtype=np.int64)
        for lo in range(0, len(slots), _VERIFY_CHUNK):
            hi = lo + _VERIFY_CHUNK
            same = self._signatures[slots[lo:hi]] == signatures[queries[lo:hi]]
            agree[lo:hi] = np.count_nonzero(same, axis=1)
        keep = agree >= self.min_agreement
        queries, slots, agree = queries[keep], slots[keep], agree[keep]
        entries = self._entries[slots]
        order = np.lexsort((entries, -agree, queries))
        scores = (agree[order] / _K).tolist()
        for query, entry, score in zip(queries[order].tolist(), entries[order].tolist(), scores, strict=True):
            answers[query].append(Hit(entry, 1.0 - score, score))
        return answers

    def _candidates(
        self, signatures: npt.NDArray[np.uint32]
    ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
        """Distinct live ``(query row, slot)`` pairs sharing at least one band key."""
        keys = self._band_keys(signatures).reshape(-1)
        owners = np.repeat(np.arange(len(signatures), dtype=np.int64), self.bands)
        pairs = []
        for run in self._runs:
            positions, asked = run.find(keys)
            pairs.append(owners[asked] * self._used + run.slots[positions])
        if not pairs:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
        unique = np.unique(np.concatenate(pairs))
        queries, slots = np.divmod(unique, self._used)
        live = self._live[slots]
        return queries[live], slots[live]

    def __len__(self) -> int:
        return len(self._slot_of)

    # -- saved form ----------------------------------------------------------------------------------------

    def save(self, stream: BinaryIO) -> None:
        """Header (threshold, signature version), then the entry ids and their signature rows, by entry id."""
        slots = np.fromiter(self._slot_of.values(), dtype=np.int64, count=len(self._slot_of))
        slots = slots[np.argsort(self._entries[slots], kind="stable")]
        meta = {"signature": minhash.PREFIX.rstrip(":"), "threshold": self.threshold, "entries": len(slots)}
        fileformat.write_header(stream, self.format_name, self.format_version, meta)
        fileformat.write_array(stream, self._entries[slots])
        fileformat.write_array(stream, self._signatures[slots])

    @classmethod
    def load(cls, stream: BinaryIO) -> Self:
        meta = fileformat.read_header(stream, cls.format_name, {1})
        if meta.get("signature") != minhash.PREFIX.rstrip(":"):
            raise ValidationError("index", f"text index holds {meta.get('signature')!r} signatures, not mh1")
        threshold, count = meta.get("threshold"), meta.get("entries")
        if not isinstance(threshold, float) or not isinstance(count, int):
            raise ValidationError("index", "text index header needs a threshold and an entry count")
        ids, signatures = fileformat.read_array(stream), fileformat.read_array(stream)
        if ids.dtype != np.int64 or ids.shape != (count,):
            raise ValidationError("index", f"text index entry ids must be {count} int64 values")
        if signatures.dtype != np.uint32 or signatures.shape != (count, _K):
            raise ValidationError(
                "index", f"text index signatures must be {count} rows of {_K} uint32 values"
            )
        if len(np.unique(ids)) != count:
            raise ValidationError("index", "text index entry ids repeat")
        try:
            index = cls(threshold)
            index.add_signatures(signatures, ids)
        except ValueError as error:
            raise ValidationError("index", f"bad text index: {error}") from None
        return index
