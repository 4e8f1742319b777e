"""Actions from platform exports and object tables: object kinds, canonical ids, times, what is dropped."""

from __future__ import annotations

import itertools
from typing import Any

import pyarrow as pa
import pytest

from fimihub.coordination.coaction import (
    ACTION_COLUMNS,
    actions_from_export,
    actions_from_objects,
    coaction_edges,
)
from fimihub.errors import ValidationError

T0 = 1_700_000_000
IMAGE = "f" * 16 + "0" * 48
IMAGE_NEAR = "f" * 15 + "e" + "0" * 47 + "1"  # two bits away
IMAGE_FAR = "0" * 16 + "f" * 48
TEXT = "the election was stolen by the people who run the ministry of truth"
TEXT_NEAR = "the election was stolen by the people who run the ministry of truth!!"


def export(*rows: dict[str, Any]) -> pa.Table:
    """A platform export with every column, empty where a row does not say otherwise."""
    columns = ("platform", "account_id", "post_id", "posted_at", "text", "urls", "hashtags", "image_pdq",
               "repost_of")  # fmt: skip
    return pa.table({c: pa.array([r.get(c, "") for r in rows], pa.string()) for c in columns})


def objects_of(table: pa.Table) -> set[tuple[str, str, str, int]]:
    rows = table.select(["account", "object_kind", "object_id", "time"]).to_pylist()
    return {(r["account"], r["object_kind"], r["object_id"], r["time"]) for r in rows}


def test_every_kind_is_derived_in_canonical_form() -> None:
    result = actions_from_export(
        export(
            {
                "platform": "X",
                "account_id": "1",
                "post_id": "p1",
                "posted_at": str(T0),
                "text": TEXT,
                "urls": "https://News.Example.co.uk/a?utm_source=x&id=3 hxxps://evil[.]com/b",
                "hashtags": "#StopTheWar other",
                "image_pdq": IMAGE,
            },
            {"platform": "x", "account_id": "2", "post_id": "p2", "posted_at": str(T0 + 5), "repost_of": "p1",
             "text": TEXT, "urls": "https://ignored.example/"},
        )
    )  # fmt: skip
    assert result.actions.column_names == list(ACTION_COLUMNS)
    got = objects_of(result.actions)
    assert ("x:1", "url", "https://news.example.co.uk/a?id=3", T0) in got
    assert ("x:1", "url", "https://evil.com/b", T0) in got
    assert ("x:1", "domain", "example.co.uk", T0) in got
    assert ("x:1", "domain", "evil.com", T0) in got
    assert ("x:1", "hashtag", "stopthewar", T0) in got
    assert ("x:1", "hashtag", "other", T0) in got
    assert ("x:1", "image", IMAGE, T0) in got
    # A repost brings only its repost object: its text and links are the original's.
    assert {k for a, k, _, _ in got if a == "x:2"} == {"repost"}
    assert ("x:2", "repost", "x:p1", T0 + 5) in got
    assert len([k for _, k, _, _ in got if k == "text"]) == 1
    assert set(result.actions.column("platform").to_pylist()) == {"x"}


def test_near_duplicate_images_and_texts_are_one_object() -> None:
    rows = [
        {"platform": "x", "account_id": "1", "posted_at": str(T0), "image_pdq": IMAGE, "text": TEXT},
        {"platform": "x", "account_id": "2", "posted_at": str(T0), "image_pdq": IMAGE_NEAR,
         "text": TEXT_NEAR},
        {"platform": "x", "account_id": "3", "posted_at": str(T0), "image_pdq": IMAGE_FAR,
         "text": "a completely different story about the harvest festival in the village"},
    ]  # fmt: skip
    actions = actions_from_export(export(*rows)).actions.to_pylist()
    image = {r["account"]: r["object_id"] for r in actions if r["object_kind"] == "image"}
    text = {r["account"]: r["object_id"] for r in actions if r["object_kind"] == "text"}
    assert image["x:1"] == image["x:2"] == min(IMAGE, IMAGE_NEAR)
    assert image["x:3"] == IMAGE_FAR
    assert text["x:1"] == text["x:2"] != text["x:3"]
    # With a tight image distance, the two-bit copy is an object of its own.
    strict = actions_from_export(export(*rows), kinds=["image"], image_distance=1).actions
    assert len(set(strict.column("object_id").to_pylist())) == 3


