"""Posts of a simulated world, made one work unit of the plan at a time, column-wise.

An *accounts* unit writes the own posts of a block of accounts: benign chatter with news links, hashtags and
images (some of them popular memes); look-alike fans who now and then share an operation's link; operation
accounts posting their copypasta one by one, with some innocent-looking posts as cover. A *bursts* unit
writes coordinated bursts: several accounts of one operation wave posting or reposting the same object within
minutes, on every platform the participants are on.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from fimihub.sim.accounts import BENIGN, LOOKALIKE, OPERATION
from fimihub.sim.adversarial import POPULAR_ARTICLES, POPULAR_HASHTAGS
from fimihub.sim.content import Content, benign_content, blank, news_urls
from fimihub.sim.ids import scrambled_ids, seeded
from fimihub.sim.images import flip_bits
from fimihub.sim.plan import Plan, Unit
from fimihub.sim.pools import JITTER_VARIANTS
from fimihub.sim.schema import POSTS_SCHEMA, timestamps

__all__ = ["UnitPosts", "unit_posts"]

I64 = npt.NDArray[np.int64]
Mask = npt.NDArray[np.bool_]
_STREAMS = {"accounts": 10, "bursts": 11}
# The adversarial knobs' own streams (see ``adversarial``): drawn from only when a knob is on.
_STREAM_BLEND_OWN, _STREAM_BLEND_BURSTS, _STREAM_TRENDING, _STREAM_AMPLIFY = 20, 21, 22, 23
# How often a burst participant reposts the first post on its platform instead of posting a copy.
_REPOST = {"x": 0.6, "facebook": 0.5, "telegram": 0.7, "tiktok": 0.15}
_STRIDES = np.array([1, 2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31])


@dataclass(frozen=True)
class UnitPosts:
    """A unit's rows, and the (operation-wave key, time) of each operation post, for the ground truth."""

    table: pa.Table
    keys: I64
    times: I64


def unit_posts(plan: Plan, unit: Unit) -> UnitPosts:
    rng = seeded(plan.config.seed, _STREAMS[unit.kind], unit.index)
    if unit.kind == "accounts":
        return _account_unit(plan, unit, rng)
    return _burst_unit(plan, unit, rng)


def _account_unit(plan: Plan, unit: Unit, rng: np.random.Generator) -> UnitPosts:
    accounts, waves, pools = plan.accounts, plan.waves, plan.pools
    counts = np.maximum(accounts.posts[unit.lo : unit.hi], 1)
    acc = np.repeat(np.arange(unit.lo, unit.hi), counts)
    n = len(acc)
    empty = accounts.posts[acc] == 0
    kind = accounts.kind[acc]
    lo, hi = accounts.active_from[acc], accounts.active_until[acc]
    t = lo + (rng.random(n) * (hi - lo)).astype(np.int64)
    content = benign_content(plan, rng, n)

    # Operation accounts: mostly their operation's content, with a quarter of innocent chatter as cover.
    op = (kind == OPERATION) & (rng.random(n) < 0.75)
    cover = (kind == OPERATION) & ~op
    content.clear(cover)
    if op.any():
        key = accounts.key[acc[op]]
        m = len(key)
        text = (waves.text_lo[key] + _below(rng, waves.text_n[key])) * (JITTER_VARIANTS + 1)
        text += np.where(rng.random(m) < 0.25, rng.integers(1, JITTER_VARIANTS + 1, m), 0)
        content.text = pc.replace_with_mask(content.text, pa.array(op), pools.texts.take(pa.array(text)))
        content.set_urls(
            op, rng.random(m) < 0.6, waves.url_lo[key] + _below(rng, waves.url_n[key]), pools.urls
        )
        combo = waves.combo_lo[key] + _below(rng, waves.combo_n[key])
        content.set_hashtags(op, rng.random(m) < 0.7, combo, pools.combos)
        image = pools.images[waves.image_lo[key] + _below(rng, waves.image_n[key])]
        noisy = rng.random(m) < 0.3
        image[noisy] = flip_bits(rng, image[noisy], 1, 2)
        content.set_images(op, rng.random(m) < 0.35, image)

    # Look-alike fans share an operation's link or hashtags now and then (always in their first post), at a
    # time of their own after the operation appeared: the same objects, but never in step with the operation.
    first = np.r_[True, acc[1:] != acc[:-1]]
    share = (kind == LOOKALIKE) & ~empty & (first | (rng.random(n) < 0.25))
    if share.any():
        target = accounts.lookalike_of[acc[share]]
        share_from = np.maximum(waves.active_from[waves.op_first[target]], lo[share])
        ok = share_from < hi[share]
        share[np.flatnonzero(share)[~ok]] = False
        target, share_from = target[ok], share_from[ok]
        m = len(target)
        t[share] = share_from + (rng.random(m) * (hi[share] - share_from)).astype(np.int64)
        # Any wave that had appeared by then.
        started = np.zeros(m, dtype=np.int64)
        for w in range(plan.config.waves + 1):
            started += waves.active_from[waves.op_first[target] + w] <= t[share]
        key = waves.op_first[target] + _below(rng, started)
        with_url = rng.random(m) < 0.8
        content.set_urls(share, with_url, waves.url_lo[key] + _below(rng, waves.url_n[key]), pools.urls)
        combo = waves.combo_lo[key] + _below(rng, waves.combo_n[key])
        content.set_hashtags(share, ~with_url | (rng.random(m) < 0.3), combo, pools.combos)

    if plan.adversary is not None:
        _adversarial_own_posts(plan, unit, acc, t, lo, hi, kind, empty, content)

    post_id = scrambled_ids(unit.row_offset + np.arange(n, dtype=np.int64), plan.post_salt)
    benign = (kind != OPERATION) & ~empty
    # A fan's shares of operation links stay their own posts (others may repost them).
    repost_of = _benign_reposts(rng, content, post_id, accounts.platform[acc], t, benign, benign & ~share)
    content.erase(empty)
    post_id = pc.if_else(pa.array(empty), "", post_id)
    labelled = (kind == OPERATION) & ~empty
    return UnitPosts(
        _table(plan, acc, t, empty, post_id, content, repost_of),
        accounts.key[acc[labelled]],
        t[labelled],
    )


