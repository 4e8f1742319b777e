"""Records to STIX: the objects of shared records, and whole bundles with what a STIX consumer needs to make
sense of them (identities, marking and extension definitions, DISARM attack patterns, groupings and
sightings for tools that read per event). :mod:`fimihub.exchange.stix.bundle` reads them back."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping

from fimihub.errors import ValidationError
from fimihub.exchange.stix._common import JSON
from fimihub.exchange.stix._objects import sdo
from fimihub.exchange.stix.extension import (
    EXTENSION_ID,
    FIMIHUB_IDENTITY_ID,
    extension_definition,
    fimihub_identity,
    organisation_identity,
    view,
)
from fimihub.exchange.stix.fingerprints import fingerprint_id, fingerprint_to_stix
from fimihub.exchange.stix.ids import derived_id, record_stix_id
from fimihub.exchange.stix.indicators import indicator_id, signal_to_stix
from fimihub.exchange.stix.markings import marking_definitions
from fimihub.exchange.stix.observables import asset_observable, assets_to_stix
from fimihub.exchange.stix.operations import (
    campaign_id,
    operation_to_stix,
)
from fimihub.exchange.stix.sightings import (
    action_to_stix,
    feedback_to_stix,
)
from fimihub.exchange.stix.signing import signature_extension_definition
from fimihub.exchange.stix.tombstones import deletion_extension_definition
from fimihub.model import Action, Asset, Feedback, Fingerprint, Governed, Operation, Organisation, Signal

__all__ = ["carrier_id", "grouping_object", "indicator_sighting", "to_stix", "to_stix_objects"]


def to_stix_objects(
    records: Iterable[Governed], *, organisations: Mapping[str, Organisation] | None = None
) -> list[JSON]:
    """Every STIX object ``records`` become, each once: the extension definition and the identities and
    marking definitions the objects refer to first, then the records' objects. ``organisations`` (by id) name
    the owners' identities; without it an identity is named by the organisation id."""
    organisations = organisations or {}
    assets: list[Asset] = []
    body: list[JSON] = []
    owners: dict[str, None] = {}
    for index, record in enumerate(records):
        owners.setdefault(record.owner_org, None)
        try:
            if isinstance(record, Operation):
                body += operation_to_stix(record)
            elif isinstance(record, Asset):
                assets.append(record)
            elif isinstance(record, Signal):
                body += signal_to_stix(record)
            elif isinstance(record, Action):
                body += action_to_stix(record)
            elif isinstance(record, Feedback):
                body += feedback_to_stix(record)
            elif isinstance(record, Fingerprint):
                body += fingerprint_to_stix(record)
            else:
                raise ValidationError(f"records[{index}]", f"a {type(record).__name__} is not shared in STIX")
        except ValidationError as exc:
            if exc.field.startswith("records["):
                raise
            raise ValidationError(f"records[{index}].{exc.field}", exc.errors[0][1]) from None
    body += assets_to_stix(assets)
    if not body:
        return []
    body += _sightings_of_indicators(body)
    head: list[JSON] = [
        extension_definition(),
        signature_extension_definition(),
        deletion_extension_definition(),
        fimihub_identity(),
    ]
    head += [organisation_identity(org, organisations.get(org)) for org in owners]
    refs = [ref for obj in body for ref in obj.get("object_marking_refs", ())]
    head += marking_definitions(refs, FIMIHUB_IDENTITY_ID)
    seen: set[str] = set()
    out: list[JSON] = []
    for obj in head + body:
        if obj["id"] not in seen:
            seen.add(obj["id"])
            out.append(obj)
    return out


def _sightings_of_indicators(body: list[JSON]) -> list[JSON]:
    """For each sighting of a campaign, one sighting of each indicator that ``indicates`` the campaign among
    ``body``: consumers that keep sightings only on indicators (MISP attaches them to attributes) keep the
    action. Each is derived from its action (``view: link``), same owner, time, count and markings."""
    indicators: dict[str, list[str]] = {}
    for obj in body:
        if obj["type"] == "relationship" and obj["relationship_type"] == "indicates":
            indicators.setdefault(obj["target_ref"], []).append(obj["source_ref"])
    derived: list[JSON] = []
    for obj in body:
        if obj["type"] != "sighting" or not str(obj["sighting_of_ref"]).startswith("campaign--"):
            continue
        for indicator in dict.fromkeys(indicators.get(obj["sighting_of_ref"], ())):
            derived.append(indicator_sighting(obj, indicator))
    return derived


