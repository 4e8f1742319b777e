"""The Store interface: what the hub needs from persistence, independent of the database behind it.

A :class:`Store` hands out :class:`UnitOfWork` objects. Everything done through one unit of work commits
together or not at all: an import lands whole, and the audit event that records a change is written in the
same transaction as the change itself.

Records are the pydantic types of :mod:`fimihub.model`. Which record types a store keeps, and which of
their fields can be used in :meth:`UnitOfWork.find` filters, is listed in :data:`FILTERABLE`.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Collection, Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypedDict, TypeVar, Unpack

from fimihub.model import (
    TLP,
    Action,
    ApiToken,
    Asset,
    AuditEvent,
    Case,
    Disclosure,
    Feedback,
    Fingerprint,
    Forum,
    ForumKey,
    Lead,
    Marking,
    Match,
    Member,
    Operation,
    Organisation,
    PsiSession,
    Record,
    ReviewItem,
    ReviewKey,
    Signal,
    SignalWatch,
)
from fimihub.storage.peers import PeerRows

__all__ = [
    "FILTERABLE",
    "RECORD_TYPES",
    "AuditEntry",
    "FindOptions",
    "StixEntry",
    "StixObjects",
    "StixQuery",
    "StixStatusRecord",
    "Store",
    "UnitOfWork",
    "Visibility",
]

R = TypeVar("R", bound=Record)

#: Every record type a store keeps, with the stable name of its table / kind.
RECORD_TYPES: dict[type[Record], str] = {
    Organisation: "organisation",
    Member: "member",
    Forum: "forum",
    ApiToken: "api_token",
    Operation: "operation",
    Asset: "asset",
    Signal: "signal",
    Action: "action",
    Feedback: "feedback",
    Case: "case",
    Lead: "lead",
    Match: "match",
    ForumKey: "forum_key",
    Fingerprint: "fingerprint",
    PsiSession: "psi_session",
    ReviewItem: "review_item",
    ReviewKey: "review_key",
    SignalWatch: "signal_watch",
    Disclosure: "disclosure",
}

#: Fields usable as equality filters in :meth:`UnitOfWork.find`, per record type.
FILTERABLE: dict[type[Record], frozenset[str]] = {
    Organisation: frozenset({"kind"}),
    Member: frozenset({"org_id"}),
    Forum: frozenset(),
    ApiToken: frozenset({"member_id", "token_hash"}),
    Operation: frozenset({"owner_org", "forum_id", "status"}),
    Asset: frozenset({"owner_org", "forum_id", "operation_id", "platform"}),
    Signal: frozenset({"owner_org", "forum_id", "operation_id", "kind", "value", "revoked"}),
    Action: frozenset({"owner_org", "forum_id", "operation_id", "kind"}),
    Feedback: frozenset({"owner_org", "forum_id", "subject_id", "kind"}),
    Case: frozenset({"owner_org", "forum_id", "status"}),
    Lead: frozenset({"owner_org", "forum_id", "status", "operation_id"}),
    Match: frozenset(
        {
            "owner_org",
            "forum_id",
            "signal_id",
            "fingerprint_id",
            "operation_id",
            "status",
            "account_key",
            "hit_key",
            "review_item_id",
        }
    ),
    ForumKey: frozenset({"forum_id"}),
    Fingerprint: frozenset({"owner_org", "forum_id", "operation_id"}),
    PsiSession: frozenset({"owner_org", "responder_org", "status"}),
    ReviewItem: frozenset({"owner_org", "status", "kind", "operation_id", "platform", "group_key"}),
    ReviewKey: frozenset(),
    SignalWatch: frozenset({"owner_org", "signal_id"}),
    Disclosure: frozenset({"owner_org", "forum_id", "publisher", "format"}),
}


@dataclass(frozen=True, slots=True)
class Visibility:
    """A coarse pre-filter for governed records, applied in the database.

    It keeps a record when the organisation owns it, it is TLP:CLEAR, it was shared into one of ``forum_ids``,
    or the organisation or member is among its named recipients. It is a superset of what the caller may read:
    :mod:`fimihub.policy` makes the exact decision on every record it returns.
    """

    org_id: str
    member_id: str
    forum_ids: frozenset[str] = field(default_factory=frozenset)


@dataclass(frozen=True, slots=True)
class StixEntry:
    """One version of a STIX object as a TAXII collection (a forum) holds it.

    ``body`` is the object exactly as it was posted or published. ``version`` is the TAXII version string (the
    object's ``modified``, else ``created``, else its ``date_added``) and ``version_us`` the same instant in
    microseconds since the epoch; ``added_us`` is its ``date_added`` in microseconds, unique across the hub
    and strictly increasing in commit order. The governance envelope (owner, author, marking) is what the
    access policy decides on. A ``tombstone`` is the version that records the object's deletion; ``latest``
    and ``first`` flag the newest and oldest version the collection holds of the object.
    """

    added_us: int
    forum_id: str
    stix_id: str
    type: str
    spec_version: str
    version: str
    version_us: int
    owner_org: str
    created_by: str | None
    marking: Marking
    body: dict[str, Any]
    tombstone: bool = False
    latest: bool = True
    first: bool = True
    expires_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class StixQuery:
    """Which entries of one collection :meth:`StixObjects.find` returns, oldest ``date_added`` first.

    Empty tuples mean "any". ``latest``, ``first`` and ``version_us`` together select versions (their union);
    when all three are unset every version matches. ``visible`` is a coarse pre-filter that keeps an entry
    when its TLP is one of ``forum_wide`` or the organisation owns it, the member wrote it, or its marking
    names recipients: a superset of what the caller may read, which :mod:`fimihub.policy` then decides on.
    """

    forum_id: str
    after_us: int | None = None
    stix_ids: tuple[str, ...] = ()
    types: tuple[str, ...] = ()
    spec_versions: tuple[str, ...] = ()
    latest: bool = False
    first: bool = False
    version_us: tuple[int, ...] = ()
    visible: Visibility | None = None
    forum_wide: frozenset[TLP] = frozenset()
    limit: int = 100


@dataclass(frozen=True, slots=True)
class StixStatusRecord:
    """What became of one posted envelope (a TAXII status resource), kept for its poster to read back."""

    id: str
    org_id: str
    forum_id: str
    created_at: datetime
    body: dict[str, Any]


class StixObjects(ABC):
    """The STIX objects TAXII collections hold, inside one unit of work.

    ``date_added`` is unique and strictly increasing across the hub: :meth:`reserve_added` hands out the next
    values and holds a lock until the transaction ends, so entries become visible to readers in the order of
    their ``date_added`` and a peer polling with ``added_after`` never misses one.
    """

    @abstractmethod
    def cursor_key(self) -> bytes:
        """The secret that signs paging cursors; kept in the store, so every worker and restart shares it."""

    @abstractmethod
    def reserve_added(self, now_us: int, count: int) -> int:
        """Reserve ``count`` consecutive ``date_added`` values, the first at ``now_us`` or just after the last
        one handed out, whichever is later; returns the first. Locks the hub's TAXII clock until commit."""

    @abstractmethod
    def versions_of(self, forum_id: str, stix_ids: Sequence[str]) -> list[StixEntry]:
        """Every entry (tombstones included) the collection holds of these objects."""

    @abstractmethod
    def add(self, entries: Sequence[StixEntry]) -> None:
        """Store new entries."""

    @abstractmethod
    def remove(self, added_us: Sequence[int]) -> None:
        """Delete entries by their ``date_added``."""

    @abstractmethod
    def set_flags(self, flags: Sequence[tuple[int, bool, bool]]) -> None:
        """Set ``(added_us, latest, first)`` on stored entries."""

    @abstractmethod
    def find(self, query: StixQuery) -> list[StixEntry]:
        """Entries matching ``query``, by ``date_added``, at most ``query.limit``."""

    @abstractmethod
    def expired(self, now: datetime, limit: int) -> list[StixEntry]:
        """Entries whose ``expires_at`` is at or before ``now``, oldest ``date_added`` first, at most
        ``limit``."""

    @abstractmethod
    def purge_statuses(self, before: datetime) -> int:
        """Delete the status resources kept since before ``before``; how many went."""

    @abstractmethod
    def save_status(self, status: StixStatusRecord) -> None:
        """Keep a status resource."""

    @abstractmethod
    def status(self, status_id: str) -> StixStatusRecord | None:
        """A kept status resource, or ``None``."""


class AuditEntry(TypedDict):
    """What the appender of an audit event says (the keywords of :meth:`UnitOfWork.append_audit`); the store
    adds the ``seq`` and the hashes that chain it."""

    at: datetime
    actor: str
    action: str
    subject_type: str
    subject_id: str | None
    detail: dict[str, Any]


class FindOptions(TypedDict, total=False):
    """The keywords of :meth:`UnitOfWork.find`, for a unit of work that passes them on."""

    where: dict[str, Any] | None
    visible: Visibility | None
    after_id: str | None
    limit: int | None


class UnitOfWork(ABC):
    """One transaction's view of the store. Obtain it with ``with store.unit_of_work() as uow:``."""

    @property
    @abstractmethod
    def stix(self) -> StixObjects:
        """The STIX objects of the TAXII collections, in this unit of work's transaction."""

    @property
    @abstractmethod
    def peers(self) -> PeerRows:
        """Federation peers, their sync checkpoints and trusted keys, in this unit of work's transaction."""

    @abstractmethod
    def insert(self, record: Record) -> None:
        """Add a new record. Raises :class:`~fimihub.errors.Conflict` when its id exists already."""

    @abstractmethod
    def insert_many(self, records: Sequence[Record]) -> None:
        """Add many new records of one or several types, in bulk; same rules as :meth:`insert`."""

    @abstractmethod
    def update(self, record: Record) -> None:
        """Replace a stored record by id. Raises :class:`~fimihub.errors.NotFound` when it is not stored."""

    @abstractmethod
    def get(self, kind: type[R], record_id: str) -> R | None:
        """The record of type ``kind`` with ``record_id``, or ``None``."""

    @abstractmethod
    def find(
        self,
        kind: type[R],
        *,
        where: dict[str, Any] | None = None,
        visible: Visibility | None = None,
        after_id: str | None = None,
        limit: int | None = None,
    ) -> list[R]:
        """Records of type ``kind`` ordered by id, matching every equality filter in ``where`` (fields from
        :data:`FILTERABLE`; a list or set value means "any of"), pre-filtered by ``visible`` for governed
        records, starting after ``after_id``, at most ``limit``. Raises ``ValidationError`` for other
        fields."""

    def pages(
        self, kind: type[R], *, where: dict[str, Any] | None = None, size: int = 1000
    ) -> Iterator[list[R]]:
        """Every record :meth:`find` matches, ``size`` at a time, so a large table is never held whole."""
        after: str | None = None
        while batch := self.find(kind, where=where, after_id=after, limit=size):
            yield batch
            last: Any = batch[-1]  # every stored record has an id (RECORD_TYPES)
            after = last.id

    @abstractmethod
    def count(self, kind: type[R], *, where: dict[str, Any] | None = None) -> int:
        """How many records of type ``kind`` match ``where``."""

    @abstractmethod
    def delete(self, kind: type[R], record_id: str) -> bool:
        """Remove a record; ``True`` when it existed."""

    @abstractmethod
    def purge_expired(
        self,
        now: datetime,
        *,
        held_ids: Collection[str] = (),
        held_operations: Collection[str] = (),
    ) -> dict[str, int]:
        """Delete governed records whose ``expires_at`` is at or before ``now``; counts by type name.

        A legal hold keeps records past their expiry: those whose id is in ``held_ids``, and those whose
        ``operation_id`` is in ``held_operations`` (the operations of a held case)."""

    @abstractmethod
    def append_audit(self, **entry: Unpack[AuditEntry]) -> AuditEvent:
        """Append an event to the hash chain, serialised against concurrent appends, and return it."""

    @abstractmethod
    def audit_events(
        self, *, after_seq: int = 0, limit: int | None = None, subject_id: str | None = None
    ) -> Iterator[AuditEvent]:
        """Audit events in chain order (by ``seq``), starting after ``after_seq``; only those about
        ``subject_id`` when it is given."""

    @abstractmethod
    def audit_head(self) -> tuple[int, str] | None:
        """The ``(seq, hash)`` of the newest event as the head row records it; ``None`` before the first.

        Kept apart from the events so that deleting the newest events is detected by verification."""


class Store(ABC):
    """A place where a hub keeps its records."""

    @abstractmethod
    def unit_of_work(self, *, read_only: bool = False) -> AbstractContextManager[UnitOfWork]:
        """A transaction: commits when the block ends normally, rolls back when it raises.

        ``read_only`` promises that the block only reads, so the store need not serialise it against writers
        (SQLite's write lock); writing through such a unit of work is a bug the store may refuse."""

    @abstractmethod
    def upgrade(self) -> None:
        """Create or migrate the schema to the newest version."""

    @abstractmethod
    def schema_version(self) -> str | None:
        """The current schema revision, ``None`` for an empty database."""

    @abstractmethod
    def close(self) -> None:
        """Release connections."""

    @property
    @abstractmethod
    def url(self) -> str:
        """Where the store lives, with any password hidden."""
