"""Identifiers: how a fimihub record, an observable or a DISARM technique gets its STIX id.

STIX ids are ``<type>--<uuid>``. Three rules apply here:

* **Observables** (SCOs: ``domain-name``, ``url``, ``user-account`` …) take a UUIDv5 over their ID
  contributing properties, in the namespace the STIX 2.1 specification fixes for that purpose. Two
  producers that see the same account therefore write the same id, and a peer can merge what both say.
* **Records** keep their own UUID: the operation ``operation--<u>`` is the campaign ``campaign--<u>``, the
  signal ``signal--<u>`` the indicator ``indicator--<u>``. A record id that is not of that shape gets a UUIDv5
  over the id in fimihub's namespace, and the exact record id also travels in our extension.
* **Objects derived from a record or a vocabulary** (the identity of an organisation, the attack pattern of a
  DISARM technique, a relationship) take a UUIDv5 in fimihub's namespace over what they stand for, so every
  hub writes the same id for the same technique and re-exporting a record never duplicates its neighbours.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from typing import Any

from fimihub import jsontext

__all__ = [
    "FIMIHUB_NAMESPACE",
    "SCO_NAMESPACE",
    "derived_id",
    "id_type",
    "id_uuid",
    "is_stix_id",
    "is_uuid",
    "normalised_ids",
    "record_id_for",
    "record_stix_id",
    "sco_id",
]

#: The namespace STIX 2.1 (section 2.9) reserves for the deterministic ids of cyber observables.
SCO_NAMESPACE = uuid.UUID("00abedb4-aa42-466c-9c01-fed23315a9b7")
#: fimihub's own namespace for derived ids: UUIDv5 of the URL ``https://github.com/fimihub/fimihub/stix``.
FIMIHUB_NAMESPACE = uuid.UUID("046ce251-9b38-5c29-a5df-ee348d42f1d1")
#: A UUID as :func:`is_uuid` accepts it: lower-case hex digits 8-4-4-4-12, the variant RFC 4122's.
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")
#: A STIX id whose UUID has upper-case hex digits (the specification's JSON schema allows them).
_UPPER_ID = re.compile(
    r"[a-z0-9-]+--[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}"
)


def is_uuid(text: str) -> bool:
    """Whether ``text`` is a UUID as a STIX id must carry it: of the RFC 4122 variant (any version), in its
    canonical form, lower-case hex digits grouped 8-4-4-4-12 by hyphens, as ``str(uuid.UUID(…))`` writes it.
    Nothing else passes: no upper case, braces, ``urn:uuid:`` prefix, missing hyphens or white space, and no
    UUID of another variant (the nil UUID, Microsoft GUIDs), which STIX 2.1 (section 2.9) and stix2 refuse.
    Every UUID check of fimihub is this one: STIX ids, TAXII collection ids, posted objects."""
    return _UUID.fullmatch(text) is not None


def normalised_ids(stix_object: Mapping[str, Any]) -> dict[str, Any]:
    """``stix_object`` with the UUIDs of its id and of every reference (``*_ref``, ``*_refs``, at any depth)
    in lower case, the one form fimihub holds and compares: STIX's JSON schema accepts upper-case hex digits,
    and a peer that writes them means the same object. Anything else is left as it is."""
    return {key: _normalised(key, value) for key, value in stix_object.items()}


def _normalised(key: str, value: Any) -> Any:
    if key == "id" or key.endswith("_ref"):
        return _lowered(value)
    if key.endswith("_refs") and isinstance(value, list):
        return [_lowered(v) for v in value]
    if isinstance(value, Mapping):
        return {k: _normalised(k, v) for k, v in value.items()}
    if isinstance(value, list):
        return [{k: _normalised(k, v) for k, v in item.items()} if isinstance(item, Mapping) else item
                for item in value]  # fmt: skip
    return value


def _lowered(value: Any) -> Any:
    if isinstance(value, str) and _UPPER_ID.fullmatch(value) and not value.islower():
        head, _, tail = value.partition("--")
        return f"{head}--{tail.lower()}"
    return value


def is_stix_id(text: str, stix_type: str | None = None) -> bool:
    """Whether ``text`` is a STIX id, ``<type>--<uuid>`` with a UUID :func:`is_uuid` accepts, and of type
    ``stix_type`` when one is given."""
    head, sep, tail = text.partition("--")
    return bool(sep and head) and (stix_type is None or head == stix_type) and is_uuid(tail)


def sco_id(stix_type: str, contributing: Mapping[str, object]) -> str:
    """The deterministic id of an observable from its ID contributing properties (``None`` left out)."""
    present = {k: v for k, v in contributing.items() if v is not None}
    if not present:
        raise ValueError(f"a {stix_type} needs at least one ID contributing property")
    return f"{stix_type}--{uuid.uuid5(SCO_NAMESPACE, jsontext.canonical(present))}"


def derived_id(stix_type: str, *parts: str) -> str:
    """The id of an object standing for ``parts`` (a DISARM id, an organisation id …), alike on every hub."""
    name = "|".join((stix_type, *parts))
    return f"{stix_type}--{uuid.uuid5(FIMIHUB_NAMESPACE, name)}"


def record_stix_id(record_id: str, stix_type: str, prefix: str) -> str:
    """The STIX id of record ``record_id`` (ids of the form ``<prefix>--<uuid>`` keep their UUID)."""
    head, sep, tail = record_id.partition("--")
    if sep and head == prefix and is_uuid(tail):
        return f"{stix_type}--{tail}"
    return derived_id(stix_type, "record", record_id)


def record_id_for(stix_id: str, prefix: str) -> str:
    """The record id a peer's object gets when it carries none of ours: its UUID under our ``prefix``."""
    return f"{prefix}--{id_uuid(stix_id)}"


def id_type(stix_id: str) -> str:
    """The type part of a STIX id; ``ValueError`` when ``stix_id`` is not ``<type>--<uuid>``."""
    if not is_stix_id(stix_id):
        raise ValueError(f"{stix_id!r} is not a STIX identifier (<type>--<uuid>)")
    return stix_id.partition("--")[0]


def id_uuid(stix_id: str) -> str:
    """The UUID part of a STIX id; ``ValueError`` when ``stix_id`` is not ``<type>--<uuid>``."""
    id_type(stix_id)
    return stix_id.partition("--")[2]
