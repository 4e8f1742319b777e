"""Querying the SQL store: equality and "any of" filters, paging, and the visibility pre-filter."""

from __future__ import annotations

from typing import Any

import pytest

from fimihub.errors import ValidationError
from fimihub.model import Marking, Operation, Organisation, Signal, SignalKind
from fimihub.storage import FILTERABLE, Visibility
from fimihub.storage.sql.store import SqlStore
from tests.storage import samples


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
                samples.signal(
                    "signal--4", kind="url", value="https://a.example/x", owner_org="organisation--b"
                ),
                samples.signal("signal--5", kind="hashtag", value="#other", forum_id="forum--f"),
            ]
        )
    return store


def test_find_filters_by_equality_in_lists_none_and_booleans(some_signals: SqlStore) -> None:
    with some_signals.unit_of_work() as uow:
        assert _ids(uow.find(Signal, where={"kind": "domain"})) == ["signal--1", "signal--2"]
        assert _ids(uow.find(Signal, where={"kind": ["hashtag", "url"]})) == [
            "signal--3",
            "signal--4",
            "signal--5",
        ]
        assert _ids(uow.find(Signal, where={"kind": {"url"}, "owner_org": ("organisation--b",)})) == [
            "signal--4"
        ]
        assert _ids(uow.find(Signal, where={"value": ["a.example", "#tag", "nope"]})) == [
            "signal--1",
            "signal--3",
        ]
        assert _ids(uow.find(Signal, where={"revoked": True})) == ["signal--3"]
        assert _ids(uow.find(Signal, where={"operation_id": None, "kind": "hashtag"})) == [
            "signal--3",
            "signal--5",
        ]
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
                value = True if field == "revoked" else "x"
                assert uow.find(kind, where={field: value}) == []
                assert uow.count(kind, where={field: [value]}) == 0


def test_a_filter_value_of_the_wrong_type_is_a_validation_error(store: SqlStore) -> None:
    with store.unit_of_work() as uow:
        for where in ({"revoked": "yes"}, {"kind": 3}, {"kind": ["domain", 3]}, {"revoked": [True, "no"]}):
            with pytest.raises(ValidationError) as caught:
                uow.find(Signal, where=where)
            assert caught.value.field == next(iter(where))


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
        uow.insert(
            samples.signal(
                "operation--hidden", marking=Marking(tlp="amber", recipient_orgs=("organisation--me",))
            )
        )
        visible = _ids(uow.find(Operation, visible=me))
        no_forums = _ids(
            uow.find(Operation, visible=Visibility(org_id="organisation--me", member_id="member--me"))
        )
        stranger = _ids(
            uow.find(Operation, visible=Visibility(org_id="organisation--z", member_id="member--z"))
        )
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
