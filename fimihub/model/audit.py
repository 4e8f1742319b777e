"""Audit events and the hash chain that makes the log tamper-evident.

Each event's hash covers its own content and the previous event's hash, so editing or deleting any event
breaks every later link. The genesis event links to :data:`GENESIS`.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any

from pydantic import Field

from fimihub.model._base import Record, UtcDatetime

__all__ = ["GENESIS", "AuditEvent", "chain_hash"]

#: The ``prev_hash`` of the first event.
GENESIS = "0" * 64


class AuditEvent(Record):
    """One change or disclosure: who did what to which record, when, and the link to the event before."""

    seq: int = Field(ge=1)
    at: UtcDatetime
    actor: str
    action: str = Field(max_length=100)
    subject_type: str = Field(max_length=100)
    subject_id: str | None = None
    detail: dict[str, Any] = Field(default_factory=dict)
    prev_hash: str = Field(pattern=r"^[0-9a-f]{64}$")
    hash: str = Field(pattern=r"^[0-9a-f]{64}$")

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
    """SHA-256 over a canonical JSON of the event's content and the previous hash."""
    body = json.dumps(
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
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        default=str,
    )
    return hashlib.sha256(body.encode("utf-8")).hexdigest()
