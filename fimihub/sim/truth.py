"""Ground truth of a simulated world: the operations as they really were, and who came back as whom.

Evaluations (PDQ and text matching, co-action detection, resurgence scoring) compare what a detector found
with this. It is also written next to the posts as ``truth.json``, whose shape is named and versioned
(``"format": "fimihub-sim-truth", "version": 1``) so that files written today stay readable.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from fimihub.errors import ValidationError
from fimihub.model import Operation, OperationStatus, OperatorType
from fimihub.sim.config import WorldConfig

__all__ = ["TRUTH_FORMAT", "TRUTH_VERSION", "SimOperation", "SimReturn", "SimTruth", "SimWave"]

TRUTH_FORMAT = "fimihub-sim-truth"
TRUTH_VERSION = 1


@dataclass(frozen=True)
class SimWave:
    """One generation of an operation's accounts: wave 0 is the original network, 1.. the returns.

    ``takedown_at`` is when the platforms removed this wave (``None`` for the last wave, still active when the
    world ends). The content lists are what this wave posted; later waves reuse part of the earlier ones.
    """

    wave: int
    accounts: int
    posts: int
    platforms: tuple[str, ...]
    created_from: datetime
    created_until: datetime
    active_from: datetime
    active_until: datetime
    takedown_at: datetime | None
    domains: tuple[str, ...]
    urls: tuple[str, ...]
    hashtags: tuple[str, ...]
    image_hashes: tuple[str, ...]
    text_samples: tuple[str, ...]


@dataclass(frozen=True)
class SimOperation:
    """An influence operation as the simulator made it.

    The content fields (``domains`` … ``image_hashes``) are the union over all waves; ``text_samples`` are the
    original wave's texts, which returning waves edit lightly. ``takedown_at`` is the first takedown (of wave
    0); ``first_seen`` and ``last_seen`` are the times of its first and last post.
    """

    id: str
    name: str
    aliases: tuple[str, ...]
    origin_countries: tuple[str, ...]
    target_countries: tuple[str, ...]
    operator_type: OperatorType
    narratives: tuple[str, ...]
    techniques: tuple[str, ...]
    platforms: tuple[str, ...]
    domains: tuple[str, ...]
    urls: tuple[str, ...]
    hashtags: tuple[str, ...]
    image_hashes: tuple[str, ...]
    text_samples: tuple[str, ...]
    first_seen: datetime
    last_seen: datetime
    takedown_at: datetime
    affected_member_states: tuple[str, ...]
    waves: tuple[SimWave, ...]

    @property
    def accounts_per_wave(self) -> tuple[int, ...]:
        return tuple(w.accounts for w in self.waves)

    def to_operation(self, owner_org: str, **changes: Any) -> Operation:
        """This operation as a domain :class:`~fimihub.model.Operation` (disrupted), e.g. to seed a demo hub.

        The id is derived from the simulated id, so seeding twice gives the same records.
        """
        values: dict[str, Any] = {
            "id": f"operation--{uuid.uuid5(uuid.NAMESPACE_URL, f'fimihub-sim:{self.id}')}",
            "owner_org": owner_org,
            "name": self.name,
            "aliases": self.aliases,
            "status": OperationStatus.DISRUPTED,
            "origin_countries": self.origin_countries,
            "target_countries": self.target_countries,
            "operator_type": self.operator_type,
            "narratives": self.narratives,
            "techniques": self.techniques,
            "first_seen": self.first_seen,
            "last_seen": self.last_seen,
        }
        values.update(changes)
        return Operation(**values)


@dataclass(frozen=True)
class SimReturn:
    """A returning account: which operation and wave it belongs to, and the account it replaces.

    ``rename`` says how its handle relates to the replaced one's (see
    :data:`fimihub.sim.handles.RENAME_KINDS`).
    """

    platform: str
    account_id: str
    operation: str
    wave: int
    replaces_platform: str
    replaces_account_id: str
    rename: str


@dataclass(frozen=True)
class SimTruth:
    """Everything a simulated world's evaluation needs to know that the posts do not say."""

    config: WorldConfig
    operations: tuple[SimOperation, ...]
    returning: tuple[SimReturn, ...]
    posts: int
    accounts: int

    def operation(self, operation_id: str) -> SimOperation:
        for op in self.operations:
            if op.id == operation_id:
                return op
        raise KeyError(operation_id)

    # -- JSON ------------------------------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": TRUTH_FORMAT,
            "version": TRUTH_VERSION,
            "config": self.config.to_dict(),
            "posts": self.posts,
            "accounts": self.accounts,
            "operations": [_operation_dict(op) for op in self.operations],
            "returning": [
                [
                    r.platform,
                    r.account_id,
                    r.operation,
                    r.wave,
                    r.replaces_platform,
                    r.replaces_account_id,
                    r.rename,
                ]
                for r in self.returning
            ],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SimTruth:
        if data.get("format") != TRUTH_FORMAT:
            raise ValidationError("format", f"not a {TRUTH_FORMAT} document")
        if data.get("version") != TRUTH_VERSION:
            raise ValidationError("version", f"unsupported version {data.get('version')!r}")
        try:
            return cls(
                config=WorldConfig.from_dict(data["config"]),
                operations=tuple(_operation_from(op) for op in data["operations"]),
                returning=tuple(
                    SimReturn(str(p), str(a), str(o), int(w), str(rp), str(ra), str(k))
                    for p, a, o, w, rp, ra, k in data["returning"]
                ),
                posts=int(data["posts"]),
                accounts=int(data["accounts"]),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ValidationError("truth", f"malformed truth document: {exc}") from None


_TIMES = (
    "created_from",
    "created_until",
    "active_from",
    "active_until",
    "takedown_at",
    "first_seen",
    "last_seen",
)


def _encode(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, tuple):
        return [_encode(v) for v in value]
    return value


def _operation_dict(op: SimOperation) -> dict[str, Any]:
    data = {name: _encode(getattr(op, name)) for name in op.__dataclass_fields__ if name != "waves"}
    data["operator_type"] = op.operator_type.value
    data["waves"] = [{name: _encode(getattr(w, name)) for name in w.__dataclass_fields__} for w in op.waves]
    return data


def _decode(data: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in data.items():
        if key in _TIMES:
            out[key] = None if value is None else datetime.fromisoformat(value)
        elif isinstance(value, list):
            out[key] = tuple(value)
        else:
            out[key] = value
    return out


def _operation_from(data: dict[str, Any]) -> SimOperation:
    values = _decode({k: v for k, v in data.items() if k != "waves"})
    values["operator_type"] = OperatorType(values["operator_type"])
    values["waves"] = tuple(SimWave(**_decode(w)) for w in data["waves"])
    return SimOperation(**values)
