"""The Spark scan engine finds exactly what the local engine finds (Spark in local mode, a real JVM)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

from fimihub import Signal, ValidationError
from fimihub.matching.spark_scan import spark_available
from fimihub.model import Match
from fimihub.sim import WorldConfig, generate
from tests.conftest import Cast
from tests.identifiers import register_identifier_keys

pytestmark = [
    pytest.mark.skipif(
        not spark_available(), reason="PySpark is not installed (pip install 'fimihub[spark]')"
    ),
    pytest.mark.skipif(shutil.which("java") is None, reason="Spark needs Java 17 or newer on the PATH"),
    pytest.mark.slow,
]


@pytest.fixture(autouse=True)
def _sqlite_only(db_url: str) -> None:
    # The engine does not touch the store; the queue it fills is tested on both databases elsewhere.
    if db_url.startswith("postgresql"):
        pytest.skip("the Spark engine runs once, on SQLite")


@pytest.fixture(autouse=True)
def _identifier_key(_sqlite_only: None, cast: Cast) -> None:
    # B's queue holds the ids its scans find sealed to B's identifier key.
    register_identifier_keys(cast.hub, cast.org_b, cast.org_d)


def _found(out: Path) -> set[tuple[str, str, str, str]]:
    rows = pacsv.read_csv(out, convert_options=pacsv.ConvertOptions(strings_can_be_null=False)).to_pylist()
    return {(str(r["post_id"]), r["item_kind"], r["item_value"], r["signal_id"]) for r in rows}


def test_spark_and_local_engines_find_the_same_hits(cast: Cast, tmp_path: Path) -> None:
    world = generate(WorldConfig(seed=5))
    ops = world.truth.operations
    signals = (
        [{"kind": "domain", "value": d} for op in ops for d in op.domains[:2]]
        + [{"kind": "hashtag", "value": h} for op in ops for h in op.hashtags[:2]]
        + [{"kind": "pdq", "value": h, "quality": 100} for op in ops for h in op.image_hashes[:2]]
        + [{"kind": "text", "value": t} for op in ops for t in op.text_samples[:1]]
    )
    cast.hub.create_many(cast.analyst_a, Signal, [{**s, "forum_id": cast.forum_id} for s in signals])
    # Spark reads a directory of Parquet files as one export; junk values are counted the same way.
    junk = world.posts.slice(0, 1).to_pylist()[0]
    junk.update(platform="x", account_id="junk", post_id="junk-1", urls="hxxp://[ ", image_pdq="nothex")
    posts = pa.concat_tables([world.posts, pa.Table.from_pylist([junk], schema=world.posts.schema)])
    parts = tmp_path / "export"
    parts.mkdir()
    half = posts.num_rows // 2
    pq.write_table(posts.slice(0, half), parts / "part-0.parquet")
    pq.write_table(posts.slice(half), parts / "part-1.parquet")
    whole = tmp_path / "export.parquet"
    pq.write_table(posts, whole)

    local = cast.hub.scan(cast.analyst_b, whole, out=tmp_path / "local.csv")
    progress: list[tuple[int, int | None]] = []
    spark = cast.hub.scan(
        cast.analyst_b,
        parts,
        out=tmp_path / "spark.csv",
        engine="spark",
        spark_master="local[2]",
        progress=lambda done, total: progress.append((done, total)),
    )
    assert local.hits > 100
    assert _found(tmp_path / "spark.csv") == _found(tmp_path / "local.csv")
    assert (spark.rows, spark.hits, spark.matched_rows) == (local.rows, local.hits, local.matched_rows)
    assert spark.bad_values == local.bad_values and spark.bad_values["image_pdq"] >= 1
    assert progress[-1] == (spark.rows, spark.rows)
    queued = cast.hub.list(cast.analyst_b, Match, limit=1000).items
    assert len(queued) == min(1000, local.hits + spark.hits)

    # An outsider's Spark scan sees nothing: only visible signals are shipped to the executors.
    assert cast.hub.scan(cast.analyst_d, parts, engine="spark", spark_master="local[2]").hits == 0


def test_spark_engine_names_what_is_wrong(cast: Cast, tmp_path: Path) -> None:
    path = tmp_path / "no-platform.parquet"
    pq.write_table(pa.table({"account_id": ["1"]}), path)
    with pytest.raises(ValidationError) as exc:
        cast.hub.scan(cast.analyst_b, path, engine="spark", spark_master="local[1]")
    assert exc.value.field == "platform"
    with pytest.raises(ValidationError) as exc:
        cast.hub.scan(cast.analyst_b, tmp_path / "missing", engine="spark", spark_master="local[1]")
    assert exc.value.field == "input"
    with pytest.raises(ValidationError) as exc:
        cast.hub.scan(cast.analyst_b, path, engine="mapreduce")
    assert exc.value.field == "engine"
