"""The ``hashtag`` kind: one tag, no '#', folded case, scripts kept."""

from __future__ import annotations

import random
from typing import ClassVar

from fimihub.matching.base import SignalType
from fimihub.matching.kinds.hashtag import HashtagSignalType, hashtags_in_text
from tests.matching.signal_type_suite import SignalTypeSuite

WORDS = ["stopthewar", "\u0421\u0412\u041e", "Truth", "नमस्ते", "ẞtraße", "nato_go_home", "2024"]


class TestHashtagKind(SignalTypeSuite):
    signal_type: ClassVar[SignalType] = HashtagSignalType()
    examples: ClassVar[dict[str, str]] = {
        "#StopTheWar": "stopthewar",
        "stopthewar": "stopthewar",
        "\uff03\u0421\u0412\u041e": "сво",
        "#Straße": "strasse",
        "#stop\u200bthe\u200dwar": "stopthewar",
        "#नमस्ते": "नमस्ते",
        "##double": "double",
    }
    junk: ClassVar[list[str]] = ["#", "##", "#two tags", "#a,b", "#tag!", "#___", "#" + "a" * 200, "#a#b"]
    fuzz_prefixes: ClassVar[tuple[str, ...]] = ("", "#")

    def random_values(self, rng: random.Random, n: int) -> list[str]:
        return [self.signal_type.normalise(f"#{rng.choice(WORDS)}{rng.randint(0, 20)}") for _ in range(n)]


def test_hashtags_in_text() -> None:
    text = "Read #StopTheWar and #\u0421\u0412\u041e, not http://x.example/#frag nor a#b; again #stopthewar #"
    assert hashtags_in_text(text) == ["stopthewar", "сво"]
    assert hashtags_in_text("#" * 100_000) == []
