"""Planning the influence operations of a world: who runs them, whom they target, when they act and are taken
down, and the content each wave posts (outlets, URLs, hashtags, texts, images).

Returning waves are built from the wave before: they keep part of its outlets and hashtags and register
look-alike ones, reshare a few old articles, and post lightly edited copies of its texts and images. That
carry-over is what resurgence detection is meant to find.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np

from fimihub.model import OperatorType
from fimihub.sim.config import WorldConfig
from fimihub.sim.images import Hashes, flip_bits, random_hashes
from fimihub.sim.names import (
    CODE_ADJECTIVES,
    CODE_NOUNS,
    COUNTRY_NAMES,
    FAKE_OUTLET_HEADS,
    FAKE_OUTLET_TAILS,
    FAKE_OUTLET_TLDS,
    ORIGINS,
    TECHNIQUES,
)
from fimihub.sim.narratives import NARRATIVES, Narrative
from fimihub.sim.text import light_edit, operation_text, small_edit

__all__ = ["JITTER_VARIANTS", "OperationPlan", "WavePlan", "plan_operations"]

#: Slightly drifted copies kept of every wave text; posts in a burst pick the text or one of these.
JITTER_VARIANTS = 2
_DAY = 86_400
_EEA = tuple(COUNTRY_NAMES)  # the countries operations target
_OPERATOR_TYPES = (
    (OperatorType.STATE, 0.3),
    (OperatorType.STATE_LINKED, 0.25),
    (OperatorType.COMMERCIAL_VENDOR, 0.2),
    (OperatorType.DOMESTIC_POLITICAL, 0.15),
    (OperatorType.UNKNOWN, 0.1),
)
_URL_SECTIONS = ("politics", "europe", "economy", "opinion", "world", "health", "society", "analysis")


@dataclass
class WavePlan:
    """One wave of an operation; times are Unix seconds. Posts fall in ``[active_from, active_until)``."""

    wave: int
    accounts: int
    created_from: int
    created_until: int
    active_from: int
    active_until: int
    takedown_at: int | None
    domains: list[str]
    urls: list[str]
    hashtags: list[str]
    #: Space-separated hashtag sets posts carry.
    combos: list[str]
    texts: list[str]
    #: ``JITTER_VARIANTS`` drifted copies of each text, in the order of ``texts``.
    variants: list[list[str]]
    images: Hashes


@dataclass
class OperationPlan:
    index: int
    id: str
    name: str
    aliases: tuple[str, ...]
    operator_type: OperatorType
    origin: tuple[str, ...]
    targets: tuple[str, ...]
    narratives: tuple[Narrative, ...]
    techniques: tuple[str, ...]
    #: Platforms of the first wave (returning accounts may migrate elsewhere).
    platforms: tuple[str, ...]
    waves: list[WavePlan]


def plan_operations(config: WorldConfig, rng: np.random.Generator) -> list[OperationPlan]:
    """Every operation of the world, with its waves and their content pools."""
    n = config.n_operations
    # Operations differ in size; the factors average one so the world's total stays as configured.
    factor = rng.lognormal(0.0, 0.5, n)
    factor /= factor.mean()
    used: set[str] = set()
    names: set[str] = set()
    return [_plan_one(config, rng, i, float(factor[i]), used, names) for i in range(n)]


def _plan_one(
    config: WorldConfig, rng: np.random.Generator, i: int, factor: float, used: set[str], names: set[str]
) -> OperationPlan:
    types, weights = zip(*_OPERATOR_TYPES, strict=True)
    operator_type = types[int(rng.choice(len(types), p=np.array(weights)))]
    targets = tuple(sorted(rng.choice(np.array(_EEA), size=int(rng.integers(1, 5)), replace=False).tolist()))
    if operator_type is OperatorType.DOMESTIC_POLITICAL:
        targets = targets[:1]
        origin = targets
    else:
        choices = ORIGINS[operator_type.value]
        origin = (choices[int(rng.integers(len(choices)))],)
    picked = rng.choice(len(NARRATIVES), size=int(rng.integers(2, 4)), replace=False)
    narratives = tuple(NARRATIVES[int(k)] for k in sorted(picked))
    extra = rng.choice(np.arange(3, len(TECHNIQUES)), size=int(rng.integers(3, 7)), replace=False)
    techniques = tuple(sorted({*TECHNIQUES[:3], *(TECHNIQUES[int(k)] for k in extra)}))
    spread = 1 if rng.random() < 0.35 else int(rng.integers(2, min(3, len(config.platforms)) + 1))
    spread = min(spread, len(config.platforms))
    platforms = tuple(str(p) for p in rng.choice(np.array(config.platforms), size=spread, replace=False))
    name = _code_name(rng, names)
    aliases = (_code_name(rng, names), f"Cluster {config.seed % 1000:03d}-{i + 1:03d}")
    waves = _plan_waves(config, rng, i, factor, targets, narratives, used, name)
    return OperationPlan(
        index=i,
        id=f"sim-op-{i + 1:03d}",
        name=name,
        aliases=aliases,
        operator_type=operator_type,
        origin=origin,
        targets=targets,
        narratives=narratives,
        techniques=techniques,
        platforms=platforms,
        waves=waves,
    )


def _code_name(rng: np.random.Generator, taken: set[str]) -> str:
    while True:
        adjective = CODE_ADJECTIVES[int(rng.integers(len(CODE_ADJECTIVES)))]
        noun = CODE_NOUNS[int(rng.integers(len(CODE_NOUNS)))]
        name = f"{adjective} {noun}"
        if name in taken:
            name = f"{name} {len(taken) + 1}"  # large worlds run out of pairs
        if name not in taken:
            taken.add(name)
            return name


def _plan_waves(
    config: WorldConfig,
    rng: np.random.Generator,
    i: int,
    factor: float,
    targets: tuple[str, ...],
    narratives: tuple[Narrative, ...],
    used: set[str],
    name: str,
) -> list[WavePlan]:
    start = int(config.start.timestamp())
    span = config.days * _DAY
    end = start + span
    first_seen = start + int(rng.uniform(0.0, 0.2) * span)
    takedown = first_seen + int(rng.uniform(0.25, 0.45) * span)
    size = max(config.min_operation_accounts, round(config.operation_size * factor))
    countries = [COUNTRY_NAMES[c] for c in targets]
    created_from = first_seen - int(rng.uniform(10, 60) * _DAY)
    texts = _unique_texts(rng, narratives, countries, _clip(size / 3, 6, 60))
    waves = [
        WavePlan(
            wave=0,
            accounts=size,
            created_from=created_from,
            created_until=first_seen - 3600,
            active_from=first_seen,
            active_until=takedown,
            takedown_at=takedown,
            domains=[_new_domain(rng, used) for _ in range(_clip(2 + size / 15, 2, 40))],
            urls=[],
            hashtags=_hashtags(rng, narratives, targets, used, name, _clip(3 + size / 20, 3, 12), ()),
            combos=[],
            texts=texts,
            variants=[],
            images=random_hashes(rng, _clip(size / 5, 3, 80)),
        )
    ]
    segment = (end - takedown) / max(config.waves, 1)
    for w in range(1, config.waves + 1):
        prev = waves[-1]
        base = takedown + (w - 1) * segment
        made_from = int(base + rng.uniform(0.05, 0.15) * segment)
        made_until = made_from + int(min(7 * _DAY, 0.1 * segment))
        last = w == config.waves
        until = end if last else int(base + 0.85 * segment)
        accounts = max(config.min_returning_accounts, round(prev.accounts * config.returning_fraction))
        kept = _sample(rng, prev.domains, max(1, math.ceil(len(prev.domains) / 2)))
        fresh = [
            _new_domain(rng, used, like=d) for d in _sample(rng, prev.domains, max(1, len(prev.domains) // 2))
        ]
        new_tags = _hashtags(
            rng, narratives, targets, used, name, max(2, len(prev.hashtags) // 2), prev.hashtags
        )
        reused_texts = _sample(rng, prev.texts, _clip(accounts / 3, min(6, len(prev.texts)), len(prev.texts)))
        pick = rng.choice(
            len(prev.images), size=_clip(accounts / 5, min(3, len(prev.images)), len(prev.images))
        )
        waves.append(
            WavePlan(
                wave=w,
                accounts=accounts,
                created_from=made_from,
                created_until=made_until,
                active_from=made_until,
                active_until=until,
                takedown_at=None if last else until,
                domains=kept + fresh,
                urls=[],
                hashtags=_sample(rng, prev.hashtags, math.ceil(len(prev.hashtags) / 2)) + new_tags,
                combos=[],
                texts=[light_edit(t, rng) for t in reused_texts],
                variants=[],
                images=flip_bits(rng, prev.images[np.unique(pick)], 4, 12),
            )
        )
    for prev, wave in zip([None, *waves[:-1]], waves, strict=True):
        _fill_pools(rng, wave, prev, narratives, countries)
    return waves


def _fill_pools(
    rng: np.random.Generator,
    wave: WavePlan,
    prev: WavePlan | None,
    narratives: tuple[Narrative, ...],
    countries: list[str],
) -> None:
    count = _clip(wave.accounts / 2, 4, 200)
    # A returning wave reshares some old articles whose outlet it kept.
    old = [u for u in (prev.urls if prev else []) if u.split("/")[2] in wave.domains]
    reshared = _sample(rng, old, min(len(old), count // 5))
    wave.urls = reshared + _urls(rng, wave, narratives, countries, count - len(reshared))
    combos = set()
    for _ in range(_clip(2 * len(wave.hashtags), 4, 24)):
        k = min(len(wave.hashtags), int(rng.integers(1, 4)))
        combos.add(" ".join(_sample(rng, wave.hashtags, k)))
    wave.combos = sorted(combos)
    wave.variants = [[small_edit(t, rng) for _ in range(JITTER_VARIANTS)] for t in wave.texts]


def _urls(
    rng: np.random.Generator,
    wave: WavePlan,
    narratives: tuple[Narrative, ...],
    countries: list[str],
    count: int,
) -> list[str]:
    """``count`` article URLs on the wave's outlets, dated within its active period, slugged on a narrative."""
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


def _new_domain(rng: np.random.Generator, used: set[str], like: str | None = None) -> str:
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


def _hashtags(
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


def _unique_texts(
    rng: np.random.Generator, narratives: tuple[Narrative, ...], countries: list[str], count: int
) -> list[str]:
    texts: dict[str, None] = {}
    for _ in range(count * 20):
        texts[operation_text(rng, narratives, countries)] = None
        if len(texts) == count:
            break
    return list(texts)


def _sample(rng: np.random.Generator, items: list[str] | tuple[str, ...], k: int) -> list[str]:
    if k <= 0 or not items:
        return []
    # The first k of a random ranking: a sample without replacement, much cheaper than Generator.choice.
    chosen = np.argsort(rng.random(len(items)))[:k]
    return [items[j] for j in sorted(chosen.tolist())]


def _clip(value: float, low: int, high: int) -> int:
    return int(min(max(round(value), low), high))
