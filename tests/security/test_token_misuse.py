"""Stolen, stale and narrow tokens: what each may still do (docs/access.md, "Tokens")."""

from __future__ import annotations

import base64
from datetime import timedelta

from tests.security.conftest import TAXII, World


def _auth(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def _refused_401(world: World, headers: dict[str, str], rec_url: str) -> None:
    """A token that must not work: 401 everywhere, in every form it could be sent in."""
    secret = headers["Authorization"].removeprefix("Bearer ")
    basic = {"Authorization": "Basic " + base64.b64encode(f"x:{secret}".encode()).decode()}
    for h in (headers, basic):
        for answer in (
            world.client.get("/api/v1/whoami", headers=h),
            world.client.get(rec_url, headers=h),
            world.client.get("/api/v1/operations", headers=h),
            world.client.post("/api/v1/operations", json={"name": "x"}, headers=h),
            world.client.post("/api/v1/tokens", json={}, headers=h),
            world.client.get("/taxii2/exchange/collections/", headers={**h, "Accept": TAXII}),
        ):
            assert answer.status_code == 401, (answer.request.url, answer.text)
            assert "www-authenticate" in answer.headers


def test_expired_tokens_are_refused(world: World) -> None:
    hub = world.hub
    member = world.members["A.analyst"]
    rec = world.create("A.analyst", "operations", "probe target", tlp="green", forum="F1")
    url = f"/api/v1/operations/{rec.id}"
    short = world.token(member, ttl_days=1)
    assert world.client.get(url, headers=short).status_code == 200
    real_clock = hub.clock
    later = real_clock() + timedelta(days=2)
    hub.clock = lambda: later
    try:
        _refused_401(world, short, url)
        # The member's other, longer-lived token still works: the refusal is the expiry's doing.
        assert world.client.get(url, headers=member.headers).status_code == 200
    finally:
        hub.clock = real_clock


def test_revoked_tokens_and_suspended_members_are_refused(world: World) -> None:
    hub = world.hub
    member = world.members["B.analyst"]
    rec = world.create("B.analyst", "operations", "probe target", tlp="green", forum="F2")
    url = f"/api/v1/operations/{rec.id}"
    spare = world.client.post("/api/v1/tokens", json={"name": "spare"}, headers=member.headers).json()
    assert world.client.get(url, headers=_auth(spare["secret"])).status_code == 200
    # Another organisation's admin may not revoke it (nor list it) ...
    other_admin = world.members["A.admin"].headers
    assert world.client.delete(f"/api/v1/tokens/{spare['id']}", headers=other_admin).status_code == 403
    assert world.client.get(f"/api/v1/tokens?member_id={member.id}", headers=other_admin).status_code == 403
    assert world.client.get(url, headers=_auth(spare["secret"])).status_code == 200
    # ... its member may.
    revoked = world.client.delete(f"/api/v1/tokens/{spare['id']}", headers=member.headers)
    assert revoked.status_code == 200 and revoked.json()["revoked_at"]
    _refused_401(world, _auth(spare["secret"]), url)
    assert world.client.get(url, headers=member.headers).status_code == 200
    # A suspended member's tokens all stop at once.
    hub.admin.set_member_active(hub.operator(), member.id, False)
    _refused_401(world, member.headers, url)


def test_a_read_token_changes_nothing(world: World) -> None:
    member = world.members["A.analyst"]
    rec = world.create("A.analyst", "operations", "probe target", tlp="green")
    url = f"/api/v1/operations/{rec.id}"
    read = world.token(member, scopes=["read"])
    assert world.client.get(url, headers=read).status_code == 200
    attempts = [
        world.client.post("/api/v1/operations", json={"name": "x"}, headers=read),
        world.client.patch(url, json={"name": "changed"}, headers=read),
        world.client.delete(url, headers=read),
        world.client.post(f"{url}/share", json={"forum_id": world.forum_ids["F1"]}, headers=read),
        world.client.post(
            f"{url}/declassify", json={"marking": {"tlp": "clear"}, "reason": "x"}, headers=read
        ),
    ]
    assert [a.status_code for a in attempts] == [403] * len(attempts), [a.text for a in attempts]
    # A write token without ``share`` writes, but does not share.
    write = world.token(member, scopes=["read", "write"])
    assert (
        world.client.post(f"{url}/share", json={"forum_id": world.forum_ids["F1"]}, headers=write).status_code
        == 403
    )
    stored = world.client.get(url, headers=member.headers).json()
    assert stored["name"] == "probe target" and stored["forum_id"] is None
    # The control: the member's full token may do each of these.
    full = member.headers
    assert world.client.patch(url, json={"name": "changed"}, headers=full).status_code == 200
    assert (
        world.client.post(f"{url}/share", json={"forum_id": world.forum_ids["F1"]}, headers=full).status_code
        == 200
    )


def test_a_token_mints_nothing_broader_than_itself(world: World) -> None:
    admin = world.members["A.admin"]
    read = world.token(admin, scopes=["read"])
    for body in ({}, {"scopes": ["read"]}, {"scopes": ["admin"]}):
        answer = world.client.post("/api/v1/tokens", json=body, headers=read)
        assert answer.status_code == 403, (body, answer.text)
    # A read-only token of an admin cannot make an admin member either.
    member = {"org_id": admin.org_id, "name": "Mallory", "roles": ["admin"]}
    assert world.client.post("/api/v1/members", json=member, headers=read).status_code == 403
    issuer = world.token(admin, scopes=["read", "token"])
    for wider in (["read", "write"], ["admin"], ["read", "token", "share"]):
        answer = world.client.post("/api/v1/tokens", json={"scopes": wider}, headers=issuer)
        assert answer.status_code == 400, (wider, answer.text)
        assert answer.json()["error"]["field"] == "scopes"
    # Nor for another member: that needs the admin scope (and the admin role in that organisation).
    other = world.members["A.reader"].id
    assert world.client.post("/api/v1/tokens", json={"member_id": other}, headers=issuer).status_code == 403
    foreign = world.members["B.reader"].id
    assert (
        world.client.post("/api/v1/tokens", json={"member_id": foreign}, headers=admin.headers).status_code
        == 403
    )
    # A reader's full token holds no more than a reader's scopes, whatever it asks for.
    reader = world.members["A.reader"]
    answer = world.client.post("/api/v1/tokens", json={"scopes": ["read", "write"]}, headers=reader.headers)
    assert answer.status_code == 400 and answer.json()["error"]["field"] == "scopes"
    # The control: what the issuer holds, it may pass on.
    same = world.client.post("/api/v1/tokens", json={"scopes": ["read"]}, headers=issuer)
    assert same.status_code == 201 and same.json()["scopes"] == ["read"]
    assert (
        world.client.post(
            "/api/v1/operations", json={"name": "x"}, headers=_auth(same.json()["secret"])
        ).status_code
        == 403
    )


def test_revoking_a_token_revokes_every_token_issued_through_it(world: World) -> None:
    member = world.members["C.analyst"]
    parent = world.token(member)
    child = world.client.post("/api/v1/tokens", json={"name": "child"}, headers=parent).json()
    grandchild = world.client.post(
        "/api/v1/tokens",
        json={"name": "grandchild", "scopes": ["read", "token"]},
        headers=_auth(child["secret"]),
    ).json()
    sibling = world.token(member)  # issued by the operator, not through ``parent``
    rec = world.create("C.analyst", "operations", "probe target", tlp="green", forum="F1")
    url = f"/api/v1/operations/{rec.id}"
    for secret in (child["secret"], grandchild["secret"]):
        assert world.client.get(url, headers=_auth(secret)).status_code == 200
    assert grandchild["parent_id"] == child["id"] and child["parent_id"] is not None
    answer = world.client.delete(f"/api/v1/tokens/{child['parent_id']}", headers=sibling)
    assert answer.status_code == 200, answer.text
    for headers in (parent, _auth(child["secret"]), _auth(grandchild["secret"])):
        _refused_401(world, headers, url)
    assert world.client.get(url, headers=sibling).status_code == 200


def test_malformed_credentials_are_401_never_5xx(world: World) -> None:
    secret = world.members["A.analyst"].secret.encode()
    bad = [
        b"",
        b"Bearer",
        b"Bearer ",
        b"Bearer " + secret[:-1],
        b"Bearer " + secret + b"x",
        b"bearer  " + secret.upper(),
        b"Basic !!!not-base64!!!",
        b"Basic " + base64.b64encode(b"no-colon-here"),
        b"Basic " + base64.b64encode(b"\xff\xfe:\xff"),
        b"Digest username=x",
        b"Bearer fhk_" + b"A" * 5000,
        b"Bearer fhk_\xc3\xa9t\xc3\xa9",
        b"Bearer fhk_\xff\xfe",
    ]
    for value in bad:
        headers: dict[bytes, bytes] = {b"Authorization": value} if value else {}
        for path in ("/api/v1/whoami", "/taxii2/exchange/collections/"):
            answer = world.client.get(path, headers={**headers, b"Accept": TAXII.encode()})
            assert answer.status_code == 401, (value[:40], path, answer.status_code, answer.text)
