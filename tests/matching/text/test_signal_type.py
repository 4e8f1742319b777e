"""The text signal kind: what it accepts, what it shares, how two values compare."""

from __future__ import annotations

import numpy as np
import pytest

from fimihub.matching import minhash
from fimihub.matching.index.text import TextIndex, candidate_probability, lsh_shape, min_agreement
from fimihub.matching.kinds.text import TextSignalType
from fimihub.model import SignalKind
from fimihub.model.signals import MAX_SIGNAL_VALUE

TEXT = "Families in Poland are choosing between heating and eating this winter. Repost if you agree."


def test_raw_text_becomes_its_signature() -> None:
    kind = TextSignalType()
    assert kind.kind is SignalKind.TEXT
    value = kind.normalise(TEXT)
    assert value == minhash.signature(TEXT)
    assert len(value) <= MAX_SIGNAL_VALUE
    assert "heating" not in value


def test_signatures_are_checked_and_made_canonical() -> None:
    kind = TextSignalType()
    value = kind.normalise(TEXT)
    assert kind.normalise("  " + value.upper() + "\n") == value
    with pytest.raises(ValueError, match="must start with 'mh1:'"):
        kind.normalise("mh9:" + value[4:])
    with pytest.raises(ValueError, match="must start with 'mh1:'"):
        kind.normalise("sha256:" + "ab" * 40)
    with pytest.raises(ValueError, match="hex digits"):
        kind.normalise(value[:-1])
    with pytest.raises(ValueError, match="hex digits"):
        kind.normalise(value[:-1] + "x")


def test_compare_uses_the_estimate() -> None:
    kind = TextSignalType()
    rng = np.random.default_rng(1)
    words = [f"word{i}" for i in rng.integers(0, 10_000, 100)]
    near = words.copy()
    near[50] = "changed"  # 3 of 98 shingles differ: J = 95 / 101
    far = words[:40] + [f"other{i}" for i in range(60)]
    a, b, c = (kind.normalise(" ".join(w)) for w in (words, near, far))
    assert kind.compare(a, a) is not None and kind.compare(a, a).score == 1.0  # type: ignore[union-attr]
    hit = kind.compare(a, b)
    assert hit is not None and hit.entry == 0
    assert hit.score == pytest.approx(95 / 101, abs=0.08)
    assert hit.distance == pytest.approx(1 - hit.score)
    assert kind.compare(a, c) is None


def test_lsh_shape_reaches_its_recall() -> None:
    bands, rows = lsh_shape(0.8)
    assert (bands, rows) == (21, 6)
    assert candidate_probability(0.8, bands, rows) >= 0.99
    assert candidate_probability(0.8, 128 // (rows + 1), rows + 1) < 0.99
    assert min_agreement(0.8) == 89
    for threshold in (0.5, 0.6, 0.7, 0.9, 0.95):
        b, r = lsh_shape(threshold)
        assert b * r <= minhash.NUM_PERM
        assert candidate_probability(threshold, b, r) >= 0.99


@pytest.mark.parametrize("threshold", [0.0, 0.3, 1.0, 1.5])
def test_thresholds_outside_the_supported_range_are_refused(threshold: float) -> None:
    with pytest.raises(ValueError, match="threshold"):
        TextSignalType(threshold)


def test_new_index_shares_the_threshold() -> None:
    index = TextSignalType(0.9).new_index()
    assert isinstance(index, TextIndex)
    assert index.threshold == 0.9
