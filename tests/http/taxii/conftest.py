"""Fixtures of the TAXII suite: authenticated headers and the URLs of the cast's forum collection."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from fimihub.policy import Actor
from tests.conftest import Cast
from tests.http.taxii.stix import TAXII

ROOT = "/taxii2/exchange/"


def basic(secret: str, user: str = "taxii-client") -> str:
    return "Basic " + base64.b64encode(f"{user}:{secret}".encode()).decode()


@pytest.fixture
def auth(cast: Cast) -> Callable[[Actor], dict[str, str]]:
    """Headers of a TAXII client for a member: HTTP Basic with a fresh API token as password."""

    def make(actor: Actor) -> dict[str, str]:
        issued = cast.hub.admin.issue_token(cast.hub.operator(), actor.member.id)
        return {"Authorization": basic(issued.secret), "Accept": TAXII}

    return make


@pytest.fixture
def coll(cast: Cast) -> str:
    """The URL of the forum's collection."""
    return f"{ROOT}collections/{cast.forum_id.removeprefix('forum--')}/"


def post(client: TestClient, url: str, headers: dict[str, str], objects: list[Any]) -> dict[str, Any]:
    """Post an envelope and return the status resource (asserting the 202)."""
    response = client.post(
        url + "objects/",
        headers={**headers, "Content-Type": TAXII},
        content=json.dumps({"objects": objects}),
    )
    assert response.status_code == 202, response.text
    assert response.headers["content-type"] == TAXII
    status: dict[str, Any] = response.json()
    return status
