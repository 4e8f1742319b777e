"""Appending to and reading the hash-chained audit log in SQL.

Appends are serialised on the single ``audit_head`` row: PostgreSQL locks it with ``SELECT … FOR UPDATE``;
on SQLite every unit of work already holds the database's write lock from its first statement
(``BEGIN IMMEDIATE``, see :mod:`fimihub.storage.sql.engine`), so no two writers can read the same head. Either
way the next ``seq`` is exactly one more than the last and its ``prev_hash`` is the last hash: one gap-free
chain, whatever the number of writers.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC
from typing import Unpack

from sqlalchemy import Connection, bindparam, insert, select, update

from fimihub.errors import StoreError
from fimihub.model import AuditEvent, chain_hash, parse
from fimihub.storage.base import AuditEntry
from fimihub.storage.sql.tables import audit_events, audit_head

__all__ = ["append_event", "read_events", "read_head"]

#: Events fetched per query while iterating the log.
PAGE_SIZE = 1000

# The statements of an append, built once: building a statement and its cache key costs SQLAlchemy far more
# than SQLite spends running it, and every change the hub makes appends at least one event.
_HEAD = select(audit_head.c.seq, audit_head.c.hash).where(audit_head.c.id == 1)
_HEAD_FOR_UPDATE = _HEAD.with_for_update()
_APPEND = insert(audit_events)
_MOVE_HEAD = (
    update(audit_head)
    .where(audit_head.c.id == 1)
    .values(seq=bindparam("new_seq"), hash=bindparam("new_hash"))
)


def append_event(conn: Connection, **entry: Unpack[AuditEntry]) -> AuditEvent:
    """Append one event after the current head, inside the caller's transaction, and return it."""
    row = conn.execute(_HEAD_FOR_UPDATE if conn.dialect.name == "postgresql" else _HEAD).one_or_none()
    if row is None:
        raise StoreError("the audit log has no head row; run the store's schema upgrade first")
    at = entry["at"]
    # Hash what will be read back: the JSON column turns tuples into lists and cannot hold datetimes, so the
    # detail goes through JSON once (with the same str() fallback chain_hash uses) before it is hashed.
    content = entry | {
        "at": at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC),
        "detail": json.loads(json.dumps(entry["detail"], default=str)),
    }
    seq = int(row.seq) + 1
    event = parse(
        AuditEvent,
        {"seq": seq, **content, "prev_hash": row.hash, "hash": chain_hash(row.hash, seq, **content)},
    )
    conn.execute(_APPEND, event.model_dump())
    conn.execute(_MOVE_HEAD, {"new_seq": seq, "new_hash": event.hash})
    return event


def read_events(
    conn: Connection, *, after_seq: int = 0, limit: int | None = None, subject_id: str | None = None
) -> Iterator[AuditEvent]:
    """Events in ``seq`` order after ``after_seq`` (only those about ``subject_id`` when given), a page per
    query; consume them inside the transaction."""
    left = limit
    while left is None or left > 0:
        page = PAGE_SIZE if left is None else min(PAGE_SIZE, left)
        query = select(audit_events).where(audit_events.c.seq > after_seq).order_by(audit_events.c.seq)
        if subject_id is not None:
            query = query.where(audit_events.c.subject_id == subject_id)
        rows = conn.execute(query.limit(page)).mappings().all()
        for row in rows:
            yield parse(AuditEvent, dict(row))
        if len(rows) < page:
            return
        after_seq = int(rows[-1]["seq"])
        if left is not None:
            left -= len(rows)


def read_head(conn: Connection) -> tuple[int, str] | None:
    """The ``(seq, hash)`` the head row records, ``None`` while the log is empty."""
    row = conn.execute(_HEAD).one_or_none()
    if row is None or int(row.seq) == 0:
        return None
    return int(row.seq), str(row.hash)