def _benign_reposts(
    rng: np.random.Generator,
    content: Content,
    post_id: pa.Array,
    platform: I64,
    t: I64,
    sources: Mask,
    reposters: Mask,
) -> pa.Array:
    """Some benign posts (of ``reposters``) are reposts of an earlier post of ``sources`` on the same platform
    (hours or days apart, unlike a burst); they carry the original's content."""
    candidates = np.flatnonzero(sources)
    repost = reposters & (rng.random(len(t)) < 0.08)
    rows = np.flatnonzero(repost)
    if not len(candidates) or not len(rows):
        return blank(len(t))
    source = candidates[rng.integers(0, len(candidates), len(rows))]
    valid = (platform[source] == platform[rows]) & (t[source] < t[rows]) & ~repost[source]
    rows, source = rows[valid], source[valid]
    mask = np.zeros(len(t), dtype=bool)
    mask[rows] = True
    content.copy_rows(mask, source)
    return pc.replace_with_mask(blank(len(t)), pa.array(mask), post_id.take(pa.array(source)))


def _burst_unit(plan: Plan, unit: Unit, rng: np.random.Generator) -> UnitPosts:
    accounts, waves, pools, bursts = plan.accounts, plan.waves, plan.pools, plan.bursts
    size = bursts.size[unit.lo : unit.hi]
    key = bursts.key[unit.lo : unit.hi]
    nb, n = len(size), int(size.sum())
    burst = np.repeat(np.arange(nb), size)
    pos = np.arange(n) - np.repeat(np.cumsum(size) - size, size)

    # Participants: distinct accounts of the wave, by walking its range from a random start with a stride
    # coprime to its length, so each burst draws a different mix of accounts.
    acc_n = waves.acc_n[key]
    offset = _below(rng, acc_n)
    stride = _STRIDES[rng.integers(0, len(_STRIDES), nb)]
    stride = np.where(np.gcd(stride, acc_n) == 1, stride, 1)
    acc = waves.acc_lo[key][burst] + (offset[burst] + pos * stride[burst]) % acc_n[burst]

    # Times: the first post opens the burst, the others follow within minutes, all inside the burst window.
    window = plan.config.burst_window_s
    delay = np.minimum(rng.exponential(window / 6, n), window - 1).astype(np.int64)
    delay[pos == 0] = 0
    delay = delay[np.lexsort((delay, burst))]
    t = np.minimum(bursts.start[unit.lo : unit.hi][burst] + delay, accounts.active_until[acc] - 1)

    # One object per burst; copies drift a little (a typo, a re-encoded image), reposts do not.
    text = (waves.text_lo[key] + _below(rng, waves.text_n[key])) * (JITTER_VARIANTS + 1)
    url = waves.url_lo[key] + _below(rng, waves.url_n[key])
    combo = waves.combo_lo[key] + _below(rng, waves.combo_n[key])
    image_pick = waves.image_lo[key] + _below(rng, waves.image_n[key])
    has_url, has_tags, has_image = (rng.random((3, nb)) < np.array([[0.75], [0.8], [0.45]])).astype(bool)
    row_text = text[burst] + np.where(rng.random(n) < 0.2, rng.integers(1, JITTER_VARIANTS + 1, n), 0)
    image = pools.images[image_pick[burst]]
    noisy = rng.random(n) < 0.3
    image[noisy] = flip_bits(rng, image[noisy], 1, 2)

    platform = accounts.platform[acc]
    firsts = np.unique(burst * len(plan.config.platforms) + platform, return_index=True, return_inverse=True)
    seed_row = firsts[1][firsts[2]]
    chance = np.array([_REPOST.get(p, 0.4) for p in plan.config.platforms])
    repost = (seed_row != np.arange(n)) & (rng.random(n) < chance[platform])
    row_text[repost] = row_text[seed_row[repost]]
    image[repost] = image[seed_row[repost]]

    content = Content(pools.texts.take(pa.array(row_text)), blank(n), blank(n), image, has_image[burst])
    everyone = np.ones(n, dtype=bool)
    content.set_urls(everyone, has_url[burst], url[burst], pools.urls)
    content.set_hashtags(everyone, has_tags[burst], combo[burst], pools.combos)
    if plan.config.blend_rate > 0:
        # A blending burst carries the same popular hashtag and mainstream link in every participant's post.
        extra = seeded(plan.config.seed, _STREAM_BLEND_BURSTS, unit.index)
        blend = (extra.random(nb) < plan.config.blend_rate)[burst]
        tag = extra.integers(0, len(POPULAR_HASHTAGS), nb)[burst]
        article = (POPULAR_ARTICLES * extra.random(nb) ** 2).astype(np.int64)[burst]
        tags = pa.array(POPULAR_HASHTAGS, pa.string()).take(pa.array(tag[blend]))
        _append(content, blend, article[blend], tags, plan)
    post_id = scrambled_ids(unit.row_offset + np.arange(n, dtype=np.int64), plan.post_salt)
    repost_of = pc.if_else(pa.array(repost), post_id.take(pa.array(seed_row)), "")
    no_empty = np.zeros(n, dtype=bool)
    return UnitPosts(_table(plan, acc, t, no_empty, post_id, content, repost_of), key[burst], t)


