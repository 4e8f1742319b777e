"""Building STIX 2.1 objects for the TAXII tests: valid by default, each with a fresh id."""

from __future__ import annotations

import uuid
from typing import Any

TAXII = "application/taxii+json;version=2.1"
TLP2 = {
    "clear": "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487",
    "green": "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb",
    "amber": "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421",
    "amber+strict": "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003",
    "red": "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1",
}


def indicator(
    modified: str = "2024-05-01T12:00:00.000Z",
    *,
    stix_id: str | None = None,
    tlp: str | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """A STIX 2.1 indicator for a domain; ``modified`` is its version."""
    obj: dict[str, Any] = {
        "type": "indicator",
        "spec_version": "2.1",
        "id": stix_id or f"indicator--{uuid.uuid4()}",
        "created": "2024-05-01T12:00:00.000Z",
        "modified": modified,
        "name": "influence network domain",
        "pattern": "[domain-name:value = 'news-front.example']",
        "pattern_type": "stix",
        "valid_from": "2024-05-01T12:00:00Z",
    }
    if tlp is not None:
        obj["object_marking_refs"] = [TLP2[tlp]]
    obj.update(extra)
    return obj


def domain(value: str = "news-front.example") -> dict[str, Any]:
    """A STIX 2.1 cyber-observable (no created/modified: its version is its date_added)."""
    return {
        "type": "domain-name",
        "spec_version": "2.1",
        "id": f"domain-name--{uuid.uuid4()}",
        "value": value,
    }
