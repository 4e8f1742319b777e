"""Platform identifiers over HTTP: registering an identifier key, a review queue sealed to it, and account ids
that forum members and the TAXII collection see keyed."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from fimihub import policy
from fimihub.model import Asset, Signal
from tests.conftest import Cast
from tests.http.conftest import bearer
from tests.http.taxii.conftest import ROOT, basic
from tests.http.taxii.stix import TAXII


def test_an_organisation_registers_its_identifier_key(client: TestClient, cast: Cast) -> None:
    hub, op = cast.hub, cast.hub.operator("test")
    admin_b = hub.admin.create_member(op, org_id=cast.org_b, name="admin b", roles=["admin"])
    pair = policy.new_identifier_key()
    url = f"/api/v1/organisations/{cast.org_b}/identifier-key"
    body = {"public_key": pair.public_key}
    assert client.put(url, json=body, headers=bearer(cast, cast.analyst_b.member.id)).status_code == 403
    as_admin = bearer(cast, admin_b.id)
    other = client.put(f"/api/v1/organisations/{cast.org_a}/identifier-key", json=body, headers=as_admin)
    assert other.status_code == 403
    bad = client.put(url, json={"public_key": "nope"}, headers=as_admin)
    assert bad.status_code == 400 and bad.json()["error"]["field"] == "public_key"
    assert client.put(url, json={}, headers=as_admin).status_code == 400
    done = client.put(url, json=body, headers=as_admin)
    assert done.status_code == 200, done.text
    assert (done.json()["identifier_key"], done.json()["identifier_key_id"]) == (pair.public_key, pair.key_id)

    # From now on B's queue holds its ids sealed to that key, which only B's private key opens.
    signal = {"kind": "domain", "value": "evil-news.example", "forum_id": cast.forum_id}
    hub.create(cast.analyst_a, Signal, signal)
    b = bearer(cast, cast.analyst_b.member.id)
    items = [{"kind": "url", "value": "https://evil-news.example/x", "account_id": "4242", "post_id": "p-77"}]
    assert client.post("/api/v1/match", json={"items": items, "record": True}, headers=b).status_code == 200
    (match,) = client.get("/api/v1/matches", headers=b).json()["items"]
    assert "account_id" not in match and "post_id" not in match and match["identifier_key_id"] == pair.key_id
    assert policy.open_sealed(pair.private_key, match["account_sealed"]) == "4242"
    assert policy.open_sealed(pair.private_key, match["post_sealed"]) == "p-77"


def test_recording_ids_without_a_key_says_how_to_register_one(client: TestClient, cast: Cast) -> None:
    cast.hub.create(
        cast.analyst_a, Signal, {"kind": "domain", "value": "evil-news.example", "forum_id": cast.forum_id}
    )
    b = bearer(cast, cast.analyst_b.member.id)
    items = [{"kind": "domain", "value": "evil-news.example", "account_id": "4242"}]
    answer = client.post("/api/v1/match", json={"items": items, "record": True}, headers=b)
    assert answer.status_code == 400
    error = answer.json()["error"]
    assert (
        error["field"] == "identifier_key"
        and f"/api/v1/organisations/{cast.org_b}/identifier-key" in error["message"]
    )
    assert client.get("/api/v1/matches", headers=b).json()["items"] == []


def _user_accounts(client: TestClient, cast: Cast, member_id: str) -> list[dict[str, Any]]:
    issued = cast.hub.admin.issue_token(cast.hub.operator(), member_id)
    headers = {"Authorization": basic(issued.secret), "Accept": TAXII}
    coll = f"{ROOT}collections/{cast.forum_id.removeprefix('forum--')}/objects/"
    page = client.get(coll, headers=headers, params={"match[type]": "user-account"})
    assert page.status_code == 200, page.text
    return list(page.json().get("objects", []))


def test_an_assets_account_id_travels_keyed(client: TestClient, cast: Cast) -> None:
    owner = cast.hub.admin.actor(cast.analyst_a.member.id)
    pair = policy.new_identifier_key()
    cast.hub.identifiers.set_key(cast.hub.operator(), cast.org_a, pair.public_key)
    asset = cast.hub.create(
        owner,
        Asset,
        {
            "platform": "facebook",
            "kind": "account",
            "external_id": "100042",
            "handle": "daily_truth_ru",
            "forum_id": cast.forum_id,
        },
    )
    keyed = cast.hub.keys.pseudonymise(cast.analyst_b, cast.forum_id, "account_id", ["facebook:100042"])[0]
    # A member of another organisation reads the keyed hash, over REST ...
    got = client.get(f"/api/v1/assets/{asset.id}", headers=bearer(cast, cast.analyst_b.member.id))
    assert got.status_code == 200, got.text
    assert got.json()["external_id"] == keyed and "100042" not in got.text
    # ... and in the forum's TAXII collection, as the user-account's user_id.
    (account,) = _user_accounts(client, cast, cast.analyst_b.member.id)
    assert account["user_id"] == keyed and account["account_login"] == "daily_truth_ru"
    (entry,) = account["extensions"][next(iter(account["extensions"]))]["assets"]
    assert entry["external_id"] == keyed and entry["external_id_key_id"].startswith("pk-")
    assert "external_id_sealed" not in entry and "100042" not in str(account)
    # The owner alone recovers the clear id.
    own = client.get(f"/api/v1/assets/{asset.id}", headers=bearer(cast, cast.analyst_a.member.id)).json()
    assert policy.open_sealed(pair.private_key, own["external_id_sealed"]) == "100042"
