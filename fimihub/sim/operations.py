"""Planning the influence operations of a world: who runs them, whom they target, when they act and are taken
down, and the content each wave posts (outlets, URLs, hashtags, texts, images).

Returning waves are built from the wave before: they keep part of its outlets and hashtags and register
look-alike ones, reshare a few old articles, and post lightly edited copies of its texts and images. That
carry-over is what resurgence detection is meant to find.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from fimihub.model import OperatorType
from fimihub.sim.config import WorldConfig
from fimihub.sim.images import Hashes, flip_bits, random_hashes
from fimihub.sim.names import (
    CODE_ADJECTIVES,
    CODE_NOUNS,
    COUNTRY_NAMES,
    ORIGINS,
    TECHNIQUES,
)
from fimihub.sim.narratives import NARRATIVES, Narrative
from fimihub.sim.pools import (
    clip,
    fill_pools,
    new_domain,
    new_hashtags,
    sample,
    unique_texts,
)
from fimihub.sim.text import light_edit

__all__ = ["OperationPlan", "WavePlan", "plan_operations"]

_DAY = 86_400
_EEA = tuple(COUNTRY_NAMES)  # the countries operations target
_OPERATOR_TYPES: tuple[OperatorType, ...] = (
    OperatorType.STATE,
    OperatorType.STATE_LINKED,
    OperatorType.COMMERCIAL_VENDOR,
    OperatorType.DOMESTIC_POLITICAL,
    OperatorType.UNKNOWN,
)
_OPERATOR_WEIGHTS = np.array([0.3, 0.25, 0.2, 0.15, 0.1])


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
    operator_type = _OPERATOR_TYPES[int(rng.choice(len(_OPERATOR_TYPES), p=_OPERATOR_WEIGHTS))]
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
    texts = unique_texts(rng, narratives, countries, clip(size / 3, 6, 60))
    waves = [
        WavePlan(
            wave=0,
            accounts=size,
            created_from=created_from,
            created_until=first_seen - 3600,
            active_from=first_seen,
            active_until=takedown,
            takedown_at=takedown,
            domains=[new_domain(rng, used) for _ in range(clip(2 + size / 15, 2, 40))],
            urls=[],
            hashtags=new_hashtags(rng, narratives, targets, used, name, clip(3 + size / 20, 3, 12), ()),
            combos=[],
            texts=texts,
            variants=[],
            images=random_hashes(rng, clip(size / 5, 3, 80)),
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
        kept = sample(rng, prev.domains, max(1, math.ceil(len(prev.domains) / 2)))
        fresh = [
            new_domain(rng, used, like=d) for d in sample(rng, prev.domains, max(1, len(prev.domains) // 2))
        ]
        new_tags = new_hashtags(
            rng, narratives, targets, used, name, max(2, len(prev.hashtags) // 2), prev.hashtags
        )
        reused_texts = sample(rng, prev.texts, clip(accounts / 3, min(6, len(prev.texts)), len(prev.texts)))
        pick = rng.choice(
            len(prev.images), size=clip(accounts / 5, min(3, len(prev.images)), len(prev.images))
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
                hashtags=sample(rng, prev.hashtags, math.ceil(len(prev.hashtags) / 2)) + new_tags,
                combos=[],
                texts=[light_edit(t, rng) for t in reused_texts],
                variants=[],
                images=flip_bits(rng, prev.images[np.unique(pick)], 4, 12),
            )
        )
    for w, wave in enumerate(waves):
        fill_pools(rng, wave, waves[w - 1] if w else None, narratives, countries)
    return waves
