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

Each :class:`Community` carries a score and what supports it. ``density`` is the share of its account pairs
that are linked; ``cohesion`` is the share of its accounts' edge weight that stays inside the group (one minus
the conductance); the ``score`` is their product, in ``[0, 1]``: a clique with no edges out scores 1, a loose
chain hanging off a big hub scores near 0. Given the actions and the window, a community also carries its
evidence: the objects its accounts co-acted on, those shared by most of its accounts first, with their times.
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
from fimihub.errors import ValidationError

__all__ = ["EVIDENCE_SCHEMA", "Community", "find_communities", "membership_table"]

I64 = npt.NDArray[np.int64]

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
    """A group of accounts that co-act, with its score and evidence (see the module docstring)."""

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
    size_of = np.bincount(group, minlength=n_groups)
    names = accounts.to_pylist()
    members: list[list[str]] = [[] for _ in range(n_groups)]
    for account, g in zip(names, group.tolist(), strict=True):
        members[g].append(account)
    found: list[Community] = []
    for g in range(n_groups):
        size = int(size_of[g])
        if size < min_size:
            continue
        possible = size * (size - 1) / 2
        density = float(internal_edges[g] / possible) if possible else 0.0
        total = 2 * internal_weight[g] + crossing[g]
        cohesion = float(2 * internal_weight[g] / total) if total else 0.0
        times: dict[str, int | None] = {"first_time": None, "last_time": None}
        if first is not None and last is not None and internal_edges[g]:
            mask = inside & (gu == g)
            times = {"first_time": int(first[mask].min()), "last_time": int(last[mask].max())}
        evidence = None
        if actions is not None and window_s is not None:
            evidence = _evidence(actions, members[g], window_s, evidence_limit)
        found.append(
            Community(
                id=len(found),
                accounts=tuple(members[g]),
                edges=int(internal_edges[g]),
                weight=int(internal_weight[g]),
                density=density,
                cohesion=cohesion,
                score=density * cohesion,
                evidence=evidence,
                **times,
            )
        )
    return found


def _evidence(actions: pa.Table, accounts: list[str], window_s: int, limit: int) -> pa.Table:
    """The objects the accounts co-acted on, by how many of them did (most first), then earliest first."""
    rows = coaction_evidence(actions, accounts, window_s=window_s, limit_per_pair=None)
    if not rows.num_rows:
        return EVIDENCE_SCHEMA.empty_table()
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
    table = pa.table(
        {
            "object_kind": grouped.column("object_kind"),
            "object_id": grouped.column("object_id"),
            "accounts": grouped.column("account_count_distinct"),
            "first_time": grouped.column("time_min"),
            "last_time": grouped.column("time_max"),
        }
    )
    order = pc.sort_indices(
        table,
        sort_keys=[("accounts", "descending"), ("first_time", "ascending"), ("object_id", "ascending")],
    )
    return table.take(order).slice(0, limit).cast(EVIDENCE_SCHEMA)
