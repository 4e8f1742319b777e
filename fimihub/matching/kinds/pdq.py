"""The ``pdq`` kind: Meta's 256-bit perceptual image hash, matched by Hamming distance.

Canonical form: 64 lower-case hex digits, as ThreatExchange writes PDQ hashes (a ``pdq:`` prefix, as some
indicator files carry, is dropped). Two hashes match when at most :attr:`PdqSignalType.threshold` bits differ
(31 by default, PDQ's "confident match" distance); a forum may set its own. A hit's distance is the number of
differing bits and its score ``1 - distance / 256``.

PDQ reports a quality (0-100) with each hash: how much detail the image had. Hashes of flat or nearly blank
images collide with each other, so :func:`check_quality` refuses those below 50 by default, the threshold
ThreatExchange uses.
"""

from __future__ import annotations

import re
from typing import ClassVar

from fimihub.matching.base import Hit, SignalType
from fimihub.matching.index.pdq import DEFAULT_THRESHOLD, HASH_BITS, PdqIndex, check_threshold
from fimihub.matching.kinds._input import check_text
from fimihub.model.signals import SignalKind

__all__ = ["DEFAULT_MIN_QUALITY", "PdqSignal", "PdqSignalType", "check_quality", "hamming"]

#: Hashes of images with less detail than this are too unreliable to share or match on.
DEFAULT_MIN_QUALITY = 50

_HEX = re.compile(r"^[0-9a-f]*$")
_DIGITS = HASH_BITS // 4


def hamming(a: str, b: str) -> int:
    """Bits that differ between two normalised PDQ hashes."""
    return (int(a, 16) ^ int(b, 16)).bit_count()


def check_quality(quality: int, minimum: int = DEFAULT_MIN_QUALITY) -> int:
    """``quality`` if it is a PDQ quality (0-100) of at least ``minimum``; ``ValueError`` saying why not."""
    if isinstance(quality, bool) or not isinstance(quality, int) or not 0 <= quality <= 100:
        raise ValueError(f"pdq quality must be a whole number from 0 to 100, got {quality!r}")
    if quality < minimum:
        raise ValueError(
            f"pdq quality {quality} is below {minimum}: the image has too little detail to match reliably"
        )
    return quality


class PdqSignalType(SignalType):
    """PDQ hashes, matched within :attr:`threshold` bits."""

    kind: ClassVar[SignalKind] = SignalKind.PDQ

    def __init__(self, threshold: int = DEFAULT_THRESHOLD) -> None:
        self.threshold = check_threshold(threshold)

    def normalise(self, value: str) -> str:
        text = check_text(value, "pdq", max_length=1024).lower()
        if text.startswith("pdq:"):
            text = text[4:].strip()
        if not _HEX.match(text):
            raise ValueError("pdq: a hash is hex digits 0-9 and a-f only")
        if len(text) != _DIGITS:
            raise ValueError(f"pdq: a hash has {_DIGITS} hex digits, got {len(text)}")
        return text

    def compare(self, query: str, candidate: str) -> Hit | None:
        distance = hamming(query, candidate)
        if distance > self.threshold:
            return None
        return Hit(0, float(distance), 1.0 - distance / HASH_BITS)

    def new_index(self, threshold: int | None = None) -> PdqIndex:
        """An empty index matching within ``threshold`` bits (default: this type's threshold)."""
        return PdqIndex(self.threshold if threshold is None else threshold)


#: The name the design notes use for this kind.
PdqSignal = PdqSignalType
