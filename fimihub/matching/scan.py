"""The local scan engine: a platform export (Parquet or CSV, one row per post) against a matcher's signals.

Work is done per batch of rows and per *distinct* value: URLs, hashtags and image hashes are split out of
their space-separated columns, each distinct value is normalised and looked up once, and only the values
that hit are mapped back to their rows. Values that do not parse (junk URLs, bad hashes) are counted per
column and skipped; the scan carries on. So do rows of a CSV export that cannot be read
(:mod:`fimihub.matching.reading`): they are counted under ``rows`` and named by line in a warning.

The engine knows nothing of members or markings: the caller passes ``visible``, which says whether the
member running the scan may see a signal, and the engine drops hits on the others before anything leaves.
"""

from __future__ import annotations

import gc
import logging
import multiprocessing
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

import pyarrow as pa

from fimihub.errors import ValidationError
from fimihub.matching.matcher import Matcher
from fimihub.matching.reading import CsvRead, ReadReport, not_parquet
from fimihub.matching.scan_batch import scan_batch
from fimihub.matching.scan_report import ScanHit, ScanReport, ShippedHits
from fimihub.model import Signal, SignalKind

__all__ = [
    "REQUIRED_COLUMNS",
    "STRING_COLUMNS",
    "UNREADABLE_ROWS",
    "ExportRead",
    "ScanHit",
    "ScanReport",
    "columns_for",
    "missing_required",
    "open_export",
    "read_export",
    "scan_batch",
    "scan_export",
]

#: Columns a platform export must have; the others (DESIGN.md, "Platform export") are used when present.
REQUIRED_COLUMNS = ("platform", "account_id")
STRING_COLUMNS = ("platform", "account_id", "handle", "post_id", "text", "urls", "hashtags", "image_pdq")
BATCH_ROWS = 100_000
#: The key of :attr:`ScanReport.bad_values` that counts rows of a CSV export that could not be read.
UNREADABLE_ROWS = "rows"

_log = logging.getLogger("fimihub.scan")


@dataclass(frozen=True)
class ExportRead:
    """A platform export being read: its batches (of the ``columns`` asked for that it has, as text), its row
    count when known, every column it has, and, once the batches are read, what reading skipped."""

    batches: Iterator[pa.RecordBatch]
    total: int | None
    names: list[str]
    report: Callable[[], ReadReport]


def open_export(
    path: Path, batch_rows: int = BATCH_ROWS, columns: Sequence[str] = STRING_COLUMNS
) -> ExportRead:
    """The export at ``path`` (Parquet, or CSV/TSV with a header row), to be read batch by batch. A CSV file
    is read as it comes (:mod:`fimihub.matching.reading`): whatever its encoding, rows that cannot be read
    skipped and reported; a file that is no table raises :class:`ValidationError` naming it."""
    if not path.is_file():
        raise ValidationError("input", f"{path} does not exist or is not a file")
    suffix = path.suffix.lower()
    if suffix in (".parquet", ".pq"):
        import pyarrow.parquet as pq

        try:
            file = pq.ParquetFile(path)
        except (pa.ArrowException, OSError) as exc:
            raise not_parquet(path, "input", exc) from None
        names = file.schema_arrow.names
        wanted = [c for c in columns if c in names]
        batches = file.iter_batches(batch_size=batch_rows, columns=wanted)
        return ExportRead(
            batches, file.metadata.num_rows, names, lambda: ReadReport(str(path), encoding=None)
        )
    if suffix in (".csv", ".tsv", ".txt"):
        reading = CsvRead(
            path,
            delimiter="\t" if suffix == ".tsv" else ",",
            columns=columns,
            expected="a platform export: CSV with a header row",
        )
        return ExportRead(reading.batches(), None, reading.names, reading.report)
    raise ValidationError("input", f"{path}: expected a .parquet or .csv platform export")


def read_export(
    path: Path, batch_rows: int = BATCH_ROWS, columns: Sequence[str] = STRING_COLUMNS
) -> tuple[Iterator[pa.RecordBatch], int | None, list[str]]:
    """Batches of the export's ``columns`` it has (as text), the row count when known, and every column it
    has (:func:`open_export`, less the report of what was skipped)."""
    export = open_export(path, batch_rows, columns)
    return export.batches, export.total, export.names


def columns_for(kinds: frozenset[SignalKind]) -> list[str]:
    """The export columns a scan for signals of ``kinds`` reads: where a row is, and what can hit. The text
    column, the largest by far, is read only when there are text or phrase signals."""
    needed = {
        "handle": SignalKind.HANDLE in kinds,
        "urls": bool(kinds & {SignalKind.URL, SignalKind.DOMAIN, SignalKind.HANDLE}),
        "hashtags": SignalKind.HASHTAG in kinds,
        "image_pdq": SignalKind.PDQ in kinds,
        "text": bool(kinds & {SignalKind.TEXT, SignalKind.PHRASE}),
    }
    return [c for c in STRING_COLUMNS if needed.get(c, True)]


def missing_required(names: Sequence[str]) -> str | None:
    """The first required column an export with columns ``names`` lacks, if any."""
    return next((c for c in REQUIRED_COLUMNS if c not in names), None)


