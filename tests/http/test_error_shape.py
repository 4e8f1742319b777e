"""Every error the HTTP API answers has the same envelope: {"error": {"code", "message", ...}}."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.conftest import Cast
from tests.http.conftest import bearer


def assert_envelope(body: object) -> None:
    assert isinstance(body, dict) and set(body) == {"error"}
    error = body["error"]
    assert isinstance(error["code"], str) and isinstance(error["message"], str) and error["message"]


@pytest.mark.parametrize(
    ("method", "path", "payload", "status"),
    [
        ("GET", "/api/v1/operations/operation--missing", None, 404),
        ("GET", "/api/v1/nowhere", None, 404),
        ("POST", "/api/v1/operations", {"name": ""}, 400),
        ("POST", "/api/v1/operations", {"status": "nope", "name": "x"}, 400),
        ("PUT", "/api/v1/operations", {}, 405),
        ("GET", "/api/v1/operations?limit=0", None, 400),
        ("POST", "/api/v1/organisations", {"name": "x", "kind": "platform"}, 403),
    ],
)
def test_error_envelope(
    client: TestClient, cast: Cast, method: str, path: str, payload: object, status: int
) -> None:
    headers = bearer(cast, cast.analyst_a.member.id)
    answer = client.request(method, path, json=payload, headers=headers)
    assert answer.status_code == status, answer.text
    assert_envelope(answer.json())


def test_validation_errors_carry_fields(client: TestClient, cast: Cast) -> None:
    headers = bearer(cast, cast.analyst_a.member.id)
    error = client.post("/api/v1/operations", json={"name": "x", "colour": 1}, headers=headers).json()[
        "error"
    ]
    assert error["code"] == "invalid" and error["field"] == "colour"
    assert error["errors"] == [{"field": "colour", "message": "unknown field"}]


def test_unauthenticated_envelope(client: TestClient) -> None:
    answer = client.get("/api/v1/whoami")
    assert answer.status_code == 401
    assert_envelope(answer.json())
