"""Communities of a co-action network: the groups of accounts an investigator looks at as one network.

Two ways to cut the network (``method``):

``"components"``
    connected components: every account linked by any chain of edges is in one group. Simple and exact, but
    one spurious edge merges two networks.
``"leiden"``
    Leiden communities (igraph + leidenalg) on the weighted network, by modularity (``resolution`` scales it:
    higher gives smaller groups) or by the Constant Potts Model (``objective="cpm"``, where ``resolution`` is
    the edge density a group must beat). Leiden is randomised; ``seed`` makes it deterministic, so equal input
    gives equal communities.

Each :class:`Community` carries a ``score``, in ``[0, 1]``: the share of its links (edges between two of its
accounts) that a third account of it corroborates, that is, whose two accounts both also co-act with one same
other member (the link lies on a triangle). Accounts run together act in bursts, three, ten, fifty of them on
one object within the window, again and again, so nearly every link of an operation is corroborated however
large and sparse the operation is (on simulated worlds, a median of 0.93 to 1 for operations of 11 to 467
accounts, whose density ranges from 0.02 to 1). Organic co-sharers are linked one pair at a time: a
chain of accounts each sharing a few things with the next scores 0, and so does a star (one account, often a
hyperactive one, co-acting with many that do not co-act with each other: look at the account in its middle).
A community of two has no third account to corroborate its one link and scores 0: judge a pair by its edge
weight. The score reads the same for a whole network and for a slice of it, however the network was cut.

Two more measures describe how the community sits in the network, and are not in the score:

``cohesion``
    the share of its accounts' co-action weight that stays inside it (two times its internal weight over two
    times its internal weight plus the weight of the edges leaving it; one minus the conductance). 1 for a
    group that co-acts with no one outside it; low for a slice of a larger network, which Leiden makes of a
    large operation whose accounts all co-act with one another (it cuts such a network by the chance
    variation of its weights): look at the neighbouring communities too.
``density``
    the share of its account pairs that are linked. It falls with size (a 150-account operation whose
    accounts each co-act with six others has density 0.04), which is why it is not the score.

Given the actions and the window, a community also carries its evidence: the objects its accounts co-acted
on, those shared by most of its accounts first, with their times.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from fimihub.coordination.coaction.graph import components, leiden
from fimihub.coordination.coaction.network import coaction_evidence
from fimihub.coordination.columns import require_columns, required_schema
from fimihub.coordination.csr import group_by_key, run_starts, runs
from fimihub.errors import ValidationError

__all__ = ["EVIDENCE_SCHEMA", "Community", "find_communities", "membership_table"]

I64 = npt.NDArray[np.int64]
# Neighbours looked at a time when finding the links on a triangle: bounds the working memory.
_CHUNK = 1 << 22
# Separates a community's number from an object id while the evidence of all communities is found at once.
_SEPARATOR = "\x1f"

EVIDENCE_SCHEMA = required_schema(
    object_kind=pa.string(),
    object_id=pa.string(),
    accounts=pa.int64(),
    first_time=pa.int64(),
    last_time=pa.int64(),
)
"""Evidence of a community: an object, how many of the community's accounts co-acted on it, and when."""


@dataclass(frozen=True)
class Community:
    """A group of accounts that co-act, with its score and evidence (see the module docstring): ``edges``
    and ``weight`` count its internal links and their total weight; ``score`` is the share of those links
    that a third member corroborates."""

    id: int
    accounts: tuple[str, ...]
    edges: int
    weight: int
    density: float
    cohesion: float
    score: float
    first_time: int | None = None
    last_time: int | None = None
    evidence: pa.Table | None = None

    @property
    def size(self) -> int:
        return len(self.accounts)


