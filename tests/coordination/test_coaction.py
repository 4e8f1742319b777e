"""Co-action edges: the window, weights in both modes, filters, the guard, evidence — and a brute-force
reference that the vectorised engine must equal on random inputs."""

from __future__ import annotations

import itertools
import random
from collections import defaultdict

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fimihub.coordination.coaction import coaction_edges, coaction_evidence, detect_coaction
from fimihub.coordination.coaction import network as coaction_module
from fimihub.errors import ValidationError

Row = tuple[str, str, str, int]  # account, object kind, object id, time


def actions(rows: list[Row]) -> pa.Table:
    return pa.table(
        {
            "account": pa.array([r[0] for r in rows], pa.string()),
            "platform": pa.array([""] * len(rows), pa.string()),
            "object_kind": pa.array([r[1] for r in rows], pa.string()),
            "object_id": pa.array([r[2] for r in rows], pa.string()),
            "time": pa.array([r[3] for r in rows], pa.int64()),
        }
    )


def weights(edges: pa.Table) -> dict[tuple[str, str], int]:
    columns = (edges.column(c).to_pylist() for c in ("account_1", "account_2", "weight"))
    return {(a, b): w for a, b, w in zip(*columns, strict=True)}


def brute_objects(rows: list[Row], window: int) -> dict[tuple[str, str], int]:
    """Every pair of actions, by hand: distinct objects per unordered pair of accounts."""
    shared: dict[tuple[str, str], set[tuple[str, str]]] = defaultdict(set)
    for (a1, k1, o1, t1), (a2, k2, o2, t2) in itertools.combinations(rows, 2):
        if a1 != a2 and (k1, o1) == (k2, o2) and abs(t1 - t2) <= window:
            shared[(min(a1, a2), max(a1, a2))].add((k1, o1))
    return {pair: len(objects) for pair, objects in shared.items()}


def brute_actions(rows: list[Row], window: int) -> dict[tuple[str, str], int]:
    """Every ordered pair of actions: the actions of the first account matched by the second."""
    matched: dict[tuple[str, str], set[int]] = defaultdict(set)
    for x, (a1, k1, o1, t1) in enumerate(rows):
        for a2, k2, o2, t2 in rows:
            if a1 != a2 and (k1, o1) == (k2, o2) and abs(t1 - t2) <= window:
                matched[(a1, a2)].add(x)
    return {pair: len(found) for pair, found in matched.items()}


def test_the_window_is_inclusive() -> None:
    rows = [("a", "url", "u", 100), ("b", "url", "u", 160), ("c", "url", "u", 221)]
    assert weights(coaction_edges(actions(rows), window_s=60)) == {("a", "b"): 1}
    assert weights(coaction_edges(actions(rows), window_s=61)) == {("a", "b"): 1, ("b", "c"): 1}
    assert weights(coaction_edges(actions(rows), window_s=0)) == {}
    same_second = [("a", "url", "u", 5), ("b", "url", "u", 5)]
    assert weights(coaction_edges(actions(same_second), window_s=0)) == {("a", "b"): 1}


def test_an_account_is_never_its_own_partner_and_repeats_add_nothing() -> None:
    rows = [
        ("a", "hashtag", "h", 0),
        ("a", "hashtag", "h", 1),
        ("a", "hashtag", "h", 2),
        ("b", "hashtag", "h", 3),
    ]
    edges = coaction_edges(actions(rows), window_s=10)
    assert weights(edges) == {("a", "b"): 1}
    assert edges.column("first_time").to_pylist() == [0]
    assert edges.column("last_time").to_pylist() == [3]


def test_objects_of_different_kinds_never_meet() -> None:
    rows = [("a", "hashtag", "x", 0), ("b", "domain", "x", 0)]
    assert coaction_edges(actions(rows), window_s=10).num_rows == 0


