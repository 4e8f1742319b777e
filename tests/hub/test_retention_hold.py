"""Retention purges what has expired, but never what a legal hold keeps; serve runs it on a schedule."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest

from fimihub import Operation, Signal
from fimihub.errors import NotFound, ValidationError
from fimihub.hub.schedule import PeriodicJob
from fimihub.model import Asset, Case
from tests.conftest import Cast


def _later(cast: Cast, days: int) -> None:
    start = cast.hub.clock()
    cast.hub.clock = lambda: start + timedelta(days=days)


def test_a_legal_hold_keeps_a_case_its_operations_and_their_records(cast: Cast) -> None:
    hub, a = cast.hub, cast.analyst_a
    held_op = hub.create(a, Operation, {"name": "Under inquiry"})
    free_op = hub.create(a, Operation, {"name": "Done with"})
    kept = [
        hub.create(a, Signal, {"kind": "domain", "value": "held.example", "operation_id": held_op.id}),
        hub.create(
            a, Asset, {"operation_id": held_op.id, "platform": "x", "kind": "account", "handle": "held_1"}
        ),
    ]
    gone = hub.create(a, Signal, {"kind": "domain", "value": "free.example", "operation_id": free_op.id})
    loose = hub.create(a, Signal, {"kind": "domain", "value": "loose.example"})
    case = hub.create(
        a,
        Case,
        {
            "title": "Inquiry",
            "operation_ids": [held_op.id],
            "legal_hold": True,
            "legal_hold_reason": "preservation order 2026/17",
        },
    )
    _later(cast, 400)  # past every record's default expiry
    purged = hub.privacy.run(hub.operator())
    assert purged["operation"] == 1 and purged["signal"] == 2
    assert hub.get(a, Case, case.id).legal_hold
    assert hub.get(a, Operation, held_op.id).name == "Under inquiry"
    assert hub.get(a, Signal, kept[0].id) and hub.get(a, Asset, kept[1].id)
    for kind, record_id in ((Operation, free_op.id), (Signal, gone.id), (Signal, loose.id)):
        with pytest.raises(NotFound):
            hub.get(a, kind, record_id)
    # Lifting the hold lets the next run purge what has long expired.
    hub.update(a, Case, case.id, {"legal_hold": False, "legal_hold_reason": ""})
    hub.privacy.run(hub.operator())
    with pytest.raises(NotFound):
        hub.get(a, Operation, held_op.id)
    with pytest.raises(NotFound):
        hub.get(a, Signal, kept[0].id)
    (event, *_) = [
        e for e in reversed(hub.audit.events(hub.operator(), limit=1000)) if e.action == "retention.purge"
    ]
    assert event.detail["held_cases"] == []


def test_a_hold_needs_a_reason(cast: Cast) -> None:
    with pytest.raises(ValidationError, match="legal_hold_reason"):
        cast.hub.create(cast.analyst_a, Case, {"title": "Inquiry", "legal_hold": True})


def test_a_periodic_job_runs_at_start_and_survives_failures() -> None:
    calls: list[float] = []
    ran_twice = threading.Event()

    def job() -> None:
        calls.append(time.monotonic())
        if len(calls) >= 3:
            ran_twice.set()
        if len(calls) == 1:
            raise RuntimeError("the store was away")

    schedule = PeriodicJob("test", job, every_s=0.05)
    schedule.start()
    try:
        assert ran_twice.wait(5), "the job stopped after a failure"
    finally:
        schedule.stop()
    assert schedule.failures == 1 and schedule.runs >= 3
    count = len(calls)
    time.sleep(0.2)
    assert len(calls) == count, "the job ran after stop()"


def test_scheduled_retention_purges_by_itself(cast: Cast) -> None:
    hub = cast.hub
    signal = hub.create(cast.analyst_a, Signal, {"kind": "domain", "value": "stale.example"})
    _later(cast, 400)
    schedule = PeriodicJob("retention", lambda: hub.privacy.run(hub.operator("retention")), every_s=3600)
    schedule.start()
    try:
        deadline = time.monotonic() + 10
        while schedule.runs == 0 and time.monotonic() < deadline:
            time.sleep(0.02)
    finally:
        schedule.stop()
    with pytest.raises(NotFound):
        hub.get(cast.analyst_a, Signal, signal.id)
    assert any(e.actor == "operator:retention" for e in hub.audit.events(hub.operator(), limit=1000))
