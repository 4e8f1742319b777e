"""DISARM from DISARM: the technique vocabulary agrees with DISARM's own STIX bundle, our attack patterns are
written as that bundle writes them, and a peer's attack patterns are recognised whatever their source name.

DISARM's bundle is read from ``../shared/data/disarm/DISARM.json`` (never copied into the project)."""

from __future__ import annotations

import json
import re
import uuid
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import stix2

from fimihub.errors import ValidationError
from fimihub.exchange.stix import attack_pattern, attack_pattern_id, from_stix, to_stix
from fimihub.model import Operation, parse
from fimihub.vocab import disarm_id, retirement, technique, technique_named
from fimihub.vocab.disarm import technique_ids
from fimihub.vocab.disarm_updates import ADDED, DISARM_SAYS, RETIRED
from tests.storage import samples

BUNDLE = Path(__file__).resolve().parents[4] / "shared" / "data" / "disarm" / "DISARM.json"
PEER = "identity--1621d4d4-b67d-41e3-9670-f01faf20d111"
CAMPAIGN = "campaign--2a7b4c9e-3c1c-4c1e-9a57-3c1d2e4f5a6b"
T0 = "2024-03-01T10:00:00.000Z"


@cache
def disarm() -> dict[str, Any]:
    if not BUNDLE.exists():
        pytest.skip(f"DISARM's STIX bundle is not at {BUNDLE}")
    loaded: dict[str, Any] = json.loads(BUNDLE.read_text("utf-8"))
    return loaded


def official() -> dict[str, dict[str, Any]]:
    """DISARM's attack patterns by DISARM id."""
    found: dict[str, dict[str, Any]] = {}
    for obj in disarm()["objects"]:
        if obj["type"] == "attack-pattern":
            (ref,) = [r for r in obj["external_references"] if r.get("source_name") == "mitre-attack"]
            found[ref["external_id"]] = obj
    return found


# -- the vocabulary --------------------------------------------------------------------------------------


def test_the_vocabulary_is_the_framework_disarm_publishes() -> None:
    bundle = official()
    assert set(technique_ids()) == set(bundle)
    for tid, obj in bundle.items():
        mine = technique(tid)
        assert mine.name == obj["name"], tid
        assert mine.tactics == tuple(p["phase_name"] for p in obj["kill_chain_phases"]), tid
        assert mine.url == obj["external_references"][0]["url"]


def test_every_retired_id_is_gone_from_disarm_and_its_successor_is_current() -> None:
    bundle = official()
    for old, new in RETIRED.items():
        assert old not in bundle and new in bundle, (old, new)
    assert not set(ADDED) & set(RETIRED)


def test_the_retirements_disarm_states_are_the_ones_its_bundle_states() -> None:
    bundle = official()
    for old in DISARM_SAYS:
        text = bundle[RETIRED[old]]["description"]
        assert re.search(re.escape(old) + r"(?![\d.]\d)", text), (old, RETIRED[old])


def test_ids_are_checked_against_the_framework() -> None:
    assert disarm_id(" t0049.001 ") == "T0049.001"
    assert disarm_id("T0146") == "T0146"  # added by DISARM after the galaxy's release
    assert disarm_id("T0019") == "T0049.008"
    gone = retirement("T0019")
    assert gone is not None and gone.stated_by_disarm and "T0049.008" in gone.note
    assert retirement("T0049") is None
    with pytest.raises(ValueError, match="T9999 is not a DISARM technique"):
        disarm_id("T9999")
    with pytest.raises(ValueError, match="not a DISARM technique id"):
        disarm_id("flooding")
    assert technique_named("  flood INFORMATION space ") == "T0049"
    assert technique_named("Create Personas") == "T0097"  # its former name
    assert technique_named("no such technique") is None


def test_an_operation_with_an_unknown_technique_is_refused_naming_it() -> None:
    with pytest.raises(ValidationError) as caught:
        parse(Operation, {**samples.operation().model_dump(), "techniques": ["T0049", "T9999"]})
    assert "T9999" in str(caught.value) and "techniques" in caught.value.field
    retired = parse(Operation, {**samples.operation().model_dump(), "techniques": ["T0019"]})
    assert retired.techniques == ("T0049.008",)


# -- what we write ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("tid", ["T0002", "T0049.001", "T0097", "T0146", "T0151.003"])
def test_attack_patterns_are_written_as_disarm_writes_them(tid: str) -> None:
    theirs = official()[tid]
    mine = attack_pattern(tid)
    assert mine["name"] == theirs["name"]
    assert mine["kill_chain_phases"] == theirs["kill_chain_phases"]
    assert mine["external_references"] == theirs["external_references"]
    assert mine["id"] == attack_pattern_id(tid)
    assert stix2.parse(mine, allow_custom=False).name == theirs["name"]


