"""TAXII 2.1 use cases: the STIX objects that each forum's collection holds, and who may see and change them.

Every forum is a TAXII collection; a member sees the collections of the forums its organisation belongs to.
A collection holds the STIX 2.1 objects posted to it (by members over TAXII, or by the hub itself with
:meth:`Taxii.publish` and the record feed, :mod:`fimihub.hub.taxii.feed`), each version stored whole
with the properties TAXII filters on. Whether a member may read, post or delete an object is decided by
:mod:`fimihub.policy` on the object's governance envelope: the organisation that posted it owns it, the member
who posted it wrote it, and its marking comes from its ``object_marking_refs`` (the OASIS TLP 2.0 marking
definitions, or the TLP 1.0 ones ``stix2`` ships), or the forum's default TLP when it names none.

``date_added`` is unique and strictly increasing across the hub, in commit order, kept to the microsecond; a
peer polling with ``added_after`` set to the last ``date_added`` it saw never misses an object. Pages are
walked with stateless cursors signed with a key kept in the store, and cost what the page costs, whatever the
collection's size.

Deleting an object leaves a tombstone, so that peers polling with ``added_after`` learn of the deletion: a new
version of the object with ``revoked: true`` (objects with a ``modified`` property: SDOs and SROs), or marked
by the deletion extension (:mod:`fimihub.exchange.stix.tombstones`; objects without one, such as SCOs, whose
version is their ``date_added``). The tombstone keeps the last version's properties: a STIX client rejects an
object without its required ones.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import replace
from functools import partial
from typing import Any

from fimihub import policy
from fimihub.errors import NotFound, PermissionDenied, ValidationError
from fimihub.hub.core import Core, audit_event
from fimihub.hub.signatures import HubSigner
from fimihub.hub.taxii.access import (
    Readable,
    collection_of,
    existing_forum,
    forum_of,
    governed_of,
    lists_forum,
    may_entry,
)
from fimihub.hub.taxii.intake import StixIntake
from fimihub.hub.taxii.posting import Posted, Refused, checked_object, lineage, lineages, version_order
from fimihub.hub.taxii.reading import (
    chosen,
    cursor_for,
    cursor_position,
    page_limit,
    spec_ok,
    storage_query,
    version_choice,
)
from fimihub.hub.taxii.resources import (
    StixCollection,
    StixFilters,
    StixOutcome,
    StixPage,
    StixStatus,
    collection_id_of,
    granular_refs,
    marking_of,
    stix_timestamp,
    to_us,
)
from fimihub.hub.taxii.writing import Offer, withdraw, write_offers
from fimihub.hub.writes import WritePath
from fimihub.model import Forum, Marking
from fimihub.policy import Caller
from fimihub.storage.base import StixEntry, StixStatusRecord

__all__ = ["Taxii"]


class Taxii:
    """The TAXII 2.1 use cases over the forums' collections (``hub.taxii``)."""

    def __init__(self, core: Core, *, writes: WritePath, intake: StixIntake, signer: HubSigner) -> None:
        self.core = core
        self.writes = writes
        self.intake = intake
        self.signer = signer

    # -- collections --------------------------------------------------------------------------------------

    def collections(self, by: Caller) -> list[StixCollection]:
        """The collections the caller sees: one per forum its organisation belongs to (every forum for the
        operator), with ``can_read`` and ``can_write`` as the access policy answers them for the caller."""
        with self.core.store.unit_of_work(read_only=True) as uow:
            forums = uow.find(Forum)
        return [collection_of(by, f) for f in forums if lists_forum(by, f)]

    def collection(self, by: Caller, collection_id: str) -> StixCollection:
        """One collection the caller sees; :class:`NotFound` otherwise."""
        with self.core.store.unit_of_work(read_only=True) as uow:
            return collection_of(by, forum_of(by, uow, collection_id))

    # -- reading ------------------------------------------------------------------------------------------

    def objects(self, by: Caller, collection_id: str, filters: StixFilters | None = None) -> StixPage:
        """A page of the objects in a collection the caller may read (TAXII Get Objects)."""
        return self._stix_page(by, collection_id, "objects", filters or StixFilters())

    def manifest(self, by: Caller, collection_id: str, filters: StixFilters | None = None) -> StixPage:
        """The same entries as :meth:`objects`, for the manifest (TAXII Get Object Manifests)."""
        return self._stix_page(by, collection_id, "manifest", filters or StixFilters())

    def object(
        self, by: Caller, collection_id: str, stix_id: str, filters: StixFilters | None = None
    ) -> StixPage:
        """Versions of one object (the newest unless ``filters.versions`` says otherwise); :class:`NotFound`
        when the caller may read no version of it."""
        return self._stix_page(by, collection_id, "object", filters or StixFilters(), stix_id=stix_id)

    def versions(
        self, by: Caller, collection_id: str, stix_id: str, filters: StixFilters | None = None
    ) -> StixPage:
        """Every version of one object the caller may read (TAXII Get Object Versions)."""
        base = filters or StixFilters()
        return self._stix_page(
            by, collection_id, "versions", replace(base, versions=("all",)), stix_id=stix_id
        )

    def status(self, by: Caller, status_id: str) -> StixStatus:
        """The status of an envelope the caller's organisation posted."""
        with self.core.store.unit_of_work(read_only=True) as uow:
            found = uow.stix.status(status_id)
        if found is None or not policy.acts_for_org(by, found.org_id):
            raise NotFound(f"no status {status_id!r}")
        return StixStatus.from_resource(found.body)

    # -- writing ------------------------------------------------------------------------------------------

    def add(
        self, by: Caller, collection_id: str, objects: Sequence[Any], *, owner_org: str | None = None
    ) -> StixStatus:
        """Store posted STIX objects in a collection, in one transaction (TAXII Add Objects).

        Each object succeeds or fails on its own, as TAXII has it: an invalid object, or one the policy does
        not let the caller share into the forum, is a failure with a message, while the others are stored.
        Posting a version the collection already holds is a success that changes nothing. ``owner_org`` is
        for the operator, who posts on an organisation's behalf.
        """
        return self._store_stix(
            by, objects, collection_id=collection_id, owner_org=owner_org, action="stix.add", strict=False
        )

    def publish(
        self,
        by: Caller,
        forum_id: str,
        objects: Sequence[Any],
        *,
        marking: Marking | None = None,
        owner_org: str | None = None,
    ) -> StixStatus:
        """Publish the STIX form of records into a forum's collection, all or nothing.

        This is how the hub feeds TAXII when records are shared: ``marking`` is the record's own (which may
        name recipients STIX cannot express); without it each object's marking comes from its
        ``object_marking_refs``. An object that would fail raises :class:`ValidationError`; nothing is stored.
        """
        return self._store_stix(
            by,
            self.signer.sign_outgoing(objects),
            forum_id=forum_id,
            marking=marking,
            owner_org=owner_org,
            action="stix.publish",
            strict=True,
        )

    def delete(
        self,
        by: Caller,
        collection_id: str,
        stix_id: str,
        *,
        versions: Sequence[str] = (),
        spec_versions: Sequence[str] = (),
    ) -> None:
        """Delete an object from a collection, leaving a tombstone (TAXII Delete An Object).

        ``versions`` (``first``, ``last``, ``all`` or timestamps; all when empty) and ``spec_versions`` choose
        versions. Deleting older versions only removes them; deleting the newest deletes the object: every
        version goes and a tombstone (see the module's description) becomes its newest version, so peers that
        poll learn of it. Only analysts and admins of the owner organisation may delete. When several
        organisations hold their own copy of the object, a member deletes its organisation's copy (the
        operator deletes every copy).
        """
        now = self.core.clock()
        with self.core.store.unit_of_work() as uow:
            forum = forum_of(by, uow, collection_id)
            readable = Readable(by, forum)
            held = uow.stix.versions_of(forum.id, [stix_id])
            live = [e for e in held if not e.tombstone and readable(e)]
            if not live:
                raise NotFound(f"no object {stix_id!r} in collection {collection_id!r}")
            member = policy.actor_of(by)
            if member is not None and any(e.owner_org == member.org.id for e in live):
                live = lineage(live, member.org.id)
            choice = version_choice(tuple(versions) or ("all",), "match[version]")
            chosen_by_owner: list[tuple[list[StixEntry], list[StixEntry], list[StixEntry]]] = []
            for own_live in lineages(live):
                owned = lineage(held, own_live[0].owner_org)
                targets = [e for e in own_live if chosen(e, choice, own_live) and spec_ok(e, spec_versions)]
                if targets:
                    chosen_by_owner.append((owned, own_live, targets))
            if not chosen_by_owner:
                raise NotFound(f"no version of {stix_id!r} matches the filters")
            for _, _, targets in chosen_by_owner:
                for entry in targets:
                    policy.check(by, policy.Act.DELETE, governed_of(entry), forum=forum)
            removed: list[str] = []
            tombstones: list[str] = []
            taken = {e.version_us for e in held}  # each copy's tombstone keeps clear of the others' versions
            for owned, own_live, picked in chosen_by_owner:
                targets = picked
                if max(owned, key=version_order) in picked:
                    # Deleting the newest version deletes the object: every version the caller may delete goes
                    targets = [e for e in own_live if may_entry(by, policy.Act.DELETE, e, forum)]
                    targets += [e for e in owned if e.tombstone]
                stone = withdraw(
                    uow, owned, targets, now, resign=partial(self.signer.signed_tombstone, uow), taken=taken
                )
                removed += [e.version for e in targets if not e.tombstone]
                tombstones += [stone.version] if stone else []
            audit_event(
                uow,
                by,
                "stix.delete",
                "stix_object",
                stix_id,
                {
                    "forum_id": forum.id,
                    "versions": sorted(removed),
                    "tombstone": tombstones[0] if len(tombstones) == 1 else (tombstones or None),
                },
                now,
            )

    # -- internals ----------------------------------------------------------------------------------------

    def _store_stix(
        self,
        by: Caller,
        objects: Sequence[Any],
        *,
        action: str,
        strict: bool,
        collection_id: str | None = None,
        forum_id: str | None = None,
        marking: Marking | None = None,
        owner_org: str | None = None,
    ) -> StixStatus:
        if not isinstance(objects, Sequence) or isinstance(objects, str | bytes):
            raise ValidationError("objects", "must be a list of STIX objects")
        member = policy.actor_of(by)
        if member is None:
            if not owner_org:
                raise ValidationError("owner_org", "field required when the operator posts objects")
            owner, author = owner_org, None
        else:
            owner, author = member.org.id, member.member.id
        now = self.core.clock()
        # Validation is pure work: done before the write lock is taken.
        checked: list[Posted | Refused] = []
        refusals = self.signer.refusals(objects)  # signed by a trusted key, and altered since
        for index, item in enumerate(objects):
            try:
                posted = checked_object(item)
                if index in refusals:
                    raise Refused(posted.stix_id, posted.version or "", refusals[index])
                checked.append(posted)
            except Refused as refused:
                checked.append(refused)
        # Records made from the posted objects are not published back: the objects are their STIX form.
        with self.writes.open(by, publish=False) as uow:
            if collection_id is not None:
                forum = forum_of(by, uow, collection_id)
            else:
                forum = existing_forum(uow, forum_id or "")
            if not collection_of(by, forum).can_write:
                raise PermissionDenied(f"you may not add objects to collection {collection_id_of(forum.id)}")
            expires = policy.expiry_for(
                now,
                record_expires_at=None,
                forum=forum,
                default_days=self.core.settings.default_retention_days,
            )
            markings = _Markings(forum)
            offers = [
                Offer(
                    item=item,
                    marking=marking or (markings(item) if isinstance(item, Posted) else Marking()),
                    owner=owner,
                    author=author,
                    expires_at=expires,
                )
                for item in checked
            ]
            written = write_offers(uow, by, forum, offers, now=now)
            if strict and written.failures:
                errors = [(f"objects[{f.id}]", f.message or "refused") for f in written.failures]
                raise ValidationError(errors[0][0], errors[0][1], errors=errors)
            notes = self.intake.read(uow, by, forum, written.entries).notes if written.entries else {}
            status = StixStatus(
                id=str(uuid.uuid4()),
                request_timestamp=stix_timestamp(to_us(now)),
                successes=tuple(_noted(o, notes) for o in written.successes),
                failures=written.failures,
            )
            uow.stix.save_status(
                StixStatusRecord(
                    id=status.id, org_id=owner, forum_id=forum.id, created_at=now, body=status.resource()
                )
            )
            audit_event(
                uow,
                by,
                action,
                "stix_collection",
                forum.id,
                {
                    "status_id": status.id,
                    "stored": len(written.entries),
                    "held_already": len(written.successes) - len(written.entries),
                    "failed": len(written.failures),
                    "ids": [e.stix_id for e in written.entries[:1000]],
                },
                now,
            )
        return status

    def _stix_page(
        self, by: Caller, collection_id: str, endpoint: str, filters: StixFilters, stix_id: str | None = None
    ) -> StixPage:
        limit = page_limit(filters.limit, self.core.settings.taxii_page_size)
        with self.core.store.unit_of_work(read_only=True) as uow:
            forum = forum_of(by, uow, collection_id)
            if not collection_of(by, forum).can_read:
                raise PermissionDenied(f"you may not read collection {collection_id}")
            readable = Readable(by, forum)
            if stix_id is not None and not any(
                readable(e) for e in uow.stix.versions_of(forum.id, [stix_id])
            ):
                raise NotFound(f"no object {stix_id!r} in collection {collection_id!r}")
            key = uow.stix.cursor_key()
            query, digest = storage_query(by, forum, endpoint, filters, stix_id)
            if filters.next is not None:
                position = cursor_position(key, digest, filters.next)
                after = query.after_us
                query = replace(query, after_us=position if after is None else max(after, position))
            found: list[StixEntry] = []
            while len(found) <= limit:
                want = limit + 1 - len(found)
                batch = uow.stix.find(replace(query, limit=max(want, 50)))
                found.extend(e for e in batch if readable(e))
                if len(batch) < max(want, 50):
                    break
                query = replace(query, after_us=batch[-1].added_us)
        more = len(found) > limit
        entries = found[:limit]
        cursor = cursor_for(key, digest, entries[-1].added_us) if more else None
        return StixPage(entries, more, cursor)


def _noted(outcome: StixOutcome, notes: Mapping[str, list[str]]) -> StixOutcome:
    """A success with what the intake says of its object: why it (or part of it) became no record."""
    said = notes.get(outcome.id)
    if not said or outcome.message is not None:
        return outcome
    return replace(outcome, message="stored; " + "; ".join(said))


class _Markings:
    """The marking of each posted object in ``forum``, made once per distinct ``object_marking_refs`` (the
    objects of one post mostly share them, and share the marking made for them)."""

    def __init__(self, forum: Forum) -> None:
        self._default = forum.default_tlp
        self._made: dict[tuple[str, ...], Marking] = {}

    def __call__(self, posted: Posted) -> Marking:
        # strings: checked_object saw to it; granular markings count too (marking_of)
        refs = (*(posted.body.get("object_marking_refs") or ()), "|", *granular_refs(posted.body))
        marking = self._made.get(refs)
        if marking is None:
            marking = self._made[refs] = marking_of(posted.body, self._default)
        return marking