def _adversarial_own_posts(
    plan: Plan,
    unit: Unit,
    acc: I64,
    t: I64,
    lo: I64,
    hi: I64,
    kind: npt.NDArray[np.int8],
    empty: Mask,
    content: Content,
) -> None:
    """Blending operation posts, ordinary posts in trending bursts, and amplifiers' reshares (in place)."""
    adversary, config, waves, pools = plan.adversary, plan.config, plan.waves, plan.pools
    assert adversary is not None
    n = len(acc)
    if config.blend_rate > 0:
        rng = seeded(config.seed, _STREAM_BLEND_OWN, unit.index)
        blend = (kind == OPERATION) & ~empty & (rng.random(n) < config.blend_rate)
        m = int(blend.sum())
        tag = pa.array(POPULAR_HASHTAGS, pa.string()).take(
            pa.array(rng.integers(0, len(POPULAR_HASHTAGS), m))
        )
        _append(content, blend, (POPULAR_ARTICLES * rng.random(m) ** 2).astype(np.int64), tag, plan)
    amplifier = adversary.amplifies[acc]
    ordinary = (kind == BENIGN) & ~empty & (amplifier < 0)
    if config.trending_share > 0 and len(adversary.trend_time):
        rng = seeded(config.seed, _STREAM_TRENDING, unit.index)
        join = ordinary & (rng.random(n) < config.trending_share)
        rows = np.flatnonzero(join)
        # Popular events draw more people: a square of a uniform draw favours the first ones.
        event = (len(adversary.trend_time) * rng.random(len(rows)) ** 2).astype(np.int64)
        window = config.burst_window_s
        at = adversary.trend_time[event] + np.minimum(rng.exponential(window / 5, len(rows)), window - 1)
        at = at.astype(np.int64)
        fits = (at >= lo[rows]) & (at < hi[rows])
        rows, event, at = rows[fits], event[fits], at[fits]
        t[rows] = at
        mask = np.zeros(n, dtype=bool)
        mask[rows] = True
        urls = news_urls(adversary.trend_article[event], plan.url_salt)
        content.urls = pc.replace_with_mask(content.urls, pa.array(mask), urls)
        content.hashtags = pc.replace_with_mask(
            content.hashtags, pa.array(mask), adversary.trend_tags.take(pa.array(event))
        )
    if (amplifier >= 0).any():
        rng = seeded(config.seed, _STREAM_AMPLIFY, unit.index)
        mine = (amplifier >= 0) & ~empty
        # Topical posts: the operation's narrative hashtags, which ordinary people use too.
        topical = np.flatnonzero(mine & (rng.random(n) < 0.4))
        tags = [adversary.topics[o][int(rng.integers(len(adversary.topics[o])))] for o in amplifier[topical]]
        mask = np.zeros(n, dtype=bool)
        mask[topical] = True
        content.hashtags = pc.replace_with_mask(content.hashtags, pa.array(mask), pa.array(tags, pa.string()))
        # One or two reshares of the operation's original links or images, after it appeared.
        first = np.r_[True, acc[1:] != acc[:-1]]
        second = np.r_[False, first[:-1]] & (rng.random(n) < 0.5)
        share = np.flatnonzero(mine & (first | second))
        key = waves.op_first[amplifier[share]]
        since = np.maximum(waves.active_from[key], lo[share])
        ok = since < hi[share]
        share, key, since = share[ok], key[ok], since[ok]
        t[share] = since + (rng.random(len(share)) * (hi[share] - since)).astype(np.int64)
        link = rng.random(len(share)) < 0.5
        as_link = np.zeros(n, dtype=bool)
        as_link[share[link]] = True
        content.set_urls(
            as_link,
            np.ones(int(link.sum()), dtype=bool),
            (waves.url_lo[key] + _below(rng, waves.url_n[key]))[link],
            pools.urls,
        )
        as_image = np.zeros(n, dtype=bool)
        as_image[share[~link]] = True
        picked = pools.images[(waves.image_lo[key] + _below(rng, waves.image_n[key]))[~link]]
        content.set_images(as_image, np.ones(int((~link).sum()), dtype=bool), flip_bits(rng, picked, 0, 4))