def test_weight_counts_distinct_objects_and_columns_describe_the_pair() -> None:
    rows = [
        ("b", "url", "u1", 0), ("a", "url", "u1", 5),
        ("a", "domain", "d", 7), ("b", "domain", "d", 9),
        ("a", "hashtag", "h", 0), ("b", "hashtag", "h", 500),  # outside the window
    ]  # fmt: skip
    edges = coaction_edges(actions(rows), window_s=60).to_pylist()
    assert edges == [
        {"account_1": "a", "account_2": "b", "weight": 2, "symmetry": 2 / 3, "objects_1": 3, "objects_2": 3,
         "first_time": 0, "last_time": 9, "kinds": "domain,url"}
    ]  # fmt: skip


def test_actions_mode_is_directed_and_counts_matched_actions() -> None:
    # "a" reposts the same post twice around one repost by "b".
    rows = [("a", "repost", "p", 0), ("b", "repost", "p", 5), ("a", "repost", "p", 10)]
    directed = coaction_edges(actions(rows), window_s=10, mode="actions")
    assert weights(directed) == {("a", "b"): 2, ("b", "a"): 1}
    assert weights(coaction_edges(actions(rows), window_s=10, mode="actions", min_weight=2)) == {
        ("a", "b"): 2
    }
    assert weights(coaction_edges(actions(rows), window_s=10)) == {("a", "b"): 1}


def test_min_weight_and_percentile() -> None:
    rows = []
    for pair, shared in ((("a", "b"), 5), (("c", "d"), 3), (("e", "f"), 1), (("g", "h"), 1)):
        for k in range(shared):
            rows += [(pair[0], "url", f"{pair[0]}{k}", 10 * k), (pair[1], "url", f"{pair[0]}{k}", 10 * k + 1)]
    table = actions(rows)
    assert set(weights(coaction_edges(table, window_s=5, min_weight=3))) == {("a", "b"), ("c", "d")}
    # Weights 5, 3, 1, 1: the 50th percentile is 2, the 75th is 3.5.
    assert set(weights(coaction_edges(table, window_s=5, min_weight_percentile=50))) == {
        ("a", "b"),
        ("c", "d"),
    }
    assert set(weights(coaction_edges(table, window_s=5, min_weight_percentile=75))) == {("a", "b")}


def test_symmetry_filter_silences_a_hyperactive_account() -> None:
    rows = [("hub", "url", f"u{k}", k * 100) for k in range(40)]
    for k in range(10):
        rows.append((f"user{k}", "url", f"u{k}", k * 100 + 1))  # each shares one of the hub's 40 links
    for k in range(4):  # a tight pair that shares only what it shares together
        rows += [("p", "hashtag", f"h{k}", 9000 + k), ("q", "hashtag", f"h{k}", 9000 + k)]
    table = actions(rows)
    assert coaction_edges(table, window_s=5).num_rows == 11
    kept = coaction_edges(table, window_s=5, min_symmetry=0.5)
    assert weights(kept) == {("p", "q"): 4}
    assert kept.column("symmetry").to_pylist() == [1.0]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from("abcdef"), st.sampled_from(["url", "hashtag"]), st.sampled_from("xyz"),
            st.integers(0, 120),
        ),
        max_size=40,
    ),
    st.integers(0, 40),
)  # fmt: skip
def test_equals_brute_force_on_random_actions(rows: list[Row], window: int) -> None:
    rows = list(dict.fromkeys(rows))
    table = actions(rows)
    assert weights(coaction_edges(table, window_s=window)) == brute_objects(rows, window)
    assert weights(coaction_edges(table, window_s=window, mode="actions")) == brute_actions(rows, window)


def test_equals_brute_force_when_work_is_cut_into_many_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(coaction_module, "_CHUNK_PAIRS", 7)
    rng = random.Random(11)
    for _ in range(20):
        rows = list(
            {(f"acc{rng.randrange(12)}", "url", str(rng.randrange(6)), rng.randrange(300)) for _ in range(80)}
        )
        window = rng.randrange(1, 60)
        assert weights(coaction_edges(actions(rows), window_s=window)) == brute_objects(rows, window)
        got = weights(coaction_edges(actions(rows), window_s=window, mode="actions"))
        assert got == brute_actions(rows, window)


