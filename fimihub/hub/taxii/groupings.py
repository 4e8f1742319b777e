"""What a collection holds beyond each record's own objects: a ``grouping`` per operation, and a sighting of
each of an operation's indicators per action, as whole-bundle exports carry them (tools that read per event —
MISP makes one event per grouping, and keeps sightings only on attributes — need both).

They are derived from several records at once, so they are kept in step with all of them: whenever a record
of an operation changes in a forum (the operation, its signals, actions, assets, fingerprints, or feedback
on them), the operation's grouping in that forum's collection, and the sightings derived from the pairs of
an action and a signal one of which changed, are worked out again from the records as they now stand, and
published as new versions when they changed, or withdrawn.

What they may name is decided by the access policy (:func:`fimihub.policy.reads_within`), so that a reader
never learns of an object it may not read through them:

* the grouping carries the operation's governance envelope (owner, author, marking, expiry) and names only
  objects the collection holds in a version every reader of the grouping may read: the campaign and what
  derives from it, the indicators of the operation's signals that are not revoked, with their relationships,
  the sightings of its actions and the derived ones, its fingerprints' notes, its assets' observables and
  opinions on any of those — each only when its newest version is at most as restricted as the grouping;
* a sighting of an indicator is derived from an action's sighting of the campaign when one of the two records
  is read by no one who does not read the other: it takes the governance of that one (never RED in a forum);
* when a signal is revoked, deleted or leaves the forum, its indicator leaves the grouping (a new version)
  and its derived sightings are withdrawn; when the operation leaves the forum, so does its grouping.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from fimihub import policy
from fimihub.exchange.stix import signing, to_stix_objects
from fimihub.exchange.stix.ids import derived_id
from fimihub.exchange.stix.indicators import indicator_id
from fimihub.exchange.stix.markings import marking_refs
from fimihub.exchange.stix.sightings import action_to_stix
from fimihub.exchange.stix.writing import grouping_object, indicator_sighting
from fimihub.hub.taxii.access import governed_of
from fimihub.hub.taxii.posting import Posted, Refused, checked_object, lineage, version_order
from fimihub.hub.taxii.resources import stix_timestamp, timestamp_us
from fimihub.hub.taxii.writing import Offer, held_versions, others_instants, withdraw, write_offers
from fimihub.model import Action, Asset, Feedback, Fingerprint, Forum, Governed, Operation, Signal
from fimihub.policy import Caller
from fimihub.storage import UnitOfWork
from fimihub.storage.base import StixEntry

__all__ = ["Derived", "grouping_id", "publish_derived"]

#: One millisecond: how far a changed grouping or sighting moves past the version the collection holds.
_MS = 1000
#: The record kinds that belong to an operation by their ``operation_id``.
_PARTS: tuple[type[Signal | Action | Asset | Fingerprint], ...] = (Signal, Action, Asset, Fingerprint)

#: Meta objects, which a grouping's ``object_refs`` may not name (STIX allows SDOs, SROs and SCOs only).
_META = frozenset({"marking-definition", "extension-definition", "language-content"})

Change = tuple[Governed | None, Governed | None]
A = TypeVar("A")
S = TypeVar("S")


@dataclass
class Derived:
    """What :func:`publish_derived` did: the ids of the versions it stored and of the objects it withdrew."""

    stored: list[str] = field(default_factory=list)
    withdrawn: list[str] = field(default_factory=list)


def grouping_id(operation_id: str) -> str:
    """The id of the grouping of operation ``operation_id``, in every collection and every bundle."""
    return derived_id("grouping", "operation", operation_id)


def publish_derived(
    uow: UnitOfWork,
    by: Caller,
    forum: Forum,
    changes: Sequence[Change],
    keys: signing.KeyPair,
    now: datetime,
) -> Derived:
    """Bring the groupings and derived sightings of the operations ``changes`` touch in ``forum`` in step
    with their records, in ``uow`` (after the records' own objects were published)."""
    done = Derived()
    touched: dict[str, list[Governed]] = {}
    for before, after in changes:
        for record in (before, after):
            if record is not None and record.forum_id == forum.id:
                operation_id = _operation_of(uow, record)
                if operation_id is not None:
                    touched.setdefault(operation_id, []).append(record)
    for operation_id, records in touched.items():
        _refresh(uow, by, forum, operation_id, records, keys, now, done)
    return done


def _operation_of(uow: UnitOfWork, record: Governed) -> str | None:
    if isinstance(record, Operation):
        return record.id
    if isinstance(record, _PARTS):
        return record.operation_id
    if isinstance(record, Feedback):
        subject = record.subject_id
        if subject.startswith("operation--"):
            return subject
        signal = uow.get(Signal, subject)
        if signal is not None:
            return signal.operation_id
        action = uow.get(Action, subject)
        if action is not None:
            return action.operation_id
    return None


def _refresh(
    uow: UnitOfWork,
    by: Caller,
    forum: Forum,
    operation_id: str,
    touched: list[Governed],
    keys: signing.KeyPair,
    now: datetime,
    done: Derived,
) -> None:
    """Work out again the grouping of ``operation_id`` in ``forum`` and the sightings of indicators derived
    from the pairs of its actions and signals that ``touched`` records (as they were, and as they are) take
    part in: a pair neither of whose records changed keeps its sighting as it is."""
    where: dict[str, Any] = {"operation_id": operation_id, "forum_id": forum.id}
    signals = uow.find(Signal, where=where)
    actions = uow.find(Action, where=where)
    live = [s for s in signals if not s.revoked]
    changed = {r.id for r in touched}
    pairs = _touched_pairs(actions, live, changed)
    sightings = [pair for a, s in pairs if (pair := _indicator_sighting(a, s)) is not None]
    # Sightings published before for a touched pair, which may have to go: every action and signal it had.
    owners = {a.id: a.owner_org for a in [*actions, *(r for r in touched if isinstance(r, Action))]}
    signal_ids = sorted({s.id for s in signals} | {r.id for r in touched if isinstance(r, Signal)})
    candidates = {
        derived_id("sighting", "indicator", indicator_id(s), a): owners[a]
        for a, s in _touched_pairs(list(owners), signal_ids, changed)
    }
    _publish(uow, by, forum, sightings, candidates, keys, now, done)

    # Every derived sighting the grouping may name, published now or before.
    derived = [derived_id("sighting", "indicator", indicator_id(s.id), a.id) for a in actions for s in live]
    operation = uow.get(Operation, operation_id)
    gid = grouping_id(operation_id)
    if operation is None or operation.forum_id != forum.id:
        owner = next((r.owner_org for r in touched if isinstance(r, Operation)), None)
        if owner is not None:
            _publish(uow, by, forum, [], {gid: owner}, keys, now, done)
        return
    parts: list[Governed] = [operation, *live, *actions]
    parts += [r for kind in (Asset, Fingerprint) for r in uow.find(kind, where=where)]
    subjects = [operation_id, *(s.id for s in live), *(a.id for a in actions)]
    parts += uow.find(Feedback, where={"forum_id": forum.id, "subject_id": subjects})
    wanted = [str(o["id"]) for record in parts for o in to_stix_objects([record]) if o["type"] not in _META]
    wanted += derived
    refs = _readable_refs(uow, forum, operation, list(dict.fromkeys(wanted)))
    _publish(uow, by, forum, [(grouping_object(operation, refs), operation)], {gid: operation.owner_org},
             keys, now, done)  # fmt: skip


def _touched_pairs(actions: Sequence[A], signals: Sequence[S], changed: set[str]) -> list[tuple[A, S]]:
    """The pairs of an action and a signal of which at least one ``changed`` (by id), each once."""

    def key(item: object) -> str:
        return item if isinstance(item, str) else str(getattr(item, "id", ""))

    pairs = [(a, s) for a in actions if key(a) in changed for s in signals]
    pairs += [(a, s) for s in signals if key(s) in changed for a in actions if key(a) not in changed]
    return pairs


def _indicator_sighting(action: Action, signal: Signal) -> tuple[dict[str, Any], Governed] | None:
    """The sighting of ``signal``'s indicator derived from ``action``, with the governance it is held under:
    that of the one of the two whose readers all read the other too; ``None`` when neither is."""
    of_campaign = [
        o
        for o in action_to_stix(action)
        if o["type"] == "sighting" and str(o["sighting_of_ref"]).startswith("campaign--")
    ]
    if not of_campaign:
        return None
    for envelope, other in ((action, signal), (signal, action)):
        if envelope.owner_org == action.owner_org and policy.reads_within(envelope, other):
            obj = indicator_sighting(of_campaign[0], indicator_id(signal.id))
            obj["object_marking_refs"] = marking_refs(envelope.marking)
            return obj, envelope
    return None


def _readable_refs(uow: UnitOfWork, forum: Forum, operation: Operation, wanted: list[str]) -> list[str]:
    """The ids among ``wanted`` whose newest version (of some organisation's copy) every reader of the
    operation may read, in ``wanted``'s order."""
    held = held_versions(uow, forum.id, wanted)
    refs: list[str] = []
    for stix_id in wanted:
        versions = held.get(stix_id, [])
        owners = {e.owner_org for e in versions}
        for owner in owners:
            newest = max(lineage(versions, owner), key=version_order)
            if not newest.tombstone and policy.reads_within(operation, governed_of(newest)):
                refs.append(stix_id)
                break
    return refs


def _publish(
    uow: UnitOfWork,
    by: Caller,
    forum: Forum,
    objects: list[tuple[dict[str, Any], Governed]],
    candidates: dict[str, str],
    keys: signing.KeyPair,
    now: datetime,
    done: Derived,
) -> None:
    """Offer ``objects`` (each with the record whose governance it takes) as new versions where they changed,
    and withdraw the ``candidates`` (id → owner organisation) that are no longer among them."""
    ids = list(dict.fromkeys([*(str(o["id"]) for o, _ in objects), *candidates]))
    held = held_versions(uow, forum.id, ids)
    offers: list[Offer] = []
    for obj, record in objects:
        mine = lineage(held.get(str(obj["id"]), []), record.owner_org)
        versioned = _versioned(obj, mine)
        if versioned is None:
            continue
        item: Posted | Refused
        try:
            item = checked_object(signing.sign(versioned, keys))
        except Refused as refused:
            item = refused
        offers.append(Offer(item, record.marking, record.owner_org, record.created_by, record.expires_at))
    if offers:
        written = write_offers(uow, by, forum, offers, now=now, vouched=True, keep_others=True, held=held)
        done.stored += [e.stix_id for e in written.entries]
    current = {str(o["id"]) for o, _ in objects}
    for stix_id, owner in candidates.items():
        if stix_id in current:
            continue
        versions = held.get(stix_id, [])
        owned = lineage(versions, owner)
        if owned and not max(owned, key=version_order).tombstone:
            resign = _resigner(keys)
            withdraw(uow, owned, owned, now, resign=resign, taken=others_instants(versions, owner))
            done.withdrawn.append(stix_id)


def _versioned(obj: dict[str, Any], mine: Sequence[StixEntry]) -> dict[str, Any] | None:
    """``obj`` as the next version of its organisation's copy ``mine``: ``None`` when the newest version
    says the same already; else, when it is not newer than that version, moved just past it."""
    if not mine:
        return obj
    newest = max(mine, key=version_order)
    held = signing.unsigned(newest.body)
    if not newest.tombstone and _without_modified(held) == _without_modified(obj):
        return None
    if timestamp_us(str(obj["modified"])) <= newest.version_us:
        return {**obj, "modified": stix_timestamp(newest.version_us + _MS)}
    return obj


def _without_modified(obj: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in obj.items() if k != "modified"}


def _resigner(keys: signing.KeyPair) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """Signs a withdrawn object's tombstone again: the hub vouches for the withdrawal."""

    def resign(body: dict[str, Any]) -> dict[str, Any]:
        return signing.sign(body, keys) if signing.is_signed(body) else body

    return resign
