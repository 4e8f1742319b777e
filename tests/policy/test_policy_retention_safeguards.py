"""Retention (when a record expires) and safeguards (when enforcement needs a human)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from fimihub.model import Forum, Governed
from fimihub.policy import expired, expiry_for, may_enforce_without_review

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
FORUM = Forum(id="f1", name="f", retention_days=30)


def test_expiry_defaults_to_the_hubs_retention() -> None:
    got = expiry_for(NOW, record_expires_at=None, forum=None, default_days=365)
    assert got == NOW + timedelta(days=365)


def test_expiry_follows_the_forum() -> None:
    assert expiry_for(NOW, record_expires_at=None, forum=FORUM, default_days=365) == NOW + timedelta(days=30)


def test_the_earliest_expiry_wins() -> None:
    soon = NOW + timedelta(days=2)
    late = NOW + timedelta(days=400)
    assert expiry_for(NOW, record_expires_at=soon, forum=FORUM, default_days=365) == soon
    assert expiry_for(NOW, record_expires_at=late, forum=FORUM, default_days=365) == NOW + timedelta(days=30)
    assert expiry_for(NOW, record_expires_at=late, forum=None, default_days=365) == NOW + timedelta(days=365)


def test_naive_times_and_bad_defaults_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone"):
        expiry_for(NOW.replace(tzinfo=None), record_expires_at=None, forum=None, default_days=1)
    with pytest.raises(ValueError, match="timezone"):
        expiry_for(NOW, record_expires_at=NOW.replace(tzinfo=None), forum=None, default_days=1)
    with pytest.raises(ValueError, match="default_days"):
        expiry_for(NOW, record_expires_at=None, forum=None, default_days=0)
    with pytest.raises(ValueError, match="timezone"):
        expired(Governed(id="r", owner_org="o"), NOW.replace(tzinfo=None))


def test_expired_at_and_after_the_expiry() -> None:
    record = Governed(id="r", owner_org="o", expires_at=NOW)
    assert expired(record, NOW)
    assert expired(record, NOW + timedelta(seconds=1))
    assert not expired(record, NOW - timedelta(seconds=1))


def test_a_record_without_expiry_falls_back_to_its_forum_or_the_default() -> None:
    record = Governed(id="r", owner_org="o", created_at=NOW)
    later = NOW + timedelta(days=31)
    assert not expired(record, later)
    assert expired(record, later, forum=FORUM)
    assert not expired(record, later, default_days=365)
    assert expired(record, NOW + timedelta(days=365), default_days=365)


def test_enforcement_needs_review_unless_the_forum_waives_it() -> None:
    assert not may_enforce_without_review(None)
    assert not may_enforce_without_review(FORUM)
    assert may_enforce_without_review(FORUM.evolve(human_review_required=False))
