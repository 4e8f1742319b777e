"""Read-only units of work do not queue behind a writer (SQLite's write lock), and see committed data."""

from __future__ import annotations

import threading

from fimihub.model import Organisation
from fimihub.storage.sql.store import SqlStore
from tests.storage.samples import organisation


def test_reader_is_not_blocked_by_an_open_writer(store: SqlStore) -> None:
    with store.unit_of_work() as uow:
        uow.insert(organisation("organisation--committed"))
    writer_inside = threading.Event()
    reader_done = threading.Event()
    seen: list[str] = []

    def writer() -> None:
        with store.unit_of_work() as uow:
            uow.insert(organisation("organisation--pending"))
            writer_inside.set()
            # Hold the write transaction open until the reader has finished (or give up after 10 s).
            reader_done.wait(timeout=10)

    thread = threading.Thread(target=writer)
    thread.start()
    assert writer_inside.wait(timeout=10)
    with store.unit_of_work(read_only=True) as uow:
        seen = [o.id for o in uow.find(Organisation)]
    reader_done.set()
    thread.join(timeout=10)
    # The reader finished while the writer was open (or reader_done would not be set before the join), and it
    # saw only committed rows.
    assert seen == ["organisation--committed"]
    with store.unit_of_work(read_only=True) as uow:
        assert len(uow.find(Organisation)) == 2
