"""Fixtures of the storage suite: a freshly migrated :class:`SqlStore` on every backend.

The backend comes from ``db_url`` (``tests/conftest.py``): a SQLite file in ``tmp_path`` always, and a
PostgreSQL schema of its own per test when ``FIMIHUB_TEST_DATABASE_URL`` is set (skipped otherwise).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from fimihub.settings import database_url
from fimihub.storage.sql.store import SqlStore


@pytest.fixture
def make_store(db_url: str) -> Iterator[Callable[[], SqlStore]]:
    """Opens extra stores on the same database (separate engines, so separate connections); all are closed."""
    opened: list[SqlStore] = []

    def make() -> SqlStore:
        opened.append(SqlStore(database_url(db_url)))
        return opened[-1]

    yield make
    for store in opened:
        store.close()


@pytest.fixture
def empty_store(make_store: Callable[[], SqlStore]) -> SqlStore:
    """A store on an empty database, not yet migrated."""
    return make_store()


@pytest.fixture
def store(empty_store: SqlStore) -> SqlStore:
    """A store migrated to the newest schema."""
    empty_store.upgrade()
    return empty_store
