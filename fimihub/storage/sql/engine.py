"""Creating SQLAlchemy engines for SQLite and PostgreSQL, and translating their failures into our errors.

SQLite is set up for a server with a thread pool: WAL (readers do not block the writer), a busy timeout (a
writer waits for the lock instead of failing at once), foreign keys on, and transactions that start with
``BEGIN IMMEDIATE``. The last matters: a plain ``BEGIN`` takes the write lock only at the first write, so two
units of work could both read the audit head and then one would fail to upgrade its lock. sqlite3's own
transaction handling is switched off so that SQLAlchemy's ``begin`` event emits that statement (this is
also what makes savepoints work).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, exc, make_url
from sqlalchemy.engine import URL
from sqlalchemy.pool import StaticPool

from fimihub import jsontext
from fimihub.errors import Conflict, StoreError

__all__ = ["READ_ONLY", "db_errors", "hidden_url", "is_memory_sqlite", "make_engine", "reason"]

#: Execution option: this connection only reads, so on SQLite its transactions need not take the write lock.
READ_ONLY = "fimihub_read_only"

#: How long a SQLite writer waits for the lock before giving up, in milliseconds.
SQLITE_BUSY_TIMEOUT_MS = 30_000
#: How long connecting to PostgreSQL may take, in seconds, unless the URL says otherwise.
PG_CONNECT_TIMEOUT_S = 10
#: How JSON columns are written and read: orjson, several times faster than the standard library's encoder.
_JSON_CODEC: dict[str, Any] = {"json_serializer": jsontext.dumps, "json_deserializer": jsontext.loads}


def hidden_url(url: URL | str) -> str:
    """``url`` as text with any password replaced by ``***``."""
    try:
        parsed = make_url(url) if isinstance(url, str) else url
    except exc.ArgumentError:
        return "<unparseable database URL>"
    return parsed.render_as_string(hide_password=True)


def is_memory_sqlite(url: URL) -> bool:
    """Whether ``url`` is an in-memory SQLite database (one per connection unless the pool shares one)."""
    if url.get_backend_name() != "sqlite":
        return False
    return url.database in (None, "", ":memory:") or url.query.get("mode") == "memory"


def make_engine(url_text: str) -> Engine:
    """An engine for ``url_text`` (SQLite or PostgreSQL). It connects lazily; nothing is opened here."""
    try:
        url = make_url(url_text)
    except exc.ArgumentError as error:
        raise StoreError(f"not a database URL: {hidden_url(url_text)} ({error})") from None
    backend = url.get_backend_name()
    try:
        if backend == "sqlite":
            return _sqlite_engine(url)
        if backend == "postgresql":
            return _postgresql_engine(url)
    except (exc.ArgumentError, exc.NoSuchModuleError, ImportError) as error:
        raise StoreError(f"cannot open the store at {hidden_url(url)}: {error}") from None
    raise StoreError(f"unsupported database {backend!r} in {hidden_url(url)}: use SQLite or PostgreSQL")


def _sqlite_engine(url: URL) -> Engine:
    options: dict[str, Any] = {"connect_args": {"check_same_thread": False}, **_JSON_CODEC}
    if is_memory_sqlite(url):
        # One shared connection, or every connection would see its own empty database. The store serialises
        # units of work on it (see SqlStore), since one sqlite3 connection cannot run two transactions.
        options["poolclass"] = StaticPool
    engine = create_engine(url, **options)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's begin event, not sqlite3, decide how transactions start.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")  # durable enough with WAL, and much faster
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        read_only = conn.get_execution_options().get(READ_ONLY, False)
        conn.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")

    return engine


def _postgresql_engine(url: URL) -> Engine:
    if url.drivername in ("postgresql", "postgres"):
        url = url.set(drivername="postgresql+psycopg")
    connect_args: dict[str, Any] = {}
    if "connect_timeout" not in url.query:
        connect_args["connect_timeout"] = PG_CONNECT_TIMEOUT_S
    # pre_ping: a pooled connection the server closed (restart, idle timeout) is replaced, not handed out.
    return create_engine(url, pool_pre_ping=True, connect_args=connect_args, **_JSON_CODEC)


@contextmanager
def db_errors(url: URL) -> Iterator[None]:
    """Translate database failures inside the block: lost or refused connections and lock time-outs become
    :class:`StoreError` (naming the URL without its password), integrity violations :class:`Conflict`."""
    try:
        yield
    except exc.IntegrityError as error:
        raise Conflict(f"the record exists already or conflicts with a stored one: {reason(error)}") from None
    except (exc.OperationalError, exc.InterfaceError) as error:
        raise StoreError(f"the store at {hidden_url(url)} failed: {reason(error)}") from error


def reason(error: exc.DBAPIError) -> str:
    """The driver's own message, first line only: SQLAlchemy's text adds the statement and its parameters."""
    text = str(error.orig) if error.orig is not None else str(error)
    return text.strip().splitlines()[0] if text.strip() else type(error.orig).__name__