def _undirected(edges: pa.Table) -> tuple[pa.Array, I64, I64, I64, I64 | None, I64 | None]:
    """Accounts (sorted) and edges as codes; a directed table's two directions become one edge (the larger
    weight)."""
    require_columns(edges, ("account_1", "account_2", "weight"), "the edge table")
    first_column = pc.cast(edges.column("account_1"), pa.string())
    second_column = pc.cast(edges.column("account_2"), pa.string())
    low = pc.if_else(pc.less(first_column, second_column), first_column, second_column)
    high = pc.if_else(pc.less(first_column, second_column), second_column, first_column)
    has_times = "first_time" in edges.column_names and "last_time" in edges.column_names
    table = pa.table({"u": low, "v": high, "weight": pc.cast(edges.column("weight"), pa.int64())})
    aggregates: list[tuple[str, str]] = [("weight", "max")]
    if has_times:
        table = table.append_column("first_time", edges.column("first_time"))
        table = table.append_column("last_time", edges.column("last_time"))
        aggregates += [("first_time", "min"), ("last_time", "max")]
    merged = table.group_by(["u", "v"], use_threads=False).aggregate(aggregates)
    merged = merged.filter(pc.not_equal(merged.column("u"), merged.column("v")))
    accounts = pc.unique(
        pa.concat_arrays([merged.column("u").combine_chunks(), merged.column("v").combine_chunks()])
    )
    accounts = accounts.take(pc.sort_indices(accounts))
    u = np.asarray(pc.index_in(merged.column("u"), value_set=accounts).to_numpy(), dtype=np.int64)
    v = np.asarray(pc.index_in(merged.column("v"), value_set=accounts).to_numpy(), dtype=np.int64)
    weight = np.asarray(merged.column("weight_max").to_numpy(), dtype=np.int64)
    first = np.asarray(merged.column("first_time_min").to_numpy(), dtype=np.int64) if has_times else None
    last = np.asarray(merged.column("last_time_max").to_numpy(), dtype=np.int64) if has_times else None
    return accounts, u, v, weight, first, last


def membership_table(communities: list[Community]) -> pa.Table:
    """One row per account in ``communities``: ``account``, ``community`` (its id) and ``score``."""
    accounts = [a for c in communities for a in c.accounts]
    return pa.table(
        {
            "account": pa.array(accounts, pa.string()),
            "community": pa.array([c.id for c in communities for _ in c.accounts], pa.int64()),
            "score": pa.array([c.score for c in communities for _ in c.accounts], pa.float64()),
        }
    )


