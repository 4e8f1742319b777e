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
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from fimihub.errors import ValidationError
from fimihub.exchange.stix._common import JSON, ObjectReader
from fimihub.exchange.stix.extension import (
    EXTENSION_ID,
    FIMIHUB_IDENTITY_ID,
)
from fimihub.exchange.stix.fingerprints import fingerprint_from_stix
from fimihub.exchange.stix.ids import id_type, normalised_ids, record_id_for
from fimihub.exchange.stix.indicators import foreign_signals, signal_from_stix
from fimihub.exchange.stix.markings import pap_from_refs, tlp_from_refs
from fimihub.exchange.stix.observables import assets_from_stix
from fimihub.exchange.stix.operations import (
    foreign_operation,
    operation_from_stix,
)
from fimihub.exchange.stix.sightings import (
    action_from_stix,
    feedback_from_stix,
    foreign_feedback,
)
from fimihub.exchange.stix.signing import SIGNATURE_EXTENSION_ID
from fimihub.exchange.stix.tombstones import DELETION_EXTENSION_ID
from fimihub.exchange.stix.writing import carrier_id, to_stix, to_stix_objects
from fimihub.model import Action, Asset, Feedback, Fingerprint, Governed, Operation, Signal
from fimihub.vocab import disarm_id, is_country, retirement, technique_named
from fimihub.vocab.disarm import is_technique_id

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
    #: What the reading changed or could not read, as ``(object id, why)``: an indicator whose pattern (or
    #: part of it) became no signal, a retired DISARM technique read as its successor, an attack pattern that
    #: names no DISARM technique, a granular marking that made a record stricter.
    notes: tuple[tuple[str, str], ...] = ()
    #: The object each record came from, by record id (an indicator may carry several signals).
    carriers: Mapping[str, str] = field(default_factory=dict)

    def carrier_of(self, record: Governed) -> str | None:
        """The id of the object ``record`` was read from."""
        return self.carriers.get(record.id)

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
    normalised: list[Mapping[str, Any]] = []
    for index, item in enumerate(items):
        label = f"{where}[{index}]" if where == "objects" else where
        if not isinstance(item, Mapping):
            raise ValidationError(label, f"expected a STIX object, got {type(item).__name__}")
        obj = normalised_ids(item)
        normalised.append(obj)
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
    return normalised


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
        self.notes: list[tuple[str, str]] = []
        self.consumed: set[str] = set()
        self.foreign_campaigns: dict[str, ObjectReader] = {}
        self.techniques: dict[str, list[str]] = {}
        self.attribution: dict[str, list[str]] = {}
        self.countries: dict[str, dict[str, list[str]]] = {}
        self.operation_of: dict[str, str] = {}

    def read(self) -> StixImport:
        for stix_id, obj in self.objects.items():
            self._read_one(stix_id, obj)
        self._read_relationships()
        for stix_id, reader in self.foreign_campaigns.items():
            governed = self._foreign_governance(reader, "operation")
            attribution = "; ".join(self.attribution.get(stix_id, []))
            techniques = self.techniques.get(stix_id, [])
            countries = self.countries.get(stix_id)
            self.records[stix_id] = [foreign_operation(reader, governed, techniques, attribution, countries)]
        for stix_id, operation_id in self.operation_of.items():
            self.records[stix_id] = [
                r.evolve(operation_id=operation_id) if isinstance(r, Signal) and r.operation_id is None else r
                for r in self.records[stix_id]
            ]
        records = tuple(r for found in self.records.values() for r in found)
        for stix_id, found in self.records.items():
            if self.objects[stix_id].get("revoked") is True:
                self.revoked += [r.id for r in found]
        unknown = tuple(
            dict(obj)
            for stix_id, obj in self.objects.items()
            if stix_id not in self.records and stix_id not in self.consumed
        )
        carriers = {r.id: stix_id for stix_id, found in self.records.items() for r in found}
        return StixImport(
            records=records,
            unknown=unknown,
            revoked=tuple(dict.fromkeys(self.revoked)),
            notes=tuple(dict.fromkeys(self.notes)),
            carriers=carriers,
        )

    def _read_one(self, stix_id: str, obj: Mapping[str, Any]) -> None:
        reader = ObjectReader(obj, stix_id)
        stix_type = obj["type"]
        extensions = obj.get("extensions")
        if extensions is not None and not isinstance(extensions, Mapping):
            raise reader.error("extensions", "expected an object")
        if stix_id in (EXTENSION_ID, SIGNATURE_EXTENSION_ID, DELETION_EXTENSION_ID, FIMIHUB_IDENTITY_ID):
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
            signals, left = foreign_signals(reader, self._foreign_governance(reader, "signal"))
            if signals:
                self.records[stix_id] = list(signals)
            what = "not read as a signal" if signals else "no signal"
            self.notes += [(stix_id, f"{what}: {why}") for why in left]
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
        refs = reader.texts("object_marking_refs") + self._granular_refs(reader)
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

    def _granular_refs(self, reader: ObjectReader) -> list[str]:
        """The marking definitions of the object's granular markings that name a TLP or PAP level stricter
        than its object markings: the record is read at that level (a part of it may not be handled more
        freely than the part's marking says), with a note."""
        granular = reader.value("granular_markings")
        if granular is None:
            return []
        if not isinstance(granular, list):
            raise reader.error("granular_markings", "expected a list of granular markings")
        refs: list[str] = []
        for index, item in enumerate(granular):
            ref = item.get("marking_ref") if isinstance(item, Mapping) else None
            selectors = item.get("selectors") if isinstance(item, Mapping) else None
            if not isinstance(selectors, list) or not all(isinstance(x, str) for x in selectors):
                raise reader.error(f"granular_markings[{index}].selectors", "expected a list of selectors")
            if isinstance(ref, str):
                refs.append(ref)
                on = ", ".join(selectors)
                own = reader.texts("object_marking_refs")
                level, whole = tlp_from_refs([ref], self.definitions), tlp_from_refs(own, self.definitions)
                if level is not None and (whole is None or level.rank > whole.rank):
                    self.notes.append(
                        (
                            reader.object_id,
                            f"granular marking TLP:{level.value.upper()} on {on}: the record is read "
                            f"as TLP:{level.value.upper()}",
                        )
                    )
        return refs

    def _foreign_governance(self, reader: ObjectReader, prefix: str) -> dict[str, Any]:
        refs = reader.texts("object_marking_refs") + self._granular_refs(reader)
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
                technique, note = _disarm_technique(self.objects.get(target))
                if note is not None:
                    self.notes.append((source, note))
                if technique is not None:
                    self.techniques.setdefault(source, []).append(technique)
                    self.consumed.add(stix_id)
            elif kind in ("originates-from", "targets") and source in self.foreign_campaigns:
                code = _country(self.objects.get(target))
                if code is not None:
                    self.countries.setdefault(source, {}).setdefault(kind, []).append(code)
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


