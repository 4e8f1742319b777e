"""The sync machinery without servers: peer configuration, retries, chunking and checkpoints."""

from __future__ import annotations

import json
import random
from typing import Any

import httpx
import pytest

from fimihub.errors import ValidationError
from fimihub.exchange.peers import (
    Backoff,
    Checkpoint,
    CollectionLink,
    Credentials,
    Ingested,
    Peer,
    PeerRefused,
    PeerUnavailable,
    TaxiiClient,
    chunked,
    envelope_bytes,
    pull,
    resume_after,
)
from tests.http.taxii.stix import indicator

ROOT = "http://peer.example/taxii2/api/"
LINK = CollectionLink("c1", "forum--1")


def _client(handler: Any, attempts: int = 4) -> tuple[TaxiiClient, list[float]]:
    slept: list[float] = []
    client = TaxiiClient(
        ROOT,
        Credentials("bearer", secret="t0ken"),
        backoff=Backoff(attempts=attempts, first=0.1, ceiling=1.0),
        transport=httpx.MockTransport(handler),
        sleep=slept.append,
        rng=random.Random(1),
    )
    return client, slept


def test_backoff_doubles_up_to_the_ceiling_with_jitter() -> None:
    backoff = Backoff(first=0.5, ceiling=4.0, jitter=0.5)
    rng = random.Random(7)
    delays = [backoff.delay(n, rng) for n in range(1, 7)]
    fulls = [0.5, 1.0, 2.0, 4.0, 4.0, 4.0]
    assert all(f / 2 <= d <= f for d, f in zip(delays, fulls, strict=True))
    assert backoff.delay(1, rng, retry_after=30) == 4.0


def test_429_and_5xx_are_retried_then_succeed() -> None:
    answers = iter([httpx.Response(429, headers={"Retry-After": "0.2"}), httpx.Response(503)])

    def handler(request: httpx.Request) -> httpx.Response:
        assert request.headers["Authorization"] == "Bearer t0ken"
        assert request.headers["Accept"] == "application/taxii+json;version=2.1"
        return next(answers, None) or httpx.Response(200, json={"max_content_length": 1000})

    client, slept = _client(handler)
    assert client.max_content_length() == 1000
    assert slept[0] == 0.2 and len(slept) == 2


def test_connection_errors_give_up_after_the_bound() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    client, slept = _client(handler, attempts=3)
    with pytest.raises(PeerUnavailable, match="gave up after 3 attempts"):
        client.max_content_length()
    assert len(slept) == 2


def test_other_4xx_are_not_retried() -> None:
    client, slept = _client(lambda r: httpx.Response(403, json={"title": "not in the forum"}))
    with pytest.raises(PeerRefused, match="HTTP 403: not in the forum"):
        client.max_content_length()
    assert slept == []


def test_pull_keeps_the_checkpoint_of_the_last_complete_page_when_the_peer_fails() -> None:
    pages = [
        ({"more": True, "next": "p2", "objects": [indicator()]}, "2024-01-01T00:00:01.000000Z"),
        ({"more": True, "next": "p3", "objects": [indicator()]}, "2024-01-01T00:00:02.000000Z"),
    ]

    def handler(request: httpx.Request) -> httpx.Response:
        params = request.url.params
        assert params["match[version]"] == "all" and params["limit"] == "1"
        assert params["added_after"] == "2023-12-31T23:59:59.999999Z"  # resumed from an unsettled checkpoint
        if not pages:
            return httpx.Response(502)
        body, last = pages.pop(0)
        return httpx.Response(200, json=body, headers={"X-TAXII-Date-Added-Last": last})

    client, _ = _client(handler, attempts=2)
    saved: list[Checkpoint] = []
    report = pull(
        client,
        LINK,
        Checkpoint("2024-01-01T00:00:00Z", settled=False),
        page_size=1,
        ingest=lambda objects: Ingested(stored=len(objects)),
        save=saved.append,
    )
    assert report.error is not None and "gave up" in report.error
    assert report.stored == 2 and report.checkpoint_after == "2024-01-01T00:00:02.000000Z"
    assert saved == [
        Checkpoint("2024-01-01T00:00:01.000000Z", settled=False),
        Checkpoint("2024-01-01T00:00:02.000000Z", settled=False),
    ]


def test_resume_after() -> None:
    assert resume_after(None) is None
    assert resume_after(Checkpoint("2024-05-01T12:00:00.5Z")) == "2024-05-01T12:00:00.5Z"
    assert resume_after(Checkpoint("2024-05-01T12:00:00Z", settled=False)) == "2024-05-01T11:59:59.999999Z"


def test_chunks_fit_the_peers_limit_and_keep_order() -> None:
    objects = [indicator(description="x" * n) for n in range(0, 3000, 150)]
    limit = 2000
    envelopes, too_large = chunked(objects, limit)
    assert [o for e in envelopes for o in e] == [o for o in objects if len(envelope_bytes([o])) <= limit]
    assert all(len(envelope_bytes(e)) <= limit for e in envelopes)
    assert too_large and all("larger than" in r.reason for r in too_large)
    assert len(json.loads(envelope_bytes(envelopes[0]))["objects"]) == len(envelopes[0])


def test_peer_configuration_is_checked_and_hides_its_secret() -> None:
    peer = Peer.build(
        "hub-a",
        "https://a.example/taxii2/exchange",
        ["0a6c-remote=forum--1"],
        owner_org="organisation--1",
        direction="both",
        credentials=Credentials("basic", user="sync", secret="s3cret"),
    )
    assert peer.api_root.endswith("/exchange/") and peer.direction.pulls and peer.direction.pushes
    assert "s3cret" not in json.dumps(peer.as_json())
    assert Peer.from_json(peer.as_json(), peer.credentials.as_json()) == peer
    for bad in (
        dict(name="Bad Name"),
        dict(api_root="ftp://x/"),
        dict(collections=["nope"]),
        dict(direction="sideways"),
        dict(owner_org="org-1"),
    ):
        args: dict[str, Any] = {
            "name": "p",
            "api_root": "http://x/",
            "collections": ["c=forum--1"],
            "owner_org": "organisation--1",
            **bad,
        }
        with pytest.raises(ValidationError):
            Peer.build(
                args["name"],
                args["api_root"],
                args["collections"],
                owner_org=args["owner_org"],
                direction=args.get("direction", "pull"),
            )


def test_credentials_from_the_environment() -> None:
    creds = Credentials("bearer", secret_env="HUB_A_TOKEN")
    assert creds.headers({"HUB_A_TOKEN": "abc"}) == {"Authorization": "Bearer abc"}
    assert creds.describe() == "bearer ($HUB_A_TOKEN)"
    with pytest.raises(ValidationError, match="HUB_A_TOKEN"):
        creds.headers({})
    with pytest.raises(ValidationError):
        Credentials("bearer")
