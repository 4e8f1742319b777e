"""Random streams and identifiers of a simulated world.

Every part of the generator draws from its own named stream of the world's seed, so a world is the same
however it is produced (in memory or streamed in chunks of any size), and ids are bijective scrambles of
positions, so they are unique without bookkeeping.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pyarrow as pa

__all__ = ["mix64", "scrambled_ids", "seeded"]


def seeded(seed: int, *key: int) -> np.random.Generator:
    """The random stream named ``key`` of world ``seed``: independent of every other stream and of order."""
    return np.random.default_rng(np.random.SeedSequence(entropy=seed, spawn_key=key))


def mix64(values: npt.NDArray[np.uint64]) -> npt.NDArray[np.uint64]:
    """SplitMix64's finaliser: a bijection on 64-bit integers, so distinct inputs give distinct outputs."""
    z = values + np.uint64(0x9E3779B97F4A7C15)
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


def scrambled_ids(positions: npt.NDArray[np.int64], salt: int) -> pa.Array:
    """Decimal string ids for ``positions``, unique for distinct positions under one ``salt``."""
    return pa.array(mix64(positions.astype(np.uint64) + np.uint64(salt))).cast(pa.string())
