"""The two extension points of matching: a :class:`SignalType` per signal kind, and :class:`SignalIndex`.

A signal type knows how values of its kind are written (validation and normalisation), how two values compare
(:meth:`SignalType.compare`, the brute-force reference every fast index is tested against), and which index
finds them fast. A new kind is one small module under ``matching/kinds/`` registered in
:data:`fimihub.matching.kinds.SIGNAL_TYPES`.

Indexes hold *entries*: a normalised value and an integer entry id the caller chooses (the matcher maps entry
ids to signals). They update incrementally and save to an explicit, versioned format — never pickle.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import BinaryIO, ClassVar, Self

from fimihub.matching.index import fileformat
from fimihub.model import SignalKind

__all__ = ["Hit", "SignalIndex", "SignalType", "ValueIndex"]


@dataclass(frozen=True, slots=True, order=True)
class Hit:
    """An index entry that matched a query.

    ``distance`` is in the kind's own unit (0 for exact kinds, Hamming bits for PDQ, edit operations for
    handles, 1 - estimated Jaccard for text); ``score`` is a similarity in ``[0, 1]``, 1 for identical.
    """

    entry: int
    distance: float = 0.0
    score: float = 1.0


class SignalIndex(ABC):
    """Finds the entries that match a query value. Values given to it are already normalised."""

    #: Stable name of the saved format; with :attr:`format_version` it heads every saved index.
    format_name: ClassVar[str]
    format_version: ClassVar[int] = 1

    @abstractmethod
    def add(self, values: Sequence[str], entries: Sequence[int]) -> None:
        """Add entries (``values[i]`` under id ``entries[i]``) without rebuilding what is there."""

    @abstractmethod
    def remove(self, entries: Iterable[int]) -> None:
        """Forget entries (revoked or expired signals); unknown ids are ignored."""

    @abstractmethod
    def query(self, value: str) -> list[Hit]:
        """Every entry matching ``value`` under the index's threshold, best first."""

    def query_many(self, values: Sequence[str]) -> list[list[Hit]]:
        """:meth:`query` for each value; indexes override it where a batch is faster."""
        return [self.query(v) for v in values]

    def query_hits(self, values: Sequence[str]) -> dict[int, list[Hit]]:
        """The hits of the values that have any, by position in ``values``: what a scan, where nearly every
        value misses, needs. Indexes override it where skipping the misses is cheaper."""
        return {i: hits for i, hits in enumerate(self.query_many(values)) if hits}

    @abstractmethod
    def __len__(self) -> int:
        """How many live entries the index holds."""

    @abstractmethod
    def save(self, stream: BinaryIO) -> None:
        """Write the index in its versioned format."""

    @classmethod
    @abstractmethod
    def load(cls, stream: BinaryIO) -> Self:
        """Read an index :meth:`save` wrote; ``ValidationError`` for another format or version."""


class ValueIndex(SignalIndex):
    """An index wholly described by its entries' values: saved as its ``(entry id, value)`` pairs
    (:func:`~fimihub.matching.index.fileformat.save_values`), loaded by adding them to an empty index."""

    @abstractmethod
    def values(self) -> Mapping[int, str]:
        """The live entries, entry id -> value."""

    def save(self, stream: BinaryIO) -> None:
        fileformat.save_values(stream, self.format_name, self.format_version, self.values().items())

    @classmethod
    def load(cls, stream: BinaryIO) -> Self:
        index = cls()
        index.add(*fileformat.load_values(stream, cls.format_name))
        return index


class SignalType(ABC):
    """One kind of signal: how its values are written, compared and indexed."""

    kind: ClassVar[SignalKind]

    @abstractmethod
    def normalise(self, value: str) -> str:
        """The canonical form of ``value``; raises ``ValueError`` saying what is wrong with it."""

    def normalise_many(self, values: Sequence[str]) -> list[str | None]:
        """:meth:`normalise` for a batch, ``None`` where a value has no canonical form; kinds override it
        where a batch is faster (text signs many texts at once)."""
        found: list[str | None] = []
        for value in values:
            try:
                found.append(self.normalise(value))
            except ValueError:
                found.append(None)
        return found

    @abstractmethod
    def compare(self, query: str, candidate: str) -> Hit | None:
        """Whether normalised ``query`` matches normalised ``candidate`` (entry id 0), by brute force."""

    @abstractmethod
    def new_index(self) -> SignalIndex:
        """An empty index for this kind, with its default threshold."""
