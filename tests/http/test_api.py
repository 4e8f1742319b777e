"""The REST API answers authenticated calls, enforces markings and never answers 500 to bad input."""

from __future__ import annotations

import base64

from fastapi.testclient import TestClient

from tests.conftest import Cast
from tests.http.conftest import bearer
from tests.identifiers import register_identifier_keys


def test_requests_without_a_token_are_refused(client: TestClient) -> None:
    answer = client.get("/api/v1/operations")
    assert answer.status_code == 401
    assert answer.headers["www-authenticate"].startswith("Bearer")
    assert client.get("/api/v1/operations", headers={"Authorization": "Bearer fhk_nope"}).status_code == 401


def test_whoami_with_bearer_and_basic(client: TestClient, cast: Cast) -> None:
    issued = cast.hub.admin.issue_token(cast.hub.operator(), cast.analyst_a.member.id)
    me = client.get("/api/v1/whoami", headers={"Authorization": f"Bearer {issued.secret}"}).json()
    assert me["member"]["id"] == cast.analyst_a.member.id
    assert me["organisation"]["id"] == cast.org_a
    basic = base64.b64encode(f"anyone:{issued.secret}".encode()).decode()
    assert client.get("/api/v1/whoami", headers={"Authorization": f"Basic {basic}"}).status_code == 200


def test_create_share_and_read_across_organisations(client: TestClient, cast: Cast) -> None:
    a = bearer(cast, cast.analyst_a.member.id)
    b = bearer(cast, cast.analyst_b.member.id)
    d = bearer(cast, cast.analyst_d.member.id)
    created = client.post("/api/v1/operations", json={"name": "Storm", "origin_countries": ["RU"]}, headers=a)
    assert created.status_code == 201, created.text
    op_id = created.json()["id"]
    assert created.headers["location"].endswith(op_id)
    assert client.get(f"/api/v1/operations/{op_id}", headers=b).status_code == 404
    shared = client.post(f"/api/v1/operations/{op_id}/share", json={"forum_id": cast.forum_id}, headers=a)
    assert shared.status_code == 200, shared.text
    assert client.get(f"/api/v1/operations/{op_id}", headers=b).json()["name"] == "Storm"
    assert client.get(f"/api/v1/operations/{op_id}", headers=d).status_code == 404
    assert [o["id"] for o in client.get("/api/v1/operations", headers=b).json()["items"]] == [op_id]
    assert client.get("/api/v1/operations", headers=d).json()["items"] == []


def test_bad_fields_are_named(client: TestClient, cast: Cast) -> None:
    a = bearer(cast, cast.analyst_a.member.id)
    answer = client.post("/api/v1/operations", json={"name": "x", "origin_countries": ["XX"]}, headers=a)
    assert answer.status_code == 400
    assert answer.json()["error"]["field"] == "origin_countries.0"
    answer = client.post("/api/v1/signals", json={"kind": "pdq", "value": "abc"}, headers=a)
    assert answer.status_code == 400 and answer.json()["error"]["field"] == "value"
    answer = client.post(
        "/api/v1/signals", content=b"{not json", headers={**a, "content-type": "application/json"}
    )
    assert answer.status_code == 400
    answer = client.post("/api/v1/operations", json=["a", "list"], headers=a)
    assert answer.status_code == 400


def test_scopes_limit_tokens(client: TestClient, cast: Cast) -> None:
    read_only = bearer(cast, cast.analyst_a.member.id, scopes=["read"])
    answer = client.post("/api/v1/operations", json={"name": "x"}, headers=read_only)
    assert answer.status_code == 403
    assert client.get("/api/v1/operations", headers=read_only).status_code == 200


def test_revoked_and_expired_tokens_stop_working(client: TestClient, cast: Cast) -> None:
    issued = cast.hub.admin.issue_token(cast.hub.operator(), cast.analyst_a.member.id)
    headers = {"Authorization": f"Bearer {issued.secret}"}
    assert client.get("/api/v1/whoami", headers=headers).status_code == 200
    cast.hub.admin.revoke_token(cast.hub.operator(), issued.token.id)
    assert client.get("/api/v1/whoami", headers=headers).status_code == 401


