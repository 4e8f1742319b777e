"""Communities of a co-action network: components, seeded Leiden, scores, evidence — and on a simulated world,
the communities found are the operations' accounts."""

from __future__ import annotations

import itertools
import random
from collections import Counter

import numpy as np
import pyarrow as pa
import pytest

from fimihub.coordination import actions_from_export, coaction_edges, find_communities
from fimihub.coordination.coaction import communities, membership_table
from fimihub.errors import ValidationError


def edge_table(edges: list[tuple[str, str, int]]) -> pa.Table:
    return pa.table(
        {
            "account_1": [e[0] for e in edges],
            "account_2": [e[1] for e in edges],
            "weight": pa.array([e[2] for e in edges], pa.int64()),
        }
    )


def two_cliques() -> pa.Table:
    """Two five-account cliques of weight 5, joined by one edge of weight 1."""
    edges = []
    for group in ("a", "b"):
        names = [f"{group}{k}" for k in range(5)]
        edges += [(x, y, 5) for i, x in enumerate(names) for y in names[i + 1 :]]
    return edge_table([*edges, ("a0", "b0", 1)])


def test_components_merge_what_any_edge_joins() -> None:
    found = find_communities(two_cliques(), method="components")
    assert [c.size for c in found] == [10]
    assert found[0].edges == 21 and found[0].weight == 101 and found[0].cohesion == 1.0


def test_leiden_separates_the_cliques_and_scores_them() -> None:
    found = find_communities(two_cliques(), method="leiden", seed=1)
    assert [c.accounts for c in found] == [tuple(f"a{k}" for k in range(5)), tuple(f"b{k}" for k in range(5))]
    for community in found:
        assert community.density == 1.0 and community.score == 1.0
        assert community.cohesion == pytest.approx(100 / 101)
    # As one component, the bridge between the cliques is the one link no third account corroborates.
    [both] = find_communities(two_cliques(), method="components")
    assert both.score == pytest.approx(20 / 21) and both.cohesion == 1.0


def operation_actions(seed: int, accounts: int = 60, bursts: int = 400, size: int = 4) -> pa.Table:
    """One operation's accounts, each burst a few of them pushing one of its objects within seconds."""
    rng = random.Random(seed)
    rows = []
    for b in range(bursts):
        obj = f"op-object-{rng.randrange(40)}"
        for k, account in enumerate(rng.sample(range(accounts), size)):
            rows.append((f"op{account}", obj, 10_000 * b + 5 * k))
    return actions_table(rows)


def actions_table(rows: list[tuple[str, str, int]]) -> pa.Table:
    return pa.table(
        {
            "account": [r[0] for r in rows],
            "platform": [""] * len(rows),
            "object_kind": ["url"] * len(rows),
            "object_id": [r[1] for r in rows],
            "time": pa.array([r[2] for r in rows], pa.int64()),
        }
    )


@pytest.mark.parametrize("method", ["leiden", "components"])
def test_an_operation_scores_high_and_a_chain_of_co_sharers_low(method: str) -> None:
    operation = operation_actions(seed=5)
    star = actions_table(
        [(account, f"viral-{k}", 2_000_000 + 1000 * k + (0 if account == "fan-hub" else 30))
         for k in range(20) for account in ("fan-hub", f"fan-spoke{k // 2}")]
    )  # fmt: skip
    # Organic co-sharers: each shares two links with the next one in the chain, and nothing with the rest;
    # and a star: one account sharing viral posts beside ten others, two each, who share nothing together.
    chain = actions_table(
        [
            (f"fan{i + side}", f"link-{i}-{n}", 1_000_000 + 1000 * i + 100 * n + side)
            for i in range(12)
            for n in range(2)
            for side in (0, 1)
        ]
    )
    edges = coaction_edges(pa.concat_tables([operation, chain, star]), window_s=60, min_weight=2)
    found = find_communities(edges, method=method)  # type: ignore[arg-type]
    ops = [c for c in found if c.accounts[0].startswith("op")]
    fans = [c for c in found if c.accounts[0].startswith("fan")]
    assert ops and len(fans) >= 2 and all(len({a[:2] for a in c.accounts}) == 1 for c in found)
    for community in ops:
        # Each account co-acts with only some of the others, yet the group acts as one; so does each slice of
        # it that Leiden cuts (by the chance variation of its weights), however little it stands apart.
        assert community.size >= 10 and community.score > 0.9
    assert min(c.density for c in ops) < 0.7
    for community in fans:
        assert community.score < 0.2


