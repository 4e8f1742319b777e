"""Records → collections: the hub publishes the STIX form of every shared record into its forum's collection.

Whenever a use case writes a record of a kind the STIX mapping carries (operation, asset, signal, action,
feedback, fingerprint) that is, or was, in a forum, the change is published into that forum's collection in
the same unit of work, so it commits together with the record and its audit event:

* a record created in a forum, shared into one, or updated there: its objects (``to_stix_objects``) are
  offered as new versions. An object identical to a version the collection holds changes nothing; a changed
  one is a new version (its ``modified`` is the record's). Every object carries the record's owner, author,
  marking (recipients included) and expiry; the access policy then decides who reads it, as for the record;
* objects the mapping derives from a record (relationships, threat actor, intrusion set) that its new form no
  longer has, and all of a record's objects when it is deleted or leaves the forum: withdrawn, leaving a
  tombstone (``revoked: true``) for pollers;
* every object the hub publishes carries this hub's Ed25519 signature (in the signature extension,
  :mod:`fimihub.exchange.stix.signing`), and so do the tombstones of withdrawn ones; the OASIS TLP marking
  definitions are published exactly as OASIS does, unsigned;
* shared vocabulary — the extension definitions, marking definitions, identities, DISARM attack patterns,
  country locations —
  and observables that another organisation's object already stands for are left as the collection holds
  them: only an object's creator versions it.

The one place that sees the changes is the write path (:mod:`fimihub.hub.writes`), the unit of work of every
use case that writes shareable records: it notes inserts, updates and deletions and, when the use case
publishes, calls :func:`publish_changes` before commit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from typing import Any

from fimihub.errors import ValidationError
from fimihub.exchange.stix import signing, to_stix_objects
from fimihub.hub.core import audit_event
from fimihub.hub.taxii.groupings import publish_derived
from fimihub.hub.taxii.posting import Posted, Refused, checked_object, lineage, same_body, version_order
from fimihub.hub.taxii.resources import stix_timestamp
from fimihub.hub.taxii.writing import Offer, held_versions, others_instants, withdraw, write_offers
from fimihub.model import (
    Action,
    Asset,
    Feedback,
    Fingerprint,
    Forum,
    Governed,
    Operation,
    Organisation,
    Signal,
)
from fimihub.policy import Caller
from fimihub.storage import UnitOfWork
from fimihub.storage.base import StixEntry

__all__ = ["FED_KINDS", "VOCABULARY_TYPES", "Change", "publish_changes"]

#: The record kinds the STIX mapping carries, and so the ones published into collections.
FED_KINDS: tuple[type[Governed], ...] = (Operation, Asset, Signal, Action, Feedback, Fingerprint)
#: Objects that stand for something shared by every record that uses them, never withdrawn with a record.
VOCABULARY_TYPES = frozenset(
    {"extension-definition", "marking-definition", "identity", "attack-pattern", "location"}
)
#: One millisecond: how far a record's new version is moved past one the collection holds at the same time.
_MS = 1000

Change = tuple[Governed | None, Governed | None]


@dataclass
class _Plan:
    """What one forum's collection gets: records to publish, and objects to withdraw (id → owner)."""

    publish: list[Governed] = field(default_factory=list)
    withdraw: dict[str, str] = field(default_factory=dict)
    changes: list[Change] = field(default_factory=list)


def publish_changes(uow: UnitOfWork, by: Caller, changes: Sequence[Change], now: datetime) -> None:
    """Publish ``changes`` (``(before, after)`` of records in forums) into their forums' collections, in
    ``uow``: new and changed records' objects as new versions, objects they no longer have withdrawn."""
    plans: dict[str, _Plan] = {}
    names: dict[str, Organisation | None] = {}
    for before, after in changes:
        for forum_id in dict.fromkeys(r.forum_id for r in (before, after) if r is not None and r.forum_id):
            plans.setdefault(forum_id, _Plan()).changes.append((before, after))
        if after is not None and after.forum_id:
            plans.setdefault(after.forum_id, _Plan()).publish.append(after)
        if before is not None and before.forum_id:
            stale = _owned_ids(before)
            if after is not None and after.forum_id == before.forum_id:
                stale -= _owned_ids(after)
            plans.setdefault(before.forum_id, _Plan()).withdraw.update(
                dict.fromkeys(sorted(stale), before.owner_org)
            )
    for forum_id, plan in plans.items():
        forum = uow.get(Forum, forum_id)
        if forum is not None:
            _publish_plan(uow, by, forum, plan, names, now)


