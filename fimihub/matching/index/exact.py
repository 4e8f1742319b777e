"""Exact matching: a dictionary from normalised value to the entries holding it.

Most kinds (domain, URL, hashtag, keyed hashes, file hashes) match only when the normalised values are equal,
so their index is a hash map. Scans call :meth:`ExactIndex.query_many` on every value of a platform export,
which is why it is a tight loop over ``dict.get`` rather than a call to :meth:`query` per value.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import ClassVar

import pyarrow as pa

from fimihub.matching.base import Hit, SignalType, ValueIndex

__all__ = ["ExactIndex", "ExactSignalType"]


class ExactIndex(ValueIndex):
    """Entries whose value equals the query. Every hit has distance 0 and score 1."""

    format_name: ClassVar[str] = "fimihub.exact"
    format_version: ClassVar[int] = 1

    def __init__(self) -> None:
        self._array: pa.Array | None = None
        self._values: dict[int, str] = {}
        # value -> its entry ids, sorted. Plain ints rather than ready-made hits: building a million Hit
        # objects on load would cost seconds, while a scan's queries mostly miss and build none.
        self._ids: dict[str, tuple[int, ...]] = {}

    def add(self, values: Sequence[str], entries: Sequence[int]) -> None:
        if len(values) != len(entries):
            raise ValueError(f"{len(values)} values but {len(entries)} entry ids")
        self._array = None
        known, ids_of = self._values, self._ids
        joined: dict[str, list[int]] = {}  # values that already had entries: merged once, at the end
        for value, entry in zip(values, entries, strict=True):
            old = known.get(entry)
            if old == value:
                continue
            if old is not None:
                # Re-adding an entry id with a new value replaces it, as a signal edited in place would.
                self._forget(entry, old)
                if old in joined:
                    joined[old] = [other for other in joined[old] if other != entry]
            known[entry] = value
            if value in ids_of or value in joined:
                joined.setdefault(value, []).append(entry)
            else:
                ids_of[value] = (entry,)
        for value, more in joined.items():
            ids_of[value] = tuple(sorted({*ids_of.get(value, ()), *more}))

    def _forget(self, entry: int, value: str) -> None:
        self._array = None
        remaining = tuple(other for other in self._ids.get(value, ()) if other != entry)
        if remaining:
            self._ids[value] = remaining
        else:
            self._ids.pop(value, None)

    def remove(self, entries: Iterable[int]) -> None:
        for entry in entries:
            value = self._values.pop(entry, None)
            if value is not None:
                self._forget(entry, value)

    def query(self, value: str) -> list[Hit]:
        return [Hit(entry) for entry in self._ids.get(value, ())]

    def query_many(self, values: Sequence[str]) -> list[list[Hit]]:
        get = self._ids.get
        return [[Hit(entry) for entry in ids] if (ids := get(value)) else [] for value in values]

    def query_hits(self, values: Sequence[str]) -> dict[int, list[Hit]]:
        get = self._ids.get
        return {i: [Hit(entry) for entry in ids] for i, value in enumerate(values) if (ids := get(value))}

    def value_array(self) -> pa.Array:
        """Every value held, as an Arrow array: scans filter whole columns against it before any look-up."""
        if self._array is None:
            self._array = pa.array(list(self._ids), pa.string())
        return self._array

    def contains(self, value: str) -> bool:
        """Whether any entry holds ``value`` (cheaper than :meth:`query` when hits are not needed)."""
        return value in self._ids

    def values(self) -> dict[int, str]:
        """A copy of the live entries, entry id -> value."""
        return dict(self._values)

    def __len__(self) -> int:
        return len(self._values)


class ExactSignalType(SignalType):
    """A kind whose normalised values match only when they are equal: compared by equality, indexed by
    :class:`ExactIndex`. Kinds say how to normalise."""

    def compare(self, query: str, candidate: str) -> Hit | None:
        return Hit(0) if query == candidate else None

    def new_index(self) -> ExactIndex:
        return ExactIndex()
