"""The adversarial knobs of the simulator: each does what it says, measured on the generated export, and a
world with every knob off is the world the simulator made before they existed."""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from typing import Any

import pytest

from fimihub.errors import ValidationError
from fimihub.sim import ADVERSARIAL_KNOBS, World, WorldConfig, generate, shingle_jaccard
from fimihub.sim.adversarial import POPULAR_HASHTAGS

SEED = 31


def _digest(world: World) -> str:
    h = hashlib.sha256()
    for table in (world.posts, world.accounts):
        h.update(json.dumps(table.to_pydict(), default=str, ensure_ascii=False).encode())
    h.update(json.dumps(world.truth.to_dict(), default=str).encode())
    return h.hexdigest()


def _world(**knobs: float) -> World:
    return generate(WorldConfig(seed=SEED, **knobs))  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def plain() -> World:
    return _world()


def _rows(world: World) -> list[dict[str, Any]]:
    return [p for p in world.posts.to_pylist() if p["post_id"]]


def _waves(world: World) -> dict[tuple[str, str], dict[str, Any]]:
    return {(a["platform"], a["account_id"]): a for a in world.accounts.to_pylist()}


def _domain(url: str) -> str:
    return url.split("/")[2].removeprefix("www.")


# -- off means unchanged -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        # Digests of worlds made before the knobs existed (with today's DISARM technique ids).
        (WorldConfig(seed=5, scale=0.5), "9b10038b241225eb6329900ea990d8f59726e8162b08186692927fa8dcba14eb"),
        (
            WorldConfig(seed=9, scale=0.3, waves=2),
            "f0b7af1be83b869630fb4c91ffce101e24929f1c5e5e4a8112e205262ea2f27b",
        ),
    ],
)
def test_with_every_knob_off_a_world_is_byte_for_byte_what_it_was(config: WorldConfig, expected: str) -> None:
    assert not config.adversarial
    assert _digest(generate(config)) == expected
    assert _digest(generate(config.with_knobs(0.0))) == expected
    assert not set(ADVERSARIAL_KNOBS) & set(config.to_dict())


def test_knobs_are_rates_and_round_trip() -> None:
    config = WorldConfig(seed=1).with_knobs(0.25, blend_rate=0.5)
    assert config.adversarial and config.blend_rate == 0.5 and config.trending_share == 0.25
    assert WorldConfig.from_dict(config.to_dict()) == config
    with pytest.raises(ValidationError, match="amplifier_rate"):
        WorldConfig(amplifier_rate=1.5)


# -- blending ------------------------------------------------------------------------------------------------


def _popular(post: dict[str, Any]) -> bool:
    return bool(set(post["hashtags"].split()) & set(POPULAR_HASHTAGS))


def test_blending_operations_post_popular_hashtags_and_mainstream_links(plain: World) -> None:
    ops_plain = [p for p in _rows(plain) if p["operation"]]
    assert not any(_popular(p) for p in ops_plain)
    blended = _world(blend_rate=0.4)
    ops = [p for p in _rows(blended) if p["operation"]]
    share = sum(_popular(p) for p in ops) / len(ops)
    assert 0.25 < share < 0.55
    # The same popular link in every post of a blending burst: mainstream news sites, not the operation's.
    mainstream = [p for p in ops if _popular(p)]
    assert all(any(u.startswith("https://www.") for u in p["urls"].split()) for p in mainstream)
    same = defaultdict(set)
    for p in mainstream:
        for u in p["urls"].split():
            if u.startswith("https://www."):
                same[u].add(p["account_id"])
    assert max(len(v) for v in same.values()) >= 5


# -- trending bursts -----------------------------------------------------------------------------------------


def _crowds(world: World, window: int) -> int:
    """Ordinary posts on a link that 10+ ordinary accounts posted within ``window`` seconds."""
    by_url: dict[str, list[tuple[float, str]]] = defaultdict(list)
    for p in _rows(world):
        if p["operation"] or p["repost_of"]:
            continue
        for u in p["urls"].split():
            by_url[u].append((p["posted_at"].timestamp(), p["account_id"]))
    crowded = 0
    for hits in by_url.values():
        hits.sort()
        lo = 0
        for hi in range(len(hits)):
            while hits[hi][0] - hits[lo][0] > window:
                lo += 1
            if len({a for _, a in hits[lo : hi + 1]}) >= 10:
                crowded += 1
                break
    return crowded


def test_trending_bursts_put_many_ordinary_accounts_on_one_popular_link_within_minutes(plain: World) -> None:
    assert _crowds(plain, 600) == 0
    trending = _world(trending_share=0.3)
    assert _crowds(trending, 600) >= 5


