"""What a scan found: hits kept column-wise, and how they travel between processes.

A scan of millions of rows can find millions of hits; most callers only count them, or write them out. So
hits are kept as arrays (row numbers, where the rows are, which look-up answer each is) and become Python
objects only when someone asks for :attr:`ScanReport.hits`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from fimihub.matching.matcher import Matcher, MatchHit
from fimihub.model import Signal, SignalKind

__all__ = ["WHERE_COLUMNS", "ScanHit", "ScanReport", "ShippedHits", "Where"]


@dataclass(frozen=True, slots=True)
class ScanHit:
    """One signal found on one row of the export."""

    row: int
    platform: str
    account_id: str
    post_id: str
    hit: MatchHit


Where = tuple[pa.Array, pa.Array, pa.Array]
WHERE_COLUMNS = ("platform", "account_id", "post_id")


@dataclass(frozen=True)
class ShippedHits:
    """A report's hits flattened for the trip from a worker process: row numbers, which answer each hit is,
    and the answers with their signals named by id. Where each row is (platform, account, post) stays behind:
    it is read back from the export if anyone asks."""

    rows: npt.NDArray[np.int64]
    refs: npt.NDArray[np.int64]
    answers: pa.Table
    bad_values: dict[str, int]


@dataclass(frozen=True)
class _Part:
    """Hits found together: absolute row numbers, where those rows are (``None``: not yet read), and which of
    the part's answers each hit is (answers as hits, or as a shipped table naming signals by id)."""

    rows: npt.NDArray[np.int64]
    refs: npt.NDArray[np.int64]
    where: Where | None
    answers: list[MatchHit] | pa.Table


@dataclass
class ScanReport:
    """What a scan read, found and skipped.

    Hits are kept column-wise as they are found (row numbers, where they are, and which look-up answer they
    are), so a scan with millions of hits makes no Python object per hit until someone asks for
    :attr:`hits`."""

    rows: int = 0
    bad_values: Counter[str] = field(default_factory=Counter)
    missing_columns: list[str] = field(default_factory=list)
    _parts: list[_Part] = field(default_factory=list)
    _extra: list[ScanHit] = field(default_factory=list)
    _materialised: list[ScanHit] | None = None
    #: Where shipped parts' rows are read back from, and how their signal ids become signals.
    _source: Path | None = None
    _signal: Callable[[str], Signal] | None = None
    #: Whether hits keep where their rows are (a worker whose hits are shipped does not: that is read back).
    keeps_where: bool = True

    def add(self, hit: ScanHit) -> None:
        """Record one hit found elsewhere (another engine's executors)."""
        self._extra.append(hit)
        self._materialised = None

    def add_many(
        self,
        rows: npt.NDArray[np.int64],
        where: Where | None,
        answers: list[MatchHit],
        refs: npt.NDArray[np.int64],
    ) -> None:
        """Record hits: row ``rows[i]``, at ``where`` (platform, account, post; ``None`` when the rows are to
        be read back from the export), hit ``answers[refs[i]]``."""
        self._parts.append(_Part(rows, refs, where, answers))
        self._materialised = None

    @property
    def hit_count(self) -> int:
        return sum(len(p.rows) for p in self._parts) + len(self._extra)

    @property
    def matched_rows(self) -> int:
        rows = [*(p.rows for p in self._parts), np.array([h.row for h in self._extra], dtype=np.int64)]
        return len(np.unique(np.concatenate(rows)))

    @property
    def hits(self) -> list[ScanHit]:
        """Every hit, in the order found."""
        if self._materialised is None:
            found: list[ScanHit] = []
            read_back = self._read_back()
            for part in self._parts:
                answers = part.answers if isinstance(part.answers, list) else self._hits_of(part.answers)
                platform, account, post = part.where or tuple(
                    pc.take(c, pa.array(part.rows)) for c in read_back
                )
                found.extend(
                    ScanHit(row, p or "", a or "", q or "", answers[ref])
                    for row, p, a, q, ref in zip(
                        part.rows.tolist(),
                        platform.to_pylist(),
                        account.to_pylist(),
                        post.to_pylist(),
                        part.refs.tolist(),
                        strict=True,
                    )
                )
            self._materialised = found + self._extra
        return self._materialised

    def _read_back(self) -> Where:
        if all(p.where is not None for p in self._parts):
            return (pa.array([]), pa.array([]), pa.array([]))
        import pyarrow.parquet as pq

        assert self._source is not None
        table = pq.read_table(self._source, columns=[c for c in WHERE_COLUMNS if c in self._names()])
        columns = [
            pc.cast(table.column(c), pa.string()).combine_chunks()
            if c in table.column_names
            else pa.nulls(table.num_rows, pa.string())
            for c in WHERE_COLUMNS
        ]
        return (columns[0], columns[1], columns[2])

    def _names(self) -> list[str]:
        import pyarrow.parquet as pq

        assert self._source is not None
        return list(pq.ParquetFile(self._source).schema_arrow.names)

    def _hits_of(self, answers: pa.Table) -> list[MatchHit]:
        assert self._signal is not None
        signal = self._signal
        columns = answers.to_pydict()
        return [
            MatchHit(signal(s), SignalKind(v), value, d, score)
            for s, v, value, d, score in zip(
                columns["signal_id"],
                columns["via"],
                columns["value"],
                columns["distance"],
                columns["score"],
                strict=True,
            )
        ]

    def portable(self) -> ShippedHits:
        """This report's hits (found in this process) as a few flat arrays, cheap to send between processes;
        :meth:`absorb_shipped` takes them in."""
        answers: list[MatchHit] = []
        refs: list[npt.NDArray[np.int64]] = []
        for part in self._parts:
            assert isinstance(part.answers, list)
            refs.append(part.refs + len(answers))
            answers.extend(part.answers)
        table = pa.table(
            {
                "signal_id": pa.array([a.signal.id for a in answers], pa.string()),
                "via": pa.array([a.via.value for a in answers], pa.string()),
                "value": pa.array([a.value for a in answers], pa.string()),
                "distance": pa.array([a.distance for a in answers], pa.float64()),
                "score": pa.array([a.score for a in answers], pa.float64()),
            }
        )
        return ShippedHits(
            _concat64([p.rows for p in self._parts]), _concat64(refs), table, dict(self.bad_values)
        )

    def absorb_shipped(self, shipped: ShippedHits, matcher: Matcher, *, source: Path, base: int) -> None:
        """Add hits shipped from another process (from a part of ``source`` whose first row is ``base``)."""
        if len(shipped.rows):
            self._parts.append(_Part(shipped.rows + base, shipped.refs, None, shipped.answers))
            self._source, self._signal = source, matcher.signal
        self.bad_values.update(shipped.bad_values)
        self._materialised = None

    def absorb(self, other: ScanReport, *, base: int) -> None:
        """Add the hits (of a batch whose first row is ``base``) and skipped values of ``other``."""
        self._parts.extend(_Part(p.rows + base, p.refs, p.where, p.answers) for p in other._parts)
        self.bad_values.update(other.bad_values)
        self._materialised = None

    def sort_hits(self) -> None:
        """Put the hits in row order (then signal, kind and value), as engines that run out of order need."""
        self._materialised = sorted(
            self.hits, key=lambda h: (h.row, h.hit.signal.id, h.hit.via.value, h.hit.value)
        )


def _concat64(parts: list[npt.NDArray[np.int64]]) -> npt.NDArray[np.int64]:
    return np.concatenate(parts) if parts else np.empty(0, np.int64)
