"""Graph algorithms of the coordination room: connected components (numpy) and Leiden communities.

igraph and leidenalg ship no type information; everything the room asks of them goes through :func:`leiden`
here, so that the rest of the room stays fully typed and the untyped surface is one small function. They are
imported where they are used: importing igraph imports matplotlib's pyplot whenever matplotlib is installed
(the reports draw their charts with it), which would cost every command that never draws a graph its start-up
time and a font cache written on first import.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

__all__ = ["components", "leiden"]

I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]


def _graph(n: int, source: I64, target: I64) -> Any:
    import igraph  # type: ignore[import-untyped]

    graph = igraph.Graph(n=n, directed=False)
    if len(source):
        graph.add_edges(np.column_stack((source, target)).tolist())
    return graph


def components(n: int, source: I64, target: I64) -> I64:
    """The connected component of each of ``n`` nodes linked by the undirected edges ``source[k]-target[k]``,
    labelled by the smallest node it holds.

    Vectorised union-find (hook and compress): every edge hooks the larger of its two roots under the
    smaller, then pointers jump to their roots; a few rounds suffice, each a handful of array operations, so
    millions of edges take no Python loop per edge (and no graph object: clustering near-duplicates needs
    only the labels)."""
    parent = np.arange(n, dtype=np.int64)
    source, target = source.astype(np.int64), target.astype(np.int64)
    while len(source):
        root_s, root_t = parent[source], parent[target]
        low, high = np.minimum(root_s, root_t), np.maximum(root_s, root_t)
        apart = low != high
        if not apart.any():
            break
        np.minimum.at(parent, high[apart], low[apart])
        while True:
            jumped = parent[parent]
            if np.array_equal(jumped, parent):
                break
            parent = jumped
        # Edges whose ends share a root now will never hook again.
        source, target = source[apart], target[apart]
    return parent


def leiden(
    n: int, source: I64, target: I64, weight: F64, *, resolution: float, seed: int, objective: str
) -> I64:
    """Leiden communities of a weighted undirected graph, seeded so that equal input gives equal output.

    ``objective`` is ``"modularity"`` (resolution-scaled modularity) or ``"cpm"`` (the Constant Potts Model,
    where ``resolution`` is the density a community must exceed)."""
    import leidenalg  # type: ignore[import-untyped]

    kind = leidenalg.CPMVertexPartition if objective == "cpm" else leidenalg.RBConfigurationVertexPartition
    partition = leidenalg.find_partition(
        _graph(n, source, target),
        kind,
        weights=weight.tolist(),
        resolution_parameter=resolution,
        seed=seed,
        n_iterations=-1,
    )
    return np.asarray(partition.membership, dtype=np.int64)
