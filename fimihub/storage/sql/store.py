"""The SQL store: :class:`SqlStore` keeps a hub's records in SQLite or PostgreSQL.

Open it with :func:`fimihub.storage.open_store` (which also migrates), or directly::

    store = SqlStore("sqlite:///hub.db")          # or "postgresql+psycopg://user:pw@host/db", or "sqlite://"
    store.upgrade()
    with store.unit_of_work() as uow:
        uow.insert(signal)
        uow.append_audit(
            actor=member_id, action="create", subject_type="signal", subject_id=signal.id, detail={}, at=now
        )

One store is safe to share between threads; each unit of work holds one pooled connection for its
transaction. Nothing connects until the first unit of work, upgrade or version check.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext

from sqlalchemy import Connection, exc, inspect, select

from fimihub.errors import StoreError
from fimihub.storage.base import Store, UnitOfWork
from fimihub.storage.sql import migrate
from fimihub.storage.sql.atrest import seal_at_rest
from fimihub.storage.sql.engine import READ_ONLY, db_errors, hidden_url, is_memory_sqlite, make_engine, reason
from fimihub.storage.sql.tables import hub_signing_key
from fimihub.storage.sql.uow import SqlUnitOfWork
from fimihub.storage.vault import SEALED_PREFIX, Vault, is_sealed

__all__ = ["SqlStore"]


class SqlStore(Store):
    """A :class:`~fimihub.storage.base.Store` on SQLAlchemy Core, for SQLite and PostgreSQL URLs."""

    def __init__(self, url: str, *, vault: Vault | None = None) -> None:
        #: Seals the store's secrets at rest (see :mod:`fimihub.storage.vault`); ``None``: kept as written.
        self.vault = vault
        self._engine = make_engine(url)
        self._url = self._engine.url
        # An in-memory SQLite database lives on one shared connection, which cannot hold two transactions at
        # once: units of work take turns.
        self._turns: threading.Lock | None = threading.Lock() if is_memory_sqlite(self._url) else None
        # Which threads are inside a unit of work now, to refuse nesting (see _turn).
        self._busy = threading.local()
        self._closed = False

    @property
    def url(self) -> str:
        return hidden_url(self._url)

    @property
    def dialect(self) -> str:
        """``"sqlite"`` or ``"postgresql"``."""
        return self._engine.dialect.name

    def __repr__(self) -> str:
        return f"SqlStore({self.url!r})"

    @contextmanager
    def unit_of_work(self, *, read_only: bool = False) -> Iterator[UnitOfWork]:
        with self._turn(), self._connect(read_only=read_only) as conn:
            with db_errors(self._url):
                transaction = conn.begin()
            uow = SqlUnitOfWork(conn, self._url, self.vault)
            try:
                yield uow
            except BaseException:
                uow.close()
                transaction.rollback()
                raise
            uow.close()
            with db_errors(self._url):
                transaction.commit()

    def upgrade(self) -> None:
        with self._turn(), self._connect() as conn, db_errors(self._url), conn.begin():
            migrate.upgrade(conn)
            if self.vault is not None:
                seal_at_rest(conn, self._url, self.vault)

    def schema_version(self) -> str | None:
        with self._turn(), self._connect(read_only=True) as conn, db_errors(self._url), conn.begin():
            return migrate.current_revision(conn)

    def sealed_with(self) -> str | None:
        """The id of the at-rest key the store's secrets are sealed with; ``None`` when none are sealed (or
        the store is new)."""
        with self._turn(), self._connect(read_only=True) as conn, db_errors(self._url), conn.begin():
            if not inspect(conn).has_table(hub_signing_key.name):
                return None
            value = conn.execute(select(hub_signing_key.c.private_key)).scalar()
        if not isinstance(value, str) or not is_sealed(value):
            return None
        return value.removeprefix(SEALED_PREFIX).partition(":")[0]

    def schema_diff(self) -> list[str]:
        """How the database's schema differs from the one this code expects; empty when they agree."""
        with self._turn(), self._connect(read_only=True) as conn, db_errors(self._url), conn.begin():
            return migrate.schema_diff(conn)

    def close(self) -> None:
        self._closed = True
        self._engine.dispose()

    @contextmanager
    def _turn(self) -> Iterator[None]:
        """Refuse a unit of work inside another in the same thread, then wait for the in-memory lock.

        A nested one would wait for the locks its own outer transaction holds (SQLite's write lock, the
        audit head row on PostgreSQL) and hang; failing at once names the bug instead.
        """
        if getattr(self._busy, "active", False):
            raise StoreError("units of work do not nest: finish the open one before starting another")
        self._busy.active = True
        try:
            with self._turns if self._turns is not None else nullcontext():
                yield
        finally:
            self._busy.active = False

    def _connect(self, *, read_only: bool = False) -> Connection:
        if self._closed:
            raise StoreError(f"the store at {self.url} is closed")
        try:
            conn = self._engine.connect()
        except (exc.OperationalError, exc.InterfaceError) as error:
            raise StoreError(f"cannot connect to the store at {self.url}: {reason(error)}") from error
        return conn.execution_options(**{READ_ONLY: True}) if read_only else conn
