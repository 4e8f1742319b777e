"""A collection carries what whole-bundle exports carry beyond each record's own objects: a grouping per
operation and a sighting of each indicator per action, kept in step with the records, and naming only what
every reader of the grouping may read. MISP's converter makes one event per operation of them."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from fimihub.model import Action, Feedback, Operation, Signal
from fimihub.policy import Actor
from tests.conftest import Cast
from tests.http.taxii.test_feed import objects

Auth = Callable[[Actor], dict[str, str]]
GREEN = {"tlp": "green", "pap": "amber"}


def _stix(record_id: str, stix_type: str) -> str:
    return f"{stix_type}--{record_id.partition('--')[2]}"


def _operation(cast: Cast, name: str, values: tuple[str, ...]) -> tuple[Operation, list[Signal], Action]:
    """An operation of A shared GREEN into the forum, with signals and one action, all shared."""
    hub, a, forum = cast.hub, cast.analyst_a, cast.forum_id
    op = hub.create(a, Operation, {"name": name, "techniques": ["T0049"], "marking": GREEN})
    hub.share(a, Operation, op.id, forum, marking=GREEN)
    signals = []
    for value in values:
        s = hub.create(a, Signal, {"kind": "domain", "value": value, "operation_id": op.id, "marking": GREEN})
        signals.append(hub.share(a, Signal, s.id, forum, marking=GREEN))
    action = hub.create(a, Action, {"kind": "remove", "operation_id": op.id, "marking": GREEN})
    return op, signals, hub.share(a, Action, action.id, forum, marking=GREEN)


def _groupings(found: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {o["name"]: o for o in found if o["type"] == "grouping"}


def _indicator_sightings(found: list[dict[str, Any]]) -> set[str]:
    return {
        o["sighting_of_ref"]
        for o in found
        if o["type"] == "sighting" and o["sighting_of_ref"].startswith("indicator--") and not o.get("revoked")
    }


def test_a_reader_gets_a_grouping_per_operation_and_sightings_of_its_indicators(
    client: TestClient, cast: Cast, auth: Auth, coll: str
) -> None:
    op, signals, action = _operation(cast, "Doppelganger", ("news-front.example", "rrn.example"))
    found = objects(client, coll, auth(cast.analyst_b))
    grouping = _groupings(found)["Doppelganger"]
    indicators = {_stix(s.id, "indicator") for s in signals}
    refs = set(grouping["object_refs"])
    assert _stix(op.id, "campaign") in refs and indicators <= refs
    assert _stix(action.id, "sighting") in refs
    assert grouping["context"] == "suspicious-activity"
    # The action sighted the campaign, and each indicator of the operation too.
    assert _indicator_sightings(found) == indicators
    assert {o["id"] for o in found if o["type"] == "sighting"} <= refs
    # A reader of the grouping reads everything it names that is no meta object.
    assert refs <= {o["id"] for o in found}


def test_the_grouping_follows_revocations_and_the_operation_leaving(
    client: TestClient, cast: Cast, auth: Auth, coll: str
) -> None:
    hub, a, headers = cast.hub, cast.analyst_a, auth(cast.analyst_b)
    op, signals, _ = _operation(cast, "Doppelganger", ("news-front.example", "rrn.example"))
    revoked = _stix(signals[0].id, "indicator")
    hub.revoke_signal(a, signals[0].id)
    found = objects(client, coll, headers)
    grouping = _groupings(found)["Doppelganger"]
    assert revoked not in grouping["object_refs"]
    assert _stix(signals[1].id, "indicator") in grouping["object_refs"]
    assert _indicator_sightings(found) == {_stix(signals[1].id, "indicator")}
    versions = client.get(f"{coll}objects/{grouping['id']}/versions/", headers=headers).json()["versions"]
    assert len(versions) == 5  # shared, each signal, the action, the revocation

    hub.delete(a, Operation, op.id)
    stone = client.get(f"{coll}objects/{grouping['id']}/", headers=headers).json()["objects"][0]
    assert stone["revoked"] is True


def test_a_grouping_names_only_what_each_of_its_readers_may_read(
    client: TestClient, cast: Cast, auth: Auth, coll: str
) -> None:
    hub, a, b, forum = cast.hub, cast.analyst_a, cast.analyst_b, cast.forum_id
    op, signals, _ = _operation(cast, "Doppelganger", ("news-front.example",))
    strict = hub.create(a, Signal, {"kind": "domain", "value": "strict.example", "operation_id": op.id,
                                    "marking": {"tlp": "amber+strict"}})  # fmt: skip
    hub.share(a, Signal, strict.id, forum, marking={"tlp": "amber+strict"})
    # B's opinion on A's signal is B's record: A's grouping does not vouch for it.
    opinion = hub.create(b, Feedback, {"subject_id": signals[0].id, "kind": "seen", "marking": GREEN})
    hub.share(b, Feedback, opinion.id, forum, marking=GREEN)
    for reader in (cast.analyst_b, cast.partner_c, cast.reader_a):
        found = objects(client, coll, auth(reader))
        readable = {o["id"] for o in found}
        for grouping in _groupings(found).values():
            assert set(grouping["object_refs"]) <= readable, reader.member.id
            assert _stix(strict.id, "indicator") not in grouping["object_refs"]
            assert _stix(opinion.id, "opinion") not in grouping["object_refs"]
        for obj in found:
            if obj["type"] == "sighting":
                assert obj["sighting_of_ref"] in readable or obj["sighting_of_ref"].startswith("campaign--")
    # A's own reader reads the strict indicator, but not through the GREEN grouping; C's partner reads none
    # of A's GREEN objects, groupings included; D sees no collection at all.
    assert _stix(strict.id, "indicator") in {o["id"] for o in objects(client, coll, auth(cast.reader_a))}
    assert not _groupings(objects(client, coll, auth(cast.partner_c)))
    assert client.get(coll + "objects/", headers=auth(cast.analyst_d)).status_code == 404


def test_a_grouping_names_only_what_is_in_its_own_forum(
    client: TestClient, cast: Cast, auth: Auth, coll: str
) -> None:
    hub, op_actor = cast.hub, cast.hub.operator()
    other = hub.admin.create_forum(op_actor, name="Bilateral", member_orgs=[cast.org_a], default_tlp="green")
    a = hub.admin.actor(cast.analyst_a.member.id)  # A's analyst, now in the new forum too
    op, _, _ = _operation(cast, "Doppelganger", ("news-front.example",))
    elsewhere = hub.create(a, Signal, {"kind": "domain", "value": "elsewhere.example", "operation_id": op.id,
                                       "marking": GREEN})  # fmt: skip
    hub.share(a, Signal, elsewhere.id, other.id, marking=GREEN)
    grouping = _groupings(objects(client, coll, auth(cast.analyst_b)))["Doppelganger"]
    assert _stix(elsewhere.id, "indicator") not in grouping["object_refs"]


def test_misp_makes_one_event_per_operation_of_a_collection(
    client: TestClient, cast: Cast, auth: Auth, coll: str, tmp_path: Path
) -> None:
    misp_stix = pytest.importorskip("misp_stix_converter")
    _operation(cast, "Doppelganger", ("news-front.example", "rrn.example"))
    _operation(cast, "Spamouflage", ("spam-one.example",))
    found = objects(client, coll, auth(cast.analyst_b))
    source = tmp_path / "collection.json"
    bundle = {"type": "bundle", "id": "bundle--6f1d2c3b-4a5e-4f60-8a7b-9c0d1e2f3a4b", "objects": found}
    source.write_text(json.dumps(bundle), "utf-8")
    result = misp_stix.stix_2_to_misp(source, output_dir=tmp_path / "misp", debug=True)
    assert "errors" not in result, result["errors"]
    events = []
    for path in result.get("results", []):
        loaded = json.loads(Path(path).read_text("utf-8"))
        events.append(loaded.get("Event", loaded))
    assert sorted(e["info"] for e in events) == ["Doppelganger", "Spamouflage"]
    values = {e["info"]: {a["value"]: a for a in e["Attribute"]} for e in events}
    assert set(values["Doppelganger"]) == {"news-front.example", "rrn.example"}
    assert set(values["Spamouflage"]) == {"spam-one.example"}
    # The one action of each operation is a sighting on each of its attributes.
    assert all(len(a.get("Sighting", [])) == 1 for v in values.values() for a in v.values())
