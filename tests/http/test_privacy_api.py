"""Data-subject requests over REST: hub admins only, the identifier in the body (never the URL), audited."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from fimihub import NotFound, Signal, policy
from fimihub.hub.keys import account_value
from fimihub.model import Asset, Lead
from tests.conftest import Cast
from tests.http.conftest import bearer
from tests.identifiers import register_identifier_keys

ACCOUNT = "6612093344"
SUBJECT = {"kind": "account_id", "platform": "x", "value": ACCOUNT}
REF = "DSR-2026-17"
ROOT = "/api/v1/privacy/subject"


def _world(cast: Cast) -> dict[str, str]:
    hub, a = cast.hub, cast.analyst_a
    register_identifier_keys(hub, cast.org_a)
    key = hub.keys.forum_key(hub.operator(), cast.forum_id)
    keyed = policy.pseudonymise(key.key, "account_id", account_value("x", ACCOUNT))
    signal = hub.create(a, Signal, {"kind": "account_id", "value": keyed, "forum_id": cast.forum_id})
    asset = hub.create(
        a, Asset, {"platform": "x", "kind": "account", "external_id": ACCOUNT, "forum_id": cast.forum_id}
    )
    other = hub.create(a, Lead, {"title": "Unrelated", "description": "nothing to see"})
    return {"keyed": keyed, "signal": signal.id, "asset": asset.id, "other": other.id}


def test_a_hub_admin_finds_exports_and_erases(client: TestClient, cast: Cast) -> None:
    world = _world(cast)
    admin = bearer(cast, cast.admin_o.member.id)
    found = client.post(f"{ROOT}/find", json={**SUBJECT, "request_ref": REF}, headers=admin)
    assert found.status_code == 200, found.text
    records = found.json()["records"]
    assert {k: [r["id"] for r in v] for k, v in records.items()} == {
        "assets": [world["asset"]],
        "signals": [world["signal"]],
    }
    assert ACCOUNT not in found.text and world["keyed"] not in found.text

    exported = client.post(f"{ROOT}/export", json={**SUBJECT, "request_ref": REF}, headers=admin)
    assert exported.status_code == 200, exported.text
    document = exported.json()
    assert document["records"]["signals"][0] == cast.hub.get(
        cast.hub.operator(), Signal, world["signal"]
    ).model_dump(mode="json") | {"held_by": []}
    assert [k["value"] for k in document["keyed_forms"]] == [world["keyed"]]

    dry = client.post(f"{ROOT}/erase", json={**SUBJECT, "request_ref": REF}, headers=admin)
    assert dry.status_code == 200 and dry.json()["dry_run"] is True
    assert cast.hub.get(cast.hub.operator(), Signal, world["signal"])
    done = client.post(f"{ROOT}/erase", json={**SUBJECT, "request_ref": REF, "dry_run": False}, headers=admin)
    assert done.status_code == 200, done.text
    report = done.json()
    assert report["dry_run"] is False and report["revoked"] == [world["signal"]]
    assert report["erased"] == {"assets": [world["asset"]], "signals": [world["signal"]]}
    for kind, record_id in ((Signal, world["signal"]), (Asset, world["asset"])):
        try:
            cast.hub.get(cast.hub.operator(), kind, record_id)
            raise AssertionError(f"{record_id} is still there")
        except NotFound:
            pass
    assert cast.hub.get(cast.hub.operator(), Lead, world["other"])

    events = [
        e for e in cast.hub.audit.events(cast.hub.operator(), limit=1000) if e.action.startswith("subject.")
    ]
    assert [e.action for e in events] == ["subject.find", "subject.export", "subject.erase", "subject.erase"]
    assert {e.detail["request_ref"] for e in events} == {REF}
    assert all(e.actor == cast.admin_o.member.id for e in events)


def test_only_hub_admins_may_ask_and_before_the_body_is_read(client: TestClient, cast: Cast) -> None:
    _world(cast)
    admin_a = cast.hub.admin.create_member(
        cast.hub.operator(), org_id=cast.org_a, name="admin a", roles=["admin"]
    )
    refused = [
        bearer(cast, cast.analyst_a.member.id),
        bearer(cast, admin_a.id),
        bearer(cast, cast.partner_c.member.id),
        bearer(cast, cast.admin_o.member.id, scopes=["read", "write"]),  # a hub admin's token without admin
    ]
    for headers in refused:
        for route in ("find", "export", "erase"):
            answer = client.post(f"{ROOT}/{route}", json={**SUBJECT, "request_ref": REF}, headers=headers)
            assert answer.status_code == 403, (route, answer.text)
            assert client.post(f"{ROOT}/{route}", json={"bogus": 1}, headers=headers).status_code == 403
    assert client.post(f"{ROOT}/find", json={**SUBJECT, "request_ref": REF}).status_code == 401
    events = cast.hub.audit.events(cast.hub.operator(), limit=1000)
    assert not [e for e in events if e.action.startswith("subject.")]


def test_a_malformed_body_is_a_400_naming_the_field(client: TestClient, cast: Cast) -> None:
    admin = bearer(cast, cast.admin_o.member.id)
    cases: list[tuple[str, dict[str, Any], str]] = [
        ("find", {**SUBJECT}, "request_ref"),
        ("find", {**SUBJECT, "request_ref": 7}, "request_ref"),
        ("find", {**SUBJECT, "request_ref": REF, "note": "x"}, "note"),
        ("find", {"kind": "account_id", "value": ACCOUNT, "request_ref": REF}, "platform"),
        ("export", {"kind": "passport", "value": "X1", "request_ref": REF}, "kind"),
        ("erase", {**SUBJECT, "request_ref": REF, "dry_run": "no"}, "dry_run"),
        ("erase", {**SUBJECT, "request_ref": REF, "keep": "signal--x"}, "keep"),
        ("erase", {**SUBJECT, "request_ref": REF, "keep": [1]}, "keep"),
        ("erase", {**SUBJECT, "value": None, "request_ref": REF}, "value"),
    ]
    for route, body, field in cases:
        answer = client.post(f"{ROOT}/{route}", json=body, headers=admin)
        assert answer.status_code == 400, (body, answer.text)
        assert answer.json()["error"]["field"] == field, (body, answer.text)


def test_the_identifier_travels_only_in_the_body(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    routes = {p: ops for p, ops in paths.items() if p.startswith(ROOT)}
    assert set(routes) == {f"{ROOT}/find", f"{ROOT}/export", f"{ROOT}/erase"}
    for operations in routes.values():
        assert set(operations) == {"post"}
        assert "requestBody" in operations["post"]
        assert not [p for p in operations["post"].get("parameters", []) if p["in"] in ("path", "query")]
