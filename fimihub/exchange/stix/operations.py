"""Operations as STIX: a ``campaign``, with the actor behind it where the record says who that is.

Which objects an operation becomes is decided from its fields:

* always a ``campaign`` (``campaign--<uuid of the operation id>``): name, aliases, description, first and last
  seen in standard properties; status and operator type also as ``labels`` (``fimi-status:disrupted``,
  ``fimi-operator-type:state-linked``) and the narratives and target audience also as its ``objective``, so
  that tools which drop fimihub's extension (OpenCTI, MISP) keep them; everything in fimihub's extension;
* a ``threat-actor`` when the operation is **attributed** (``attribution`` is not empty), linked by
  ``attributed-to`` with the attribution confidence as the relationship's ``confidence``; its type comes from
  the operator type (state and state-linked: ``nation-state``; domestic political: ``activist``; others
  ``unknown``);
* an ``intrusion-set`` when the operation is the latest wave of a **persistent actor**, i.e. it ``continues``
  earlier operations: the set stands for the network behind all of them, and this campaign and each one it
  continues are ``attributed-to`` it (and the set to the threat actor, when there is one);
* a ``location`` per country the operation originates from or targets (``country``: the ISO 3166-1 code),
  linked by ``originates-from`` and ``targets``: published vocabulary, the same object on every hub;
* an ``attack-pattern`` per DISARM technique, linked by ``uses``, written as DISARM's own STIX bundle writes
  it: the technique's name and description, its tactics as ``mitre-attack`` kill-chain phases, and an
  external reference ``source_name: "mitre-attack"`` whose ``external_id`` is the DISARM id, with DISARM's
  page of the technique (what MISP's and OpenCTI's DISARM imports key on). Its id derives from the DISARM id.

Reading back, the campaign alone rebuilds the operation (its extension keeps techniques, attribution and the
operations it continues), so a page of a TAXII collection that holds the campaign but not its neighbours loses
nothing.
"""

from __future__ import annotations

from typing import Any

from iso3166 import countries_by_alpha2

from fimihub.exchange.stix._common import JSON, ObjectReader, extension_fields, parse_record, stix_time
from fimihub.exchange.stix._objects import relationship, sdo
from fimihub.exchange.stix.extension import EXTENSION_ID, published, record_extension, record_fields, view
from fimihub.exchange.stix.ids import derived_id, record_stix_id
from fimihub.exchange.stix.markings import TLP_MARKING_IDS
from fimihub.model import PAP, TLP, Operation, OperationStatus, OperatorType
from fimihub.vocab import technique as disarm_technique

__all__ = [
    "DISARM_KILL_CHAIN",
    "DISARM_SOURCE",
    "OPERATOR_TYPE_LABEL",
    "STATUS_LABEL",
    "attack_pattern",
    "attack_pattern_id",
    "campaign_id",
    "country_location",
    "country_location_id",
    "operation_from_stix",
    "operation_to_stix",
]

#: ``source_name`` of the external reference that names a DISARM technique, as DISARM's bundle writes it.
DISARM_SOURCE = "mitre-attack"
#: The kill chain DISARM's bundle files its tactics under.
DISARM_KILL_CHAIN = "mitre-attack"

#: Prefixes of the campaign ``labels`` that say the operation's status and operator type.
STATUS_LABEL = "fimi-status:"
OPERATOR_TYPE_LABEL = "fimi-operator-type:"
_NARRATIVES = "Narratives:"
_AUDIENCE = "Target audience:"

_STANDARD = {f: f for f in ("name", "aliases", "description", "first_seen", "last_seen")}
_EXTENSION_FIELDS = extension_fields(Operation, _STANDARD)
_ACTOR_TYPES = {
    OperatorType.STATE: "nation-state",
    OperatorType.STATE_LINKED: "nation-state",
    OperatorType.DOMESTIC_POLITICAL: "activist",
    OperatorType.COMMERCIAL_VENDOR: "unknown",
    OperatorType.UNKNOWN: "unknown",
}


def campaign_id(operation_id: str) -> str:
    """The id of the campaign that carries operation ``operation_id``."""
    return record_stix_id(operation_id, "campaign", "operation")


def attack_pattern_id(technique: str) -> str:
    """The id of the attack pattern of DISARM technique ``technique`` (``T0049.001``), alike on every hub."""
    return derived_id("attack-pattern", "disarm", technique)


