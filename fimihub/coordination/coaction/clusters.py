"""Near-duplicate images and texts as single objects: clusters of PDQ hashes and of MinHash signatures.

Copies of an image drift (re-encoding, a crop, a logo) and copies of a text drift (a typo, an emoji), yet an
operation posting them acts on *one* object. Each distinct value is mapped to a cluster — the connected
components (single linkage) of the near-duplicate graph — named so that the name does not depend on the order
of the rows: an image cluster by its smallest hash, a text cluster by a short hash of its first text in sort
order.

Images: the exact PDQ index of :mod:`fimihub.matching.index.pdq` finds every pair within the distance.
Texts: the MinHash signatures of :mod:`fimihub.matching.minhash`, banded with the text index's own shape and
agreement threshold for the chosen Jaccard similarity (:func:`~fimihub.matching.index.text.lsh_shape`,
:func:`~fimihub.matching.index.text.min_agreement`); in each band, signatures with equal band values are
sorted next to each other and each is linked to its neighbour when the full signatures agree enough.
"""

from __future__ import annotations

import hashlib
import re

import numpy as np
import numpy.typing as npt

from fimihub.coordination.coaction.graph import components
from fimihub.matching import minhash
from fimihub.matching.index.pdq import PdqIndex, parse_hashes
from fimihub.matching.index.text import lsh_shape, min_agreement

__all__ = ["image_clusters", "text_clusters"]

I64 = npt.NDArray[np.int64]
_HEX64 = re.compile(r"^[0-9a-fA-F]{64}$")
# Fixed odd multipliers that fold a band's values into one 64-bit key (any fixed choice does).
_MIX = np.random.default_rng(0xC0AC7).integers(1, 2**63, minhash.NUM_PERM, dtype=np.uint64) | np.uint64(1)
# Signature pairs compared at a time (8 MiB of uint32 pairs).
_VERIFY = 1 << 14


def image_clusters(hashes: list[str], distance: int) -> list[str | None]:
    """Each distinct hex PDQ hash mapped to its cluster's smallest hash (``None``: not a PDQ hash)."""
    members = sorted({h.lower() for h in hashes if _HEX64.match(h)})
    if not members:
        return [None] * len(hashes)
    decoded = parse_hashes(members)
    index = PdqIndex(threshold=distance)
    index.add_hashes(decoded, np.arange(len(members), dtype=np.int64))
    index.compact()
    query, entry, _ = index.query_hashes(decoded)
    labels = components(len(members), query.astype(np.int64), entry)
    name = {m: members[label] for m, label in zip(members, labels.tolist(), strict=True)}
    return [name.get(h.lower()) if _HEX64.match(h) else None for h in hashes]


def _band_links(signatures: npt.NDArray[np.uint32], threshold: float) -> tuple[I64, I64]:
    """Pairs of signature rows that share a band and agree on at least the threshold's share of values."""
    bands, rows = lsh_shape(threshold)
    needed = min_agreement(threshold)
    n = len(signatures)
    values = signatures[:, : bands * rows].astype(np.uint64).reshape(n, bands, rows)
    keys = (values * _MIX[: bands * rows].reshape(bands, rows)).sum(axis=2, dtype=np.uint64)
    left: list[I64] = []
    right: list[I64] = []
    for band in range(bands):
        order = np.argsort(keys[:, band], kind="stable")
        ordered = keys[order, band]
        same = np.flatnonzero(ordered[1:] == ordered[:-1])
        left.append(order[same].astype(np.int64))
        right.append(order[same + 1].astype(np.int64))
    a, b = np.concatenate(left), np.concatenate(right)
    pair = np.sort(np.minimum(a, b) * n + np.maximum(a, b))
    pair = pair[np.concatenate(([True], pair[1:] != pair[:-1]))] if len(pair) else pair
    a, b = pair // max(n, 1), pair % max(n, 1)
    agree = np.zeros(len(a), dtype=np.int64)
    for lo in range(0, len(a), _VERIFY):
        hi = lo + _VERIFY
        agree[lo:hi] = np.count_nonzero(signatures[a[lo:hi]] == signatures[b[lo:hi]], axis=1)
    keep = agree >= needed
    return a[keep], b[keep]


def text_clusters(texts: list[str], threshold: float) -> list[str | None]:
    """Each distinct text mapped to a short name of its cluster (``None``: too short or long to sign)."""
    members = sorted(set(texts))
    signatures = minhash.signatures(members)
    signed = np.flatnonzero(~(signatures == minhash.EMPTY).all(axis=1))
    name: dict[str, str] = {}
    if len(signed):
        a, b = _band_links(signatures[signed], threshold)
        labels = components(len(signed), a, b)
        for position, label in enumerate(labels.tolist()):
            first = members[int(signed[label])].encode("utf-8", "surrogatepass")
            name[members[int(signed[position])]] = hashlib.blake2b(first, digest_size=8).hexdigest()
    return [name.get(t) for t in texts]
