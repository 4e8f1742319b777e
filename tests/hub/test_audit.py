"""The audit log is hash-chained: any edited, deleted or truncated event is found by verification."""

from __future__ import annotations

import sqlalchemy as sa

from fimihub import Hub, Operation
from fimihub.settings import database_url
from tests.conftest import Cast


def make_history(cast: Cast) -> Hub:
    for i in range(5):
        cast.hub.create(cast.analyst_a, Operation, {"name": f"Op {i}"})
    assert cast.hub.audit.verify().ok
    return cast.hub


def tamper(hub: Hub, db_url: str, statement: str) -> None:
    engine = sa.create_engine(database_url(db_url))
    try:
        with engine.begin() as conn:
            conn.execute(sa.text(statement))
    finally:
        engine.dispose()


def test_untouched_chain_verifies(cast: Cast) -> None:
    report = make_history(cast).audit.verify()
    assert report.ok and report.events >= 5 and report.head_seq == report.events


def test_edited_event_is_found(cast: Cast, db_url: str) -> None:
    hub = make_history(cast)
    tamper(hub, db_url, "UPDATE audit_events SET actor = 'someone-else' WHERE seq = 3")
    report = hub.audit.verify()
    assert not report.ok
    assert any("event 3" in p and "edited" in p for p in report.problems)


def test_rehashed_edit_breaks_the_next_link(cast: Cast, db_url: str) -> None:
    hub = make_history(cast)
    tamper(hub, db_url, "UPDATE audit_events SET hash = 'ab' || substr(hash, 3) WHERE seq = 2")
    problems = hub.audit.verify().problems
    assert any("event 2" in p for p in problems) and any("event 3" in p and "link" in p for p in problems)


def test_deleted_event_is_found(cast: Cast, db_url: str) -> None:
    hub = make_history(cast)
    tamper(hub, db_url, "DELETE FROM audit_events WHERE seq = 4")
    problems = hub.audit.verify().problems
    assert any("missing" in p for p in problems)


def test_truncated_tail_is_found(cast: Cast, db_url: str) -> None:
    hub = make_history(cast)
    last = hub.audit.verify().head_seq
    tamper(hub, db_url, f"DELETE FROM audit_events WHERE seq = {last}")
    problems = hub.audit.verify().problems
    assert any("head" in p for p in problems)
