"""Identifier keys for tests: the hub seals the platform ids it queues for an organisation to its key."""

from __future__ import annotations

from fimihub import Hub, policy
from fimihub.policy import IdentifierKeyPair


def register_identifier_keys(hub: Hub, *org_ids: str) -> dict[str, IdentifierKeyPair]:
    """A fresh identifier key registered for each of ``org_ids``, by organisation id (private halves kept
    here, as the organisations would keep them)."""
    keys = {org_id: policy.new_identifier_key() for org_id in org_ids}
    for org_id, pair in keys.items():
        hub.identifiers.set_key(hub.operator("test"), org_id, pair.public_key)
    return keys
