"""Building blocks of the objects a record becomes: the common properties of a STIX domain object, and the
relationships that tie records together."""

from __future__ import annotations

from typing import Any

from fimihub.exchange.stix._common import JSON, stix_time
from fimihub.exchange.stix.extension import EXTENSION_ID, organisation_identity_id, view
from fimihub.exchange.stix.ids import derived_id
from fimihub.exchange.stix.markings import marking_refs
from fimihub.model import Governed

__all__ = ["relationship", "sdo"]


def sdo(record: Governed, stix_type: str, stix_id: str) -> JSON:
    """The common properties of an object that speaks for ``record``: its owner organisation as creator, its
    creation and modification times (to the millisecond, as STIX requires) and its TLP and PAP markings."""
    return {
        "type": stix_type,
        "spec_version": "2.1",
        "id": stix_id,
        "created_by_ref": organisation_identity_id(record.owner_org),
        "created": stix_time(record.created_at, millis=True),
        "modified": stix_time(record.modified_at, millis=True),
        "object_marking_refs": marking_refs(record.marking),
    }


def relationship(
    record: Governed, relationship_type: str, source_ref: str, target_ref: str, **extra: Any
) -> JSON:
    """A relationship ``source_ref`` → ``target_ref`` that ``record`` states, with the record's owner, times
    and markings; its id is derived from the three, so restating it never duplicates it."""
    stix_id = derived_id("relationship", relationship_type, source_ref, target_ref, record.id)
    obj = sdo(record, "relationship", stix_id)
    obj.update(relationship_type=relationship_type, source_ref=source_ref, target_ref=target_ref, **extra)
    obj["extensions"] = {EXTENSION_ID: view("link", record_id=record.id)}
    return obj
