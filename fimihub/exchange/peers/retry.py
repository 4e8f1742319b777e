"""Retrying requests to a peer: exponential backoff with jitter, and a bound after which a sync gives up.

A peer that is restarting, overloaded (429) or failing (5xx) is asked again after a delay that doubles with
each attempt, up to a ceiling, and is shortened by a random part (jitter) so that many hubs retrying at
once do not arrive in step. A ``Retry-After`` the peer sends is honoured, within the same ceiling. After
``attempts`` tries the request fails and the sync stops, leaving its checkpoint where it was.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

__all__ = ["RETRY_STATUSES", "Backoff"]

#: Answers worth asking again: too many requests, and server-side failures that may pass.
RETRY_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})


@dataclass(frozen=True, slots=True)
class Backoff:
    """How often, and how patiently, a request is retried.

    The wait before retry ``n`` (1 for the first) is ``min(ceiling, first * 2 ** (n - 1))``, less up to
    ``jitter`` of it at random.
    """

    attempts: int = 5
    first: float = 0.5
    ceiling: float = 8.0
    jitter: float = 0.5

    def __post_init__(self) -> None:
        if self.attempts < 1 or self.first < 0 or self.ceiling < self.first or not 0 <= self.jitter <= 1:
            raise ValueError("attempts >= 1, 0 <= first <= ceiling and 0 <= jitter <= 1")

    def delay(self, retry: int, rng: random.Random, retry_after: float | None = None) -> float:
        """Seconds to wait before retry number ``retry`` (1-based)."""
        if retry_after is not None and retry_after >= 0:
            return min(self.ceiling, retry_after)
        full = min(self.ceiling, self.first * 2.0 ** (retry - 1))
        return full * (1 - self.jitter * rng.random())
