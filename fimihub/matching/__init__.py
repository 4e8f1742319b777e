"""Matching: signal kinds (normalise, compare), indexes (exact, PDQ, text, handle), and the scan engine.

This room decides nothing about access and reads no clock: the hub passes ``now`` and filters hits through
the access policy.
"""

from __future__ import annotations

from functools import cache

from fimihub.matching.base import Hit, SignalIndex, SignalType
from fimihub.matching.matcher import Expander, Matcher, MatchHit
from fimihub.model import SignalKind

__all__ = [
    "Expander",
    "Hit",
    "MatchHit",
    "Matcher",
    "SignalIndex",
    "SignalType",
    "new_matcher",
    "warning_lists_for",
]


def new_matcher(*, include_flagged: bool = False) -> Matcher:
    """A matcher over every registered signal kind, with URL expansion to domains and handles."""
    from fimihub.matching.kinds import EXPANDERS, SIGNAL_TYPES

    return Matcher(SIGNAL_TYPES, EXPANDERS, include_flagged=include_flagged)


@cache
def _warning_lists() -> object:
    from fimihub.matching.warninglists import WarningLists

    return WarningLists()


def warning_lists_for(kind: SignalKind, value: str) -> tuple[str, ...]:
    """The warning lists a normalised signal value is on (loaded once per process, on first use)."""
    from fimihub.matching.warninglists import WarningLists

    lists = _warning_lists()
    assert isinstance(lists, WarningLists)
    return tuple(lists.check(kind, value))