@pytest.mark.parametrize("mode", ["objects", "actions"])
def test_progress_is_told_chunk_by_chunk_in_both_modes(monkeypatch: pytest.MonkeyPatch, mode: str) -> None:
    monkeypatch.setattr(coaction_module, "_CHUNK_PAIRS", 7)
    rng = random.Random(5)
    rows = list(
        {(f"acc{rng.randrange(12)}", "url", str(rng.randrange(6)), rng.randrange(300)) for _ in range(80)}
    )
    seen: list[tuple[int, int]] = []
    detect_coaction(actions(rows), window_s=30, mode=mode, progress=lambda d, t: seen.append((d, t)))  # type: ignore[arg-type]
    done = [d for d, _ in seen]
    assert len(seen) > 3 and done == sorted(done)
    assert seen[-1][0] == seen[-1][1] > 0 and 0 < done[-2] < seen[-1][1]


def test_output_is_ordered_and_independent_of_row_order() -> None:
    rng = random.Random(3)
    rows = list(
        {(f"a{rng.randrange(30)}", "url", str(rng.randrange(20)), rng.randrange(1000)) for _ in range(400)}
    )
    first = coaction_edges(actions(rows), window_s=60)
    rng.shuffle(rows)
    again = coaction_edges(actions(rows), window_s=60)
    assert first.equals(again)
    pairs = list(
        zip(first.column("account_1").to_pylist(), first.column("account_2").to_pylist(), strict=True)
    )
    assert all(a < b for a, b in pairs) and pairs == sorted(pairs)


def test_a_viral_object_is_capped_and_reported() -> None:
    rows = [(f"fan{k}", "url", "viral", k) for k in range(200)]
    rows += [("a", "url", "quiet", 0), ("b", "url", "quiet", 1)]
    result = detect_coaction(actions(rows), window_s=3600, max_object_pairs=1000)
    assert weights(result.edges) == {("a", "b"): 1}
    assert result.capped.to_pylist() == [
        {"object_kind": "url", "object_id": "viral", "actions": 200, "pairs": 200 * 199 // 2}
    ]


def test_a_bot_hammering_one_hashtag_is_thinned_not_dropped() -> None:
    rows = [("bot", "hashtag", "h", t) for t in range(5000)] + [("human", "hashtag", "h", 2500)]
    result = detect_coaction(actions(rows), window_s=600, max_object_pairs=10_000)
    assert weights(result.edges) == {("bot", "human"): 1}
    assert result.capped.num_rows == 0
    assert result.pairs < 10_000


def test_evidence_lists_the_shared_objects_with_times() -> None:
    rows = [("b", "url", "u1", 3), ("a", "url", "u1", 0), ("a", "url", "u2", 50), ("b", "url", "u2", 55),
            ("c", "url", "u2", 56), ("a", "url", "u3", 0), ("b", "url", "u3", 999)]  # fmt: skip
    evidence = coaction_evidence(actions(rows), ["a", "b"], window_s=10)
    assert evidence.to_pylist() == [
        {
            "account_1": "a",
            "account_2": "b",
            "object_kind": "url",
            "object_id": "u1",
            "time_1": 0,
            "time_2": 3,
        },
        {
            "account_1": "a",
            "account_2": "b",
            "object_kind": "url",
            "object_id": "u2",
            "time_1": 50,
            "time_2": 55,
        },
    ]
    assert coaction_evidence(actions(rows), ["a", "b"], window_s=10, limit_per_pair=1).num_rows == 1


def test_bad_arguments_are_refused() -> None:
    table = actions([("a", "url", "u", 0)])
    with pytest.raises(ValidationError, match="object_id"):
        coaction_edges(table.drop_columns(["object_id"]), window_s=1)
    refused = [
        {"window_s": -1},
        {"window_s": 1, "min_weight": 0},
        {"window_s": 1, "min_symmetry": 2.0},
        {"window_s": 1, "min_weight_percentile": 101.0},
        {"window_s": 1, "mode": "posts"},
    ]
    for arguments in refused:
        with pytest.raises(ValidationError):
            coaction_edges(table, **arguments)  # type: ignore[arg-type]
    assert coaction_edges(actions([]), window_s=10).num_rows == 0


def test_thinning_keeps_every_pair_of_accounts() -> None:
    import numpy as np

    from fimihub.coordination.coaction.pairs import _redundant

    rng = random.Random(5)
    for _ in range(30):
        window = rng.randrange(0, 40)
        rows = list(
            {(f"a{rng.randrange(4)}", "url", str(rng.randrange(2)), rng.randrange(200)) for _ in range(120)}
        )
        account = np.array([int(r[0][1:]) for r in rows], dtype=np.int64)
        obj = np.array([int(r[2]) for r in rows], dtype=np.int64)
        times = np.array([r[3] for r in rows], dtype=np.int64)
        dropped = _redundant(account, obj, times, np.ones(len(rows), dtype=bool), window)
        kept = [r for r, gone in zip(rows, dropped.tolist(), strict=True) if not gone]
        assert brute_objects(kept, window) == brute_objects(rows, window)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(st.sampled_from("abc"), st.integers(0, 60)), max_size=30),
    st.integers(0, 25),
)
def test_directed_weights_equal_brute_force_when_accounts_repeat_themselves(
    acts: list[tuple[str, int]], window: int
) -> None:
    # Few accounts acting again and again on one object: matches counted from one side only abound.
    rows = list(dict.fromkeys((account, "repost", "p", time) for account, time in acts))
    got = weights(coaction_edges(actions(rows), window_s=window, mode="actions"))
    assert got == brute_actions(rows, window)