def test_oversized_body_is_413(client: TestClient, cast: Cast) -> None:
    a = bearer(cast, cast.analyst_a.member.id)
    limit = cast.hub.settings.max_content_length
    answer = client.post(
        "/api/v1/leads", content=b"x" * (limit + 1), headers={**a, "content-type": "application/json"}
    )
    assert answer.status_code == 413
    assert answer.json()["error"]["code"] == "too_large"


def test_tokens_over_the_api_show_the_secret_once(client: TestClient, cast: Cast) -> None:
    a = bearer(cast, cast.analyst_a.member.id)
    issued = client.post("/api/v1/tokens", json={"scopes": ["read"], "ttl_days": 1}, headers=a).json()
    assert issued["secret"].startswith("fhk_") and "token_hash" not in issued
    listed = client.get("/api/v1/tokens", headers=a).json()["items"]
    assert all("secret" not in t and "token_hash" not in t for t in listed)


def test_openapi_and_console_answer(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    assert "/api/v1/operations" in spec["paths"]
    page = client.get("/")
    assert page.status_code == 200 and "Sign in" in page.text


def test_match_api_and_review_queue(client: TestClient, cast: Cast) -> None:
    a = bearer(cast, cast.analyst_a.member.id)
    b = bearer(cast, cast.analyst_b.member.id)
    signal = {"kind": "domain", "value": "evil-news.example", "forum_id": cast.forum_id}
    assert client.post("/api/v1/signals", json=signal, headers=a).status_code == 201
    items = [{"kind": "url", "value": "https://evil-news.example/x", "account_id": "7"}]
    register_identifier_keys(cast.hub, cast.org_b)  # the queue holds the account id sealed to B's key
    answer = client.post("/api/v1/match", json={"items": items, "record": True}, headers=b)
    assert answer.status_code == 200, answer.text
    (item,) = answer.json()["items"]
    assert item["matches"][0]["kind"] == "domain" and item["matches"][0]["forum_id"] == cast.forum_id
    queue = client.get("/api/v1/matches", headers=b).json()["items"]
    assert len(queue) == 1 and queue[0]["status"] == "pending"
    reviewed = client.post(f"/api/v1/matches/{queue[0]['id']}/review", json={"status": "rejected"}, headers=b)
    assert reviewed.json()["status"] == "rejected"
    assert client.get("/api/v1/matches?status=pending", headers=b).json()["items"] == []
    bad = client.post("/api/v1/match", json={"items": [{"kind": "pdq", "value": "zz"}]}, headers=b)
    assert bad.status_code == 400 and bad.json()["error"]["field"] == "items[0].value"
    assert client.post("/api/v1/match", json={"items": "nope"}, headers=b).status_code == 400


def test_forum_keys_over_the_api(client: TestClient, cast: Cast) -> None:
    a = bearer(cast, cast.analyst_a.member.id)
    d = bearer(cast, cast.analyst_d.member.id)
    key = client.get(f"/api/v1/forums/{cast.forum_id}/key", headers=a).json()
    assert key["key_id"].startswith("pk-") and len(key["key"]) == 64
    assert client.get(f"/api/v1/forums/{cast.forum_id}/key", headers=d).status_code == 404
    body = {"kind": "email", "values": ["Someone@Example.org", "someone@example.org"]}
    hashed = client.post(f"/api/v1/forums/{cast.forum_id}/pseudonymise", json=body, headers=a).json()[
        "values"
    ]
    assert len(hashed) == 2 and hashed[0] == hashed[1] and len(hashed[0]) == 64
    bad = client.post(
        f"/api/v1/forums/{cast.forum_id}/pseudonymise", json={"kind": "domain", "values": ["x"]}, headers=a
    )
    assert bad.status_code == 400 and bad.json()["error"]["field"] == "kind"