def test_links_on_triangles_are_found() -> None:
    rng = random.Random(3)
    for n, m in ((6, 8), (30, 60), (80, 400)):
        pairs = rng.sample(list(itertools.combinations(range(n), 2)), m)
        u = np.array([p[0] for p in pairs], np.int64)
        v = np.array([p[1] for p in pairs], np.int64)
        linked = {frozenset(p) for p in pairs}
        expected = [
            any(frozenset((a, w)) in linked and frozenset((b, w)) in linked for w in range(n))
            for a, b in pairs
        ]
        assert communities._on_triangle(n, u, v).tolist() == expected
        # However few neighbours are looked at a time.
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(communities, "_CHUNK", 3)
            assert communities._on_triangle(n, v, u).tolist() == expected


def test_leiden_is_deterministic_for_a_seed() -> None:
    edges = [(f"n{i}", f"n{(i * 7 + k) % 60}", 1 + (i + k) % 3) for i in range(60) for k in (1, 2, 5)]
    table = edge_table([(a, b, w) for a, b, w in edges if a != b])
    runs = [[c.accounts for c in find_communities(table, seed=42)] for _ in range(3)]
    assert runs[0] == runs[1] == runs[2]
    assert membership_table(find_communities(table, seed=42)).num_rows == 60


def test_directed_edges_are_merged_and_small_groups_left_out() -> None:
    table = edge_table([("a", "b", 3), ("b", "a", 2), ("c", "d", 1)])
    found = find_communities(table, method="components", min_size=2)
    assert [(c.accounts, c.weight) for c in found] == [(("a", "b"), 3), (("c", "d"), 1)]
    assert find_communities(table, method="components", min_size=3) == []


def test_evidence_names_the_objects_and_times() -> None:
    actions = pa.table(
        {
            "account": ["a", "b", "c", "a", "b", "z"],
            "platform": [""] * 6,
            "object_kind": ["url", "url", "url", "hashtag", "hashtag", "url"],
            "object_id": ["u", "u", "u", "h", "h", "u"],
            "time": pa.array([0, 5, 9, 100, 101, 5000], pa.int64()),
        }
    )
    edges = coaction_edges(actions, window_s=60)
    [community] = find_communities(edges, method="components", actions=actions, window_s=60)
    assert community.accounts == ("a", "b", "c")
    assert (community.first_time, community.last_time) == (0, 101)
    assert community.evidence is not None
    assert community.evidence.to_pylist() == [
        {"object_kind": "url", "object_id": "u", "accounts": 3, "first_time": 0, "last_time": 9},
        {"object_kind": "hashtag", "object_id": "h", "accounts": 2, "first_time": 100, "last_time": 101},
    ]


def test_bad_arguments_are_refused() -> None:
    with pytest.raises(ValidationError, match="weight"):
        find_communities(pa.table({"account_1": ["a"], "account_2": ["b"]}))
    with pytest.raises(ValidationError):
        find_communities(two_cliques(), method="louvain")  # type: ignore[arg-type]
    with pytest.raises(ValidationError):
        find_communities(two_cliques(), window_s=60)
    assert find_communities(edge_table([])) == []


def test_communities_of_a_simulated_world_are_its_operations() -> None:
    from fimihub.sim import WorldConfig, generate

    world = generate(WorldConfig(seed=3))
    posts = world.posts
    label = dict(
        zip(
            [
                f"{p}:{a}"
                for p, a in zip(
                    posts.column("platform").to_pylist(), posts.column("account_id").to_pylist(), strict=True
                )
            ],
            posts.column("operation").to_pylist(),
            strict=True,
        )
    )
    actions = actions_from_export(posts).actions
    edges = coaction_edges(actions, window_s=600, min_weight=2)
    found = find_communities(edges, seed=0, min_size=3)
    assert found
    in_communities = [a for c in found for a in c.accounts]
    # Purity: the share of accounts in their community's majority operation (measured 0.995 to 1.0 on seeds
    # 1 to 5, 1.0 on this one: at most one benign account drawn in).
    majority = sum(Counter(label[a] for a in c.accounts).most_common(1)[0][1] for c in found)
    assert majority / len(in_communities) >= 0.95
    assert sum(1 for a in in_communities if not label[a]) <= 1
    # Recall: the share of operation accounts found in some community (measured 1.0 on seeds 1 to 5).
    operation_accounts = {a for a, op in label.items() if op}
    assert len(set(in_communities) & operation_accounts) / len(operation_accounts) >= 0.9
