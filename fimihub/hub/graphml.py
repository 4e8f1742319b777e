"""GraphML of a co-action network, for Gephi, Cytoscape, igraph or networkx.

Nodes are accounts (with their platform, community and community score); edges carry every column of the
edge table. Written with the standard library's XML writer, so any text in ids is escaped properly.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pyarrow as pa

__all__ = ["write_graphml"]

_NS = "http://graphml.graphdrawing.org/xmlns"
_TYPES = {"int64": "long", "int32": "int", "double": "double", "float": "float", "bool": "boolean"}


def write_graphml(
    path: str | Path,
    edges: pa.Table,
    *,
    nodes: Mapping[str, Mapping[str, Any]] | None = None,
    node_types: Mapping[str, str] | None = None,
) -> Path:
    """Write the undirected network of ``edges`` (``account_1``, ``account_2`` and attribute columns).

    ``nodes`` gives attributes per account (every account in ``edges`` is a node, with or without them);
    ``node_types`` their GraphML types (``string``, ``long``, ``double``...), ``string`` by default."""
    path = Path(path)
    nodes = dict(nodes or {})
    node_types = dict(node_types or {})
    root = ET.Element("graphml", xmlns=_NS)
    node_keys = sorted({name for attrs in nodes.values() for name in attrs})
    for name in node_keys:
        kind = node_types.get(name, "string")
        ET.SubElement(
            root, "key", id=f"n_{name}", attrib={"for": "node", "attr.name": name, "attr.type": kind}
        )
    edge_columns = [c for c in edges.column_names if c not in ("account_1", "account_2")]
    for name in edge_columns:
        kind = _TYPES.get(str(edges.schema.field(name).type), "string")
        ET.SubElement(
            root, "key", id=f"e_{name}", attrib={"for": "edge", "attr.name": name, "attr.type": kind}
        )
    graph = ET.SubElement(root, "graph", id="coaction", edgedefault="undirected")
    rows = edges.to_pylist()
    accounts = sorted({r["account_1"] for r in rows} | {r["account_2"] for r in rows} | set(nodes))
    for account in accounts:
        node = ET.SubElement(graph, "node", id=account)
        for name, value in sorted(nodes.get(account, {}).items()):
            if value is not None:
                ET.SubElement(node, "data", key=f"n_{name}").text = _text(value)
    for i, row in enumerate(rows):
        edge = ET.SubElement(graph, "edge", id=f"e{i}", source=row["account_1"], target=row["account_2"])
        for name in edge_columns:
            if row[name] is not None:
                ET.SubElement(edge, "data", key=f"e_{name}").text = _text(row[name])
    path.parent.mkdir(parents=True, exist_ok=True)
    ET.ElementTree(root).write(path, encoding="utf-8", xml_declaration=True)
    return path


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
