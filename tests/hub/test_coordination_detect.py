"""Detecting co-action networks in a member's own data: with no hub (``detect_coordination``) or through one
(``hub.coordination.detect``), into CSV/Parquet (edges, communities) and GraphML."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import igraph  # type: ignore[import-untyped]
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

from fimihub import PermissionDenied, ValidationError
from fimihub.coordination.coaction import network
from fimihub.hub.coordination import COMMUNITY_COLUMNS, COORDINATION_STEPS, detect_coordination
from fimihub.sim import WorldConfig, generate
from tests.conftest import Cast


@pytest.fixture(scope="module")
def world_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    world = generate(WorldConfig(seed=3))
    path = tmp_path_factory.mktemp("world") / "posts.parquet"
    pq.write_table(world.posts, path)
    return path


def object_table(rows: list[tuple[str, str, int]]) -> pa.Table:
    """An object table in CooRTweet's shape from ``(object_id, account_id, second)`` rows."""
    return pa.table(
        {
            "object_id": [r[0] for r in rows],
            "account_id": [r[1] for r in rows],
            "content_id": [f"c{i}" for i in range(len(rows))],
            "timestamp_share": [str(r[2]) for r in rows],
        }
    )


def test_operations_come_out_as_communities_that_score_high(world_path: Path, tmp_path: Path) -> None:
    told: list[tuple[str, int, int | None]] = []
    report = detect_coordination(
        world_path,
        out=tmp_path / "edges.parquet",
        graphml=tmp_path / "net.graphml",
        communities_out=tmp_path / "communities.parquet",
        progress=lambda step, done, total: told.append((step, done, total)),
    )
    # Progress counts rows, then actions, then accounts, each up to its total.
    assert list(dict.fromkeys(step for step, _, _ in told)) == list(COORDINATION_STEPS)
    last = {step: (done, total) for step, done, total in told}
    assert last["rows"] == (report.rows, report.rows)
    assert last["actions"] == (report.actions, report.actions)
    assert last["accounts"] == (report.accounts, report.accounts)

    posts = pq.read_table(world_path).to_pylist()
    label = {f"{p['platform']}:{p['account_id']}": p["operation"] for p in posts}
    # Each large community is (nearly) one operation's accounts: benign fans do not act in bursts. Such a
    # community scores high, though each of its accounts co-acts with only some of the others.
    big = [c for c in report.communities if c.size >= 5]
    assert big
    for community in big:
        ops = Counter(label[a] for a in community.accounts)
        top, count = ops.most_common(1)[0]
        assert top and count / community.size >= 0.9, ops
        assert community.score > 0.5, (community.size, community.score, community.cohesion)
    assert min(c.density for c in big) < 0.5  # what the score used to be: no longer what it says

    edges = pq.read_table(tmp_path / "edges.parquet")
    assert edges.num_rows == report.edges.num_rows > 0
    assert {"account_1", "account_2", "weight", "community_1", "community_2"} <= set(edges.column_names)
    assert min(edges.column("weight").to_pylist()) >= 2

    graph = igraph.Graph.Read_GraphML(str(tmp_path / "net.graphml"))
    assert graph.ecount() == edges.num_rows
    members = {v["id"]: int(v["community"]) for v in graph.vs if v["community"] == v["community"]}
    assert members == {a: c.id for c in report.communities for a in c.accounts}

    # Every community, in a file: its accounts, size, score, the objects most shared, first and last time.
    written = pq.read_table(tmp_path / "communities.parquet")
    assert tuple(written.column_names) == COMMUNITY_COLUMNS
    rows = written.to_pylist()
    assert [r["community"] for r in rows] == [c.id for c in report.communities]
    for row, community in zip(rows, report.communities, strict=True):
        assert row["accounts"].split(" ") == list(community.accounts) and row["size"] == community.size
        assert row["score"] == round(community.score, 4)
        assert community.first_time is not None and community.last_time is not None
        assert row["first_time"] == datetime.fromtimestamp(community.first_time, UTC)
        assert row["last_time"] == datetime.fromtimestamp(community.last_time, UTC)
        assert community.evidence is not None
        top = community.evidence.to_pylist()[0]
        assert row["top_objects"].startswith(f"{top['object_kind']}:{top['object_id']} ({top['accounts']})")


