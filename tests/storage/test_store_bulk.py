"""The store's bulk writes: rows handed to the driver directly are the rows SQLAlchemy would have written."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import DateTime, insert, select
from sqlalchemy.dialects import sqlite

from fimihub.storage.sql.bulk import bind_processor, driver_insert
from fimihub.storage.sql.store import SqlStore
from fimihub.storage.sql.tables import UtcDateTime, record_recipients, stix_objects

_SQLITE = sqlite.dialect()
_OURS = UtcDateTime().bind_processor(_SQLITE)
_THEIRS = DateTime().dialect_impl(_SQLITE).bind_processor(_SQLITE)


@given(
    st.datetimes(
        min_value=datetime(1, 1, 2),
        max_value=datetime(9999, 12, 30),
        timezones=st.sampled_from(
            [UTC, timezone(timedelta(hours=5, minutes=30)), timezone(timedelta(hours=-8))]
        ),
    )
)
def test_sqlite_timestamps_are_written_as_sqlalchemy_writes_them_in_utc(moment: datetime) -> None:
    assert _OURS is not None and _THEIRS is not None
    assert _OURS(moment) == _THEIRS(moment.astimezone(UTC).replace(tzinfo=None))
    assert _OURS(moment.replace(tzinfo=None)) == _THEIRS(moment.replace(tzinfo=None))  # naive is UTC
    assert _OURS(None) is None


def test_driver_rows_read_back_as_sqlalchemy_rows(store: SqlStore) -> None:
    made = datetime(2024, 5, 1, 14, 0, tzinfo=timezone(timedelta(hours=2)))
    rows = [
        {
            "added_us": 1000 + i,
            "forum_id": "forum--1",
            "stix_id": f"indicator--{i}",
            "type": "indicator",
            "spec_version": "2.1",
            "version": "2024-05-01T12:00:00.000Z",
            "version_us": 7,
            "owner_org": "organisation--1",
            "created_by": None,
            "tlp": "green",
            "has_recipients": False,
            "marking": {"tlp": "green"},
            "tombstone": i == 1,
            "is_latest": True,
            "is_first": True,
            "expires_at": made if i else None,
            "body": {"id": f"indicator--{i}", "name": "é", "n": [1, 2.5, None]},
        }
        for i in range(3)
    ]
    with store.unit_of_work() as uow:
        conn = uow._conn  # type: ignore[attr-defined]
        driver_insert(conn, stix_objects, rows[:2])
        conn.execute(insert(stix_objects), rows[2:])  # SQLAlchemy's own way, for comparison
        # A value made ready by the caller goes to the driver as it is.
        marking = bind_processor(conn.dialect, stix_objects, "marking")
        assert marking is not None
        ready = {**rows[0], "added_us": 2000, "stix_id": "indicator--9", "marking": marking({"tlp": "red"})}
        driver_insert(conn, stix_objects, [ready], ready=("marking",))
        back = [
            dict(r) for r in conn.execute(select(stix_objects).order_by(stix_objects.c.added_us)).mappings()
        ]
    assert [r["added_us"] for r in back] == [1000, 1001, 1002, 2000]
    for row, read in zip(rows, back, strict=False):
        assert {k: read[k] for k in row if k != "expires_at"} == {
            k: v for k, v in row.items() if k != "expires_at"
        }
        assert read["expires_at"] == row["expires_at"]  # the same instant, read back in UTC
    assert back[1]["expires_at"].tzinfo == UTC and back[3]["marking"] == {"tlp": "red"}


def test_rows_of_different_shapes_go_through_sqlalchemy(store: SqlStore) -> None:
    rows = [
        {"record_type": "signal", "record_id": "signal--1", "principal_id": "organisation--1"},
        {"record_type": "signal", "record_id": "signal--2"},  # principal_id missing
    ]
    with store.unit_of_work() as uow:
        conn = uow._conn  # type: ignore[attr-defined]
        driver_insert(conn, record_recipients, rows[:1])
        driver_insert(conn, record_recipients, [])
        found = conn.execute(select(record_recipients)).mappings().all()
    assert [dict(r) for r in found] == rows[:1]
