"""The ``phrase`` kind: keywords and glob patterns found in free text."""

from __future__ import annotations

import random
import time
from typing import ClassVar

from fimihub.matching.base import Hit, SignalType
from fimihub.matching.kinds.phrase import PhraseIndex, PhraseSignalType, text_words
from tests.matching.signal_type_suite import SignalTypeSuite

VOCAB = ["bio", "labs", "in", "ukraine", "zelensky", "regime", "nato", "biolabs", "kyiv", "nazi", "the", "is"]
GLOBS = ["bio*", "*labs", "z?lensky", "n?to", "k*v", "*a*", "*"]


class TestPhraseKind(SignalTypeSuite):
    signal_type: ClassVar[SignalType] = PhraseSignalType()
    examples: ClassVar[dict[str, str]] = {
        "Bio-Labs in Ukraine!": "bio labs in ukraine",
        "  ZELENSKY   regime ": "zelensky regime",
        "z\u0435lensky": "zelensky",  # Cyrillic \u0435 inside a Latin word is folded
        "Слава Україні": "слава україні",  # a word wholly in one script is kept
        "pattern:Z*lensk? Regime": "pattern:z*lensk? regime",
        "PATTERN:bio**labs": "pattern:bio*labs",
        "नमस्ते दुनिया": "नमस्ते दुनिया",
    }
    junk: ClassVar[list[str]] = [
        "!!!",
        "pattern:",
        "pattern:* ?",
        "pattern:bio-labs",
        "pattern:a|b",
        "w " * 40,
    ]
    fuzz_prefixes: ClassVar[tuple[str, ...]] = ("", "pattern:", "pattern:*")
    sample_size: ClassVar[int] = 150

    def random_values(self, rng: random.Random, n: int) -> list[str]:
        values = []
        for _ in range(n):
            words = [rng.choice(VOCAB) for _ in range(rng.randint(1, 3))]
            if rng.random() < 0.3:
                words[rng.randrange(len(words))] = rng.choice(GLOBS if len(words) > 1 else GLOBS[:-1])
                values.append("pattern:" + " ".join(words))
            else:
                values.append(" ".join(words))
        return [self.signal_type.normalise(value) for value in values]

    def random_queries(self, rng: random.Random, values: list[str]) -> list[str]:
        texts = [
            " ".join(rng.choice(VOCAB).upper() for _ in range(rng.randint(0, 25))) + "!" for _ in range(80)
        ]
        return texts + rng.sample(values, 20)


def test_keywords_match_consecutive_words_only() -> None:
    kind = PhraseSignalType()
    assert kind.compare("They say: the BIO-labs in Ukraine…", "bio labs in ukraine") == Hit(0)
    assert kind.compare("labs bio in ukraine", "bio labs in ukraine") is None
    assert kind.compare("biolabs in ukraine", "bio labs") is None  # words, not substrings


def test_patterns() -> None:
    kind = PhraseSignalType()
    pattern = kind.normalise("pattern:z*lensk? regime")
    assert kind.compare("the zelenskyy regime", pattern) is None
    assert kind.compare("the Zelensky regime", pattern) == Hit(0)
    assert kind.compare("the zlenskx regime", pattern) == Hit(0)
    assert kind.compare("zelensky", pattern) is None


def test_patterns_stay_fast_on_hostile_text() -> None:
    index = PhraseIndex()
    index.add(["pattern:*a*a*a*a*b", "pattern:?*?*?*?*c x"], [1, 2])
    text = " ".join(["a" * 250] * 2000)
    start = time.perf_counter()
    assert index.query(text) == []
    assert time.perf_counter() - start < 2.0


def test_text_words() -> None:
    assert text_words("\uff2e\uff21\uff34\uff2f's  bio-labs\u200b!") == ["nato", "s", "bio", "labs"]
