"""OpenCTI's own Python library (``pycti``) reading a bundle of ours, with no OpenCTI server.

Run by ``test_stix_opencti.py`` with the Python of the environment ``make install`` gives pycti
(``.venv/peers/opencti``: pycti pins versions that cannot share the development environment)::

    .venv/peers/opencti/bin/python tests/exchange/stix/opencti_peer.py results.json bundle.json …

It writes, as JSON, a list with one entry per bundle:

* ``split``: what ``OpenCTIStix2Splitter`` (how OpenCTI cuts a bundle into the work items its workers import)
  yields: how many items, the objects it set aside as incompatible, and each item's references as they came
  out, with and without OpenCTI's clean-up of references that do not resolve;
* ``imported``: per object, what pycti's own ``import_from_stix2`` of that type hands to OpenCTI's API (the
  keyword arguments of its ``create``, captured instead of sent), with the labels, markings, author and kill
  chain phases its reading of embedded references resolved;
* ``standard_ids``: per object, the id OpenCTI gives it (``standard_id``), computed by pycti's ``generate_id``
  of its type from the properties OpenCTI identifies that type by, as OpenCTI reads them from our object;
  relationships and sightings name the standard ids of their ends, as OpenCTI stores them.
"""

from __future__ import annotations

import copy
import json
import sys
from pathlib import Path
from typing import Any

from pycti import OpenCTIApiClient, OpenCTIStix2Splitter
from pycti.entities.opencti_attack_pattern import AttackPattern
from pycti.entities.opencti_location import Location

_IDENTITY_TYPES = {"Organization": "organization", "Individual": "individual", "Sector": "class"}


def _refs(obj: dict[str, Any]) -> list[str]:
    found: list[str] = []
    for key, value in obj.items():
        if key.endswith("_ref") and isinstance(value, str):
            found.append(value)
        elif key.endswith("_refs") and isinstance(value, list):
            found.extend(v for v in value if isinstance(v, str))
    return found


def split(bundle: dict[str, Any], cleanup: bool) -> dict[str, Any]:
    expectations, incompatible, bundles = OpenCTIStix2Splitter().split_bundle_with_expectations(
        copy.deepcopy(bundle), use_json=False, cleanup_inconsistent_bundle=cleanup
    )
    items = [item for part in bundles for item in part["objects"]]
    return {
        "expectations": expectations,
        "bundles": len(bundles),
        "incompatible": [{"id": o["id"], "type": o["type"]} for o in incompatible],
        "items": {o["id"]: {"type": o["type"], "refs": _refs(o)} for o in items},
    }


class _Offline(Exception):
    """pycti tried to reach a server: what it asked for is in the message."""


def _client() -> Any:
    client = OpenCTIApiClient("http://127.0.0.1:9", "offline", log_level="error", perform_health_check=False)

    def no_server(query: str, variables: Any = None, **_: Any) -> Any:
        raise _Offline(" ".join(query.split())[:120])

    client.query = no_server
    # The open vocabularies of the platform's schema are fetched once from the server: none here.
    client.stix2.mapping_cache_permanent["vocabularies_definition_fields"] = []
    client.label.read_or_create_unchecked = lambda value, **_: {"id": f"label:{value}", "value": value}
    client.kill_chain_phase.create = lambda **kw: {
        "id": f"kill-chain-phase:{kw['kill_chain_name']}:{kw['phase_name']}",
        "entity_type": "Kill-Chain-Phase",
    }
    client.external_reference.create = lambda **kw: {
        "id": f"external-reference:{kw.get('source_name')}:{kw.get('external_id')}",
        "entity_type": "External-Reference",
    }
    return client


def _captured(client: Any, obj: dict[str, Any]) -> dict[str, Any] | None:
    """What pycti's import of ``obj`` hands to OpenCTI's API, or None for a type it has no import for."""
    helper = client.stix2.get_stix_helper().get(obj["type"])
    if helper is None or obj["type"] in ("relationship", "sighting"):
        return None
    calls: list[dict[str, Any]] = []

    def create(**kwargs: Any) -> dict[str, Any]:
        calls.append(kwargs)
        return {"id": obj["id"], "entity_type": obj["type"], "standard_id": obj["id"]}

    helper.create = create
    for part in ("threat_actor_group", "threat_actor_individual"):  # a threat actor is one of the two
        if hasattr(helper, part):
            getattr(helper, part).create = create
    stix_object = copy.deepcopy(obj)
    try:
        extras = client.stix2.extract_embedded_relationships(stix_object)
        helper.import_from_stix2(stixObject=stix_object, extras=_extras(extras), update=False)
    except _Offline as exc:
        return {"offline": str(exc)}
    if not calls:
        return {"refused": True}
    return {k: v for k, v in calls[-1].items() if v is not None and _jsonable(v)}


def _extras(embedded: dict[str, Any]) -> dict[str, Any]:
    return {
        "created_by_id": embedded["created_by"],
        "object_marking_ids": embedded["object_marking"],
        "object_label_ids": embedded["object_label"],
        "kill_chain_phases_ids": embedded["kill_chain_phases"],
        "object_ids": embedded["object_refs"],
        "external_references_ids": embedded["external_references"],
        "open_vocabs": embedded["open_vocabs"],
    }


def _jsonable(value: Any) -> bool:
    try:
        json.dumps(value)
    except TypeError:
        return False
    return True


def standard_id(client: Any, obj: dict[str, Any], taken: dict[str, Any], ends: dict[str, str]) -> str | None:
    """The id OpenCTI gives ``obj``, from what its import ``taken`` from it."""
    kind = obj["type"]
    if kind == "attack-pattern":
        return str(AttackPattern.generate_id(taken["name"], taken.get("x_mitre_id")))
    if kind == "location":
        return str(
            Location.generate_id(taken["name"], taken["type"], taken.get("latitude"), taken.get("longitude"))
        )
    data = dict(obj)
    if kind == "identity":
        data["identity_class"] = _IDENTITY_TYPES.get(taken.get("type", ""), obj.get("identity_class"))
    if kind == "marking-definition":
        data["definition_type"], data["definition"] = taken["definition_type"], taken["definition"]
    if kind == "relationship":
        data["source_ref"] = ends.get(obj["source_ref"], obj["source_ref"])
        data["target_ref"] = ends.get(obj["target_ref"], obj["target_ref"])
    if kind == "sighting":
        data["sighting_of_ref"] = ends.get(obj["sighting_of_ref"], obj["sighting_of_ref"])
        data["where_sighted_refs"] = [ends.get(r, r) for r in obj["where_sighted_refs"]]
    if kind not in client.stix2.get_stix_helper():
        return None
    return str(client.stix2.generate_standard_id_from_stix(data))


def read(source: str) -> dict[str, Any]:
    bundle = json.loads(Path(source).read_text("utf-8"))
    client = _client()
    imported = {o["id"]: _captured(client, o) for o in bundle["objects"]}
    ids: dict[str, str] = {}
    ordered = sorted(bundle["objects"], key=lambda o: o["type"] in ("relationship", "sighting"))
    for obj in ordered:
        taken = imported.get(obj["id"]) or {}
        if "offline" not in taken and "refused" not in taken:
            found = standard_id(client, obj, taken, ids)
            if found is not None:
                ids[obj["id"]] = found
    return {
        "split": split(bundle, cleanup=False),
        "split_cleaned": split(bundle, cleanup=True),
        "imported": imported,
        "standard_ids": ids,
    }


if __name__ == "__main__":
    results = [read(source) for source in sys.argv[2:]]
    Path(sys.argv[1]).write_text(json.dumps(results, indent=1, sort_keys=True), "utf-8")
