"""Who sees which collection and which object in it, as the access policy answers it.

A collection is a forum; an object in it has the governance envelope of a record (owner organisation, author,
marking), built here so that :mod:`fimihub.policy` decides on objects exactly as it decides on records.
"""

from __future__ import annotations

from datetime import datetime

from fimihub import policy
from fimihub.errors import NotFound
from fimihub.hub.taxii.resources import (
    ANOTHER_ORG,
    EPOCH,
    FORUM_PREFIX,
    StixCollection,
    collection_id_of,
    is_uuid,
)
from fimihub.model import TLP, Forum, Governed, Marking
from fimihub.policy import Caller
from fimihub.storage import UnitOfWork
from fimihub.storage.base import StixEntry

__all__ = [
    "Readable",
    "collection_of",
    "entry_probe",
    "existing_forum",
    "forum_of",
    "forum_wide_levels",
    "governed_from",
    "governed_of",
    "lists_forum",
    "may_entry",
    "record_probe",
]


def lists_forum(by: Caller, forum: Forum) -> bool:
    """Whether ``forum`` is among the caller's collections: the forums it is in (:func:`policy.in_forum`)."""
    return policy.in_forum(by, forum)


def forum_of(by: Caller, uow: UnitOfWork, collection_id: str) -> Forum:
    forum = uow.get(Forum, FORUM_PREFIX + collection_id) if is_uuid(collection_id) else None
    if forum is None or not lists_forum(by, forum):
        raise NotFound(f"no collection {collection_id!r}")
    return forum


def existing_forum(uow: UnitOfWork, forum_id: str) -> Forum:
    forum = uow.get(Forum, forum_id)
    if forum is None:
        raise NotFound(f"no forum {forum_id!r}")
    return forum


def collection_of(by: Caller, forum: Forum) -> StixCollection:
    member = policy.actor_of(by)
    if member is None:
        can_read = can_write = True
    else:
        # Anything at all: what any member reads (TLP:CLEAR) from another organisation in this forum.
        can_read = policy.may(
            by, policy.Act.READ, record_probe(forum, ANOTHER_ORG, None, TLP.CLEAR), forum=forum
        )
        # Posting is writing a record of one's own and sharing it into the forum at the forum's level.
        level = forum.default_tlp if forum.default_tlp is not TLP.RED else TLP.AMBER
        own = record_probe(forum, member.org.id, member.member.id, level)
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


def record_probe(forum: Forum, owner_org: str, created_by: str | None, tlp: TLP) -> Governed:
    """A stand-in record of ``forum`` to ask the policy about a kind of object rather than one object."""
    return governed_from("stix-object--probe", forum.id, owner_org, created_by, Marking(tlp=tlp), EPOCH)


def governed_of(entry: StixEntry) -> Governed:
    """The governance envelope of an entry, as the access policy reads it."""
    return governed_from(
        entry.stix_id, entry.forum_id, entry.owner_org, entry.created_by, entry.marking, EPOCH
    )


def governed_from(
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


def may_entry(by: Caller, act: policy.Act, entry: StixEntry, forum: Forum) -> bool:
    return policy.may(by, act, governed_of(entry), forum=forum)


class Readable:
    """Whether the caller may read an entry, asking the policy once per distinct governance envelope."""

    def __init__(self, by: Caller, forum: Forum) -> None:
        self._by = by
        self._forum = forum
        self._seen: dict[tuple[str, str | None, Marking], bool] = {}

    def __call__(self, entry: StixEntry) -> bool:
        key = (entry.owner_org, entry.created_by, entry.marking)
        answer = self._seen.get(key)
        if answer is None:
            answer = self._seen[key] = may_entry(self._by, policy.Act.READ, entry, self._forum)
        return answer


def forum_wide_levels(by: Caller, forum: Forum) -> frozenset[TLP]:
    """The TLP levels at which the caller reads what other organisations post in ``forum`` without naming
    anyone, as the policy answers: what the storage pre-filter may let through by level alone."""
    return frozenset(t for t in TLP if may_entry(by, policy.Act.READ, entry_probe(forum, t), forum))


def entry_probe(forum: Forum, tlp: TLP) -> StixEntry:
    return StixEntry(
        added_us=0,
        forum_id=forum.id,
        stix_id="stix-object--probe",
        type="stix-object",
        spec_version="2.1",
        version="",
        version_us=0,
        owner_org=ANOTHER_ORG,
        created_by=None,
        marking=Marking(tlp=tlp),
        body={},
    )