def scan_export(
    path: Path,
    matcher: Matcher,
    *,
    visible: Callable[[Signal], bool],
    now: datetime | None = None,
    progress: Callable[[int, int | None], None] | None = None,
    batch_rows: int = BATCH_ROWS,
    account_hashers: Sequence[Callable[[str], str]] = (),
    workers: int = 1,
) -> ScanReport:
    """Match every row of the export at ``path`` against ``matcher``'s signals the caller may see.

    ``account_hashers`` turn ``platform:account_id`` into the keyed hashes ``account_id`` signals hold (one
    per forum key the member has); without them, account ids are not looked up. With ``workers`` above 1,
    batches are scanned by that many forked processes (where the platform can fork), which share the
    matcher's memory with this one, each reading its own row groups of a Parquet file; the hits and their
    order are the same."""
    columns = columns_for(matcher.kinds)
    export = open_export(path, batch_rows, columns)
    batches, total, names = export.batches, export.total, export.names
    missing = missing_required(names)
    if missing:
        have = ", ".join(names)
        raise ValidationError(missing, f"the export has no {missing!r} column (it has: {have})")
    report = ScanReport(missing_columns=[c for c in STRING_COLUMNS if c not in names])
    seen: dict[str, bool] = {}

    def allowed(signal: Signal) -> bool:
        if signal.id not in seen:
            seen[signal.id] = visible(signal)
        return seen[signal.id]

    job = _BatchJob(matcher, matcher.kinds, allowed, now, tuple(account_hashers))
    # Everything alive now (the matcher's signals and indexes above all) outlives the scan: keeping it out of
    # the garbage collector's sight saves the full collections that the scan's many small objects set off. A
    # process that froze its long-lived objects already (``fimihub serve``) keeps its own arrangement.
    froze = gc.get_freeze_count() == 0
    if froze:
        gc.freeze()
    try:
        for found, rows in _scanned(path, batches, job, workers, batch_rows):
            if isinstance(found, ShippedHits):
                report.absorb_shipped(found, matcher, source=path, base=report.rows)
            else:
                report.absorb(found, base=report.rows)
            report.rows += rows
            if progress:
                progress(report.rows, total)
        _reported(export.report(), report)
    except pa.ArrowInvalid as exc:
        raise ValidationError("input", f"{path}: unreadable at row {report.rows}: {exc}") from None
    finally:
        if froze:
            gc.unfreeze()
    return report


def _reported(read: ReadReport, report: ScanReport) -> None:
    """What reading the export skipped: rows counted in ``report`` under :data:`UNREADABLE_ROWS`, and every
    line of it logged as a warning (logger ``fimihub.scan``), which names the lines."""
    if read.skipped_count:
        report.bad_values[UNREADABLE_ROWS] += read.skipped_count
    for message in read.messages():
        _log.warning(message)


@dataclass(frozen=True)
class _BatchJob:
    matcher: Matcher
    kinds: frozenset[SignalKind]
    allowed: Callable[[Signal], bool]
    now: datetime | None
    account_hashers: tuple[Callable[[str], str], ...]
    keeps_where: bool = True

    def __call__(self, batch: pa.RecordBatch) -> tuple[ScanReport, int]:
        found = ScanReport(keeps_where=self.keeps_where)
        scan_batch(batch, found, self.matcher, self.kinds, self.allowed, self.now, self.account_hashers)
        return found, batch.num_rows


#: What forked scan workers run: the job and the file, set just before the pool forks. Children inherit them
#: (the matcher included), so only row-group numbers go to them and only flattened hits come back.
_FORKED: tuple[_BatchJob, Path, int] | None = None


def _scan_row_group(group: int) -> tuple[ShippedHits, int]:
    import pyarrow.parquet as pq

    assert _FORKED is not None
    job, path, batch_rows = _FORKED
    file = pq.ParquetFile(path)
    columns = columns_for(job.kinds)
    wanted = [c for c in columns if c in file.schema_arrow.names]
    found, rows = ScanReport(keeps_where=False), 0
    for batch in file.iter_batches(batch_size=batch_rows, row_groups=[group], columns=wanted):
        part, count = job(batch)
        found.absorb(part, base=rows)
        rows += count
    return found.portable(), rows


def _scanned(
    path: Path, batches: Iterator[pa.RecordBatch], job: _BatchJob, workers: int, batch_rows: int
) -> Iterator[tuple[ScanReport | ShippedHits, int]]:
    """The hits and row count of each part of the export, in file order: batch by batch here or, for a
    Parquet file of several row groups and ``workers`` above 1, row group by row group in forked workers
    that read the file themselves (sending them the rows would cost more than scanning them)."""
    groups = _row_groups(path) if workers > 1 and "fork" in multiprocessing.get_all_start_methods() else 0
    if groups < 2:
        yield from (job(batch) for batch in batches)
        return
    global _FORKED
    _FORKED = (replace(job, keeps_where=False), path, batch_rows)
    try:
        with multiprocessing.get_context("fork").Pool(min(workers, groups)) as pool:
            yield from pool.imap(_scan_row_group, range(groups), chunksize=1)
    finally:
        _FORKED = None


def _row_groups(path: Path) -> int:
    if path.suffix.lower() not in (".parquet", ".pq"):
        return 0
    import pyarrow.parquet as pq

    return int(pq.ParquetFile(path).metadata.num_row_groups)
