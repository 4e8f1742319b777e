"""Resurgence candidates in the review queue: one item per returning network, queued once, and confirming
one records its accounts as recidivists of the operation."""

from __future__ import annotations

from pathlib import Path

from fimihub.model import Action, Asset, Match, ReviewItem, ReviewItemKind
from fimihub.sim import World
from tests.conftest import Cast
from tests.hub.test_resurgence_hub import _disrupted_operation, split, world
from tests.identifiers import register_identifier_keys

__all__ = ["split", "world"]  # the module-scoped fixtures this module uses


def _items(cast: Cast) -> list[ReviewItem]:
    return cast.hub.review.list(cast.analyst_b).items


def test_returning_networks_are_one_item_each(
    cast: Cast, world: World, split: tuple[Path, Path, set[str]]
) -> None:
    _, new, _ = split
    op_id, _ = _disrupted_operation(cast, world)
    cast.hub.resurgence.fingerprint_operation(cast.analyst_a, op_id)
    register_identifier_keys(cast.hub, cast.org_b)
    summary = cast.hub.resurgence.scan(cast.analyst_b, new)
    candidates = cast.hub.list(cast.analyst_b, Match, limit=1000).items
    assert summary.queued == len(candidates) > 0
    items = _items(cast)
    networks = [i for i in items if i.kind is ReviewItemKind.NETWORK]
    assert networks and len(items) < len(candidates)
    assert all(len(i.account_keys) == i.hit_count > 1 and i.network for i in networks)
    assert sum(i.hit_count for i in items) == len(candidates)
    assert all(i.operation_id == op_id and i.fingerprint_ids for i in items)
    # Every account is in one item only.
    keys = [k for i in items for k in i.account_keys]
    assert len(keys) == len(set(keys)) == len({m.account_key for m in candidates})
    # The same file again queues nothing.
    again = cast.hub.resurgence.scan(cast.analyst_b, new)
    assert again.queued == 0 and len(cast.hub.list(cast.analyst_b, Match, limit=1000).items) == len(
        candidates
    )
    assert len(_items(cast)) == len(items)
    # Confirming a network records its accounts as recidivists, and A (the fingerprint's owner) is told.
    network = max(networks, key=lambda i: i.hit_count)
    (decided,) = cast.hub.review.decide(
        cast.analyst_b, [network.id], "confirm", action={"kind": "remove", "member_states": ["NL"]}
    )
    action = cast.hub.get(cast.analyst_b, Action, decided.action_id or "")
    assert action.asset_count == len(network.account_keys) == len(action.asset_ids)
    assets = [cast.hub.get(cast.analyst_b, Asset, a) for a in action.asset_ids]
    assert all(a.recidivist and a.operation_id == op_id and a.removed_at for a in assets)
    assert cast.hub.review.feedback_summary(cast.analyst_a).totals["acted"] == 1
