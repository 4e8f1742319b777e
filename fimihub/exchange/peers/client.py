"""A TAXII 2.1 client for syncing with a peer, over ``httpx``, that retries what may pass.

It speaks only what a sync needs: the API root (for ``max_content_length``), pages of a collection's objects
(``added_after``, ``match[version]=all``, ``limit`` and ``next``), posting an envelope, and reading a status
back. Every request accepts ``application/taxii+json;version=2.1`` and posts in it. Connection errors,
timeouts, 429 and 5xx answers are retried with :class:`~fimihub.exchange.peers.retry.Backoff`; any other
error answer is :class:`~fimihub.exchange.peers.errors.PeerRefused` at once.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx

from fimihub.exchange.media import TAXII_MEDIA_TYPE
from fimihub.exchange.peers.config import Credentials
from fimihub.exchange.peers.errors import PeerRefused, PeerUnavailable
from fimihub.exchange.peers.retry import RETRY_STATUSES, Backoff

__all__ = ["RemotePage", "TaxiiClient", "envelope_bytes"]


def envelope_bytes(objects: Sequence[Mapping[str, Any]]) -> bytes:
    """A TAXII envelope of ``objects`` exactly as it is posted (its length is what ``max_content_length``
    limits)."""
    return json.dumps({"objects": list(objects)}, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


@dataclass(frozen=True, slots=True)
class RemotePage:
    """One page of a remote collection: its objects, whether more follow, and the ``date_added`` range the
    server reported (``X-TAXII-Date-Added-First`` / ``-Last``), when it did."""

    objects: list[dict[str, Any]]
    more: bool
    next: str | None
    date_added_first: str | None
    date_added_last: str | None


class TaxiiClient:
    """Requests to one TAXII 2.1 API root. Close it (or use it as a context manager) when done."""

    def __init__(
        self,
        api_root: str,
        credentials: Credentials | None = None,
        *,
        backoff: Backoff | None = None,
        timeout: float = 30.0,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
        rng: random.Random | None = None,
        environ: Mapping[str, str] | None = None,
    ) -> None:
        self.api_root = api_root if api_root.endswith("/") else api_root + "/"
        self.backoff = backoff or Backoff()
        self._sleep = sleep
        self._rng = rng or random.Random()
        headers = {"Accept": TAXII_MEDIA_TYPE, **(credentials or Credentials()).headers(environ)}
        self._http = httpx.Client(headers=headers, timeout=timeout, transport=transport)

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> TaxiiClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- TAXII ------------------------------------------------------------------------------------------

    def max_content_length(self) -> int:
        """The largest envelope, in bytes, the API root accepts."""
        info = self._json(self._request("GET", self.api_root))
        value = info.get("max_content_length")
        if not isinstance(value, int) or value <= 0:
            raise PeerRefused(f"{self.api_root} gave no usable max_content_length")
        return value

    def objects(
        self, collection_id: str, *, added_after: str | None, next: str | None, limit: int
    ) -> RemotePage:
        """A page of every version of the collection's objects added after ``added_after``."""
        params: dict[str, str] = {"match[version]": "all", "limit": str(limit)}
        if added_after is not None:
            params["added_after"] = added_after
        if next is not None:
            params["next"] = next
        response = self._request("GET", self._collection(collection_id) + "objects/", params=params)
        body = self._json(response)
        found = body.get("objects", [])
        if not isinstance(found, list):
            raise PeerRefused(f"{response.request.url}: 'objects' is not a list")
        more = body.get("more") is True
        following = body.get("next")
        return RemotePage(
            objects=[o for o in found if isinstance(o, dict)],
            more=more,
            next=str(following) if more and following is not None else None,
            date_added_first=response.headers.get("X-TAXII-Date-Added-First"),
            date_added_last=response.headers.get("X-TAXII-Date-Added-Last"),
        )

    def add_objects(self, collection_id: str, body: bytes) -> dict[str, Any]:
        """Post an envelope already serialised (:func:`envelope_bytes`); the status resource it answers."""
        response = self._request(
            "POST",
            self._collection(collection_id) + "objects/",
            content=body,
            headers={"Content-Type": TAXII_MEDIA_TYPE},
        )
        return self._json(response)

    def status(self, status_id: str) -> dict[str, Any]:
        """A status resource, read again."""
        return self._json(self._request("GET", f"{self.api_root}status/{quote(status_id, safe='')}/"))

    def wait(self, status: dict[str, Any]) -> dict[str, Any]:
        """The status once it is no longer ``pending``, polled with the backoff's delays (as it stands when
        the attempts run out)."""
        for attempt in range(1, self.backoff.attempts + 1):
            if status.get("status") != "pending" or not isinstance(status.get("id"), str):
                return status
            self._sleep(self.backoff.delay(attempt, self._rng))
            status = self.status(status["id"])
        return status

    # -- plumbing ---------------------------------------------------------------------------------------

    def _collection(self, collection_id: str) -> str:
        return f"{self.api_root}collections/{quote(collection_id, safe='')}/"

    def _request(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, str] | None = None,
        content: bytes | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> httpx.Response:
        problem = ""
        for attempt in range(1, self.backoff.attempts + 1):
            retry_after: float | None = None
            try:
                response = self._http.request(method, url, params=params, content=content, headers=headers)
            except httpx.TransportError as error:
                problem = f"{type(error).__name__}: {error}"
            else:
                if response.status_code < 400:
                    return response
                if response.status_code not in RETRY_STATUSES:
                    raise PeerRefused(f"{method} {url}: {_described(response)}")
                problem = _described(response)
                retry_after = _retry_after(response)
            if attempt < self.backoff.attempts:
                self._sleep(self.backoff.delay(attempt, self._rng, retry_after))
        raise PeerUnavailable(f"{method} {url}: gave up after {self.backoff.attempts} attempts ({problem})")

    @staticmethod
    def _json(response: httpx.Response) -> dict[str, Any]:
        if not response.content:
            return {}
        try:
            body = response.json()
        except ValueError:
            raise PeerRefused(f"{response.request.url}: the answer is not JSON") from None
        if not isinstance(body, dict):
            raise PeerRefused(f"{response.request.url}: the answer is not a JSON object")
        return body


def _described(response: httpx.Response) -> str:
    """``HTTP 403: <title>`` from a TAXII error resource, or the status line."""
    text = f"HTTP {response.status_code}"
    try:
        body = response.json()
    except ValueError:
        return text
    if isinstance(body, dict):
        detail = body.get("title") or body.get("description")
        if isinstance(detail, str):
            return f"{text}: {detail}"
    return text


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("Retry-After")
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None
