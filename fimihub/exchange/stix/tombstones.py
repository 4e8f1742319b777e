"""How a hub marks an object deleted when STIX gives it no ``revoked``: the deletion extension.

A withdrawn object's tombstone is a new version with ``revoked: true``. Cyber-observables have no
``revoked`` (nor ``modified``), so their tombstone says it in a property extension of its own, declared by
:func:`deletion_extension_definition` (with a JSON schema shipped beside this module), which strict STIX
parsers accept::

    "extensions": {
        "extension-definition--7f3b87d5-88c2-5418-8fad-14f0548b71fb": {
            "extension_type": "property-extension", "deleted": true
        }
    }

Tombstones written before the extension carried a top-level ``x_fimihub_deleted: true``; it is still read.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fimihub.exchange.stix.extension import published
from fimihub.exchange.stix.ids import derived_id
from fimihub.exchange.stix.signing import SIGNATURE_EXTENSION_ID

__all__ = [
    "DELETION_EXTENSION_ID",
    "DELETION_SCHEMA_FILE",
    "LEGACY_DELETED_PROPERTY",
    "deletion_extension_definition",
    "is_deleted",
    "marked_deleted",
    "tombstone_extensions",
]

#: The property extension that marks an observable's tombstone (a UUIDv5 in fimihub's namespace).
DELETION_EXTENSION_ID = derived_id("extension-definition", "deletion")
#: Its JSON schema, shipped with the package.
DELETION_SCHEMA_FILE = f"{DELETION_EXTENSION_ID}.json"
#: The custom property that marked such tombstones before the extension; still read, never written.
LEGACY_DELETED_PROPERTY = "x_fimihub_deleted"
_SCHEMA_URL = (
    "https://raw.githubusercontent.com/fimihub/fimihub/main/fimihub/exchange/stix/schemas/"
    + DELETION_SCHEMA_FILE
)


def deletion_extension_definition() -> dict[str, Any]:
    """The ``extension-definition`` of the deletion extension, alike on every hub."""
    return published(
        "extension-definition",
        DELETION_EXTENSION_ID,
        name="fimihub deletion",
        description=(
            "Marks the tombstone of an object STIX gives no revoked property (a cyber-observable): the "
            "object was deleted from the collection that serves this version."
        ),
        schema=_SCHEMA_URL,
        version="1.0.0",
        extension_types=["property-extension"],
    )


def marked_deleted(body: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of ``body`` marked deleted (in the extension; the earlier custom property is left out)."""
    out = {k: v for k, v in body.items() if k != LEGACY_DELETED_PROPERTY}
    extensions = out.get("extensions")
    entry = {"extension_type": "property-extension", "deleted": True}
    out["extensions"] = {
        **(extensions if isinstance(extensions, Mapping) else {}),
        DELETION_EXTENSION_ID: entry,
    }
    return out


def is_deleted(body: Mapping[str, Any]) -> bool:
    """Whether ``body`` is marked deleted, in either form."""
    extensions = body.get("extensions")
    if isinstance(extensions, Mapping):
        entry = extensions.get(DELETION_EXTENSION_ID)
        if isinstance(entry, Mapping) and entry.get("deleted") is True:
            return True
    return body.get(LEGACY_DELETED_PROPERTY) is True


def tombstone_extensions(extensions: Any) -> dict[str, Any] | None:
    """Of an object's ``extensions``, what a redacted tombstone keeps: its deletion mark and its signature;
    ``None`` when it has neither."""
    if not isinstance(extensions, Mapping):
        return None
    kept = {k: v for k, v in extensions.items() if k in (DELETION_EXTENSION_ID, SIGNATURE_EXTENSION_ID)}
    return kept or None
