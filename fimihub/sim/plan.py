"""The skeleton of a world, fixed before any post is written: operations, accounts, bursts and work units.

Posts are generated later, unit by unit, each unit with its own seeded random stream (see ``posts``). Because
the plan knows how many rows every unit will produce, post ids and the total are known up front: the output is
the same whether it is built in memory or streamed in chunks of any size, and a progress bar knows its end.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from fimihub.sim.accounts import Accounts, plan_accounts
from fimihub.sim.adversarial import Adversary, disguise_returns, make_adversary
from fimihub.sim.config import WorldConfig
from fimihub.sim.ids import seeded
from fimihub.sim.images import Hashes, random_hashes
from fimihub.sim.operations import OperationPlan, plan_operations
from fimihub.sim.pools import JITTER_VARIANTS

__all__ = ["Bursts", "Plan", "Pools", "Unit", "Waves", "make_plan"]

I64 = npt.NDArray[np.int64]
_BLOCK_ACCOUNTS = 4096
_BLOCK_BURSTS = 1024
_LARGEST_BURST = 40


@dataclass(frozen=True)
class Waves:
    """One row per (operation, wave) "key": its accounts (a contiguous range) and its content pools."""

    op: I64
    wave: I64
    acc_lo: I64
    acc_n: I64
    active_from: I64
    active_until: I64
    text_lo: I64
    text_n: I64
    url_lo: I64
    url_n: I64
    combo_lo: I64
    combo_n: I64
    image_lo: I64
    image_n: I64
    #: First key of each operation; its waves follow in order.
    op_first: I64


@dataclass(frozen=True)
class Pools:
    """Every operation's content in flat arrays. Text ``j`` and its drifted copies are rows
    ``j * (JITTER_VARIANTS + 1) + v`` of ``texts`` (``v = 0`` the text itself)."""

    texts: pa.Array
    urls: pa.Array
    combos: pa.Array
    images: Hashes


@dataclass(frozen=True)
class Bursts:
    """Coordinated bursts, ordered by key and time: each is ``size`` accounts posting one object from
    ``start`` on, within the burst window."""

    key: I64
    start: I64
    size: I64


@dataclass(frozen=True)
class Unit:
    """A piece of work with its own random stream: a block of accounts' own posts, or a block of bursts."""

    kind: str  # "accounts" or "bursts"
    index: int
    lo: int
    hi: int
    rows: int
    row_offset: int


@dataclass(frozen=True)
class Plan:
    config: WorldConfig
    start: int
    end: int
    operations: list[OperationPlan]
    accounts: Accounts
    waves: Waves
    pools: Pools
    bursts: Bursts
    units: list[Unit]
    platform_names: pa.Array
    #: ``""`` then the operation ids, so ``labels.take(operation + 1)`` labels benign rows with ``""``.
    labels: pa.Array
    #: How many distinct news articles benign users link to, and the popular images ("memes") they share.
    articles: int
    memes: Hashes
    post_salt: int
    url_salt: int
    #: Trending events and amplifiers when the adversarial knobs ask for them (see ``adversarial``).
    adversary: Adversary | None = None

    @property
    def total_rows(self) -> int:
        return sum(u.rows for u in self.units)


def make_plan(config: WorldConfig) -> Plan:
    """The plan of the world ``config`` describes (deterministic in the config)."""
    start = int(config.start.timestamp())
    end = start + config.days * 86_400
    operations = plan_operations(config, seeded(config.seed, 1))
    disguise_returns(config, operations)
    accounts, acc_lo = plan_accounts(config, operations, seeded(config.seed, 2), start, end)
    waves, pools = _pools(operations, acc_lo)
    bursts = _bursts(config, waves, seeded(config.seed, 3))
    rng = seeded(config.seed, 4)
    memes = random_hashes(rng, max(20, round(100 * config.scale**0.5)))
    return Plan(
        config=config,
        start=start,
        end=end,
        operations=operations,
        accounts=accounts,
        waves=waves,
        pools=pools,
        bursts=bursts,
        units=_units(accounts, bursts),
        platform_names=pa.array(config.platforms, pa.string()),
        labels=pa.array(["", *(op.id for op in operations)], pa.string()),
        articles=max(200, round(2000 * config.scale)),
        memes=memes,
        post_salt=int(rng.integers(2**62)),
        url_salt=int(rng.integers(2**62)),
        adversary=make_adversary(config, operations, accounts.kind, start, end),
    )


