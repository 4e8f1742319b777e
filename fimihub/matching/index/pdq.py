"""The PDQ index: every stored hash within a Hamming distance of a query, exactly (recall 1.0), fast.

Hashes live in *segments* (see :mod:`fimihub.matching.index._pdq_segment`: multi-index hashing, exact by the
pigeonhole principle, with every candidate verified on all 256 bits). Updates are incremental, like a
log-structured merge tree: new hashes go to a small pending block that queries scan directly; a full pending
block becomes a segment, and a segment is merged with the one before it once that one is no more than twice
its size. Adding one signal therefore never rebuilds the whole index, and there are only about ``log2(n)``
segments. Removing an entry marks it dead (a tombstone); a segment that is mostly dead is rebuilt smaller.

Saved form (:mod:`fimihub.matching.index.fileformat`, format ``fimihub.pdq`` version 1): a header with the
threshold and the row count, then two arrays: the live hashes as ``(n, 32)`` bytes and their entry ids as
``int64``. The buckets are rebuilt on load, so the file holds no offsets a corrupt copy could abuse.

Not thread-safe: guard an index shared between threads with a lock.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, BinaryIO, ClassVar, Self

import numpy as np
import numpy.typing as npt

from fimihub.errors import ValidationError
from fimihub.matching.base import Hit, SignalIndex
from fimihub.matching.index import fileformat
from fimihub.matching.index._pdq_segment import Segment, Words, scan

__all__ = ["DEFAULT_THRESHOLD", "HASH_BITS", "PdqIndex", "check_threshold", "parse_hashes"]

#: PDQ's own "confident match" distance, as in ThreatExchange.
DEFAULT_THRESHOLD = 31
HASH_BITS = 256
_HASH_BYTES = HASH_BITS // 8
_HEX_DIGITS = _HASH_BYTES * 2
# A pending block this big is sealed into a segment: scanning it costs a query some tens of microseconds.
_PENDING_LIMIT = 4096
_PARSE_BLOCK = 1 << 20

# Value of each ASCII byte as a hex digit; 255 marks a byte that is not one.
_NIBBLE = np.full(256, 255, dtype=np.uint8)
_NIBBLE[np.frombuffer(b"0123456789abcdef", np.uint8)] = np.arange(16)
_NIBBLE[np.frombuffer(b"ABCDEF", np.uint8)] = np.arange(10, 16)


def parse_hashes(values: Sequence[str]) -> npt.NDArray[np.uint8]:
    """The ``(n, 32)`` bytes of ``n`` 64-digit hex hashes (vectorised); ``ValueError`` naming the first bad
    one, for a wrong length or a character that is not a hex digit."""
    hashes = np.empty((len(values), _HASH_BYTES), dtype=np.uint8)
    # A million values at a time: the joined text of ten million hashes alone would take 640 MB.
    for first in range(0, len(values), _PARSE_BLOCK):
        block = values[first : first + _PARSE_BLOCK]
        lengths = np.fromiter((len(v) if isinstance(v, str) else -1 for v in block), np.int64, len(block))
        wrong = np.flatnonzero(lengths != _HEX_DIGITS)
        if len(wrong):
            raise ValueError(_bad_hash(values, first + int(wrong[0]), f"expected {_HEX_DIGITS} hex digits"))
        try:
            raw = np.frombuffer("".join(block).encode("ascii"), dtype=np.uint8)
        except UnicodeEncodeError as error:
            raise ValueError(
                _bad_hash(values, first + error.start // _HEX_DIGITS, "not hexadecimal")
            ) from None
        nibbles = _NIBBLE[raw]
        bad = np.flatnonzero(nibbles == 255)
        if len(bad):
            raise ValueError(_bad_hash(values, first + int(bad[0]) // _HEX_DIGITS, "not hexadecimal"))
        pairs = nibbles.reshape(len(block), _HASH_BYTES, 2)
        hashes[first : first + len(block)] = (pairs[:, :, 0] << 4) | pairs[:, :, 1]
    return hashes


def _bad_hash(values: Sequence[str], at: int, why: str) -> str:
    shown = repr(values[at])
    shown = shown if len(shown) <= 80 else shown[:77] + "..."
    return f"pdq hash #{at} {shown}: {why}"


def _as_words(hashes: npt.NDArray[np.uint8]) -> Words:
    if hashes.ndim != 2 or hashes.shape[1] != _HASH_BYTES or hashes.dtype != np.uint8:
        raise ValueError(
            f"pdq hashes must be an (n, {_HASH_BYTES}) uint8 array, not {hashes.dtype} {hashes.shape}"
        )
    words: Words = np.ascontiguousarray(hashes).view(np.uint64)
    return words


def check_threshold(threshold: int) -> int:
    """``threshold`` if it is a whole number of bits from 0 to 256; ``ValueError`` otherwise."""
    if isinstance(threshold, bool) or not isinstance(threshold, int) or not 0 <= threshold <= HASH_BITS:
        raise ValueError(f"pdq threshold must be a whole number of bits, 0 to {HASH_BITS}: {threshold!r}")
    return threshold


class PdqIndex(SignalIndex):
    """Entries whose PDQ hash is within :attr:`threshold` bits of a query (Hamming distance, inclusive)."""

    format_name: ClassVar[str] = "fimihub.pdq"
    format_version: ClassVar[int] = 1

    def __init__(self, threshold: int = DEFAULT_THRESHOLD) -> None:
        self._threshold = check_threshold(threshold)
        self._segments: list[Segment] = []
        self._pending_words: Words = np.empty((0, 4), np.uint64)
        self._pending_entries: npt.NDArray[np.int64] = np.empty(0, np.int64)

    @property
    def threshold(self) -> int:
        """Largest distance in bits that still matches; may be changed at any time (a forum's own setting)."""
        return self._threshold

    @threshold.setter
    def threshold(self, value: int) -> None:
        self._threshold = check_threshold(value)

    def __len__(self) -> int:
        return sum(s.live for s in self._segments) + len(self._pending_entries)

    # -- updates ---------------------------------------------------------------------------------------

    def add(self, values: Sequence[str], entries: Sequence[int]) -> None:
        self.add_hashes(parse_hashes(values), entries)

    def add_hashes(self, hashes: npt.NDArray[np.uint8], entries: Sequence[int] | npt.NDArray[Any]) -> None:
        """:meth:`add` for hashes already decoded to an ``(n, 32)`` byte array (bulk loads, scans)."""
        words = _as_words(hashes)
        ids = np.asarray(entries, dtype=np.int64).reshape(-1)
        if len(ids) != len(words):
            raise ValueError(f"{len(words)} pdq hashes but {len(ids)} entry ids")
        if not len(ids):
            return
        if not np.all(ids[1:] > ids[:-1]) and len(np.unique(ids)) != len(ids):
            raise ValueError("entry ids must be unique within one add")
        if len(self):
            # An id added again replaces its earlier hash.
            self.remove(ids)
        self._pending_words = np.concatenate([self._pending_words, words])
        self._pending_entries = np.concatenate([self._pending_entries, ids])
        if len(self._pending_entries) >= _PENDING_LIMIT:
            self._seal()

    def remove(self, entries: Iterable[int]) -> None:
        given = entries if isinstance(entries, np.ndarray) else np.fromiter(entries, dtype=np.int64)
        ids = np.unique(given.astype(np.int64, copy=False))
        if not len(ids):
            return
        kept = ~np.isin(self._pending_entries, ids)
        if not kept.all():
            self._pending_entries = self._pending_entries[kept]
            self._pending_words = self._pending_words[kept]
        for i, segment in enumerate(self._segments):
            segment.kill(segment.rows_of(ids))
            if segment.live * 2 < len(segment):
                self._segments[i] = self._rebuild([segment])
        self._segments = [s for s in self._segments if len(s)]

    def compact(self) -> None:
        """Merge everything into one segment without dead rows: the fastest layout for a read-mostly index."""
        self._seal()
        if len(self._segments) > 1 or any(s.live < len(s) for s in self._segments):
            merged = self._rebuild(self._segments)
            self._segments = [merged] if len(merged) else []

    def _seal(self) -> None:
        words, ids = self._pending_words, self._pending_entries
        self._pending_words, self._pending_entries = words[:0], ids[:0]
        if len(ids):
            self._segments.append(Segment(words, ids, self._threshold))
        while len(self._segments) > 1 and self._segments[-2].live <= 2 * self._segments[-1].live:
            self._segments[-2:] = [self._rebuild(self._segments[-2:])]

    def _rebuild(self, segments: list[Segment]) -> Segment:
        words = np.concatenate([s.words[s.alive] for s in segments])
        ids = np.concatenate([s.entries[s.alive] for s in segments])
        return Segment(words, ids, self._threshold)

    # -- queries ---------------------------------------------------------------------------------------

    def query(self, value: str) -> list[Hit]:
        return self.query_many([value])[0]

    def query_many(self, values: Sequence[str]) -> list[list[Hit]]:
        q, entries, dist = self.query_hashes(parse_hashes(values))
        hits: list[list[Hit]] = [[] for _ in values]
        for query, entry, distance in zip(q.tolist(), entries.tolist(), dist.tolist(), strict=True):
            hits[query].append(Hit(entry, float(distance), 1.0 - distance / HASH_BITS))
        return hits

    def query_hits(self, values: Sequence[str]) -> dict[int, list[Hit]]:
        q, entries, dist = self.query_hashes(parse_hashes(values))
        hits: dict[int, list[Hit]] = {}
        for query, entry, distance in zip(q.tolist(), entries.tolist(), dist.tolist(), strict=True):
            hits.setdefault(query, []).append(Hit(entry, float(distance), 1.0 - distance / HASH_BITS))
        return hits

    def query_hashes(
        self, hashes: npt.NDArray[np.uint8], threshold: int | None = None
    ) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.int64], npt.NDArray[np.uint16]]:
        """Every match of ``(n, 32)`` byte hashes as three arrays (query number, entry id, distance), sorted
        by query, then distance, then entry id. ``threshold`` defaults to the index's."""
        limit = self._threshold if threshold is None else check_threshold(threshold)
        queries = _as_words(hashes)
        parts: list[tuple[npt.NDArray[np.intp], npt.NDArray[np.int64], npt.NDArray[np.uint16]]] = []
        for segment in self._segments:
            q, rows, dist = segment.search(queries, limit)
            parts.append((q, segment.entries[rows], dist))
        if len(self._pending_entries):
            q, rows, dist = scan(queries, np.ascontiguousarray(self._pending_words.T), limit)
            parts.append((q, self._pending_entries[rows], dist))
        if not parts:
            return np.empty(0, np.intp), np.empty(0, np.int64), np.empty(0, np.uint16)
        q = np.concatenate([p[0] for p in parts])
        entries = np.concatenate([p[1] for p in parts])
        dist = np.concatenate([p[2] for p in parts])
        order = np.lexsort((entries, dist, q))
        return q[order], entries[order], dist[order]

    # -- saved form ------------------------------------------------------------------------------------

    def save(self, stream: BinaryIO) -> None:
        live = [(s.words[s.alive], s.entries[s.alive]) for s in self._segments]
        live.append((self._pending_words, self._pending_entries))
        words = np.concatenate([w for w, _ in live])
        ids = np.concatenate([e for _, e in live])
        # Rows in entry order: the same index always saves to the same bytes, however it was built.
        order = np.argsort(ids, kind="stable")
        meta = {"threshold": self._threshold, "count": len(ids)}
        fileformat.write_header(stream, self.format_name, self.format_version, meta)
        fileformat.write_array(stream, words[order].view(np.uint8).reshape(-1, _HASH_BYTES))
        fileformat.write_array(stream, ids[order])

    @classmethod
    def load(cls, stream: BinaryIO) -> Self:
        meta = fileformat.read_header(stream, cls.format_name, {cls.format_version})
        hashes = fileformat.read_array(stream)
        ids = fileformat.read_array(stream)
        count, threshold = meta.get("count"), meta.get("threshold")
        if type(count) is not int or type(threshold) is not int or not 0 <= threshold <= HASH_BITS:
            raise ValidationError("index", "pdq index header needs a whole count and a threshold of 0-256")
        if hashes.dtype != np.uint8 or hashes.shape != (count, _HASH_BYTES):
            raise ValidationError("index", f"pdq hashes must be ({count}, {_HASH_BYTES}) uint8 bytes")
        if ids.dtype.kind != "i" or ids.dtype.itemsize != 8 or ids.shape != (count,):
            raise ValidationError("index", f"pdq entry ids must be {count} int64 values")
        ids = ids.astype(np.int64)  # native byte order, whichever machine wrote the file
        if np.any(ids[1:] <= ids[:-1]):
            raise ValidationError("index", "pdq entry ids must be unique and increasing")
        index = cls(threshold)
        if count:
            index._segments = [Segment(np.ascontiguousarray(hashes).view(np.uint64), ids, threshold)]
        return index
