"""The coordination use case: find the networks of accounts that act together in a member's own data.

The data never enters the store: a member's export (or an object table) is read, turned into actions,
and the co-action network, its communities and their evidence are handed back and, on request, written to
CSV/Parquet (one row per edge) and GraphML.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa

from fimihub import policy
from fimihub.coordination import (
    ActionsResult,
    Community,
    actions_from_export,
    actions_from_objects,
    detect_coaction,
    find_communities,
)
from fimihub.errors import ValidationError
from fimihub.hub.graphml import write_graphml
from fimihub.hub.tables import check_out, read_table, write_table
from fimihub.policy import Caller

__all__ = ["COORDINATION_STEPS", "Coordination", "CoordinationReport", "Step"]

#: The steps of a detection, in order, as reported to ``progress``.
COORDINATION_STEPS = ("read", "actions", "co-action", "communities", "write")
#: ``progress(step, done, total)``: ``done`` of ``total`` steps are finished; ``step`` is the one starting.
Step = Callable[[str, int, int], None]
_OBJECT_TABLE = ("object_id", "account_id", "timestamp_share")


@dataclass(frozen=True)
class CoordinationReport:
    """What a detection read, kept and found."""

    rows: int
    actions: int
    dropped: dict[str, int]
    edges: pa.Table
    capped: pa.Table
    communities: list[Community]
    out: str | None = None
    graphml: str | None = None

    @property
    def accounts(self) -> int:
        """Accounts in at least one edge."""
        return len(
            set(self.edges.column("account_1").to_pylist()) | set(self.edges.column("account_2").to_pylist())
        )


class Coordination:
    """Co-action networks and their communities from a member's own data (``hub.coordination``)."""

    def detect(
        self,
        by: Caller,
        source: str | Path | pa.Table,
        *,
        window_s: int = 60,
        min_weight: int = 2,
        min_weight_percentile: float | None = None,
        min_symmetry: float = 0.0,
        method: str = "leiden",
        kinds: Iterable[str] | None = None,
        out: str | Path | None = None,
        graphml: str | Path | None = None,
        progress: Step | None = None,
    ) -> CoordinationReport:
        """The co-action network of ``source`` — an object table in CooRTweet's shape (``object_id,
        account_id, content_id, timestamp_share``) or a platform export — with its communities.

        Pairs of accounts acting on the same object within ``window_s`` seconds on at least ``min_weight``
        distinct objects become edges (see :mod:`fimihub.coordination.coaction` for the percentile and
        symmetry filters); ``method`` is ``leiden`` or ``components``. ``out`` gets one row per edge with
        both accounts' communities; ``graphml`` the network for graph tools."""
        policy.member_only(by, "detection")
        check_out(out)
        if graphml is not None and Path(graphml).suffix.lower() != ".graphml":
            raise ValidationError("graphml", f"{graphml}: the network is written to a .graphml file")
        if method not in ("leiden", "components"):
            raise ValidationError("method", f"must be 'leiden' or 'components', not {method!r}")

        def step(index: int) -> None:
            if progress is not None:
                progress(COORDINATION_STEPS[index], index, len(COORDINATION_STEPS))

        step(0)
        table = source if isinstance(source, pa.Table) else read_table(source)
        step(1)
        found = _actions(table, kinds)
        step(2)
        network = detect_coaction(
            found.actions,
            window_s=window_s,
            min_weight=min_weight,
            min_weight_percentile=min_weight_percentile,
            min_symmetry=min_symmetry,
        )
        step(3)
        communities = find_communities(
            network.edges,
            method="leiden" if method == "leiden" else "components",
            actions=found.actions,
            window_s=window_s,
        )
        step(4)
        edges = with_communities(network.edges, communities)
        if out is not None:
            write_table(edges, out)
        if graphml is not None:
            write_graphml(graphml, edges, nodes=_node_attributes(found, communities), node_types=_NODE_TYPES)
        if progress is not None:
            progress("done", len(COORDINATION_STEPS), len(COORDINATION_STEPS))
        return CoordinationReport(
            table.num_rows,
            found.actions.num_rows,
            found.dropped,
            edges,
            network.capped,
            communities,
            str(out) if out is not None else None,
            str(graphml) if graphml is not None else None,
        )


_NODE_TYPES = {"community": "long", "community_score": "double", "platform": "string"}


def _actions(table: pa.Table, kinds: Iterable[str] | None) -> ActionsResult:
    names = set(table.column_names)
    if all(c in names for c in _OBJECT_TABLE):
        return actions_from_objects(table)
    if {"platform", "account_id"} <= names:
        return actions_from_export(table, kinds=kinds)
    have = ", ".join(table.column_names)
    raise ValidationError(
        "input",
        "expected an object table (object_id, account_id, content_id, timestamp_share) or a platform export "
        f"(platform, account_id, posted_at, ...); the file has: {have}",
    )


def with_communities(edges: pa.Table, communities: list[Community]) -> pa.Table:
    """``edges`` with the community of each account (``-1``: in no community of the minimum size)."""
    of = {account: c.id for c in communities for account in c.accounts}
    for side in ("1", "2"):
        ids = [of.get(a, -1) for a in edges.column(f"account_{side}").to_pylist()]
        edges = edges.append_column(f"community_{side}", pa.array(ids, pa.int64()))
    return edges


def _node_attributes(found: ActionsResult, communities: list[Community]) -> dict[str, dict[str, object]]:
    nodes: dict[str, dict[str, object]] = {}
    for c in communities:
        for account in c.accounts:
            nodes[account] = {"community": c.id, "community_score": round(c.score, 6)}
    if "platform" in found.actions.column_names and nodes:
        pairs = found.actions.select(["account", "platform"]).group_by(["account", "platform"]).aggregate([])
        for row in pairs.to_pylist():
            if row["platform"] and row["account"] in nodes:
                nodes[row["account"]]["platform"] = row["platform"]
    return nodes
