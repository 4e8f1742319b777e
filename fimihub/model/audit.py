"""Audit events and the hash chain that makes the log tamper-evident.

Each event's hash covers its own content and the previous event's hash, so editing or deleting any event
breaks every later link. The genesis event links to :data:`GENESIS`.

The chain alone is unkeyed: whoever can write the store can edit an event and recompute every hash after it.
An :class:`AuditAnchor` closes that gap: a statement of the head ``(seq, hash)`` at a time, signed with an
Ed25519 key held outside the store and kept outside it too. A chain that no longer holds an anchored hash
was rewritten at or before the anchored event, however consistent its hashes are.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any, Final, Literal

from pydantic import Field

from fimihub import jsontext
from fimihub.model._base import Record, UtcDatetime

__all__ = ["ANCHOR_FORMAT", "GENESIS", "AuditAnchor", "AuditEvent", "chain_hash"]

#: The ``prev_hash`` of the first event.
GENESIS = "0" * 64
#: What an anchor says it is (its ``format`` member).
ANCHOR_FORMAT: Final = "fimihub-audit-anchor"
_HASH = r"^[0-9a-f]{64}$"


class AuditEvent(Record):
    """One change or disclosure: who did what to which record, when, and the link to the event before."""

    seq: int = Field(ge=1)
    at: UtcDatetime
    actor: str
    action: str = Field(max_length=100)
    subject_type: str = Field(max_length=100)
    subject_id: str | None = None
    detail: dict[str, Any] = Field(default_factory=dict)
    prev_hash: str = Field(pattern=_HASH)
    hash: str = Field(pattern=_HASH)

    def expected_hash(self) -> str:
        return chain_hash(
            self.prev_hash,
            self.seq,
            self.at,
            self.actor,
            self.action,
            self.subject_type,
            self.subject_id,
            self.detail,
        )


class AuditAnchor(Record):
    """A signed statement that the audit chain held event ``seq`` with hash ``hash`` at time ``at``.

    Written as a small JSON file (``fimihub audit anchor``, or ``GET /api/v1/audit/head`` signed with the
    hub's own key) and kept away from the store: by the operator, an auditor, peers. ``sig`` is an Ed25519
    signature (unpadded base64url) over :meth:`statement`, by the key that ``key_id`` names
    (``ed25519:`` and the first 16 bytes of the SHA-256 of the raw public key, in hex).
    """

    format: Literal["fimihub-audit-anchor"] = ANCHOR_FORMAT
    version: Literal[1] = 1
    seq: int = Field(ge=1)
    hash: str = Field(pattern=_HASH)
    at: UtcDatetime
    alg: Literal["Ed25519"] = "Ed25519"
    key_id: str = Field(pattern=r"^ed25519:[0-9a-f]{32}$")
    sig: str = Field(default="", pattern=r"^[A-Za-z0-9_-]*$")

    def to_json(self) -> dict[str, Any]:
        """The anchor as its file holds it; ``at`` is ISO 8601 to the microsecond, ``+00:00``."""
        return {
            "format": self.format,
            "version": self.version,
            "seq": self.seq,
            "hash": self.hash,
            "at": self.at.isoformat(timespec="microseconds"),
            "alg": self.alg,
            "key_id": self.key_id,
            "sig": self.sig,
        }

    def statement(self) -> bytes:
        """The bytes the signature covers: :meth:`to_json` without ``sig``, keys sorted, no white space,
        UTF-8. Anyone holding the file can rebuild them: drop ``sig`` and write the rest canonically."""
        unsigned = {k: v for k, v in self.to_json().items() if k != "sig"}
        return jsontext.canonical(unsigned).encode("utf-8")


def chain_hash(
    prev_hash: str,
    seq: int,
    at: datetime,
    actor: str,
    action: str,
    subject_type: str,
    subject_id: str | None,
    detail: dict[str, Any],
) -> str:
    """SHA-256 over the canonical JSON (:func:`fimihub.jsontext.canonical`) of the event's content and the
    previous hash; values JSON has no form for (a datetime in ``detail``) are written as their ``str()``."""
    body = jsontext.canonical(
        {
            "prev": prev_hash,
            "seq": seq,
            "at": at.isoformat(timespec="microseconds"),
            "actor": actor,
            "action": action,
            "subject_type": subject_type,
            "subject_id": subject_id,
            "detail": detail,
        },
        default=str,
    )
    return hashlib.sha256(body.encode("utf-8")).hexdigest()
