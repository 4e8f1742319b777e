"""The one write path: how every use case that changes shareable records writes them.

:meth:`WritePath.open` gives a use case its unit of work (a :class:`Write`). Through it, in this order:

1. each record written is first made what the hub keeps of it under its forum's rules (an asset's account id
   keyed, only the signal kinds the forum takes, the lawful basis stamped:
   :func:`~fimihub.hub.forum_rules.apply_forum_rules`);
2. the use case writes its records and its audit event, as with any unit of work;
3. with ``publish=True``, what changed in forums is published into their TAXII collections
   (:func:`~fimihub.hub.taxii.feed.publish_changes`) in the same transaction, before it commits — so the
   records, the audit event and the STIX objects commit together or not at all. TAXII intake writes with
   ``publish=False``: the posted objects are already the records' STIX form in the collection;
4. once committed, the matcher learns of the signals written or removed
   (:meth:`~fimihub.hub.matching.Matching.signals_changed`). Nothing is refreshed when the write fails.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from functools import partial
from typing import Any, Unpack

from fimihub.hub.core import Core
from fimihub.hub.forum_rules import apply_forum_rules
from fimihub.hub.matching import Matching
from fimihub.hub.taxii.feed import FED_KINDS, Change, publish_changes
from fimihub.model import AuditEvent, Record, Signal
from fimihub.policy import Caller
from fimihub.storage import UnitOfWork
from fimihub.storage.base import AuditEntry, FindOptions, R, StixObjects
from fimihub.storage.peers import PeerRows

__all__ = ["Write", "WritePath"]

#: What a record becomes as it is written (``before``: the stored version an update replaces).
Prepare = Callable[[UnitOfWork, Record | None, Record], Record]
#: Publishes record changes into the forums' collections, in the unit of work given.
Publish = Callable[[UnitOfWork, Sequence[Change], datetime], None]


class Write(UnitOfWork):
    """A unit of work that prepares every record written and notes what changed: records in forums (for
    publication) and signals (for the matcher). Reads and everything else go to the unit of work it wraps."""

    def __init__(self, inner: UnitOfWork, prepare: Prepare, publish: Publish | None) -> None:
        self._inner = inner
        self._prepare = prepare
        self._publish = publish
        #: ``(before, after)`` of every change to a record of a fed kind that is, or was, in a forum.
        self.changes: list[Change] = []
        self.signals_written: list[Signal] = []
        self.signals_removed: list[str] = []

    def publish_pending(self, now: datetime) -> None:
        """Publish the changes noted so far, now, rather than before commit (a use case that must act on the
        collections as the feed leaves them: an erasure redacts the tombstones the feed writes)."""
        if self._publish is not None and self.changes:
            self._publish(self._inner, self.changes, now)
        self.changes = []

    # -- writes, watched ----------------------------------------------------------------------------------

    def insert(self, record: Record) -> None:
        record = self._prepare(self._inner, None, record)
        self._inner.insert(record)
        self._note(None, record)

    def insert_many(self, records: Sequence[Record]) -> None:
        prepared = [self._prepare(self._inner, None, r) for r in records]
        self._inner.insert_many(prepared)
        for record in prepared:
            self._note(None, record)

    def update(self, record: Record) -> None:
        before = self._inner.get(type(record), _id(record)) if isinstance(record, FED_KINDS) else None
        record = self._prepare(self._inner, before, record)
        self._inner.update(record)
        self._note(before, record)

    def delete(self, kind: type[R], record_id: str) -> bool:
        before = self._inner.get(kind, record_id) if issubclass(kind, FED_KINDS) else None
        existed = self._inner.delete(kind, record_id)
        if existed:
            self._note(before, None)
            if issubclass(kind, Signal):
                self.signals_removed.append(record_id)
        return existed

    def _note(self, before: Record | None, after: Record | None) -> None:
        if isinstance(after, Signal):
            self.signals_written.append(after)
        old = before if isinstance(before, FED_KINDS) and before.forum_id else None
        new = after if isinstance(after, FED_KINDS) and after.forum_id else None
        if old is not None or new is not None:
            self.changes.append((old, new))

    # -- everything else, as the wrapped unit of work does it ----------------------------------------------

    @property
    def stix(self) -> StixObjects:
        return self._inner.stix

    @property
    def peers(self) -> PeerRows:
        return self._inner.peers

    def get(self, kind: type[R], record_id: str) -> R | None:
        return self._inner.get(kind, record_id)

    def find(self, kind: type[R], **options: Unpack[FindOptions]) -> list[R]:
        return self._inner.find(kind, **options)

    def count(self, kind: type[R], *, where: dict[str, Any] | None = None) -> int:
        return self._inner.count(kind, where=where)

    def purge_expired(
        self, now: datetime, *, held_ids: Collection[str] = (), held_operations: Collection[str] = ()
    ) -> dict[str, int]:
        return self._inner.purge_expired(now, held_ids=held_ids, held_operations=held_operations)

    def append_audit(self, **entry: Unpack[AuditEntry]) -> AuditEvent:
        return self._inner.append_audit(**entry)

    def audit_events(
        self, *, after_seq: int = 0, limit: int | None = None, subject_id: str | None = None
    ) -> Iterator[AuditEvent]:
        return self._inner.audit_events(after_seq=after_seq, limit=limit, subject_id=subject_id)

    def audit_head(self) -> tuple[int, str] | None:
        return self._inner.audit_head()


class WritePath:
    """Opens the unit of work of every use case that writes shareable records (``hub.writes``)."""

    def __init__(self, core: Core, *, matching: Matching) -> None:
        self.core = core
        self.matching = matching

    @contextmanager
    def open(self, by: Caller, *, publish: bool) -> Iterator[Write]:
        """The unit of work of one use case by ``by``; with ``publish``, what it changes in forums is
        published into their collections before it commits (and not at all when it raises)."""
        with self.core.store.unit_of_work() as uow:
            feed = partial(_published_by, by) if publish else None
            write = Write(uow, apply_forum_rules, feed)
            yield write
            write.publish_pending(self.core.clock())
        if write.signals_written or write.signals_removed:
            self.matching.signals_changed(added=write.signals_written, removed=write.signals_removed)


def _published_by(by: Caller, uow: UnitOfWork, changes: Sequence[Change], now: datetime) -> None:
    publish_changes(uow, by, changes, now)


def _id(record: Record) -> str:
    return str(getattr(record, "id", ""))
