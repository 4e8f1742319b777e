"""The accounts of a world: benign users, their look-alike news fans, and every wave of every operation.

Accounts are laid out in one global order (benign, look-alikes, then each operation's waves in turn), so
an operation wave's accounts are one contiguous range that bursts can draw from. Operation accounts are
created in batches shortly before they act, with small followings and numbered handles; returning accounts
replace a removed account of the wave before, often under a renamed handle and sometimes on another platform.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from fimihub.sim.config import WorldConfig
from fimihub.sim.handles import (
    dedupe_handles,
    fit_handle,
    fit_handles,
    homoglyph_name,
    persona_handles,
    rename_handle,
)
from fimihub.sim.ids import scrambled_ids, seeded
from fimihub.sim.names import FIRST_NAMES, LAST_NAMES
from fimihub.sim.operations import OperationPlan

__all__ = ["BENIGN", "LOOKALIKE", "OPERATION", "Accounts", "plan_accounts"]

I64 = npt.NDArray[np.int64]
BENIGN, LOOKALIKE, OPERATION = 0, 1, 2
_YEAR = 365 * 86_400
# How popular each platform is among benign users (relative weights); unknown platforms get 0.1.
_POPULARITY = {"x": 0.3, "facebook": 0.35, "telegram": 0.15, "tiktok": 0.2, "instagram": 0.25, "youtube": 0.2}
# Handle shapes (see persona_handles) for ordinary users and for operators, who create accounts in bulk and
# leave the numbers the sign-up form suggested.
_STYLE_ORGANIC = np.array([0.2, 0.15, 0.15, 0.1, 0.1, 0.1, 0.1, 0.1])
_STYLE_BULK = np.array([0.1, 0.05, 0.05, 0.05, 0.2, 0.05, 0.3, 0.2])
_STREAM_NEW_PLATFORM = 31
_RENAMES = ("increment", "suffix", "lookalike")
_RENAME_WEIGHTS = np.array([0.4, 0.3, 0.3])


@dataclass(frozen=True)
class Accounts:
    """Every account, one row each, in the global order. Times are Unix seconds; ``-1`` means none."""

    kind: npt.NDArray[np.int8]  # BENIGN, LOOKALIKE or OPERATION
    platform: I64  # index into config.platforms
    account_id: pa.Array
    handle: pa.Array
    display_name: pa.Array
    created_at: I64
    followers: I64
    operation: I64  # operation index, -1 for benign and look-alike accounts
    wave: I64  # -1 unless an operation account
    key: I64  # (operation, wave) key into the plan's Waves, -1 unless an operation account
    removed_at: I64
    lookalike_of: I64  # the operation a look-alike echoes, else -1
    replaces: I64  # global index of the account a returning account replaces, else -1
    rename: pa.Array  # how a returning account's handle relates to the replaced one ("" otherwise)
    active_from: I64
    active_until: I64
    #: Posts of the account outside bursts. Zero only for benign users, who then get one empty row.
    posts: I64


def plan_accounts(
    config: WorldConfig, operations: list[OperationPlan], rng: np.random.Generator, start: int, end: int
) -> tuple[Accounts, list[int]]:
    """All accounts, and the first global index of each (operation, wave) key, in key order."""
    names = config.platforms
    weights = np.array([_POPULARITY.get(p, 0.1) for p in names])
    n_users = config.n_benign + config.n_lookalikes
    groups: list[_Group] = []

    # Ordinary users, many of whom joined years ago; some join during the simulated period (and are the
    # benign new accounts a resurgence detector must leave alone).
    late = rng.random(n_users) < 0.15
    created = np.where(
        late,
        rng.integers(start, max(start + 1, end - 7 * 86_400), n_users),
        rng.integers(start - 12 * _YEAR, start - 30 * 86_400, n_users),
    )
    handles, displays = _personas(rng, n_users, _STYLE_ORGANIC)
    mean = config.benign_posts_per_account
    posts = rng.negative_binomial(2, 2 / (2 + mean), n_users) if mean > 0 else np.zeros(n_users, np.int64)
    fans = config.n_lookalikes
    posts[config.n_benign :] = 1 + rng.poisson(max(config.lookalike_posts_per_account - 1, 0), fans)
    lookalike_of = np.full(n_users, -1)
    lookalike_of[config.n_benign :] = rng.integers(0, len(operations), fans)
    groups.append(
        _Group(
            handles,
            displays,
            None,
            kind=np.where(np.arange(n_users) < config.n_benign, BENIGN, LOOKALIKE),
            platform=rng.choice(len(names), size=n_users, p=weights / weights.sum()),
            created_at=created,
            followers=np.rint(rng.lognormal(5.0, 1.6, n_users)),
            operation=np.full(n_users, -1),
            wave=np.full(n_users, -1),
            key=np.full(n_users, -1),
            removed_at=np.full(n_users, -1),
            lookalike_of=lookalike_of,
            replaces=np.full(n_users, -1),
            active_from=np.maximum(start, created + 3600),
            active_until=np.full(n_users, end),
            posts=posts,
        )
    )

    acc_lo: list[int] = []
    solo = max(config.operation_posts_per_account * (1 - config.burst_share) - 1, 0)
    lo = n_users
    for op in operations:
        prev: tuple[_Group, int] | None = None
        seen: set[int] = set()
        for wave in op.waves:
            n = wave.accounts
            acc_lo.append(lo)
            common: dict[str, object] = {
                "kind": np.full(n, OPERATION),
                "created_at": rng.integers(wave.created_from, wave.created_until + 1, n),
                "operation": np.full(n, op.index),
                "wave": np.full(n, wave.wave),
                "key": np.full(n, len(acc_lo) - 1),
                "removed_at": np.full(n, wave.takedown_at if wave.takedown_at is not None else -1),
                "lookalike_of": np.full(n, -1),
                "active_from": np.full(n, wave.active_from),
                "active_until": np.full(n, wave.active_until),
                "posts": 1 + rng.poisson(solo, n),
            }
            group = (
                _originals(config, op, rng, n, common)
                if prev is None
                else _returning(config, rng, n, prev[0], prev[1], common, seen)
            )
            seen.update(group.arrays["platform"].tolist())
            groups.append(group)
            prev = (group, lo)
            lo += n
    return _assemble(config, groups, rng), acc_lo


class _Group:
    """A batch of accounts: strings as pyarrow arrays, the rest as numpy arrays (see :class:`Accounts`)."""

    def __init__(
        self, handles: pa.Array, displays: pa.Array, renames: list[str] | None, **arrays: object
    ) -> None:
        self.handles = handles
        self.displays = displays
        self.renames = pa.array(renames if renames is not None else [""] * len(handles), pa.string())
        self.arrays = {name: np.asarray(value, dtype=np.int64) for name, value in arrays.items()}


def _assemble(config: WorldConfig, groups: list[_Group], rng: np.random.Generator) -> Accounts:
    arrays = {name: np.concatenate([g.arrays[name] for g in groups]) for name in groups[0].arrays}
    platform = arrays["platform"]
    raw = pa.concat_arrays([g.handles for g in groups])
    unique = dedupe_handles(platform, fit_handles(raw, platform, config.platforms), config.platforms)
    salt = int(rng.integers(2**62))
    return Accounts(
        kind=arrays.pop("kind").astype(np.int8),
        account_id=scrambled_ids(np.arange(len(unique), dtype=np.int64), salt),
        handle=unique,
        display_name=pa.concat_arrays([g.displays for g in groups]),
        rename=pa.concat_arrays([g.renames for g in groups]),
        followers=np.maximum(arrays.pop("followers"), 0),
        **arrays,
    )


def _originals(
    config: WorldConfig, op: OperationPlan, rng: np.random.Generator, n: int, common: dict[str, object]
) -> _Group:
    platform_index = [config.platforms.index(p) for p in op.platforms]
    platform = np.asarray(platform_index)[rng.integers(0, len(platform_index), n)]
    handles, displays = _personas(rng, n, _STYLE_BULK)
    # Some accounts are "outlets": pages and channels named after the operation's sites (more so on Telegram).
    page_share = np.where(np.asarray(config.platforms)[platform] == "telegram", 0.4, 0.12)
    brands = [d.rsplit(".", 1)[0].replace("-", " ") for d in op.waves[0].domains]
    pages = rng.random(n) < page_share
    if pages.any():
        brand = np.asarray(brands, dtype=object)[rng.integers(0, len(brands), int(pages.sum()))]
        mask = pa.array(pages)
        handles = pc.replace_with_mask(
            handles, mask, pa.array([b.replace(" ", "") for b in brand], pa.string())
        )
        displays = pc.replace_with_mask(displays, mask, pa.array([b.title() for b in brand], pa.string()))
    return _Group(
        handles,
        displays,
        None,
        platform=platform,
        followers=np.rint(rng.lognormal(3.0, 1.2, n)),
        replaces=np.full(n, -1),
        **common,
    )


def unused_platforms(config: WorldConfig, seen: set[int]) -> list[int]:
    """Indices of the platforms of ``config`` not in ``seen``."""
    return [p for p in range(len(config.platforms)) if p not in seen]


def _returning(
    config: WorldConfig,
    rng: np.random.Generator,
    n: int,
    prev: _Group,
    prev_lo: int,
    common: dict[str, object],
    seen: set[int],
) -> _Group:
    local = rng.choice(len(prev.handles), size=n, replace=False)
    old_handles = prev.handles.take(pa.array(local)).to_pylist()
    old_displays = prev.displays.take(pa.array(local)).to_pylist()
    platform = prev.arrays["platform"][local].copy()
    count = len(config.platforms)
    if count > 1:
        # A migrating account moves to any other platform, not only those the operation used before.
        moving = rng.random(n) < config.migration_rate
        platform[moving] = (platform[moving] + rng.integers(1, count, int(moving.sum()))) % count
    unused = unused_platforms(config, seen)
    if config.new_platform_rate > 0 and unused:
        # A stream of its own, so that a world without this knob is drawn as before it existed.
        extra = seeded(config.seed, _STREAM_NEW_PLATFORM, int(np.asarray(common["key"])[0]))
        going = extra.random(n) < config.new_platform_rate
        platform[going] = np.asarray(unused)[extra.integers(0, len(unused), int(going.sum()))]
    renamed = rng.random(n) < config.rename_rate
    kinds = rng.choice(len(_RENAMES), size=n, p=_RENAME_WEIGHTS)
    fresh_handles, fresh_displays = _personas(rng, n, _STYLE_BULK)
    handles: list[str] = []
    displays: list[str] = []
    renames: list[str] = []
    fresh_handles_list, fresh_displays_list = fresh_handles.to_pylist(), fresh_displays.to_pylist()
    for i, (old_handle, old_display) in enumerate(zip(old_handles, old_displays, strict=True)):
        target = config.platforms[int(platform[i])]
        if renamed[i]:
            handle, kind = rename_handle(fit_handle(old_handle, target), target, _RENAMES[int(kinds[i])], rng)
            handles.append(handle)
            displays.append(old_display if rng.random() < 0.6 else homoglyph_name(old_display, rng))
        else:
            kind = "fresh"
            handles.append(fresh_handles_list[i])
            displays.append(fresh_displays_list[i])
        renames.append(kind)
    return _Group(
        pa.array(handles, pa.string()),
        pa.array(displays, pa.string()),
        renames,
        platform=platform,
        followers=np.rint(rng.lognormal(2.5, 1.0, n)),
        replaces=prev_lo + local,
        **common,
    )


def _personas(rng: np.random.Generator, n: int, styles: npt.NDArray[np.float64]) -> tuple[pa.Array, pa.Array]:
    """Raw handles (before platform rules) and display names of ``n`` invented people."""
    first = rng.integers(0, len(FIRST_NAMES), n)
    last = rng.integers(0, len(LAST_NAMES), n)
    year = rng.integers(1955, 2006, n)
    number = rng.integers(10, 10_000, n)
    style = rng.choice(len(styles), size=n, p=styles)
    handles = persona_handles(first, last, year, number, style)
    displays = pc.binary_join_element_wise(
        pa.array(FIRST_NAMES, pa.string()).take(pa.array(first)),
        pa.array(LAST_NAMES, pa.string()).take(pa.array(last)),
        " ",
    )
    return handles, displays
