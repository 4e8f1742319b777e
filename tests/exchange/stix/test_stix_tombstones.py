"""The tombstone of an observable says it was deleted in a standard property extension, which strict STIX
parsers and the extension's own schema accept; the earlier custom property is still read."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import stix2

from fimihub.exchange.stix import tombstones
from fimihub.exchange.stix.tombstones import (
    DELETION_EXTENSION_ID,
    LEGACY_DELETED_PROPERTY,
    deletion_extension_definition,
    is_deleted,
    marked_deleted,
    tombstone_extensions,
)

SCO = {
    "type": "domain-name",
    "spec_version": "2.1",
    "id": "domain-name--1b2c3d4e-5f60-4a1b-8c2d-3e4f5a6b7c8d",
    "value": "news-front.example",
}
SCHEMA = Path(tombstones.__file__).parent / "schemas" / tombstones.DELETION_SCHEMA_FILE


def test_a_marked_observable_parses_strictly_and_matches_the_schema() -> None:
    stone = marked_deleted(SCO)
    assert is_deleted(stone) and not is_deleted(SCO)
    assert stix2.parse(stone, allow_custom=False).value == SCO["value"]
    schema = json.loads(SCHEMA.read_text("utf-8"))
    jsonschema.validate(stone, schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({**stone, "extensions": {DELETION_EXTENSION_ID: {"deleted": True}}}, schema)
    assert stix2.parse(deletion_extension_definition(), allow_custom=False).id == DELETION_EXTENSION_ID


def test_the_earlier_custom_property_is_read_and_replaced() -> None:
    legacy = {**SCO, LEGACY_DELETED_PROPERTY: True}
    assert is_deleted(legacy)
    assert marked_deleted(legacy) == marked_deleted(SCO)


def test_a_redacted_tombstone_keeps_its_mark_and_signature_only() -> None:
    extensions = {DELETION_EXTENSION_ID: {"deleted": True}, "extension-definition--x": {"a": 1}}
    assert tombstone_extensions(extensions) == {DELETION_EXTENSION_ID: {"deleted": True}}
    assert tombstone_extensions({"extension-definition--x": {}}) is None