# -- amplifiers ----------------------------------------------------------------------------------------------


def _resharers(world: World) -> set[str]:
    """Ordinary (not look-alike) accounts that posted an original wave's link or image (PDQ distance <= 8)."""
    accounts = _waves(world)
    urls = {u for op in world.truth.operations for u in op.waves[0].urls}
    images = [int(h, 16) for op in world.truth.operations for h in op.waves[0].image_hashes]
    found = set()
    for p in _rows(world):
        account = accounts[(p["platform"], p["account_id"])]
        if p["operation"] or account["lookalike"] or p["repost_of"]:
            continue
        if set(p["urls"].split()) & urls or (
            p["image_pdq"] and min((int(p["image_pdq"], 16) ^ h).bit_count() for h in images) <= 8
        ):
            found.add(p["account_id"])
    return found


def test_amplifiers_are_ordinary_users_who_reshare_an_operations_old_links_or_images(plain: World) -> None:
    assert len(_resharers(plain)) <= 5  # a benign repost of a fan's share now and then
    amplified = _world(amplifier_rate=0.1)
    found = _resharers(amplified)
    assert 60 <= len(found) <= 140  # about a tenth of 1,000 ordinary users
    labelled = {p["account_id"] for p in _rows(amplified) if p["operation"]}
    assert not found & labelled


# -- disguised returns ---------------------------------------------------------------------------------------


def _returning_posts(world: World) -> list[dict[str, Any]]:
    accounts = _waves(world)
    return [p for p in _rows(world) if (accounts[(p["platform"], p["account_id"])]["wave"] or 0) >= 1]


def _original(world: World) -> tuple[set[str], set[str]]:
    domains = {d for op in world.truth.operations for d in op.waves[0].domains}
    tags = {t.lower() for op in world.truth.operations for t in op.waves[0].hashtags}
    return domains, tags


def test_rebranded_returns_use_new_outlets_and_hashtags_and_reworded_texts(plain: World) -> None:
    domains, tags = _original(plain)
    back = _returning_posts(plain)
    assert any(_domain(u) in domains for p in back for u in p["urls"].split())
    rebranded = _world(rebrand_rate=1.0)
    domains, tags = _original(rebranded)
    back = _returning_posts(rebranded)
    assert back
    assert not any(_domain(u) in domains for p in back for u in p["urls"].split())
    assert not any(t.lower() in tags for p in back for t in p["hashtags"].split())
    # Images are reused: still near-duplicates of the originals.
    old = [int(h, 16) for op in rebranded.truth.operations for h in op.waves[0].image_hashes]
    near = [min((int(p["image_pdq"], 16) ^ h).bit_count() for h in old) for p in back if p["image_pdq"]]
    assert sum(d <= 31 for d in near) / len(near) > 0.9


def _text_similarity(world: World) -> float:
    scores = []
    for op in world.truth.operations:
        for text in op.waves[1].text_samples:
            scores.append(max(shingle_jaccard(text, o) for o in op.waves[0].text_samples))
    return sum(scores) / len(scores)


def test_heavy_edits_rework_returning_texts(plain: World) -> None:
    assert _text_similarity(plain) > 0.75
    assert _text_similarity(_world(heavy_edit_rate=1.0)) < 0.45


def test_tld_swaps_move_kept_outlets_to_the_same_name_under_another_tld(plain: World) -> None:
    swapped = _world(tld_swap_rate=1.0)
    for op in swapped.truth.operations:
        original = set(op.waves[0].domains)
        stems = {d.rsplit(".", 1)[0] for d in original}
        returning = set(op.waves[1].domains)
        assert not returning & original
        assert {d.rsplit(".", 1)[0] for d in returning} & stems
    domains, _ = _original(swapped)
    assert not any(_domain(u) in domains for p in _returning_posts(swapped) for u in p["urls"].split())


def test_returning_accounts_go_to_platforms_the_operation_was_never_on(plain: World) -> None:
    def on_new_platforms(world: World) -> tuple[int, int]:
        moved = total = 0
        for op in world.truth.operations:
            before = set(op.waves[0].platforms)
            if len(before) == len(world.config.platforms):
                continue
            for r in world.truth.returning:
                if r.operation == op.id:
                    total += 1
                    moved += r.platform not in before
        return moved, total

    moved, total = on_new_platforms(plain)
    assert moved < 0.5 * total
    moved, total = on_new_platforms(_world(new_platform_rate=1.0))
    assert total and moved == total