def test_a_retired_technique_is_written_as_its_successor() -> None:
    assert attack_pattern("T0019") == attack_pattern("T0049.008")


# -- what we read ----------------------------------------------------------------------------------------


def _sdo(stix_type: str, key: str, **props: Any) -> dict[str, Any]:
    stix_id = f"{stix_type}--{uuid.uuid5(uuid.NAMESPACE_URL, key)}"
    return {"type": stix_type, "spec_version": "2.1", "id": stix_id, "created": T0, "modified": T0, **props}


def _campaign_using(*patterns: dict[str, Any]) -> list[dict[str, Any]]:
    campaign = {**_sdo("campaign", "c", created_by_ref=PEER, name="Spamouflage"), "id": CAMPAIGN}
    uses = [
        _sdo("relationship", p["id"], created_by_ref=PEER, relationship_type="uses", source_ref=CAMPAIGN,
             target_ref=p["id"])
        for p in patterns
    ]  # fmt: skip
    return [campaign, *patterns, *uses]


def test_a_campaign_that_uses_disarms_own_attack_patterns_carries_those_techniques() -> None:
    bundle = official()
    chosen = [bundle["T0049.001"], bundle["T0146"], bundle["T0085.007"]]
    read = from_stix(_campaign_using(*chosen))
    (operation,) = read.operations
    assert operation.techniques == ("T0049.001", "T0146", "T0085.007")
    # DISARM's own objects and the relationships read into the operation are not left over as unknown
    assert {o["type"] for o in read.unknown} <= {"attack-pattern"}


def test_the_whole_disarm_bundle_with_a_campaign_reads_and_the_campaign_keeps_its_technique() -> None:
    bundle = official()
    read = from_stix({"type": "bundle", "id": "bundle--5e0b3c1e-1111-4111-8111-111111111111",
                      "objects": [*disarm()["objects"], *_campaign_using(bundle["T0002"])]})  # fmt: skip
    assert [o.techniques for o in read.operations] == [("T0002",)]


def _pattern(name: str, *refs: dict[str, str]) -> dict[str, Any]:
    return _sdo("attack-pattern", repr((name, refs)), name=name, external_references=list(refs))


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        (_pattern("x", {"source_name": "mitre-attack", "external_id": "T0049.001"}), "T0049.001"),
        (_pattern("x", {"source_name": "DISARM", "external_id": "t0049.001"}), "T0049.001"),
        (_pattern("x", {"source_name": "disarm-techniques", "external_id": "T0146"}), "T0146"),
        (_pattern("T0049.001 - Trolls Amplify and Manipulate"), "T0049.001"),
        (_pattern("Flood Information Space"), "T0049"),
        (_pattern("Create Personas"), "T0097"),
    ],
)
def test_peer_attack_patterns_are_recognised_by_id_whatever_the_source_or_by_name(
    pattern: dict[str, Any], expected: str
) -> None:
    (operation,) = from_stix(_campaign_using(pattern), default_owner="organisation--peer").operations
    assert operation.techniques == (expected,)


def test_a_retired_technique_is_read_as_its_successor_with_a_note() -> None:
    read = from_stix(_campaign_using(_pattern("x", {"source_name": "DISARM", "external_id": "T0019"})))
    assert read.operations[0].techniques == ("T0049.008",)
    assert any(sid == CAMPAIGN and "T0019" in note and "T0049.008" in note for sid, note in read.notes)


def test_an_unknown_disarm_id_is_not_taken_and_is_noted() -> None:
    read = from_stix(_campaign_using(_pattern("x", {"source_name": "DISARM", "external_id": "T9999"})))
    assert read.operations[0].techniques == ()
    assert any("T9999" in note and "no DISARM technique" in note for _, note in read.notes)
    attack = _pattern("Phishing", {"source_name": "mitre-attack", "external_id": "T1566"})
    read = from_stix(_campaign_using(attack))
    assert read.operations[0].techniques == () and read.notes == ()  # ATT&CK's own: not DISARM's business


def test_our_techniques_survive_a_round_trip_and_match_disarms_ids_by_external_id() -> None:
    op = samples.operation(techniques=("T0049.001", "T0146"))
    bundle = to_stix([op])
    patterns = [o for o in bundle["objects"] if o["type"] == "attack-pattern"]
    assert {p["external_references"][0]["external_id"] for p in patterns} == {"T0049.001", "T0146"}
    assert from_stix(bundle).operations[0].techniques == ("T0049.001", "T0146")
