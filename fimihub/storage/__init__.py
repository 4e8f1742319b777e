"""Persistence. :class:`Store` is the interface; :func:`open_store` opens the SQL store for a URL or path."""

from __future__ import annotations

from fimihub.storage.base import FILTERABLE, RECORD_TYPES, Store, UnitOfWork, Visibility

__all__ = ["FILTERABLE", "RECORD_TYPES", "Store", "UnitOfWork", "Visibility", "open_store"]


def open_store(db: str, *, upgrade: bool = True) -> Store:
    """Open the store at ``db`` (a SQLite path or a SQLAlchemy/PostgreSQL URL), migrating it when asked."""
    from fimihub.settings import database_url
    from fimihub.storage.sql.store import SqlStore

    store = SqlStore(database_url(db))
    if upgrade:
        store.upgrade()
    return store