def find_communities(
    edges: pa.Table,
    *,
    method: Literal["leiden", "components"] = "leiden",
    resolution: float = 1.0,
    objective: Literal["modularity", "cpm"] = "modularity",
    seed: int = 0,
    min_size: int = 2,
    actions: pa.Table | None = None,
    window_s: int | None = None,
    evidence_limit: int = 10,
) -> list[Community]:
    """The communities of a co-action network (``edges`` from :func:`~.coaction.coaction_edges`), largest
    first, with at least ``min_size`` accounts. With ``actions`` and ``window_s`` each carries up to
    ``evidence_limit`` objects of evidence (:data:`EVIDENCE_SCHEMA`)."""
    if method not in ("leiden", "components"):
        raise ValidationError("method", f"must be 'leiden' or 'components', not {method!r}")
    if objective not in ("modularity", "cpm"):
        raise ValidationError("objective", f"must be 'modularity' or 'cpm', not {objective!r}")
    if not resolution > 0:
        raise ValidationError("resolution", "must be above 0")
    if min_size < 1:
        raise ValidationError("min_size", "must be at least 1")
    if (actions is None) != (window_s is None):
        raise ValidationError("window_s", "evidence needs both the actions and the window")
    accounts, u, v, weight, first, last = _undirected(edges)
    n = len(accounts)
    if not n:
        return []
    if method == "components":
        labels = components(n, u, v)
    else:
        labels = leiden(
            n, u, v, weight.astype(np.float64), resolution=resolution, seed=seed, objective=objective
        )
    # Number the groups by size (largest first), then by their first account, whatever the algorithm's labels.
    _, dense = np.unique(labels, return_inverse=True)
    dense = dense.reshape(-1).astype(np.int64)
    sizes = np.bincount(dense)
    smallest = np.full(len(sizes), n, dtype=np.int64)
    np.minimum.at(smallest, dense, np.arange(n, dtype=np.int64))
    rank = np.empty(len(sizes), dtype=np.int64)
    rank[np.lexsort((smallest, -sizes))] = np.arange(len(sizes), dtype=np.int64)
    group = rank[dense]
    n_groups = len(sizes)
    gu, gv = group[u], group[v]
    inside = gu == gv
    internal_edges = np.bincount(gu[inside], minlength=n_groups)
    internal_weight = np.bincount(gu[inside], weights=weight[inside], minlength=n_groups)
    crossing = np.bincount(gu[~inside], weights=weight[~inside], minlength=n_groups)
    crossing += np.bincount(gv[~inside], weights=weight[~inside], minlength=n_groups)
    supported = np.bincount(
        gu[inside], weights=_on_triangle(n, u[inside], v[inside]).astype(np.float64), minlength=n_groups
    )
    size_of = np.bincount(group, minlength=n_groups)
    names = accounts.to_pylist()
    members: list[list[str]] = [[] for _ in range(n_groups)]
    for account, g in zip(names, group.tolist(), strict=True):
        members[g].append(account)
    kept = [g for g in range(n_groups) if int(size_of[g]) >= min_size]
    evidence: list[tuple[pa.Table | None, int | None, int | None]] = [(None, None, None)] * len(kept)
    if actions is not None and window_s is not None:
        evidence = list(_evidence([members[g] for g in kept], actions, window_s, evidence_limit))
    found: list[Community] = []
    for number, g in enumerate(kept):
        size = int(size_of[g])
        possible = size * (size - 1) / 2
        density = float(internal_edges[g] / possible) if possible else 0.0
        total = 2 * internal_weight[g] + crossing[g]
        cohesion = float(2 * internal_weight[g] / total) if total else 0.0
        score = float(supported[g] / internal_edges[g]) if internal_edges[g] else 0.0
        objects, first_time, last_time = evidence[number]
        times = {"first_time": first_time, "last_time": last_time}
        if first is not None and last is not None and internal_edges[g]:
            mask = inside & (gu == g)
            times = {"first_time": int(first[mask].min()), "last_time": int(last[mask].max())}
        found.append(
            Community(
                id=number,
                accounts=tuple(members[g]),
                edges=int(internal_edges[g]),
                weight=int(internal_weight[g]),
                density=density,
                cohesion=cohesion,
                score=score,
                evidence=objects,
                **times,
            )
        )
    return found


def _on_triangle(n: int, u: I64, v: I64) -> npt.NDArray[np.bool_]:
    """Whether each edge ``u[k]-v[k]`` of an undirected graph of ``n`` nodes (no self-loops, each edge once)
    lies on a triangle: its two nodes have a neighbour in common.

    Each edge looks through the neighbours of its endpoint with fewer of them for one linked to the other
    endpoint (a sorted search in the edge keys), a bounded number of neighbours at a time; summed over the
    edges that is at most about ``m ** 1.5`` look-ups for ``m`` edges, however the degrees are spread."""
    m = len(u)
    found = np.zeros(m, dtype=bool)
    if not m:
        return found
    low, high = np.minimum(u, v).astype(np.int64), np.maximum(u, v).astype(np.int64)
    keys = np.sort(low * n + high)
    order, starts = group_by_key(np.concatenate([low, high]), n)
    neighbours = np.concatenate([high, low])[order]
    degree = np.diff(starts)
    fewer = degree[low] <= degree[high]
    near, far = np.where(fewer, low, high), np.where(fewer, high, low)
    reach = np.r_[0, np.cumsum(degree[near])]
    lo = 0
    while lo < m:
        hi = max(lo + 1, int(np.searchsorted(reach, reach[lo] + _CHUNK, side="right")) - 1)
        positions, width = runs(starts, near[lo:hi])
        third = neighbours[positions]
        other = np.repeat(far[lo:hi], width)
        key = np.minimum(third, other) * n + np.maximum(third, other)
        at = np.minimum(np.searchsorted(keys, key), m - 1)
        hit = (keys[at] == key) & (third != other)
        found[np.repeat(np.arange(lo, hi), width)[hit]] = True
        lo = hi
    return found


