"""Retention: when a record expires, so that the store and the indexes can purge it.

Every record has an expiry. A record may carry its own (``expires_at``); a forum sets how long what is
shared into it lives (``retention_days``); the hub has a default for the rest. The earliest wins, because
the strictest promise made to the people the data is about is the one to keep. No clock here: callers pass
``now``.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from fimihub.model import Forum, Governed

__all__ = ["expired", "expiry_for"]


def expiry_for(
    now: datetime,
    *,
    record_expires_at: datetime | None,
    forum: Forum | None,
    default_days: int,
) -> datetime:
    """When a record written or shared at ``now`` expires: the earliest of its own expiry and
    ``now`` plus the forum's retention (or ``default_days`` when it is in no forum)."""
    _aware(now, "now")
    if default_days < 1:
        raise ValueError("default_days must be at least 1")
    days = forum.retention_days if forum is not None else default_days
    limit = now + timedelta(days=days)
    if record_expires_at is None:
        return limit
    return min(_aware(record_expires_at, "record_expires_at"), limit)


def expired(
    record: Governed,
    now: datetime,
    *,
    forum: Forum | None = None,
    default_days: int | None = None,
) -> bool:
    """Whether ``record`` is past its expiry at ``now``.

    A record without ``expires_at`` expires ``forum.retention_days`` (or ``default_days``) after it was
    created when either is given, and never otherwise.
    """
    _aware(now, "now")
    if record.expires_at is not None:
        return record.expires_at <= now
    days = forum.retention_days if forum is not None else default_days
    return days is not None and record.created_at + timedelta(days=days) <= now


def _aware(value: datetime, name: str) -> datetime:
    # A naive datetime compared with the store's UTC timestamps would raise or, worse, be off by hours.
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware")
    return value
