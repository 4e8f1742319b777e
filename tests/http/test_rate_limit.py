"""Request rates per credential: a token over its rate gets 429 with Retry-After; others are untouched."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from fimihub.app import create_app
from fimihub.errors import RateLimited
from fimihub.http.api.ratelimit import TokenBuckets
from tests.conftest import Cast
from tests.http.conftest import bearer


class _Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_a_bucket_allows_its_burst_then_refills_at_its_rate() -> None:
    clock = _Clock()
    buckets = TokenBuckets(60, burst=3, clock=clock)  # one a second, three at once
    for _ in range(3):
        buckets.take("a")
    with pytest.raises(RateLimited) as caught:
        buckets.take("a")
    assert caught.value.retry_after == 1 and caught.value.http_status == 429
    buckets.take("b")  # another credential has its own bucket
    clock.now += 1.0
    buckets.take("a")
    with pytest.raises(RateLimited):
        buckets.take("a")
    clock.now += 100.0  # refills to the burst, never beyond
    for _ in range(3):
        buckets.take("a")
    with pytest.raises(RateLimited):
        buckets.take("a")


def test_the_api_answers_429_to_a_token_over_its_rate(cast: Cast) -> None:
    cast.hub.settings = cast.hub.settings.replace(rate_limit_per_minute=10)
    flood = bearer(cast, cast.analyst_a.member.id)
    calm = bearer(cast, cast.analyst_b.member.id)
    with TestClient(create_app(hub=cast.hub), raise_server_exceptions=False) as client:
        answers = [client.get("/api/v1/whoami", headers=flood).status_code for _ in range(8)]
        assert answers[:5] == [200] * 5 and answers[-1] == 429
        limited = client.get("/api/v1/whoami", headers=flood)
        assert limited.status_code == 429 and int(limited.headers["retry-after"]) >= 1
        assert limited.json()["error"]["code"] == "rate_limited"
        assert client.get("/api/v1/whoami", headers=calm).status_code == 200
        # The console's pages and the OpenAPI document are not API calls.
        assert client.get("/openapi.json").status_code == 200


def test_taxii_answers_429_as_a_taxii_error(cast: Cast) -> None:
    cast.hub.settings = cast.hub.settings.replace(rate_limit_per_minute=4)
    flood = bearer(cast, cast.analyst_a.member.id)
    accept = {"Accept": "application/taxii+json;version=2.1"}
    with TestClient(create_app(hub=cast.hub), raise_server_exceptions=False) as client:
        answers = [client.get("/taxii2/", headers={**flood, **accept}) for _ in range(4)]
        assert [a.status_code for a in answers[:2]] == [200, 200]
        limited = answers[-1]
        assert limited.status_code == 429 and limited.headers["content-type"].startswith(
            "application/taxii+json"
        )
        assert limited.json()["http_status"] == "429" and "retry-after" in limited.headers