def _country(obj: Mapping[str, Any] | None) -> str | None:
    """The ISO 3166-1 code of a ``location`` that names a country, if it names one fimihub knows."""
    if not obj or obj.get("type") != "location" or not isinstance(obj.get("country"), str):
        return None
    code = str(obj["country"]).strip().upper()
    return code if is_country(code) else None


_ID_IN_NAME = re.compile(r"\bT\d{4}(?:\.\d{3})?\b", re.IGNORECASE)


def _disarm_technique(obj: Mapping[str, Any] | None) -> tuple[str | None, str | None]:
    """The current DISARM technique an attack pattern stands for, and a note when it is a retired one or
    names none fimihub knows. Its external references decide whatever their ``source_name`` (DISARM's
    bundle writes ``mitre-attack``, others ``DISARM`` or MISP's galaxy names); then its name: a technique's
    name, or a DISARM id in it (``T0049.001 - Flood Information Space``)."""
    if not obj or obj.get("type") != "attack-pattern":
        return None, None
    candidates: list[tuple[str, str]] = []  # (id, source name)
    for ref in obj.get("external_references") or ():
        if isinstance(ref, Mapping) and isinstance(ref.get("external_id"), str):
            candidates.append((ref["external_id"], str(ref.get("source_name", ""))))
    name = obj.get("name")
    if isinstance(name, str):
        candidates += [(found, "") for found in _ID_IN_NAME.findall(name)]
    unknown: list[str] = []
    for candidate, source in candidates:
        if not is_technique_id(candidate):
            continue
        try:
            found = disarm_id(candidate)
        except ValueError:
            # ATT&CK's own techniques (T1xxx) share the shape: only DISARM's range or name is reported
            if "disarm" in source.lower() or candidate.strip().upper().startswith("T0"):
                unknown.append(candidate.strip().upper())
            continue
        gone = retirement(candidate)
        return found, gone.note if gone else None
    if isinstance(name, str) and (named := technique_named(name)) is not None:
        return named, None
    if unknown:
        ids = ", ".join(dict.fromkeys(unknown))
        return None, f"{obj.get('id')}: {ids} is no DISARM technique; the campaign does not carry it"
    return None, None
