"""Request rates per credential: a token bucket for every API token (or client address without one).

A member's script gone wrong, or a stolen token, should not be able to take the hub from the others, nor
guess its way through the match API at line speed. Every request under the limited prefixes spends one unit
from its credential's bucket, which refills at ``per_minute / 60`` units a second up to ``burst``; an empty
bucket answers 429 with ``Retry-After``, in the API's error envelope.

The bucket is keyed by a hash of the ``Authorization`` header's value, so the secret itself is never kept;
requests without one share the bucket of their client address, and every client address has a bucket of its
own four times as large, so that made-up credentials do not each get a full bucket. Buckets live in this
process: behind several worker processes each keeps its own, so the limit a credential meets is the
per-process limit times the number of workers (stated in docs/security.md).
"""

from __future__ import annotations

import hashlib
import math
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from starlette.types import ASGIApp, Receive, Scope, Send

from fimihub.errors import RateLimited
from fimihub.http.middleware import HttpMiddleware

__all__ = ["RateLimit", "TokenBuckets"]

#: How many credentials' buckets are remembered; the least recently used go first (a full bucket is the same
#: as a forgotten one, so forgetting only ever favours a credential that has been quiet).
_MAX_KEYS = 50_000
_ADDRESS_FACTOR = 4


@dataclass(slots=True)
class _Bucket:
    units: float
    at: float


class TokenBuckets:
    """One token bucket per key: ``take(key)`` spends a unit, or raises :class:`RateLimited`."""

    def __init__(
        self, per_minute: int, burst: int | None = None, *, clock: Callable[[], float] = time.monotonic
    ) -> None:
        if per_minute <= 0:
            raise ValueError("per_minute must be positive")
        self.rate = per_minute / 60.0
        self.burst = float(burst if burst is not None else per_minute)
        self.clock = clock
        self._buckets: OrderedDict[str, _Bucket] = OrderedDict()

    def take(self, key: str) -> None:
        now = self.clock()
        bucket = self._buckets.pop(key, None) or _Bucket(self.burst, now)
        bucket.units = min(self.burst, bucket.units + (now - bucket.at) * self.rate)
        bucket.at = now
        self._buckets[key] = bucket
        if len(self._buckets) > _MAX_KEYS:
            self._buckets.popitem(last=False)
        if bucket.units < 1.0:
            wait = math.ceil((1.0 - bucket.units) / self.rate)
            raise RateLimited(f"too many requests: try again in {wait} s", retry_after=wait)
        bucket.units -= 1.0


class RateLimit(HttpMiddleware):
    """ASGI middleware: requests under ``prefixes`` spend from their credential's bucket; over the rate,
    ``on_limited(error, path)`` answers (the API's 429 envelope, or TAXII's error resource)."""

    def __init__(
        self,
        app: ASGIApp,
        per_minute: int,
        on_limited: Callable[[RateLimited, str], ASGIApp],
        prefixes: tuple[str, ...],
    ) -> None:
        super().__init__(app)
        self.credentials = TokenBuckets(per_minute, max(per_minute // 2, 1))
        # A client address as a whole gets more, so that made-up credentials cannot each start a full bucket.
        self.addresses = TokenBuckets(per_minute * _ADDRESS_FACTOR, max(per_minute * _ADDRESS_FACTOR // 2, 1))
        self.on_limited = on_limited
        self.prefixes = prefixes

    def applies_to(self, scope: Scope) -> bool:
        return bool(scope.get("path", "").startswith(self.prefixes))

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            self.addresses.take(_address(scope))
            self.credentials.take(_credential(scope))
        except RateLimited as exc:
            await self.on_limited(exc, scope["path"])(scope, receive, send)
            return
        await self.app(scope, receive, send)


def _credential(scope: Scope) -> str:
    for name, value in scope.get("headers", []):
        if name == b"authorization" and value:
            return "auth:" + hashlib.sha256(value).hexdigest()[:32]
    return _address(scope)


def _address(scope: Scope) -> str:
    client = scope.get("client")
    return "addr:" + (str(client[0]) if client else "unknown")
