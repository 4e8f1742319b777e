"""The Store interface: what the hub needs from persistence, independent of the database behind it.

A :class:`Store` hands out :class:`UnitOfWork` objects. Everything done through one unit of work commits
together or not at all: an import lands whole, and the audit event that records a change is written in the
same transaction as the change itself.

Records are the pydantic types of :mod:`fimihub.model`. Which record types a store keeps, and which of
their fields can be used in :meth:`UnitOfWork.find` filters, is listed in :data:`FILTERABLE`.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from fimihub.model import (
    Action,
    ApiToken,
    Asset,
    AuditEvent,
    Case,
    Feedback,
    Fingerprint,
    Forum,
    ForumKey,
    Lead,
    Match,
    Member,
    Operation,
    Organisation,
    Record,
    Signal,
)

__all__ = ["FILTERABLE", "RECORD_TYPES", "Store", "UnitOfWork", "Visibility"]

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
    Match: frozenset({"owner_org", "forum_id", "signal_id", "fingerprint_id", "operation_id", "status"}),
    ForumKey: frozenset({"forum_id"}),
    Fingerprint: frozenset({"owner_org", "forum_id", "operation_id"}),
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


class UnitOfWork(ABC):
    """One transaction's view of the store. Obtain it with ``with store.unit_of_work() as uow:``."""

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

    @abstractmethod
    def count(self, kind: type[R], *, where: dict[str, Any] | None = None) -> int:
        """How many records of type ``kind`` match ``where``."""

    @abstractmethod
    def delete(self, kind: type[R], record_id: str) -> bool:
        """Remove a record; ``True`` when it existed."""

    @abstractmethod
    def purge_expired(self, now: datetime) -> dict[str, int]:
        """Delete governed records whose ``expires_at`` is at or before ``now``; counts by type name."""

    @abstractmethod
    def append_audit(
        self,
        *,
        actor: str,
        action: str,
        subject_type: str,
        subject_id: str | None,
        detail: dict[str, Any],
        at: datetime,
    ) -> AuditEvent:
        """Append an event to the hash chain, serialised against concurrent appends, and return it."""

    @abstractmethod
    def audit_events(self, *, after_seq: int = 0, limit: int | None = None) -> Iterator[AuditEvent]:
        """Audit events in chain order (by ``seq``), starting after ``after_seq``."""

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
