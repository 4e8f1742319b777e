"""What every service of the hub stands on: the store, the settings and the clock; and how a use case
records its audit event."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from fimihub.model import AuditEvent
from fimihub.policy import Caller, caller_id
from fimihub.settings import Settings
from fimihub.storage import Store, UnitOfWork
from fimihub.storage.base import AuditEntry

__all__ = ["Clock", "Core", "audit_event"]

#: The hub's clock: the time now, timezone-aware (tests pass a fixed one).
Clock = Callable[[], datetime]


@dataclass(frozen=True, slots=True)
class Core:
    """The store, settings and clock that every service is given first."""

    store: Store
    settings: Settings
    clock: Clock


def audit_event(
    uow: UnitOfWork,
    by: Caller,
    action: str,
    kind: str,
    subject: str | None,
    detail: dict[str, Any],
    at: datetime,
) -> AuditEvent:
    """Append the audit event of a use case by ``by``, about ``subject`` of type ``kind``, to ``uow`` (it
    commits with what it records)."""
    who = caller_id(by)
    entry = AuditEntry(at=at, actor=who, action=action, subject_type=kind, subject_id=subject, detail=detail)
    return uow.append_audit(**entry)
