"""Detecting co-action networks in a member's own data: through the hub, into CSV/Parquet and GraphML."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import igraph  # type: ignore[import-untyped]
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

from fimihub import PermissionDenied, ValidationError
from fimihub.cli import main
from fimihub.sim import WorldConfig, generate
from tests.conftest import Cast


@pytest.fixture(scope="module")
def world_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    world = generate(WorldConfig(seed=3))
    path = tmp_path_factory.mktemp("world") / "posts.parquet"
    pq.write_table(world.posts, path)
    return path


def test_operations_come_out_as_communities(cast: Cast, world_path: Path, tmp_path: Path) -> None:
    steps: list[str] = []
    report = cast.hub.coordination.detect(
        cast.analyst_b,
        world_path,
        out=tmp_path / "edges.parquet",
        graphml=tmp_path / "net.graphml",
        progress=lambda step, done, total: steps.append(step),
    )
    assert steps == ["read", "actions", "co-action", "communities", "write", "done"]
    posts = pq.read_table(world_path).to_pylist()
    label = {f"{p['platform']}:{p['account_id']}": p["operation"] for p in posts}
    # Each large community is (nearly) one operation's accounts: benign fans do not act in bursts.
    big = [c for c in report.communities if c.size >= 5]
    assert big
    for community in big:
        ops = Counter(label[a] for a in community.accounts)
        top, count = ops.most_common(1)[0]
        assert top and count / community.size >= 0.9, ops

    edges = pq.read_table(tmp_path / "edges.parquet")
    assert edges.num_rows == report.edges.num_rows > 0
    assert {"account_1", "account_2", "weight", "community_1", "community_2"} <= set(edges.column_names)
    assert min(edges.column("weight").to_pylist()) >= 2

    graph = igraph.Graph.Read_GraphML(str(tmp_path / "net.graphml"))
    assert graph.ecount() == edges.num_rows
    members = {v["id"]: int(v["community"]) for v in graph.vs if v["community"] == v["community"]}
    assert members == {a: c.id for c in report.communities for a in c.accounts}


def test_object_tables_in_cootweets_shape(cast: Cast, tmp_path: Path) -> None:
    rows = [
        ("t1", "a", "r1", 100),
        ("t1", "b", "r2", 110),
        ("t2", "a", "r3", 200),
        ("t2", "b", "r4", 230),
        ("t3", "a", "r5", 300),
        ("t3", "c", "r6", 900),  # too late to pair with a
    ]
    table = pa.table(
        {
            "object_id": [r[0] for r in rows],
            "account_id": [r[1] for r in rows],
            "content_id": [r[2] for r in rows],
            "timestamp_share": [str(r[3]) for r in rows],
        }
    )
    path = tmp_path / "objects.csv"
    pacsv.write_csv(table, path)
    report = cast.hub.coordination.detect(cast.analyst_b, path, window_s=60, min_weight=2)
    assert [(e["account_1"], e["account_2"], e["weight"]) for e in report.edges.to_pylist()] == [
        ("a", "b", 2)
    ]


def test_bad_input_is_named(cast: Cast, tmp_path: Path, world_path: Path) -> None:
    odd = tmp_path / "odd.csv"
    pacsv.write_csv(pa.table({"who": ["a"], "when": ["1"]}), odd)
    with pytest.raises(ValidationError) as exc:
        cast.hub.coordination.detect(cast.analyst_b, odd)
    assert exc.value.field == "input" and "who, when" in exc.value.errors[0][1]
    with pytest.raises(ValidationError) as exc:
        cast.hub.coordination.detect(cast.analyst_b, tmp_path / "missing.parquet")
    assert exc.value.field == "input"
    with pytest.raises(ValidationError) as exc:
        cast.hub.coordination.detect(cast.analyst_b, world_path, out=tmp_path / "edges.xlsx")
    assert exc.value.field == "out"
    with pytest.raises(ValidationError) as exc:
        cast.hub.coordination.detect(cast.analyst_b, world_path, graphml=tmp_path / "net.xml")
    assert exc.value.field == "graphml"
    with pytest.raises(PermissionDenied):
        cast.hub.coordination.detect(cast.hub.operator(), world_path)


def test_cli_detect(
    cast: Cast, db_url: str, world_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "edges.csv"
    code = main(
        [
            "coordination",
            "detect",
            str(world_path),
            "--db",
            db_url,
            "--member",
            cast.analyst_b.member.id,
            "--window",
            "120",
            "--out",
            str(out),
            "--json",
        ]
    )
    summary = json.loads(capsys.readouterr().out)
    assert code == 0 and summary["edges"] == len(pacsv.read_csv(out)) > 0
    assert summary["communities"] and summary["dropped"]
    code = main(["coordination", "detect", str(world_path), "--db", db_url, "--member", "member--nope"])
    assert code == 5  # an unknown member cannot act
