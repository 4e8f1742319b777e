"""A signal that suddenly matches far more accounts than its history says is quarantined: its hits are held
back, its sharer sees why, and an admin releases it."""

from __future__ import annotations

from pathlib import Path

import pytest

from fimihub import Conflict, NotFound, PermissionDenied
from fimihub.hub.queueing import QueueRules
from fimihub.model import HeldReason, Match
from tests.conftest import Cast
from tests.hub.review_world import Shared, post, share, write_export


def _flood(tmp_path: Path, name: str, accounts: range) -> Path:
    rows = [post(str(n), f"{name}-{n}", urls="https://evil-news.example/flood") for n in accounts]
    return write_export(tmp_path / f"{name}.parquet", rows)


@pytest.fixture
def quarantined(cast: Cast, tmp_path: Path) -> Shared:
    shared = share(cast)
    cast.hub.queueing.rules = QueueRules(factor=3, floor=5)
    first = cast.hub.scan(cast.analyst_b, _flood(tmp_path, "day1", range(1, 3)))  # 2 accounts: its history
    assert first.queued == 2 and first.quarantined == []
    flood = cast.hub.scan(cast.analyst_b, _flood(tmp_path, "day2", range(100, 110)))  # 10 > 3 x 2, >= 5
    assert flood.quarantined == [shared.signals["domain"]]
    assert flood.queued == 0 and flood.held == {"quarantine": 10} and flood.matches == 10
    return shared


def test_a_flooding_signal_is_held_back_and_its_sharer_told(
    cast: Cast, quarantined: Shared, tmp_path: Path
) -> None:
    assert cast.hub.review.list(cast.analyst_b).total == 2  # only the first day's items
    held = [m for m in cast.hub.list(cast.analyst_b, Match, limit=100).items if m.held]
    assert len(held) == 10 and {m.held for m in held} == {HeldReason.QUARANTINE}
    # The sharer reads why on the signal's watch: counts, never who scanned.
    (watch,) = cast.hub.review.watches(cast.analyst_a)
    assert watch.signal_id == quarantined.signals["domain"] and watch.quarantined
    assert watch.max_accounts == 2 and watch.spike_accounts == 10 and watch.held == 10
    assert "10 distinct accounts" in watch.reason and watch.created_by is None
    assert cast.org_b not in watch.model_dump_json()
    # The scanning organisation and the rest of the forum do not see another's watch.
    for other in (cast.analyst_b, cast.partner_c, cast.analyst_d):
        assert cast.hub.review.watches(other) == []
    # Later hits of a quarantined signal are held too, however few.
    later = cast.hub.scan(cast.analyst_b, _flood(tmp_path, "day3", range(300, 301)))
    assert later.held == {"quarantine": 1} and later.queued == 0
    assert cast.hub.review.watches(cast.hub.operator("test"))[0].held == 11


def test_an_admin_releases_it_and_the_held_hits_are_queued(
    cast: Cast, quarantined: Shared, tmp_path: Path
) -> None:
    signal_id = quarantined.signals["domain"]
    for refused in (cast.analyst_b, cast.analyst_a):
        with pytest.raises((PermissionDenied, NotFound)):
            cast.hub.review.release(refused, signal_id)
    with pytest.raises(NotFound):
        cast.hub.review.release(cast.analyst_d, signal_id)
    assert cast.hub.review.list(cast.analyst_b).total == 2
    watch, opened = cast.hub.review.release(cast.admin_o, signal_id, "a real, busy operation")
    assert opened == 10 and not watch.quarantined and watch.released_by == cast.admin_o.member.id
    assert watch.max_accounts == 10  # the spike is history now: a scan like it is not quarantined again
    assert cast.hub.review.list(cast.analyst_b).total == 12
    assert not [m for m in cast.hub.list(cast.analyst_b, Match, limit=100).items if m.held]
    with pytest.raises(Conflict):
        cast.hub.review.release(cast.admin_o, signal_id)
    again = cast.hub.scan(cast.analyst_b, _flood(tmp_path, "day3", range(200, 210)))
    assert again.quarantined == [] and again.queued == 10