def test_accounts_on_two_platforms_link_through_a_domain() -> None:
    table = export(
        {"platform": "x", "account_id": "7", "posted_at": "2024-01-01T00:00:00Z",
         "urls": "https://truth-daily.example/story-1"},
        {"platform": "Facebook", "account_id": "7", "posted_at": "2024-01-01T00:00:30+00:00",
         "urls": "https://www.truth-daily.example/other-story"},
    )  # fmt: skip
    actions = actions_from_export(table).actions
    edges = coaction_edges(actions, window_s=60)
    assert edges.select(["account_1", "account_2", "weight", "kinds"]).to_pylist() == [
        {"account_1": "facebook:7", "account_2": "x:7", "weight": 1, "kinds": "domain"}
    ]


def test_bad_rows_are_dropped_and_counted() -> None:
    table = export(
        {"platform": "x", "account_id": "1", "post_id": "a", "posted_at": str(T0), "hashtags": "ok"},
        {"platform": "x", "account_id": "1", "post_id": "a", "posted_at": str(T0), "hashtags": "ok"},
        {"platform": "x", "account_id": "1", "post_id": "b", "posted_at": "yesterday", "hashtags": "ok"},
        {"platform": "x", "account_id": "", "post_id": "c", "posted_at": str(T0), "hashtags": "ok"},
        {"platform": "x", "account_id": "9"},
        {"platform": "no such platform!", "account_id": "2", "post_id": "d", "posted_at": str(T0),
         "hashtags": "ok"},
        {"platform": "x", "account_id": "3", "post_id": "e", "posted_at": str(T0),
         "urls": "mailto:someone@example.com", "hashtags": "# #fine", "image_pdq": "abc"},
    )  # fmt: skip
    result = actions_from_export(table, kinds=["url", "hashtag", "image"])
    assert result.dropped == {
        "bad_hashtag": 1,
        "bad_image": 1,
        "bad_platform": 1,
        "bad_time": 1,
        "bad_url": 1,
        "duplicate_row": 1,
        "empty_account": 1,
        "no_post": 1,
    }
    assert objects_of(result.actions) == {("x:1", "hashtag", "ok", T0), ("x:3", "hashtag", "fine", T0)}


def test_missing_columns_are_named() -> None:
    with pytest.raises(ValidationError) as caught:
        actions_from_export(pa.table({"platform": ["x"], "text": ["hi"]}))
    assert caught.value.field == "account_id"
    assert "account_id" in caught.value.message and "posted_at" in caught.value.message
    with pytest.raises(ValidationError, match="image_pdq"):
        actions_from_export(export({"platform": "x"}).drop_columns(["image_pdq"]), kinds=["image"])
    with pytest.raises(ValidationError, match="timestamp_share"):
        actions_from_objects(pa.table({"object_id": ["o"], "account_id": ["a"]}))
    with pytest.raises(ValidationError, match="kinds"):
        actions_from_export(export({"platform": "x"}), kinds=["likes"])


def test_a_runaway_account_is_capped_and_reported() -> None:
    rows = [
        {
            "platform": "x",
            "account_id": "bot",
            "post_id": str(i),
            "posted_at": str(T0 + 100 - i),
            "hashtags": "spam",
        }
        for i in range(50)
    ] + [{"platform": "x", "account_id": "human", "post_id": "h", "posted_at": str(T0), "hashtags": "spam"}]
    result = actions_from_export(export(*rows), max_posts_per_account=10)
    assert result.dropped == {"account_over_cap": 40}
    bot_times = sorted(r["time"] for r in result.actions.to_pylist() if r["account"] == "x:bot")
    assert bot_times == [T0 + 51 + k for k in range(10)]  # its earliest posts


def test_object_tables_in_coortweet_shape() -> None:
    table = pa.table(
        {
            "object_id": ["o1", "o1", "o2", "o1", ""],
            "account_id": ["a", "b", "a", "a", "c"],
            "content_id": ["c1", "c2", "c1", "c1", "c9"],
            "timestamp_share": [1.0e9, 1.0e9 + 10, 1.0e9, 1.0e9, 1.0e9],
        }
    )
    result = actions_from_objects(table)
    assert result.dropped == {"duplicate_row": 1, "empty_object": 1}
    assert sorted(objects_of(result.actions)) == [
        ("a", "object", "o1", 1_000_000_000),
        ("a", "object", "o2", 1_000_000_000),
        ("b", "object", "o1", 1_000_000_010),
    ]
    assert set(result.actions.column("platform").to_pylist()) == {""}


def test_simulated_export_yields_every_kind() -> None:
    from fimihub.sim import WorldConfig, generate

    world = generate(WorldConfig(seed=5, scale=0.2))
    result = actions_from_export(world.posts)
    kinds = set(result.actions.column("object_kind").to_pylist())
    assert kinds == {"repost", "url", "domain", "hashtag", "image", "text"}
    assert result.actions.column("time").type == pa.int64()


