"""The content an operation wave posts: its outlets (invented news sites), article URLs, hashtags, texts.

A returning wave's pools are drawn from the wave before (see ``operations``); this module makes the pieces.
Domains and hashtags are unique across the world, so each belongs to exactly one operation in the truth.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

import numpy as np

from fimihub.sim.names import COUNTRY_NAMES, FAKE_OUTLET_HEADS, FAKE_OUTLET_TAILS, FAKE_OUTLET_TLDS
from fimihub.sim.narratives import Narrative
from fimihub.sim.text import operation_text, small_edit

if TYPE_CHECKING:
    from fimihub.sim.operations import WavePlan

__all__ = ["JITTER_VARIANTS", "clip", "fill_pools", "new_domain", "new_hashtags", "sample", "unique_texts"]

#: Slightly drifted copies kept of every wave text; posts pick the text or one of these.
JITTER_VARIANTS = 2
_URL_SECTIONS = ("politics", "europe", "economy", "opinion", "world", "health", "society", "analysis")


def fill_pools(
    rng: np.random.Generator,
    wave: WavePlan,
    prev: WavePlan | None,
    narratives: tuple[Narrative, ...],
    countries: list[str],
) -> None:
    count = clip(wave.accounts / 2, 4, 200)
    # A returning wave reshares some old articles whose outlet it kept.
    old = [u for u in (prev.urls if prev else []) if u.split("/")[2] in wave.domains]
    reshared = sample(rng, old, min(len(old), count // 5))
    wave.urls = reshared + _urls(rng, wave, narratives, countries, count - len(reshared))
    combos = set()
    for _ in range(clip(2 * len(wave.hashtags), 4, 24)):
        k = min(len(wave.hashtags), int(rng.integers(1, 4)))
        combos.add(" ".join(sample(rng, wave.hashtags, k)))
    wave.combos = sorted(combos)
    wave.variants = [[small_edit(t, rng) for _ in range(JITTER_VARIANTS)] for t in wave.texts]


def _urls(
    rng: np.random.Generator,
    wave: WavePlan,
    narratives: tuple[Narrative, ...],
    countries: list[str],
    count: int,
) -> list[str]:
    """``count`` article URLs on the wave's outlets, dated in its active period, slugged on a narrative."""
    if count <= 0:
        return []
    slugs = [[w for w in n.title.lower().replace("'", "").split() if len(w) > 3] for n in narratives]
    places = [c.lower().removeprefix("the ").replace(" ", "-") for c in countries]
    domain = rng.integers(0, len(wave.domains), count).tolist()
    when = rng.integers(wave.active_from, wave.active_until, count).tolist()
    narrative = rng.integers(0, len(slugs), count).tolist()
    length = rng.integers(3, 6, count).tolist()
    rank = rng.random((count, max(len(s) for s in slugs))).argsort(axis=1).tolist()
    country = rng.integers(0, len(places), count).tolist()
    section = rng.integers(0, len(_URL_SECTIONS), count).tolist()
    number = rng.integers(1000, 99999, count).tolist()
    urls = []
    for i in range(count):
        words = slugs[narrative[i]]
        # A few of the title's words, in title order.
        picked = sorted(r for r in rank[i] if r < len(words))[: length[i]]
        slug = "-".join([*(words[r] for r in picked), places[country[i]]])
        day = datetime.fromtimestamp(when[i], UTC)
        path = f"{_URL_SECTIONS[section[i]]}/{day:%Y/%m}/{slug}-{number[i]}"
        urls.append(f"https://{wave.domains[domain[i]]}/{path}")
    return urls


def new_domain(rng: np.random.Generator, used: set[str], like: str | None = None) -> str:
    """An invented outlet nobody uses yet; ``like`` asks for a look-alike of an existing one (other TLD)."""
    for attempt in range(1000):
        if like is not None and attempt < 20:
            stem = like.rsplit(".", 1)[0]
            if attempt >= 10:
                stem = f"{stem}-{('news', 'today', 'info', 'eu')[attempt % 4]}"
        else:
            head = FAKE_OUTLET_HEADS[int(rng.integers(len(FAKE_OUTLET_HEADS)))]
            tail = FAKE_OUTLET_TAILS[int(rng.integers(len(FAKE_OUTLET_TAILS)))]
            stem = f"{head}-{tail}" if rng.random() < 0.6 else f"{head}{tail}"
            if attempt >= 20:
                stem = f"{stem}{int(rng.integers(2, 100))}"  # large worlds run out of plain names
        domain = f"{stem}.{FAKE_OUTLET_TLDS[int(rng.integers(len(FAKE_OUTLET_TLDS)))]}"
        if domain not in used:
            used.add(domain)
            return domain
    raise RuntimeError("could not invent an unused domain")  # pragma: no cover - 1000 tries never all clash


def new_hashtags(
    rng: np.random.Generator,
    narratives: tuple[Narrative, ...],
    targets: tuple[str, ...],
    used: set[str],
    name: str,
    count: int,
    previous: list[str] | tuple[str, ...],
) -> list[str]:
    """``count`` hashtags no other operation uses, on the narratives' stems (variants if ``previous``)."""
    stems = [s for n in narratives for s in n.hashtags]
    tags: list[str] = []
    for attempt in range(count * 50):
        stem = stems[int(rng.integers(len(stems)))]
        code = targets[int(rng.integers(len(targets)))]
        shapes = (
            (f"{stem}Now", f"{stem}{code}2", f"Real{stem}", f"{stem}Again")
            if previous
            else (stem, f"{stem}{code}", f"{stem}{COUNTRY_NAMES[code].replace('the ', '').replace(' ', '')}")
        )
        tag = shapes[int(rng.integers(len(shapes)))]
        if attempt > count * 25:
            tag = f"{tag}{name.rsplit(maxsplit=1)[-1]}{int(rng.integers(2, 100))}"
        if tag.lower() not in used:
            used.add(tag.lower())
            tags.append(tag)
            if len(tags) == count:
                break
    return tags


def unique_texts(
    rng: np.random.Generator, narratives: tuple[Narrative, ...], countries: list[str], count: int
) -> list[str]:
    texts: dict[str, None] = {}
    for _ in range(count * 20):
        texts[operation_text(rng, narratives, countries)] = None
        if len(texts) == count:
            break
    return list(texts)


def sample(rng: np.random.Generator, items: list[str] | tuple[str, ...], k: int) -> list[str]:
    if k <= 0 or not items:
        return []
    # The first k of a random ranking: a sample without replacement, much cheaper than Generator.choice.
    chosen = np.argsort(rng.random(len(items)))[:k]
    return [items[j] for j in sorted(chosen.tolist())]


def clip(value: float, low: int, high: int) -> int:
    return int(min(max(round(value), low), high))