def _pools(operations: list[OperationPlan], acc_lo: list[int]) -> tuple[Waves, Pools]:
    columns: dict[str, list[int]] = {name: [] for name in Waves.__dataclass_fields__ if name != "op_first"}
    texts: list[str] = []
    urls: list[str] = []
    combos: list[str] = []
    images: list[Hashes] = []
    op_first: list[int] = []
    image_count = 0
    for op in operations:
        op_first.append(len(columns["op"]))
        for wave in op.waves:
            key = len(columns["op"])
            row = {
                "op": op.index,
                "wave": wave.wave,
                "acc_lo": acc_lo[key],
                "acc_n": wave.accounts,
                "active_from": wave.active_from,
                "active_until": wave.active_until,
                "text_lo": len(texts) // (JITTER_VARIANTS + 1),
                "text_n": len(wave.texts),
                "url_lo": len(urls),
                "url_n": len(wave.urls),
                "combo_lo": len(combos),
                "combo_n": len(wave.combos),
                "image_lo": image_count,
                "image_n": len(wave.images),
            }
            for name, value in row.items():
                columns[name].append(value)
            for text, variants in zip(wave.texts, wave.variants, strict=True):
                texts.extend([text, *variants])
            urls.extend(wave.urls)
            combos.extend(wave.combos)
            images.append(wave.images)
            image_count += len(wave.images)
    arrays = {name: np.asarray(values, dtype=np.int64) for name, values in columns.items()}
    waves = Waves(**arrays, op_first=np.asarray(op_first, dtype=np.int64))
    pools = Pools(
        texts=pa.array(texts, pa.string()),
        urls=pa.array(urls, pa.string()),
        combos=pa.array(combos, pa.string()),
        images=np.concatenate(images) if images else np.zeros((0, 32), dtype=np.uint8),
    )
    return waves, pools


def _bursts(config: WorldConfig, waves: Waves, rng: np.random.Generator) -> Bursts:
    keys: list[I64] = []
    starts: list[I64] = []
    sizes: list[I64] = []
    window = config.burst_window_s
    for k in range(len(waves.op)):
        accounts = int(waves.acc_n[k])
        slots = round(accounts * config.operation_posts_per_account * config.burst_share)
        if slots <= 0:
            continue
        largest = min(accounts, _LARGEST_BURST)
        draw = np.clip(np.rint(rng.lognormal(np.log(6.0), 0.45, slots // 3 + 2)), 3, largest).astype(np.int64)
        # Bursts until the slots are filled: the burst that crosses the line is the last.
        count = int(np.searchsorted(np.cumsum(draw), slots)) + 1
        size = draw[: min(count, len(draw))]
        latest = max(int(waves.active_from[k]), int(waves.active_until[k]) - window - 1)
        start = np.sort(rng.integers(int(waves.active_from[k]), latest + 1, len(size)))
        keys.append(np.full(len(size), k, dtype=np.int64))
        starts.append(start.astype(np.int64))
        sizes.append(size)
    if not keys:
        empty = np.zeros(0, dtype=np.int64)
        return Bursts(empty, empty, empty)
    return Bursts(np.concatenate(keys), np.concatenate(starts), np.concatenate(sizes))


def _units(accounts: Accounts, bursts: Bursts) -> list[Unit]:
    units: list[Unit] = []
    offset = 0
    rows_per_account = np.maximum(accounts.posts, 1)
    for index, lo in enumerate(range(0, len(accounts.posts), _BLOCK_ACCOUNTS)):
        hi = min(lo + _BLOCK_ACCOUNTS, len(accounts.posts))
        rows = int(rows_per_account[lo:hi].sum())
        units.append(Unit("accounts", index, lo, hi, rows, offset))
        offset += rows
    for index, lo in enumerate(range(0, len(bursts.size), _BLOCK_BURSTS)):
        hi = min(lo + _BLOCK_BURSTS, len(bursts.size))
        rows = int(bursts.size[lo:hi].sum())
        units.append(Unit("bursts", index, lo, hi, rows, offset))
        offset += rows
    return units
