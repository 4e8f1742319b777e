"""The reference index: compares the query with every entry through :meth:`SignalType.compare`.

It is too slow for production and is not meant to be fast; it is what every fast index is tested against
(same hits, same distances, same order). :func:`rank` is the one definition of "best first" that all indexes
share, so their answers can be compared list for list.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import BinaryIO, ClassVar, Self

from fimihub.errors import ValidationError
from fimihub.matching.base import Hit, SignalIndex, SignalType
from fimihub.matching.index import fileformat

__all__ = ["BruteForceIndex", "rank", "rank_compared"]


def rank(hits: Iterable[Hit]) -> list[Hit]:
    """Hits best first: smallest distance, then highest score, then lowest entry id (a stable tie-break)."""
    return sorted(hits, key=lambda hit: (hit.distance, -hit.score, hit.entry))


def rank_compared(compared: Iterable[tuple[int, Hit | None]]) -> list[Hit]:
    """The hits among ``(entry, comparison)`` pairs, where a comparison is what :meth:`SignalType.compare`
    answers (``None``: no match), as hits on their entries, best first."""
    return rank(Hit(entry, hit.distance, hit.score) for entry, hit in compared if hit is not None)


class BruteForceIndex(SignalIndex):
    """Every entry compared with the query by the signal type's own :meth:`~SignalType.compare`."""

    format_name: ClassVar[str] = "fimihub.brute"
    format_version: ClassVar[int] = 1

    def __init__(self, signal_type: SignalType) -> None:
        self.signal_type = signal_type
        self._values: dict[int, str] = {}

    def add(self, values: Sequence[str], entries: Sequence[int]) -> None:
        if len(values) != len(entries):
            raise ValueError(f"{len(values)} values but {len(entries)} entry ids")
        self._values.update(zip(entries, values, strict=True))

    def remove(self, entries: Iterable[int]) -> None:
        for entry in entries:
            self._values.pop(entry, None)

    def query(self, value: str) -> list[Hit]:
        compare = self.signal_type.compare
        return rank_compared((entry, compare(value, candidate)) for entry, candidate in self._values.items())

    def __len__(self) -> int:
        return len(self._values)

    def save(self, stream: BinaryIO) -> None:
        meta = {"kind": str(self.signal_type.kind), "entries": len(self)}
        fileformat.write_header(stream, self.format_name, self.format_version, meta)
        fileformat.write_entries(stream, self._values.items())

    @classmethod
    def load(cls, stream: BinaryIO, signal_type: SignalType | None = None) -> Self:
        """Read a saved brute-force index; it compares with ``signal_type``, of the saved kind."""
        meta = fileformat.read_header(stream, cls.format_name, {1})
        if signal_type is None or str(signal_type.kind) != meta.get("kind"):
            raise ValidationError("index", f"a brute-force index of kind {meta.get('kind')!r} needs its type")
        index = cls(signal_type)
        pairs = fileformat.read_entries(stream)
        index.add([value for _, value in pairs], [entry for entry, _ in pairs])
        return index
