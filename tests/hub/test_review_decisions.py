"""Decisions on review items: confirming records the action and tells the sharer, rejecting sends a false
positive; bulk decisions are all or nothing; bad input changes nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from fimihub import Conflict, NotFound, PermissionDenied, ValidationError
from fimihub.model import (
    Action,
    ActionStatus,
    Asset,
    Feedback,
    FeedbackKind,
    LeadSource,
    Match,
    MatchStatus,
    ReviewItem,
    ReviewStatus,
    Scope,
)
from tests.conftest import Cast
from tests.hub.review_world import DAY_ONE, Shared, share, write_export


@pytest.fixture
def queued(cast: Cast, tmp_path: Path) -> tuple[Shared, list[ReviewItem]]:
    shared = share(cast)
    cast.hub.scan(cast.analyst_b, write_export(tmp_path / "day1.parquet", DAY_ONE))
    return shared, cast.hub.review.list(cast.analyst_b).items


def _counts(cast: Cast) -> tuple[int, int, int]:
    with cast.hub.store.unit_of_work(read_only=True) as uow:
        return uow.count(Action), uow.count(Feedback), uow.count(Asset)


def test_confirming_records_the_action_and_tells_the_sharer(
    cast: Cast, queued: tuple[Shared, list[ReviewItem]]
) -> None:
    shared, (item, _) = queued
    action = {"kind": "remove", "member_states": ["DE", "FR"], "lead_ref": "share-17"}
    (decided,) = cast.hub.review.decide(cast.analyst_b, [item.id], "confirm", action=action)
    assert decided.status is ReviewStatus.CONFIRMED and decided.decided_by == cast.analyst_b.member.id
    made = cast.hub.get(cast.analyst_b, Action, decided.action_id or "")
    assert made.kind.value == "remove" and made.member_states == ("DE", "FR")
    assert made.lead_source is LeadSource.FORUM_SHARE and made.lead_ref == "share-17"
    assert made.operation_id == shared.operation_id and made.status is ActionStatus.TAKEN
    assert made.asset_count == 1 and len(made.asset_ids) == 1
    asset = cast.hub.get(cast.analyst_b, Asset, made.asset_ids[0])
    assert asset.external_id is None and asset.external_id_sealed == item.accounts_sealed[0]
    assert all(h.status is MatchStatus.CONFIRMED for h in cast.hub.review.hits(cast.analyst_b, item.id))
    # A, whose three signals found the account, gets "acted" on each of them, in the forum.
    told = cast.hub.list(cast.analyst_a, Feedback, where={"owner_org": cast.org_b}).items
    assert {f.subject_id for f in told} == set(item.signal_ids) and len(told) == 3
    assert {f.kind for f in told} == {FeedbackKind.ACTED} and {f.forum_id for f in told} == {cast.forum_id}
    # Released to the sharer alone: C, in the same forum, does not read it.
    assert cast.hub.list(cast.partner_c, Feedback).items == []
    summary = cast.hub.review.feedback_summary(cast.analyst_a)
    assert summary.totals["acted"] == 3 and summary.totals["members"] == 1
    row = next(r for r in summary.signals if r["signal_id"] == shared.signals["pdq"])
    assert row["acted"] == 1 and row["false-positive"] == 0 and row["members"] == 1
    assert summary.contributors == [
        {"contributor": cast.analyst_a.member.id, **{k: summary.totals[k] for k in summary.totals}}
    ]
    # B learns nothing of A's summary from its own: it shared no signals.
    assert cast.hub.review.feedback_summary(cast.analyst_b).signals == []


def test_confirming_without_an_action_says_seen(cast: Cast, queued: tuple[Shared, list[ReviewItem]]) -> None:
    _, (_, item) = queued
    (decided,) = cast.hub.review.decide(cast.analyst_b, [item.id], "confirm")
    assert decided.action_id is None and len(decided.feedback_ids) == 1
    (told,) = cast.hub.list(cast.analyst_a, Feedback).items
    assert told.kind is FeedbackKind.SEEN


def test_bulk_rejection_sends_false_positives_with_the_reason(
    cast: Cast, queued: tuple[Shared, list[ReviewItem]]
) -> None:
    _, items = queued
    with pytest.raises(ValidationError, match="reason"):
        cast.hub.review.decide(cast.analyst_b, [i.id for i in items], "reject")
    decided = cast.hub.review.decide(cast.analyst_b, [i.id for i in items], "reject", reason="news outlet")
    assert {d.status for d in decided} == {ReviewStatus.REJECTED}
    told = cast.hub.list(cast.analyst_a, Feedback, limit=100).items
    assert len(told) == 4 and {(f.kind, f.comment) for f in told} == {
        (FeedbackKind.FALSE_POSITIVE, "news outlet")
    }
    assert cast.hub.review.feedback_summary(cast.analyst_a).totals["false-positive"] == 4
    hits = cast.hub.list(cast.analyst_b, Match, limit=100).items
    assert {h.status for h in hits if h.review_item_id} == {MatchStatus.REJECTED}
    page = cast.hub.review.list(cast.analyst_b)
    assert page.total == 0 and page.totals["rejected"] == 2


def test_bad_decisions_change_nothing(cast: Cast, queued: tuple[Shared, list[ReviewItem]]) -> None:
    _, (first, second) = queued
    before = _counts(cast)
    with pytest.raises(ValidationError) as non_eu:
        cast.hub.review.decide(
            cast.analyst_b, [first.id], "confirm", action={"kind": "remove", "member_states": ["DE", "US"]}
        )
    assert non_eu.value.field == "action.member_states.1" and "'US'" in str(non_eu.value)
    with pytest.raises(ValidationError, match=r"action\.kind"):
        cast.hub.review.decide(cast.analyst_b, [first.id], "confirm", action={"kind": "nuke"})
    with pytest.raises(ValidationError, match=r"action\.colour"):
        cast.hub.review.decide(cast.analyst_b, [first.id], "confirm", action={"kind": "label", "colour": 1})
    with pytest.raises(ValidationError, match="decision"):
        cast.hub.review.decide(cast.analyst_b, [first.id], "maybe")
    with pytest.raises(NotFound, match="review-item--unknown"):
        cast.hub.review.decide(cast.analyst_b, [first.id, "review-item--unknown"], "confirm")
    assert _counts(cast) == before
    assert {i.status for i in cast.hub.review.list(cast.analyst_b).items} == {ReviewStatus.OPEN}
    cast.hub.review.decide(cast.analyst_b, [first.id], "confirm")
    after_first = _counts(cast)
    # Deciding again (alone, or in a bulk with an open item) is refused, and the open item stays open.
    with pytest.raises(Conflict, match="confirmed already"):
        cast.hub.review.decide(cast.analyst_b, [first.id], "reject", reason="changed my mind")
    with pytest.raises(Conflict):
        cast.hub.review.decide(cast.analyst_b, [second.id, first.id], "confirm")
    assert _counts(cast) == after_first
    assert cast.hub.review.get(cast.analyst_b, second.id).status is ReviewStatus.OPEN
    assert cast.hub.review.get(cast.analyst_b, first.id).status is ReviewStatus.CONFIRMED


def test_only_the_organisations_reviewers_decide(cast: Cast, queued: tuple[Shared, list[ReviewItem]]) -> None:
    _, (item, _) = queued
    before = _counts(cast)
    for outsider in (cast.analyst_a, cast.partner_c, cast.analyst_d, cast.admin_o):
        with pytest.raises(NotFound):
            cast.hub.review.decide(outsider, [item.id], "confirm", action={"kind": "remove"})
    read_only = cast.hub.admin.actor(cast.analyst_b.member.id, scopes=[Scope.READ])
    with pytest.raises(PermissionDenied):
        cast.hub.review.decide(read_only, [item.id], "reject", reason="no")
    reader = cast.hub.admin.create_member(
        cast.hub.operator("test"), org_id=cast.org_b, name="Reader of B", roles=["reader"]
    )
    with pytest.raises(PermissionDenied):
        cast.hub.review.decide(cast.hub.admin.actor(reader.id), [item.id], "confirm")
    # A reviewer decides, but records no action: that is an analyst's.
    reviewer = cast.hub.admin.create_member(
        cast.hub.operator("test"), org_id=cast.org_b, name="Reviewer of B", roles=["reviewer"]
    )
    with pytest.raises(PermissionDenied):
        cast.hub.review.decide(
            cast.hub.admin.actor(reviewer.id), [item.id], "confirm", action={"kind": "label"}
        )
    assert _counts(cast) == before
    (decided,) = cast.hub.review.decide(cast.hub.admin.actor(reviewer.id), [item.id], "confirm")
    assert decided.status is ReviewStatus.CONFIRMED


def test_feedback_on_a_peer_hubs_signal_goes_to_the_forum_so_a_sync_carries_it(
    cast: Cast, queued: tuple[Shared, list[ReviewItem]]
) -> None:
    from fimihub.exchange.peers.config import CollectionLink, Direction, Peer

    _, (_, item) = queued
    # A stands for a peer hub here: what it shares arrives through a sync, owned by A.
    peer = Peer(
        name="a-hub",
        api_root="https://a.example/taxii2/api/",
        links=(CollectionLink("forum-collection", cast.forum_id),),
        owner_org=cast.org_a,
        direction=Direction.BOTH,
    )
    cast.hub.peers.add(cast.hub.operator("test"), peer)
    cast.hub.review.decide(cast.analyst_b, [item.id], "reject", reason="a fan account")
    (told,) = cast.hub.list(cast.analyst_a, Feedback).items
    assert told.forum_id == cast.forum_id and told.marking.recipient_orgs == ()
    assert told.kind is FeedbackKind.FALSE_POSITIVE and told.comment == "a fan account"
