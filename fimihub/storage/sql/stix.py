"""The STIX objects of the TAXII collections in SQL: :class:`SqlStixObjects`, used through ``uow.stix``.

Each version of an object in a forum is one row of ``stix_objects`` keyed by its ``date_added`` in
microseconds. Reading a page is one range scan of the ``(forum_id, added_us)`` index that stops after
``limit`` rows, so its cost follows the page, not the collection. ``date_added`` values come from the single
``taxii_state`` row, which a writer locks (``SELECT … FOR UPDATE`` on PostgreSQL; SQLite's write lock is
already held from ``BEGIN IMMEDIATE``) until it commits: values are unique, and they become visible in
increasing order.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Select,
    String,
    bindparam,
    delete,
    func,
    insert,
    or_,
    select,
    true,
    update,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.engine import URL

from fimihub.errors import StoreError
from fimihub.model import Marking, parse
from fimihub.storage.base import StixEntry, StixObjects, StixQuery, StixStatusRecord
from fimihub.storage.sql.bulk import bind_processor, driver_insert
from fimihub.storage.sql.engine import db_errors
from fimihub.storage.sql.tables import stix_objects, stix_statuses, taxii_state

__all__ = ["SqlStixObjects"]

# The statements every post runs, built once (building one and its cache key costs more than running it).
_CURSOR_KEY = select(taxii_state.c.cursor_key).where(taxii_state.c.id == 1)
_LAST_ADDED = select(taxii_state.c.last_added_us).where(taxii_state.c.id == 1)
_LAST_ADDED_FOR_UPDATE = _LAST_ADDED.with_for_update()
_MOVE_LAST_ADDED = update(taxii_state).where(taxii_state.c.id == 1).values(last_added_us=bindparam("last"))

#: Ids per query when looking objects up, so statements stay within every driver's parameter limit.
_CHUNK = 500

_T = stix_objects.c


class SqlStixObjects(StixObjects):
    """STIX object rows on ``conn``, inside the transaction of the unit of work that made this object."""

    def __init__(self, conn: Connection, url: URL) -> None:
        self._conn = conn
        self._url = url

    def cursor_key(self) -> bytes:
        with db_errors(self._url):
            key = self._conn.execute(_CURSOR_KEY).scalar()
        if key is None:
            raise StoreError("the TAXII state row is missing; run the store's schema upgrade first")
        return bytes.fromhex(str(key))

    def reserve_added(self, now_us: int, count: int) -> int:
        query = _LAST_ADDED_FOR_UPDATE if self._conn.dialect.name == "postgresql" else _LAST_ADDED
        with db_errors(self._url):
            last = self._conn.execute(query).scalar()
            if last is None:
                raise StoreError("the TAXII state row is missing; run the store's schema upgrade first")
            first = max(now_us, int(last) + 1)
            self._conn.execute(_MOVE_LAST_ADDED, {"last": first + count - 1})
        return first

    def versions_of(self, forum_id: str, stix_ids: Sequence[str]) -> list[StixEntry]:
        found: list[StixEntry] = []
        ids = sorted(set(stix_ids))
        with db_errors(self._url):
            for start in range(0, len(ids), _CHUNK):
                chunk = ids[start : start + _CHUNK]
                query = _HELD_ON_POSTGRESQL if self._conn.dialect.name == "postgresql" else _HELD
                rows = self._conn.execute(query, {"forum_id": forum_id, "ids": chunk}).mappings()
                found.extend(_entry(row) for row in rows)
        return sorted(found, key=lambda e: e.added_us)

    def add(self, entries: Sequence[StixEntry]) -> None:
        if not entries:
            return
        # One executemany on the driver, with each distinct marking turned into JSON once (the entries of a
        # post share a few).
        marking = bind_processor(self._conn.dialect, stix_objects, "marking")
        dumped: dict[int, Any] = {}
        rows = [_row(entry, dumped, marking) for entry in entries]
        with db_errors(self._url):
            driver_insert(self._conn, stix_objects, rows, ready=("marking",))

    def remove(self, added_us: Sequence[int]) -> None:
        keys = list(added_us)
        with db_errors(self._url):
            for start in range(0, len(keys), _CHUNK):
                self._conn.execute(delete(stix_objects).where(_T.added_us.in_(keys[start : start + _CHUNK])))

    def set_flags(self, flags: Sequence[tuple[int, bool, bool]]) -> None:
        if not flags:
            return
        statement = (
            update(stix_objects)
            .where(_T.added_us == bindparam("key"))
            .values(is_latest=bindparam("latest"), is_first=bindparam("first"))
        )
        rows = [{"key": key, "latest": latest, "first": first} for key, latest, first in flags]
        with db_errors(self._url):
            self._conn.execute(statement, rows)

    def find(self, query: StixQuery) -> list[StixEntry]:
        conditions: list[ColumnElement[bool]] = [_T.forum_id == query.forum_id]
        if query.after_us is not None:
            conditions.append(_T.added_us > query.after_us)
        if query.stix_ids:
            conditions.append(_T.stix_id.in_(sorted(set(query.stix_ids))))
        if query.types:
            conditions.append(_T.type.in_(sorted(set(query.types))))
        if query.spec_versions:
            conditions.append(_T.spec_version.in_(sorted(set(query.spec_versions))))
        versions: list[ColumnElement[bool]] = []
        if query.latest:
            versions.append(_T.is_latest.is_(True))
        if query.first:
            versions.append(_T.is_first.is_(True))
        if query.version_us:
            versions.append(_T.version_us.in_(sorted(set(query.version_us))))
        if versions:
            conditions.append(or_(*versions))
        if query.visible is not None:
            seen = query.visible
            conditions.append(
                or_(
                    _T.tlp.in_(sorted(t.value for t in query.forum_wide)),
                    _T.owner_org == seen.org_id,
                    _T.created_by == seen.member_id,
                    _T.has_recipients.is_(True),
                )
            )
        statement = select(stix_objects).where(*conditions).order_by(_T.added_us).limit(query.limit)
        with db_errors(self._url):
            return [_entry(row) for row in self._conn.execute(statement).mappings()]

    def expired(self, now: datetime, limit: int) -> list[StixEntry]:
        statement = (
            select(stix_objects)
            .where(_T.expires_at.is_not(None), _T.expires_at <= now)
            .order_by(_T.added_us)
            .limit(limit)
        )
        with db_errors(self._url):
            return [_entry(row) for row in self._conn.execute(statement).mappings()]

    def purge_statuses(self, before: datetime) -> int:
        with db_errors(self._url):
            result = self._conn.execute(delete(stix_statuses).where(stix_statuses.c.created_at < before))
        return int(result.rowcount or 0)

    def save_status(self, status: StixStatusRecord) -> None:
        with db_errors(self._url):
            self._conn.execute(insert(stix_statuses), [asdict(status)])

    def status(self, status_id: str) -> StixStatusRecord | None:
        query = select(stix_statuses).where(stix_statuses.c.id == status_id)
        with db_errors(self._url):
            row = self._conn.execute(query).mappings().one_or_none()
        return StixStatusRecord(**row) if row is not None else None


_Processor = Callable[[Any], Any]


def _held_on_postgresql() -> Select[Any]:
    """The versions of the ids bound as ``ids`` in forum ``forum_id``, one ``(forum_id, stix_id)`` index probe
    per id.

    Written as a lateral join over the ids because with ``stix_id IN (…)`` PostgreSQL's planner, when the
    table's statistics are stale (a collection filling faster than autovacuum analyses it), prefers reading
    the whole forum through the ``(forum_id, added_us)`` index; a probe per id cannot be planned that way."""
    wanted = (
        func.unnest(bindparam("ids", type_=ARRAY(String))).table_valued("id").render_derived(name="wanted")
    )
    held = (
        select(stix_objects)
        .where(_T.forum_id == bindparam("forum_id"), _T.stix_id == wanted.c.id)
        .lateral("held")
    )
    return select(held).select_from(wanted).join(held, true())


#: The versions a forum holds of some objects (``forum_id``, ``ids``), built once per store kind.
_HELD = select(stix_objects).where(
    _T.forum_id == bindparam("forum_id"), _T.stix_id.in_(bindparam("ids", expanding=True))
)
_HELD_ON_POSTGRESQL = _held_on_postgresql()


def _row(
    entry: StixEntry, dumped: dict[int, Any] | None = None, process: _Processor | None = None
) -> dict[str, Any]:
    """The row of ``entry``; ``dumped`` keeps each distinct marking's column value (put through ``process``,
    the column's bind processor, when given) for the other entries that share it."""
    marking = entry.marking
    as_json = dumped.get(id(marking)) if dumped is not None else None
    if as_json is None:
        as_json = marking.model_dump(mode="json")
        if process is not None:
            as_json = process(as_json)
        if dumped is not None:
            dumped[id(marking)] = as_json
    return {
        "added_us": entry.added_us,
        "forum_id": entry.forum_id,
        "stix_id": entry.stix_id,
        "type": entry.type,
        "spec_version": entry.spec_version,
        "version": entry.version,
        "version_us": entry.version_us,
        "owner_org": entry.owner_org,
        "created_by": entry.created_by,
        "tlp": marking.tlp.value,
        "has_recipients": bool(marking.recipient_orgs or marking.recipient_members),
        "marking": as_json,
        "tombstone": entry.tombstone,
        "is_latest": entry.latest,
        "is_first": entry.first,
        "expires_at": entry.expires_at,
        "body": entry.body,
    }


def _entry(row: Any) -> StixEntry:
    return StixEntry(
        added_us=int(row["added_us"]),
        forum_id=row["forum_id"],
        stix_id=row["stix_id"],
        type=row["type"],
        spec_version=row["spec_version"],
        version=row["version"],
        version_us=int(row["version_us"]),
        owner_org=row["owner_org"],
        created_by=row["created_by"],
        marking=parse(Marking, row["marking"]),
        body=row["body"],
        tombstone=bool(row["tombstone"]),
        latest=bool(row["is_latest"]),
        first=bool(row["is_first"]),
        expires_at=row["expires_at"],
    )