def test_the_hub_runs_it_for_members_only(cast: Cast, world_path: Path) -> None:
    report = cast.hub.coordination.detect(cast.analyst_b, world_path, window_s=120)
    assert report.edges.num_rows > 0 and report.communities
    with pytest.raises(PermissionDenied):
        cast.hub.coordination.detect(cast.hub.operator(), world_path)


def test_object_tables_in_cootweets_shape(tmp_path: Path) -> None:
    table = object_table(
        [
            ("t1", "a", 100),
            ("t1", "b", 110),
            ("t2", "a", 200),
            ("t2", "b", 230),
            ("t3", "a", 300),
            ("t3", "c", 900),  # too late to pair with a
        ]
    )
    path = tmp_path / "objects.csv"
    pacsv.write_csv(table, path)
    report = detect_coordination(path, window_s=60, min_weight=2)
    assert [(e["account_1"], e["account_2"], e["weight"]) for e in report.edges.to_pylist()] == [
        ("a", "b", 2)
    ]
    [community] = report.communities
    assert (community.first_time, community.last_time) == (100, 230)


def test_matched_actions_are_directed(tmp_path: Path) -> None:
    # a shares t1 three times in a burst beside b's one share: 3 of a's actions matched, 1 of b's (twice).
    table = object_table([("t1", "a", 100), ("t1", "a", 101), ("t1", "a", 102), ("t1", "b", 110)])
    table = pa.concat_tables([table, object_table([("t2", "a", 500), ("t2", "b", 505)])])
    objects = detect_coordination(table, window_s=60, min_weight=1)
    assert [(e["account_1"], e["account_2"], e["weight"]) for e in objects.edges.to_pylist()] == [
        ("a", "b", 2)
    ]
    actions = detect_coordination(table, window_s=60, min_weight=1, mode="actions")
    assert actions.mode == "actions"
    assert {(e["account_1"], e["account_2"], e["weight"]) for e in actions.edges.to_pylist()} == {
        ("a", "b", 4),
        ("b", "a", 2),
    }
    assert [c.accounts for c in actions.communities] == [("a", "b")]
    # The communities' times come from their co-actions when directed edges carry none.
    assert (actions.communities[0].first_time, actions.communities[0].last_time) == (100, 505)
    with pytest.raises(ValidationError) as exc:
        detect_coordination(table, mode="edges")  # type: ignore[arg-type]
    assert exc.value.field == "mode"


def test_progress_counts_the_actions_paired(monkeypatch: pytest.MonkeyPatch) -> None:
    # Many objects, a small pair budget: pairing goes a chunk of objects at a time, and says so.
    monkeypatch.setattr(network, "_CHUNK_PAIRS", 50)
    rows = [(f"o{k}", f"u{(k + i) % 40}", 1000 * k + i) for k in range(200) for i in range(6)]
    told: list[tuple[int, int | None]] = []
    report = detect_coordination(
        object_table(rows),
        progress=lambda step, done, total: told.append((done, total)) if step == "actions" else None,
    )
    assert report.actions == len(rows)
    done = [d for d, _ in told]
    assert len(set(done)) > 5 and done == sorted(done)
    assert told[-1] == (len(rows), len(rows))


def test_bad_input_is_named(tmp_path: Path, world_path: Path) -> None:
    odd = tmp_path / "odd.csv"
    pacsv.write_csv(pa.table({"who": ["a"], "when": ["1"]}), odd)
    with pytest.raises(ValidationError) as exc:
        detect_coordination(odd)
    assert exc.value.field == "input" and "who, when" in exc.value.errors[0][1]
    with pytest.raises(ValidationError) as exc:
        detect_coordination(tmp_path / "missing.parquet")
    assert exc.value.field == "input"
    with pytest.raises(ValidationError) as exc:
        detect_coordination(world_path, out=tmp_path / "edges.xlsx")
    assert exc.value.field == "out"
    with pytest.raises(ValidationError) as exc:
        detect_coordination(world_path, communities_out=tmp_path / "nowhere" / "communities.csv")
    assert exc.value.field == "communities"
    with pytest.raises(ValidationError) as exc:
        detect_coordination(world_path, graphml=tmp_path / "net.xml")
    assert exc.value.field == "graphml"
