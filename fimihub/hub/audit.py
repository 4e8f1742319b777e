"""Audit use cases: reading the tamper-evident log and verifying its hash chain."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from fimihub import policy
from fimihub.errors import PermissionDenied
from fimihub.hub.caller import Caller, Operator
from fimihub.model import GENESIS, AuditEvent
from fimihub.storage import Store

__all__ = ["AuditMixin", "AuditReport"]


@dataclass(frozen=True, slots=True)
class AuditReport:
    """What :meth:`AuditMixin.verify_audit` found: ``ok`` when every link and every hash holds."""

    events: int
    head_seq: int
    head_hash: str
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


class AuditMixin:
    """Use cases over the audit log. Mixed into :class:`~fimihub.hub.Hub`."""

    store: Store
    clock: Callable[[], datetime]

    def audit_events(self, by: Caller, *, after_seq: int = 0, limit: int = 100) -> list[AuditEvent]:
        """Events in chain order (hub operator and its admins)."""
        if not isinstance(by, Operator) and not policy.may_administer_hub(by):
            raise PermissionDenied("only the hub operator's admins may read the audit log")
        with self.store.unit_of_work(read_only=True) as uow:
            return list(uow.audit_events(after_seq=after_seq, limit=limit))

    def verify_audit(self) -> AuditReport:
        """Walk the whole chain: every event's hash, every link, no gap in ``seq``, and the stored head.

        An edited event fails its own hash; a deleted one leaves a gap and a broken link; deleting the newest
        events is caught by the head the store keeps beside the chain.
        """
        problems: list[str] = []
        prev_hash, prev_seq, count = GENESIS, 0, 0
        with self.store.unit_of_work(read_only=True) as uow:
            for event in uow.audit_events():
                count += 1
                if event.seq != prev_seq + 1:
                    problems.append(f"event {event.seq}: expected seq {prev_seq + 1} (events missing)")
                if event.prev_hash != prev_hash:
                    problems.append(f"event {event.seq}: does not link to the event before it")
                if event.expected_hash() != event.hash:
                    problems.append(f"event {event.seq}: content does not match its hash (edited)")
                prev_hash, prev_seq = event.hash, event.seq
            head = uow.audit_head()
        head_seq, head_hash = head if head is not None else (0, GENESIS)
        if (head_seq, head_hash) != (prev_seq, prev_hash):
            problems.append(
                f"the chain ends at event {prev_seq} but the store's head is event {head_seq} "
                "(newest events removed or the head altered)"
            )
        return AuditReport(events=count, head_seq=head_seq, head_hash=head_hash, problems=problems)
