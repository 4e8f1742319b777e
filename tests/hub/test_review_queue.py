"""The review queue: hits grouped per account and operation, each queued once, ranked, filtered and paged."""

from __future__ import annotations

from pathlib import Path

import pytest

from fimihub import NotFound, ValidationError, policy
from fimihub.hub.review import ReviewQuery, ReviewSort
from fimihub.model import HeldReason, Match, ReviewItem, ReviewItemKind, ReviewStatus
from tests.conftest import Cast
from tests.hub.review_world import DAY_ONE, post, share, write_export


def _queue(cast: Cast, **query: object) -> list[ReviewItem]:
    return cast.hub.review.list(cast.analyst_b, ReviewQuery(**query)).items  # type: ignore[arg-type]


def test_hits_are_grouped_per_account_and_operation(cast: Cast, tmp_path: Path) -> None:
    shared = share(cast)
    summary = cast.hub.scan(cast.analyst_b, write_export(tmp_path / "day1.parquet", DAY_ONE))
    assert summary.hits == summary.matches == 7  # account 1: 5 hits, account 2: 1, account 3: 1 hashtag
    assert summary.queued == 2 and summary.held == {"weak": 1}
    items = _queue(cast)
    assert len(items) == 2 and {i.kind for i in items} == {ReviewItemKind.ACCOUNT}
    first, second = items  # by priority: the account with three independent signals first
    assert first.hit_count == 5 and second.hit_count == 1
    assert set(first.signal_ids) == {shared.signals[k] for k in ("url", "domain", "pdq")}
    assert second.signal_ids == (shared.signals["domain"],)
    assert first.priority > second.priority and first.operation_id == shared.operation_id
    assert first.contributors == (cast.org_a,) and first.forum_ids == (cast.forum_id,)
    # The item names its account by key and sealed id only; the hits are its evidence.
    hits = cast.hub.review.hits(cast.analyst_b, first.id)
    assert len(hits) == 5 and {h.account_key for h in hits} == set(first.account_keys)
    assert len(first.account_keys) == 1 and all(h.review_item_id == first.id for h in hits)
    assert policy.open_sealed(shared.keys[cast.org_b].private_key, first.accounts_sealed[0] or "") == "1"


def test_a_rescan_queues_nothing_twice_and_grows_open_items(cast: Cast, tmp_path: Path) -> None:
    share(cast)
    path = write_export(tmp_path / "day1.parquet", DAY_ONE)
    cast.hub.scan(cast.analyst_b, path)
    again = cast.hub.scan(cast.analyst_b, path)
    assert again.hits == 7 and again.queued == 0 and again.matches == 0 and again.duplicates == 7
    assert len(cast.hub.list(cast.analyst_b, Match, limit=100).items) == 7
    # A new day: account 2 posts the story, account 5 appears with the image.
    day_two = [
        *DAY_ONE,
        post("2", "p6", urls="https://evil-news.example/story/1"),
        post("5", "p7", image_pdq=DAY_ONE[1]["image_pdq"]),
    ]
    grown = cast.hub.scan(cast.analyst_b, write_export(tmp_path / "day2.parquet", day_two))
    assert grown.queued == 1 and grown.updated == 1 and grown.matches == 3 and grown.duplicates == 7
    items = _queue(cast, sort=ReviewSort.AGE)
    assert len(items) == 3
    account_two = next(i for i in items if i.hit_count == 3)
    assert account_two.sources == ("scan:day1.parquet", "scan:day2.parquet")


def test_a_hashtag_alone_opens_nothing_but_joins_a_later_item(cast: Cast, tmp_path: Path) -> None:
    share(cast)
    cast.hub.scan(
        cast.analyst_b, write_export(tmp_path / "a.parquet", [post("3", "p1", hashtags="StopTheLies")])
    )
    assert _queue(cast) == []
    (held,) = cast.hub.list(cast.analyst_b, Match).items
    assert held.held is HeldReason.WEAK and held.review_item_id is None
    later = [post("3", "p2", urls="https://evil-news.example/x")]
    assert cast.hub.scan(cast.analyst_b, write_export(tmp_path / "b.parquet", later)).queued == 1
    (item,) = _queue(cast)
    assert item.hit_count == 2 and {h.id for h in cast.hub.review.hits(cast.analyst_b, item.id)} >= {held.id}


