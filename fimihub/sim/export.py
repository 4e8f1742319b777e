"""Writing a simulated world to disk, and reading it back.

:func:`write_world` streams the posts into ``posts.parquet`` one row group per chunk, so a world of ten
million posts never sits in memory; ``accounts.parquet`` and ``truth.json`` go beside it. CSV is offered for
tools that want it, with ISO 8601 times.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from fimihub.csvcells import neutralise_table
from fimihub.errors import ValidationError
from fimihub.sim.config import WorldConfig
from fimihub.sim.schema import ACCOUNTS_SCHEMA, POSTS_SCHEMA
from fimihub.sim.truth import SimTruth
from fimihub.sim.world import DEFAULT_CHUNK_ROWS, Generation, World

__all__ = ["Progress", "WrittenWorld", "read_truth", "read_world", "write_truth", "write_world"]

#: Called after each chunk with (rows written, rows in all).
Progress = Callable[[int, int], None]
Format = Literal["parquet", "csv"]


@dataclass(frozen=True)
class WrittenWorld:
    """What :func:`write_world` wrote: the three paths, the row counts, and the ground truth."""

    posts_path: Path
    accounts_path: Path
    truth_path: Path
    posts: int
    accounts: int
    # Left out of the repr: a large world's truth runs to megabytes.
    truth: SimTruth = field(repr=False)

    def __str__(self) -> str:
        operations = len(self.truth.operations)
        returning = len(self.truth.returning)
        return (
            f"{self.posts:,} posts, {self.accounts:,} accounts ({returning:,} returning), "
            f"{operations} operations in {self.posts_path.parent}"
        )


def write_world(
    config: WorldConfig,
    out_dir: str | os.PathLike[str],
    *,
    chunk_rows: int = DEFAULT_CHUNK_ROWS,
    progress: Progress | None = None,
    fmt: Format = "parquet",
    compression: str = "zstd",
) -> WrittenWorld:
    """Generate the world ``config`` describes into ``out_dir``: ``posts``, ``accounts`` (``.parquet`` or
    ``.csv``) and ``truth.json``. Posts are streamed: memory holds about one chunk of ``chunk_rows`` rows.

    ``progress(done_rows, total_rows)`` is called at the start and after every chunk.
    """
    if chunk_rows < 1:
        raise ValidationError("chunk_rows", "must be at least 1")
    if fmt not in ("parquet", "csv"):
        raise ValidationError("fmt", "must be 'parquet' or 'csv'")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    generation = Generation(config)
    total = generation.total_rows
    posts_path = out / f"posts.{fmt}"
    accounts_path = out / f"accounts.{fmt}"
    accounts = generation.accounts()
    _write_table(accounts, accounts_path, fmt, compression)
    done = 0
    if progress:
        progress(0, total)
    if fmt == "parquet":
        with pq.ParquetWriter(posts_path, POSTS_SCHEMA, compression=compression) as writer:
            for chunk in generation.chunks(chunk_rows):
                writer.write_table(chunk, row_group_size=chunk_rows)
                done += chunk.num_rows
                if progress:
                    progress(done, total)
    else:
        with pacsv.CSVWriter(posts_path, _csv_schema(POSTS_SCHEMA)) as csv_writer:
            for chunk in generation.chunks(chunk_rows):
                csv_writer.write_table(_csv_ready(chunk))
                done += chunk.num_rows
                if progress:
                    progress(done, total)
    truth = generation.truth()
    truth_path = write_truth(truth, out / "truth.json")
    return WrittenWorld(posts_path, accounts_path, truth_path, done, accounts.num_rows, truth)


def _csv_schema(schema: pa.Schema) -> pa.Schema:
    return pa.schema([pa.field(f.name, pa.string()) if pa.types.is_timestamp(f.type) else f for f in schema])


def _csv_ready(table: pa.Table) -> pa.Table:
    """Timestamps as ISO 8601 text (``2024-03-01T12:00:00Z``), which every CSV reader understands, and text
    that a spreadsheet would take for a formula neutralised (:mod:`fimihub.csvcells`)."""
    columns = [
        pc.strftime(col, format="%Y-%m-%dT%H:%M:%SZ") if pa.types.is_timestamp(col.type) else col
        for col in table.columns
    ]
    return neutralise_table(pa.Table.from_arrays(columns, schema=_csv_schema(table.schema)))


def _write_table(table: pa.Table, path: Path, fmt: Format, compression: str) -> None:
    if fmt == "parquet":
        pq.write_table(table, path, compression=compression)
    else:
        pacsv.write_csv(_csv_ready(table), path)


def write_truth(truth: SimTruth, path: str | os.PathLike[str]) -> Path:
    """Write ``truth`` as versioned JSON (``"format": "fimihub-sim-truth", "version": 1``)."""
    target = Path(path)
    target.write_text(
        json.dumps(truth.to_dict(), ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8"
    )
    return target


def read_truth(path: str | os.PathLike[str]) -> SimTruth:
    """The ground truth in ``truth.json`` at ``path``; raises ``ValidationError`` if it is not one."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ValidationError("truth", f"not JSON: {exc}") from None
    if not isinstance(data, dict):
        raise ValidationError("truth", "not a JSON object")
    return SimTruth.from_dict(data)


def read_world(out_dir: str | os.PathLike[str]) -> World:
    """A world written by :func:`write_world` (Parquet), loaded into memory."""
    base = Path(out_dir)
    truth = read_truth(base / "truth.json")
    posts = pq.read_table(base / "posts.parquet", schema=POSTS_SCHEMA)
    accounts = pq.read_table(base / "accounts.parquet", schema=ACCOUNTS_SCHEMA)
    return World(truth.config, posts, accounts, truth)
