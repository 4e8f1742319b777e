"""Deleting an imported disclosure: the disclosure and what it brought in go, through the policy and the
write path, with an audit event; records shared into a forum leave its collection as revoked tombstones;
records others built on refuse the deletion (named, or counted when the member may not read them) unless it
is forced, which keeps them; other organisations, lower roles and read-only tokens delete nothing."""

from __future__ import annotations

import json
import uuid

import pytest

from fimihub import NotFound, PermissionDenied
from fimihub.errors import Conflict
from fimihub.model import Disclosure, Feedback, Operation, Signal
from fimihub.policy import Actor
from tests.conftest import Cast


def _bundle(*values: str) -> bytes:
    """A STIX bundle of one campaign and an indicator of each domain, which indicates it."""
    campaign = f"campaign--{uuid.uuid4()}"
    stamp = "2025-03-01T00:00:00.000Z"
    objects: list[dict[str, object]] = [
        {"type": "campaign", "spec_version": "2.1", "id": campaign, "created": stamp, "modified": stamp,
         "name": "Cloned outlets"},
    ]  # fmt: skip
    for value in values:
        indicator = f"indicator--{uuid.uuid4()}"
        objects += [
            {"type": "indicator", "spec_version": "2.1", "id": indicator, "created": stamp, "modified": stamp,
             "pattern": f"[domain-name:value = '{value}']", "pattern_type": "stix", "valid_from": stamp},
            {"type": "relationship", "spec_version": "2.1", "id": f"relationship--{uuid.uuid4()}",
             "created": stamp, "modified": stamp, "relationship_type": "indicates", "source_ref": indicator,
             "target_ref": campaign},
        ]  # fmt: skip
    bundle = {"type": "bundle", "id": f"bundle--{uuid.uuid4()}", "objects": objects}
    return json.dumps(bundle).encode()


def _import(cast: Cast, by: Actor, *values: str, forum: bool = False) -> Disclosure:
    summary = cast.hub.disclosures.import_content(
        by, "stix", "outlets.json", _bundle(*values), forum_id=cast.forum_id if forum else None
    )
    assert summary.failed_files == 0, summary.skipped
    return cast.hub.disclosures.get(by, summary.disclosures[0])


def _stored(cast: Cast, kind: type[Disclosure] | type[Signal] | type[Operation], ids: list[str]) -> list[str]:
    with cast.hub.store.unit_of_work(read_only=True) as uow:
        return [i for i in ids if uow.get(kind, i) is not None]


def test_deleting_a_disclosure_deletes_what_it_brought_in_with_an_audit_event(cast: Cast) -> None:
    hub, a = cast.hub, cast.analyst_a
    disclosure = _import(cast, a, "one.example", "two.example")
    signals, operations = list(disclosure.signal_ids), list(disclosure.operation_ids)
    assert len(signals) == 2 and len(operations) == 1
    report = hub.disclosures.delete(a, disclosure.id)
    assert report.to_json()["deleted"] == {"operation": 1, "signal": 2} and report.kept == {}
    assert _stored(cast, Signal, signals) == [] and _stored(cast, Operation, operations) == []
    assert _stored(cast, Disclosure, [disclosure.id]) == []
    events = [e for e in hub.audit.events(hub.operator(), limit=1000) if e.action == "disclosure.delete"]
    assert [e.subject_id for e in events] == [disclosure.id]
    assert sorted(events[0].detail["deleted"]["signal"]) == sorted(signals)
    with pytest.raises(NotFound):
        hub.disclosures.delete(a, disclosure.id)


def test_shared_records_leave_the_forum_as_revoked_tombstones(cast: Cast) -> None:
    disclosure = _import(cast, cast.analyst_a, "one.example", forum=True)
    (signal_id,) = disclosure.signal_ids
    indicator = f"indicator--{signal_id.removeprefix('signal--')}"
    cast.hub.disclosures.delete(cast.analyst_a, disclosure.id)
    with cast.hub.store.unit_of_work(read_only=True) as uow:
        newest = max(uow.stix.versions_of(cast.forum_id, [indicator]), key=lambda e: e.version_us)
    assert newest.tombstone and newest.body["revoked"] is True


def test_records_others_built_on_refuse_the_deletion_unless_forced(cast: Cast) -> None:
    hub, a, b = cast.hub, cast.analyst_a, cast.analyst_b
    disclosure = _import(cast, a, "one.example", "two.example", forum=True)
    (operation_id,) = disclosure.operation_ids
    first, second = disclosure.signal_ids
    own = hub.create(a, Signal, {"kind": "domain", "value": "mine.example", "operation_id": operation_id})
    # B's opinion on the first signal is B's alone (no forum): A may not read it.
    hidden = hub.create(b, Feedback, {"subject_id": first, "kind": "disputed", "marking": {"tlp": "amber"}})
    with pytest.raises(Conflict) as refused:
        hub.disclosures.delete(a, disclosure.id)
    message = refused.value.message
    assert operation_id in message and own.id in message and first in message
    assert hidden.id not in message and "1 records you may not read" in message
    assert _stored(cast, Signal, [first, second]) == [first, second]  # nothing changed

    report = hub.disclosures.delete(a, disclosure.id, force=True)
    assert report.kept == {"operation": [operation_id], "signal": [first]}
    assert report.deleted == {"signal": [second]}
    assert _stored(cast, Signal, [first, second, own.id]) == [first, own.id]
    assert _stored(cast, Disclosure, [disclosure.id]) == []


def test_only_an_editor_of_the_owner_organisation_deletes(cast: Cast) -> None:
    hub = cast.hub
    private = _import(cast, cast.analyst_a, "one.example")
    shared = _import(cast, cast.analyst_a, "two.example", forum=True)
    with pytest.raises(NotFound):  # another organisation does not know of a private disclosure
        hub.disclosures.delete(cast.analyst_b, private.id)
    with pytest.raises(PermissionDenied):  # nor may it delete one it reads in a forum
        hub.disclosures.delete(cast.analyst_b, shared.id)
    with pytest.raises(NotFound):
        hub.disclosures.delete(cast.analyst_d, shared.id)
    with pytest.raises(PermissionDenied):  # a reader of the owner organisation reads, never deletes
        hub.disclosures.delete(cast.reader_a, private.id)
    assert _stored(cast, Disclosure, [private.id, shared.id]) == [private.id, shared.id]
    assert _stored(cast, Signal, [*private.signal_ids, *shared.signal_ids]) == [
        *private.signal_ids,
        *shared.signal_ids,
    ]
