"""A peer's STIX without our extension: read where STIX says enough, everything else reported."""

from __future__ import annotations

from typing import Any

from fimihub.exchange.stix import from_stix
from fimihub.model import TLP, FeedbackKind, SignalKind

PEER = "identity--1621d4d4-b67d-41e3-9670-f01faf20d111"
CAMPAIGN = "campaign--2a7b4c9e-3c1c-4c1e-9a57-3c1d2e4f5a6b"
INDICATOR = "indicator--3b8c5d0f-4d2d-4d2f-8b68-4d2e3f5a6b7c"
T0 = "2024-03-01T10:00:00.000Z"
GREEN_1 = "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da"


def _sdo(stix_type: str, stix_id: str, **props: Any) -> dict[str, Any]:
    return {"type": stix_type, "spec_version": "2.1", "id": stix_id, "created": T0, "modified": T0,
            "created_by_ref": PEER, **props}  # fmt: skip


def _peer_bundle() -> dict[str, Any]:
    pattern_id = "attack-pattern--5d0e7f21-6f4f-4f41-8d8a-6f4a5b7c8d9e"
    actor_id = "threat-actor--6e1f8032-7050-4052-9e9b-7a5b6c8d9eaf"
    return {
        "type": "bundle",
        "id": "bundle--7f2a9143-8161-4163-8fac-8b6c7d9eafb0",
        "objects": [
            _sdo("identity", PEER, name="Peer platform", identity_class="organization"),
            _sdo("campaign", CAMPAIGN, name="Spamouflage", aliases=["Dragonbridge"],
                 object_marking_refs=[GREEN_1]),
            _sdo("attack-pattern", pattern_id, name="Create inauthentic accounts",
                 external_references=[{"source_name": "DISARM", "external_id": "t0090"}]),
            _sdo("relationship", "relationship--8a2b9143-8161-4163-8fac-8b6c7d9eafb1",
                 relationship_type="uses", source_ref=CAMPAIGN, target_ref=pattern_id),
            _sdo("threat-actor", actor_id, name="Ministry of Public Security"),
            _sdo("relationship", "relationship--9b3ca254-9272-4274-9abd-9c7d8eafb0c2",
                 relationship_type="attributed-to", source_ref=CAMPAIGN, target_ref=actor_id),
            _sdo("indicator", INDICATOR, pattern="[domain-name:value = 'news-example.com']",
                 pattern_type="stix", valid_from=T0, valid_until="2025-03-01T00:00:00Z", confidence=80,
                 revoked=True),
            _sdo("relationship", "relationship--ac4db365-a383-4385-8bce-ad8e9fb0c1d3",
                 relationship_type="indicates", source_ref=INDICATOR, target_ref=CAMPAIGN),
            _sdo("indicator", "indicator--bd5ec476-b494-4496-9cdf-be9fa0c1d2e4",
                 pattern="[mac-addr:value = '00:00:5e:00:53:01']", pattern_type="stix", valid_from=T0),
            _sdo("opinion", "opinion--ce6fd587-c5a5-45a7-8de0-cfa0b1d2e3f5", opinion="strongly-disagree",
                 object_refs=[INDICATOR], explanation="a news site, not the network"),
            _sdo("malware", "malware--df70e698-d6b6-46b8-9ef1-d0b1c2e3f4a6", name="x", is_family=False),
        ],
    }  # fmt: skip


def test_peer_objects_become_records() -> None:
    read = from_stix(_peer_bundle())
    (operation,) = read.operations
    assert operation.id == "operation--2a7b4c9e-3c1c-4c1e-9a57-3c1d2e4f5a6b"
    assert operation.owner_org == PEER
    assert operation.aliases == ("Dragonbridge",)
    assert operation.techniques == ("T0146",)  # T0090 is retired: read as its successor, with a note
    assert any("T0090" in note for _, note in read.notes)
    assert operation.attribution == "Ministry of Public Security"
    assert operation.marking.tlp == TLP.GREEN
    (signal,) = read.signals
    assert (signal.kind, signal.value, signal.confidence) == (SignalKind.DOMAIN, "news-example.com", 80)
    assert signal.operation_id == operation.id
    assert signal.revoked and read.revoked == (signal.id,)
    (feedback,) = read.feedback
    assert feedback.kind == FeedbackKind.FALSE_POSITIVE and feedback.subject_id == signal.id


def test_what_has_no_record_is_reported_not_dropped() -> None:
    read = from_stix(_peer_bundle(), owners={PEER: "organisation--peer"})
    assert {o["type"] for o in read.unknown} == {
        "identity",
        "attack-pattern",
        "threat-actor",
        "indicator",
        "malware",
    }
    assert all(r.owner_org == "organisation--peer" for r in read.records)
    # Relationships that became record fields are not reported; the unmapped indicator comes back as sent.
    assert not any(o["type"] == "relationship" for o in read.unknown)
    bundle = _peer_bundle()
    assert bundle["objects"][8] in read.unknown


def test_the_latest_version_of_an_object_wins() -> None:
    old = _sdo("campaign", CAMPAIGN, name="Old name")
    new = dict(old, name="New name", modified="2024-04-01T00:00:00.000Z")
    assert from_stix([new, old]).operations[0].name == "New name"
    assert from_stix([old, new]).operations[0].name == "New name"
