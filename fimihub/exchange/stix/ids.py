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

import json
import re
import uuid
from collections.abc import Mapping

__all__ = [
    "FIMIHUB_NAMESPACE",
    "SCO_NAMESPACE",
    "canonical_json",
    "derived_id",
    "id_type",
    "id_uuid",
    "record_id_for",
    "record_stix_id",
    "sco_id",
]

#: The namespace STIX 2.1 (section 2.9) reserves for the deterministic ids of cyber observables.
SCO_NAMESPACE = uuid.UUID("00abedb4-aa42-466c-9c01-fed23315a9b7")
#: fimihub's own namespace for derived ids: UUIDv5 of the URL ``https://github.com/fimihub/fimihub/stix``.
FIMIHUB_NAMESPACE = uuid.UUID("046ce251-9b38-5c29-a5df-ee348d42f1d1")
#: The canonical layout of a UUID (8-4-4-4-12 hex digits), any case: exactly what ``str(uuid.UUID(...))``
#: gives back for the lower-case form.
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.IGNORECASE)


def canonical_json(value: object) -> str:
    """``value`` as canonical JSON (RFC 8785 for the strings, numbers and objects observables carry):
    keys sorted, no white space, non-ASCII characters written as they are."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def sco_id(stix_type: str, contributing: Mapping[str, object]) -> str:
    """The deterministic id of an observable from its ID contributing properties (``None`` left out)."""
    present = {k: v for k, v in contributing.items() if v is not None}
    if not present:
        raise ValueError(f"a {stix_type} needs at least one ID contributing property")
    return f"{stix_type}--{uuid.uuid5(SCO_NAMESPACE, canonical_json(present))}"


def derived_id(stix_type: str, *parts: str) -> str:
    """The id of an object standing for ``parts`` (a DISARM id, an organisation id …), alike on every hub."""
    name = "|".join((stix_type, *parts))
    return f"{stix_type}--{uuid.uuid5(FIMIHUB_NAMESPACE, name)}"


def _uuid_of(text: str) -> str | None:
    """``text`` as a canonical (lower-case) UUID, when it is one written in the canonical layout, any case."""
    return text.lower() if _UUID.fullmatch(text) else None


def record_stix_id(record_id: str, stix_type: str, prefix: str) -> str:
    """The STIX id of record ``record_id`` (ids of the form ``<prefix>--<uuid>`` keep their UUID)."""
    head, sep, tail = record_id.partition("--")
    if sep and head == prefix and (found := _uuid_of(tail)) is not None:
        return f"{stix_type}--{found}"
    return derived_id(stix_type, "record", record_id)


def record_id_for(stix_id: str, prefix: str) -> str:
    """The record id a peer's object gets when it carries none of ours: its UUID under our ``prefix``."""
    return f"{prefix}--{id_uuid(stix_id)}"


def id_type(stix_id: str) -> str:
    """The type part of a STIX id; ``ValueError`` when ``stix_id`` is not ``<type>--<uuid>``."""
    head, sep, tail = stix_id.partition("--")
    if not sep or not head or _uuid_of(tail) is None:
        raise ValueError(f"{stix_id!r} is not a STIX identifier (<type>--<uuid>)")
    return head


def id_uuid(stix_id: str) -> str:
    """The UUID part of a STIX id; ``ValueError`` when ``stix_id`` is not ``<type>--<uuid>``."""
    id_type(stix_id)
    return stix_id.partition("--")[2].lower()