def attack_pattern(technique: str) -> JSON:
    """The attack pattern of a DISARM technique as DISARM's bundle has it: public, so TLP:CLEAR, and
    published by fimihub. A retired id is written as its successor."""
    found = disarm_technique(technique)
    properties: JSON = {"name": found.name}
    if found.description:
        properties["description"] = found.description
    if found.tactics:
        properties["kill_chain_phases"] = [
            {"kill_chain_name": DISARM_KILL_CHAIN, "phase_name": tactic} for tactic in found.tactics
        ]
    return published(
        "attack-pattern",
        attack_pattern_id(found.id),
        **properties,
        external_references=[{"source_name": DISARM_SOURCE, "url": found.url, "external_id": found.id}],
        object_marking_refs=[TLP_MARKING_IDS[TLP.CLEAR]],
        extensions={EXTENSION_ID: view("technique", disarm_id=found.id)},
    )


def country_location_id(code: str) -> str:
    """The id of the location of country ``code`` (ISO 3166-1 alpha-2), alike on every hub."""
    return derived_id("location", "country", code)


def country_location(code: str) -> JSON:
    """The location of a country: public, so TLP:CLEAR, and published by fimihub."""
    found = countries_by_alpha2.get(code)
    return published(
        "location",
        country_location_id(code),
        name=found.name if found else code,
        country=code,
        object_marking_refs=[TLP_MARKING_IDS[TLP.CLEAR]],
        extensions={EXTENSION_ID: view("country", country=code)},
    )


def operation_to_stix(operation: Operation) -> list[JSON]:
    """The campaign of ``operation`` and the objects derived from it (see the module's rule)."""
    campaign = sdo(operation, "campaign", campaign_id(operation.id))
    campaign["name"] = operation.name
    if operation.aliases:
        campaign["aliases"] = list(operation.aliases)
    if operation.description:
        campaign["description"] = operation.description
    if operation.first_seen:
        campaign["first_seen"] = stix_time(operation.first_seen)
    if operation.last_seen:
        campaign["last_seen"] = stix_time(operation.last_seen)
    campaign["labels"] = [
        f"{STATUS_LABEL}{operation.status.value}",
        f"{OPERATOR_TYPE_LABEL}{operation.operator_type.value}",
    ]
    objective = campaign_objective(operation)
    if objective:
        campaign["objective"] = objective
    campaign["extensions"] = record_extension(operation, "operation", _EXTENSION_FIELDS)
    objects = [campaign]
    for kind, codes in (
        ("originates-from", operation.origin_countries),
        ("targets", operation.target_countries),
    ):
        for code in dict.fromkeys(codes):
            place = country_location(code)
            objects += [place, relationship(operation, kind, campaign["id"], place["id"])]
    for technique in operation.techniques:
        pattern = attack_pattern(technique)
        objects += [pattern, relationship(operation, "uses", campaign["id"], pattern["id"])]
    actor_id = None
    if operation.attribution:
        actor = _threat_actor(operation)
        actor_id = actor["id"]
        objects += [
            actor,
            relationship(
                operation,
                "attributed-to",
                campaign["id"],
                actor_id,
                confidence=operation.attribution_confidence,
            ),
        ]
    if operation.continues:
        network = _intrusion_set(operation)
        objects += [network, relationship(operation, "attributed-to", campaign["id"], network["id"])]
        objects += [
            relationship(operation, "attributed-to", campaign_id(earlier), network["id"])
            for earlier in operation.continues
        ]
        if actor_id is not None:
            objects.append(relationship(operation, "attributed-to", network["id"], actor_id))
    return objects


def campaign_objective(operation: Operation) -> str:
    """What the operation sets out to do, in words a campaign's ``objective`` holds: the narratives it pushes,
    one per line, and the audience it targets; empty when the operation names neither."""
    lines: list[str] = []
    if operation.narratives:
        lines.append(_NARRATIVES)
        lines += [f"- {' '.join(n.split())}" for n in operation.narratives]
    if operation.target_audience.strip():
        lines.append(f"{_AUDIENCE} {' '.join(operation.target_audience.split())}")
    return "\n".join(lines)


