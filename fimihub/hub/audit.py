"""Audit use cases: reading the tamper-evident log, verifying its hash chain, and anchoring its head.

The chain finds an edited, deleted or truncated event, but it is unkeyed: an edit followed by recomputing
every later hash passes. Anchors (:mod:`fimihub.hub.anchors`) close that: the head signed with a key outside
the store, checked by :meth:`AuditLog.verify` against the chain as it is now.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from fimihub import policy
from fimihub.errors import IntegrityError, NotFound, PermissionDenied, ValidationError
from fimihub.hub.anchors import check_anchor, sign_anchor
from fimihub.hub.core import Core
from fimihub.model import GENESIS, AuditEvent
from fimihub.model.audit import AuditAnchor
from fimihub.policy import Caller

__all__ = ["AuditLog", "AuditReport"]


@dataclass(frozen=True, slots=True)
class AuditReport:
    """What :meth:`AuditLog.verify` found: ``ok`` when every link and every hash holds, and the
    chain still holds every anchored hash (``anchors`` of them were checked)."""

    events: int
    head_seq: int
    head_hash: str
    problems: list[str] = field(default_factory=list)
    anchors: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems


class AuditLog:
    """Use cases over the audit log (``hub.audit``)."""

    def __init__(self, core: Core) -> None:
        self.core = core

    def events(self, by: Caller, *, after_seq: int = 0, limit: int = 100) -> list[AuditEvent]:
        """Events in chain order (hub operator and its admins)."""
        _require_audit_reader(by)
        with self.core.store.unit_of_work(read_only=True) as uow:
            return list(uow.audit_events(after_seq=after_seq, limit=limit))

    def head(self, by: Caller) -> AuditAnchor:
        """The newest ``(seq, hash)`` of the chain, signed with this hub's own key (the one its STIX objects
        carry), for peers and auditors to keep as an anchor (hub operator and its admins). Checking a kept
        head later (``fimihub audit verify --anchor``) needs this hub's public key (``fimihub peer key``)."""
        _require_audit_reader(by)
        with self.core.store.unit_of_work(read_only=True) as uow:
            head = uow.audit_head()
            private_key = uow.peers.signing_key()
        if head is None:
            raise NotFound("the audit log is empty")
        return sign_anchor(head[0], head[1], self.core.clock(), private_key)

    def anchor(self, private_key: bytes) -> AuditAnchor:
        """The chain's head signed with ``private_key`` (an Ed25519 seed held outside the store), once the
        whole chain verifies: an anchor never vouches for a chain that is already broken.

        Keep the anchor away from the store; :meth:`verify` with it finds any later rewrite of the
        events up to its ``seq``, even one whose hashes were all recomputed."""
        report = self.verify()
        if not report.ok:
            raise IntegrityError(
                f"the audit log does not verify ({len(report.problems)} problems): not anchoring it"
            )
        if report.head_seq == 0:
            raise ValidationError("audit", "the audit log is empty: nothing to anchor")
        return sign_anchor(report.head_seq, report.head_hash, self.core.clock(), private_key)

    def verify(self, anchors: Sequence[AuditAnchor] = (), public_key: bytes | None = None) -> AuditReport:
        """Walk the whole chain: every event's hash, every link, no gap in ``seq``, and the stored head; and,
        for each of ``anchors`` (signed with ``public_key``), that the chain still holds the anchored hash.

        An edited event fails its own hash; a deleted one leaves a gap and a broken link; deleting the newest
        events is caught by the head the store keeps beside the chain. Someone who can write the store can
        still edit an event and recompute every later hash and the head: only an anchor, kept outside the
        store, finds that (for events up to the anchored ``seq``).

        An anchor that ``public_key`` did not sign raises :class:`~fimihub.errors.IntegrityError` before the
        chain is read: a forged anchor proves nothing either way.
        """
        if anchors:
            if public_key is None:
                raise ValidationError("public_key", "checking an anchor needs the public key that signed it")
            for anchor in anchors:
                check_anchor(anchor, public_key)
        anchored: dict[int, list[AuditAnchor]] = {}
        for anchor in anchors:
            anchored.setdefault(anchor.seq, []).append(anchor)
        problems: list[str] = []
        prev_hash, prev_seq, count = GENESIS, 0, 0
        with self.core.store.unit_of_work(read_only=True) as uow:
            for event in uow.audit_events():
                count += 1
                if event.seq != prev_seq + 1:
                    problems.append(f"event {event.seq}: expected seq {prev_seq + 1} (events missing)")
                if event.prev_hash != prev_hash:
                    problems.append(f"event {event.seq}: does not link to the event before it")
                if event.expected_hash() != event.hash:
                    problems.append(f"event {event.seq}: content does not match its hash (edited)")
                for anchor in anchored.pop(event.seq, ()):
                    if anchor.hash != event.hash:
                        problems.append(
                            f"event {event.seq}: its hash is not the one anchored at {_when(anchor)} "
                            f"(the chain up to event {event.seq} was rewritten)"
                        )
                prev_hash, prev_seq = event.hash, event.seq
            head = uow.audit_head()
        for seq, missing in sorted(anchored.items()):
            for anchor in missing:
                problems.append(
                    f"event {seq}: anchored at {_when(anchor)} but not in the chain, which ends at event "
                    f"{prev_seq} (events removed)"
                )
        head_seq, head_hash = head if head is not None else (0, GENESIS)
        if (head_seq, head_hash) != (prev_seq, prev_hash):
            problems.append(
                f"the chain ends at event {prev_seq} but the store's head is event {head_seq} "
                "(newest events removed or the head altered)"
            )
        return AuditReport(
            events=count, head_seq=head_seq, head_hash=head_hash, problems=problems, anchors=len(anchors)
        )


def _require_audit_reader(by: Caller) -> None:
    if not policy.may_administer_hub(by):
        raise PermissionDenied("only the hub operator's admins may read the audit log")


def _when(anchor: AuditAnchor) -> str:
    return anchor.at.strftime("%Y-%m-%dT%H:%M:%SZ")