def _publish_plan(
    uow: UnitOfWork,
    by: Caller,
    forum: Forum,
    plan: _Plan,
    names: dict[str, Organisation | None],
    now: datetime,
) -> None:
    rendered: list[tuple[Governed, list[dict[str, Any]]]] = []
    keys = signing.KeyPair.from_private(uow.peers.signing_key())
    for record in plan.publish:
        if record.owner_org not in names:
            names[record.owner_org] = uow.get(Organisation, record.owner_org)
        known = {k: v for k, v in names.items() if v is not None}
        # Signed by this hub, so that a hub receiving them through another can check where they came from.
        objects = [signing.sign(o, keys) for o in to_stix_objects([record], organisations=known)]
        rendered.append((record, objects))
    ids = [str(o["id"]) for _, objects in rendered for o in objects]
    held = held_versions(uow, forum.id, ids)
    offers = [
        _offer(record, obj, held.get(str(obj["id"]), [])) for record, objects in rendered for obj in objects
    ]
    written = write_offers(uow, by, forum, offers, now=now, vouched=True, keep_others=True, held=held)
    if written.failures:
        errors = [(f"objects[{f.id}]", f.message or "refused") for f in written.failures]
        raise ValidationError(errors[0][0], errors[0][1], errors=errors)
    withdrawn: list[str] = []
    for stix_id, versions in held_versions(uow, forum.id, list(plan.withdraw)).items():
        owned = lineage(versions, plan.withdraw[stix_id])
        if owned and not max(owned, key=version_order).tombstone:
            taken = others_instants(versions, plan.withdraw[stix_id])
            withdraw(uow, owned, owned, now, resign=partial(_resigned, keys), taken=taken)
            withdrawn.append(stix_id)
    derived = publish_derived(uow, by, forum, plan.changes, keys, now)
    withdrawn += derived.withdrawn
    if written.entries or withdrawn or derived.stored:
        audit_event(
            uow,
            by,
            "stix.publish",
            "stix_collection",
            forum.id,
            {
                "records": [r.id for r in plan.publish[:1000]],
                "stored": len(written.entries) + len(derived.stored),
                "withdrawn": len(withdrawn),
                "ids": [e.stix_id for e in written.entries[:1000]] + derived.stored[:1000] + withdrawn[:1000],
            },
            now,
        )


def _resigned(keys: signing.KeyPair, body: dict[str, Any]) -> dict[str, Any]:
    """A tombstone of a signed object, signed again: the hub vouches for the withdrawal."""
    return signing.sign(body, keys) if signing.is_signed(body) else body


def _owned_ids(record: Governed) -> set[str]:
    """The ids of the objects that speak for ``record`` alone (not shared vocabulary)."""
    return {str(o["id"]) for o in to_stix_objects([record]) if o["type"] not in VOCABULARY_TYPES}


def _offer(record: Governed, obj: dict[str, Any], versions: Sequence[StixEntry]) -> Offer:
    """``obj`` of ``record`` as an offer to the collection. When the collection holds a different version at
    the same or a later time (two changes in one millisecond), the new one is moved just past it."""
    item: Posted | Refused
    try:
        item = checked_object(obj)
    except Refused as refused:
        item = refused
    mine = [e for e in versions if e.owner_org == record.owner_org]
    if isinstance(item, Posted) and item.version_us is not None and mine and "modified" in obj:
        newest = max(e.version_us for e in mine)
        same = any(e.version_us == item.version_us and same_body(e.body, item) for e in mine)
        if item.version_us <= newest and not same:
            item = checked_object({**obj, "modified": stix_timestamp(newest + _MS)})
    vocabulary = obj["type"] in VOCABULARY_TYPES
    return Offer(
        item=item,
        marking=record.marking,
        owner=record.owner_org,
        author=record.created_by,
        expires_at=None if vocabulary else record.expires_at,
    )
