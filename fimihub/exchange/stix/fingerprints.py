"""Fingerprints of disrupted operations as STIX: a ``note`` about the operation's campaign.

A fingerprint says what a disrupted operation looked like (domains, hashtags, image hashes, text signatures,
keyed handle patterns, posting rhythm), so that members can recognise its return. STIX has no object for
that, and a new object type would be refused by most consumers; a ``note`` is the standard object for
"additional information about other objects", and every STIX consumer keeps one attached to its campaign:

* ``object_refs``: the campaign of the fingerprinted operation, and the ``grouping`` that keeps the
  operation's exchange together (where a tool makes a case of the grouping — MISP's event — the note is
  attached to it: a note about a campaign alone is dropped by tools that make the campaign a tag);
* ``abstract`` and ``content``: a human-readable summary (how many accounts, where it came from);
* fimihub's extension (``record: "fingerprint"``): the governance envelope, ``operation_id``, ``features``
  (the versioned ``fimihub-fingerprint`` dict, as it is), ``accounts`` and ``source``.

The note's id is the fingerprint's UUID (``fingerprint--<u>`` ↔ ``note--<u>``).
"""

from __future__ import annotations

from fimihub.exchange.stix._common import JSON, ObjectReader, extension_fields, parse_record
from fimihub.exchange.stix._objects import sdo
from fimihub.exchange.stix.extension import record_extension, record_fields
from fimihub.exchange.stix.ids import derived_id, record_stix_id
from fimihub.exchange.stix.operations import campaign_id
from fimihub.model import PAP, TLP, Fingerprint

__all__ = ["fingerprint_from_stix", "fingerprint_id", "fingerprint_to_stix"]

_FIELDS = extension_fields(Fingerprint)


def fingerprint_id(fingerprint_id: str) -> str:
    """The id of the note that carries fingerprint ``fingerprint_id``."""
    return record_stix_id(fingerprint_id, "note", "fingerprint")


def fingerprint_to_stix(fingerprint: Fingerprint) -> list[JSON]:
    """The note that carries ``fingerprint``, about its operation's campaign."""
    obj = sdo(fingerprint, "note", fingerprint_id(fingerprint.id))
    obj["abstract"] = "Fingerprint of a disrupted influence operation"
    obj["content"] = (
        f"What operation {fingerprint.operation_id} looked like when it was disrupted, built from "
        f"{fingerprint.accounts} accounts ({fingerprint.source}), to recognise its return. The features are "
        "in fimihub's extension."
    )
    obj["object_refs"] = [
        campaign_id(fingerprint.operation_id),
        derived_id("grouping", "operation", fingerprint.operation_id),
    ]
    obj["extensions"] = record_extension(fingerprint, "fingerprint", _FIELDS)
    return [obj]


def fingerprint_from_stix(
    obj: ObjectReader, ext: ObjectReader, *, tlp: TLP | None = None, pap: PAP | None = None
) -> Fingerprint:
    """The fingerprint a note of fimihub's carries (``ext`` is its extension)."""
    return parse_record(Fingerprint, record_fields(ext, _FIELDS, tlp=tlp, pap=pap), ext, {})
