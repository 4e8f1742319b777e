"""Retention of the collections: expired object versions and old status resources are purged.

Every object version carries an expiry: a posted one the forum's retention from when it was posted, one the
hub publishes for a record the record's own (shared vocabulary — extension definition, marking definitions,
identities, DISARM attack patterns — has none: it says nothing about anyone). When retention runs:

* an expired version that is not the object's newest is removed;
* when the newest version has expired, every version goes and a tombstone takes their place, so that peers
  polling with ``added_after`` learn that the object is gone. This tombstone keeps only what STIX requires of
  the object (its descriptive text and extensions are dropped) and is itself purged after
  :data:`TOMBSTONE_KEEP`;
* an expired tombstone (of a deletion) is removed;
* status resources are kept for :data:`STATUS_KEEP`, long enough for any client that polls them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timedelta

from fimihub.exchange.stix.tombstones import marked_deleted
from fimihub.hub.taxii.posting import lineage, reflag, tombstone_of, version_order
from fimihub.hub.taxii.resources import to_us
from fimihub.hub.taxii.writing import held_versions, others_instants
from fimihub.storage import UnitOfWork
from fimihub.storage.base import StixEntry

__all__ = ["DESCRIPTIVE", "STATUS_KEEP", "TOMBSTONE_KEEP", "purge_expired_stix"]

#: How long the tombstone of an expired object stays in its collection.
TOMBSTONE_KEEP = timedelta(days=30)
#: How long the status resource of a posted envelope is kept.
STATUS_KEEP = timedelta(days=30)
#: Expired versions handled per round.
_BATCH = 2000
#: Properties a retention tombstone drops: free text and extensions, which STIX never requires.
DESCRIPTIVE = frozenset(
    {
        "description",
        "explanation",
        "abstract",
        "authors",
        "aliases",
        "labels",
        "external_references",
        "granular_markings",
        "extensions",
        "display_name",
        "goals",
        "objective",
        "kill_chain_phases",
    }
)


def purge_expired_stix(uow: UnitOfWork, now: datetime) -> dict[str, int]:
    """Purge what has expired in every collection at ``now``; counts of what went and what was left."""
    counts = {"stix_versions": 0, "stix_tombstones": 0, "stix_statuses": 0}
    while True:
        expired = uow.stix.expired(now, _BATCH)
        if not expired:
            break
        # Each organisation's copy of an object (its lineage) is purged on its own.
        by_object: dict[tuple[str, str, str], list[StixEntry]] = {}
        for entry in expired:
            by_object.setdefault((entry.forum_id, entry.stix_id, entry.owner_org), []).append(entry)
        taken: dict[tuple[str, str], set[int]] = {}  # instants of tombstones left in this round, too
        for (forum_id, stix_id, owner), gone in by_object.items():
            every = held_versions(uow, forum_id, [stix_id]).get(stix_id, [])
            others = taken.setdefault((forum_id, stix_id), set()) | others_instants(every, owner)
            counts["stix_versions"] += sum(1 for e in gone if not e.tombstone)
            counts["stix_tombstones"] += _purge_object(uow, lineage(every, owner), gone, now, others)
            taken[(forum_id, stix_id)] |= others
    counts["stix_statuses"] = uow.stix.purge_statuses(now - STATUS_KEEP)
    return counts


def _purge_object(
    uow: UnitOfWork, held: Sequence[StixEntry], gone: Sequence[StixEntry], now: datetime, taken: set[int]
) -> int:
    """Remove the expired versions ``gone`` of one object; returns 1 when a tombstone was left."""
    newest = max(held, key=version_order)
    expired_keys = {e.added_us for e in gone}
    if newest.tombstone or newest.added_us not in expired_keys:
        uow.stix.remove(sorted(expired_keys))
        reflag(uow, [e for e in held if e.added_us not in expired_keys])
        return 0
    uow.stix.remove([e.added_us for e in held])
    now_us = to_us(now)
    stone = tombstone_of(newest, uow.stix.reserve_added(now_us, 1), now_us, taken)
    body = {k: v for k, v in stone.body.items() if k not in DESCRIPTIVE and not k.startswith("x_")}
    if "modified" not in stone.body:
        body = marked_deleted(body)
    uow.stix.add([replace(stone, body=body, first=True, expires_at=now + TOMBSTONE_KEEP)])
    return 1
