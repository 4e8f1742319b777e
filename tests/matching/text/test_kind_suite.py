"""The ``text`` kind through the shared battery every signal kind passes."""

from __future__ import annotations

import random
from typing import ClassVar

from fimihub.matching import minhash
from fimihub.matching.base import SignalType
from fimihub.matching.kinds.text import TextSignalType
from tests.matching.signal_type_suite import SignalTypeSuite

VOCABULARY = [f"w{i}" for i in range(5000)]
TEXT = "Energy bills in France have doubled while politicians look the other way."


def family_text(family: int, variant: int) -> str:
    """A 40-word text per family; variants differ only in their last word (Jaccard 37/39 within a family,
    about 0 across), so every pair brute force calls a hit is one banding cannot miss (p < 1e-11)."""
    words = random.Random(family).choices(VOCABULARY, k=40)
    return " ".join([*words, f"variant{variant}"])


class TestTextKind(SignalTypeSuite):
    signal_type: ClassVar[SignalType] = TextSignalType()
    examples: ClassVar[dict[str, str]] = {
        TEXT: minhash.signature(TEXT),
        "  ENERGY bills in France, have doubled — while politicians look the other way!!": minhash.signature(
            TEXT
        ),
        minhash.signature(TEXT).upper(): minhash.signature(TEXT),
    }
    junk: ClassVar[list[str]] = ["four words only here", "mh1:abc", "mh2:" + "0" * 1024, "🔥 " * 40]
    fuzz_prefixes: ClassVar[tuple[str, ...]] = ("", "mh1:", "one two three four five ")
    # Brute force decodes two signatures per comparison: keep the battery to a few seconds.
    sample_size: ClassVar[int] = 120

    def random_values(self, rng: random.Random, n: int) -> list[str]:
        return [minhash.signature(family_text(rng.randrange(40), rng.randrange(4))) for _ in range(n)]

    def random_queries(self, rng: random.Random, values: list[str]) -> list[str]:
        # Stored values, new variants of stored families, and families nothing stored belongs to.
        fresh = [minhash.signature(family_text(rng.randrange(40), 4 + rng.randrange(4))) for _ in range(30)]
        far = [minhash.signature(family_text(1000 + rng.randrange(1000), 0)) for _ in range(10)]
        return rng.sample(values, 30) + fresh + far
