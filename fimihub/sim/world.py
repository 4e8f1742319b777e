"""Generating a world: :func:`generate` builds one in memory; :func:`iter_posts` streams its posts in chunks.

Both run the same plan and the same work units in the same order, so a streamed world has exactly the rows
of the in-memory one, whatever the chunk size. The ground truth's observed figures (posts per wave, first and
last seen) are gathered while the posts are made.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from fimihub.errors import ValidationError
from fimihub.sim.accounts import LOOKALIKE
from fimihub.sim.config import WorldConfig
from fimihub.sim.images import to_hex
from fimihub.sim.plan import Plan, make_plan
from fimihub.sim.posts import UnitPosts, unit_posts
from fimihub.sim.schema import ACCOUNTS_SCHEMA, POSTS_SCHEMA, timestamps
from fimihub.sim.truth import SimOperation, SimReturn, SimTruth, SimWave
from fimihub.vocab import EEA

__all__ = [
    "DEFAULT_CHUNK_ROWS",
    "Generation",
    "World",
    "accounts_table",
    "build_truth",
    "generate",
    "iter_posts",
]

DEFAULT_CHUNK_ROWS = 250_000
_NEVER = np.iinfo(np.int64).max


@dataclass(frozen=True)
class World:
    """A generated world: ``posts`` in the platform export format (plus ``operation``), ``accounts`` (see
    :data:`~fimihub.sim.schema.ACCOUNTS_SCHEMA`), and the ground ``truth``."""

    config: WorldConfig
    posts: pa.Table
    accounts: pa.Table
    truth: SimTruth


def generate(config: WorldConfig | None = None) -> World:
    """The world ``config`` describes, in memory (meant for up to a few million posts)."""
    generation = Generation(config or WorldConfig())
    tables = list(generation.tables())
    posts = pa.concat_tables(tables) if tables else POSTS_SCHEMA.empty_table()
    return World(generation.config, posts, generation.accounts(), generation.truth())


def iter_posts(config: WorldConfig, *, chunk_rows: int = DEFAULT_CHUNK_ROWS) -> Iterator[pa.Table]:
    """The posts of the world ``config`` describes, in tables of ``chunk_rows`` rows (the last one shorter).

    Only about one chunk is held at a time. The rows are those of ``generate(config).posts``, in order.
    """
    return Generation(config).chunks(chunk_rows)


class Generation:
    """One run of the generator: the plan, then the posts unit by unit, then the ground truth.

    :meth:`truth` is available once :meth:`tables` (or :meth:`chunks`) has been consumed to the end, because
    the truth records what was actually posted.
    """

    def __init__(self, config: WorldConfig) -> None:
        self.config = config
        self.plan = make_plan(config)
        self._stats = _Stats(len(self.plan.waves.op))
        self._done = False

    @property
    def total_rows(self) -> int:
        return self.plan.total_rows

    def accounts(self) -> pa.Table:
        return accounts_table(self.plan)

    def tables(self) -> Iterator[pa.Table]:
        """Each work unit's posts, in order (from a few hundred rows to tens of thousands each)."""
        for unit in self.plan.units:
            part = unit_posts(self.plan, unit)
            self._stats.add(part)
            yield part.table
        self._done = True

    def chunks(self, chunk_rows: int) -> Iterator[pa.Table]:
        """The posts in tables of exactly ``chunk_rows`` rows, the last one shorter."""
        if chunk_rows < 1:
            raise ValidationError("chunk_rows", "must be at least 1")
        pending: list[pa.Table] = []
        held = 0
        for table in self.tables():
            pending.append(table)
            held += table.num_rows
            while held >= chunk_rows:
                merged = pa.concat_tables(pending)
                yield merged.slice(0, chunk_rows)
                rest = merged.slice(chunk_rows)
                pending, held = [rest], rest.num_rows
        if held:
            yield pa.concat_tables(pending)

    def truth(self) -> SimTruth:
        if not self._done:
            raise RuntimeError("the ground truth is known once every post has been generated")
        return build_truth(self.plan, self._stats)


class _Stats:
    """Posts, first and last post time of each operation wave, as observed."""

    def __init__(self, keys: int) -> None:
        self.count = np.zeros(keys, dtype=np.int64)
        self.first = np.full(keys, _NEVER, dtype=np.int64)
        self.last = np.full(keys, -1, dtype=np.int64)

    def add(self, part: UnitPosts) -> None:
        np.add.at(self.count, part.keys, 1)
        np.minimum.at(self.first, part.keys, part.times)
        np.maximum.at(self.last, part.keys, part.times)


def _time(seconds: int) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


