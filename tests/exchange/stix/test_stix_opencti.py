"""OpenCTI as a test peer, through its own Python library ``pycti`` and without a server:

* ``OpenCTIStix2Splitter``, which cuts a bundle into the work items OpenCTI's workers import, keeps every
  object of a hub's export, and every reference still resolves;
* pycti's own import of each object (``import_from_stix2``, its API call captured instead of sent) takes
  what the exchange is about: the campaign with the operation's status, operator type, narratives and dates;
  countries as ``Country`` locations; DISARM techniques with their DISARM id as ``x_mitre_id``; TLP and PAP as
  OpenCTI's own markings;
* the ids OpenCTI gives objects (``standard_id``, pycti's ``generate_id`` of each type): our attack patterns
  get the id of DISARM's own attack patterns, so OpenCTI merges them instead of duplicating; two hubs that
  export the same technique, country or organisation give the same ids; no two objects of one export
  collapse into one.

pycti pins versions that cannot share the development environment: ``make install`` gives it one of its own
(``.venv/peers/opencti``) and ``opencti_peer.py`` runs in it, in a subprocess."""

from __future__ import annotations

import json
import os
import subprocess
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from fimihub.exchange.stix import from_stix, to_stix
from fimihub.exchange.stix.extension import EXTENSION_ID
from fimihub.model import Governed, Operation
from tests.exchange.stix.test_stix_disarm import official
from tests.exchange.stix.test_stix_misp import GREEN, _operation
from tests.storage import samples

ROOT = Path(__file__).resolve().parents[3]
PEER = Path(os.environ.get("FIMIHUB_OPENCTI_PYTHON", ROOT / ".venv" / "peers" / "opencti" / "bin" / "python"))
DRIVER = Path(__file__).with_name("opencti_peer.py")
TECHNIQUES = ("T0049.001", "T0146")


def _hub(owner: str = "organisation--a", n: int = 1, name: str = "Doppelganger") -> list[Governed]:
    """A hub's operation as the MISP test builds it (two signals, three actions, feedback, a fingerprint),
    with the fields only fimihub's extension used to carry, an attribution, an account, and the earlier wave
    it continues; each record made at its own moment, as records are."""
    records: list[Governed] = []
    for k, record in enumerate(_operation(n, name)):
        changes: dict[str, Any] = {"owner_org": owner, "created_at": samples.T0 + timedelta(seconds=k)}
        if isinstance(record, Operation):
            changes.update(
                status="disrupted",
                operator_type="state-linked",
                narratives=("NATO provokes Russia", "Sanctions hurt Europe\nmore than Russia"),
                target_audience="German-speaking voters",
                first_seen=samples.T0 - timedelta(days=30),
                last_seen=samples.T0 - timedelta(days=1),
                attribution="Social Design Agency\nA Moscow-based firm",
                attribution_confidence=70,
                continues=(f"operation--{n}0000000-3c1c-4c1e-9a57-3c1d2e4f5a6b",),
            )
        if hasattr(record, "taken_at"):
            changes["taken_at"] = samples.T0 + timedelta(minutes=k)
        records.append(record.evolve(**changes))
    account = samples.asset(f"asset--{n}a8c5d0f-4d2d-4d2f-8b68-4d2e3f5a6b7c", owner_org=owner,
                            operation_id=records[0].id, marking=GREEN)  # fmt: skip
    earlier = samples.operation(f"operation--{n}0000000-3c1c-4c1e-9a57-3c1d2e4f5a6b", owner_org=owner,
                                name=f"{name} (first wave)", status="closed", marking=GREEN)  # fmt: skip
    return [*records, account, earlier]


def _organisations(owner: str) -> dict[str, Any]:
    return {owner: samples.organisation(owner, name="Platform A")}


