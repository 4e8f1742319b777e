"""The register of government requests for data held in the hub: refused by default, decided by hub admins.

Requests and decisions are audit events (``government_request.received`` and ``.decided``), so the register
needs no table and is as tamper-evident as the log; :class:`GovernmentRegister` reads and writes them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from fimihub import policy
from fimihub.errors import NotFound, PermissionDenied, ValidationError
from fimihub.hub.core import Core, audit_event
from fimihub.model import (
    AuditEvent,
    new_id,
)
from fimihub.policy import Caller, safeguards
from fimihub.policy.safeguards import GovernmentDecision
from fimihub.storage import UnitOfWork

__all__ = ["GovernmentRegister", "GovernmentRequest"]

_RECEIVED = "government_request.received"
_DECIDED = "government_request.decided"
_SUBJECT = "government_request"
_LIMITS = {"authority": 200, "legal_basis": 2000, "scope": 2000, "reference": 200, "justification": 5000}


@dataclass(frozen=True, slots=True)
class GovernmentRequest:
    """A request from a public authority for data held in the hub, as the audit log records it: who asked,
    on what legal basis, for what, and every decision taken on it (the latest stands; the first is the
    default refusal)."""

    id: str
    received_at: datetime
    logged_by: str
    authority: str
    legal_basis: str
    scope: str
    reference: str
    decisions: tuple[dict[str, Any], ...] = field(default_factory=tuple)

    @property
    def decision(self) -> GovernmentDecision:
        latest = self.decisions[-1]["decision"] if self.decisions else GovernmentDecision.REFUSED.value
        return GovernmentDecision(latest)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "received_at": self.received_at.isoformat(),
            "logged_by": self.logged_by,
            "authority": self.authority,
            "legal_basis": self.legal_basis,
            "scope": self.scope,
            "reference": self.reference,
            "decision": self.decision.value,
            "decisions": [dict(d) for d in self.decisions],
        }


class GovernmentRegister:
    """The register over one store; the hub's ``log_government_request`` and its siblings use it."""

    def __init__(self, core: Core) -> None:
        self.core = core

    def log(
        self, by: Caller, authority: str, legal_basis: str, scope: str, reference: str = ""
    ) -> GovernmentRequest:
        """Record a request from a public authority for data held in the hub (hub admins). It is refused
        by default: the register holds the refusal at once; only :meth:`decide` changes
        it. Both are audit events (``government_request.received`` and ``.decided``), so the register needs
        no table and is as tamper-evident as the log."""
        _require_hub_admin(by)
        fields = {
            "authority": _text("authority", authority, required=True),
            "legal_basis": _text("legal_basis", legal_basis),
            "scope": _text("scope", scope, required=True),
            "reference": _text("reference", reference),
        }
        request_id = new_id("government-request")
        now = self.core.clock()
        with self.core.store.unit_of_work() as uow:
            received = audit_event(uow, by, _RECEIVED, _SUBJECT, request_id, fields, now)
            decided = audit_event(
                uow,
                by,
                _DECIDED,
                _SUBJECT,
                request_id,
                {"decision": GovernmentDecision.REFUSED.value, "justification": "", "default": True},
                now,
            )
        return _fold([received, decided])[0]

    def decide(
        self, by: Caller, request_id: str, decision: GovernmentDecision | str, justification: str = ""
    ) -> GovernmentRequest:
        """Record a hub admin's decision on a logged request: ``refused``, or ``disclosed`` with a written
        justification (and only for a request that states its legal basis). Audited; earlier decisions stay
        in the register."""
        _require_hub_admin(by)
        try:
            chosen = GovernmentDecision(decision)
        except ValueError:
            raise ValidationError(
                "decision", f"must be one of {[d.value for d in GovernmentDecision]}"
            ) from None
        text = _text("justification", justification)
        now = self.core.clock()
        with self.core.store.unit_of_work() as uow:
            events = [e for e in _register_events(uow) if e.subject_id == request_id]
            found = _fold(events)
            if not found:
                raise NotFound(f"no government request {request_id!r}")
            refusal = safeguards.government_decision_refusal(
                chosen, justification=text, legal_basis=found[0].legal_basis
            )
            if refusal is not None:
                raise ValidationError("justification" if not text.strip() else "decision", refusal)
            event = audit_event(
                uow,
                by,
                _DECIDED,
                _SUBJECT,
                request_id,
                {"decision": chosen.value, "justification": text.strip()},
                now,
            )
        return _fold([*events, event])[0]

    def requests(self, by: Caller) -> list[GovernmentRequest]:
        """The register of government requests, oldest first, from the audit log (hub admins)."""
        _require_hub_admin(by)
        with self.core.store.unit_of_work(read_only=True) as uow:
            return _fold(_register_events(uow))


def _require_hub_admin(by: Caller) -> None:
    if not policy.may_administer_hub(by):
        raise PermissionDenied("only the hub operator's admins keep the register of government requests")


def _text(name: str, value: object, *, required: bool = False) -> str:
    if not isinstance(value, str):
        raise ValidationError(name, "must be a string")
    text = value.strip()
    if required and not text:
        raise ValidationError(name, "field required")
    if len(text) > _LIMITS[name]:
        raise ValidationError(name, f"at most {_LIMITS[name]} characters")
    return text


def _register_events(uow: UnitOfWork) -> list[AuditEvent]:
    return [e for e in uow.audit_events() if e.subject_type == _SUBJECT and e.action in (_RECEIVED, _DECIDED)]


def _fold(events: Iterable[AuditEvent]) -> list[GovernmentRequest]:
    """The requests the register's events describe, in the order they were received."""
    requests: dict[str, GovernmentRequest] = {}
    for event in events:
        rid = event.subject_id
        if rid is None:
            continue
        if event.action == _RECEIVED:
            d = event.detail
            requests[rid] = GovernmentRequest(
                id=rid,
                received_at=event.at,
                logged_by=event.actor,
                authority=str(d.get("authority", "")),
                legal_basis=str(d.get("legal_basis", "")),
                scope=str(d.get("scope", "")),
                reference=str(d.get("reference", "")),
            )
        elif event.action == _DECIDED and rid in requests:
            entry = {"at": event.at.isoformat(), "by": event.actor, **event.detail}
            requests[rid] = replace(requests[rid], decisions=(*requests[rid].decisions, entry))
    return list(requests.values())
