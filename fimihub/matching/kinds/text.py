"""The ``text`` signal kind: near-duplicate narrative text, shared as a MinHash signature, never as the text.

A value is either an ``mh1`` signature (checked and written in canonical lower case) or raw text, which is
normalised, cut into word 3-shingles and signed (:mod:`fimihub.matching.minhash` has the details and the
limits: at least 5 words, at most a mebibyte). Sharing the signature lets a peer find copies of a narrative on
its own service without the hub ever holding the post. The text cannot be read back from a signature; a
holder of a candidate text can only tell whether it is a near-duplicate, which is what matching is.

Two values match when their texts' estimated word-shingle Jaccard similarity reaches the threshold less the
estimate's error margin (see :mod:`fimihub.matching.index.text`); ``score`` is the estimate and ``distance``
is ``1 - score``. The same rule decides :meth:`TextSignalType.compare` and the index, so the index can be
tested against brute force.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import ClassVar

from fimihub.matching import minhash
from fimihub.matching.base import Hit, SignalType
from fimihub.matching.index.text import DEFAULT_THRESHOLD, TextIndex, check_threshold, min_agreement
from fimihub.model.signals import SignalKind

__all__ = ["TextSignalType"]

# What is meant as a signature rather than as text: ``mh…:`` and letters and digits, or any ``name:`` and a
# long hex tail. Either is two words at most, too few to sign as text, so this costs no real text.
_SIGNATURE_LIKE = re.compile(r"^(?:mh[0-9]*:[0-9a-z]*|[a-z0-9]+:[0-9a-f]{64,})$", re.IGNORECASE)


class TextSignalType(SignalType):
    """Near-duplicate text by MinHash over normalised word 3-shingles."""

    kind: ClassVar[SignalKind] = SignalKind.TEXT

    def __init__(self, threshold: float = DEFAULT_THRESHOLD) -> None:
        self.threshold = check_threshold(threshold)
        self.min_agreement = min_agreement(self.threshold)

    def normalise(self, value: str) -> str:
        """The ``mh1`` signature ``value`` is or stands for; ``ValueError`` says why there is none."""
        if not isinstance(value, str):
            raise ValueError(f"a text signal must be a string, not {type(value).__name__}")
        stripped = value.strip()
        if _SIGNATURE_LIKE.match(stripped):
            return minhash.encode(minhash.decode(stripped))
        return minhash.signature(value)

    def normalise_many(self, values: Sequence[str]) -> list[str | None]:
        """Raw texts signed in one vectorised pass (signatures as values pass through :meth:`normalise`)."""
        texts = [v for v in values if not _SIGNATURE_LIKE.match(v.strip())]
        rows = iter(minhash.signatures(texts)) if texts else iter(())
        found: list[str | None] = []
        for value in values:
            if _SIGNATURE_LIKE.match(value.strip()):
                found.extend(super().normalise_many([value]))
                continue
            row = next(rows)
            found.append(None if (row == minhash.EMPTY).all() else minhash.encode(row))
        return found

    def compare(self, query: str, candidate: str) -> Hit | None:
        agree = int((minhash.decode(query) == minhash.decode(candidate)).sum())
        if agree < self.min_agreement:
            return None
        score = agree / minhash.NUM_PERM
        return Hit(0, 1.0 - score, score)

    def new_index(self) -> TextIndex:
        return TextIndex(self.threshold)