def _read_by_pycti(tmp_path: Path, *bundles: dict[str, Any]) -> list[dict[str, Any]]:
    if not PEER.exists():
        pytest.skip(f"pycti's environment is not at {PEER}: `make install` creates it")
    paths = []
    for k, bundle in enumerate(bundles):
        paths.append(tmp_path / f"bundle-{k}.json")
        paths[-1].write_text(json.dumps(bundle), "utf-8")
    out = tmp_path / "opencti.json"
    done = subprocess.run([str(PEER), str(DRIVER), str(out), *map(str, paths)], capture_output=True,
                          text=True, timeout=300, check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr[-4000:]
    results: list[dict[str, Any]] = json.loads(out.read_text("utf-8"))
    return results


@pytest.fixture(scope="module")
def exports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """One run of pycti over: a hub's export; another hub's export of an operation with the same technique,
    country and organisation; DISARM's own attack patterns of the same techniques; the hub's operation alone,
    without the earlier wave it continues."""
    hub = to_stix(_hub(), organisations=_organisations("organisation--a"))
    other = to_stix(
        _hub("organisation--b", 2, "Spamouflage"), organisations=_organisations("organisation--b")
    )
    disarm = {"type": "bundle", "id": "bundle--5f1c5f0e-0d3b-4c47-9d53-0f2b1b0a7e11",
              "objects": [official()[t] for t in TECHNIQUES]}  # fmt: skip
    alone = to_stix(_hub()[:1])
    read = _read_by_pycti(tmp_path_factory.mktemp("opencti"), hub, other, disarm, alone)
    bundles = {"hub": hub, "other": other, "disarm": disarm, "alone": alone}
    return {**bundles, "read": dict(zip(bundles, read, strict=True))}


def _refs(obj: dict[str, Any]) -> list[str]:
    found: list[str] = []
    for key, value in obj.items():
        if key.endswith("_ref") and isinstance(value, str):
            found.append(value)
        elif key.endswith("_refs") and isinstance(value, list):
            found.extend(value)
    return found


# -- the splitter -----------------------------------------------------------------------------------------


def test_the_splitter_keeps_every_object_and_every_reference(exports: dict[str, Any]) -> None:
    objects = {o["id"]: o for o in exports["hub"]["objects"]}
    definitions = {i for i, o in objects.items() if o["type"] == "extension-definition"}
    for run in ("split", "split_cleaned"):
        split = exports["read"]["hub"][run]
        # Extension definitions describe properties: OpenCTI has no object for them, and nothing refers to
        # them. Every other object becomes a work item of its own.
        assert {o["id"] for o in split["incompatible"]} == definitions
        assert split["expectations"] == split["bundles"] == len(objects) - len(definitions)
        assert set(split["items"]) == set(objects) - definitions
        for stix_id, item in split["items"].items():
            # No reference dropped as unresolvable, and each one resolves. One cycle is by design: a
            # fingerprint's note names its operation's grouping (MISP attaches the note to the operation's
            # event by it) and the grouping names the note; the splitter breaks it by dropping the grouping's
            # reference, and the note still names the grouping.
            expected = _refs(objects[stix_id])
            if objects[stix_id]["type"] == "grouping":
                expected = [r for r in expected if not r.startswith("note--")]
            assert sorted(item["refs"]) == sorted(expected), stix_id
            assert set(item["refs"]) <= set(split["items"]), stix_id
            if objects[stix_id]["type"] == "note":
                assert any(r.startswith("grouping--") for r in item["refs"]), stix_id
    counts = {t: sum(1 for o in objects.values() if o["type"] == t) for t in ("campaign", "sighting")}
    assert counts == {"campaign": 2, "sighting": 9}  # three actions, each also a sighting of both indicators


def test_a_relationship_to_an_earlier_wave_outside_the_bundle_is_the_only_thing_set_aside(
    exports: dict[str, Any],
) -> None:
    objects = {o["id"]: o for o in exports["alone"]["objects"]}
    dangling = {i for i, o in objects.items() if any(r not in objects for r in _refs(o))}
    assert dangling and all(objects[i]["relationship_type"] == "attributed-to" for i in dangling)
    split = exports["read"]["alone"]["split_cleaned"]
    definitions = {i for i, o in objects.items() if o["type"] == "extension-definition"}
    assert {o["id"] for o in split["incompatible"]} == definitions | dangling
    assert set(split["items"]) == set(objects) - definitions - dangling


# -- what pycti's import takes --------------------------------------------------------------------------


def test_pycti_imports_every_object_it_has_a_type_for(exports: dict[str, Any]) -> None:
    imported = exports["read"]["hub"]["imported"]
    for obj in exports["hub"]["objects"]:
        taken = imported[obj["id"]]
        if obj["type"] in ("extension-definition", "user-account", "relationship", "sighting"):
            continue  # no entity; an observable (STIX's own id); relationships: ids below
        assert taken is not None and "offline" not in taken and "refused" not in taken, (obj["id"], taken)


def test_the_campaign_keeps_the_operation_in_standard_properties(exports: dict[str, Any]) -> None:
    (campaign,) = [o for o in exports["hub"]["objects"] if o["type"] == "campaign" and "labels" in o
                   and "fimi-status:disrupted" in o["labels"]]  # fmt: skip
    taken = exports["read"]["hub"]["imported"][campaign["id"]]
    assert taken["name"] == "Doppelganger"
    assert set(taken["objectLabel"]) == {
        "label:fimi-status:disrupted",
        "label:fimi-operator-type:state-linked",
    }
    assert taken["objective"] == (
        "Narratives:\n- NATO provokes Russia\n- Sanctions hurt Europe more than Russia\n"
        "Target audience: German-speaking voters"
    )
    assert taken["first_seen"] == "2024-04-01T12:00:00.123456Z"
    assert taken["last_seen"] == "2024-04-30T12:00:00.123456Z"
    assert taken["createdBy"] == campaign["created_by_ref"]
    assert set(taken["objectMarking"]) == set(campaign["object_marking_refs"])
    markings = {exports["read"]["hub"]["imported"][m]["definition"] for m in campaign["object_marking_refs"]}
    assert markings == {"TLP:GREEN", "PAP:AMBER"}  # OpenCTI's own TLP and PAP markings


def test_countries_are_country_locations_and_techniques_carry_their_disarm_id(
    exports: dict[str, Any],
) -> None:
    imported = exports["read"]["hub"]["imported"]
    places = {imported[o["id"]]["name"]: imported[o["id"]]["type"]
              for o in exports["hub"]["objects"] if o["type"] == "location"}  # fmt: skip
    assert places == {"Russian Federation": "Country", "Germany": "Country", "France": "Country"}
    patterns = {imported[o["id"]]["x_mitre_id"]: imported[o["id"]]
                for o in exports["hub"]["objects"] if o["type"] == "attack-pattern"}  # fmt: skip
    assert set(patterns) == set(TECHNIQUES)
    assert patterns["T0146"]["killChainPhases"] == ["kill-chain-phase:mitre-attack:establish-assets"]
    actor = [imported[o["id"]] for o in exports["hub"]["objects"] if o["type"] == "threat-actor"]
    assert [a["name"] for a in actor] == ["Social Design Agency"]


# -- OpenCTI's ids ------------------------------------------------------------------------------------------


def test_our_attack_patterns_get_the_opencti_id_of_disarms_own(exports: dict[str, Any]) -> None:
    ids = {name: exports["read"][name]["standard_ids"] for name in ("hub", "disarm")}
    ours = {
        o["external_references"][0]["external_id"]: ids["hub"][o["id"]]
        for o in exports["hub"]["objects"]
        if o["type"] == "attack-pattern"
    }
    theirs = {
        o["external_references"][0]["external_id"]: ids["disarm"][o["id"]]
        for o in exports["disarm"]["objects"]
    }
    assert ours == theirs and len(set(ours.values())) == len(TECHNIQUES)
    assert not set(ours.values()) & {o["id"] for o in exports["disarm"]["objects"]}  # DISARM's ids are random


def test_two_hubs_give_the_same_ids_for_the_same_technique_country_and_organisation(
    exports: dict[str, Any],
) -> None:
    def by_what(name: str) -> dict[tuple[str, str], str]:
        ids = exports["read"][name]["standard_ids"]
        found: dict[tuple[str, str], str] = {}
        for obj in exports[name]["objects"]:
            if obj["type"] in ("attack-pattern", "location", "identity", "marking-definition"):
                found[(obj["type"], obj["name"])] = ids[obj["id"]]
        return found

    hub, other = by_what("hub"), by_what("other")
    assert set(hub) == set(other) and hub == other
    assert ("identity", "Platform A") in hub  # the organisation, owner of different records on each hub
    campaigns = [
        exports["read"][name]["standard_ids"][o["id"]]
        for name in ("hub", "other")
        for o in exports[name]["objects"]
        if o["type"] == "campaign"
    ]
    assert len(set(campaigns)) == 4  # different operations stay apart


def test_no_two_objects_of_an_export_become_one_in_opencti(exports: dict[str, Any]) -> None:
    ids = exports["read"]["hub"]["standard_ids"]
    kinds = {o["id"]: o["type"] for o in exports["hub"]["objects"]}
    expected = {i for i, t in kinds.items() if t not in ("extension-definition", "user-account")}
    assert set(ids) == expected
    assert len(set(ids.values())) == len(ids)


# -- back from a tool that dropped our extension ----------------------------------------------------------


def test_a_campaign_without_our_extension_keeps_status_operator_type_narratives_and_audience() -> None:
    operation = _hub()[0]
    assert isinstance(operation, Operation)
    bundle = to_stix([operation])
    for obj in bundle["objects"]:
        obj.get("extensions", {}).pop(EXTENSION_ID, None)
    (read,) = [
        r for r in from_stix(bundle, default_owner="organisation--peer").records if isinstance(r, Operation)
    ]
    assert (read.status, read.operator_type) == ("disrupted", "state-linked")
    assert read.narratives == ("NATO provokes Russia", "Sanctions hurt Europe more than Russia")
    assert read.target_audience == "German-speaking voters"
    assert (read.first_seen, read.last_seen) == (operation.first_seen, operation.last_seen)
    assert set(read.origin_countries + read.target_countries) == {"RU", "DE", "FR"}
    assert set(read.techniques) == set(TECHNIQUES)


def test_labels_and_objectives_in_other_words_say_nothing() -> None:
    (operation, *_) = _hub()
    bundle = to_stix([operation])
    (campaign,) = [o for o in bundle["objects"] if o["type"] == "campaign"]
    campaign.pop("extensions")
    campaign["labels"] = ["fimi-status:abandoned", "fimi-operator-type:alien", "apt"]
    campaign["objective"] = "Sow discord.\n- not a narrative list"
    (read,) = [
        r for r in from_stix(bundle, default_owner="organisation--peer").records if isinstance(r, Operation)
    ]
    assert (read.status, read.operator_type, read.narratives, read.target_audience) == (
        "investigating",
        "unknown",
        (),
        "",
    )
