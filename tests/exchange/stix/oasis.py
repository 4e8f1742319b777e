"""The OASIS tools, set up the way the tests check our bundles with them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from stix2validator import ValidationOptions, validate_instance

import fimihub.exchange.stix

SCHEMA_DIR = str(Path(fimihub.exchange.stix.__file__).parent / "schemas")

#: Strict: every SHOULD is an error, top-level custom properties are refused, and each
#: object that uses fimihub's extension is also validated against the extension's schema (the validator finds
#: ``<extension id>.json`` in ``schema_dir``). Three SHOULDs are switched off, as the STIX text allows:
#: ``uuid-check`` (ids fimihub derives, of identities, DISARM techniques and relationships, are UUIDv5 in
#: fimihub's namespace so every hub writes the same id) and ``account-type`` (an open vocabulary: platforms
#: such as telegram have no entry in it and keep their own name), and ``extref-hashes`` (attack patterns
#: reference DISARM's page of the technique by URL, as DISARM's own bundle does: a living page has no fixed
#: hash). ``strict_types`` is left off: this validator
#: version lists only domain objects there and refuses every top-level observable, ``user-account`` included.
STRICT = ValidationOptions(
    strict=True,
    strict_properties=True,
    schema_dir=SCHEMA_DIR,
    disabled=["uuid-check", "account-type", "extref-hashes"],
)


def oasis_errors(bundle: dict[str, Any]) -> list[str]:
    """What the OASIS validator finds wrong with ``bundle`` under :data:`STRICT` (empty when it is valid)."""
    results = validate_instance(bundle, STRICT)
    messages = [str(e) for e in results.errors]
    for item in getattr(results, "object_results", None) or []:
        messages += [str(e) for e in item.errors]
    return messages if not results.is_valid or messages else []
