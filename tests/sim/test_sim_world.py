"""The simulated world: deterministic per seed, in the platform export format, and its ground truth consistent
with its posts and accounts."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

import pyarrow as pa
import pytest

from fimihub import sim
from fimihub.model import Operation, OperationStatus
from fimihub.sim import EXPORT_COLUMNS, SimTruth, World, WorldConfig, generate, hamming, shingle_jaccard
from fimihub.vocab import EEA, disarm_id, is_country

CONFIG = WorldConfig(seed=11, scale=0.6)


@pytest.fixture(scope="module")
def world() -> World:
    return generate(CONFIG)


@pytest.fixture(scope="module")
def posts(world: World) -> list[dict[str, Any]]:
    return [p for p in world.posts.to_pylist() if p["post_id"]]


@pytest.fixture(scope="module")
def accounts(world: World) -> dict[tuple[str, str], dict[str, Any]]:
    return {(a["platform"], a["account_id"]): a for a in world.accounts.to_pylist()}


def _wave_of(accounts: dict[tuple[str, str], dict[str, Any]], post: dict[str, Any]) -> int | None:
    wave: int | None = accounts[(post["platform"], post["account_id"])]["wave"]
    return wave


# -- determinism and shape -----------------------------------------------------------------------------------


def test_the_same_seed_gives_the_same_world(world: World) -> None:
    again = generate(WorldConfig(seed=11, scale=0.6))
    assert again.posts.equals(world.posts)
    assert again.accounts.equals(world.accounts)
    assert again.truth == world.truth


def test_another_seed_gives_another_world(world: World) -> None:
    other = generate(WorldConfig(seed=12, scale=0.6))
    assert not other.posts.equals(world.posts)
    assert other.truth.operations[0].domains != world.truth.operations[0].domains


def test_posts_are_in_the_platform_export_format(world: World) -> None:
    schema = world.posts.schema
    assert tuple(schema.names) == (*EXPORT_COLUMNS, "operation")
    assert EXPORT_COLUMNS == (
        "platform",
        "account_id",
        "handle",
        "display_name",
        "account_created_at",
        "followers",
        "post_id",
        "posted_at",
        "text",
        "urls",
        "hashtags",
        "image_pdq",
        "repost_of",
    )
    for name in ("account_created_at", "posted_at"):
        assert schema.field(name).type == pa.timestamp("ms", tz="UTC")
    assert schema.field("followers").type == pa.int64()
    for name in ("platform", "account_id", "handle", "text", "urls", "hashtags", "image_pdq", "repost_of"):
        assert schema.field(name).type == pa.string()
        assert world.posts.column(name).null_count == 0


def test_a_small_world_has_a_few_thousand_posts_on_at_least_three_platforms(world: World) -> None:
    assert 1_500 <= world.posts.num_rows <= 10_000
    assert len(set(world.posts.column("platform").to_pylist())) >= 3
    assert len(world.truth.operations) == CONFIG.n_operations >= 3


def test_list_fields_are_space_separated_and_images_are_256_bit_hex(posts: list[dict[str, Any]]) -> None:
    for post in posts:
        for url in post["urls"].split():
            assert url.startswith("https://")
        for tag in post["hashtags"].split():
            assert not tag.startswith("#")
        for image in post["image_pdq"].split():
            assert len(image) == 64
            int(image, 16)


def test_post_ids_are_unique_and_empty_rows_are_accounts_without_posts(world: World) -> None:
    rows = world.posts.to_pylist()
    ids = [r["post_id"] for r in rows if r["post_id"]]
    assert len(ids) == len(set(ids))
    empty = [r for r in rows if not r["post_id"]]
    assert empty, "a world has some accounts that never post"
    for row in empty:
        assert row["posted_at"] is None and row["text"] == "" and row["operation"] == ""


def test_reposts_point_to_an_earlier_post_on_the_same_platform(posts: list[dict[str, Any]]) -> None:
    by_id = {p["post_id"]: p for p in posts}
    reposts = [p for p in posts if p["repost_of"]]
    assert reposts
    for post in reposts:
        original = by_id[post["repost_of"]]
        assert original["platform"] == post["platform"]
        assert original["posted_at"] <= post["posted_at"]
        assert original["text"] == post["text"]


# -- ground truth --------------------------------------------------------------------------------------------


def test_labelled_posts_belong_to_accounts_of_that_operation(
    posts: list[dict[str, Any]], accounts: dict[tuple[str, str], dict[str, Any]], world: World
) -> None:
    ids = {op.id for op in world.truth.operations}
    for post in posts:
        account = accounts[(post["platform"], post["account_id"])]
        assert account["operation"] == post["operation"]
        assert account["handle"] == post["handle"]
        assert post["operation"] == "" or post["operation"] in ids
    assert {p["operation"] for p in posts} == ids | {""}


def test_operations_are_described_in_the_vocabularies(world: World) -> None:
    for op in world.truth.operations:
        assert op.origin_countries and all(is_country(c) for c in op.origin_countries)
        assert op.target_countries and set(op.target_countries) <= EEA
        assert set(op.affected_member_states) <= EEA
        assert op.techniques and all(disarm_id(t) == t for t in op.techniques)
        assert (
            op.narratives and op.domains and op.urls and op.hashtags and op.image_hashes and op.text_samples
        )
        assert op.first_seen <= op.takedown_at <= op.last_seen
    assert len({op.name for op in world.truth.operations}) == len(world.truth.operations)


def test_takedowns_remove_the_original_accounts_and_returning_ones_come_later(world: World) -> None:
    for account in world.accounts.to_pylist():
        if not account["operation"]:
            assert account["wave"] is None and account["removed_at"] is None
            continue
        op = world.truth.operation(account["operation"])
        wave = op.waves[account["wave"]]
        assert account["removed_at"] == wave.takedown_at
        if account["wave"] == 0:
            assert account["removed_at"] == op.takedown_at
            assert account["created_at"] < op.first_seen
        else:
            assert account["created_at"] > op.waves[account["wave"] - 1].takedown_at
            assert account["created_at"] > op.takedown_at


def test_nobody_posts_before_joining_or_after_removal(
    posts: list[dict[str, Any]], accounts: dict[tuple[str, str], dict[str, Any]]
) -> None:
    for post in posts:
        account = accounts[(post["platform"], post["account_id"])]
        assert post["posted_at"] >= account["created_at"]
        if account["removed_at"] is not None:
            assert post["posted_at"] < account["removed_at"]


def test_operation_posts_use_the_operations_domains_and_hashtags(
    posts: list[dict[str, Any]], world: World
) -> None:
    for post in posts:
        if not post["operation"]:
            continue
        op = world.truth.operation(post["operation"])
        assert {urlsplit(u).hostname for u in post["urls"].split()} <= set(op.domains)
        assert set(post["urls"].split()) <= set(op.urls)
        assert set(post["hashtags"].split()) <= set(op.hashtags)
    # Domains and hashtags each belong to one operation.
    domains = [d for op in world.truth.operations for d in op.domains]
    assert len(domains) == len(set(domains))


def test_returning_waves_reuse_some_domains_and_hashtags(world: World) -> None:
    for op in world.truth.operations:
        first, second = op.waves[0], op.waves[1]
        assert set(first.domains) & set(second.domains)
        assert set(second.domains) - set(first.domains)
        assert set(first.hashtags) & set(second.hashtags)


def test_returning_texts_are_near_duplicates_of_the_originals(
    posts: list[dict[str, Any]], accounts: dict[tuple[str, str], dict[str, Any]], world: World
) -> None:
    for op in world.truth.operations:
        for text in op.waves[1].text_samples:
            assert max(shingle_jaccard(text, original) for original in op.text_samples) >= 0.7
    returning = [p for p in posts if p["operation"] and _wave_of(accounts, p)]
    near = 0
    for post in returning:
        originals = world.truth.operation(post["operation"]).text_samples
        near += max(shingle_jaccard(post["text"], t) for t in originals) >= 0.5
    # All but the few innocent "cover" posts.
    assert near >= 0.8 * len(returning)


def test_returning_images_are_near_duplicates_and_unrelated_images_are_far(
    posts: list[dict[str, Any]], accounts: dict[tuple[str, str], dict[str, Any]], world: World
) -> None:
    checked = 0
    for post in posts:
        if post["operation"] and _wave_of(accounts, post) and post["image_pdq"]:
            originals = world.truth.operation(post["operation"]).waves[0].image_hashes
            assert min(hamming(post["image_pdq"], h) for h in originals) <= 16
            checked += 1
    assert checked
    hashes = [h for op in world.truth.operations for h in op.waves[0].image_hashes]
    far = [hamming(a, b) for i, a in enumerate(hashes) for b in hashes[i + 1 :]]
    assert min(far) > 64 and 100 < sum(far) / len(far) < 156


def test_lookalike_fans_are_benign_but_share_operation_links(
    posts: list[dict[str, Any]], accounts: dict[tuple[str, str], dict[str, Any]], world: World
) -> None:
    fans = {key for key, a in accounts.items() if a["lookalike"]}
    assert fans
    op_urls = {u for op in world.truth.operations for u in op.urls}
    op_tags = {t for op in world.truth.operations for t in op.hashtags}
    shared: dict[tuple[str, str], int] = defaultdict(int)
    for post in posts:
        key = (post["platform"], post["account_id"])
        if key in fans:
            assert post["operation"] == ""
            assert accounts[key]["lookalike_of"]
            shared[key] += bool(
                set(post["urls"].split()) & op_urls or set(post["hashtags"].split()) & op_tags
            )
    assert set(shared) == fans and all(shared.values())


def _bursts(posts: list[dict[str, Any]], window: int) -> dict[str, int]:
    """Per operation, how many objects (URL or text) three or more accounts posted within ``window``."""
    times: dict[tuple[str, str], list[tuple[datetime, str]]] = defaultdict(list)
    for post in posts:
        for obj in [*post["urls"].split(), post["text"]]:
            times[(post["operation"], obj)].append((post["posted_at"], post["account_id"]))
    found: dict[str, int] = defaultdict(int)
    for (operation, _), shares in times.items():
        shares.sort()
        for i in range(len(shares)):
            inside = {a for t, a in shares[i:] if (t - shares[i][0]).total_seconds() <= window}
            if len(inside) >= 3:
                found[operation] += 1
                break
    return found


def test_operations_post_in_coordinated_bursts_and_fans_do_not(
    posts: list[dict[str, Any]], world: World
) -> None:
    found = _bursts(posts, CONFIG.burst_window_s)
    for op in world.truth.operations:
        assert found[op.id] >= 3
    fan_posts = [p for p in posts if not p["operation"] and p["urls"] and not p["repost_of"]]
    op_urls = {u for op in world.truth.operations for u in op.urls}
    fan_shares = [dict(p, text="", urls=" ".join(set(p["urls"].split()) & op_urls)) for p in fan_posts]
    assert not _bursts([p for p in fan_shares if p["urls"]], CONFIG.burst_window_s).get("")


def test_some_operations_post_the_same_object_on_several_platforms(posts: list[dict[str, Any]]) -> None:
    platforms: dict[str, set[str]] = defaultdict(set)
    for post in posts:
        if post["operation"]:
            for url in post["urls"].split():
                platforms[url].add(post["platform"])
    assert any(len(p) >= 2 for p in platforms.values())


def test_the_truth_counts_what_was_posted(world: World, posts: list[dict[str, Any]]) -> None:
    truth = world.truth
    assert truth.posts == world.posts.num_rows and truth.accounts == world.accounts.num_rows
    accounts = world.accounts.to_pylist()
    index = {(a["platform"], a["account_id"]): a for a in accounts}
    for op in truth.operations:
        mine = [p for p in posts if p["operation"] == op.id]
        assert op.first_seen == min(p["posted_at"] for p in mine)
        assert op.last_seen == max(p["posted_at"] for p in mine)
        for wave in op.waves:
            members = [a for a in accounts if a["operation"] == op.id and a["wave"] == wave.wave]
            assert wave.accounts == len(members)
            assert set(wave.platforms) == {a["platform"] for a in members}
            in_wave = [p for p in mine if index[(p["platform"], p["account_id"])]["wave"] == wave.wave]
            assert wave.posts == len(in_wave)
            assert all(wave.active_from <= p["posted_at"] < wave.active_until for p in in_wave)
        assert op.accounts_per_wave == tuple(w.accounts for w in op.waves)


def test_each_returning_account_replaces_an_account_of_the_wave_before(world: World) -> None:
    accounts = world.accounts.to_pylist()
    index = {(a["platform"], a["account_id"]): a for a in accounts}
    returning = [a for a in accounts if a["wave"]]
    assert len(returning) == len(world.truth.returning)
    kinds = set()
    for entry in world.truth.returning:
        account = index[(entry.platform, entry.account_id)]
        replaced = index[(entry.replaces_platform, entry.replaces_account_id)]
        assert account["operation"] == replaced["operation"] == entry.operation
        assert account["wave"] == entry.wave == replaced["wave"] + 1
        assert account["replaces_account_id"] == entry.replaces_account_id
        assert account["rename"] == entry.rename
        assert account["account_id"] != replaced["account_id"]
        kinds.add(entry.rename)
        if entry.rename == "increment" and entry.platform == entry.replaces_platform:
            assert account["handle"].rstrip("0123456789") == replaced["handle"].rstrip("0123456789")
        if entry.rename != "fresh":
            assert account["handle"] != replaced["handle"]
    assert kinds <= set(sim.RENAME_KINDS) and len(kinds) >= 3
    assert any(e.platform != e.replaces_platform for e in world.truth.returning), "some accounts migrate"


def test_handles_are_unique_per_platform(world: World) -> None:
    pairs = list(
        zip(world.accounts["platform"].to_pylist(), world.accounts["handle"].to_pylist(), strict=True)
    )
    assert len(pairs) == len(set(pairs))


def test_more_waves_follow_one_another() -> None:
    world = generate(WorldConfig(seed=5, scale=0.3, waves=2, operations=3))
    for op in world.truth.operations:
        assert len(op.waves) == 3
        one, two = op.waves[1], op.waves[2]
        assert one.takedown_at is not None and two.takedown_at is None
        assert two.created_from > one.takedown_at
    removed = {a["removed_at"] for a in world.accounts.to_pylist() if a["wave"] == 1}
    assert None not in removed


def test_bigger_scales_give_more_and_larger_operations() -> None:
    config = WorldConfig(seed=2, scale=4)
    assert config.n_operations == 10
    world = generate(config)
    assert world.posts.num_rows > 3.5 * generate(WorldConfig(seed=2)).posts.num_rows
    assert abs(world.posts.num_rows - config.expected_posts()) < 0.15 * config.expected_posts()


def test_a_simulated_operation_becomes_a_domain_operation(world: World) -> None:
    op = world.truth.operations[0]
    record = op.to_operation("org-sim")
    assert isinstance(record, Operation)
    assert record.status is OperationStatus.DISRUPTED
    assert record.name == op.name and record.techniques == op.techniques
    assert record.id == op.to_operation("org-sim").id


def test_truth_round_trips_through_a_dict(world: World) -> None:
    assert SimTruth.from_dict(world.truth.to_dict()) == world.truth


def test_the_public_api_is_exported() -> None:
    for name in sim.__all__:
        assert hasattr(sim, name), name
