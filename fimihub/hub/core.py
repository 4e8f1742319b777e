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
    subject_type: str,
    subject_id: str | None,
    detail: dict[str, Any],
    at: datetime,
) -> AuditEvent:
    """Append the audit event of a use case by ``by`` to ``uow`` (it commits with what it records)."""
    return uow.append_audit(
        actor=caller_id(by),
        action=action,
        subject_type=subject_type,
        subject_id=subject_id,
        detail=detail,
        at=at,
    )
