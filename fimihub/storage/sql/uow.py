"""The SQL unit of work: every record operation of :class:`~fimihub.storage.base.UnitOfWork`, on one
connection inside one transaction that :class:`~fimihub.storage.sql.store.SqlStore` opens and ends."""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from datetime import datetime
from functools import cache
from typing import Any, TypeVar, Unpack

from sqlalchemy import (
    Boolean,
    ColumnElement,
    Connection,
    Select,
    Table,
    and_,
    bindparam,
    delete,
    func,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.engine import URL

from fimihub.errors import Conflict, NotFound, StoreError, ValidationError
from fimihub.model import TLP, AuditEvent, Governed, Record
from fimihub.storage.base import FILTERABLE, AuditEntry, StixObjects, UnitOfWork, Visibility
from fimihub.storage.peers import PeerRows
from fimihub.storage.sql.audit import append_event, read_events, read_head
from fimihub.storage.sql.bulk import driver_insert
from fimihub.storage.sql.engine import db_errors
from fimihub.storage.sql.peers import SqlPeerRows
from fimihub.storage.sql.rows import (
    column_value,
    from_body,
    recipient_rows,
    record_id,
    record_row,
    stable_name,
    stored_type,
    table_for,
)
from fimihub.storage.sql.stix import SqlStixObjects
from fimihub.storage.sql.tables import RECORD_TABLES, record_recipients
from fimihub.storage.vault import Vault

__all__ = ["SqlUnitOfWork"]

#: The largest audit seq the ``Integer`` column holds on every backend.
_MAX_SEQ = 2**31 - 1

R = TypeVar("R", bound=Record)

#: Ids per query when looking up which ids of a failed bulk insert exist already.
_ID_CHUNK = 500


class SqlUnitOfWork(UnitOfWork):
    """Record operations on ``conn``, which is inside a transaction for as long as this object is used."""

    def __init__(self, conn: Connection, url: URL, vault: Vault | None = None) -> None:
        self._connection: Connection | None = conn
        self._url = url
        self._vault = vault

    def close(self) -> None:
        """Called by the store when the transaction ends; later use raises :class:`StoreError`."""
        self._connection = None

    @property
    def _conn(self) -> Connection:
        if self._connection is None:
            raise StoreError("this unit of work has ended; open a new one with store.unit_of_work()")
        return self._connection

    @property
    def stix(self) -> StixObjects:
        return SqlStixObjects(self._conn, self._url)

    @property
    def peers(self) -> PeerRows:
        return SqlPeerRows(self._conn, self._url, self._vault)

    # -- writing ------------------------------------------------------------------------------------------

    def insert(self, record: Record) -> None:
        try:
            self.insert_many([record])
        except Conflict:
            name, rid = stable_name(type(record)), record_id(record)
            raise Conflict(f"{name} {rid} exists already") from None

    def insert_many(self, records: Sequence[Record]) -> None:
        # Rows are built (and unknown types refused) before anything is written.
        batches: dict[Table, list[dict[str, Any]]] = {}
        recipients: list[dict[str, str]] = []
        for record in records:
            batches.setdefault(table_for(type(record)), []).append(record_row(record, self._vault))
            recipients.extend(recipient_rows(record))
        if not batches:
            return
        conn = self._conn
        try:
            # A savepoint, so a conflict undoes the whole batch and (on PostgreSQL, where an error aborts the
            # transaction) leaves the unit of work usable for the caller who catches it.
            with db_errors(self._url), conn.begin_nested():
                for table, rows in batches.items():
                    driver_insert(conn, table, rows)  # executemany: one round trip per batch
                driver_insert(conn, record_recipients, recipients)
        except Conflict:
            raise Conflict(self._conflict_message(batches)) from None

    def update(self, record: Record) -> None:
        table, row = table_for(type(record)), record_row(record, self._vault)
        name = stable_name(type(record))
        conn = self._conn
        with db_errors(self._url):
            result = conn.execute(update(table).where(table.c.id == row["id"]).values(row))
            if result.rowcount == 0:
                raise NotFound(f"no {name} {row['id']} to update")
            if isinstance(record, Governed):
                conn.execute(_delete_recipients(name, [row["id"]]))
                if rows := recipient_rows(record):
                    conn.execute(insert(record_recipients), rows)

    def delete(self, kind: type[R], record_id: str) -> bool:
        table, name = table_for(kind), stable_name(kind)
        conn = self._conn
        with db_errors(self._url):
            conn.execute(_delete_recipients(name, [record_id]))
            return bool(conn.execute(delete(table).where(table.c.id == record_id)).rowcount)

    def purge_expired(
        self,
        now: datetime,
        *,
        held_ids: Collection[str] = (),
        held_operations: Collection[str] = (),
    ) -> dict[str, int]:
        counts: dict[str, int] = {}
        conn = self._conn
        with db_errors(self._url):
            for kind, table in RECORD_TABLES.items():
                if not issubclass(kind, Governed):
                    continue
                name = stable_name(kind)
                expired = table.c.expires_at <= now
                if held_ids:
                    expired = and_(expired, table.c.id.not_in(list(held_ids)))
                if held_operations and "operation_id" in table.c:
                    column = table.c.operation_id
                    expired = and_(expired, or_(column.is_(None), column.not_in(list(held_operations))))
                conn.execute(_delete_recipients(name, select(table.c.id).where(expired)))
                counts[name] = conn.execute(delete(table).where(expired)).rowcount
        return counts

    # -- reading ------------------------------------------------------------------------------------------

    def get(self, kind: type[R], record_id: str) -> R | None:
        table = table_for(kind)
        with db_errors(self._url):
            body = self._conn.execute(_body_by_id(table), {"record_id": record_id}).scalar_one_or_none()
        return None if body is None else from_body(kind, body, self._vault)

    def find(
        self,
        kind: type[R],
        *,
        where: dict[str, Any] | None = None,
        visible: Visibility | None = None,
        after_id: str | None = None,
        limit: int | None = None,
    ) -> list[R]:
        table = table_for(kind)
        query: Select[Any] = select(table.c.body).where(*_conditions(kind, table, where)).order_by(table.c.id)
        # Organisations, members, forums and tokens carry no markings: there is nothing to pre-filter.
        if visible is not None and issubclass(stored_type(kind), Governed):
            query = query.where(_visible(stable_name(kind), table, visible))
        if after_id is not None:
            query = query.where(table.c.id > after_id)
        if limit is not None:
            if limit < 0:
                raise ValidationError("limit", "must not be negative")
            query = query.limit(limit)
        with db_errors(self._url):
            bodies = self._conn.execute(query).scalars().all()
        return [from_body(kind, body, self._vault) for body in bodies]

    def count(self, kind: type[R], *, where: dict[str, Any] | None = None) -> int:
        table = table_for(kind)
        query = select(func.count()).select_from(table).where(*_conditions(kind, table, where))
        with db_errors(self._url):
            return int(self._conn.execute(query).scalar_one())

    # -- audit --------------------------------------------------------------------------------------------

    def append_audit(self, **entry: Unpack[AuditEntry]) -> AuditEvent:
        with db_errors(self._url):
            return append_event(self._conn, **entry)

    def audit_events(
        self, *, after_seq: int = 0, limit: int | None = None, subject_id: str | None = None
    ) -> Iterator[AuditEvent]:
        """Events in chain order; the iterator reads page by page, so consume it inside the unit of work."""
        conn = self._conn
        if after_seq >= _MAX_SEQ:
            return  # past any seq the column can hold (32-bit on PostgreSQL): no event comes after it
        with db_errors(self._url):
            yield from read_events(conn, after_seq=after_seq, limit=limit, subject_id=subject_id)

    def audit_head(self) -> tuple[int, str] | None:
        with db_errors(self._url):
            return read_head(self._conn)

    # -- helpers ------------------------------------------------------------------------------------------

    def _conflict_message(self, batches: dict[Table, list[dict[str, Any]]]) -> str:
        """Say which ids of a failed bulk insert exist already, or that the batch repeats an id."""
        existing: list[str] = []
        with db_errors(self._url):
            for table, rows in batches.items():
                ids = [row["id"] for row in rows]
                for start in range(0, len(ids), _ID_CHUNK):
                    chunk = ids[start : start + _ID_CHUNK]
                    query = select(table.c.id).where(table.c.id.in_(chunk))
                    existing.extend(self._conn.execute(query).scalars())
        if existing:
            shown = ", ".join(sorted(existing)[:5]) + (" …" if len(existing) > 5 else "")
            return f"{len(existing)} record(s) exist already: {shown}"
        return "the batch holds the same id twice"


def _conditions(kind: type[Record], table: Table, where: dict[str, Any] | None) -> list[ColumnElement[bool]]:
    """SQL conditions for the equality filters in ``where``; a list, tuple or set value means "any of"."""
    allowed = FILTERABLE[stored_type(kind)]
    conditions: list[ColumnElement[bool]] = []
    for field, value in (where or {}).items():
        if field not in allowed:
            choices = ", ".join(sorted(allowed)) or "none"
            message = f"{stable_name(kind)} records cannot be filtered by it (filters: {choices})"
            raise ValidationError(field, message)
        column = table.c[field]
        if isinstance(value, list | tuple | set | frozenset):
            values = [_checked(field, column, v) for v in value if v is not None]
            condition: ColumnElement[bool] = column.in_(values)
            if None in value:  # IN never matches NULL; "any of" should
                condition = or_(condition, column.is_(None))
            conditions.append(condition)
        elif value is None:
            conditions.append(column.is_(None))
        else:
            conditions.append(column == _checked(field, column, value))
    return conditions


def _checked(field: str, column: ColumnElement[Any], value: Any) -> Any:
    """``value`` as the column holds it, refused when its type does not fit (the same on every backend:
    PostgreSQL would reject ``revoked = 'yes'`` while SQLite would quietly match nothing)."""
    value = column_value(value)
    expected = bool if isinstance(column.type, Boolean) else str
    if not isinstance(value, expected):
        raise ValidationError(
            field, f"must be a {'boolean' if expected is bool else 'string'}, got {value!r}"
        )
    return value


def _visible(name: str, table: Table, visible: Visibility) -> ColumnElement[bool]:
    """The visibility pre-filter: owned, TLP:CLEAR, shared into one of the forums, or a named recipient."""
    named = select(record_recipients.c.record_id).where(
        record_recipients.c.record_type == name,
        record_recipients.c.principal_id.in_([visible.org_id, visible.member_id]),
    )
    branches: list[ColumnElement[bool]] = [
        table.c.owner_org == visible.org_id,
        table.c.tlp == TLP.CLEAR.value,
        table.c.id.in_(named),
    ]
    if visible.forum_ids:
        branches.append(table.c.forum_id.in_(sorted(visible.forum_ids)))
    return or_(*branches)


def _delete_recipients(name: str, ids: list[str] | Select[Any]) -> Any:
    return delete(record_recipients).where(
        record_recipients.c.record_type == name, record_recipients.c.record_id.in_(ids)
    )


@cache
def _body_by_id(table: Table) -> Select[Any]:
    """The look-up of one record's body by id, built once per table (building a statement and its cache key
    costs SQLAlchemy more than running it)."""
    return select(table.c.body).where(table.c.id == bindparam("record_id"))
