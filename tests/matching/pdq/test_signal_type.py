"""What the ``pdq`` kind adds to the shared battery: distances, the threshold, quality and error messages."""

from __future__ import annotations

import pytest

from fimihub.matching.base import Hit
from fimihub.matching.kinds import SIGNAL_TYPES
from fimihub.matching.kinds.pdq import PdqSignal, PdqSignalType, check_quality, hamming
from fimihub.model import SignalKind

BRIDGE = "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22"
# Another hash ThreatExchange lists for the same bridge photo, modified (pdq/data/bridge-mods).
BRIDGE_MOD = "f8f8f0cee0f4a84f06370a2a038f63f0b36e26d596621e1d33e6b39c4e9c9b22"


def flipped(value: str, bits: int) -> str:
    return f"{int(value, 16) ^ ((1 << bits) - 1):064x}"


def test_registered_under_its_kind() -> None:
    assert isinstance(SIGNAL_TYPES[SignalKind.PDQ], PdqSignalType)
    assert PdqSignal is PdqSignalType


def test_distance_is_bits_and_score_falls_with_it() -> None:
    kind = PdqSignalType()
    assert hamming(BRIDGE, BRIDGE_MOD) == 2
    assert kind.compare(BRIDGE, BRIDGE_MOD) == Hit(0, 2.0, 1 - 2 / 256)
    assert kind.compare(BRIDGE, flipped(BRIDGE, 31)) == Hit(0, 31.0, 1 - 31 / 256)
    assert kind.compare(BRIDGE, flipped(BRIDGE, 32)) is None


def test_threshold_is_settable_and_checked() -> None:
    strict = PdqSignalType(threshold=10)
    assert strict.compare(BRIDGE, flipped(BRIDGE, 11)) is None
    assert strict.new_index().threshold == 10
    assert strict.new_index(threshold=40).threshold == 40
    with pytest.raises(ValueError, match="threshold"):
        PdqSignalType(threshold=-1)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (BRIDGE[:-1], "64 hex digits, got 63"),
        (BRIDGE + "ab", "64 hex digits, got 66"),
        ("z" * 64, "hex digits 0-9 and a-f only"),
        ("0x" + BRIDGE[2:], "hex digits 0-9 and a-f only"),
        (BRIDGE[:32] + " " + BRIDGE[32:], "hex digits 0-9 and a-f only"),
    ],
)
def test_bad_hashes_say_what_is_wrong(value: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        PdqSignalType().normalise(value)


def test_quality_below_fifty_is_refused_by_default() -> None:
    assert check_quality(100) == 100
    assert check_quality(50) == 50
    with pytest.raises(ValueError, match="quality 49 is below 50"):
        check_quality(49)
    assert check_quality(20, minimum=0) == 20
    for bad in (-1, 101, 75.5, True, "80"):
        with pytest.raises(ValueError, match="0 to 100"):
            check_quality(bad)  # type: ignore[arg-type]
