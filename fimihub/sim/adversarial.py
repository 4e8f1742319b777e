"""The adversarial knobs of a world (``WorldConfig.*_rate``, ``trending_share``), decided when it is planned.

Real operations are harder to find than the default world: they blend in with popular hashtags and
mainstream news links, ordinary users pile onto trending links within minutes of each other, some ordinary
users amplify an operation's old links and images, and returning waves rebrand (new outlets, new hashtags,
heavily reworded texts), move their outlets to new top-level domains and go to platforms they were never on.

Every knob draws from random streams of its own (keys 30 and up here, 20 and up in ``posts``) and only when
it is on, so a world with every knob off is the world the generator made before the knobs existed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from fimihub.sim.config import WorldConfig
from fimihub.sim.ids import seeded
from fimihub.sim.lexicon import BENIGN_HASHTAGS
from fimihub.sim.operations import OperationPlan, WavePlan
from fimihub.sim.pools import JITTER_VARIANTS, new_domain, new_hashtags
from fimihub.sim.text import light_edit, small_edit

__all__ = [
    "POPULAR_ARTICLES",
    "POPULAR_HASHTAGS",
    "Adversary",
    "disguise_returns",
    "make_adversary",
]

I64 = npt.NDArray[np.int64]

#: Hashtags everyone uses, operations included when they blend in.
POPULAR_HASHTAGS: tuple[str, ...] = ("news", "breaking", "fyp", "trending", "viral", "foryou", "worldnews")
#: The most linked mainstream news articles (numbers into ``content.news_urls``): the popular-link pool.
POPULAR_ARTICLES = 25
_TRENDS_PER_SCALE = 40
_STREAM_RETURNS = 30
_STREAM_ADVERSARY = 32


@dataclass(frozen=True)
class Adversary:
    """What the posting-time knobs need: trending events and organic amplifiers."""

    #: Trending events: when each starts, its popular article number, and its hashtags (space-separated).
    trend_time: I64
    trend_article: I64
    trend_tags: pa.Array
    #: For every account, the operation it amplifies (an ordinary user), else -1.
    amplifies: I64
    #: Narrative hashtag stems of each operation (topical hashtags ordinary users use too).
    topics: tuple[tuple[str, ...], ...]


def make_adversary(
    config: WorldConfig, operations: list[OperationPlan], kind: npt.NDArray[np.int8], start: int, end: int
) -> Adversary | None:
    """The trending events and amplifiers of a world, or ``None`` when their knobs are off."""
    if not (config.trending_share > 0 or config.amplifier_rate > 0 or config.blend_rate > 0):
        return None
    rng = seeded(config.seed, _STREAM_ADVERSARY)
    n = max(8, round(_TRENDS_PER_SCALE * config.scale)) if config.trending_share > 0 else 0
    times = np.sort(rng.integers(start, end - config.burst_window_s, n)).astype(np.int64)
    article = (POPULAR_ARTICLES * rng.random(n) ** 2).astype(np.int64)
    popular = rng.integers(0, len(POPULAR_HASHTAGS), n).tolist()
    common = (12 * rng.random(n) ** 2).astype(np.int64).tolist()
    tags = [f"{POPULAR_HASHTAGS[p]} {BENIGN_HASHTAGS[c]}" for p, c in zip(popular, common, strict=True)]
    amplifies = np.full(len(kind), -1, dtype=np.int64)
    if config.amplifier_rate > 0 and operations:
        ordinary = np.flatnonzero(kind == 0)  # BENIGN (accounts imports this module's callers)
        chosen = ordinary[rng.random(len(ordinary)) < config.amplifier_rate]
        amplifies[chosen] = rng.integers(0, len(operations), len(chosen))
    topics = tuple(tuple(dict.fromkeys(s for n in op.narratives for s in n.hashtags)) for op in operations)
    return Adversary(times, article, pa.array(tags, pa.string()), amplifies, topics)


def disguise_returns(config: WorldConfig, operations: list[OperationPlan]) -> None:
    """Rebrand, move to new TLDs and reword the returning waves of ``operations`` (in place), as asked."""
    if not (config.rebrand_rate > 0 or config.heavy_edit_rate > 0 or config.tld_swap_rate > 0):
        return
    used = {d for op in operations for w in op.waves for d in w.domains}
    used |= {t.lower() for op in operations for w in op.waves for t in w.hashtags}
    for op in operations:
        if len(op.waves) < 2:
            continue
        rng = seeded(config.seed, _STREAM_RETURNS, op.index)
        rebrand = rng.random() < config.rebrand_rate
        original = op.waves[0]
        domains: dict[str, str] = {}
        tags: dict[str, str] = {}
        returning = op.waves[1:]
        for d in dict.fromkeys(d for w in returning for d in w.domains):
            if rebrand:
                domains[d] = new_domain(rng, used)
            elif d in original.domains and rng.random() < config.tld_swap_rate:
                domains[d] = new_domain(rng, used, like=d)
        if rebrand:
            old = list(dict.fromkeys(t for w in returning for t in w.hashtags))
            fresh = new_hashtags(rng, op.narratives, op.targets, used, op.name, len(old), ("rebrand",))
            tags = dict(zip(old, fresh, strict=False))
        for wave in returning:
            _remap(wave, domains, tags)
            heavy = rng.random(len(wave.texts)) < (1.0 if rebrand else config.heavy_edit_rate)
            for j in np.flatnonzero(heavy).tolist():
                text = wave.texts[j]
                wave.texts[j] = light_edit(text, rng, edits=max(3, len(text.split()) // 3))
                wave.variants[j] = [small_edit(wave.texts[j], rng) for _ in range(JITTER_VARIANTS)]


def _remap(wave: WavePlan, domains: dict[str, str], tags: dict[str, str]) -> None:
    wave.domains = [domains.get(d, d) for d in wave.domains]
    wave.urls = [_rehost(u, domains) for u in wave.urls]
    wave.hashtags = [tags.get(t, t) for t in wave.hashtags]
    wave.combos = sorted({" ".join(tags.get(t, t) for t in c.split()) for c in wave.combos})


def _rehost(url: str, domains: dict[str, str]) -> str:
    scheme, _, rest = url.partition("://")
    host, slash, path = rest.partition("/")
    return f"{scheme}://{domains.get(host, host)}{slash}{path}"
