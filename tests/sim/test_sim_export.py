"""Streaming a simulated world to Parquet or CSV gives the in-memory world's rows; truth.json round-trips."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

from fimihub.errors import ValidationError
from fimihub.sim import (
    POSTS_SCHEMA,
    TRUTH_FORMAT,
    TRUTH_VERSION,
    World,
    WorldConfig,
    generate,
    iter_posts,
    read_truth,
    read_world,
    write_truth,
    write_world,
)

CONFIG = WorldConfig(seed=23, scale=0.4)


@pytest.fixture(scope="module")
def world() -> World:
    return generate(CONFIG)


def test_streamed_chunks_are_the_in_memory_rows_whatever_the_chunk_size(world: World) -> None:
    for size in (997, 5_000):
        chunks = list(iter_posts(CONFIG, chunk_rows=size))
        assert all(c.num_rows == size for c in chunks[:-1]) and 0 < chunks[-1].num_rows <= size
        assert pa.concat_tables(chunks).equals(world.posts)


def test_write_world_streams_parquet_with_progress(world: World, tmp_path: Path) -> None:
    calls: list[tuple[int, int]] = []
    written = write_world(CONFIG, tmp_path, chunk_rows=1_000, progress=lambda d, t: calls.append((d, t)))
    assert written.posts == world.posts.num_rows and written.accounts == world.accounts.num_rows
    assert calls[0] == (0, written.posts) and calls[-1] == (written.posts, written.posts)
    assert [d for d, _ in calls] == sorted(d for d, _ in calls)

    parquet = pq.ParquetFile(written.posts_path)
    assert parquet.metadata.num_row_groups == -(-written.posts // 1_000)
    assert parquet.schema_arrow.equals(POSTS_SCHEMA)
    assert pq.read_table(written.posts_path).equals(world.posts.combine_chunks())
    assert pq.read_table(written.accounts_path).equals(world.accounts)
    assert written.truth == world.truth
    assert f"{written.posts:,} posts" in str(written) and "truth=" not in repr(written)

    again = read_world(tmp_path)
    assert again.truth == world.truth and again.posts.num_rows == world.posts.num_rows


def test_truth_json_is_versioned_and_round_trips(world: World, tmp_path: Path) -> None:
    path = write_truth(world.truth, tmp_path / "truth.json")
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["format"] == TRUTH_FORMAT == "fimihub-sim-truth" and data["version"] == TRUTH_VERSION == 1
    assert data["config"]["seed"] == CONFIG.seed
    assert read_truth(path) == world.truth


@pytest.mark.parametrize(
    ("change", "field"),
    [({"format": "other"}, "format"), ({"version": 99}, "version"), ({"operations": [{"id": 1}]}, "truth")],
)
def test_a_foreign_truth_file_is_refused(
    world: World, tmp_path: Path, change: dict[str, object], field: str
) -> None:
    path = tmp_path / "truth.json"
    path.write_text(json.dumps({**world.truth.to_dict(), **change}), encoding="utf-8")
    with pytest.raises(ValidationError) as caught:
        read_truth(path)
    assert caught.value.field == field


def test_csv_export_has_the_same_columns_with_iso_times(world: World, tmp_path: Path) -> None:
    written = write_world(CONFIG, tmp_path, fmt="csv", chunk_rows=2_000)
    options = pacsv.ConvertOptions(column_types={name: pa.string() for name in POSTS_SCHEMA.names})
    table = pacsv.read_csv(written.posts_path, convert_options=options)
    assert table.schema.names == POSTS_SCHEMA.names
    assert table.num_rows == world.posts.num_rows
    first = next(r for r in table.to_pylist() if r["post_id"])
    assert first["posted_at"].endswith("Z") and "T" in first["posted_at"]
    assert table.column("post_id").to_pylist() == world.posts.column("post_id").to_pylist()
    assert written.accounts_path.name == "accounts.csv"


def test_bad_write_arguments_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ValidationError):
        write_world(CONFIG, tmp_path, chunk_rows=0)
    with pytest.raises(ValidationError):
        write_world(CONFIG, tmp_path, fmt="xlsx")  # type: ignore[arg-type]
