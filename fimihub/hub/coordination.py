"""The coordination use case: find the networks of accounts that act together in a member's own data.

The data never enters the store: a member's export (or an object table) is read, turned into actions,
and the co-action network, its communities and their evidence are handed back and, on request, written to
CSV/Parquet (one row per edge, one row per community) and GraphML.

Detection needs nothing from a hub: :func:`detect_coordination` runs it on files or tables with no caller,
no store and no clock (``fimihub coordination detect`` runs it so, on the user's own machine). Through a
hub, :meth:`Coordination.detect` runs it for a caller (the REST API's members), after the policy's word.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal, TypedDict, Unpack

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
from fimihub.hub.tables import TableRead, check_out, read_table_with_report, write_table
from fimihub.matching.reading import ReadReport
from fimihub.policy import Caller

__all__ = [
    "COMMUNITY_COLUMNS",
    "COORDINATION_STEPS",
    "Coordination",
    "CoordinationReport",
    "DetectOptions",
    "Step",
    "community_table",
    "detect_coordination",
]

#: What a detection counts, in order, as reported to ``progress``: the rows read and turned into actions,
#: the actions paired into the network, the accounts of the network grouped into communities (and written).
COORDINATION_STEPS = ("rows", "actions", "accounts")
#: ``progress(step, done, total)``: ``done`` of the ``total`` units of ``step`` (one of
#: :data:`COORDINATION_STEPS`) are done; ``total`` is None while it is not known yet.
Step = Callable[[str, int, int | None], None]
#: The weights of a network: distinct objects (undirected) or the QUT toolkit's matched actions (directed).
Weight = Literal["objects", "actions"]
#: Columns of the ``communities`` file, one row per community.
COMMUNITY_COLUMNS = (
    "community",
    "size",
    "score",
    "cohesion",
    "density",
    "edges",
    "weight",
    "first_time",
    "last_time",
    "top_objects",
    "accounts",
)
_OBJECT_TABLE = ("object_id", "account_id", "timestamp_share")
# Objects named per community in the communities file.
_TOP_OBJECTS = 5
# Seconds of 0001-01-01 and 9999-12-31T23:59:59: the times a timestamp column can show.
_TIME_RANGE = (-62135596800, 253402300799)


@dataclass(frozen=True)
class CoordinationReport:
    """What a detection read, kept and found; ``mode`` is how the edges are weighed."""

    rows: int
    actions: int
    dropped: dict[str, int]
    edges: pa.Table
    capped: pa.Table
    communities: list[Community]
    out: str | None = None
    graphml: str | None = None
    communities_out: str | None = None
    mode: Weight = "objects"
    #: What reading the input file skipped (rows, lines not in UTF-8) and its encoding; ``None`` for a table
    #: handed in.
    read: ReadReport | None = None

    @property
    def accounts(self) -> int:
        """Accounts in at least one edge."""
        return len(
            set(self.edges.column("account_1").to_pylist()) | set(self.edges.column("account_2").to_pylist())
        )


class Coordination:
    """Co-action networks and their communities from a member's own data (``hub.coordination``)."""

    def detect(
        self, by: Caller, source: str | Path | pa.Table, **options: Unpack[DetectOptions]
    ) -> CoordinationReport:
        """:func:`detect_coordination` for ``by``, with its options: detection runs as a member (the policy
        refuses the operator, :func:`fimihub.policy.member_only`); it reads nothing of the store and writes
        nothing to it."""
        policy.member_only(by, "detection")
        return detect_coordination(source, **options)


class DetectOptions(TypedDict, total=False):
    """The options of :func:`detect_coordination` (what :meth:`Coordination.detect` passes on)."""

    window_s: int
    min_weight: int
    min_weight_percentile: float | None
    min_symmetry: float
    mode: Weight
    method: str
    kinds: Iterable[str] | None
    out: str | Path | None
    graphml: str | Path | None
    communities_out: str | Path | None
    progress: Step | None