def _evidence(groups: list[list[str]], actions: pa.Table, window_s: int, limit: int) -> list[pa.Table]:
    """For each group of accounts, the objects they co-acted on, by how many of them did (most first), then
    earliest first, at most ``limit``.

    All groups are done in one pass: each action of a group's account has its object renamed into the group
    (the group's number and the object id), so that pairs are only made within a group."""
    empty: tuple[pa.Table, int | None, int | None] = (EVIDENCE_SCHEMA.empty_table(), None, None)
    if not groups:
        return []
    accounts = pa.array([a for g in groups for a in g], pa.string())
    number = np.repeat(np.arange(len(groups), dtype=np.int64), [len(g) for g in groups])
    mine = actions.filter(pc.is_in(pc.cast(actions.column("account"), pa.string()), value_set=accounts))
    at = np.asarray(
        pc.index_in(pc.cast(mine.column("account"), pa.string()), value_set=accounts).to_numpy(),
        dtype=np.int64,
    )
    prefix = pa.array([f"{g}{_SEPARATOR}" for g in number[at].tolist()], pa.string())
    renamed = mine.set_column(
        mine.schema.get_field_index("object_id"),
        "object_id",
        pc.binary_join_element_wise(prefix, pc.cast(mine.column("object_id"), pa.string()), ""),
    )
    rows = coaction_evidence(renamed, accounts, window_s=window_s, limit_per_pair=None)
    if not rows.num_rows:
        return [empty] * len(groups)
    stacked = pa.concat_tables(
        [
            rows.select(["object_kind", "object_id", side, time]).rename_columns(
                ["object_kind", "object_id", "account", "time"]
            )
            for side, time in (("account_1", "time_1"), ("account_2", "time_2"))
        ]
    )
    grouped = stacked.group_by(["object_kind", "object_id"], use_threads=False).aggregate(
        [("account", "count_distinct"), ("time", "min"), ("time", "max")]
    )
    parts = pc.split_pattern(grouped.column("object_id"), _SEPARATOR, max_splits=1)
    table = pa.table(
        {
            "group": pc.cast(pc.list_element(parts, 0), pa.int64()),
            "object_kind": grouped.column("object_kind"),
            "object_id": pc.list_element(parts, 1),
            "accounts": grouped.column("account_count_distinct"),
            "first_time": grouped.column("time_min"),
            "last_time": grouped.column("time_max"),
        }
    )
    order = pc.sort_indices(
        table,
        sort_keys=[
            ("group", "ascending"),
            ("accounts", "descending"),
            ("first_time", "ascending"),
            ("object_id", "ascending"),
        ],
    )
    table = table.take(order)
    group_of = np.asarray(table.column("group").to_numpy(), dtype=np.int64)
    starts = run_starts(group_of)
    ends = np.r_[starts[1:], len(group_of)]
    firsts = np.asarray(table.column("first_time").to_numpy(), dtype=np.int64)
    lasts = np.asarray(table.column("last_time").to_numpy(), dtype=np.int64)
    found = [empty] * len(groups)
    body = table.drop_columns(["group"])
    for start, end in zip(starts.tolist(), ends.tolist(), strict=True):
        found[int(group_of[start])] = (
            body.slice(start, min(end - start, limit)).cast(EVIDENCE_SCHEMA),
            int(firsts[start:end].min()),
            int(lasts[start:end].max()),
        )
    return found
