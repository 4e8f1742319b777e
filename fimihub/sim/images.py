"""Images of simulated posts, as PDQ-like perceptual hashes: 256 bits written as 64 lower-case hex digits.

Only the hashes matter to the hub (signals travel as hex strings), so the simulator never draws a picture.
Two unrelated images get independent random hashes, about 128 bits apart; a re-cropped or re-encoded copy of
an image differs in a few bits, as PDQ hashes of near-duplicates do (PDQ's usual match threshold is 31 bits).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

import numpy as np
import numpy.typing as npt
import pyarrow as pa

__all__ = ["HASH_BITS", "flip_bits", "from_hex", "hamming", "random_hashes", "to_hex"]

HASH_BITS = 256
_BYTES = HASH_BITS // 8

Hashes = npt.NDArray[np.uint8]


def random_hashes(rng: np.random.Generator, n: int) -> Hashes:
    """``n`` unrelated hashes, one per row of a ``(n, 32)`` byte matrix."""
    return rng.integers(0, 256, size=(n, _BYTES), dtype=np.uint8)


def flip_bits(rng: np.random.Generator, hashes: Hashes, low: int, high: int) -> Hashes:
    """Copies of ``hashes`` with between ``low`` and ``high`` bits flipped in each row.

    Positions are drawn independently, so when two draws hit the same bit a row ends up with one flip fewer
    (never fewer than one when ``low`` is at least one); that keeps this cheap for millions of rows.
    """
    n = len(hashes)
    if n == 0 or high <= 0:
        return hashes.copy()
    count = rng.integers(low, high + 1, size=n)
    position = rng.integers(0, HASH_BITS, size=(n, high))
    keep = np.arange(high)[None, :] < count[:, None]
    mask = np.zeros((n, HASH_BITS), dtype=bool)
    mask[np.repeat(np.arange(n), high)[keep.ravel()], position[keep]] = True
    return np.bitwise_xor(hashes, np.packbits(mask, axis=1))


@cache
def _hex_table() -> npt.NDArray[np.bytes_]:
    return np.array([f"{i:02x}".encode() for i in range(256)], dtype="S2")


def to_hex(hashes: Hashes) -> pa.Array:
    """The hashes as a pyarrow string array of 64-digit hex strings (vectorised: no Python call per row)."""
    if len(hashes) == 0:
        return pa.array([], pa.string())
    digits = np.ascontiguousarray(_hex_table()[hashes]).view(f"S{2 * _BYTES}").ravel()
    return pa.array(digits, pa.binary()).cast(pa.string())


def from_hex(values: Sequence[str]) -> Hashes:
    """The ``(n, 32)`` byte matrix of 64-digit hex strings."""
    return (
        np.frombuffer(b"".join(bytes.fromhex(v) for v in values), dtype=np.uint8).reshape(-1, _BYTES).copy()
    )


def hamming(a: str, b: str) -> int:
    """Bits that differ between two hex hashes of equal length."""
    return (int(a, 16) ^ int(b, 16)).bit_count()