def detect_coordination(
    source: str | Path | pa.Table,
    *,
    window_s: int = 60,
    min_weight: int = 2,
    min_weight_percentile: float | None = None,
    min_symmetry: float = 0.0,
    mode: Weight = "objects",
    method: str = "leiden",
    kinds: Iterable[str] | None = None,
    out: str | Path | None = None,
    graphml: str | Path | None = None,
    communities_out: str | Path | None = None,
    progress: Step | None = None,
) -> CoordinationReport:
    """The co-action network of ``source`` — an object table in CooRTweet's shape (``object_id, account_id,
    content_id, timestamp_share``) or a platform export, a file or a table — with its communities. Needs no
    hub and no caller: it reads ``source`` and writes only the files asked for.

    Pairs of accounts acting on the same object within ``window_s`` seconds on at least ``min_weight``
    distinct objects (``mode="objects"``), or whose matched actions number at least ``min_weight`` in one
    direction (``mode="actions"``, the QUT toolkit's directed weights), become edges (see
    :mod:`fimihub.coordination.coaction` for the percentile and symmetry filters, which apply to
    ``objects`` only); ``method`` is ``leiden`` or ``components``. ``out`` gets one row per edge with both
    accounts' communities; ``communities_out`` one row per community (:func:`community_table`); ``graphml``
    the network for graph tools."""
    check_out(out)
    check_out(communities_out, "communities")
    if graphml is not None and Path(graphml).suffix.lower() != ".graphml":
        raise ValidationError("graphml", f"{graphml}: the network is written to a .graphml file")
    if method not in ("leiden", "components"):
        raise ValidationError("method", f"must be 'leiden' or 'components', not {method!r}")
    if mode not in ("objects", "actions"):
        raise ValidationError("mode", f"must be 'objects' or 'actions', not {mode!r}")

    def tell(step: str) -> Callable[[int, int | None], None]:
        def told(done: int, total: int | None) -> None:
            if progress is not None:
                progress(step, done, total)

        return told

    rows = tell("rows")
    rows(0, source.num_rows if isinstance(source, pa.Table) else None)
    read: TableRead | None = None
    if isinstance(source, pa.Table):
        table = source
    else:
        read = read_table_with_report(source)
        table = read.table
    rows(0, table.num_rows)
    found = _actions(table, kinds)
    rows(table.num_rows, table.num_rows)
    paired = tell("actions")
    paired(0, found.actions.num_rows)
    network = detect_coaction(
        found.actions,
        window_s=window_s,
        min_weight=min_weight,
        min_weight_percentile=min_weight_percentile,
        min_symmetry=min_symmetry,
        mode=mode,
        progress=paired,
    )
    paired(found.actions.num_rows, found.actions.num_rows)  # the guard may have thinned what it paired
    grouped = tell("accounts")
    linked = _accounts(network.edges)
    grouped(0, linked)
    communities = find_communities(
        network.edges,
        method="leiden" if method == "leiden" else "components",
        actions=found.actions,
        window_s=window_s,
    )
    edges = with_communities(network.edges, communities)
    if out is not None:
        write_table(edges, out)
    if communities_out is not None:
        write_table(community_table(communities), communities_out, "communities")
    if graphml is not None:
        write_graphml(graphml, edges, nodes=_node_attributes(found, communities), node_types=_NODE_TYPES)
    grouped(linked, linked)
    return CoordinationReport(
        table.num_rows,
        found.actions.num_rows,
        found.dropped,
        edges,
        network.capped,
        communities,
        str(out) if out is not None else None,
        str(graphml) if graphml is not None else None,
        str(communities_out) if communities_out is not None else None,
        mode,
        None if read is None else read.report,
    )


_NODE_TYPES = {"community": "long", "community_score": "double", "platform": "string"}


def _accounts(edges: pa.Table) -> int:
    return len(set(edges.column("account_1").to_pylist()) | set(edges.column("account_2").to_pylist()))


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


def community_table(communities: list[Community]) -> pa.Table:
    """One row per community (:data:`COMMUNITY_COLUMNS`): its number, size, score (the share of its links a
    third member corroborates), cohesion and density (see :mod:`fimihub.coordination.coaction.communities`),
    its internal edges and their weight, the first and last second of its co-actions (UTC), the objects
    most of its accounts co-acted on (``kind:id (accounts)``, most shared first, ``; `` between them) and its
    accounts (space-separated)."""

    def time(value: int | None) -> datetime | None:
        if value is None or not _TIME_RANGE[0] <= value <= _TIME_RANGE[1]:
            return None
        return datetime.fromtimestamp(value, UTC)

    def top(community: Community) -> str:
        if community.evidence is None:
            return ""
        rows = community.evidence.slice(0, _TOP_OBJECTS).to_pylist()
        return "; ".join(f"{r['object_kind']}:{r['object_id']} ({r['accounts']})" for r in rows)

    stamp = pa.timestamp("s", tz="UTC")
    columns: dict[str, pa.Array] = {
        "community": pa.array([c.id for c in communities], pa.int64()),
        "size": pa.array([c.size for c in communities], pa.int64()),
        "score": pa.array([round(c.score, 4) for c in communities], pa.float64()),
        "cohesion": pa.array([round(c.cohesion, 4) for c in communities], pa.float64()),
        "density": pa.array([round(c.density, 4) for c in communities], pa.float64()),
        "edges": pa.array([c.edges for c in communities], pa.int64()),
        "weight": pa.array([c.weight for c in communities], pa.int64()),
        "first_time": pa.array([time(c.first_time) for c in communities], stamp),
        "last_time": pa.array([time(c.last_time) for c in communities], stamp),
        "top_objects": pa.array([top(c) for c in communities], pa.string()),
        "accounts": pa.array([" ".join(c.accounts) for c in communities], pa.string()),
    }
    return pa.table(columns)


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
