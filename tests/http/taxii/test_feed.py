"""Records and collections kept in step: what the hub publishes when records change, and what members' posts
become. Over HTTP, in-process, on SQLite and (with ``FIMIHUB_TEST_DATABASE_URL``) PostgreSQL."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from fimihub import Hub, NotFound
from fimihub.exchange.stix import signing
from fimihub.model import TLP, Operation, Signal
from fimihub.policy import Actor
from tests.conftest import Cast
from tests.http.taxii.conftest import post
from tests.http.taxii.stix import TLP2, indicator

Auth = Callable[[Actor], dict[str, str]]


def objects(client: TestClient, coll: str, headers: dict[str, str], **params: str) -> list[dict[str, Any]]:
    """Every object of the collection the member reads (following ``next``)."""
    found: list[dict[str, Any]] = []
    query: dict[str, str] = dict(params)
    while True:
        page = client.get(coll + "objects/", headers=headers, params=query)
        assert page.status_code == 200, page.text
        body = page.json()
        found += body.get("objects", [])
        if not body.get("more"):
            return found
        query = {**params, "next": body["next"]}


def by_type(found: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for obj in found:
        out.setdefault(obj["type"], []).append(obj)
    return out


def shared_operation(cast: Cast) -> tuple[Operation, list[Signal]]:
    """An operation of A with two signals and a DISARM technique, shared into the forum."""
    hub, a = cast.hub, cast.analyst_a
    green = {"tlp": "green"}  # drafts marked as they will be shared: sharing never widens a marking
    op = hub.create(
        a,
        Operation,
        {"name": "Doppelganger", "origin_countries": ["RU"], "techniques": ["T0049"], "marking": green},
    )
    signals = [
        hub.create(a, Signal, {"kind": "domain", "value": value, "operation_id": op.id, "marking": green})
        for value in ("news-front.example", "rrn.example")
    ]
    shared = hub.share(a, Operation, op.id, cast.forum_id, marking={"tlp": "green"})
    for s in signals:
        hub.share(a, Signal, s.id, cast.forum_id, marking={"tlp": "green"})
    return shared, [hub.get(a, Signal, s.id) for s in signals]


def test_sharing_an_operation_publishes_its_objects_with_their_markings(
    client: TestClient, cast: Cast, auth: Auth, coll: str
) -> None:
    op, signals = shared_operation(cast)
    seen = by_type(objects(client, coll, auth(cast.analyst_b)))
    campaign = seen["campaign"][0]
    assert campaign["id"] == f"campaign--{op.id.removeprefix('operation--')}"
    assert TLP2["green"] in campaign["object_marking_refs"]
    indicators = {o["id"]: o for o in seen["indicator"]}
    assert set(indicators) == {f"indicator--{s.id.removeprefix('signal--')}" for s in signals}
    assert all(TLP2["green"] in o["object_marking_refs"] for o in indicators.values())
    kinds = {(r["relationship_type"], r["source_ref"], r["target_ref"]) for r in seen["relationship"]}
    assert {("indicates", i, campaign["id"]) for i in indicators} <= kinds
    assert any(k == "uses" and s == campaign["id"] for k, s, _ in kinds)
    assert seen["attack-pattern"] and seen["identity"]
    # D belongs to no forum: the collection does not exist for it.
    assert client.get(coll + "objects/", headers=auth(cast.analyst_d)).status_code == 404


def test_updates_are_new_versions_revocations_and_deletions_reach_pollers(
    client: TestClient, cast: Cast, auth: Auth, coll: str
) -> None:
    op, signals = shared_operation(cast)
    hub, a, headers = cast.hub, cast.analyst_a, auth(cast.analyst_b)
    campaign_id = f"campaign--{op.id.removeprefix('operation--')}"
    before = objects(client, coll, headers)
    last_added = client.get(coll + "objects/", headers=headers).headers["X-TAXII-Date-Added-Last"]
    hub.update(a, Operation, op.id, {"description": "Cloned news sites"})
    versions = client.get(f"{coll}objects/{campaign_id}/versions/", headers=headers).json()["versions"]
    assert len(versions) == 2
    newest = client.get(f"{coll}objects/{campaign_id}/", headers=headers).json()["objects"][0]
    assert newest["description"] == "Cloned news sites" and newest["modified"] > before[0]["created"]
    # Publishing the same record again is no new version.
    assert len(objects(client, coll, headers, added_after=last_added)) >= 1
    count = len(objects(client, coll, headers, **{"match[version]": "all"}))
    hub.share(a, Operation, op.id, cast.forum_id, marking={"tlp": "green"})
    hub.update(a, Operation, op.id, {"description": "Cloned news sites"})
    assert len(objects(client, coll, headers, **{"match[version]": "all"})) > count  # modified moved on

    hub.revoke_signal(a, signals[0].id)
    revoked = f"indicator--{signals[0].id.removeprefix('signal--')}"
    assert client.get(f"{coll}objects/{revoked}/", headers=headers).json()["objects"][0]["revoked"] is True

    hub.delete(a, Signal, signals[1].id)
    gone = f"indicator--{signals[1].id.removeprefix('signal--')}"
    stone = client.get(f"{coll}objects/{gone}/", headers=headers).json()["objects"][0]
    assert stone["revoked"] is True
    # Its `indicates` relationship is withdrawn with it; the campaign stays.
    relationships = [o for o in objects(client, coll, headers) if o["type"] == "relationship"]
    assert [r["revoked"] for r in relationships if r["source_ref"] == gone] == [True]
    assert (
        client.get(f"{coll}objects/{campaign_id}/", headers=headers).json()["objects"][0].get("revoked")
        is None
    )


def test_removing_a_technique_withdraws_its_relationship(
    client: TestClient, cast: Cast, auth: Auth, coll: str
) -> None:
    op, _ = shared_operation(cast)
    cast.hub.update(cast.analyst_a, Operation, op.id, {"techniques": []})
    uses = [
        o
        for o in objects(client, coll, auth(cast.analyst_b))
        if o["type"] == "relationship" and o["relationship_type"] == "uses"
    ]
    assert uses and all(o["revoked"] is True for o in uses)


def test_idempotent_republication(cast: Cast, client: TestClient, auth: Auth, coll: str) -> None:
    op, _ = shared_operation(cast)
    headers = auth(cast.analyst_b)
    count = len(objects(client, coll, headers, **{"match[version]": "all"}))
    # A second signal of the same operation re-offers the shared vocabulary: nothing of it changes.
    s = cast.hub.create(
        cast.analyst_a,
        Signal,
        {"kind": "hashtag", "value": "stopthewar", "operation_id": op.id, "marking": {"tlp": "green"}},
    )
    cast.hub.share(cast.analyst_a, Signal, s.id, cast.forum_id, marking={"tlp": "green"})
    after = objects(client, coll, headers, **{"match[version]": "all"})
    # Its indicator, its `indicates` relationship, and the operation's grouping, which now names them.
    assert len(after) == count + 3
    grouping = [o for o in after if o["type"] == "grouping"]
    # A version when the operation was shared and one per signal shared since, the newest naming the new one.
    assert len(grouping) == 4 and f"indicator--{s.id.removeprefix('signal--')}" in grouping[-1]["object_refs"]
    assert len({(o["id"], o.get("modified")) for o in after}) == len(after)


def test_red_and_strict_records_stay_with_their_owner(
    client: TestClient, cast: Cast, auth: Auth, coll: str
) -> None:
    hub, op_actor = cast.hub, cast.hub.operator()
    red = hub.create(
        op_actor,
        Operation,
        {
            "name": "Secret",
            "owner_org": cast.org_a,
            "forum_id": cast.forum_id,
            "marking": {"tlp": "red"},
        },
    )
    strict = hub.create(cast.analyst_a, Operation, {"name": "Strict"})
    hub.share(cast.analyst_a, Operation, strict.id, cast.forum_id, marking={"tlp": "amber+strict"})
    for outsider in (cast.analyst_b, cast.partner_c):
        ids = {o["id"] for o in objects(client, coll, auth(outsider))}
        assert f"campaign--{red.id.removeprefix('operation--')}" not in ids
        assert f"campaign--{strict.id.removeprefix('operation--')}" not in ids
        assert not any(i.startswith("campaign--") for i in ids)
    mine = {o["id"] for o in objects(client, coll, auth(cast.reader_a))}
    assert f"campaign--{strict.id.removeprefix('operation--')}" in mine
    # RED: only its author (here none: the operator wrote it) and the members it names read it.
    assert f"campaign--{red.id.removeprefix('operation--')}" not in mine
    # And an analyst may not share a RED record at all.
    own = hub.create(cast.analyst_a, Operation, {"name": "Mine", "marking": {"tlp": "red"}})
    with pytest.raises(Exception):  # noqa: B017 - the policy's refusal, whichever class it raises
        hub.share(cast.analyst_a, Operation, own.id, cast.forum_id)


def test_a_fingerprint_travels_as_a_note(client: TestClient, cast: Cast, auth: Auth, coll: str) -> None:
    op, _ = shared_operation(cast)
    record = cast.hub.resurgence.fingerprint_operation(cast.analyst_a, op.id)
    assert record.forum_id == cast.forum_id
    notes = [o for o in objects(client, coll, auth(cast.analyst_b)) if o["type"] == "note"]
    assert [n["id"] for n in notes] == [f"note--{record.id.removeprefix('fingerprint--')}"]
    # About the campaign, and the grouping of the operation's exchange (which does not name it back).
    assert notes[0]["object_refs"][0] == f"campaign--{op.id.removeprefix('operation--')}"
    assert notes[0]["object_refs"][1].startswith("grouping--") and len(notes[0]["object_refs"]) == 2


# -- collections → records -----------------------------------------------------------------------------------


def peer_bundle(tlp: str = "green") -> list[dict[str, Any]]:
    """A peer's campaign and an indicator that indicates it, without fimihub's extension."""
    campaign = {
        "type": "campaign",
        "spec_version": "2.1",
        "id": f"campaign--{uuid.uuid4()}",
        "created": "2024-05-01T12:00:00.000Z",
        "modified": "2024-05-01T12:00:00.000Z",
        "name": "Storm-1516",
        "object_marking_refs": [TLP2[tlp]],
    }
    ind = indicator(tlp=tlp)
    link = {
        "type": "relationship",
        "spec_version": "2.1",
        "id": f"relationship--{uuid.uuid4()}",
        "created": "2024-05-01T12:00:00.000Z",
        "modified": "2024-05-01T12:00:00.000Z",
        "relationship_type": "indicates",
        "source_ref": ind["id"],
        "target_ref": campaign["id"],
    }
    return [campaign, ind, link]


def test_posted_objects_become_records_of_the_poster(
    client: TestClient, cast: Cast, auth: Auth, coll: str
) -> None:
    bundle = peer_bundle()
    status = post(client, coll, auth(cast.analyst_b), bundle)
    assert status["success_count"] == 3
    op_id = "operation--" + bundle[0]["id"].removeprefix("campaign--")
    signal_id = "signal--" + bundle[1]["id"].removeprefix("indicator--")
    hub = cast.hub
    for member in (cast.analyst_a, cast.reader_a, cast.analyst_b):
        op = hub.get(member, Operation, op_id)
        assert (op.owner_org, op.forum_id, op.marking.tlp) == (cast.org_b, cast.forum_id, TLP.GREEN)
        signal = hub.get(member, Signal, signal_id)
        assert (signal.owner_org, signal.operation_id, signal.value) == (
            cast.org_b,
            op_id,
            "news-front.example",
        )
    assert hub.get(cast.analyst_b, Operation, op_id).created_by == cast.analyst_b.member.id
    with pytest.raises(NotFound):
        hub.get(cast.analyst_d, Operation, op_id)
    # The relationship did not become a record but stays in the collection as it was posted.
    ids = {o["id"] for o in objects(client, coll, auth(cast.analyst_a))}
    assert {o["id"] for o in bundle} <= ids
    # Re-posting changes nothing; a newer version updates the record; `revoked` revokes the signal.
    again = post(client, coll, auth(cast.analyst_b), bundle)
    assert again["success_count"] == 3 and hub.get(cast.analyst_b, Operation, op_id) == op
    newer = {**bundle[0], "modified": "2024-06-01T00:00:00.000Z", "description": "Videos"}
    post(client, coll, auth(cast.analyst_b), [newer])
    assert hub.get(cast.analyst_a, Operation, op_id).description == "Videos"
    post(
        client,
        coll,
        auth(cast.analyst_b),
        [{**bundle[1], "modified": "2024-06-01T00:00:00.000Z", "revoked": True}],
    )
    assert hub.get(cast.analyst_a, Signal, signal_id).revoked is True
    # The records were made from the posts and are not published back as objects of their own.
    versions = client.get(f"{coll}objects/{bundle[0]['id']}/versions/", headers=auth(cast.analyst_a)).json()
    assert len(versions["versions"]) == 2


def test_posts_never_touch_another_organisations_records(
    client: TestClient, cast: Cast, auth: Auth, coll: str
) -> None:
    op, _ = shared_operation(cast)
    campaign_id = f"campaign--{op.id.removeprefix('operation--')}"
    forged = {
        "type": "campaign",
        "spec_version": "2.1",
        "id": campaign_id,
        "created": "2024-05-01T12:00:00.000Z",
        "modified": "2030-01-01T00:00:00.000Z",
        "name": "Hijacked",
    }
    status = post(client, coll, auth(cast.analyst_b), [forged])
    assert status["failure_count"] == 1
    assert cast.hub.get(cast.analyst_a, Operation, op.id).name == "Doppelganger"


def test_objects_that_do_not_map_stay_raw_and_red_posts_fail(
    client: TestClient, cast: Cast, auth: Auth, coll: str
) -> None:
    note = {
        "type": "malware",
        "spec_version": "2.1",
        "id": f"malware--{uuid.uuid4()}",
        "created": "2024-05-01T12:00:00.000Z",
        "modified": "2024-05-01T12:00:00.000Z",
        "name": "loader",
        "is_family": False,
    }
    odd = indicator(pattern="[process:name = 'x.exe']")
    status = post(client, coll, auth(cast.analyst_b), [note, odd])
    assert status["success_count"] == 2 and status["failure_count"] == 0
    assert cast.hub.list(cast.analyst_b, Signal).items == []
    red = post(client, coll, auth(cast.analyst_b), peer_bundle("red"))
    assert red["failure_count"] == 2  # campaign and indicator; the unmarked relationship takes GREEN
    assert cast.hub.list(cast.analyst_b, Operation).items == []


# -- retention -----------------------------------------------------------------------------------------------


def test_retention_purges_expired_objects_and_old_statuses(
    client: TestClient, cast: Cast, auth: Auth, coll: str
) -> None:
    hub = cast.hub
    op, _ = shared_operation(cast)
    status = post(client, coll, auth(cast.analyst_b), [indicator()])
    campaign_id = f"campaign--{op.id.removeprefix('operation--')}"
    start = hub.clock()
    later = start + timedelta(days=hub.settings.default_retention_days + 400)
    hub.clock = lambda: later
    purged = hub.privacy.run(hub.operator())
    assert purged["stix_versions"] > 0 and purged["stix_statuses"] == 1
    headers = auth(cast.analyst_a)
    assert client.get(f"{ROOT_STATUS}{status['id']}/", headers=headers).status_code == 404
    stone = client.get(f"{coll}objects/{campaign_id}/", headers=headers).json()["objects"][0]
    assert stone["revoked"] is True and "extensions" not in stone and "description" not in stone
    # Shared vocabulary has no expiry; tombstones go after their own grace period.
    assert any(o["type"] == "attack-pattern" for o in objects(client, coll, headers))
    much_later = later + timedelta(days=31)
    hub.clock = lambda: much_later
    assert hub.privacy.run(hub.operator())["stix_tombstones"] == 0
    assert client.get(f"{coll}objects/{campaign_id}/", headers=headers).status_code == 404


ROOT_STATUS = "/taxii2/exchange/status/"


def test_hub_level_publication_is_audited(cast: Cast) -> None:
    shared_operation(cast)
    hub: Hub = cast.hub
    events = [e for e in hub.audit.events(hub.operator(), limit=1000) if e.action == "stix.publish"]
    assert events and events[0].subject_id == cast.forum_id
    assert hub.audit.verify().ok


def test_published_records_are_signed_by_the_hub(
    client: TestClient, cast: Cast, auth: Auth, coll: str
) -> None:
    op, _ = shared_operation(cast)
    key = cast.hub.signer.hub_key()
    trusted = {key.key_id: signing.decode_key(key.public_key)}
    seen = objects(client, coll, auth(cast.analyst_b))
    mine = [o for o in seen if o["type"] in ("campaign", "indicator", "relationship")]
    assert mine and all(signing.verify(o, trusted) is signing.Verdict.VERIFIED for o in mine)
    altered = {**mine[0], "name": "something else"}
    assert signing.verify(altered, trusted) is signing.Verdict.TAMPERED
    # A withdrawal is vouched for too: the tombstone is signed again.
    cast.hub.delete(cast.analyst_a, Operation, op.id)
    campaign_id = f"campaign--{op.id.removeprefix('operation--')}"
    versions = objects(
        client, coll, auth(cast.analyst_b), **{"match[id]": campaign_id, "match[version]": "all"}
    )
    tombstone = max(versions, key=lambda o: o["modified"])
    assert tombstone.get("revoked") is True
    assert signing.verify(tombstone, trusted) is signing.Verdict.VERIFIED


def test_posted_signals_are_prepared_as_the_hub_prepares_every_signal(
    client: TestClient, cast: Cast, auth: Auth, coll: str
) -> None:
    as_posted = indicator(pattern="[domain-name:value = 'WWW.News-Front.Example']")
    listed = indicator(pattern="[domain-name:value = 'google.com']")
    suffix = indicator(pattern="[domain-name:value = 'co.uk']")  # a public suffix: no signal of its kind
    status = post(client, coll, auth(cast.analyst_b), [as_posted, listed, suffix])
    assert status["success_count"] == 3
    hub = cast.hub

    def signal_of(obj: dict[str, Any]) -> Signal:
        return hub.get(cast.analyst_b, Signal, "signal--" + obj["id"].removeprefix("indicator--"))

    normalised = signal_of(as_posted)
    assert (normalised.value, normalised.owner_org, normalised.forum_id) == (
        "news-front.example",
        cast.org_b,
        cast.forum_id,
    )
    assert normalised.created_by == cast.analyst_b.member.id and normalised.expires_at is not None
    assert signal_of(listed).warning_lists  # flagged, as a signal created through the API would be
    with pytest.raises(NotFound):
        signal_of(suffix)
    # The object that made no signal stays in the collection as it was posted.
    assert suffix["id"] in {o["id"] for o in objects(client, coll, auth(cast.analyst_b))}
