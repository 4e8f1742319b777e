"""An operation's life (``hub.lifecycle``): investigating → disrupted → monitoring → closed, each move with
who, when and why; its assessments (attribution and confidence) with their history.

A move (:meth:`Lifecycle.move`) goes only along the operation's life
(:meth:`~fimihub.model.OperationStatus.may_become`) and needs a reason. Entering *monitoring* builds the
operation's fingerprint from its assets and signals, so that resurgence detection watches for its return
(``hub.resurgence``); when there is nothing to build it from, the move still happens and the answer says so.
An assessment (:meth:`Lifecycle.assess`) changes the attribution and its confidence, with a rationale.

The history of both is the tamper-evident audit log itself: every move and assessment is an audit event
written in the same transaction as the change, with its before, after and reason, and
:meth:`Lifecycle.history` reads the operation's events back. Its organisation's members read the history;
nobody else does (the events name its members).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from fimihub import policy
from fimihub.errors import FimihubError, NotFound, ValidationError
from fimihub.hub.access import writable
from fimihub.hub.core import Core, audit_event
from fimihub.model import Fingerprint, Forum, Operation, OperationStatus, parse
from fimihub.policy import Caller

if TYPE_CHECKING:  # the write path and resurgence import the rest of the hub
    from fimihub.hub.resurgence import Resurgence
    from fimihub.hub.writes import WritePath

__all__ = ["HistoryEntry", "Lifecycle", "Moved"]

#: The audit actions that make an operation's history.
_HISTORY_ACTIONS = frozenset({"create", "update", "operation.status", "operation.assessment"})
#: What an assessment may change.
_ASSESSED = ("attribution", "attribution_confidence")


@dataclass(frozen=True, slots=True)
class Moved:
    """An operation after a move, and the fingerprint built when it entered monitoring (or why none was)."""

    operation: Operation
    fingerprint: Fingerprint | None = None
    fingerprint_note: str = ""


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    """One event of an operation's history: when, who, what (``created``, ``status``, ``assessment``,
    ``updated``) and its detail (``from``/``to``/``reason`` for a move; ``before``/``after``/``rationale``
    for an assessment; the fields changed for an update)."""

    at: datetime
    by: str
    what: str
    detail: dict[str, Any]


class Lifecycle:
    """Moves along an operation's life, assessments, and their history (``hub.lifecycle``)."""

    def __init__(self, core: Core, *, writes: WritePath, resurgence: Resurgence) -> None:
        self.core = core
        self.writes = writes
        self.resurgence = resurgence

    def move(self, by: Caller, operation_id: str, status: str, reason: str) -> Moved:
        """Move operation ``operation_id`` to ``status``, saying why."""
        try:
            target = OperationStatus(status)
        except ValueError:
            raise ValidationError("status", f"one of {', '.join(s.value for s in OperationStatus)}") from None
        if not isinstance(reason, str) or not reason.strip():
            raise ValidationError("reason", "say why the operation moves (kept in its history)")
        now = self.core.clock()
        with self.writes.open(by, publish=True) as uow:
            current = writable(uow, by, Operation, operation_id)
            if current.status is target:
                raise ValidationError("status", f"the operation is {target.value} already")
            if not current.status.may_become(target):
                raise ValidationError("status", f"an operation cannot go from {current.status} to {target}")
            moved = current.model_copy(update={"status": target, "modified_at": now})
            uow.update(moved)
            detail = {"from": current.status.value, "to": target.value, "reason": reason.strip()}
            audit_event(uow, by, "operation.status", "operation", operation_id, detail, now)
        if target is not OperationStatus.MONITORING:
            return Moved(moved)
        try:
            fingerprint = self.resurgence.fingerprint_operation(by, operation_id)
        except FimihubError as error:
            return Moved(moved, None, f"no fingerprint was built: {error.message}")
        return Moved(moved, fingerprint)

    def assess(self, by: Caller, operation_id: str, assessment: Mapping[str, Any]) -> Operation:
        """Change the operation's attribution and its confidence (``attribution``,
        ``attribution_confidence``), with a ``rationale``."""
        unknown = sorted(set(assessment) - {*_ASSESSED, "rationale"})
        if unknown:
            raise ValidationError(
                unknown[0], f"an assessment changes {' and '.join(_ASSESSED)}, with a rationale"
            )
        rationale = assessment.get("rationale")
        if not isinstance(rationale, str) or not rationale.strip():
            raise ValidationError("rationale", "say what the assessment rests on (kept in its history)")
        changes = {k: assessment[k] for k in _ASSESSED if k in assessment}
        if not changes:
            raise ValidationError("attribution", "give the attribution, its confidence, or both")
        now = self.core.clock()
        with self.writes.open(by, publish=True) as uow:
            current = writable(uow, by, Operation, operation_id)
            assessed = parse(Operation, {**current.model_dump(), **changes, "modified_at": now})
            before = {k: getattr(current, k) for k in _ASSESSED}
            after = {k: getattr(assessed, k) for k in _ASSESSED}
            uow.update(assessed)
            detail = {"before": before, "after": after, "rationale": rationale.strip()}
            audit_event(uow, by, "operation.assessment", "operation", operation_id, detail, now)
        return assessed

    def history(self, by: Caller, operation_id: str) -> list[HistoryEntry]:
        """The operation's moves, assessments and updates, oldest first: for its organisation's members."""
        with self.core.store.unit_of_work(read_only=True) as uow:
            operation = uow.get(Operation, operation_id)
            forums = {f.id: f for f in uow.find(Forum)}
            readable = operation is not None and policy.may_read(by, operation, forums)
            if operation is None or not readable or not policy.acts_for_org(by, operation.owner_org):
                raise NotFound(f"no operation {operation_id!r}")
            events = [e for e in uow.audit_events(subject_id=operation_id) if e.action in _HISTORY_ACTIONS]
        names = {"create": "created", "update": "updated", "operation.status": "status"}
        return [
            HistoryEntry(e.at, e.actor, names.get(e.action, "assessment"), dict(e.detail)) for e in events
        ]
