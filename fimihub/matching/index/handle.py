"""Handle similarity: find accounts whose handle is a small edit away, as returning operators pick them.

Operators whose accounts are removed come back as ``name_1235`` after ``name_1234``, ``name_fr`` after
``name_de``, or ``nane`` with a letter that looks the same. Values are ``platform:handle`` as
:mod:`fimihub.matching.kinds.handle` writes them (case and Unicode confusables already folded).

Distance between two handles (:func:`handle_distance`): 0 when equal; otherwise the smaller of their
Levenshtein distance and half a step plus the distance between their *look-alike skeletons*, where ASCII
characters that read alike (``0``/``o``, ``1``/``l``/``i``, ``3``/``e``, ``5``/``s``, ``.``/``-``/``_``)
are one. So ``paypa1`` -> ``paypal`` costs 0.5, ``name_1234`` -> ``name_1235`` costs 1. A pair is a hit when
the distance is at most ``max_distance`` and the score ``1 - distance / longer length`` is at least
``min_score`` (which keeps ``bob`` from matching ``rob``).

Candidate generation is exact, not a heuristic, so the index returns what brute force would: the skeleton is
a character-for-character map, so a hit's skeletons are within ``k`` edits (``k`` the integer bound the
thresholds allow for that length); by the q-gram lemma two strings within ``k`` edits share at least
``max_len + 1 - 2k`` padded bigrams (counted as multisets). Shared bigrams are counted through postings per
platform; only where that bound is not positive (very short handles) are all entries of a length checked.
Every candidate is then verified with the exact distance.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import BinaryIO, ClassVar, Self

import numpy as np
import numpy.typing as npt
from rapidfuzz.distance import Levenshtein

from fimihub.errors import ValidationError
from fimihub.matching.base import Hit, SignalIndex
from fimihub.matching.index import fileformat
from fimihub.matching.index.brute import rank_compared

__all__ = ["HandleIndex", "HandleThreshold", "handle_distance", "lookalike_skeleton", "split_handle"]

_SKELETON = str.maketrans("01i35.-", "olless_")
# Bigrams of the skeleton padded with two characters a handle cannot contain, so the ends count too.
_START, _END = "\x02", "\x03"


def split_handle(value: str) -> tuple[str, str]:
    """``"x:name"`` -> ``("x", "name")``."""
    platform, _, handle = value.partition(":")
    return platform, handle


def lookalike_skeleton(handle: str) -> str:
    """``handle`` with ASCII look-alikes made one (same length, one character for one)."""
    return handle.translate(_SKELETON)


def handle_distance(a: str, b: str, cutoff: int | None = None) -> float:
    """Edit distance between two folded handles, look-alike substitutions costing half (see module doc).

    With ``cutoff``, any distance above it may be reported as some value above it (faster).
    """
    if a == b:
        return 0.0
    raw = Levenshtein.distance(a, b, score_cutoff=cutoff)
    skeleton = Levenshtein.distance(lookalike_skeleton(a), lookalike_skeleton(b), score_cutoff=cutoff)
    return float(min(raw, skeleton + 0.5))


@dataclass(frozen=True, slots=True)
class HandleThreshold:
    """When two handles match: distance at most ``max_distance`` and score at least ``min_score``."""

    max_distance: float = 2.0
    min_score: float = 0.75

    def __post_init__(self) -> None:
        if not (self.max_distance >= 0 and 0 <= self.min_score <= 1):
            raise ValueError("max_distance must be >= 0 and min_score within [0, 1]")

    def bound(self, longer: int) -> int:
        """Largest whole number of edits a hit between handles of ``longer`` maximum length can need."""
        # The small slack keeps float rounding from ever making the bound (and so the index) too tight.
        allowed = min(self.max_distance, (1.0 - self.min_score) * longer)
        return math.floor(allowed + 1e-9)

    def hit(self, a: str, b: str) -> Hit | None:
        """The hit (entry 0) between folded handles ``a`` and ``b``, or ``None``."""
        longer = max(len(a), len(b), 1)
        bound = self.bound(longer)
        if abs(len(a) - len(b)) > bound:
            return None
        distance = handle_distance(a, b, cutoff=bound)
        if distance > self.max_distance or distance > (1.0 - self.min_score) * longer + 1e-9:
            return None
        return Hit(0, distance, 1.0 - distance / longer)


def _grams(skeleton: str) -> list[tuple[str, int]]:
    """Padded bigrams of ``skeleton``, each with its occurrence number, so that the number of keys two
    strings share is the size of the intersection of their bigram multisets."""
    padded = f"{_START}{skeleton}{_END}"
    seen: Counter[str] = Counter()
    keys = []
    for i in range(len(padded) - 1):
        gram = padded[i : i + 2]
        keys.append((gram, seen[gram]))
        seen[gram] += 1
    return keys


class _Platform:
    """The entries of one platform, numbered by dense *slots*: bigram postings (slot lists, with numpy
    copies made on first query after a change) and slots by skeleton length.

    Counting shared bigrams is one ``bincount`` over the concatenated postings of the query's bigrams, so
    a query costs C-speed work proportional to those postings instead of a Python loop over them.
    """

    __slots__ = ("arrays", "by_length", "entry_at", "free", "lengths", "lengths_array", "postings", "slot_of")

    def __init__(self) -> None:
        self.postings: dict[tuple[str, int], list[int]] = {}
        self.arrays: dict[tuple[str, int], npt.NDArray[np.int64]] = {}
        self.by_length: dict[int, set[int]] = {}  # skeleton length -> entries
        self.slot_of: dict[int, int] = {}
        self.entry_at: list[int] = []
        self.lengths: list[int] = []  # slot -> skeleton length; -1 for a free slot
        self.lengths_array: npt.NDArray[np.int64] | None = None
        self.free: list[int] = []  # slots of removed entries, reused by the next adds

    def add(self, entry: int, skeleton: str) -> None:
        if self.free:
            slot = self.free.pop()
            self.entry_at[slot], self.lengths[slot] = entry, len(skeleton)
        else:
            slot = len(self.entry_at)
            self.entry_at.append(entry)
            self.lengths.append(len(skeleton))
        self.slot_of[entry] = slot
        for key in _grams(skeleton):
            self.postings.setdefault(key, []).append(slot)
            self.arrays.pop(key, None)
        self.by_length.setdefault(len(skeleton), set()).add(entry)
        self.lengths_array = None

    def remove(self, entry: int, skeleton: str) -> None:
        slot = self.slot_of.pop(entry)
        for key in _grams(skeleton):
            posting = self.postings[key]
            posting.remove(slot)
            self.arrays.pop(key, None)
            if not posting:
                del self.postings[key]
        same_length = self.by_length[len(skeleton)]
        same_length.discard(entry)
        if not same_length:
            del self.by_length[len(skeleton)]
        self.lengths[slot] = -1
        self.free.append(slot)
        self.lengths_array = None

    def sharing(self, skeleton: str, needed: dict[int, int]) -> list[int]:
        """Entries whose skeleton length is in ``needed`` and that share at least that many bigrams."""
        arrays = []
        for key in _grams(skeleton):
            if key in self.postings:
                array = self.arrays.get(key)
                if array is None:
                    array = self.arrays[key] = np.array(self.postings[key], dtype=np.int64)
                arrays.append(array)
        if not arrays:
            return []
        if self.lengths_array is None:
            self.lengths_array = np.array(self.lengths, dtype=np.int64)
        # Shared bigrams needed per slot, by its length; lengths not asked for need more bigrams than any
        # string has, and so do free slots: their length -1 indexes the table's last cell, never a length.
        table = np.full(max(*needed, int(self.lengths_array.max())) + 2, np.iinfo(np.int64).max)
        for length, count in needed.items():
            table[length] = count
        shared = np.bincount(np.concatenate(arrays), minlength=len(self.lengths))
        slots = np.flatnonzero(shared >= table[self.lengths_array])
        return [self.entry_at[slot] for slot in slots.tolist()]


class HandleIndex(SignalIndex):
    """Handles within an edit distance of the query, on the query's platform (or any, ``cross_platform``)."""

    format_name: ClassVar[str] = "fimihub.handle"
    format_version: ClassVar[int] = 1

    def __init__(
        self, max_distance: float = 2.0, min_score: float = 0.75, *, cross_platform: bool = False
    ) -> None:
        # Floats always, so that a saved index reads back to the very same bytes.
        self.threshold = HandleThreshold(float(max_distance), float(min_score))
        self.cross_platform = cross_platform
        self._entries: dict[int, tuple[str, str, str]] = {}  # entry -> (platform, handle, skeleton)
        self._platforms: dict[str, _Platform] = {}

    def add(self, values: Sequence[str], entries: Sequence[int]) -> None:
        if len(values) != len(entries):
            raise ValueError(f"{len(values)} values but {len(entries)} entry ids")
        for value, entry in zip(values, entries, strict=True):
            if entry in self._entries:
                self.remove([entry])
            platform, handle = split_handle(value)
            skeleton = lookalike_skeleton(handle)
            self._entries[entry] = (platform, handle, skeleton)
            self._platforms.setdefault(platform, _Platform()).add(entry, skeleton)

    def remove(self, entries: Iterable[int]) -> None:
        for entry in entries:
            found = self._entries.pop(entry, None)
            if found is None:
                continue
            platform, _, skeleton = found
            bucket = self._platforms[platform]
            bucket.remove(entry, skeleton)
            if not bucket.slot_of:
                del self._platforms[platform]

    def _candidates(self, bucket: _Platform, skeleton: str) -> set[int]:
        size = len(skeleton)
        reach = self.threshold.bound(size + math.floor(self.threshold.max_distance))
        needed: dict[int, int] = {}  # candidate length -> shared bigrams it needs
        found: set[int] = set()
        for length in range(max(0, size - reach), size + reach + 1):
            longer = max(size, length)
            edits = self.threshold.bound(longer)
            if abs(length - size) > edits or length not in bucket.by_length:
                continue
            if longer + 1 - 2 * edits <= 0:
                found |= bucket.by_length[length]  # too short for the bigram bound to prune anything
            else:
                needed[length] = longer + 1 - 2 * edits
        if needed:
            found.update(bucket.sharing(skeleton, needed))
        return found

    def query(self, value: str) -> list[Hit]:
        platform, handle = split_handle(value)
        skeleton = lookalike_skeleton(handle)
        if self.cross_platform:
            buckets = list(self._platforms.values())
        else:
            buckets = [self._platforms[platform]] if platform in self._platforms else []
        compare = self.threshold.hit
        candidates = (entry for bucket in buckets for entry in self._candidates(bucket, skeleton))
        return rank_compared((entry, compare(handle, self._entries[entry][1])) for entry in candidates)

    def __len__(self) -> int:
        return len(self._entries)

    def save(self, stream: BinaryIO) -> None:
        meta = {
            "max_distance": self.threshold.max_distance,
            "min_score": self.threshold.min_score,
            "cross_platform": self.cross_platform,
            "entries": len(self),
        }
        fileformat.write_header(stream, self.format_name, self.format_version, meta)
        fileformat.write_entries(stream, ((e, f"{p}:{h}") for e, (p, h, _) in self._entries.items()))

    @classmethod
    def load(cls, stream: BinaryIO) -> Self:
        meta = fileformat.read_header(stream, cls.format_name, {1})
        try:
            index = cls(
                float(meta["max_distance"]),
                float(meta["min_score"]),
                cross_platform=bool(meta["cross_platform"]),
            )
        except (KeyError, TypeError, ValueError) as error:
            raise ValidationError("index", f"bad handle index settings: {error}") from None
        pairs = fileformat.read_entries(stream)
        index.add([value for _, value in pairs], [entry for entry, _ in pairs])
        return index
