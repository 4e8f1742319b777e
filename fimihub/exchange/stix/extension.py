"""fimihub's STIX extension for influence operations, and the identities that sign what a hub shares.

STIX 2.1 has no words for much of what platforms exchange about influence operations: operator type, the
countries an operation comes from and targets, its narratives, the operations it continues, ad spend, a
signal kind such as a PDQ hash or a text signature, an action's affected EU/EEA Member States. Those travel
in one *property extension*, declared by the ``extension-definition`` below and checked by the JSON schema
shipped next to this module (``schemas/<extension id>.json``, the name ``stix2-validator`` looks for).

Inside an object, the extension holds:

* ``record``: which fimihub record the object carries (``operation``, ``signal``, ``action``, ``feedback``;
  ``asset`` objects hold a list ``assets``, one entry per asset record that describes the observable);
* the governance envelope of that record: its id, owner organisation, forum, TLP and PAP, named recipients,
  purpose, author, exact creation, modification and expiry times;
* every field of the record that no standard STIX property carries exactly.

Objects fimihub derives from records (relationships, the threat actor of an attribution, attack patterns,
organisation identities) carry the extension with ``view`` naming what they are, so a reader knows they can be
rebuilt and need not be stored on their own.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from functools import cache
from importlib import resources
from typing import Any, TypeVar

from fimihub.errors import ValidationError
from fimihub.exchange.stix._common import JSON, ObjectReader, dump_fields, stix_time
from fimihub.exchange.stix.ids import derived_id
from fimihub.model import PAP, TLP, Governed, Organisation

__all__ = [
    "EXTENSION_ID",
    "FIMIHUB_IDENTITY_ID",
    "SCHEMA_FILE",
    "content",
    "extension_definition",
    "fimihub_identity",
    "governance",
    "governance_fields",
    "organisation_identity",
    "organisation_identity_id",
    "published",
    "record_extension",
    "record_fields",
    "schema",
    "view",
]

#: Id of fimihub's influence-operation extension (a UUIDv5 in fimihub's namespace, version 1).
EXTENSION_ID = "extension-definition--4b650026-e53c-5d92-aaa6-f001edb2974c"
#: The identity that publishes the extension and the PAP markings.
FIMIHUB_IDENTITY_ID = derived_id("identity", "fimihub")
#: The JSON schema of the extension, shipped with the package.
SCHEMA_FILE = f"{EXTENSION_ID}.json"
_SCHEMA_URL = (
    "https://raw.githubusercontent.com/fimihub/fimihub/main/fimihub/exchange/stix/schemas/" + SCHEMA_FILE
)
_PUBLISHED = "2025-01-01T00:00:00.000Z"
_E = TypeVar("_E", TLP, PAP)


@cache
def schema() -> dict[str, Any]:
    """The extension's JSON schema (draft 2020-12), which validates a whole object that uses the extension."""
    text = resources.files("fimihub.exchange.stix").joinpath("schemas", SCHEMA_FILE).read_text("utf-8")
    loaded: dict[str, Any] = json.loads(text)
    return loaded


def published(stix_type: str, stix_id: str, **properties: Any) -> JSON:
    """An object the fimihub project publishes (its identity, the extension definition, DISARM attack
    patterns): the same on every hub, dated when the extension was released, and created by the fimihub
    identity (which names no creator itself)."""
    head: JSON = {"type": stix_type, "spec_version": "2.1", "id": stix_id}
    if stix_id != FIMIHUB_IDENTITY_ID:
        head["created_by_ref"] = FIMIHUB_IDENTITY_ID
    return head | {"created": _PUBLISHED, "modified": _PUBLISHED, **properties}


def fimihub_identity() -> JSON:
    """The identity of the fimihub project, which publishes the extension definition and the PAP markings."""
    return published(
        "identity",
        FIMIHUB_IDENTITY_ID,
        name="fimihub",
        description="Open-source hub for exchanging knowledge of covert influence operations.",
        identity_class="organization",
    )


def extension_definition() -> JSON:
    """The ``extension-definition`` object every bundle that uses the extension carries."""
    return published(
        "extension-definition",
        EXTENSION_ID,
        name="fimihub influence operations",
        description=(
            "Fields of covert influence operations (CIO / FIMI) that STIX 2.1 has no property for: operator "
            "type, origin and target countries, narratives, continued operations, ad spend, assets' "
            "platform, kind, followers and removal, signal kinds, enforcement actions and their EU/EEA "
            "Member States, "
            "and the governance of each record (owner, forum, PAP, named recipients, expiry)."
        ),
        schema=_SCHEMA_URL,
        version="1.0.0",
        extension_types=["property-extension"],
    )


def organisation_identity_id(org_id: str) -> str:
    """The identity id of organisation ``org_id``: the same on every hub."""
    return derived_id("identity", "organisation", org_id)


