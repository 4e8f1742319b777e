"""Storing objects in a collection, inside a unit of work the caller holds: new versions, and withdrawals.

Both the TAXII use cases (members posting and deleting) and the record feed (the hub publishing the STIX form
of records, see :mod:`fimihub.hub.taxii.feed`) write through here, so that ``date_added``, the version flags
and tombstones follow one set of rules whoever writes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from fimihub import policy
from fimihub.hub.taxii.access import Readable
from fimihub.hub.taxii.posting import (
    Posted,
    Refused,
    admit,
    flagged_new,
    lineage,
    reflag,
    tombstone_of,
    version_order,
)
from fimihub.hub.taxii.resources import StixOutcome, stix_timestamp, to_us
from fimihub.model import Forum, Marking
from fimihub.policy import Caller
from fimihub.storage import UnitOfWork
from fimihub.storage.base import StixEntry

__all__ = ["Offer", "Written", "held_versions", "others_instants", "withdraw", "write_offers"]


@dataclass(frozen=True, slots=True)
class Offer:
    """One object offered to a collection, checked (:class:`Posted`) or refused already, with the governance
    it is to be stored under: owner organisation, author, marking and expiry."""

    item: Posted | Refused
    marking: Marking
    owner: str
    author: str | None
    expires_at: datetime | None


@dataclass(frozen=True, slots=True)
class Written:
    """What became of the offers: an outcome per object, and the versions that were stored anew."""

    successes: tuple[StixOutcome, ...]
    failures: tuple[StixOutcome, ...]
    entries: tuple[StixEntry, ...]


def held_versions(uow: UnitOfWork, forum_id: str, stix_ids: Sequence[str]) -> dict[str, list[StixEntry]]:
    """Every version the collection holds of these objects, by object id, oldest ``date_added`` first."""
    held: dict[str, list[StixEntry]] = {}
    for entry in uow.stix.versions_of(forum_id, stix_ids):
        held.setdefault(entry.stix_id, []).append(entry)
    return held


def others_instants(versions: Sequence[StixEntry], owner: str) -> set[int]:
    """The version instants of the copies of one object that organisations other than ``owner`` hold."""
    return {e.version_us for e in versions if e.owner_org != owner}


def write_offers(
    uow: UnitOfWork,
    by: Caller,
    forum: Forum,
    offers: Sequence[Offer],
    *,
    now: datetime,
    vouched: bool = False,
    keep_others: bool = False,
    held: Mapping[str, list[StixEntry]] | None = None,
) -> Written:
    """Store the offers that are new versions and say what became of each.

    The access policy decides whether ``by`` may put each object into the forum, unless the hub ``vouched``
    for them (records whose use case the policy has already allowed). An object whose id another
    organisation holds in a version ``by`` may read is refused (unless it is a copy of that version), or with
    ``keep_others`` left as that organisation stored it and counted a success: the feed does so for shared
    objects such as DISARM attack patterns and observables. Versions ``by`` may not read play no part: the
    object is stored as its owner's own copy (see :func:`~fimihub.hub.taxii.posting.admit`). What ``by`` reads
    only counts for offers of its own organisation; for others (and for the operator) every version counts.
    """
    if held is None:
        held = held_versions(uow, forum.id, [o.item.stix_id for o in offers if isinstance(o.item, Posted)])
    decisions: list[StixOutcome | tuple[Posted, Offer]] = []
    accepted: dict[tuple[str, int | str], Posted] = {}
    allowed: dict[tuple[str, str | None, Marking], bool] = {}  # the policy's answer per governance envelope
    member = policy.actor_of(by)
    reader, reader_org = (None, None) if member is None else (Readable(by, forum), member.org.id)
    for offer in offers:
        item = offer.item
        if isinstance(item, Refused):
            decisions.append(item.outcome)
            continue
        versions = held.get(item.stix_id, [])
        readable = reader if reader_org == offer.owner else None
        if keep_others and any(
            e.owner_org != offer.owner and (readable is None or readable(e)) for e in versions
        ):
            decisions.append(StixOutcome(item.stix_id, item.version or ""))
            continue
        try:
            admitted = admit(
                None if vouched else by,
                forum,
                item,
                offer.marking,
                offer.owner,
                offer.author,
                versions,
                accepted,
                allowed,
                readable,
            )
        except Refused as refused:
            decisions.append(refused.outcome)
            continue
        decisions.append(admitted if isinstance(admitted, StixOutcome) else (item, offer))
    new_count = sum(1 for d in decisions if isinstance(d, tuple))
    first_added = uow.stix.reserve_added(to_us(now), new_count) if new_count else 0
    entries: list[StixEntry] = []
    successes: list[StixOutcome] = []
    failures: list[StixOutcome] = []
    taken: dict[str, set[int]] = {}  # version instants of each object, whoever holds them
    for choice in decisions:
        if isinstance(choice, StixOutcome):
            (successes if choice.message is None else failures).append(choice)
            continue
        posted, offer = choice
        added_us = first_added + len(entries)
        version_us = posted.version_us if posted.version_us is not None else added_us
        if len(held.get(posted.stix_id, ())) > len(lineage(held.get(posted.stix_id, ()), offer.owner)):
            # Another organisation holds its own copy of this object; one version instant of one object is
            # stored once, so a copy at the very same instant moves on by a microsecond.
            used = taken.setdefault(posted.stix_id, {e.version_us for e in held[posted.stix_id]})
            while version_us in used:
                version_us += 1
            used.add(version_us)
        entry = StixEntry(
            added_us=added_us,
            forum_id=forum.id,
            stix_id=posted.stix_id,
            type=posted.type,
            spec_version=posted.spec_version,
            version=posted.version or stix_timestamp(added_us),
            version_us=version_us,
            owner_org=offer.owner,
            created_by=offer.author,
            marking=offer.marking,
            body=posted.body,
            expires_at=offer.expires_at,
        )
        entries.append(entry)
        successes.append(StixOutcome(entry.stix_id, entry.version))
    stored: list[StixEntry] = []
    if entries:
        flagged = flagged_new(held, entries)
        stored = [e for e in flagged if e.added_us >= first_added]
        uow.stix.add(stored)
        uow.stix.set_flags([(e.added_us, e.latest, e.first) for e in flagged if e.added_us < first_added])
    return Written(tuple(successes), tuple(failures), tuple(stored))


def withdraw(
    uow: UnitOfWork,
    held: Sequence[StixEntry],
    targets: Sequence[StixEntry],
    now: datetime,
    *,
    resign: Callable[[dict[str, Any]], dict[str, Any]] | None = None,
    taken: set[int] | None = None,
) -> StixEntry | None:
    """Remove the versions ``targets`` of one object whose versions one organisation ``held`` (its lineage).

    When the newest version is among them the object is deleted: a tombstone becomes its newest version (and
    is returned), so that peers polling with ``added_after`` learn of the deletion. ``taken`` holds the
    version instants of the other organisations' copies, which the tombstone's keeps clear of.
    """
    newest = max(held, key=version_order)
    uow.stix.remove([e.added_us for e in targets])
    removed = {e.added_us for e in targets}
    remaining = [e for e in held if e.added_us not in removed]
    tombstone: StixEntry | None = None
    if newest.added_us in removed:
        now_us = to_us(now)
        added = uow.stix.reserve_added(now_us, 1)
        tombstone = replace(tombstone_of(newest, added, now_us, taken), first=not remaining)
        if resign is not None:  # a signed object's tombstone is signed by the hub that deletes it
            tombstone = replace(tombstone, body=resign(tombstone.body))
        uow.stix.add([tombstone])
    reflag(uow, remaining, extra=[tombstone] if tombstone else [])
    return tombstone
