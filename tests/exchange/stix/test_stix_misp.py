"""MISP as a test peer: its own converter (``misp-stix``) imports our bundles with no errors, one event per
operation, and keeps what the exchange is about: indicators as attributes with their sightings and opinions,
TLP and PAP as MISP's taxonomy tags, DISARM techniques as attack-pattern clusters with their DISARM ids,
countries as location clusters."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from fimihub.exchange.stix import to_stix
from fimihub.model import Governed
from tests.storage import samples

misp_stix = pytest.importorskip("misp_stix_converter")

GREEN = {"tlp": "green", "pap": "amber"}


def _operation(n: int, name: str) -> list[Governed]:
    """An operation with two signals, three actions, feedback on a signal and a fingerprint."""
    op = samples.operation(f"operation--{n}a7b4c9e-3c1c-4c1e-9a57-3c1d2e4f5a6b", name=name,
                           techniques=("T0049.001", "T0146"), origin_countries=("RU",),
                           target_countries=("DE", "FR"), marking=GREEN)  # fmt: skip
    domain = samples.signal(f"signal--{n}b8c5d0f-4d2d-4d2f-8b68-4d2e3f5a6b7c", kind="domain",
                            value=f"news-front-{n}.example", operation_id=op.id, marking=GREEN)  # fmt: skip
    md5 = samples.signal(f"signal--{n}c8c5d0f-4d2d-4d2f-8b68-4d2e3f5a6b7c", kind="md5", value=str(n) * 32,
                         operation_id=op.id, marking=GREEN)  # fmt: skip
    actions = [
        samples.action(f"action--{n}d{k}c5d0f-4d2d-4d2f-8b68-4d2e3f5a6b7c", operation_id=op.id, marking=GREEN)
        for k in range(3)
    ]
    feedback = samples.feedback(f"feedback--{n}e8c5d0f-4d2d-4d2f-8b68-4d2e3f5a6b7c", subject_id=domain.id,
                                marking=GREEN)  # fmt: skip
    fingerprint = samples.fingerprint(f"fingerprint--{n}f8c5d0f-4d2d-4d2f-8b68-4d2e3f5a6b7c",
                                      operation_id=op.id, marking=GREEN)  # fmt: skip
    return [op, domain, md5, *actions, feedback, fingerprint]


def _misp_events(bundle: dict[str, Any], tmp_path: Path) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    source = tmp_path / "bundle.json"
    source.write_text(json.dumps(bundle), "utf-8")
    result: dict[str, Any] = misp_stix.stix_2_to_misp(source, output_dir=tmp_path / "misp", debug=True)
    events = []
    for path in result.get("results", []):
        loaded = json.loads(Path(path).read_text("utf-8"))
        events.append(loaded.get("Event", loaded))
    return result, events


def test_misp_imports_our_bundle_one_event_per_operation_with_its_sightings(tmp_path: Path) -> None:
    records = [*_operation(1, "Doppelganger"), *_operation(2, "Spamouflage")]
    result, events = _misp_events(to_stix(records), tmp_path)
    assert "errors" not in result, result["errors"]
    assert sorted(e["info"] for e in events) == ["Doppelganger", "Spamouflage"]
    for n, event in enumerate(sorted(events, key=lambda e: e["info"]), start=1):
        attributes = {a["value"]: a for a in event["Attribute"]}
        assert set(attributes) == {f"news-front-{n}.example", str(n) * 32}
        assert attributes[str(n) * 32]["type"] == "md5"
        # The campaign is a cluster on each attribute its indicators indicate.
        for attribute in attributes.values():
            campaigns = [
                c["value"] for g in attribute["Galaxy"] if "Campaign" in g["name"] for c in g["GalaxyCluster"]
            ]
            assert campaigns == [event["info"]]
        # Each of the three actions is a sighting of every indicator of the operation.
        assert all(len(a.get("Sighting", [])) == 3 for a in attributes.values())
        # Feedback on a signal is an opinion on its attribute.
        (opinion,) = attributes[f"news-front-{n}.example"]["Opinion"]
        assert opinion["object_uuid"] == attributes[f"news-front-{n}.example"]["uuid"]
        tags = {t["name"] for t in event.get("Tag", [])}
        assert {"tlp:green", "pap:amber"} <= tags
        clusters = [c for g in event["Galaxy"] for c in g["GalaxyCluster"]]
        named = {c["meta"]["external_id"]: c["value"] for c in clusters if "external_id" in c.get("meta", {})}
        assert named == {"T0049.001": "Trolls Amplify and Manipulate", "T0146": "Account Asset"}
        places = {c["value"] for g in event["Galaxy"] if "Location" in g["name"] for c in g["GalaxyCluster"]}
        assert places == {"Russian Federation", "Germany", "France"}


def test_a_bundle_of_signals_alone_imports_without_errors(tmp_path: Path) -> None:
    records = [
        samples.signal(f"signal--{k}b8c5d0f-4d2d-4d2f-8b68-4d2e3f5a6b7c", kind="url",
                       value=f"https://news-front.example/{k}", marking=GREEN)
        for k in range(3)
    ]  # fmt: skip
    result, events = _misp_events(to_stix(records), tmp_path)
    assert "errors" not in result, result["errors"]
    assert {a["value"] for e in events for a in e["Attribute"]} == {
        f"https://news-front.example/{k}" for k in range(3)
    }


def test_the_campaign_cluster_keeps_the_objective_and_the_dates(tmp_path: Path) -> None:
    (op, *rest) = _operation(1, "Doppelganger")
    op = op.evolve(narratives=("NATO provokes Russia",), target_audience="German-speaking voters",
                   first_seen="2024-04-01T00:00:00Z", last_seen="2024-04-30T00:00:00Z")  # fmt: skip
    result, (event,) = _misp_events(to_stix([op, *rest]), tmp_path)
    assert "errors" not in result, result["errors"]
    clusters = [c for a in event["Attribute"] for g in a["Galaxy"] if "Campaign" in g["name"]
                for c in g["GalaxyCluster"]]  # fmt: skip
    objective = "Narratives:\n- NATO provokes Russia\nTarget audience: German-speaking voters"
    dates = ("2024-04-01T00:00:00Z", "2024-04-30T00:00:00Z")
    assert clusters
    for cluster in clusters:
        assert cluster["meta"]["objective"] == objective
        assert (cluster["meta"]["first_seen"], cluster["meta"]["last_seen"]) == dates


def test_every_object_of_the_bundle_misp_reads_parses_strictly() -> None:
    """Groupings name only SDOs, SROs and SCOs: a marking or extension definition among their refs makes
    strict parsers refuse the grouping."""
    stix2 = pytest.importorskip("stix2")
    bundle = to_stix([*_operation(1, "Doppelganger"), *_operation(2, "Spamouflage")])
    groupings = [o for o in bundle["objects"] if o["type"] == "grouping"]
    assert len(groupings) == 2
    for obj in bundle["objects"]:
        stix2.parse(obj, allow_custom=False)
    for grouping in groupings:
        assert not [r for r in grouping["object_refs"] if r.split("--")[0].endswith("definition")]


def test_attribution_accounts_and_fingerprints_arrive(tmp_path: Path) -> None:
    """The threat actor an operation is attributed to becomes a cluster, an account of the network a
    ``user-account`` object, and the fingerprint an analyst note on the operation's event."""
    (op, *rest) = _operation(1, "Doppelganger")
    op = op.evolve(attribution="Social Design Agency", attribution_confidence=80)
    account = samples.asset("asset--1b8c5d0f-4d2d-4d2f-8b68-4d2e3f5a6b7c", operation_id=op.id, marking=GREEN)
    result, (event,) = _misp_events(to_stix([op, *rest, account]), tmp_path)
    assert "errors" not in result, result["errors"]
    actors = [c["value"] for g in event["Galaxy"] if "Threat Actor" in g["name"] for c in g["GalaxyCluster"]]
    assert actors == ["Social Design Agency"]
    (obj,) = event["Object"]
    assert obj["name"] == "user-account"
    assert {(a["object_relation"], a["value"]) for a in obj["Attribute"]} >= {("username", "@fake_news")}
    (note,) = event["Note"]
    assert note["object_type"] == "Event" and note["object_uuid"] == event["uuid"]
    assert op.id in note["note"] and note["comment"] == "Fingerprint of a disrupted influence operation"