def test_a_forum_may_open_items_on_hashtags_alone(cast: Cast, tmp_path: Path) -> None:
    op = cast.hub.operator("test")
    forum = cast.hub.admin.create_forum(
        op, name="Hashtag watch", member_orgs=[cast.org_a, cast.org_b], review_hashtags_alone=True
    )
    share(cast)
    from fimihub import Signal

    a = cast.hub.admin.actor(cast.analyst_a.member.id)  # now in the new forum too
    cast.hub.create(a, Signal, {"kind": "hashtag", "value": "#onlyhere", "forum_id": forum.id})
    b = cast.hub.admin.actor(cast.analyst_b.member.id)
    rows = [post("8", "p1", hashtags="OnlyHere"), post("9", "p2", hashtags="StopTheLies")]
    summary = cast.hub.scan(b, write_export(tmp_path / "tags.parquet", rows))
    assert summary.queued == 1 and summary.held == {"weak": 1}
    (item,) = cast.hub.review.list(b).items
    assert item.forum_ids == (forum.id,) and item.signal_kinds[0].value == "hashtag"


def test_filters_sorting_and_paging(cast: Cast, tmp_path: Path) -> None:
    shared = share(cast)
    rows = [post(str(n), f"p{n}", urls="https://evil-news.example/a") for n in range(10, 17)]
    rows.append(post("20", "p20", image_pdq=DAY_ONE[1]["image_pdq"]))
    cast.hub.scan(cast.analyst_b, write_export(tmp_path / "many.parquet", rows))
    page = cast.hub.review.list(cast.analyst_b, ReviewQuery(limit=3))
    assert page.total == 8 and len(page.items) == 3 and page.next_offset == 3
    assert page.totals == {"open": 8, "confirmed": 0, "rejected": 0}
    assert page.items[0].signal_ids == (shared.signals["pdq"],)  # the image hash is the most specific
    seen = [i.id for i in page.items]
    while page.next_offset is not None:
        page = cast.hub.review.list(cast.analyst_b, ReviewQuery(limit=3, offset=page.next_offset))
        seen += [i.id for i in page.items]
    assert len(seen) == len(set(seen)) == 8
    assert next(i.signal_ids for i in _queue(cast, sort=ReviewSort.SCORE)) == (shared.signals["pdq"],)
    assert len(_queue(cast, operation_id=shared.operation_id)) == 8
    assert _queue(cast, operation_id="operation--other") == []
    assert len(_queue(cast, forum_id=cast.forum_id)) == 8 and _queue(cast, forum_id="forum--x") == []
    assert len(_queue(cast, source="scan")) == 8 and _queue(cast, source="api") == []
    assert len(_queue(cast, platform="x")) == 8 and _queue(cast, kind=ReviewItemKind.NETWORK) == []
    assert len(_queue(cast, min_score=0.99)) == 8 and len(_queue(cast, max_age_days=1)) == 8
    assert _queue(cast, status=ReviewStatus.CONFIRMED) == []
    with pytest.raises(ValidationError, match="limit"):
        cast.hub.review.list(cast.analyst_b, ReviewQuery(limit=0))
    with pytest.raises(ValidationError, match="min_score"):
        cast.hub.review.list(cast.analyst_b, ReviewQuery(min_score=2))


def test_recorded_matches_are_grouped_too(cast: Cast) -> None:
    share(cast)
    item = {"kind": "url", "value": "https://evil-news.example/story/1", "platform": "x", "account_id": "7"}
    cast.hub.match(cast.analyst_b, [item, {**item, "post_id": "p9"}], record=True)
    cast.hub.match(cast.analyst_b, [item], record=True)  # the same hit again: not queued twice
    (queued,) = _queue(cast)
    assert queued.hit_count == 4  # two posts, each a URL and a domain hit
    assert len(cast.hub.list(cast.analyst_b, Match, limit=100).items) == 4


def test_other_organisations_cannot_see_or_infer_the_queue(cast: Cast, tmp_path: Path) -> None:
    share(cast)
    cast.hub.scan(cast.analyst_b, write_export(tmp_path / "day1.parquet", DAY_ONE))
    (item, _) = _queue(cast)
    for outsider in (cast.analyst_a, cast.partner_c, cast.analyst_d, cast.admin_o):
        page = cast.hub.review.list(outsider)
        assert (
            page.items == [] and page.total == 0 and page.totals == {"open": 0, "confirmed": 0, "rejected": 0}
        )
        with pytest.raises(NotFound):
            cast.hub.review.get(outsider, item.id)
        with pytest.raises(NotFound):
            cast.hub.review.hits(outsider, item.id)
    # An unknown id and another organisation's item answer alike.
    with pytest.raises(NotFound) as unknown:
        cast.hub.review.get(cast.analyst_a, "review-item--nope")
    with pytest.raises(NotFound) as other:
        cast.hub.review.get(cast.analyst_a, item.id)
    assert str(unknown.value).replace("review-item--nope", "X") == str(other.value).replace(item.id, "X")
