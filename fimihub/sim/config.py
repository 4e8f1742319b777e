"""What a simulated world looks like: the one frozen :class:`WorldConfig` every generator function reads.

Sizes are given for ``scale=1`` (a few thousand posts, handy in tests) and multiplied by ``scale``. Benign
accounts grow linearly with the scale. Operations grow with the square root of the scale in both number and
size, so their share of the world stays the same while a large world holds many operations of realistic size
rather than five giant ones.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field, fields, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from fimihub.errors import ValidationError
from fimihub.vocab import platform

__all__ = ["ADVERSARIAL_KNOBS", "DEFAULT_PLATFORMS", "WorldConfig"]

#: The knobs that make a world harder for resurgence detection; all are rates, 0 (off) by default.
ADVERSARIAL_KNOBS: tuple[str, ...] = (
    "blend_rate",
    "trending_share",
    "amplifier_rate",
    "rebrand_rate",
    "heavy_edit_rate",
    "tld_swap_rate",
    "new_platform_rate",
)

#: The platforms a default world spans.
DEFAULT_PLATFORMS: tuple[str, ...] = ("x", "facebook", "telegram", "tiktok")

# The smallest sizes that still make a meaningful operation: a burst needs three accounts.
_MIN_OP_ACCOUNTS = 6
_MIN_RETURNING = 3


def _default_start() -> datetime:
    return datetime(2024, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class WorldConfig:
    """The knobs of a simulated world. Equal configs give identical worlds.

    Every ``*_accounts`` and ``*_per_account`` number is for ``scale=1``; see the module docstring for how the
    scale applies. Rates are probabilities in ``[0, 1]``.
    """

    seed: int = 0
    scale: float = 1.0
    platforms: tuple[str, ...] = DEFAULT_PLATFORMS
    #: Number of influence operations at ``scale <= 1``.
    operations: int = 5
    benign_accounts: int = 1000
    #: Benign news fans who share operations' links and hashtags now and then (false-positive bait).
    lookalike_accounts: int = 30
    #: Accounts of an average operation's first wave at ``scale=1``.
    accounts_per_operation: int = 25
    start: datetime = field(default_factory=_default_start)
    days: int = 180
    benign_posts_per_account: float = 6.0
    lookalike_posts_per_account: float = 8.0
    operation_posts_per_account: float = 10.0
    #: Share of an operation's posts made in coordinated bursts; the rest are posted one by one.
    burst_share: float = 0.8
    #: Longest time between the first and the last post of a burst, in seconds.
    burst_window_s: int = 600
    #: Returning waves after the first takedown; wave ``w`` is taken down before wave ``w + 1`` appears.
    waves: int = 1
    #: Accounts in a returning wave, as a share of the wave it replaces.
    returning_fraction: float = 0.6
    #: Share of returning accounts that reappear on another platform than the account they replace.
    migration_rate: float = 0.25
    #: Share of returning accounts whose handle is a rename of the one they replace (the rest start afresh).
    rename_rate: float = 0.7

    # -- adversarial knobs (all off by default: a default world is the same as before they existed) --------
    #: Share of operation posts that also carry popular hashtags (#news, #breaking, #fyp) and a link to a
    #: popular mainstream news article, to blend in; in a burst every participant carries the same ones.
    blend_rate: float = 0.0
    #: Share of ordinary users' posts made in trending bursts: many accounts posting the same popular link
    #: and hashtag within minutes of each other.
    trending_share: float = 0.0
    #: Share of ordinary users who are organic amplifiers: they post on an operation's topics (its narrative
    #: hashtags) and reshare one or two of its original wave's links or images, once or twice.
    amplifier_rate: float = 0.0
    #: Share of operations whose returning waves rebrand: all-new outlets and hashtags, no old article.
    rebrand_rate: float = 0.0
    #: Share of a returning wave's texts that are heavily reworded (about a third of the words edited).
    heavy_edit_rate: float = 0.0
    #: Share of a returning wave's kept outlets that move to the same name under a new top-level domain.
    tld_swap_rate: float = 0.0
    #: Share of returning accounts that move to a platform none of the operation's earlier accounts used.
    new_platform_rate: float = 0.0

    def __post_init__(self) -> None:
        if self.start.tzinfo is None:
            object.__setattr__(self, "start", self.start.replace(tzinfo=UTC))
        else:
            object.__setattr__(self, "start", self.start.astimezone(UTC))
        try:
            canonical = tuple(platform(p) for p in self.platforms)
        except ValueError as exc:
            raise ValidationError("platforms", str(exc)) from None
        if not canonical or len(set(canonical)) != len(canonical):
            raise ValidationError("platforms", "needs at least one platform, each named once")
        object.__setattr__(self, "platforms", canonical)
        if not (math.isfinite(self.scale) and self.scale > 0):
            raise ValidationError("scale", "must be a positive number")
        if not 0 <= self.seed < 2**63:
            raise ValidationError("seed", "must be in 0 .. 2**63 - 1")
        for name in ("operations", "days", "burst_window_s"):
            if getattr(self, name) < 1:
                raise ValidationError(name, "must be at least 1")
        for name in ("benign_accounts", "lookalike_accounts", "accounts_per_operation", "waves"):
            if getattr(self, name) < 0:
                raise ValidationError(name, "must not be negative")
        for name in (
            "benign_posts_per_account",
            "lookalike_posts_per_account",
            "operation_posts_per_account",
        ):
            if not getattr(self, name) >= 0:
                raise ValidationError(name, "must not be negative")
        for name in (
            "burst_share",
            "returning_fraction",
            "migration_rate",
            "rename_rate",
            *ADVERSARIAL_KNOBS,
        ):
            if not 0 <= getattr(self, name) <= 1:
                raise ValidationError(name, "must be between 0 and 1")
        if self.waves > 12:
            raise ValidationError("waves", "at most 12 (each wave needs time to act before the next)")
        if self.days * 86400 < 40 * self.burst_window_s:
            raise ValidationError("days", "the world is too short for its burst window")

    # -- derived sizes -------------------------------------------------------------------------------------

    @property
    def n_operations(self) -> int:
        """Operations in the world: ``operations``, times the square root of the scale above ``scale=1``."""
        return max(1, round(self.operations * math.sqrt(max(self.scale, 1.0))))

    @property
    def n_benign(self) -> int:
        return round(self.benign_accounts * self.scale)

    @property
    def n_lookalikes(self) -> int:
        return round(self.lookalike_accounts * self.scale)

    @property
    def operation_size(self) -> float:
        """First-wave accounts of an average operation (before each operation's own size factor)."""
        total = self.accounts_per_operation * self.operations * self.scale
        return max(float(_MIN_OP_ACCOUNTS), total / self.n_operations)

    @property
    def min_operation_accounts(self) -> int:
        return _MIN_OP_ACCOUNTS

    @property
    def min_returning_accounts(self) -> int:
        return _MIN_RETURNING

    @property
    def end(self) -> datetime:
        return self.start + timedelta(days=self.days)

    def expected_posts(self) -> int:
        """Roughly how many rows a world of this config has (within a few per cent at large scales)."""
        benign = self.n_benign * max(self.benign_posts_per_account, 1.0)
        lookalike = self.n_lookalikes * max(self.lookalike_posts_per_account, 1.0)
        waves = sum(self.returning_fraction**w for w in range(self.waves + 1))
        ops = self.n_operations * self.operation_size * waves * max(self.operation_posts_per_account, 1.0)
        return round(benign + lookalike + ops)

    @classmethod
    def for_posts(cls, posts: int, **changes: Any) -> WorldConfig:
        """A config (default knobs, overridden by ``changes``) whose world has about ``posts`` rows."""
        if posts < 1:
            raise ValidationError("posts", "must be at least 1")
        changes.pop("scale", None)
        base = cls(**changes)
        return cls(**{**changes, "scale": max(posts / base.expected_posts(), 1e-3)})

    # -- serialisation (truth.json carries the config that made it) ---------------------------------------

    @property
    def adversarial(self) -> bool:
        """Whether any adversarial knob is on."""
        return any(getattr(self, name) > 0 for name in ADVERSARIAL_KNOBS)

    def with_knobs(self, rate: float = 0.3, **changes: Any) -> WorldConfig:
        """This config with every adversarial knob at ``rate`` (then ``changes`` applied)."""
        return replace(self, **{**dict.fromkeys(ADVERSARIAL_KNOBS, rate), **changes})

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        # Knobs that are off are left out, so a default world's truth.json reads as it did before them.
        for name in ADVERSARIAL_KNOBS:
            if data[name] == 0:
                del data[name]
        data["start"] = self.start.isoformat()
        data["platforms"] = list(self.platforms)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> WorldConfig:
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValidationError(unknown[0], "unknown world config field")
        values = dict(data)
        if isinstance(values.get("start"), str):
            values["start"] = datetime.fromisoformat(values["start"])
        if "platforms" in values:
            values["platforms"] = tuple(values["platforms"])
        return cls(**values)
