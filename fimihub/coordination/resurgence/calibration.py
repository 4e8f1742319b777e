"""What a candidate's score means: an estimated probability that the account is a returning one.

The score (:mod:`fimihub.coordination.resurgence.scoring`) ranks candidates; it is not itself a probability.
:func:`probability` turns it into one: the share of candidates in the same score band, confirmed by co-action
(``flagged``) or not, that were returning accounts in the evaluation worlds of the tuning seeds — both
world generators, every difficulty level (``bench/resurgence_calibrate.py`` fits :data:`CALIBRATION` and
checks it on hold-out seeds; docs/benchmarks.md has the check). It is an estimate from simulated worlds: on
a platform's own data it says how much the evidence weighs, not a measured error rate.
"""

from __future__ import annotations

__all__ = ["BANDS", "CALIBRATION", "band_of", "probability"]

#: The score bands, ``[low, high)`` (the last one includes 1).
BANDS: tuple[tuple[float, float], ...] = (
    (0.0, 0.4),
    (0.4, 0.5),
    (0.5, 0.6),
    (0.6, 0.7),
    (0.7, 0.8),
    (0.8, 0.9),
    (0.9, 1.0),
)

#: Flagged (co-action confirmed) or not -> the probability of each band, in the order of :data:`BANDS`, as
#: ``bench/resurgence_calibrate.py`` fitted it on seeds 0 to 4. No flagged candidate scores below 0.4 (the
#: network threshold), so that band keeps the smoothing's prior of 0.5.
CALIBRATION: dict[bool, tuple[float, ...]] = {
    False: (0.001, 0.001, 0.001, 0.001, 0.001, 0.002, 0.1744),
    True: (0.5, 0.9685, 0.9685, 0.9849, 0.9956, 0.9985, 0.9999),
}


def band_of(score: float) -> int:
    """The index of the band ``score`` falls in."""
    for index, (_, high) in enumerate(BANDS):
        if score < high:
            return index
    return len(BANDS) - 1


def probability(score: float, flagged: bool) -> float:
    """The estimated probability that a candidate of this score, flagged or not, is a returning account."""
    return CALIBRATION[flagged][band_of(score)]
