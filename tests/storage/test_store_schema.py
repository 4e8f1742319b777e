"""Opening the SQL store: migrations, schema version, drift between migrations and tables, and failures."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from fimihub.errors import StoreError
from fimihub.model import Signal
from fimihub.storage import open_store
from fimihub.storage.sql import migrate
from fimihub.storage.sql.store import SqlStore
from fimihub.storage.sql.tables import RECORD_TABLES, metadata
from tests.storage import samples


def test_schema_version_is_none_before_and_head_after_upgrade(empty_store: SqlStore) -> None:
    assert empty_store.schema_version() is None
    empty_store.upgrade()
    assert empty_store.schema_version() == migrate.head_revision() == "0012"
    empty_store.upgrade()  # a second upgrade has nothing to do
    assert empty_store.schema_version() == "0012"


def test_migrated_schema_equals_the_tables_metadata(store: SqlStore) -> None:
    # Fails when tables.py changes without a migration (or a migration without tables.py).
    assert store.schema_diff() == []


def test_an_empty_database_differs_from_the_metadata(empty_store: SqlStore) -> None:
    # The drift check does see differences: here every table is missing.
    added = [d for d in empty_store.schema_diff() if d.startswith("('add_table'")]
    assert len(added) == len(metadata.tables)


def test_every_filterable_field_and_the_envelope_are_indexed_columns() -> None:
    from fimihub.storage import FILTERABLE

    for kind, table in RECORD_TABLES.items():
        indexed = {col.name for index in table.indexes for col in index.columns}
        assert FILTERABLE[kind] <= indexed, table.name
        if "owner_org" in table.c:
            assert {"owner_org", "forum_id", "tlp", "created_at", "modified_at", "expires_at"} <= indexed


def test_migrations_ship_inside_the_package() -> None:
    assert (migrate.MIGRATIONS / "env.py").is_file()
    assert (migrate.MIGRATIONS / "script.py.mako").is_file()
    assert (migrate.MIGRATIONS / "versions" / "__init__.py").is_file()


def test_open_store_migrates_a_file_and_reopens_it(tmp_path: Path) -> None:
    path = tmp_path / "hub.db"
    store = open_store(str(path))
    try:
        with store.unit_of_work() as uow:
            uow.insert(samples.signal())
    finally:
        store.close()
    again = open_store(str(path))
    try:
        assert again.schema_version() == "0012"
        with again.unit_of_work() as uow:
            assert uow.get(Signal, "signal--1") == samples.signal()
    finally:
        again.close()


def test_in_memory_sqlite_is_one_database_shared_by_threads() -> None:
    store = open_store(":memory:")
    try:
        assert store.url == "sqlite://"
        errors: list[BaseException] = []

        def work(i: int) -> None:
            try:
                for j in range(10):
                    with store.unit_of_work() as uow:
                        uow.insert(samples.signal(f"signal--{i}-{j}"))
                        uow.append_audit(
                            actor="a",
                            action="create",
                            subject_type="signal",
                            subject_id=None,
                            detail={},
                            at=samples.T0,
                        )
            except BaseException as error:
                errors.append(error)

        threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
        with store.unit_of_work() as uow:
            assert uow.count(Signal) == 40
            assert uow.audit_head() is not None
            assert [e.seq for e in uow.audit_events()] == list(range(1, 41))
    finally:
        store.close()


def test_url_hides_the_password() -> None:
    store = SqlStore("postgresql+psycopg://fimi:s3cret@db.example:5432/hub")
    try:
        assert "s3cret" not in store.url
        assert store.url == "postgresql+psycopg://fimi:***@db.example:5432/hub"
        assert "s3cret" not in repr(store)
    finally:
        store.close()


def test_unreachable_postgresql_is_a_store_error_without_the_password() -> None:
    store = SqlStore("postgresql+psycopg://fimi:s3cret@127.0.0.1:1/hub")
    try:
        for attempt in (store.upgrade, store.schema_version, lambda: store.unit_of_work().__enter__()):
            with pytest.raises(StoreError) as caught:
                attempt()
            assert "127.0.0.1:1" in caught.value.message
            assert "s3cret" not in caught.value.message
    finally:
        store.close()


def test_unopenable_sqlite_file_is_a_store_error(tmp_path: Path) -> None:
    store = SqlStore(f"sqlite:///{tmp_path}/no/such/dir/hub.db")
    try:
        with pytest.raises(StoreError, match=r"hub\.db"):
            store.upgrade()
    finally:
        store.close()


@pytest.mark.parametrize("url", ["mysql://u:pw@host/db", "not a url", "sqlite+nodriver:///x.db"])
def test_unsupported_urls_are_store_errors(url: str) -> None:
    with pytest.raises(StoreError) as caught:
        SqlStore(url)
    assert "pw" not in caught.value.message


def test_a_finished_unit_of_work_cannot_be_used(store: SqlStore) -> None:
    with store.unit_of_work() as uow:
        pass
    with pytest.raises(StoreError, match="ended"):
        uow.get(Signal, "signal--1")


def test_units_of_work_do_not_nest(store: SqlStore) -> None:
    with store.unit_of_work() as uow:
        uow.insert(samples.signal())
        with pytest.raises(StoreError, match="nest"), store.unit_of_work():
            pass
        with pytest.raises(StoreError, match="nest"):
            store.upgrade()
    with store.unit_of_work() as uow:  # the outer one committed, and the store is usable again
        assert uow.count(Signal) == 1


def test_a_closed_store_refuses_work(empty_store: SqlStore) -> None:
    empty_store.close()
    with pytest.raises(StoreError, match="closed"):
        empty_store.schema_version()
