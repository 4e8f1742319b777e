"""Records in the SQL store: round trips, conflicts, transactions, bulk inserts and retention."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from fimihub.errors import Conflict, NotFound, ValidationError
from fimihub.model import Governed, Marking, Operation, Organisation, Record, Signal
from fimihub.storage import RECORD_TYPES, Visibility
from fimihub.storage.sql.store import SqlStore
from tests.storage import samples
from tests.storage.samples import FACTORIES, T0


def test_every_record_type_has_a_sample() -> None:
    assert set(FACTORIES) == set(RECORD_TYPES)


@pytest.mark.parametrize("kind", list(FACTORIES), ids=lambda k: RECORD_TYPES[k])
def test_insert_get_update_round_trip(store: SqlStore, kind: type[Record]) -> None:
    make, change = FACTORIES[kind]
    record = make()
    with store.unit_of_work() as uow:
        uow.insert(record)
    with store.unit_of_work() as uow:
        assert uow.get(kind, record.id) == record  # type: ignore[attr-defined]
        changed = record.evolve(**change)
        uow.update(changed)
    with store.unit_of_work() as uow:
        assert uow.get(kind, record.id) == changed  # type: ignore[attr-defined]
        assert uow.find(kind) == [changed]
        assert uow.count(kind) == 1
        assert uow.delete(kind, record.id)  # type: ignore[attr-defined]
        assert not uow.delete(kind, record.id)  # type: ignore[attr-defined]
        assert uow.get(kind, record.id) is None  # type: ignore[attr-defined]


def test_datetimes_come_back_aware_in_utc(store: SqlStore) -> None:
    cest = timezone(timedelta(hours=2))
    record = samples.signal(created_at=datetime(2024, 5, 1, 14, 0, tzinfo=cest), expires_at=T0)
    with store.unit_of_work() as uow:
        uow.insert(record)
        back = uow.get(Signal, record.id)
    assert back is not None
    assert back.created_at == datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
    assert back.created_at.tzinfo == UTC
    assert back.expires_at == T0


def test_duplicate_id_is_a_conflict_and_the_unit_of_work_goes_on(store: SqlStore) -> None:
    with store.unit_of_work() as uow:
        uow.insert(samples.signal("signal--1"))
    with store.unit_of_work() as uow:
        with pytest.raises(Conflict, match="signal--1"):
            uow.insert(samples.signal("signal--1", value="other.example"))
        with pytest.raises(Conflict, match="signal--1"):
            uow.insert_many([samples.signal("signal--2"), samples.signal("signal--1")])
        with pytest.raises(Conflict, match="same id twice"):
            uow.insert_many([samples.signal("signal--3"), samples.signal("signal--3")])
        # After catching the conflicts the transaction is still usable (PostgreSQL aborts it otherwise),
        # and none of the failed batches left a row behind.
        uow.insert(samples.signal("signal--4"))
    with store.unit_of_work() as uow:
        assert [s.id for s in uow.find(Signal)] == ["signal--1", "signal--4"]
        assert uow.get(Signal, "signal--1") == samples.signal("signal--1")


def test_update_of_a_missing_record_is_not_found(store: SqlStore) -> None:
    with store.unit_of_work() as uow, pytest.raises(NotFound, match="signal--missing"):
        uow.update(samples.signal("signal--missing"))


def test_a_type_the_store_does_not_keep_is_refused(store: SqlStore) -> None:
    with store.unit_of_work() as uow, pytest.raises(ValidationError):
        uow.insert(Marking())  # type: ignore[arg-type]


def test_a_unit_of_work_that_raises_leaves_nothing_stored(store: SqlStore) -> None:
    class ImportFailed(Exception):
        pass

    with pytest.raises(ImportFailed), store.unit_of_work() as uow:
        uow.insert(samples.operation())
        uow.insert_many([samples.signal(f"signal--{i:03d}") for i in range(50)])
        uow.append_audit(
            actor="member--a1", action="import", subject_type="operation", subject_id=None, detail={}, at=T0
        )
        raise ImportFailed("row 51 is malformed")
    with store.unit_of_work() as uow:
        assert uow.count(Operation) == 0
        assert uow.count(Signal) == 0
        assert list(uow.audit_events()) == []
        assert uow.audit_head() is None


def test_insert_many_of_five_thousand_signals(store: SqlStore) -> None:
    signals = [
        samples.signal(
            f"signal--{i:05d}",
            kind="domain",
            value=f"site-{i}.example",
            operation_id=f"operation--{i % 7}",
            marking=Marking(tlp="amber", recipient_orgs=("organisation--b",)),
        )
        for i in range(5000)
    ]
    with store.unit_of_work() as uow:
        uow.insert_many([*signals, samples.operation()])
    with store.unit_of_work() as uow:
        assert uow.count(Signal) == 5000
        assert uow.count(Signal, where={"operation_id": "operation--3"}) == len(range(3, 5000, 7))
        assert uow.find(Signal, where={"value": "site-4321.example"}) == [signals[4321]]
        assert len(uow.find(Signal, where={"value": [s.value for s in signals[:900]]})) == 900
        assert uow.find(Signal, after_id="signal--04997") == signals[4998:]


def test_purge_expired_deletes_governed_records_at_or_before_now(store: SqlStore) -> None:
    now = T0 + timedelta(days=30)
    expiring = Marking(tlp="amber", recipient_orgs=("organisation--b",))
    with store.unit_of_work() as uow:
        uow.insert_many(
            [
                samples.signal("signal--past", expires_at=now - timedelta(seconds=1), marking=expiring),
                samples.signal("signal--now", expires_at=now),
                samples.signal("signal--later", expires_at=now + timedelta(microseconds=1)),
                samples.signal("signal--never"),
                samples.operation("operation--past", expires_at=now - timedelta(days=1)),
                samples.lead("lead--past", expires_at=now.astimezone(timezone(timedelta(hours=-5)))),
                samples.organisation(),
            ]
        )
        # The recipients of the purged signal go with it: a new record reusing its id is not visible to B.
        counts = uow.purge_expired(now)
        uow.insert(samples.signal("signal--past", marking=Marking(tlp="amber")))
        assert uow.find(Signal, visible=Visibility(org_id="organisation--b", member_id="member--b1")) == []
    assert counts["signal"] == 2
    assert counts["operation"] == 1
    assert counts["lead"] == 1
    assert set(counts) == {name for kind, name in RECORD_TYPES.items() if issubclass(kind, Governed)}
    with store.unit_of_work() as uow:
        assert [s.id for s in uow.find(Signal)] == ["signal--later", "signal--never", "signal--past"]
        assert uow.count(Organisation) == 1
        assert uow.purge_expired(now) == dict.fromkeys(counts, 0)
