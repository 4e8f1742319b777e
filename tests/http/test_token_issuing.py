"""A token issues only tokens no broader and no longer-lived than itself, and takes them down with it."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from tests.conftest import Cast
from tests.http.conftest import bearer


def _admin_a(cast: Cast) -> str:
    op = cast.hub.operator("test")
    return cast.hub.admin.create_member(op, org_id=cast.org_a, name="Admin A", roles=["admin", "analyst"]).id


def test_a_read_only_token_mints_nothing(client: TestClient, cast: Cast) -> None:
    admin = _admin_a(cast)
    read_only = bearer(cast, admin, scopes=["read"])
    answer = client.post("/api/v1/tokens", json={}, headers=read_only)
    assert answer.status_code == 403, answer.text
    answer = client.post("/api/v1/tokens", json={"scopes": ["admin"]}, headers=read_only)
    assert answer.status_code == 403
    # ... so the read-only token cannot go on to create an admin member either.
    member = {"org_id": cast.org_a, "name": "Mallory", "roles": ["admin"]}
    assert client.post("/api/v1/members", json=member, headers=read_only).status_code == 403


def test_a_token_issues_at_most_its_own_scopes(client: TestClient, cast: Cast) -> None:
    admin = _admin_a(cast)
    issuer = bearer(cast, admin, scopes=["read", "token"])
    wider = client.post("/api/v1/tokens", json={"scopes": ["read", "write"]}, headers=issuer)
    assert wider.status_code == 400 and wider.json()["error"]["field"] == "scopes"
    default = client.post("/api/v1/tokens", json={}, headers=issuer)
    assert default.status_code == 201, default.text
    assert sorted(default.json()["scopes"]) == ["read", "token"]
    # Nor for another member of the organisation: issuing for others needs the admin scope as well.
    other = client.post("/api/v1/tokens", json={"member_id": cast.reader_a.member.id}, headers=issuer)
    assert other.status_code == 403


def test_a_token_issues_nothing_that_outlives_it(client: TestClient, cast: Cast) -> None:
    issuer = bearer(cast, cast.analyst_a.member.id, ttl_days=2)
    longer = client.post("/api/v1/tokens", json={"ttl_days": 30}, headers=issuer)
    assert longer.status_code == 400 and longer.json()["error"]["field"] == "ttl_days"
    default = client.post("/api/v1/tokens", json={}, headers=issuer)
    assert default.status_code == 201
    expires = datetime.fromisoformat(default.json()["expires_at"])
    assert expires <= cast.hub.clock() + timedelta(days=2)
    assert client.post("/api/v1/tokens", json={"ttl_days": 3650}, headers=issuer).status_code == 400


def test_revoking_a_token_revokes_what_it_issued(client: TestClient, cast: Cast) -> None:
    parent = cast.hub.admin.issue_token(cast.hub.operator(), cast.analyst_a.member.id)
    headers = {"Authorization": f"Bearer {parent.secret}"}
    child = client.post("/api/v1/tokens", json={}, headers=headers).json()
    grandchild_answer = client.post(
        "/api/v1/tokens", json={}, headers={"Authorization": f"Bearer {child['secret']}"}
    )
    grandchild = grandchild_answer.json()
    for issued in (child, grandchild):
        auth = {"Authorization": f"Bearer {issued['secret']}"}
        assert client.get("/api/v1/whoami", headers=auth).status_code == 200
    cast.hub.admin.revoke_token(cast.hub.operator(), parent.token.id)
    for issued in (child, grandchild):
        auth = {"Authorization": f"Bearer {issued['secret']}"}
        assert client.get("/api/v1/whoami", headers=auth).status_code == 401
    listed = {t.id: t for t in cast.hub.admin.tokens(cast.hub.operator(), cast.analyst_a.member.id)}
    assert listed[child["id"]].revoked_at is not None and listed[grandchild["id"]].revoked_at is not None


def test_a_child_stops_with_a_parent_revoked_behind_its_back(cast: Cast) -> None:
    """Even if the cascade were missed (a token revoked by editing the store), the chain is checked."""
    hub = cast.hub
    parent = hub.admin.issue_token(hub.operator(), cast.analyst_a.member.id)
    child = hub.admin.issue_token(hub.admin.authenticate(parent.secret), cast.analyst_a.member.id)
    with hub.store.unit_of_work() as uow:
        uow.update(parent.token.model_copy(update={"revoked_at": hub.clock()}))
    with pytest.raises(Exception, match="revoked"):
        hub.admin.authenticate(child.secret)


def test_token_lifetimes_are_capped_by_the_settings(cast: Cast) -> None:
    hub = cast.hub
    longest = hub.settings.token_max_ttl_days
    with pytest.raises(Exception, match="ttl_days"):
        hub.admin.issue_token(hub.operator(), cast.analyst_a.member.id, ttl_days=longest + 1)
    issued = hub.admin.issue_token(hub.operator(), cast.analyst_a.member.id, ttl_days=longest)
    assert issued.token.expires_at - issued.token.created_at == timedelta(days=longest)
