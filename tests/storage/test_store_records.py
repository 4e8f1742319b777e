"""Records in the SQL store: round trips, conflicts, filters, paging, transactions, bulk inserts, retention."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from fimihub.errors import Conflict, NotFound, ValidationError
from fimihub.model import Governed, Marking, Operation, Organisation, Record, Signal
from fimihub.storage import FILTERABLE, RECORD_TYPES
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


def _ids(records: list[Any]) -> list[str]:
    return [r.id for r in records]


@pytest.fixture
def some_signals(store: SqlStore) -> SqlStore:
    with store.unit_of_work() as uow:
        uow.insert_many(
            [
                samples.signal("signal--1", kind="domain", value="a.example", operation_id="operation--1"),
                samples.signal("signal--2", kind="domain", value="b.example", operation_id="operation--2"),
                samples.signal("signal--3", kind="hashtag", value="#tag", revoked=True),
                samples.signal("signal--4", kind="url", value="https://a.example/x", owner_org="organisation--b"),
                samples.signal("signal--5", kind="hashtag", value="#other", forum_id="forum--f"),
            ]
        )
    return store


def test_find_filters_by_equality_in_lists_none_and_booleans(some_signals: SqlStore) -> None:
    with some_signals.unit_of_work() as uow:
        assert _ids(uow.find(Signal, where={"kind": "domain"})) == ["signal--1", "signal--2"]
        assert _ids(uow.find(Signal, where={"kind": ["hashtag", "url"]})) == ["signal--3", "signal--4", "signal--5"]
        assert _ids(uow.find(Signal, where={"kind": {"url"}, "owner_org": ("organisation--b",)})) == ["signal--4"]
        assert _ids(uow.find(Signal, where={"value": ["a.example", "#tag", "nope"]})) == ["signal--1", "signal--3"]
        assert _ids(uow.find(Signal, where={"revoked": True})) == ["signal--3"]
        assert _ids(uow.find(Signal, where={"operation_id": None, "kind": "hashtag"})) == ["signal--3", "signal--5"]
        assert _ids(uow.find(Signal, where={"operation_id": ["operation--2", None]})) == [
            "signal--2",
            "signal--3",
            "signal--4",
            "signal--5",
        ]
        assert uow.find(Signal, where={"kind": []}) == []
        assert uow.count(Signal, where={"kind": ["domain", "hashtag"]}) == 4
        assert uow.count(Signal, where={"forum_id": "forum--f"}) == 1


def test_enum_values_filter_like_their_strings(some_signals: SqlStore) -> None:
    from fimihub.model import SignalKind

    with some_signals.unit_of_work() as uow:
        assert _ids(uow.find(Signal, where={"kind": SignalKind.URL})) == ["signal--4"]
        assert _ids(uow.find(Signal, where={"kind": [SignalKind.DOMAIN]})) == ["signal--1", "signal--2"]


def test_unknown_filter_field_is_a_validation_error_naming_it(store: SqlStore) -> None:
    with store.unit_of_work() as uow:
        with pytest.raises(ValidationError) as caught:
            uow.find(Signal, where={"description": "x"})
        assert caught.value.field == "description"
        with pytest.raises(ValidationError) as caught:
            uow.count(Organisation, where={"name": "x"})
        assert caught.value.field == "name"


def test_every_filterable_field_is_accepted(store: SqlStore) -> None:
    with store.unit_of_work() as uow:
        for kind, fields in FILTERABLE.items():
            for field in fields:
                assert uow.find(kind, where={field: "x"}) == []


def test_paging_with_after_id_and_limit(some_signals: SqlStore) -> None:
    with some_signals.unit_of_work() as uow:
        pages, after = [], None
        while page := uow.find(Signal, after_id=after, limit=2):
            pages.append(_ids(page))
            after = page[-1].id
        assert pages == [["signal--1", "signal--2"], ["signal--3", "signal--4"], ["signal--5"]]
        assert _ids(uow.find(Signal, where={"kind": "hashtag"}, after_id="signal--3")) == ["signal--5"]
        assert uow.find(Signal, limit=0) == []
        with pytest.raises(ValidationError):
            uow.find(Signal, limit=-1)


def test_visibility_prefilter_keeps_each_branch(store: SqlStore) -> None:
    from fimihub.storage import Visibility

    records = [
        samples.operation("operation--own", owner_org="organisation--me"),
        samples.operation("operation--clear", owner_org="organisation--x", marking=Marking(tlp="clear")),
        samples.operation("operation--forum", owner_org="organisation--x", forum_id="forum--mine"),
        samples.operation("operation--other-forum", owner_org="organisation--x", forum_id="forum--other"),
        samples.operation(
            "operation--to-org",
            owner_org="organisation--x",
            marking=Marking(tlp="amber", recipient_orgs=("organisation--me", "organisation--y")),
        ),
        samples.operation(
            "operation--to-member",
            owner_org="organisation--x",
            marking=Marking(tlp="red", recipient_members=("member--me",)),
        ),
        samples.operation(
            "operation--to-others",
            owner_org="organisation--x",
            marking=Marking(tlp="red", recipient_members=("member--someone-else",)),
        ),
        samples.operation("operation--hidden", owner_org="organisation--x", marking=Marking(tlp="green")),
    ]
    me = Visibility(org_id="organisation--me", member_id="member--me", forum_ids=frozenset({"forum--mine"}))
    with store.unit_of_work() as uow:
        uow.insert_many(records)
        # A signal with the same id and recipients must not leak into the operations' pre-filter.
        uow.insert(samples.signal("operation--hidden", marking=Marking(tlp="amber", recipient_orgs=("organisation--me",))))
        visible = _ids(uow.find(Operation, visible=me))
        no_forums = _ids(uow.find(Operation, visible=Visibility(org_id="organisation--me", member_id="member--me")))
        stranger = _ids(uow.find(Operation, visible=Visibility(org_id="organisation--z", member_id="member--z")))
        # Non-governed records are not pre-filtered.
        uow.insert(samples.organisation())
        assert len(uow.find(Organisation, visible=me)) == 1
    assert visible == [
        "operation--clear",
        "operation--forum",
        "operation--own",
        "operation--to-member",
        "operation--to-org",
    ]
    assert no_forums == ["operation--clear", "operation--own", "operation--to-member", "operation--to-org"]
    assert stranger == ["operation--clear"]


def test_recipients_follow_updates_and_deletes(store: SqlStore) -> None:
    from fimihub.storage import Visibility

    b = Visibility(org_id="organisation--b", member_id="member--b1")
    record = samples.operation(marking=Marking(tlp="amber", recipient_orgs=("organisation--b",)))
    with store.unit_of_work() as uow:
        uow.insert(record)
        assert _ids(uow.find(Operation, visible=b)) == [record.id]
        uow.update(record.evolve(marking=Marking(tlp="amber", recipient_orgs=("organisation--c",))))
        assert uow.find(Operation, visible=b) == []
        uow.update(record)
        assert _ids(uow.find(Operation, visible=b)) == [record.id]
        uow.delete(Operation, record.id)
        uow.insert(record.evolve(marking=Marking(tlp="amber")))
        assert uow.find(Operation, visible=b) == []


def test_a_unit_of_work_that_raises_leaves_nothing_stored(store: SqlStore) -> None:
    class ImportFailed(Exception):
        pass

    with pytest.raises(ImportFailed), store.unit_of_work() as uow:
        uow.insert(samples.operation())
        uow.insert_many([samples.signal(f"signal--{i:03d}") for i in range(50)])
        uow.append_audit(actor="member--a1", action="import", subject_type="operation", subject_id=None, detail={}, at=T0)
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
    from fimihub.storage import Visibility

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
        assert _ids(uow.find(Signal)) == ["signal--later", "signal--never", "signal--past"]
        assert uow.count(Organisation) == 1
        assert uow.purge_expired(now) == dict.fromkeys(counts, 0)
