"""The ``pdq`` kind through the shared battery every signal kind passes."""

from __future__ import annotations

import random
from typing import ClassVar

from fimihub.matching.base import SignalType
from fimihub.matching.kinds.pdq import PdqSignalType
from tests.matching.signal_type_suite import SignalTypeSuite

BRIDGE = "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22"


def near(rng: random.Random, value: str, flips: int) -> str:
    """``value`` with ``flips`` distinct bits flipped."""
    mask = sum(1 << bit for bit in rng.sample(range(256), flips))
    return f"{int(value, 16) ^ mask:064x}"


class TestPdqKind(SignalTypeSuite):
    signal_type: ClassVar[SignalType] = PdqSignalType()
    examples: ClassVar[dict[str, str]] = {
        BRIDGE.upper(): BRIDGE,
        f"  {BRIDGE}\n": BRIDGE,
        f"PDQ:{BRIDGE}": BRIDGE,
        "0" * 64: "0" * 64,
    }
    junk: ClassVar[list[str]] = [BRIDGE[:-1], BRIDGE + "0", "g" * 64, "0x" + BRIDGE[2:], BRIDGE[:32], "pdq:"]
    fuzz_prefixes: ClassVar[tuple[str, ...]] = ("", "pdq:", BRIDGE[:60])

    def random_values(self, rng: random.Random, n: int) -> list[str]:
        # Families of near-duplicates around 30 random hashes: flips of 0-40 bits put some pairs within the
        # threshold and some just outside it.
        bases = [f"{random.Random(family).getrandbits(256):064x}" for family in range(30)]
        return [near(rng, rng.choice(bases), rng.randrange(41)) for _ in range(n)]
