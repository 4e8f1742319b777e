"""Scanning a platform export: every hit of a visible signal is found, bad values are skipped and counted."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

from fimihub import PermissionDenied, Signal, ValidationError, policy
from fimihub.model import Match
from fimihub.policy import IdentifierKeyPair
from fimihub.sim import WorldConfig, generate
from tests.conftest import Cast
from tests.identifiers import register_identifier_keys

PDQ = "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22"


def export(rows: list[dict[str, str]]) -> pa.Table:
    columns = ["platform", "account_id", "handle", "post_id", "text", "urls", "hashtags", "image_pdq"]
    return pa.table({c: [r.get(c, "") for r in rows] for c in columns})


ROWS = [
    {
        "platform": "x",
        "account_id": "1",
        "handle": "fan",
        "post_id": "p1",
        "urls": "https://evil-news.example/a",
    },
    {
        "platform": "x",
        "account_id": "2",
        "handle": "b",
        "post_id": "p2",
        "urls": "hxxp://junk[ ] https://ok.example/",
    },
    {"platform": "facebook", "account_id": "3", "post_id": "p3", "hashtags": "StopTheLies other"},
    {"platform": "x", "account_id": "4", "post_id": "p4", "image_pdq": f"{PDQ} nothex"},
    {"platform": "x", "account_id": "5", "post_id": "p5", "text": "nothing to see"},
]


@pytest.fixture(autouse=True)
def identifier_keys(cast: Cast) -> dict[str, IdentifierKeyPair]:
    """Every organisation of the cast has an identifier key: scans seal the ids they queue to it."""
    return register_identifier_keys(cast.hub, cast.org_a, cast.org_b, cast.org_c, cast.org_d)


@pytest.fixture
def shared(cast: Cast) -> Cast:
    cast.hub.create_many(
        cast.analyst_a,
        Signal,
        [
            {"kind": "domain", "value": "evil-news.example", "forum_id": cast.forum_id},
            {"kind": "hashtag", "value": "#stopthelies", "forum_id": cast.forum_id},
            {"kind": "pdq", "value": PDQ, "quality": 100, "forum_id": cast.forum_id},
        ],
    )
    return cast


def test_scan_finds_hits_and_counts_bad_values(
    shared: Cast, tmp_path: Path, identifier_keys: dict[str, IdentifierKeyPair]
) -> None:
    path = tmp_path / "export.parquet"
    pq.write_table(export(ROWS), path)
    out = tmp_path / "matches.csv"
    summary = shared.hub.scan(shared.analyst_b, path, out=out)
    assert summary.rows == 5
    assert summary.matched_rows == 3 and summary.matches == summary.hits == 3
    # Three accounts hit: the domain and the image hash each open a review item; the hashtag alone does not.
    assert summary.queued == 2 and summary.held == {"weak": 1}
    assert summary.bad_values.get("image_pdq") == 1
    found = pacsv.read_csv(out).to_pylist()
    assert sorted(r["post_id"] for r in found) == ["p1", "p3", "p4"]
    queue = shared.hub.list(shared.analyst_b, Match, limit=100).items
    private = identifier_keys[shared.org_b].private_key
    assert {policy.open_sealed(private, m.post_sealed or "") for m in queue} == {"p1", "p3", "p4"}
    assert {policy.open_sealed(private, m.account_sealed or "") for m in queue} == {"1", "3", "4"}
    assert all(m.source == "scan:export.parquet" for m in queue)


def test_scan_of_csv_and_of_an_outsider(shared: Cast, tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    pacsv.write_csv(export(ROWS), path)
    assert shared.hub.scan(shared.analyst_b, path).matched_rows == 3
    assert shared.hub.scan(shared.analyst_d, path).hits == 0


def test_scan_refuses_what_it_cannot_read(shared: Cast, tmp_path: Path) -> None:
    path = tmp_path / "no-platform.parquet"
    pq.write_table(pa.table({"account_id": ["1"], "urls": [""]}), path)
    with pytest.raises(ValidationError) as exc:
        shared.hub.scan(shared.analyst_b, path)
    assert exc.value.field == "platform"
    garbage = tmp_path / "garbage.parquet"
    garbage.write_bytes(b"not parquet at all")
    with pytest.raises(ValidationError):
        shared.hub.scan(shared.analyst_b, garbage)
    with pytest.raises(ValidationError):
        shared.hub.scan(shared.analyst_b, tmp_path / "missing.csv")
    with pytest.raises(ValidationError) as exc:
        shared.hub.scan(shared.analyst_b, tmp_path / "no-platform.parquet", out=tmp_path / "out.txt")
    assert exc.value.field == "out"
    assert shared.hub.list(shared.analyst_b, Match).items == []
    with pytest.raises(PermissionDenied):
        shared.hub.scan(shared.hub.operator(), path)


def test_scan_of_a_simulated_world_finds_every_post_linking_an_operation_domain(
    cast: Cast, tmp_path: Path
) -> None:
    world = generate(WorldConfig(seed=11))
    domains = sorted({d for op in world.truth.operations for d in op.domains})
    cast.hub.create_many(
        cast.analyst_a, Signal, [{"kind": "domain", "value": d, "forum_id": cast.forum_id} for d in domains]
    )
    path = tmp_path / "posts.parquet"
    pq.write_table(world.posts, path)
    summary = cast.hub.scan(cast.analyst_b, path, out=tmp_path / "m.parquet")
    posts = world.posts.to_pylist()
    expected = {
        p["post_id"]
        for p in posts
        if any(u.split("/")[2].removeprefix("www.") in domains for u in p["urls"].split())
    }
    found = {r["post_id"] for r in pq.read_table(tmp_path / "m.parquet").to_pylist()}
    assert expected and found == expected
    assert summary.rows == world.posts.num_rows


def test_profile_urls_in_posts_find_handle_signals(cast: Cast, tmp_path: Path) -> None:
    cast.hub.create_many(
        cast.analyst_a,
        Signal,
        [
            {"kind": "handle", "value": "x:anna_kovac_1987", "forum_id": cast.forum_id},
            {"kind": "url", "value": "https://evil-news.example/a", "forum_id": cast.forum_id},
        ],
    )
    rows = [
        {"platform": "facebook", "account_id": "1", "post_id": "p1", "urls": "https://x.com/anna_kovac_1987"},
        {
            "platform": "facebook",
            "account_id": "2",
            "post_id": "p2",
            "urls": "https://twitter.com/Anna_Kovac_1988",
        },
        {
            "platform": "x",
            "account_id": "3",
            "post_id": "p3",
            "urls": "HTTPS://Evil-News.example/a?utm_source=t",
        },
        {"platform": "x", "account_id": "4", "post_id": "p4", "urls": "https://evil-news.example/a"},
        {"platform": "x", "account_id": "5", "handle": "anna_kovac_1986", "post_id": "p5"},
    ]
    path = tmp_path / "export.parquet"
    pq.write_table(export(rows), path)
    out = tmp_path / "m.csv"
    cast.hub.scan(cast.analyst_b, path, out=out)
    found = {(r["post_id"], r["item_kind"]) for r in pacsv.read_csv(out).to_pylist()}
    # Exact and renamed handles through profile URLs and the handle column; the URL both canonical and not.
    assert found == {("p1", "handle"), ("p2", "handle"), ("p3", "url"), ("p4", "url"), ("p5", "handle")}


def test_scan_finds_near_duplicate_texts_and_phrases(cast: Cast, tmp_path: Path) -> None:
    narrative = (
        "the ministry hid the real figures from the public for months while officials in brussels signed "
        "new contracts behind closed doors and the national press kept silent about every single detail of it"
    )
    edited = narrative.replace("kept silent", "stayed silent")
    cast.hub.create_many(
        cast.analyst_a,
        Signal,
        [
            {"kind": "text", "value": narrative, "forum_id": cast.forum_id},
            {"kind": "phrase", "value": "pattern:bio labs near the b*", "forum_id": cast.forum_id},
        ],
    )
    rows = [
        {"platform": "x", "account_id": "1", "post_id": "p1", "text": edited},
        {"platform": "x", "account_id": "2", "post_id": "p2", "text": "Secret BIO-LABS near the border!"},
        {
            "platform": "x",
            "account_id": "3",
            "post_id": "p3",
            "text": "a lovely day at the seaside with friends and family",
        },
        {"platform": "x", "account_id": "4", "post_id": "p4", "text": "short"},
    ]
    path = tmp_path / "export.parquet"
    pq.write_table(export(rows), path)
    out = tmp_path / "m.csv"
    cast.hub.scan(cast.analyst_b, path, out=out)
    found = {(r["post_id"], r["item_kind"]) for r in pacsv.read_csv(out).to_pylist()}
    assert found == {("p1", "text"), ("p2", "phrase")}


def test_scan_matches_account_ids_through_keyed_hashes(cast: Cast, tmp_path: Path) -> None:
    (hashed,) = cast.hub.keys.pseudonymise(cast.analyst_a, cast.forum_id, "account_id", ["facebook:100042"])
    cast.hub.create(
        cast.analyst_a, Signal, {"kind": "account_id", "value": hashed, "forum_id": cast.forum_id}
    )
    rows = [
        {"platform": "facebook", "account_id": "100042", "post_id": "p1"},
        {"platform": "x", "account_id": "100042", "post_id": "p2"},
        {"platform": "facebook", "account_id": "100043", "post_id": "p3"},
    ]
    path = tmp_path / "export.parquet"
    pq.write_table(export(rows), path)
    out = tmp_path / "m.csv"
    cast.hub.scan(cast.analyst_b, path, out=out)
    found = pacsv.read_csv(out).to_pylist()
    assert [(r["post_id"], r["item_kind"]) for r in found] == [("p1", "account_id")]
    assert cast.hub.scan(cast.analyst_d, path).hits == 0


def test_forked_workers_find_the_same_hits_in_the_same_order(cast: Cast, tmp_path: Path) -> None:
    world = generate(WorldConfig(seed=12))
    ops = world.truth.operations
    signals = (
        [{"kind": "domain", "value": d} for op in ops for d in op.domains]
        + [{"kind": "pdq", "value": h, "quality": 100} for op in ops for h in op.image_hashes]
        + [{"kind": "hashtag", "value": h} for op in ops for h in op.hashtags]
    )
    cast.hub.create_many(cast.analyst_a, Signal, [{**s, "forum_id": cast.forum_id} for s in signals])
    path = tmp_path / "posts.parquet"
    pq.write_table(world.posts, path, row_group_size=1000)  # several row groups, one per worker task
    one, two = tmp_path / "one.csv", tmp_path / "two.csv"
    first = cast.hub.scan(cast.analyst_b, path, out=one)
    second = cast.hub.scan(cast.analyst_b, path, out=two, workers=2)
    assert first.hits > 100 and (first.rows, first.hits, first.matched_rows) == (
        second.rows,
        second.hits,
        second.matched_rows,
    )
    columns = ["platform", "account_id", "post_id", "item_kind", "item_value", "signal_id", "distance"]
    assert pacsv.read_csv(one).select(columns).equals(pacsv.read_csv(two).select(columns))
