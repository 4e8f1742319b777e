"""API tokens: random secrets shown once, stored only as a hash, scoped, expiring and revocable."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime
from enum import StrEnum

from pydantic import Field

from fimihub.model._base import Name, Record, UtcDatetime

__all__ = ["TOKEN_PREFIX", "ApiToken", "Scope", "hash_token", "new_token_secret"]

#: Every token starts with this, so secret scanners and people recognise one.
TOKEN_PREFIX = "fhk_"


class Scope(StrEnum):
    READ = "read"  # read records the member may see
    WRITE = "write"  # create and change records
    SHARE = "share"  # share records into forums
    ADMIN = "admin"  # manage organisations, members, forums and other members' tokens
    TOKEN = "token"  # issue tokens no broader and no longer-lived than this one


class ApiToken(Record):
    """The stored side of a token: never the secret, only its SHA-256."""

    id: str
    member_id: str
    name: Name = "token"
    token_hash: str = Field(pattern=r"^[0-9a-f]{64}$")
    scopes: frozenset[Scope]
    created_at: UtcDatetime
    expires_at: UtcDatetime
    revoked_at: UtcDatetime | None = None
    last_used_at: UtcDatetime | None = None
    #: The token that issued this one (None when the operator or a console session issued it). Revoking a
    #: token revokes every token it issued, and theirs.
    parent_id: str | None = None

    def usable_at(self, now: datetime) -> bool:
        return self.revoked_at is None and now < self.expires_at


def new_token_secret() -> str:
    """A fresh token secret: the prefix and 256 random bits, URL-safe."""
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def hash_token(secret: str) -> str:
    """The stored form of a token. Tokens carry 256 random bits, so a plain SHA-256 suffices (no salt)."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()
