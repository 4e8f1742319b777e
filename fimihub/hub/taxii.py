"""TAXII 2.1 use cases: the STIX objects that each forum's collection holds, and who may see and change them.

Every forum is a TAXII collection; a member sees the collections of the forums its organisation belongs to.
A collection holds the STIX 2.1 objects posted to it (by members over TAXII, or by the hub itself with
:meth:`TaxiiMixin.publish_stix` when records are shared), each version stored whole with the properties TAXII
filters on. Whether a member may read, post or delete an object is decided by :mod:`fimihub.policy` on the
object's governance envelope: the organisation that posted it owns it, the member who posted it wrote it, and
its marking comes from its ``object_marking_refs`` (the OASIS TLP 2.0 marking definitions, or the TLP 1.0 ones
``stix2`` ships), or the forum's default TLP when it names none.

``date_added`` is unique and strictly increasing across the hub, in commit order, kept to the microsecond; a
peer polling with ``added_after`` set to the last ``date_added`` it saw never misses an object. Pages are
walked with stateless cursors signed with a key kept in the store, and cost what the page costs, whatever the
collection's size.

Deleting an object leaves a tombstone, so that peers polling with ``added_after`` learn of the deletion: a new
version of the object with ``revoked: true`` (objects with a ``modified`` property: SDOs and SROs), or with
``x_fimihub_deleted: true`` (objects without one, such as SCOs, whose version is their ``date_added``). The
tombstone keeps the last version's properties: a STIX client rejects an object without its required ones.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import re
import struct
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from fimihub import policy
from fimihub.errors import FimihubError, NotFound, PermissionDenied, ValidationError
from fimihub.hub.caller import Caller, Operator, caller_id
from fimihub.model import TLP, Forum, Governed, Marking
from fimihub.settings import Settings
from fimihub.storage import Store, UnitOfWork, Visibility
from fimihub.storage.base import StixEntry, StixQuery, StixStatusRecord

__all__ = [
    "FORUM_PREFIX",
    "MAX_OBJECT_BYTES",
    "STIX_MEDIA_TYPE",
    "TLP_MARKING_DEFINITIONS",
    "StixCollection",
    "StixFilters",
    "StixOutcome",
    "StixPage",
    "StixStatus",
    "TaxiiMixin",
    "collection_id_of",
    "marking_of",
    "stix_timestamp",
    "timestamp_us",
]

#: The media type of every object a collection holds.
STIX_MEDIA_TYPE = "application/stix+json;version=2.1"
#: Forum ids are ``forum--<uuid>``; the collection id is the UUID.
FORUM_PREFIX = "forum--"
#: The largest single STIX object accepted, serialised, in bytes.
MAX_OBJECT_BYTES = 1024 * 1024
#: How deeply an object's JSON may nest.
MAX_DEPTH = 64

#: TLP marking definitions by id: the OASIS TLP 2.0 definitions (extension-definition--60a3c5c5-…), and the
#: TLP 1.0 ones of the STIX 2.1 specification (WHITE is CLEAR's old name).
TLP_MARKING_DEFINITIONS: dict[str, TLP] = {
    "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487": TLP.CLEAR,
    "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb": TLP.GREEN,
    "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421": TLP.AMBER,
    "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003": TLP.AMBER_STRICT,
    "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1": TLP.RED,
    "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9": TLP.CLEAR,
    "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da": TLP.GREEN,
    "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82": TLP.AMBER,
    "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed": TLP.RED,
}

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)
_TIMESTAMP = re.compile(r"^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?Z$")
_TYPE = re.compile(r"^[a-z0-9][a-z0-9-]{1,248}[a-z0-9]$")
_VERSION_WORDS = frozenset({"first", "last", "all"})
# Someone other than the caller's organisation, for asking the policy what a forum shares forum-wide.
_ANOTHER_ORG = "organisation--(another member)"
_CURSOR_MAC_BYTES = 16
_BAD_CURSOR = "is not a cursor this server issued for this query (pass back `next` unchanged, same filters)"


def timestamp_us(text: str) -> int:
    """Microseconds since the epoch of a STIX timestamp (``2024-05-01T12:00:00.000Z``); digits past the
    sixth of the fraction are dropped. Raises ``ValueError`` for anything else."""
    match = _TIMESTAMP.match(text) if isinstance(text, str) else None
    if match is None:
        raise ValueError(f"not a STIX timestamp: {text!r}")
    year, month, day, hour, minute, second, fraction = match.groups()
    moment = datetime(int(year), int(month), int(day), int(hour), int(minute), int(second), tzinfo=UTC)
    return (moment - _EPOCH) // _MICROSECOND + int((fraction or "")[:6].ljust(6, "0"))


def stix_timestamp(us: int) -> str:
    """A STIX timestamp with microsecond precision for ``us`` microseconds since the epoch."""
    return (_EPOCH + us * _MICROSECOND).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def collection_id_of(forum_id: str) -> str:
    """The TAXII collection id of a forum."""
    return forum_id.removeprefix(FORUM_PREFIX)


def marking_of(stix_object: Mapping[str, Any], default: TLP) -> Marking:
    """The record-level marking of a STIX object: the strictest TLP its ``object_marking_refs`` name, else
    ``default`` (the forum's). STIX has no way to name recipients, so none are named."""
    refs = stix_object.get("object_marking_refs") or ()
    levels = [TLP_MARKING_DEFINITIONS[r] for r in refs if isinstance(r, str) and r in TLP_MARKING_DEFINITIONS]
    return Marking(tlp=max(levels, key=lambda t: t.rank) if levels else default)


@dataclass(frozen=True, slots=True)
class StixCollection:
    """A forum seen as a TAXII collection by one caller."""

    id: str
    forum_id: str
    title: str
    description: str
    can_read: bool
    can_write: bool
    media_types: tuple[str, ...] = (STIX_MEDIA_TYPE,)


@dataclass(frozen=True, slots=True)
class StixFilters:
    """The TAXII filters of a read, as the client sent them.

    ``versions`` holds ``first``, ``last``, ``all`` or STIX timestamps (their union; ``last`` when empty);
    ``next`` is a cursor from the previous page of the same query; ``limit`` is capped at the hub's page size.
    """

    added_after: str | None = None
    limit: int | None = None
    next: str | None = None
    ids: tuple[str, ...] = ()
    types: tuple[str, ...] = ()
    versions: tuple[str, ...] = ()
    spec_versions: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class StixPage:
    """One page of entries, oldest ``date_added`` first; ``next`` continues it while ``more`` is true."""

    entries: list[StixEntry]
    more: bool
    next: str | None

    @property
    def date_added_first(self) -> str | None:
        return stix_timestamp(self.entries[0].added_us) if self.entries else None

    @property
    def date_added_last(self) -> str | None:
        return stix_timestamp(self.entries[-1].added_us) if self.entries else None


@dataclass(frozen=True, slots=True)
class StixOutcome:
    """What became of one posted object (a TAXII status-details): its id, version, and why it failed."""

    id: str
    version: str
    message: str | None = None

    def resource(self) -> dict[str, str]:
        data = {"id": self.id, "version": self.version}
        if self.message is not None:
            data["message"] = self.message
        return data


@dataclass(frozen=True, slots=True)
class StixStatus:
    """What became of one posted envelope (a TAXII status resource). Posts are stored before the answer is
    sent, so a status is always ``complete`` and nothing is pending."""

    id: str
    request_timestamp: str
    successes: tuple[StixOutcome, ...] = ()
    failures: tuple[StixOutcome, ...] = ()
    pendings: tuple[StixOutcome, ...] = ()
    status: str = "complete"

    def resource(self) -> dict[str, Any]:
        """The status as TAXII's status resource."""
        data: dict[str, Any] = {
            "id": self.id,
            "status": self.status,
            "request_timestamp": self.request_timestamp,
            "total_count": len(self.successes) + len(self.failures) + len(self.pendings),
            "success_count": len(self.successes),
            "failure_count": len(self.failures),
            "pending_count": len(self.pendings),
        }
        for name in ("successes", "failures", "pendings"):
            outcomes: tuple[StixOutcome, ...] = getattr(self, name)
            if outcomes:
                data[name] = [o.resource() for o in outcomes]
        return data

    @classmethod
    def from_resource(cls, data: Mapping[str, Any]) -> StixStatus:
        def outcomes(name: str) -> tuple[StixOutcome, ...]:
            return tuple(StixOutcome(d["id"], d["version"], d.get("message")) for d in data.get(name, ()))

        return cls(
            id=data["id"],
            request_timestamp=data["request_timestamp"],
            successes=outcomes("successes"),
            failures=outcomes("failures"),
            pendings=outcomes("pendings"),
            status=data["status"],
        )


@dataclass(frozen=True, slots=True)
class _Posted:
    """A posted object that passed validation. ``version_us`` is ``None`` for objects with neither
    ``modified`` nor ``created``, whose version is their ``date_added``."""

    body: dict[str, Any]
    stix_id: str
    type: str
    spec_version: str
    version: str | None
    version_us: int | None
    canonical: str


class _Refused(Exception):
    """A posted object that cannot be stored, with the id and version to report it under."""

    def __init__(self, stix_id: str, version: str, message: str) -> None:
        super().__init__(message)
        self.outcome = StixOutcome(stix_id, version, message)


class TaxiiMixin:
    """TAXII use cases. Mixed into :class:`~fimihub.hub.Hub`."""

    store: Store
    settings: Settings
    clock: Callable[[], datetime]

    # -- collections --------------------------------------------------------------------------------------

    def stix_collections(self, by: Caller) -> list[StixCollection]:
        """The collections the caller sees: one per forum its organisation belongs to (every forum for the
        operator), with ``can_read`` and ``can_write`` as the access policy answers them for the caller."""
        with self.store.unit_of_work(read_only=True) as uow:
            forums = uow.find(Forum)
        return [_collection(by, f) for f in forums if _lists(by, f)]

    def stix_collection(self, by: Caller, collection_id: str) -> StixCollection:
        """One collection the caller sees; :class:`NotFound` otherwise."""
        with self.store.unit_of_work(read_only=True) as uow:
            return _collection(by, _forum_of(by, uow, collection_id))

    # -- reading ------------------------------------------------------------------------------------------

    def stix_objects(self, by: Caller, collection_id: str, filters: StixFilters | None = None) -> StixPage:
        """A page of the objects in a collection the caller may read (TAXII Get Objects)."""
        return self._stix_page(by, collection_id, "objects", filters or StixFilters())

    def stix_manifest(self, by: Caller, collection_id: str, filters: StixFilters | None = None) -> StixPage:
        """The same entries as :meth:`stix_objects`, for the manifest (TAXII Get Object Manifests)."""
        return self._stix_page(by, collection_id, "manifest", filters or StixFilters())

    def stix_object(
        self, by: Caller, collection_id: str, stix_id: str, filters: StixFilters | None = None
    ) -> StixPage:
        """Versions of one object (the newest unless ``filters.versions`` says otherwise); :class:`NotFound`
        when the caller may read no version of it."""
        return self._stix_page(by, collection_id, "object", filters or StixFilters(), stix_id=stix_id)

    def stix_versions(
        self, by: Caller, collection_id: str, stix_id: str, filters: StixFilters | None = None
    ) -> StixPage:
        """Every version of one object the caller may read (TAXII Get Object Versions)."""
        base = filters or StixFilters()
        return self._stix_page(
            by, collection_id, "versions", replace(base, versions=("all",)), stix_id=stix_id
        )

    def stix_status(self, by: Caller, status_id: str) -> StixStatus:
        """The status of an envelope the caller's organisation posted."""
        with self.store.unit_of_work(read_only=True) as uow:
            found = uow.stix.status(status_id)
        if found is None or not (isinstance(by, Operator) or found.org_id == by.org.id):
            raise NotFound(f"no status {status_id!r}")
        return StixStatus.from_resource(found.body)

    # -- writing ------------------------------------------------------------------------------------------

    def add_stix(
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

    def publish_stix(
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
            objects,
            forum_id=forum_id,
            marking=marking,
            owner_org=owner_org,
            action="stix.publish",
            strict=True,
        )

    def delete_stix(
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
        poll learn of it. Only analysts and admins of the owner organisation may delete.
        """
        now = self.clock()
        with self.store.unit_of_work() as uow:
            forum = _forum_of(by, uow, collection_id)
            readable = _Readable(by, forum)
            held = uow.stix.versions_of(forum.id, [stix_id])
            live = [e for e in held if not e.tombstone and readable(e)]
            if not live:
                raise NotFound(f"no object {stix_id!r} in collection {collection_id!r}")
            choice = _version_choice(tuple(versions) or ("all",), "match[version]")
            targets = [e for e in live if _chosen(e, choice, live) and _spec_ok(e, spec_versions)]
            if not targets:
                raise NotFound(f"no version of {stix_id!r} matches the filters")
            if not isinstance(by, Operator):
                for entry in targets:
                    policy.check(by, policy.Act.DELETE, _governed(entry), forum=forum)
            newest = max(held, key=_version_order)
            if newest in targets:
                # Deleting the newest version deletes the object: every version the caller may delete goes.
                targets = [e for e in live if _may(by, policy.Act.DELETE, e, forum)]
                targets += [e for e in held if e.tombstone]
            uow.stix.remove([e.added_us for e in targets])
            removed = {e.added_us for e in targets}
            remaining = [e for e in held if e.added_us not in removed]
            tombstone: StixEntry | None = None
            if newest in targets:
                added = uow.stix.reserve_added(_us(now), 1)
                tombstone = _tombstone(newest, added, _us(now))
                uow.stix.add([replace(tombstone, first=not remaining)])
            _reflag(uow, remaining, extra=[tombstone] if tombstone else [])
            uow.append_audit(
                actor=caller_id(by),
                action="stix.delete",
                subject_type="stix_object",
                subject_id=stix_id,
                detail={
                    "forum_id": forum.id,
                    "versions": sorted(e.version for e in targets if not e.tombstone),
                    "tombstone": tombstone.version if tombstone else None,
                },
                at=now,
            )

    # -- seams --------------------------------------------------------------------------------------------

    def _stix_stored(self, uow: UnitOfWork, by: Caller, forum: Forum, entries: Sequence[StixEntry]) -> None:
        """Called inside the write transaction with the object versions just stored in ``forum``.

        This is where objects that map to fimihub records (operations, assets, signals …) will be turned into
        records by the STIX mapping, so that they commit together with the objects. Nothing maps yet.
        """

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
        if isinstance(by, Operator):
            if not owner_org:
                raise ValidationError("owner_org", "field required when the operator posts objects")
            owner, author = owner_org, None
        else:
            owner, author = by.org.id, by.member.id
        now = self.clock()
        now_us = _us(now)
        # Validation is pure work: done before the write lock is taken.
        checked: list[_Posted | _Refused] = []
        for item in objects:
            try:
                checked.append(_posted(item))
            except _Refused as refused:
                checked.append(refused)
        with self.store.unit_of_work() as uow:
            if collection_id is not None:
                forum = _forum_of(by, uow, collection_id)
            else:
                forum = _existing_forum(uow, forum_id or "")
            if not _collection(by, forum).can_write:
                raise PermissionDenied(f"you may not add objects to collection {collection_id_of(forum.id)}")
            ids = [p.stix_id for p in checked if isinstance(p, _Posted)]
            held: dict[str, list[StixEntry]] = {}
            for entry in uow.stix.versions_of(forum.id, ids):
                held.setdefault(entry.stix_id, []).append(entry)
            expires = policy.expiry_for(
                now, record_expires_at=None, forum=forum, default_days=self.settings.default_retention_days
            )
            decisions: list[StixOutcome | tuple[_Posted, Marking]] = []
            accepted: dict[tuple[str, int | str], _Posted] = {}
            for item in checked:
                if isinstance(item, _Refused):
                    decisions.append(item.outcome)
                    continue
                object_marking = marking or marking_of(item.body, forum.default_tlp)
                try:
                    decisions.append(
                        _admit(
                            by,
                            forum,
                            item,
                            object_marking,
                            owner,
                            author,
                            held.get(item.stix_id, []),
                            accepted,
                        )
                    )
                except _Refused as refused:
                    decisions.append(refused.outcome)
            new_count = sum(1 for d in decisions if isinstance(d, tuple))
            first_added = uow.stix.reserve_added(now_us, new_count) if new_count else 0
            entries: list[StixEntry] = []
            successes: list[StixOutcome] = []
            failures: list[StixOutcome] = []
            for decision in decisions:
                if isinstance(decision, StixOutcome):
                    (successes if decision.message is None else failures).append(decision)
                    continue
                posted, object_marking = decision
                added_us = first_added + len(entries)
                entry = StixEntry(
                    added_us=added_us,
                    forum_id=forum.id,
                    stix_id=posted.stix_id,
                    type=posted.type,
                    spec_version=posted.spec_version,
                    version=posted.version or stix_timestamp(added_us),
                    version_us=posted.version_us if posted.version_us is not None else added_us,
                    owner_org=owner,
                    created_by=author,
                    marking=object_marking,
                    body=posted.body,
                    expires_at=expires,
                )
                entries.append(entry)
                successes.append(StixOutcome(entry.stix_id, entry.version))
            if strict and failures:
                errors = [(f"objects[{f.id}]", f.message or "refused") for f in failures]
                raise ValidationError(errors[0][0], errors[0][1], errors=errors)
            status = StixStatus(
                id=str(uuid.uuid4()),
                request_timestamp=stix_timestamp(now_us),
                successes=tuple(successes),
                failures=tuple(failures),
            )
            if entries:
                flagged = _flags(held, entries)
                uow.stix.add([e for e in flagged if e.added_us >= first_added])
                uow.stix.set_flags(
                    [(e.added_us, e.latest, e.first) for e in flagged if e.added_us < first_added]
                )
                self._stix_stored(uow, by, forum, [e for e in flagged if e.added_us >= first_added])
            uow.stix.save_status(
                StixStatusRecord(
                    id=status.id, org_id=owner, forum_id=forum.id, created_at=now, body=status.resource()
                )
            )
            uow.append_audit(
                actor=caller_id(by),
                action=action,
                subject_type="stix_collection",
                subject_id=forum.id,
                detail={
                    "status_id": status.id,
                    "stored": len(entries),
                    "held_already": len(successes) - len(entries),
                    "failed": len(failures),
                    "ids": [e.stix_id for e in entries[:1000]],
                },
                at=now,
            )
        return status

    def _stix_page(
        self, by: Caller, collection_id: str, endpoint: str, filters: StixFilters, stix_id: str | None = None
    ) -> StixPage:
        limit = _page_limit(filters.limit, self.settings.taxii_page_size)
        with self.store.unit_of_work(read_only=True) as uow:
            forum = _forum_of(by, uow, collection_id)
            if not _collection(by, forum).can_read:
                raise PermissionDenied(f"you may not read collection {collection_id}")
            readable = _Readable(by, forum)
            if stix_id is not None and not any(
                readable(e) for e in uow.stix.versions_of(forum.id, [stix_id])
            ):
                raise NotFound(f"no object {stix_id!r} in collection {collection_id!r}")
            key = uow.stix.cursor_key()
            query, digest = _query(by, forum, endpoint, filters, stix_id)
            if filters.next is not None:
                position = _cursor_position(key, digest, filters.next)
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
        cursor = _cursor(key, digest, entries[-1].added_us) if more else None
        return StixPage(entries, more, cursor)


# -- collections and policy ----------------------------------------------------------------------------------


def _lists(by: Caller, forum: Forum) -> bool:
    """Whether ``forum`` is among the caller's collections: the forums its organisation belongs to."""
    return isinstance(by, Operator) or (forum.id in by.forums and by.org.id in forum.member_orgs)


def _forum_of(by: Caller, uow: UnitOfWork, collection_id: str) -> Forum:
    forum = uow.get(Forum, FORUM_PREFIX + collection_id) if _is_uuid(collection_id) else None
    if forum is None or not _lists(by, forum):
        raise NotFound(f"no collection {collection_id!r}")
    return forum


def _existing_forum(uow: UnitOfWork, forum_id: str) -> Forum:
    forum = uow.get(Forum, forum_id)
    if forum is None:
        raise NotFound(f"no forum {forum_id!r}")
    return forum


def _collection(by: Caller, forum: Forum) -> StixCollection:
    if isinstance(by, Operator):
        can_read = can_write = True
    else:
        # Anything at all: what any member reads (TLP:CLEAR) from another organisation in this forum.
        can_read = policy.may(by, policy.Act.READ, _probe(forum, _ANOTHER_ORG, None, TLP.CLEAR), forum=forum)
        # Posting is writing a record of one's own and sharing it into the forum at the forum's level.
        level = forum.default_tlp if forum.default_tlp is not TLP.RED else TLP.AMBER
        own = _probe(forum, by.org.id, by.member.id, level)
        can_write = policy.may(by, policy.Act.WRITE, own, forum=forum) and policy.may(
            by, policy.Act.SHARE, own, forum=forum
        )
    return StixCollection(
        id=collection_id_of(forum.id),
        forum_id=forum.id,
        title=forum.name,
        description=forum.description,
        can_read=can_read,
        can_write=can_write,
    )


def _probe(forum: Forum, owner_org: str, created_by: str | None, tlp: TLP) -> Governed:
    """A stand-in record of ``forum`` to ask the policy about a kind of object rather than one object."""
    return _governed_from("stix-object--probe", forum.id, owner_org, created_by, Marking(tlp=tlp), _EPOCH)


def _governed(entry: StixEntry) -> Governed:
    """The governance envelope of an entry, as the access policy reads it."""
    return _governed_from(
        entry.stix_id, entry.forum_id, entry.owner_org, entry.created_by, entry.marking, _EPOCH
    )


def _governed_from(
    record_id: str, forum_id: str, owner_org: str, created_by: str | None, marking: Marking, at: datetime
) -> Governed:
    # Every field is already valid: build without validating again (this runs for every object read).
    return Governed.model_construct(
        id=record_id,
        owner_org=owner_org,
        forum_id=forum_id,
        marking=marking,
        purpose="cio-exchange",
        created_by=created_by,
        created_at=at,
        modified_at=at,
        expires_at=None,
    )


def _may(by: Caller, act: policy.Act, entry: StixEntry, forum: Forum) -> bool:
    return isinstance(by, Operator) or policy.may(by, act, _governed(entry), forum=forum)


class _Readable:
    """Whether the caller may read an entry, asking the policy once per distinct governance envelope."""

    def __init__(self, by: Caller, forum: Forum) -> None:
        self._by = by
        self._forum = forum
        self._seen: dict[tuple[str, str | None, Marking], bool] = {}

    def __call__(self, entry: StixEntry) -> bool:
        if isinstance(self._by, Operator):
            return True
        key = (entry.owner_org, entry.created_by, entry.marking)
        answer = self._seen.get(key)
        if answer is None:
            answer = self._seen[key] = _may(self._by, policy.Act.READ, entry, self._forum)
        return answer


def _forum_wide(by: Caller, forum: Forum) -> frozenset[TLP]:
    """The TLP levels at which the caller reads what other organisations post in ``forum`` without naming
    anyone, as the policy answers: what the storage pre-filter may let through by level alone."""
    return frozenset(t for t in TLP if _may(by, policy.Act.READ, _entry_probe(forum, t), forum))


def _entry_probe(forum: Forum, tlp: TLP) -> StixEntry:
    return StixEntry(
        added_us=0,
        forum_id=forum.id,
        stix_id="stix-object--probe",
        type="stix-object",
        spec_version="2.1",
        version="",
        version_us=0,
        owner_org=_ANOTHER_ORG,
        created_by=None,
        marking=Marking(tlp=tlp),
        body={},
    )


# -- posting -------------------------------------------------------------------------------------------------


def _posted(item: Any) -> _Posted:
    """``item`` checked enough to protect the store, or :class:`_Refused` saying what is wrong with it."""
    if not isinstance(item, dict):
        raise _Refused("", "", "a STIX object must be a JSON object")
    raw_id, created, modified = item.get("id"), item.get("created"), item.get("modified")
    stix_id = raw_id if isinstance(raw_id, str) else ""
    version = next((v for v in (modified, created) if isinstance(v, str)), "")

    def refuse(message: str) -> _Refused:
        return _Refused(stix_id, version, message)

    kind = item.get("type")
    if not isinstance(kind, str) or not _TYPE.match(kind):
        raise refuse("type: must be 3 to 250 characters of a-z, 0-9 and '-'")
    prefix, _, tail = stix_id.partition("--")
    if prefix != kind or not _is_uuid(tail):
        raise refuse("id: must be '<type>--<UUID>', with the object's type")
    spec = item.get("spec_version")
    if spec is None and created is None and modified is None:
        spec = "2.1"  # STIX 2.1 cyber-observables may leave spec_version out
    if spec != "2.1":
        raise refuse("spec_version: must be '2.1'; other STIX versions are not accepted")
    stamps: dict[str, int] = {}
    for name, value in (("created", created), ("modified", modified)):
        if value is None:
            continue
        try:
            stamps[name] = timestamp_us(value)
        except ValueError:
            raise refuse(f"{name}: must be a STIX timestamp such as 2024-05-01T12:00:00.000Z") from None
    if "modified" in stamps and "created" not in stamps:
        raise refuse("created: required when modified is given")
    if "modified" in stamps and stamps["modified"] < stamps["created"]:
        raise refuse("modified: must not be before created")
    if "revoked" in item and not isinstance(item["revoked"], bool):
        raise refuse("revoked: must be true or false")
    refs = item.get("object_marking_refs")
    if refs is not None and (
        not isinstance(refs, list) or not all(isinstance(r, str) and _is_marking_id(r) for r in refs)
    ):
        raise refuse("object_marking_refs: must be a list of marking-definition ids")
    if _depth(item) > MAX_DEPTH:
        raise refuse(f"nests deeper than {MAX_DEPTH} levels")
    canonical = json.dumps(item, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    if len(canonical.encode("utf-8")) > MAX_OBJECT_BYTES:
        raise refuse(f"is larger than {MAX_OBJECT_BYTES} bytes")
    version_us = stamps.get("modified", stamps.get("created"))
    return _Posted(
        body=item,
        stix_id=stix_id,
        type=kind,
        spec_version="2.1",
        version=version or None,
        version_us=version_us,
        canonical=canonical,
    )


def _admit(
    by: Caller,
    forum: Forum,
    posted: _Posted,
    marking: Marking,
    owner: str,
    author: str | None,
    held: list[StixEntry],
    accepted: dict[tuple[str, int | str], _Posted],
) -> StixOutcome | tuple[_Posted, Marking]:
    """Decide on one valid posted object: an outcome when nothing is to be stored (held already, or refused
    with :class:`_Refused`), else the object and its marking, to store as a new version."""
    version = posted.version or ""
    if not isinstance(by, Operator):
        record = _governed_from(posted.stix_id, forum.id, owner, author, marking, _EPOCH)
        try:
            policy.check(by, policy.Act.WRITE, record, forum=forum)
            policy.check(by, policy.Act.SHARE, record, forum=forum)
        except FimihubError as refused:
            raise _Refused(posted.stix_id, version, refused.message) from None
    if any(e.owner_org != owner for e in held):
        raise _Refused(
            posted.stix_id, version, "the id is another organisation's object: only its creator versions it"
        )
    key: tuple[str, int | str] = (
        (posted.stix_id, posted.version_us)
        if posted.version_us is not None
        else (posted.stix_id, posted.canonical)
    )
    earlier = accepted.get(key)
    if earlier is not None:
        if earlier.canonical != posted.canonical:
            raise _Refused(
                posted.stix_id, version, "the envelope holds two different objects with this version"
            )
        return StixOutcome(posted.stix_id, version or "")
    for entry in held:
        if posted.version_us is None:
            if not entry.tombstone and entry.version_us == entry.added_us and _same(entry.body, posted):
                return StixOutcome(posted.stix_id, entry.version)
        elif entry.version_us == posted.version_us:
            if _same(entry.body, posted):
                return StixOutcome(posted.stix_id, entry.version)
            message = (
                "this version records the object's deletion"
                if entry.tombstone
                else "a different object is held with this id and version"
            )
            raise _Refused(posted.stix_id, version, message)
    accepted[key] = posted
    return posted, marking


def _same(body: Mapping[str, Any], posted: _Posted) -> bool:
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False) == posted.canonical


def _version_order(entry: StixEntry) -> tuple[int, int]:
    return entry.version_us, entry.added_us


def _flags(held: Mapping[str, list[StixEntry]], new: Sequence[StixEntry]) -> list[StixEntry]:
    """The new entries and the held ones whose ``latest`` / ``first`` flags change, flagged anew."""
    by_object: dict[str, list[StixEntry]] = {}
    for entry in new:
        by_object.setdefault(entry.stix_id, []).append(entry)
    changed: list[StixEntry] = []
    for stix_id, added in by_object.items():
        changed.extend(_reflagged([*held.get(stix_id, []), *added], always=added))
    return changed


def _reflagged(versions: Sequence[StixEntry], always: Sequence[StixEntry] = ()) -> list[StixEntry]:
    """``versions`` of one object with ``latest``/``first`` set; those whose flags changed, and ``always``."""
    if not versions:
        return []
    newest, oldest = max(versions, key=_version_order), min(versions, key=_version_order)
    keep = {e.added_us for e in always}
    out: list[StixEntry] = []
    for entry in versions:
        latest, first = entry is newest, entry is oldest
        if entry.added_us in keep or (entry.latest, entry.first) != (latest, first):
            out.append(replace(entry, latest=latest, first=first))
    return out


def _reflag(uow: UnitOfWork, remaining: Sequence[StixEntry], extra: Sequence[StixEntry] = ()) -> None:
    """Reset the flags of an object's stored versions after some were removed (``extra`` are stored with
    theirs already right, and only take part in deciding)."""
    flagged = _reflagged([*remaining, *extra])
    stored = {e.added_us for e in extra}
    uow.stix.set_flags([(e.added_us, e.latest, e.first) for e in flagged if e.added_us not in stored])


def _tombstone(newest: StixEntry, added_us: int, now_us: int) -> StixEntry:
    body = dict(newest.body)
    if "modified" in body:
        version_us = max(now_us, newest.version_us + 1)
        version = stix_timestamp(version_us)
        body["modified"] = version
        body["revoked"] = True
    else:
        version_us, version = added_us, stix_timestamp(added_us)
        body["x_fimihub_deleted"] = True
    return replace(
        newest,
        added_us=added_us,
        version=version,
        version_us=version_us,
        body=body,
        tombstone=True,
        latest=True,
        first=False,
    )


# -- reading -------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _VersionChoice:
    all: bool = False
    latest: bool = False
    first: bool = False
    stamps: tuple[int, ...] = ()


def _version_choice(values: Iterable[str], field: str) -> _VersionChoice:
    words: set[str] = set()
    stamps: list[int] = []
    for value in values:
        if value in _VERSION_WORDS:
            words.add(value)
            continue
        try:
            stamps.append(timestamp_us(value))
        except ValueError:
            raise ValidationError(field, "each value must be first, last, all or a STIX timestamp") from None
    if "all" in words:
        return _VersionChoice(all=True)
    return _VersionChoice(latest="last" in words, first="first" in words, stamps=tuple(sorted(set(stamps))))


def _chosen(entry: StixEntry, choice: _VersionChoice, among: Sequence[StixEntry]) -> bool:
    if choice.all:
        return True
    return (
        (choice.latest and entry is max(among, key=_version_order))
        or (choice.first and entry is min(among, key=_version_order))
        or entry.version_us in choice.stamps
    )


def _spec_ok(entry: StixEntry, spec_versions: Sequence[str]) -> bool:
    return not spec_versions or entry.spec_version in spec_versions


def _query(
    by: Caller, forum: Forum, endpoint: str, filters: StixFilters, stix_id: str | None
) -> tuple[StixQuery, bytes]:
    """The storage query for a read, and the digest of its filters that its cursors are bound to."""
    after: int | None = None
    if filters.added_after is not None:
        try:
            after = timestamp_us(filters.added_after)
        except ValueError:
            raise ValidationError(
                "added_after", "must be a STIX timestamp such as 2024-05-01T12:00:00Z"
            ) from None
    choice = _version_choice(filters.versions or ("last",), "match[version]")
    ids = (stix_id,) if stix_id is not None else tuple(sorted(set(filters.ids)))
    types = tuple(sorted(set(filters.types)))
    specs = tuple(sorted(set(filters.spec_versions)))
    visible = None if isinstance(by, Operator) else Visibility(by.org.id, by.member.id, by.forums)
    query = StixQuery(
        forum_id=forum.id,
        after_us=after,
        stix_ids=ids,
        types=types,
        spec_versions=specs,
        latest=choice.latest,
        first=choice.first,
        version_us=choice.stamps,
        visible=visible,
        forum_wide=frozenset() if visible is None else _forum_wide(by, forum),
    )
    shape = {
        "endpoint": endpoint,
        "forum": forum.id,
        "after": after,
        "ids": ids,
        "types": types,
        "specs": specs,
        "versions": [choice.all, choice.latest, choice.first, choice.stamps],
    }
    return query, hashlib.sha256(json.dumps(shape, sort_keys=True).encode()).digest()


def _page_limit(limit: int | None, most: int) -> int:
    if limit is None:
        return most
    if limit < 1:
        raise ValidationError("limit", "must be a positive integer")
    return min(limit, most)


def _cursor(key: bytes, digest: bytes, position: int) -> str:
    """A ``next`` cursor: the ``date_added`` to continue after, signed together with the query's digest."""
    packed = struct.pack(">q", position)
    mac = hmac.new(key, packed + digest, hashlib.sha256).digest()[:_CURSOR_MAC_BYTES]
    return base64.urlsafe_b64encode(packed + mac).decode().rstrip("=")


def _cursor_position(key: bytes, digest: bytes, cursor: str) -> int:
    """Where a cursor continues; :class:`ValidationError` when it was altered or belongs to another query."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
    except (binascii.Error, ValueError):
        raise ValidationError("next", _BAD_CURSOR) from None
    if len(raw) != 8 + _CURSOR_MAC_BYTES:
        raise ValidationError("next", _BAD_CURSOR)
    packed, mac = raw[:8], raw[8:]
    expected = hmac.new(key, packed + digest, hashlib.sha256).digest()[:_CURSOR_MAC_BYTES]
    if not hmac.compare_digest(mac, expected):
        raise ValidationError("next", _BAD_CURSOR)
    position: int = struct.unpack(">q", packed)[0]
    return position


# -- small helpers -------------------------------------------------------------------------------------------


def _us(moment: datetime) -> int:
    return (moment.astimezone(UTC) - _EPOCH) // _MICROSECOND


def _is_uuid(text: str) -> bool:
    try:
        return str(uuid.UUID(text)) == text
    except ValueError:
        return False


def _is_marking_id(text: str) -> bool:
    prefix, _, tail = text.partition("--")
    return prefix == "marking-definition" and _is_uuid(tail)


def _depth(value: Any) -> int:
    """How deeply ``value`` nests (a scalar is 0), without recursion."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict):
            children: Iterable[Any] = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        deepest = max(deepest, level + 1)
        if deepest > MAX_DEPTH:
            return deepest
        stack.extend((child, level + 1) for child in children)
    return deepest
