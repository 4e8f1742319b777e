"""Forum keys: the secrets that key the pseudonyms (HMAC digests) of personal identifiers in a forum."""

from __future__ import annotations

from pydantic import Field

from fimihub.model._base import Record, UtcDatetime

__all__ = ["ForumKey"]


class ForumKey(Record):
    """One pseudonymisation key of a forum. ``id`` is the key's public fingerprint (``pk-…``), the value a
    forum shows as ``pseudonymisation_key_id``; ``secret`` is the key itself, hex, handed only to members."""

    id: str = Field(pattern=r"^pk-[0-9a-f]{16}$")
    forum_id: str
    secret: str = Field(pattern=r"^[0-9a-f]{64}$")
    created_at: UtcDatetime
    retired_at: UtcDatetime | None = None

    @property
    def key(self) -> bytes:
        return bytes.fromhex(self.secret)