def build_truth(plan: Plan, stats: _Stats) -> SimTruth:
    accounts, waves = plan.accounts, plan.waves
    names = plan.config.platforms
    operations: list[SimOperation] = []
    for op in plan.operations:
        first_key = int(waves.op_first[op.index])
        sim_waves: list[SimWave] = []
        for wave in op.waves:
            k = first_key + wave.wave
            lo = int(waves.acc_lo[k])
            used = sorted({names[p] for p in np.unique(accounts.platform[lo : lo + wave.accounts]).tolist()})
            sim_waves.append(
                SimWave(
                    wave=wave.wave,
                    accounts=wave.accounts,
                    posts=int(stats.count[k]),
                    platforms=tuple(used),
                    created_from=_time(wave.created_from),
                    created_until=_time(wave.created_until),
                    active_from=_time(wave.active_from),
                    active_until=_time(wave.active_until),
                    takedown_at=None if wave.takedown_at is None else _time(wave.takedown_at),
                    domains=tuple(wave.domains),
                    urls=tuple(wave.urls),
                    hashtags=tuple(wave.hashtags),
                    image_hashes=tuple(to_hex(wave.images).to_pylist()),
                    text_samples=tuple(wave.texts),
                )
            )
        keys = slice(first_key, first_key + len(op.waves))
        seen = stats.count[keys] > 0
        first = int(stats.first[keys][seen].min()) if seen.any() else op.waves[0].active_from
        last = int(stats.last[keys][seen].max()) if seen.any() else op.waves[0].active_from
        takedown = op.waves[0].takedown_at
        assert takedown is not None  # the first wave is always taken down
        operations.append(
            SimOperation(
                id=op.id,
                name=op.name,
                aliases=op.aliases,
                origin_countries=op.origin,
                target_countries=op.targets,
                operator_type=op.operator_type,
                narratives=tuple(n.title for n in op.narratives),
                techniques=op.techniques,
                platforms=tuple(sorted({p for w in sim_waves for p in w.platforms})),
                domains=_union(w.domains for w in sim_waves),
                urls=_union(w.urls for w in sim_waves),
                hashtags=_union(w.hashtags for w in sim_waves),
                image_hashes=_union(w.image_hashes for w in sim_waves),
                text_samples=sim_waves[0].text_samples,
                first_seen=_time(first),
                last_seen=_time(last),
                takedown_at=_time(takedown),
                affected_member_states=tuple(c for c in op.targets if c in EEA),
                waves=tuple(sim_waves),
            )
        )
    return SimTruth(
        config=plan.config,
        operations=tuple(operations),
        returning=_returning(plan),
        posts=plan.total_rows,
        accounts=len(accounts.posts),
    )


def _union(groups: Iterable[tuple[str, ...]]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(item for group in groups for item in group))


def _returning(plan: Plan) -> tuple[SimReturn, ...]:
    accounts = plan.accounts
    rows = np.flatnonzero(accounts.wave > 0)
    replaced = accounts.replaces[rows]
    names = plan.config.platforms
    ids = accounts.account_id.take(pa.array(rows)).to_pylist()
    replaced_ids = accounts.account_id.take(pa.array(replaced)).to_pylist()
    renames = accounts.rename.take(pa.array(rows)).to_pylist()
    op_ids = [op.id for op in plan.operations]
    return tuple(
        SimReturn(
            platform=names[int(accounts.platform[r])],
            account_id=ids[i],
            operation=op_ids[int(accounts.operation[r])],
            wave=int(accounts.wave[r]),
            replaces_platform=names[int(accounts.platform[replaced[i]])],
            replaces_account_id=replaced_ids[i],
            rename=renames[i],
        )
        for i, r in enumerate(rows.tolist())
    )


def accounts_table(plan: Plan) -> pa.Table:
    """One row per account, with its operation, wave, removal and look-alike labels."""
    accounts = plan.accounts
    has = accounts.replaces >= 0
    replaced = pa.array(np.where(has, accounts.replaces, 0))
    mask = pa.array(has)
    columns = [
        plan.platform_names.take(pa.array(accounts.platform)),
        accounts.account_id,
        accounts.handle,
        accounts.display_name,
        timestamps(accounts.created_at),
        pa.array(accounts.followers, pa.int64()),
        plan.labels.take(pa.array(accounts.operation + 1)),
        pa.array(accounts.wave.astype(np.int16), pa.int16(), mask=accounts.wave < 0),
        timestamps(accounts.removed_at, accounts.removed_at < 0),
        pa.array(accounts.kind == LOOKALIKE),
        plan.labels.take(pa.array(accounts.lookalike_of + 1)),
        pc.if_else(mask, plan.platform_names.take(pa.array(accounts.platform)).take(replaced), ""),
        pc.if_else(mask, accounts.account_id.take(replaced), ""),
        accounts.rename,
    ]
    return pa.Table.from_arrays(columns, schema=ACCOUNTS_SCHEMA)