def brute_object_table(rows: list[tuple[str, str, str, int]]) -> tuple[list[int], dict[str, int]]:
    """The rows an object table keeps (the first of each account, object and second) and what it drops."""
    seen_rows: set[tuple[str, str, str, int]] = set()
    seen_actions: set[tuple[str, str, int]] = set()
    kept: list[int] = []
    dropped = {"duplicate_row": 0, "duplicate_action": 0}
    for position, (obj, account, content, time) in enumerate(rows):
        if (obj, account, content, time) in seen_rows:
            dropped["duplicate_row"] += 1
        elif (account, obj, time) in seen_actions:
            dropped["duplicate_action"] += 1
        else:
            kept.append(position)
        seen_rows.add((obj, account, content, time))
        seen_actions.add((account, obj, time))
    return kept, {reason: n for reason, n in dropped.items() if n}


@pytest.mark.parametrize("weak_hash", [False, True])
def test_object_table_duplicates_equal_a_reference(monkeypatch: pytest.MonkeyPatch, weak_hash: bool) -> None:
    import random

    import numpy as np

    from fimihub.coordination.coaction import duplicates as _groups

    if weak_hash:  # every row collides with many others: the exact check behind the hash does all the work
        monkeypatch.setattr(_groups, "mix", lambda columns: (columns[0] % 3).astype(np.uint64))
    rng = random.Random(4)
    for _ in range(25):
        rows = [
            (f"o{rng.randrange(4)}", f"a{rng.randrange(5)}", f"c{rng.randrange(3)}", rng.randrange(6))
            for _ in range(rng.randrange(1, 80))
        ]
        table = pa.table(
            {
                "object_id": [r[0] for r in rows],
                "account_id": [r[1] for r in rows],
                "content_id": [r[2] for r in rows],
                "timestamp_share": [float(T0 + r[3]) for r in rows],
            }
        )
        kept, dropped = brute_object_table(rows)
        result = actions_from_objects(table)
        assert result.dropped == dropped
        expected = [(rows[k][1], rows[k][0], T0 + rows[k][3]) for k in kept]
        got = result.actions.select(["account", "object_id", "time"]).to_pylist()
        assert [(r["account"], r["object_id"], r["time"]) for r in got] == expected
        # Without content ids every repeat of an account, object and second is a duplicate action.
        bare = actions_from_objects(table.drop_columns(["content_id"]))
        assert bare.dropped == ({"duplicate_action": len(rows) - len(kept)} if len(rows) > len(kept) else {})


def test_grouping_rows_puts_equal_rows_together() -> None:
    import numpy as np

    from fimihub.coordination.coaction.duplicates import group_rows

    rng = np.random.default_rng(2)
    columns = [rng.integers(0, 4, 500), rng.integers(-3, 3, 500), rng.integers(0, 2**40, 500) % 7]
    order, starts = group_rows(columns)
    assert sorted(order.tolist()) == list(range(500))
    bounds = [*starts.tolist(), 500]
    groups = [order[a:b].tolist() for a, b in itertools.pairwise(bounds)]
    keys = [{tuple(int(c[r]) for c in columns) for r in group} for group in groups]
    assert all(len(k) == 1 for k in keys)
    assert len({next(iter(k)) for k in keys}) == len(groups)


def test_codes_made_with_an_object_table_give_the_same_networks() -> None:
    import gc
    import random

    from fimihub.coordination.coaction import codes as _codes

    rng = random.Random(21)
    rows = [
        (f"o{rng.randrange(6)}", f" a{rng.randrange(9)}", f"c{rng.randrange(4)}", rng.randrange(300))
        for _ in range(300)
    ]
    rows += [("", "a1", "c1", 5), ("o1", "", "c1", 5)]  # dropped: the codes must be renumbered
    table = pa.table(
        {
            "object_id": [r[0] for r in rows],
            "account_id": [r[1] for r in rows],
            "content_id": [r[2] for r in rows],
            "timestamp_share": [float(T0 + r[3]) for r in rows],
        }
    )
    result = actions_from_objects(table)
    assert result.dropped["duplicate_action"] + result.dropped["duplicate_row"] > 0
    actions = result.actions
    assert _codes.recall(actions, "account") is not None
    rebuilt = pa.Table.from_batches(actions.to_batches(), schema=actions.schema)  # no codes kept for it
    assert _codes.recall(rebuilt, "account") is None
    for mode in ("objects", "actions"):
        remembered = coaction_edges(actions, window_s=30, mode=mode)
        assert remembered.num_rows > 0
        assert remembered.equals(coaction_edges(rebuilt, window_s=30, mode=mode))
    key = id(actions)
    del actions, result
    gc.collect()
    assert key not in _codes._KNOWN  # the record goes with its table
