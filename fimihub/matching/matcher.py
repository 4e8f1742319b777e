"""The matcher: one index per signal kind over every active signal, and the look-ups a match needs.

It answers "which signals does this value match?" for single items (the match API) and for batches (scans).
A value is normalised by its kind's :class:`~fimihub.matching.base.SignalType` and *expanded* into the other
kinds it implies — a URL is also looked up as its registrable domain and, for a profile URL, as a handle — so
a member can send what it has and still find signals of the related kinds.

Who may see which signal is not decided here: the matcher returns every hit and the hub filters them through
the access policy. Signals that hit a warning list (well-known domains and the like) are kept out unless asked
for, so that a mistaken signal cannot set off matches on half the internet.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

import pyarrow as pa

from fimihub.matching.base import Hit, SignalIndex, SignalType
from fimihub.matching.index.exact import ExactIndex
from fimihub.model import Signal, SignalKind

__all__ = ["Expander", "MatchHit", "Matcher"]

#: Given a normalised value of one kind, the (kind, normalised value) pairs it also stands for.
Expander = Callable[[str], list[tuple[SignalKind, str]]]


@dataclass(frozen=True, slots=True)
class MatchHit:
    """A signal that matched: through which kind and normalised value it was found, and how closely."""

    signal: Signal
    via: SignalKind
    value: str
    distance: float
    score: float


class Matcher:
    """Indexes of signals by kind, updated incrementally as signals come, change and go."""

    def __init__(
        self,
        types: Mapping[SignalKind, SignalType],
        expanders: Mapping[SignalKind, Expander] | None = None,
        *,
        include_flagged: bool = False,
    ) -> None:
        self._types = dict(types)
        self._expanders = dict(expanders or {})
        self._include_flagged = include_flagged
        self._indexes: dict[SignalKind, SignalIndex] = {}
        self._signals: dict[int, Signal] = {}
        self._entry_of: dict[str, int] = {}
        self._next_entry = 0
        # One hub serves requests from a thread pool; indexes are not thread-safe, so every use takes turns.
        self._lock = threading.RLock()

    def __len__(self) -> int:
        return len(self._signals)

    def signal(self, signal_id: str) -> Signal:
        """The indexed signal with this id (``KeyError`` if it is not indexed)."""
        with self._lock:
            return self._signals[self._entry_of[signal_id]]

    def signals(self) -> list[Signal]:
        """Every indexed signal (a scan engine that runs elsewhere ships these and builds its own matcher)."""
        with self._lock:
            return list(self._signals.values())

    @property
    def kinds(self) -> frozenset[SignalKind]:
        """The kinds that have at least one live signal (a scan skips work for the others)."""
        return frozenset(kind for kind, index in self._indexes.items() if len(index))

    def add(self, signals: Iterable[Signal]) -> int:
        """Index signals (replacing earlier versions of the same ids); revoked and flagged ones are skipped.
        Returns how many were indexed."""
        with self._lock:
            return self._add(list(signals))

    def _add(self, fresh: list[Signal]) -> int:
        by_kind: dict[SignalKind, tuple[list[str], list[int]]] = defaultdict(lambda: ([], []))
        self.remove(s.id for s in fresh)
        for signal in fresh:
            if signal.revoked or (signal.warning_lists and not self._include_flagged):
                continue
            if signal.kind not in self._types:
                continue
            entry = self._next_entry
            self._next_entry += 1
            self._signals[entry] = signal
            self._entry_of[signal.id] = entry
            values, entries = by_kind[signal.kind]
            values.append(signal.value)
            entries.append(entry)
        for kind, (values, entries) in by_kind.items():
            self._index(kind).add(values, entries)
        return sum(len(entries) for _, entries in by_kind.values())

    def remove(self, signal_ids: Iterable[str]) -> None:
        """Forget signals (revoked, deleted, expired); unknown ids are ignored."""
        with self._lock:
            by_kind: dict[SignalKind, list[int]] = defaultdict(list)
            for signal_id in signal_ids:
                entry = self._entry_of.pop(signal_id, None)
                if entry is not None:
                    by_kind[self._signals.pop(entry).kind].append(entry)
            for kind, entries in by_kind.items():
                self._indexes[kind].remove(entries)

    def normalise(self, kind: SignalKind, value: str) -> str:
        """``value`` in the canonical form of ``kind``; ``ValueError`` says what is wrong with it."""
        signal_type = self._types.get(kind)
        if signal_type is None:
            raise ValueError(f"no matching for signal kind {kind.value!r}")
        return signal_type.normalise(value)

    def normalise_many(self, kind: SignalKind, values: Sequence[str]) -> list[str | None]:
        """:meth:`normalise` for a batch of values, ``None`` for those that have no canonical form."""
        signal_type = self._types.get(kind)
        if signal_type is None:
            raise ValueError(f"no matching for signal kind {kind.value!r}")
        return signal_type.normalise_many(values)

    def expand(self, kind: SignalKind, normalised: str) -> list[tuple[SignalKind, str]]:
        """The look-ups a normalised value stands for: itself, then what its kind's expander derives."""
        pairs = [(kind, normalised)]
        expander = self._expanders.get(kind)
        if expander is not None:
            pairs.extend(p for p in expander(normalised) if p not in pairs)
        return pairs

    def lookups(self, kind: SignalKind, value: str) -> list[tuple[SignalKind, str]]:
        """The (kind, normalised value) look-ups a raw ``value`` of ``kind`` stands for. A text is also
        searched for phrases as it is, even when it is too short to have a near-duplicate signature."""
        try:
            pairs = self.expand(kind, self.normalise(kind, value))
        except ValueError:
            if kind is not SignalKind.TEXT or SignalKind.PHRASE not in self._types:
                raise
            pairs = []
        if kind is SignalKind.TEXT and SignalKind.PHRASE in self._types:
            pairs.append((SignalKind.PHRASE, value))
        return pairs

    def match(self, kind: SignalKind, value: str, *, now: datetime | None = None) -> list[MatchHit]:
        """Every live signal matching a raw ``value`` of ``kind`` (normalised and expanded), best first."""
        hits: list[MatchHit] = []
        for via, normalised in self.lookups(kind, value):
            hits.extend(self.lookup(via, [normalised], now=now)[0])
        return _best_first(hits)

    def lookup(
        self, kind: SignalKind, values: Sequence[str], *, now: datetime | None = None
    ) -> list[list[MatchHit]]:
        """Hits for already normalised ``values`` of one kind, one list per value (a batch for scans)."""
        with self._lock:
            index = self._indexes.get(kind)
            if index is None or not len(index) or not values:
                return [[] for _ in values]
            answers: list[list[MatchHit]] = []
            for value, hits in zip(values, index.query_many(values), strict=True):
                answers.append([self._hit(h, kind, value) for h in hits if self._live(h, now)])
            return answers

    def hits(
        self, kind: SignalKind, values: Sequence[str], *, now: datetime | None = None
    ) -> dict[str, list[MatchHit]]:
        """:meth:`lookup` keeping only the values that hit: what a scan, where most values miss, needs."""
        with self._lock:
            index = self._indexes.get(kind)
            if index is None or not len(index) or not values:
                return {}
            found: dict[str, list[MatchHit]] = {}
            for position, hits in index.query_hits(values).items():
                value = values[position]
                live = [self._hit(h, kind, value) for h in hits if self._live(h, now)]
                if live:
                    found[value] = live
            return found

    def value_set(self, kind: SignalKind) -> pa.Array | None:
        """The values an exact index of ``kind`` holds (``None`` where matching is not by equality), for
        filtering a scan's values in bulk; warning-listed and revoked signals are not in it."""
        with self._lock:
            index = self._indexes.get(kind)
            if not isinstance(index, ExactIndex):
                return None if index is not None or kind not in self._types else pa.array([], pa.string())
            return index.value_array()

    def has_expander(self, kind: SignalKind) -> bool:
        """Whether values of ``kind`` also stand for values of other kinds (see :meth:`expand`)."""
        return kind in self._expanders

    def _index(self, kind: SignalKind) -> SignalIndex:
        if kind not in self._indexes:
            self._indexes[kind] = self._types[kind].new_index()
        return self._indexes[kind]

    def _live(self, hit: Hit, now: datetime | None) -> bool:
        signal = self._signals.get(hit.entry)
        if signal is None:
            return False
        return now is None or signal.expires_at is None or signal.expires_at > now

    def _hit(self, hit: Hit, kind: SignalKind, value: str) -> MatchHit:
        return MatchHit(self._signals[hit.entry], kind, value, hit.distance, hit.score)


def _best_first(hits: list[MatchHit]) -> list[MatchHit]:
    seen: dict[str, MatchHit] = {}
    for hit in sorted(hits, key=lambda h: (-h.score, h.distance)):
        seen.setdefault(hit.signal.id, hit)
    return list(seen.values())
