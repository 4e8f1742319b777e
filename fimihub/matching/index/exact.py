"""Exact matching: a dictionary from normalised value to the entries holding it.

Most kinds (domain, URL, hashtag, keyed hashes, file hashes) match only when the normalised values are equal,
so their index is a hash map. Scans call :meth:`ExactIndex.query_many` on every value of a platform export,
which is why it is a tight loop over ``dict.get`` rather than a call to :meth:`query` per value.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import BinaryIO, ClassVar, Self

from fimihub.matching.base import Hit, SignalIndex
from fimihub.matching.index import fileformat

__all__ = ["ExactIndex"]


class ExactIndex(SignalIndex):
    """Entries whose value equals the query. Every hit has distance 0 and score 1."""

    format_name: ClassVar[str] = "fimihub.exact"
    format_version: ClassVar[int] = 1

    def __init__(self) -> None:
        self._values: dict[int, str] = {}
        self._ids: dict[str, set[int]] = {}
        # value -> ready-made hits sorted by entry id, rebuilt only for the values a change touches: hits
        # are frozen, so sharing them is what makes a batch query cost one dictionary lookup per value.
        self._hits: dict[str, tuple[Hit, ...]] = {}

    def add(self, values: Sequence[str], entries: Sequence[int]) -> None:
        if len(values) != len(entries):
            raise ValueError(f"{len(values)} values but {len(entries)} entry ids")
        touched: set[str] = set()
        for value, entry in zip(values, entries, strict=True):
            old = self._values.get(entry)
            if old == value:
                continue
            if old is not None:
                # Re-adding an entry id with a new value replaces it, as a signal edited in place would.
                self._ids[old].discard(entry)
                touched.add(old)
            self._values[entry] = value
            self._ids.setdefault(value, set()).add(entry)
            touched.add(value)
        self._refresh(touched)

    def remove(self, entries: Iterable[int]) -> None:
        touched: set[str] = set()
        for entry in entries:
            value = self._values.pop(entry, None)
            if value is not None:
                self._ids[value].discard(entry)
                touched.add(value)
        self._refresh(touched)

    def _refresh(self, values: Iterable[str]) -> None:
        for value in values:
            ids = self._ids.get(value)
            if ids:
                self._hits[value] = tuple(Hit(entry) for entry in sorted(ids))
            else:
                self._ids.pop(value, None)
                self._hits.pop(value, None)

    def query(self, value: str) -> list[Hit]:
        return list(self._hits.get(value, ()))

    def query_many(self, values: Sequence[str]) -> list[list[Hit]]:
        get = self._hits.get
        empty: tuple[Hit, ...] = ()
        return [list(get(value, empty)) for value in values]

    def contains(self, value: str) -> bool:
        """Whether any entry holds ``value`` (cheaper than :meth:`query` when hits are not needed)."""
        return value in self._hits

    def values(self) -> dict[int, str]:
        """A copy of the live entries, entry id -> value."""
        return dict(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def save(self, stream: BinaryIO) -> None:
        fileformat.write_header(stream, self.format_name, self.format_version, {"entries": len(self)})
        fileformat.write_entries(stream, self._values.items())

    @classmethod
    def load(cls, stream: BinaryIO) -> Self:
        fileformat.read_header(stream, cls.format_name, {1})
        index = cls()
        pairs = fileformat.read_entries(stream)
        index.add([value for _, value in pairs], [entry for entry, _ in pairs])
        return index
