"""The Spark scan engine: the local engine's batch step, run by Spark executors over Arrow batches.

For exports too big for one machine, Spark reads the Parquet or CSV files (a path, a directory or a glob on
any file system Spark reaches), splits them into partitions, and each executor scans its partitions with the
same code as the local engine (:func:`fimihub.matching.scan.scan_batch`), so both engines find the same hits.

Only the signals the member may see are shipped to the executors (as JSON), which rebuild a matcher from
them once per Python worker. What comes back to the driver is small: one row per hit and one per column
with unreadable values. The driver turns hits back into :class:`~fimihub.matching.scan.ScanHit` with the
full :class:`~fimihub.model.Signal`.

PySpark is an optional dependency (``pip install 'fimihub[spark]'``) and needs Java 17 or newer.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import pyarrow as pa

from fimihub.errors import ValidationError
from fimihub.matching.matcher import Matcher, MatchHit
from fimihub.matching.scan import STRING_COLUMNS, ScanHit, ScanReport, missing_required, scan_batch
from fimihub.model import Signal, SignalKind, parse

__all__ = ["scan_export_spark", "spark_available"]

_ROW = "_fimihub_row"
#: What executors send back: hits (``signal_id`` set), counts of unreadable values (``bad_column`` set) and,
#: for each batch, its number of rows (neither set).
RESULT_SCHEMA = pa.schema(
    [
        ("row", pa.int64()),
        ("platform", pa.string()),
        ("account_id", pa.string()),
        ("post_id", pa.string()),
        ("signal_id", pa.string()),
        ("via", pa.string()),
        ("value", pa.string()),
        ("distance", pa.float64()),
        ("score", pa.float64()),
        ("bad_column", pa.string()),
        ("count", pa.int64()),
    ]
)
_RESULT_DDL = (
    "row long, platform string, account_id string, post_id string, signal_id string, via string, "
    "value string, distance double, score double, bad_column string, count long"
)


def spark_available() -> bool:
    """Whether PySpark can be imported here (Java is checked when a session starts)."""
    try:
        import pyspark  # noqa: F401
    except ImportError:
        return False
    return True


def scan_export_spark(
    path: Path | str,
    signals: Sequence[Signal],
    *,
    new_matcher: Callable[[], Matcher],
    now: datetime | None = None,
    progress: Callable[[int, int | None], None] | None = None,
    account_hashers: Sequence[Callable[[str], str]] = (),
    master: str | None = None,
    session: Any = None,
) -> ScanReport:
    """Scan the export at ``path`` with Spark against ``signals`` (already only those the member may see).

    ``new_matcher`` builds an empty matcher on each executor (it must be picklable, e.g. a module-level
    function); ``master`` is the Spark master URL for a session made here (default ``local[*]``), or pass a
    running ``session``."""
    if not spark_available():
        raise ValidationError("engine", "the Spark engine needs PySpark: pip install 'fimihub[spark]'")
    spark = session if session is not None else _session(master)
    frame = _read(spark, str(path))
    names = list(frame.columns)
    missing = missing_required(names)
    if missing:
        raise ValidationError(missing, f"the export has no {missing!r} column (it has: {', '.join(names)})")
    from pyspark.sql import functions as sf

    present = [c for c in STRING_COLUMNS if c in names]
    frame = frame.select(*[sf.col(c).cast("string").alias(c) for c in present]).withColumn(
        _ROW, sf.monotonically_increasing_id()
    )
    payload = json.dumps([s.model_dump(mode="json") for s in signals], sort_keys=True)
    job = _Job(payload, new_matcher, now, tuple(account_hashers))
    result = _collect(spark, frame.mapInArrow(job, _RESULT_DDL), progress)
    report = ScanReport(missing_columns=[c for c in STRING_COLUMNS if c not in names])
    by_id = {s.id: s for s in signals}
    for row in result.to_pylist():
        if row["signal_id"] is None:
            if row["bad_column"] is None:
                report.rows += row["count"]
            else:
                report.bad_values[row["bad_column"]] += row["count"]
            continue
        hit = MatchHit(
            by_id[row["signal_id"]], SignalKind(row["via"]), row["value"], row["distance"], row["score"]
        )
        report.add(ScanHit(row["row"], row["platform"], row["account_id"], row["post_id"], hit))
    report.sort_hits()
    if progress:
        progress(report.rows, report.rows)
    return report


class _Job:
    """What each executor runs over its Arrow batches: a picklable callable with the signals as JSON."""

    def __init__(
        self,
        signals_json: str,
        new_matcher: Callable[[], Matcher],
        now: datetime | None,
        account_hashers: tuple[Callable[[str], str], ...],
    ) -> None:
        self.signals_json = signals_json
        self.digest = hashlib.sha256(signals_json.encode()).hexdigest()
        self.new_matcher = new_matcher
        self.now = now
        self.account_hashers = account_hashers

    def __call__(self, batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        matcher = _worker_matcher(self.digest, self.signals_json, self.new_matcher)
        for batch in batches:
            yield _scan_one(batch, matcher, self.now, self.account_hashers)


_MATCHERS: dict[str, Matcher] = {}
_MATCHERS_LOCK = threading.Lock()


def _worker_matcher(digest: str, signals_json: str, new_matcher: Callable[[], Matcher]) -> Matcher:
    """The matcher of a set of signals, built once per Python worker process and reused across tasks."""
    with _MATCHERS_LOCK:
        matcher = _MATCHERS.get(digest)
        if matcher is None:
            matcher = new_matcher()
            matcher.add(parse(Signal, s) for s in json.loads(signals_json))
            _MATCHERS.clear()
            _MATCHERS[digest] = matcher
        return matcher


def _scan_one(
    batch: pa.RecordBatch,
    matcher: Matcher,
    now: datetime | None,
    account_hashers: Sequence[Callable[[str], str]],
) -> pa.RecordBatch:
    ids = batch.column(_ROW).to_pylist()
    columns = _without_row(batch)
    report = ScanReport()
    scan_batch(columns, report, matcher, matcher.kinds, lambda _: True, now, account_hashers)
    rows: dict[str, list[Any]] = {name: [] for name in RESULT_SCHEMA.names}
    for h in report.hits:
        values = (ids[h.row], h.platform, h.account_id, h.post_id, h.hit.signal.id, h.hit.via.value)
        _append(rows, (*values, h.hit.value, float(h.hit.distance), float(h.hit.score), None, None))
    for column, count in report.bad_values.items():
        _append(rows, (None, None, None, None, None, None, None, None, None, column, count))
    _append(rows, (None, None, None, None, None, None, None, None, None, None, batch.num_rows))
    return pa.RecordBatch.from_pydict(rows, schema=RESULT_SCHEMA)


def _append(rows: dict[str, list[Any]], values: tuple[Any, ...]) -> None:
    for name, value in zip(RESULT_SCHEMA.names, values, strict=True):
        rows[name].append(value)


def _without_row(batch: pa.RecordBatch) -> pa.RecordBatch:
    keep = [i for i, name in enumerate(batch.schema.names) if name != _ROW]
    return pa.RecordBatch.from_arrays([batch.column(i) for i in keep], [batch.schema.names[i] for i in keep])


def _session(master: str | None) -> Any:
    from pyspark.sql import SparkSession

    # Executors run this interpreter, so they have fimihub and its dependencies (unless told otherwise).
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    builder = SparkSession.builder.appName("fimihub-scan").master(master or "local[*]")
    builder = builder.config("spark.ui.enabled", "false").config("spark.ui.showConsoleProgress", "false")
    return builder.config("spark.sql.execution.arrow.pyspark.enabled", "true").getOrCreate()


def _read(spark: Any, path: str) -> Any:
    lowered = path.lower().rstrip("/")
    try:
        if lowered.endswith((".csv", ".tsv", ".txt")):
            sep = "\t" if lowered.endswith(".tsv") else ","
            return spark.read.csv(path, header=True, sep=sep, inferSchema=False, multiLine=True, escape='"')
        return spark.read.parquet(path)
    except Exception as exc:  # Spark raises its own AnalysisException for a missing or unreadable path
        raise ValidationError("input", f"{path} is not a readable export: {_first_line(exc)}") from None


def _collect(spark: Any, frame: Any, progress: Callable[[int, int | None], None] | None) -> pa.Table:
    """Run the job, reporting finished tasks as progress while it runs."""
    done = threading.Event()
    if progress is not None:
        tracker = spark.sparkContext.statusTracker()

        def watch() -> None:
            while not done.wait(0.5):
                finished = total = 0
                for stage_id in tracker.getActiveStageIds():
                    info = tracker.getStageInfo(stage_id)
                    if info is not None:
                        finished += info.numCompletedTasks
                        total += info.numTasks
                if total:
                    progress(finished, total)

        threading.Thread(target=watch, daemon=True).start()
    try:
        table: pa.Table = frame.toArrow()
        return table
    except Exception as exc:
        raise ValidationError("input", f"the Spark scan failed: {_first_line(exc)}") from None
    finally:
        done.set()


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