def _append(content: Content, rows: Mask, article: I64, tags: pa.Array, plan: Plan) -> None:
    """Add a popular news ``article``'s link and hashtags ``tags`` (one of each per row) to ``rows``."""
    if not rows.any():
        return
    mask = pa.array(rows)
    urls = news_urls(article, plan.url_salt)
    old_urls = content.urls.filter(mask)
    old_tags = content.hashtags.filter(mask)
    joined_urls = pc.utf8_trim(pc.binary_join_element_wise(old_urls, urls, " "), " ")
    joined_tags = pc.utf8_trim(pc.binary_join_element_wise(old_tags, tags, " "), " ")
    content.urls = pc.replace_with_mask(content.urls, mask, joined_urls)
    content.hashtags = pc.replace_with_mask(content.hashtags, mask, joined_tags)


def _below(rng: np.random.Generator, bound: I64) -> I64:
    """A uniform integer in ``[0, bound)`` for each entry of ``bound`` (each at least 1)."""
    return (rng.random(len(bound)) * bound).astype(np.int64)


def _table(
    plan: Plan, acc: I64, t: I64, empty: Mask, post_id: pa.Array, content: Content, repost_of: pa.Array
) -> pa.Table:
    accounts = plan.accounts
    index = pa.array(acc)
    columns = [
        plan.platform_names.take(pa.array(accounts.platform[acc])),
        accounts.account_id.take(index),
        accounts.handle.take(index),
        accounts.display_name.take(index),
        timestamps(accounts.created_at[acc]),
        pa.array(accounts.followers[acc], pa.int64()),
        post_id,
        timestamps(t, empty),
        content.text,
        content.urls,
        content.hashtags,
        content.image_hex(),
        repost_of,
        plan.labels.take(pa.array(accounts.operation[acc] + 1)),
    ]
    return pa.Table.from_arrays(columns, schema=POSTS_SCHEMA)