def organisation_identity(org_id: str, organisation: Organisation | None = None) -> JSON:
    """The identity of the organisation that owns records; named after ``organisation`` when it is known."""
    created = stix_time(organisation.created_at, millis=True) if organisation else _PUBLISHED
    obj: JSON = {
        "type": "identity",
        "spec_version": "2.1",
        "id": organisation_identity_id(org_id),
        "created": created,
        "modified": created,
        "name": organisation.name if organisation else org_id,
        "identity_class": "organization",
        "extensions": {EXTENSION_ID: view("organisation", organisation_id=org_id)},
    }
    if organisation is not None:
        obj["extensions"][EXTENSION_ID]["organisation_kind"] = organisation.kind.value
        if organisation.country:
            obj["extensions"][EXTENSION_ID]["country"] = organisation.country
    return obj


def view(what: str, **fields: Any) -> JSON:
    """The extension on an object derived from records: ``what`` it shows, and ``fields`` saying of what."""
    return {"extension_type": "property-extension", "view": what, **fields}


def governance(record: Governed, record_type: str) -> JSON:
    """The start of a record's extension: which record it is and its governance envelope."""
    marking = record.marking
    out: JSON = {
        "extension_type": "property-extension",
        "record": record_type,
        "record_id": record.id,
        "owner_org": record.owner_org,
        "tlp": marking.tlp.value,
        "pap": marking.pap.value,
        "purpose": record.purpose,
        "created_at": stix_time(record.created_at),
        "modified_at": stix_time(record.modified_at),
    }
    optional: dict[str, Any] = {
        "forum_id": record.forum_id,
        "created_by": record.created_by,
        "expires_at": stix_time(record.expires_at) if record.expires_at else None,
        "recipient_orgs": list(marking.recipient_orgs) or None,
        "recipient_members": list(marking.recipient_members) or None,
    }
    out.update({k: v for k, v in optional.items() if v is not None})
    return out


def record_extension(
    record: Governed, record_type: str, fields: Iterable[str], rename: Mapping[str, str] | None = None
) -> JSON:
    """The ``extensions`` of the object that carries ``record``: fimihub's extension, holding the record's
    governance envelope and its ``fields`` (``rename``: field → property name, where they differ)."""
    return {EXTENSION_ID: governance(record, record_type) | dump_fields(record, fields, rename)}


_ENVELOPE = frozenset(
    {
        "extension_type",
        "record",
        "record_id",
        "owner_org",
        "tlp",
        "pap",
        "purpose",
        "created_at",
        "modified_at",
        "forum_id",
        "created_by",
        "expires_at",
        "recipient_orgs",
        "recipient_members",
    }
)


def governance_fields(ext: ObjectReader, *, tlp: TLP | None = None, pap: PAP | None = None) -> dict[str, Any]:
    """The governance fields of a record from its extension. ``tlp`` and ``pap`` are the levels the object's
    ``object_marking_refs`` carry: where they are stricter than the extension's, they win (a peer may tighten
    a marking, never loosen it)."""
    ext_tlp = _level(ext, "tlp", TLP)
    ext_pap = _level(ext, "pap", PAP)
    if tlp is not None and tlp.rank > ext_tlp.rank:
        ext_tlp = tlp
    if pap is not None and list(PAP).index(pap) > list(PAP).index(ext_pap):
        ext_pap = pap
    return {
        "id": ext.text("record_id"),
        "owner_org": ext.text("owner_org"),
        "forum_id": ext.optional_text("forum_id"),
        "marking": {
            "tlp": ext_tlp,
            "pap": ext_pap,
            "recipient_orgs": tuple(ext.texts("recipient_orgs")),
            "recipient_members": tuple(ext.texts("recipient_members")),
        },
        "purpose": ext.text("purpose"),
        "created_by": ext.optional_text("created_by"),
        "created_at": ext.timestamp("created_at"),
        "modified_at": ext.timestamp("modified_at"),
        "expires_at": ext.optional_timestamp("expires_at"),
    }


def content(
    ext: ObjectReader, fields: Iterable[str], rename: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """The record fields in the extension beyond the envelope (``rename``: field → property name, where they
    differ); unknown properties are refused by name."""
    by_property = {(rename or {}).get(f, f): f for f in fields}
    out: dict[str, Any] = {}
    for name, value in ext.data.items():
        if name in _ENVELOPE:
            continue
        if name not in by_property:
            raise ext.error(name, "not a property of this record in the fimihub extension")
        out[by_property[name]] = value
    return out


def record_fields(
    ext: ObjectReader,
    fields: Iterable[str],
    rename: Mapping[str, str] | None = None,
    *,
    tlp: TLP | None = None,
    pap: PAP | None = None,
) -> dict[str, Any]:
    """What fimihub's extension ``ext`` holds of a record: its governance envelope (see
    :func:`governance_fields` for ``tlp`` and ``pap``) and its ``fields`` beyond (see :func:`content`)."""
    return governance_fields(ext, tlp=tlp, pap=pap) | content(ext, fields, rename)


def _level(ext: ObjectReader, name: str, enum: type[_E]) -> _E:
    text = ext.text(name)
    try:
        return enum(text)
    except ValueError:
        allowed = ", ".join(v.value for v in enum)
        raise ValidationError(ext.where(name), f"{text!r} is not one of {allowed}") from None