def _objective_fields(objective: str) -> dict[str, Any]:
    """The narratives and target audience an objective written by :func:`campaign_objective` names; nothing
    from an objective in other words."""
    lines = objective.splitlines()
    found: dict[str, Any] = {}
    if lines and lines[0] == _NARRATIVES:
        narratives = [line[2:] for line in lines[1:] if line.startswith("- ") and line[2:].strip()]
        if narratives:
            found["narratives"] = tuple(narratives)
    for line in lines:
        if line.startswith(_AUDIENCE) and line[len(_AUDIENCE) :].strip():
            found["target_audience"] = line[len(_AUDIENCE) :].strip()
    return found


def _label_fields(labels: list[str]) -> dict[str, Any]:
    """The status and operator type a peer's campaign states in labels as fimihub writes them; other labels,
    and values fimihub does not know, say nothing."""
    found: dict[str, Any] = {}
    for label in labels:
        if label.startswith(STATUS_LABEL) and label[len(STATUS_LABEL) :] in {
            s.value for s in OperationStatus
        }:
            found["status"] = label[len(STATUS_LABEL) :]
        elif label.startswith(OPERATOR_TYPE_LABEL) and label[len(OPERATOR_TYPE_LABEL) :] in {
            t.value for t in OperatorType
        }:
            found["operator_type"] = label[len(OPERATOR_TYPE_LABEL) :]
    return found


def _threat_actor(operation: Operation) -> JSON:
    actor = sdo(operation, "threat-actor", derived_id("threat-actor", "operation", operation.id))
    first_line = operation.attribution.strip().splitlines()[0] if operation.attribution.strip() else ""
    actor["name"] = first_line[:200].strip() or "unnamed operator"
    actor["description"] = operation.attribution
    actor["threat_actor_types"] = [_ACTOR_TYPES[operation.operator_type]]
    actor["extensions"] = {EXTENSION_ID: view("attribution", record_id=operation.id)}
    return actor


def _intrusion_set(operation: Operation) -> JSON:
    network = sdo(operation, "intrusion-set", derived_id("intrusion-set", "operation", operation.id))
    network["name"] = operation.name
    if operation.aliases:
        network["aliases"] = list(operation.aliases)
    count = len(operation.continues)
    network["description"] = (
        f"The persistent network behind {operation.name}, which continues {count} earlier "
        f"operation{'s' if count != 1 else ''}."
    )
    network["extensions"] = {EXTENSION_ID: view("persistent-actor", record_id=operation.id)}
    return network


def operation_from_stix(
    obj: ObjectReader, ext: ObjectReader, *, tlp: TLP | None = None, pap: PAP | None = None
) -> Operation:
    """The operation a campaign of fimihub's carries (``ext`` is its extension)."""
    data = record_fields(ext, _EXTENSION_FIELDS, tlp=tlp, pap=pap) | _campaign_fields(obj)
    return parse_record(Operation, data, ext, _STANDARD)


def foreign_operation(
    obj: ObjectReader,
    governed: dict[str, Any],
    techniques: list[str],
    attribution: str,
    countries: dict[str, list[str]] | None = None,
) -> Operation:
    """The operation a peer's campaign without fimihub's extension stands for; ``countries`` holds the
    ISO codes of the locations it ``originates-from`` and ``targets``. Status, operator type, narratives and
    target audience come from labels and an objective as fimihub writes them (a campaign of ours that came
    back through a tool that dropped the extension)."""
    data = dict(governed)
    data.update(_campaign_fields(obj))
    data.update(_label_fields(obj.texts("labels")))
    data.update(_objective_fields(obj.optional_text("objective") or ""))
    data.update(techniques=tuple(dict.fromkeys(techniques)), attribution=attribution)
    for kind, field in (("originates-from", "origin_countries"), ("targets", "target_countries")):
        if (countries or {}).get(kind):
            data[field] = tuple(dict.fromkeys((countries or {})[kind]))
    return parse_record(Operation, data, obj, _STANDARD)


def _campaign_fields(obj: ObjectReader) -> dict[str, Any]:
    """The operation's fields a campaign carries in standard properties."""
    return {
        "name": obj.text("name"),
        "aliases": tuple(obj.texts("aliases")),
        "description": obj.optional_text("description") or "",
        "first_seen": obj.optional_timestamp("first_seen"),
        "last_seen": obj.optional_timestamp("last_seen"),
    }
