"""Across two hubs: A shares a signal, B pulls it, scans its own data and confirms the review item with an
action; the feedback reaches A — the sharer — on the next sync."""

from __future__ import annotations

import pytest

from fimihub import Signal
from fimihub.model import Feedback, FeedbackKind, Operation
from tests.exchange.peers.test_federation import _link, _site, _sync
from tests.hub.review_world import post, write_export
from tests.identifiers import register_identifier_keys


def test_confirming_an_item_tells_the_sharer_on_another_hub(tmp_path_factory: pytest.TempPathFactory) -> None:
    root = tmp_path_factory.mktemp("review-federation")
    a, b = _site(root, "a"), _site(root, "b")
    a.serve()
    try:
        _link(b, a, direction="both")
        with a.hub() as hub:
            hub.peers.trust_key(hub.operator(), b.key(), label="hub b")
            op = hub.operator("test")
            sharer = hub.admin.actor(
                hub.admin.create_member(op, org_id=a.local_org, name="Analyst A", roles=["analyst"]).id
            )
            operation = hub.create(sharer, Operation, {"name": "Doppel", "forum_id": a.forum_id})
            signal = hub.create(
                sharer,
                Signal,
                {
                    "kind": "domain",
                    "value": "evil-news.example",
                    "forum_id": a.forum_id,
                    "operation_id": operation.id,
                },
            )
        assert _sync(b, "hub-a").ok
        with b.hub() as hub:
            op = hub.operator("test")
            register_identifier_keys(hub, b.local_org)
            reviewer = hub.admin.actor(
                hub.admin.create_member(op, org_id=b.local_org, name="Analyst B", roles=["analyst"]).id
            )
            rows = [
                post("1", "p1", urls="https://evil-news.example/a"),
                post("1", "p2", urls="https://evil-news.example/b"),
            ]
            summary = hub.scan(reviewer, write_export(root / "b-export.parquet", rows))
            assert summary.hits == 2 and summary.queued == 1
            (item,) = hub.review.list(reviewer).items
            assert item.signal_ids == (signal.id,)
            (decided,) = hub.review.decide(
                reviewer, [item.id], "confirm", action={"kind": "remove", "member_states": ["NL"]}
            )
            assert decided.action_id and len(decided.feedback_ids) == 1
        report = _sync(b, "hub-a")
        assert report.ok and report.rejected == []
        with a.hub() as hub:
            told = [f for f in hub.list(sharer, Feedback).items if f.subject_id == signal.id]
            assert [f.kind for f in told] == [FeedbackKind.ACTED]
            summary_a = hub.review.feedback_summary(sharer)
            assert summary_a.totals["acted"] == 1 and summary_a.signals[0]["signal_id"] == signal.id
    finally:
        a.stop()