def test_dense_and_sorted_counting_agree() -> None:
    import numpy as np

    from fimihub.coordination.coaction.directed import count_keys

    rng = np.random.default_rng(7)
    for space in (1, 5, 300, 5000):
        keys = rng.integers(0, space, 1000).astype(np.int64)
        dense = count_keys(keys, space)  # a histogram: the space is no larger than the keys
        ordered = count_keys(keys, 10**12)  # the same keys, counted by a sort
        assert np.array_equal(dense[0], ordered[0]) and np.array_equal(dense[1], ordered[1])
        distinct, counts = np.unique(keys, return_counts=True)
        assert np.array_equal(dense[0], distinct) and np.array_equal(dense[1], counts)


def test_unpacked_fallbacks_give_the_same_networks(monkeypatch: pytest.MonkeyPatch) -> None:
    # Huge inputs overflow the packed integer sort keys; the lexsort and argsort paths must agree.
    from fimihub.coordination.coaction import directed as _directed
    from fimihub.coordination.coaction import pairs as _pairs

    rng = random.Random(13)
    cases = []
    for _ in range(15):
        kinds = ["url", "hashtag"]
        rows = list(
            {(f"acc{rng.randrange(8)}", rng.choice(kinds), str(rng.randrange(5)), rng.randrange(200))
             for _ in range(70)}
        )  # fmt: skip
        cases.append((rows, rng.randrange(0, 50)))
    monkeypatch.setattr(_directed, "_LIMIT", 0)
    monkeypatch.setattr(_directed, "_NARROW", 0)  # 64-bit rows and keys
    monkeypatch.setattr(_pairs, "_PACKED", 0)
    for rows, window in cases:
        assert weights(coaction_edges(actions(rows), window_s=window)) == brute_objects(rows, window)
        got = weights(coaction_edges(actions(rows), window_s=window, mode="actions"))
        assert got == brute_actions(rows, window)


def test_directed_output_is_ordered_and_independent_of_row_order() -> None:
    rng = random.Random(9)
    rows = list(
        {(f"a{rng.randrange(30)}", "url", str(rng.randrange(20)), rng.randrange(1000)) for _ in range(400)}
    )
    first = coaction_edges(actions(rows), window_s=60, mode="actions")
    rng.shuffle(rows)
    assert first.equals(coaction_edges(actions(rows), window_s=60, mode="actions"))
    pairs = list(
        zip(first.column("account_1").to_pylist(), first.column("account_2").to_pylist(), strict=True)
    )
    assert pairs == sorted(pairs) and all(a != b for a, b in pairs)
