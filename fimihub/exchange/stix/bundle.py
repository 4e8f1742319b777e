"""Whole exchanges: records to a STIX bundle, and a peer's bundle (or loose objects) back to records.

:func:`to_stix` writes every record that members share — operations, assets, signals, actions, feedback —
with what a STIX consumer needs to make sense of them: the identities of the owner organisations, the TLP 2.0
and PAP marking definitions, fimihub's extension definition, and the attack patterns of DISARM techniques.

:func:`from_stix` reads a bundle back. Objects that carry fimihub's extension become the records they carry,
exactly as they were written. A peer's objects without it are read where STIX says enough: a ``campaign``
becomes an operation (its DISARM techniques and attribution from ``uses`` and ``attributed-to``
relationships), an ``indicator`` whose pattern names one observable fimihub matches on becomes a signal
(``indicates`` gives its operation), an ``opinion`` becomes feedback. Everything else — and the relationships
that were not read into a record — comes back in :attr:`StixImport.unknown`, as it was sent, for the caller to
store; nothing is dropped silently. Ids of records the peer revoked come back in :attr:`StixImport.revoked`.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from fimihub.errors import ValidationError
from fimihub.exchange.stix._common import JSON, ObjectReader
from fimihub.exchange.stix.extension import (
    EXTENSION_ID,
    FIMIHUB_IDENTITY_ID,
    extension_definition,
    fimihub_identity,
    organisation_identity,
)
from fimihub.exchange.stix.fingerprints import fingerprint_from_stix, fingerprint_id, fingerprint_to_stix
from fimihub.exchange.stix.ids import id_type, record_id_for, record_stix_id
from fimihub.exchange.stix.indicators import foreign_signal, indicator_id, signal_from_stix, signal_to_stix
from fimihub.exchange.stix.markings import marking_definitions, pap_from_refs, tlp_from_refs
from fimihub.exchange.stix.observables import asset_observable, assets_from_stix, assets_to_stix
from fimihub.exchange.stix.operations import (
    DISARM_SOURCE,
    campaign_id,
    foreign_operation,
    operation_from_stix,
    operation_to_stix,
)
from fimihub.exchange.stix.sightings import (
    action_from_stix,
    action_to_stix,
    feedback_from_stix,
    feedback_to_stix,
    foreign_feedback,
)
from fimihub.model import Action, Asset, Feedback, Fingerprint, Governed, Operation, Organisation, Signal
from fimihub.vocab import disarm_id

__all__ = ["StixImport", "carrier_id", "from_stix", "to_stix", "to_stix_objects"]

G = TypeVar("G", bound=Governed)
_SCO_TYPES = frozenset({"user-account", "domain-name", "url"})
#: The STIX types that may carry each kind of fimihub record.
_CARRIERS: dict[str, frozenset[str]] = {
    "operation": frozenset({"campaign"}),
    "signal": frozenset({"indicator"}),
    "action": frozenset({"sighting"}),
    "feedback": frozenset({"opinion"}),
    "fingerprint": frozenset({"note"}),
    "asset": _SCO_TYPES,
}
_PREFIXES = {"campaign": "operation", "indicator": "signal", "opinion": "feedback"}


@dataclass(frozen=True, slots=True)
class StixImport:
    """What :func:`from_stix` read: the records, the objects it has no record for, and revocations."""

    #: Records in the order their objects came, one version each (the latest ``modified``).
    records: tuple[Governed, ...] = ()
    #: Objects fimihub does not map to a record, exactly as the peer sent them; the caller stores them as-is.
    unknown: tuple[JSON, ...] = ()
    #: Ids of records whose object the peer marked ``revoked``: the caller withdraws them.
    revoked: tuple[str, ...] = ()

    def of_type(self, cls: type[G]) -> tuple[G, ...]:
        """The records of type ``cls``."""
        return tuple(r for r in self.records if isinstance(r, cls))

    @property
    def operations(self) -> tuple[Operation, ...]:
        return self.of_type(Operation)

    @property
    def assets(self) -> tuple[Asset, ...]:
        return self.of_type(Asset)

    @property
    def signals(self) -> tuple[Signal, ...]:
        return self.of_type(Signal)

    @property
    def actions(self) -> tuple[Action, ...]:
        return self.of_type(Action)

    @property
    def feedback(self) -> tuple[Feedback, ...]:
        return self.of_type(Feedback)

    @property
    def fingerprints(self) -> tuple[Fingerprint, ...]:
        return self.of_type(Fingerprint)


# --- writing ---------------------------------------------------------------------------------------------


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
    head: list[JSON] = [extension_definition(), fimihub_identity()]
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


def to_stix(
    records: Iterable[Governed],
    *,
    organisations: Mapping[str, Organisation] | None = None,
    bundle_id: str | None = None,
) -> JSON:
    """A STIX 2.1 bundle of ``records`` (see :func:`to_stix_objects`); ``bundle_id`` defaults to a new one."""
    bundle: JSON = {"type": "bundle", "id": bundle_id or f"bundle--{uuid.uuid4()}"}
    objects = to_stix_objects(records, organisations=organisations)
    if objects:
        bundle["objects"] = objects
    return bundle


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


# --- reading ---------------------------------------------------------------------------------------------


def from_stix(
    data: Mapping[str, Any] | Iterable[Mapping[str, Any]] | str | bytes,
    *,
    owners: Mapping[str, str] | None = None,
    default_owner: str | None = None,
) -> StixImport:
    """The records in a peer's bundle, one object, or a list of objects (as JSON text or parsed).

    A record's owner is the one its fimihub extension names. For a peer's object without the extension, it is
    the organisation ``owners`` maps its ``created_by_ref`` identity to, else the organisation a fimihub
    identity in the bundle stands for, else the ``created_by_ref`` itself, else ``default_owner``.

    Raises :class:`ValidationError` naming the object id and property for malformed objects, wrong types,
    missing required properties and patterns that are not STIX patterns.
    """
    objects = _objects(data)
    latest = _latest_versions(objects)
    definitions = {o["id"]: o for o in latest.values() if o["type"] == "marking-definition"}
    identities = {o["id"]: o for o in latest.values() if o["type"] == "identity"}
    reader = _Reader(latest, definitions, identities, owners or {}, default_owner)
    return reader.read()


def _objects(data: Mapping[str, Any] | Iterable[Mapping[str, Any]] | str | bytes) -> list[Mapping[str, Any]]:
    if isinstance(data, (str, bytes)):
        try:
            data = json.loads(data)
        except ValueError as exc:
            raise ValidationError("(root)", f"not JSON: {exc}") from None
    if isinstance(data, Mapping):
        if data.get("type") == "bundle":
            items = data.get("objects", [])
            if not isinstance(items, list):
                raise ValidationError(f"{data.get('id', 'bundle')}.objects", "expected a list of objects")
            where = "objects"
        else:
            items, where = [data], "(root)"
    elif isinstance(data, Iterable):
        items, where = list(data), "objects"
    else:
        raise ValidationError("(root)", "expected a STIX bundle, object or list of objects")
    for index, obj in enumerate(items):
        label = f"{where}[{index}]" if where == "objects" else where
        if not isinstance(obj, Mapping):
            raise ValidationError(label, f"expected a STIX object, got {type(obj).__name__}")
        stix_id, stix_type = obj.get("id"), obj.get("type")
        if not isinstance(stix_type, str) or not stix_type:
            raise ValidationError(
                f"{stix_id if isinstance(stix_id, str) else label}.type", "required property missing"
            )
        if not isinstance(stix_id, str):
            raise ValidationError(f"{label}.id", "required property missing")
        try:
            found = id_type(stix_id)
        except ValueError as exc:
            raise ValidationError(f"{label}.id", str(exc)) from None
        if found != stix_type:
            raise ValidationError(f"{stix_id}.type", f"{stix_type!r} does not match the id's type {found!r}")
    return list(items)


def _latest_versions(objects: list[Mapping[str, Any]]) -> dict[str, Mapping[str, Any]]:
    latest: dict[str, Mapping[str, Any]] = {}
    stamps: dict[str, datetime | None] = {}
    for obj in objects:
        stix_id = obj["id"]
        stamp = ObjectReader(obj, stix_id).optional_timestamp("modified")
        known = stamps.get(stix_id)
        if stix_id not in latest or (stamp is not None and (known is None or stamp > known)):
            latest[stix_id] = obj
            stamps[stix_id] = stamp
    return latest


class _Reader:
    """One pass over a bundle's objects (the latest version of each)."""

    def __init__(
        self,
        objects: Mapping[str, Mapping[str, Any]],
        definitions: Mapping[str, Mapping[str, Any]],
        identities: Mapping[str, Mapping[str, Any]],
        owners: Mapping[str, str],
        default_owner: str | None,
    ) -> None:
        self.objects = objects
        self.definitions = definitions
        self.identities = identities
        self.owners = owners
        self.default_owner = default_owner
        self.records: dict[str, list[Governed]] = {}  # by STIX id, in the order the objects came
        self.revoked: list[str] = []
        self.consumed: set[str] = set()
        self.foreign_campaigns: dict[str, ObjectReader] = {}
        self.techniques: dict[str, list[str]] = {}
        self.attribution: dict[str, list[str]] = {}
        self.operation_of: dict[str, str] = {}

    def read(self) -> StixImport:
        for stix_id, obj in self.objects.items():
            self._read_one(stix_id, obj)
        self._read_relationships()
        for stix_id, reader in self.foreign_campaigns.items():
            governed = self._foreign_governance(reader, "operation")
            attribution = "; ".join(self.attribution.get(stix_id, []))
            techniques = self.techniques.get(stix_id, [])
            self.records[stix_id] = [foreign_operation(reader, governed, techniques, attribution)]
        for stix_id, operation_id in self.operation_of.items():
            (signal,) = self.records[stix_id]
            if isinstance(signal, Signal) and signal.operation_id is None:
                self.records[stix_id] = [signal.evolve(operation_id=operation_id)]
        records = tuple(r for found in self.records.values() for r in found)
        for stix_id, found in self.records.items():
            if self.objects[stix_id].get("revoked") is True:
                self.revoked += [r.id for r in found]
        unknown = tuple(
            dict(obj)
            for stix_id, obj in self.objects.items()
            if stix_id not in self.records and stix_id not in self.consumed
        )
        return StixImport(records=records, unknown=unknown, revoked=tuple(dict.fromkeys(self.revoked)))

    def _read_one(self, stix_id: str, obj: Mapping[str, Any]) -> None:
        reader = ObjectReader(obj, stix_id)
        stix_type = obj["type"]
        extensions = obj.get("extensions")
        if extensions is not None and not isinstance(extensions, Mapping):
            raise reader.error("extensions", "expected an object")
        if stix_id in (EXTENSION_ID, FIMIHUB_IDENTITY_ID):
            self.consumed.add(stix_id)
            return
        if stix_type == "marking-definition":
            if tlp_from_refs([stix_id], self.definitions) or pap_from_refs([stix_id], self.definitions):
                self.consumed.add(stix_id)
            return
        if extensions and EXTENSION_ID in extensions:
            self._read_ours(reader, stix_type)
            return
        if stix_type == "campaign":
            self.records[stix_id] = []
            self.foreign_campaigns[stix_id] = reader
        elif stix_type == "indicator":
            signal = foreign_signal(reader, self._foreign_governance(reader, "signal"))
            if signal is not None:
                self.records[stix_id] = [signal]
        elif stix_type == "opinion":
            self.records[stix_id] = [foreign_feedback(reader, self._foreign_governance(reader, "feedback"))]

    def _read_ours(self, reader: ObjectReader, stix_type: str) -> None:
        ext = reader.mapping("extensions").mapping(EXTENSION_ID)
        if ext.has("view"):
            ext.text("view")
            self.consumed.add(reader.object_id)
            return
        record_type = ext.text("record")
        carriers = _CARRIERS.get(record_type)
        if carriers is None:
            raise ext.error("record", f"{record_type!r} is not a record fimihub shares")
        if stix_type not in carriers:
            raise ext.error("record", f"a {stix_type} cannot carry a {record_type}")
        refs = reader.texts("object_marking_refs")
        tlp = tlp_from_refs(refs, self.definitions)
        pap = pap_from_refs(refs, self.definitions)
        if stix_type in _SCO_TYPES:
            self.records[reader.object_id] = list(assets_from_stix(ext, tlp=tlp, pap=pap))
            return
        if tlp is None:
            raise reader.error("object_marking_refs", "a fimihub record needs its TLP marking")
        readers = {
            "operation": operation_from_stix,
            "signal": signal_from_stix,
            "action": action_from_stix,
            "feedback": feedback_from_stix,
            "fingerprint": fingerprint_from_stix,
        }
        self.records[reader.object_id] = [readers[record_type](reader, ext, tlp=tlp, pap=pap)]

    def _foreign_governance(self, reader: ObjectReader, prefix: str) -> dict[str, Any]:
        refs = reader.texts("object_marking_refs")
        created = reader.timestamp("created")
        marking: dict[str, Any] = {}
        if (tlp := tlp_from_refs(refs, self.definitions)) is not None:
            marking["tlp"] = tlp
        if (pap := pap_from_refs(refs, self.definitions)) is not None:
            marking["pap"] = pap
        return {
            "id": record_id_for(reader.object_id, prefix),
            "owner_org": self._owner(reader),
            "marking": marking,
            "created_at": created,
            "modified_at": reader.optional_timestamp("modified") or created,
        }

    def _owner(self, reader: ObjectReader) -> str:
        creator = reader.optional_text("created_by_ref")
        if creator is None:
            if self.default_owner is None:
                raise reader.error(
                    "created_by_ref", "required to know whose record this is (or give default_owner)"
                )
            return self.default_owner
        if creator in self.owners:
            return self.owners[creator]
        identity = self.identities.get(creator)
        ext = ((identity or {}).get("extensions") or {}).get(EXTENSION_ID)
        if isinstance(ext, Mapping) and isinstance(ext.get("organisation_id"), str):
            return str(ext["organisation_id"])
        return creator

    def _read_relationships(self) -> None:
        for stix_id, obj in self.objects.items():
            if obj["type"] != "relationship" or stix_id in self.consumed:
                continue
            reader = ObjectReader(obj, stix_id)
            kind = reader.text("relationship_type")
            source, target = reader.text("source_ref"), reader.text("target_ref")
            if kind == "uses" and source in self.foreign_campaigns:
                technique = _disarm_technique(self.objects.get(target))
                if technique is not None:
                    self.techniques.setdefault(source, []).append(technique)
                    self.consumed.add(stix_id)
            elif kind == "attributed-to" and source in self.foreign_campaigns:
                name = (self.objects.get(target) or {}).get("name")
                if isinstance(name, str) and name.strip():
                    self.attribution.setdefault(source, []).append(name.strip())
                    self.consumed.add(stix_id)
            elif kind == "indicates" and target.startswith("campaign--") and self._is_signal(source):
                self.operation_of[source] = self._operation_id(target)
                self.consumed.add(stix_id)

    def _is_signal(self, stix_id: str) -> bool:
        return any(isinstance(r, Signal) for r in self.records.get(stix_id, ()))

    def _operation_id(self, campaign: str) -> str:
        found = self.records.get(campaign)
        if found:
            return found[0].id
        return record_id_for(campaign, "operation")


def _disarm_technique(obj: Mapping[str, Any] | None) -> str | None:
    if not obj or obj.get("type") != "attack-pattern":
        return None
    for ref in obj.get("external_references") or ():
        if isinstance(ref, Mapping) and str(ref.get("source_name", "")).upper() == DISARM_SOURCE:
            try:
                return disarm_id(str(ref.get("external_id", "")))
            except ValueError:
                return None
    return None
