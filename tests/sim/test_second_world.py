"""The second world generator of the resurgence benchmark (``bench/worlds/second.py``): the platform export
format, deterministic in its seed, and ground truth that matches the exports."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from fimihub.sim import EXPORT_COLUMNS

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
from worlds.second import LEVELS, SecondConfig, make_world


@pytest.mark.parametrize("level", LEVELS)
def test_second_world_is_an_export_with_its_truth(level: str) -> None:
    config = SecondConfig(seed=4, level=level, ordinary=600, topical=120, resharers=40)
    world = make_world(config)
    assert world.new.column_names == list(EXPORT_COLUMNS)
    assert world.disrupted.column_names == [*EXPORT_COLUMNS, "operation"]
    assert set(world.disrupted.column("operation").to_pylist()) == {
        f"second-op-{i:02d}" for i in range(1, 11)
    }
    assert len(world.returning) == config.returning_operations
    new = set(
        zip(
            world.new.column("platform").to_pylist(), world.new.column("account_id").to_pylist(), strict=False
        )
    )
    old = set(
        zip(
            world.disrupted.column("platform").to_pylist(),
            world.disrupted.column("account_id").to_pylist(),
            strict=False,
        )
    )
    back = set().union(*world.returning.values())
    assert back <= new and not back & old
    assert len(world.resharers) == (40 if level == "adversarial" else 0)
    again = make_world(config)
    assert again.new.equals(world.new) and again.returning == world.returning