def indicator_sighting(sighting: JSON, indicator: str) -> JSON:
    """The sighting of ``indicator`` derived from an action's ``sighting`` of a campaign: the same owner,
    time, count and markings, under an id derived from the two (``view: link`` names the action)."""
    record_id = sighting["extensions"][EXTENSION_ID]["record_id"]
    copy = {k: v for k, v in sighting.items() if k != "extensions"}
    copy["id"] = derived_id("sighting", "indicator", indicator, record_id)
    copy["sighting_of_ref"] = indicator
    copy["extensions"] = {EXTENSION_ID: view("link", record_id=record_id)}
    return copy


def to_stix(
    records: Iterable[Governed],
    *,
    organisations: Mapping[str, Organisation] | None = None,
    bundle_id: str | None = None,
) -> JSON:
    """A STIX 2.1 bundle of ``records`` (see :func:`to_stix_objects`); ``bundle_id`` defaults to a new one."""
    bundle: JSON = {"type": "bundle", "id": bundle_id or f"bundle--{uuid.uuid4()}"}
    held = list(records)
    objects = to_stix_objects(held, organisations=organisations)
    if objects:
        bundle["objects"] = objects + _groupings(held, objects)
    return bundle


def _groupings(records: list[Governed], objects: list[JSON]) -> list[JSON]:
    """A ``grouping`` per operation in the bundle, naming the objects that speak of it: its campaign and
    what derives from it, its signals' indicators and their relationships, its actions' sightings, its
    fingerprints, the assets' observables and the opinions on any of those. Tools that make one case of
    each grouping (MISP makes an event) keep an operation's exchange together."""
    by_id = {str(o["id"]): o for o in objects}
    members: dict[str, list[str]] = {r.id: [] for r in records if isinstance(r, Operation)}
    if not members:
        return []
    for record in records:
        operation_id = record.id if isinstance(record, Operation) else getattr(record, "operation_id", None)
        if operation_id in members:
            members[operation_id] += [
                str(o["id"]) for o in to_stix_objects([record]) if str(o["id"]) in by_id
            ]
    out: list[JSON] = []
    for operation in (r for r in records if isinstance(r, Operation) and r.id in members):
        refs = dict.fromkeys(members[operation.id])
        for obj in objects:  # sightings of its indicators, opinions on what it holds
            if (obj["type"] == "sighting" and obj["sighting_of_ref"] in refs) or (
                obj["type"] == "opinion" and any(r in refs for r in obj["object_refs"])
            ):
                refs[str(obj["id"])] = None
        out.append(grouping_object(operation, [r for r in refs if r in by_id]))
    return out


#: What a grouping may not name: definitions are neither SDOs, SROs nor SCOs.
_NOT_GROUPED = ("extension-definition--", "marking-definition--")


def grouping_object(operation: Operation, object_refs: Iterable[str]) -> JSON:
    """The ``grouping`` that keeps ``operation``'s exchange together, naming ``object_refs`` (its id is
    derived from the operation's, so every version and every hub names the same object). Marking and
    extension definitions are left out: STIX lets a grouping name only SDOs, SROs and SCOs (strict parsers
    refuse the others), and they travel with the objects that use them anyway."""
    grouping = sdo(operation, "grouping", derived_id("grouping", "operation", operation.id))
    grouping.update(
        name=operation.name,
        context="suspicious-activity",
        object_refs=[r for r in object_refs if not r.startswith(_NOT_GROUPED)],
        extensions={EXTENSION_ID: view("link", record_id=operation.id)},
    )
    if operation.description:
        grouping["description"] = operation.description
    return grouping


def carrier_id(record: Governed) -> str:
    """The id of the STIX object that carries ``record``: its campaign, indicator, sighting, opinion, note,
    or (an asset) the observable it stands for."""
    if isinstance(record, Operation):
        return campaign_id(record.id)
    if isinstance(record, Signal):
        return indicator_id(record.id)
    if isinstance(record, Action):
        return record_stix_id(record.id, "sighting", "action")
    if isinstance(record, Feedback):
        return record_stix_id(record.id, "opinion", "feedback")
    if isinstance(record, Fingerprint):
        return fingerprint_id(record.id)
    if isinstance(record, Asset):
        return str(asset_observable(record)["id"])
    raise ValidationError("record", f"a {type(record).__name__} is not shared in STIX")
