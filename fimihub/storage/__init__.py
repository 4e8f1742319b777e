"""Persistence. :class:`Store` is the interface; :func:`open_store` opens the SQL store for a URL or path."""

from __future__ import annotations

from fimihub.errors import StoreError
from fimihub.storage.base import FILTERABLE, RECORD_TYPES, Store, UnitOfWork, Visibility

__all__ = ["FILTERABLE", "RECORD_TYPES", "Store", "UnitOfWork", "Visibility", "open_store"]


def open_store(db: str, *, upgrade: bool = True, key_file: str | None = None) -> Store:
    """Open the store at ``db`` (a SQLite path or a SQLAlchemy/PostgreSQL URL), migrating it when asked.

    Its secrets are sealed at rest with the key in ``key_file`` (created when missing); by default the
    SQLite file's path with ``.key`` added, or ``fimihub.key`` in the working directory for a server
    database. An in-memory store seals with a key that lives as long as the process (see
    :mod:`fimihub.storage.vault`)."""
    from fimihub.settings import at_rest_key_file, database_url
    from fimihub.storage.sql.store import SqlStore
    from fimihub.storage.vault import Vault

    path = at_rest_key_file(db, key_file)
    store = SqlStore(database_url(db))
    if path is not None and not path.exists() and (sealed_with := store.sealed_with()):
        store.close()
        raise StoreError(
            f"the store's secrets are sealed with at-rest key {sealed_with}, and its key file {path} is"
            " missing: restore that file, or name where it is with FIMIHUB_KEY_FILE (Settings.key_file)"
        )
    store.vault = Vault.generate() if path is None else Vault.from_file(path)
    if upgrade:
        store.upgrade()
    return store
