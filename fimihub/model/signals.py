"""Signals: what others can look for on their own services.

A signal is a kind plus a value that travels as a string (hex for hashes), as in ThreatExchange. This module
checks the value's basic shape per kind; normalisation and comparison live in :mod:`fimihub.matching`.
"""

from __future__ import annotations

import re
from enum import StrEnum

from pydantic import Field, model_validator

from fimihub.model._base import Governed
from fimihub.model.types import Confidence

__all__ = ["MAX_SIGNAL_VALUE", "Signal", "SignalKind"]

#: Longest signal value, in characters (a MinHash text signature is the longest kind).
MAX_SIGNAL_VALUE = 8192


class SignalKind(StrEnum):
    DOMAIN = "domain"
    URL = "url"
    HANDLE = "handle"
    HASHTAG = "hashtag"
    PHRASE = "phrase"
    ACCOUNT_ID = "account_id"
    EMAIL = "email"
    PHONE = "phone"
    PDQ = "pdq"
    MD5 = "md5"
    SHA256 = "sha256"
    TEXT = "text"

    @property
    def personal(self) -> bool:
        """Kinds that identify a person and travel only as keyed hashes (HMAC with the forum's key)."""
        return self in {SignalKind.ACCOUNT_ID, SignalKind.EMAIL, SignalKind.PHONE}


_HEX_LENGTH = {SignalKind.PDQ: 64, SignalKind.MD5: 32, SignalKind.SHA256: 64}
_HEX = re.compile(r"^[0-9a-f]+$")


class Signal(Governed):
    """Something others can look for, with confidence, markings and expiry."""

    kind: SignalKind
    value: str = Field(min_length=1, max_length=MAX_SIGNAL_VALUE)
    confidence: Confidence = 50
    operation_id: str | None = None
    #: For ``handle`` signals: the platform the handle lives on.
    platform: str | None = Field(default=None, max_length=63)
    #: For ``pdq``: the hash's quality (0..100) as the hasher reported it.
    quality: int | None = Field(default=None, ge=0, le=100)
    description: str = Field(default="", max_length=2000)
    revoked: bool = False
    #: Warning lists (well-known domains, public resolvers, …) the value is on: such a signal is not matched
    #: automatically, because it would hit far more than the operation.
    warning_lists: tuple[str, ...] = Field(default=(), max_length=100)

    @model_validator(mode="after")
    def _value_fits_kind(self) -> Signal:
        if self.kind in _HEX_LENGTH or self.kind.personal:
            value = self.value.strip().lower()
            expected = _HEX_LENGTH.get(self.kind, 64)
            if len(value) != expected or not _HEX.match(value):
                what = "a keyed hash (HMAC-SHA256)" if self.kind.personal else self.kind.value
                raise ValueError(f"value: {what} must be {expected} hex digits")
            if value != self.value:
                object.__setattr__(self, "value", value)
        elif not self.value.strip():
            raise ValueError("value: must not be blank")
        return self
