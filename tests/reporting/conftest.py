"""A small hub with a year of one platform's activity, whose reports have known answers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest

from fimihub import Hub
from fimihub.model import Action, Asset, Operation
from tests.conftest import Cast


def at(month: int, day: int, year: int = 2025) -> datetime:
    return datetime(year, month, day, 12, tzinfo=UTC)


@dataclass
class Story:
    """What was seeded for platform A (and one action of B), by name."""

    cast: Cast
    ids: dict[str, str]

    @property
    def hub(self) -> Hub:
        return self.cast.hub


@pytest.fixture
def story(cast: Cast) -> Story:
    hub, op = cast.hub, cast.hub.operator("test")
    a, forum = cast.org_a, cast.forum_id
    ids: dict[str, str] = {}

    def operation(name: str, **fields: Any) -> str:
        record = hub.create(op, Operation, {"owner_org": a, "forum_id": forum, "name": name, **fields})
        ids[name] = record.id
        return record.id

    def action(name: str, **fields: Any) -> str:
        record = hub.create(op, Action, {"owner_org": a, "kind": "remove", **fields})
        ids[name] = record.id
        return record.id

    def asset(name: str, **fields: Any) -> str:
        record = hub.create(op, Asset, {"owner_org": a, "forum_id": forum, "kind": "account", **fields})
        ids[name] = record.id
        return record.id

    old = operation(
        "Old Net",
        origin_countries=["RU"],
        target_countries=["DE", "FR"],
        narratives=["Sanctions hurt only us"],
        techniques=["T0049"],
    )
    new = operation(
        "Old Net II",
        continues=[old],
        origin_countries=["RU"],
        target_countries=["DE"],
        narratives=["Sanctions hurt only us"],
        techniques=["T0049", "T0097.202"],
        detection_source="external",
        detection_partner=cast.org_c,
    )
    r1 = asset("r1", operation_id=new, platform="x", handle="ret_one", followers=100, recidivist=True,
               removed_at=at(2, 10))  # fmt: skip
    asset("r2", operation_id=new, platform="x", handle="ret_two", followers=50, recidivist=True,
          removed_at=at(3, 5))  # fmt: skip
    asset("elsewhere", operation_id=new, platform="facebook", handle="fb_one", followers=999)
    action("a0", operation_id=old, lead_source="internal", member_states=["DE"], taken_at=at(11, 10, 2024),
           asset_count=4)  # fmt: skip
    action("a1", operation_id=new, lead_source="forum-share", member_states=["DE", "FR"], taken_at=at(2, 10),
           asset_count=5, asset_ids=[r1])  # fmt: skip
    action("a2", kind="label", operation_id=old, lead_source="peer-disclosure", member_states=["NO"],
           taken_at=at(3, 1), asset_count=1)  # fmt: skip
    action("a3", lead_source="forum-share", member_states=[], taken_at=at(4, 2), asset_count=1)
    action("a4", operation_id=new, lead_source="internal", member_states=["DE"], taken_at=at(2, 11),
           asset_count=2)  # fmt: skip
    action("overturned", lead_source="forum-share", member_states=["DE"], taken_at=at(2, 12),
           status="overturned")  # fmt: skip
    action("later", lead_source="forum-share", member_states=["DE"], taken_at=at(7, 2))
    record = hub.create(op, Action, {"owner_org": cast.org_b, "kind": "remove", "lead_source": "forum-share",
                                     "member_states": ["DE"], "taken_at": at(2, 10)})  # fmt: skip
    ids["b1"] = record.id
    return Story(cast, ids)
