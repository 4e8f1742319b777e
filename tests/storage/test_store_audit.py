"""The audit log in the SQL store: appends, chain order, hashes, and one gap-free chain under concurrency."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone

import pytest

from fimihub.errors import ValidationError
from fimihub.model import GENESIS, AuditEvent
from fimihub.storage.sql import audit
from fimihub.storage.sql.store import SqlStore
from tests.storage.samples import T0


def _append(store: SqlStore, n: int, actor: str = "member--a1") -> list[AuditEvent]:
    with store.unit_of_work() as uow:
        return [
            uow.append_audit(
                actor=actor,
                action="create",
                subject_type="signal",
                subject_id=f"signal--{i}",
                detail={"n": i, "tags": ("a", "b"), "when": T0},
                at=T0 + timedelta(seconds=i),
            )
            for i in range(n)
        ]


def _verify(events: list[AuditEvent]) -> None:
    """One chain: seq 1, 2, 3 …, each linked to the one before, each hash matching its content."""
    assert [e.seq for e in events] == list(range(1, len(events) + 1))
    prev = GENESIS
    for event in events:
        assert event.prev_hash == prev
        assert event.expected_hash() == event.hash
        prev = event.hash


def test_appended_events_read_back_in_order_and_verify(store: SqlStore) -> None:
    with store.unit_of_work() as uow:
        assert uow.audit_head() is None
    appended = _append(store, 3)
    with store.unit_of_work() as uow:
        stored = list(uow.audit_events())
        head = uow.audit_head()
    assert stored == appended
    _verify(stored)
    assert head == (3, stored[-1].hash)
    # What the JSON column cannot hold was normalised before hashing, so it still verifies when read back.
    assert stored[0].detail == {"n": 0, "tags": ["a", "b"], "when": str(T0)}


def test_event_times_are_stored_in_utc(store: SqlStore) -> None:
    local = datetime(2024, 5, 1, 8, 0, 0, 1, tzinfo=timezone(timedelta(hours=-4)))
    with store.unit_of_work() as uow:
        event = uow.append_audit(
            actor="a", action="read", subject_type="case", subject_id=None, detail={}, at=local
        )
    with store.unit_of_work() as uow:
        (stored,) = uow.audit_events()
    assert stored == event
    assert stored.at == datetime(2024, 5, 1, 12, 0, 0, 1, tzinfo=UTC)
    assert stored.at.tzinfo == UTC
    assert stored.expected_hash() == stored.hash


def test_reading_after_seq_with_limit_across_pages(store: SqlStore, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(audit, "PAGE_SIZE", 4)
    appended = _append(store, 11)
    with store.unit_of_work() as uow:
        assert list(uow.audit_events()) == appended
        assert list(uow.audit_events(after_seq=5)) == appended[5:]
        assert list(uow.audit_events(after_seq=2, limit=6)) == appended[2:8]
        assert list(uow.audit_events(limit=4)) == appended[:4]
        assert list(uow.audit_events(limit=0)) == []
        assert list(uow.audit_events(after_seq=11)) == []


def test_concurrent_appends_make_one_gap_free_chain(
    store: SqlStore, make_store: Callable[[], SqlStore], db_url: str
) -> None:
    # Several threads on the shared store (pooled connections), and on PostgreSQL a second engine too.
    stores = [store, make_store()] if "://" in db_url else [store]
    threads_per_store, appends_per_thread = 4, 15
    errors: list[BaseException] = []
    start = threading.Barrier(threads_per_store * len(stores))

    def work(target: SqlStore, actor: str) -> None:
        try:
            start.wait()
            for i in range(appends_per_thread):
                with target.unit_of_work() as uow:
                    uow.append_audit(
                        actor=actor,
                        action="update",
                        subject_type="signal",
                        subject_id=str(i),
                        detail={},
                        at=T0,
                    )
        except BaseException as error:  # reported below: an exception in a thread would otherwise vanish
            errors.append(error)

    threads = [
        threading.Thread(target=work, args=(target, f"member--{s}-{t}"))
        for s, target in enumerate(stores)
        for t in range(threads_per_store)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with store.unit_of_work() as uow:
        events = list(uow.audit_events())
        head = uow.audit_head()
    total = threads_per_store * len(stores) * appends_per_thread
    assert len(events) == total
    _verify(events)
    assert head == (total, events[-1].hash)


def test_an_invalid_event_is_refused_and_nothing_is_written(store: SqlStore) -> None:
    with store.unit_of_work() as uow, pytest.raises(ValidationError, match="action"):
        uow.append_audit(
            actor="a", action="x" * 101, subject_type="signal", subject_id=None, detail={}, at=T0
        )
    with store.unit_of_work() as uow:
        assert uow.audit_head() is None
