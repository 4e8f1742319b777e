"""The operation fingerprint as a value: what it holds, and its versioned JSON form.

:class:`OperationFingerprint` is immutable; every collection is a sorted tuple of canonical values, so two
fingerprints of the same traits are equal however they were built. Its JSON form (``"format":
"fimihub-fingerprint"``, ``"version": 1``) is what a forum shares: ``to_dict()`` writes it, ``from_dict()``
reads it back, checking every value against its kind and naming the first bad field (``urls[3]``). What
each field holds, and why none of it is personal data in clear, is told in
:mod:`fimihub.coordination.fingerprint`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from fimihub.coordination.features import check_digest
from fimihub.errors import ValidationError
from fimihub.matching import minhash
from fimihub.matching.index.pdq import parse_hashes
from fimihub.matching.kinds import SIGNAL_TYPES
from fimihub.model import SignalKind
from fimihub.vocab import platform as platform_slug

__all__ = ["FINGERPRINT_FORMAT", "FINGERPRINT_VERSION", "OperationFingerprint", "PostingRhythm"]

FINGERPRINT_FORMAT = "fimihub-fingerprint"
FINGERPRINT_VERSION = 1


@dataclass(frozen=True, slots=True)
class PostingRhythm:
    """When an operation posts: shares of its posts per hour of day (UTC, 24) and weekday (Monday first, 7),
    each summing to 1, over ``posts`` posts."""

    hours: tuple[float, ...]
    weekdays: tuple[float, ...]
    posts: int

    @classmethod
    def from_counts(cls, hours: Sequence[float], weekdays: Sequence[float]) -> PostingRhythm | None:
        """The rhythm of post counts per hour and weekday, or ``None`` when there are no posts."""
        total, days = float(sum(hours)), float(sum(weekdays))
        if total <= 0 or days <= 0:
            return None
        return cls(
            tuple(round(h / total, 6) for h in hours),
            tuple(round(d / days, 6) for d in weekdays),
            round(total),
        )

    def to_dict(self) -> dict[str, Any]:
        return {"hours": list(self.hours), "weekdays": list(self.weekdays), "posts": self.posts}

    @classmethod
    def from_dict(cls, data: object, where: str = "rhythm") -> PostingRhythm:
        if not isinstance(data, Mapping):
            raise ValidationError(where, "must be an object with hours, weekdays and posts")
        hours = _shares(data.get("hours"), 24, f"{where}.hours")
        weekdays = _shares(data.get("weekdays"), 7, f"{where}.weekdays")
        return cls(hours, weekdays, _count(data.get("posts"), f"{where}.posts"))


def _shares(value: object, size: int, where: str) -> tuple[float, ...]:
    if not isinstance(value, list) or len(value) != size:
        raise ValidationError(where, f"must be a list of {size} numbers")
    out = []
    for i, item in enumerate(value):
        if isinstance(item, bool) or not isinstance(item, int | float) or not math.isfinite(item) or item < 0:
            raise ValidationError(f"{where}[{i}]", "must be a number of at least 0")
        out.append(float(item))
    return tuple(out)


def _count(value: object, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValidationError(where, "must be a whole number of at least 0")
    return value


@dataclass(frozen=True)
class OperationFingerprint:
    """The traits of one disrupted operation that its returning accounts are likely to reuse.

    Every collection is a sorted tuple of canonical values (see the module docstring for what each holds).
    """

    operation: str
    accounts: int = 0
    posts: int = 0
    platforms: tuple[str, ...] = ()
    domains: tuple[str, ...] = ()
    urls: tuple[str, ...] = ()
    hashtags: tuple[str, ...] = ()
    pdq: tuple[str, ...] = ()
    text_signatures: tuple[str, ...] = ()
    handle_patterns: tuple[str, ...] = ()
    #: Names the key the handle patterns were made with (``None`` when there are none).
    pattern_key_id: str | None = None
    rhythm: PostingRhythm | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.operation, str) or not self.operation.strip():
            raise ValidationError("operation", "a fingerprint names its operation")
        for name in ("platforms", "domains", "urls", "hashtags", "pdq", "text_signatures", "handle_patterns"):
            object.__setattr__(self, name, tuple(sorted(set(getattr(self, name)))))

    @property
    def size(self) -> int:
        """How many values it holds, all kinds together."""
        return sum(
            len(v)
            for v in (
                self.domains,
                self.urls,
                self.hashtags,
                self.pdq,
                self.text_signatures,
                self.handle_patterns,
            )
        )

    def to_dict(self) -> dict[str, Any]:
        """The JSON-safe, versioned form (what a forum shares)."""
        return {
            "format": FINGERPRINT_FORMAT,
            "version": FINGERPRINT_VERSION,
            "operation": self.operation,
            "accounts": self.accounts,
            "posts": self.posts,
            "platforms": list(self.platforms),
            "domains": list(self.domains),
            "urls": list(self.urls),
            "hashtags": list(self.hashtags),
            "pdq": list(self.pdq),
            "text_signatures": list(self.text_signatures),
            "handle_patterns": list(self.handle_patterns),
            "pattern_key_id": self.pattern_key_id,
            "rhythm": self.rhythm.to_dict() if self.rhythm is not None else None,
        }

    @classmethod
    def from_dict(cls, data: object) -> OperationFingerprint:
        """Read :meth:`to_dict`'s form back; ``ValidationError`` names the first bad field (``urls[3]``)."""
        if not isinstance(data, Mapping):
            raise ValidationError("fingerprint", "must be a JSON object")
        if data.get("format") != FINGERPRINT_FORMAT:
            raise ValidationError("format", f"must be {FINGERPRINT_FORMAT!r}")
        if data.get("version") != FINGERPRINT_VERSION:
            raise ValidationError("version", f"version {data.get('version')!r} is not supported (only 1)")
        known = {
            "format", "version", "operation", "accounts", "posts", "platforms", "domains", "urls", "hashtags",
            "pdq", "text_signatures", "handle_patterns", "pattern_key_id", "rhythm",
        }  # fmt: skip
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValidationError(str(unknown[0]), "unknown fingerprint field")
        operation = data.get("operation")
        if not isinstance(operation, str) or not operation.strip():
            raise ValidationError("operation", "must be a non-empty string")
        key_id = data.get("pattern_key_id")
        if key_id is not None and not isinstance(key_id, str):
            raise ValidationError("pattern_key_id", "must be a string or null")
        patterns = _values(data, "handle_patterns", check_digest)
        if patterns and key_id is None:
            raise ValidationError("pattern_key_id", "handle patterns need the id of the key that made them")
        rhythm = data.get("rhythm")
        return cls(
            operation=operation,
            accounts=_count(data.get("accounts", 0), "accounts"),
            posts=_count(data.get("posts", 0), "posts"),
            platforms=_values(data, "platforms", platform_slug),
            domains=_values(data, "domains", SIGNAL_TYPES[SignalKind.DOMAIN].normalise),
            urls=_values(data, "urls", SIGNAL_TYPES[SignalKind.URL].normalise),
            hashtags=_values(data, "hashtags", SIGNAL_TYPES[SignalKind.HASHTAG].normalise),
            pdq=_values(data, "pdq", _pdq),
            text_signatures=_values(data, "text_signatures", lambda v: minhash.encode(minhash.decode(v))),
            handle_patterns=patterns,
            pattern_key_id=key_id,
            rhythm=PostingRhythm.from_dict(rhythm) if rhythm is not None else None,
        )


def _values(data: Mapping[str, Any], name: str, check: Callable[[str], str]) -> tuple[str, ...]:
    items = data.get(name, [])
    if not isinstance(items, list):
        raise ValidationError(name, "must be a list of strings")
    out = []
    for i, item in enumerate(items):
        if not isinstance(item, str):
            raise ValidationError(f"{name}[{i}]", "must be a string")
        try:
            out.append(check(item))
        except ValueError as error:
            raise ValidationError(f"{name}[{i}]", str(error)) from None
    return tuple(out)


def _pdq(value: str) -> str:
    text = value.strip().lower()
    parse_hashes([text])
    return text
