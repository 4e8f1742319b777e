"""The facade: every use case of fimihub is a method of :class:`Hub`.

The CLI, the REST and TAXII APIs and the console are thin shells over it; anything they can do, a user can do
with ``import fimihub``. A hub holds a :class:`~fimihub.storage.Store` and the :class:`~fimihub.Settings`,
and checks every request against :mod:`fimihub.policy` before it touches a record.

Callers are either an :class:`~fimihub.policy.Actor` (a member, usually behind an API token) or the
:class:`Operator` — whoever runs the hub's host and its command line, who may administer everything.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from fimihub import policy
from fimihub.errors import NotFound, PermissionDenied, ValidationError
from fimihub.hub.admin import AdminMixin, IssuedToken
from fimihub.hub.audit import AuditMixin
from fimihub.hub.caller import Caller, Operator, caller_id
from fimihub.hub.coordination import COORDINATION_STEPS, CoordinationMixin, CoordinationReport
from fimihub.hub.kinds import ID_PREFIX, RECORD_KINDS
from fimihub.hub.matching import ItemMatches
from fimihub.hub.peers import PeersMixin
from fimihub.hub.privacy import dpia_facts
from fimihub.hub.psi import PsiRelay
from fimihub.hub.resurgence import ResurgenceMixin, ResurgenceSummary
from fimihub.hub.safeguards import GovernmentRequest, SafeguardsMixin
from fimihub.hub.scanning import SCAN_ENGINES, ScanningMixin, ScanSummary
from fimihub.hub.subjects import SubjectErasure, SubjectFindings, SubjectRequests
from fimihub.hub.taxii import TaxiiMixin
from fimihub.hub.taxii.retention import purge_expired_stix
from fimihub.model import (
    Case,
    Fingerprint,
    Forum,
    Governed,
    Operation,
    PsiSession,
    Signal,
    new_id,
    parse,
    utcnow,
)
from fimihub.reporting.dpia import DpiaFacts
from fimihub.settings import Settings
from fimihub.storage import FILTERABLE, Store, Visibility, open_store

__all__ = [
    "COORDINATION_STEPS",
    "RECORD_KINDS",
    "SCAN_ENGINES",
    "Caller",
    "CoordinationReport",
    "GovernmentRequest",
    "Hub",
    "IssuedToken",
    "ItemMatches",
    "Operator",
    "Page",
    "ResurgenceSummary",
    "ScanSummary",
    "filterable_fields",
]

G = TypeVar("G", bound=Governed)
T = TypeVar("T")

_ID_PREFIX = ID_PREFIX
_SERVER_FIELDS = frozenset({"id", "owner_org", "created_by", "created_at", "modified_at", "copied_from_org"})
_SERVER_FIELDS |= {"approved_by", "approved_at", "approval_note"}  # an action's approval: Hub.approve_action
_LIST_MAX = 1000


def filterable_fields(kind: type[Governed]) -> frozenset[str]:
    """The fields of ``kind`` that :meth:`Hub.list` can filter on."""
    return FILTERABLE[kind]


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """One page of a listing; pass ``next_after`` back as ``after`` for the next page (None: no more)."""

    items: list[T]
    next_after: str | None


class Hub(
    AdminMixin,
    AuditMixin,
    ScanningMixin,
    CoordinationMixin,
    ResurgenceMixin,
    SafeguardsMixin,
    TaxiiMixin,
    PeersMixin,
):
    """A fimihub hub over one store."""

    def __init__(
        self, store: Store, settings: Settings | None = None, *, clock: Callable[[], datetime] = utcnow
    ) -> None:
        self.store = store
        self.settings = settings or Settings()
        self.clock = clock

    @classmethod
    def open(cls, settings: Settings | None = None, *, upgrade: bool = True) -> Hub:
        """Open (and by default migrate) the store the settings name."""
        settings = settings or Settings.load()
        return cls(open_store(settings.db, upgrade=upgrade), settings)

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> Hub:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @staticmethod
    def operator(name: str = "cli") -> Operator:
        """The caller for local administration (the command line, the demo seeder)."""
        return Operator(name)

    # -- shareable records ------------------------------------------------------------------------------

    def create(self, by: Caller, kind: type[G], data: Mapping[str, Any]) -> G:
        """Validate and store a new record of ``kind``; the caller's organisation owns it."""
        return self.create_many(by, kind, [data])[0]

    def create_many(self, by: Caller, kind: type[G], items: Sequence[Mapping[str, Any]]) -> list[G]:
        """Store many new records in one transaction: all of them, or (on any error) none."""
        now = self.clock()
        if kind is Signal:
            # Normalising values and checking warning lists is slow work: done before the write lock is taken.
            items = [_indexed(len(items), i, self._prepare_signal, d) for i, d in enumerate(items)]
        elif kind is Fingerprint:
            items = [_indexed(len(items), i, self._prepare_fingerprint, d) for i, d in enumerate(items)]
        with self._writing(by) as uow:
            forums = {f.id: f for f in uow.find(Forum)}
            records: list[G] = []
            for index, data in enumerate(items):
                try:
                    record = self._build(by, kind, data, forums, now)
                except ValidationError as exc:
                    if len(items) == 1:
                        raise
                    raise _at_index(exc, index) from None
                self._check(by, policy.Act.WRITE, record, forums)
                if record.forum_id is not None:
                    self._check(by, policy.Act.SHARE, record, forums, forum_id=record.forum_id)
                records.append(record)
            records = self._safeguard_new(uow, by, items, records, forums)
            uow.insert_many(records)
            subject = _ID_PREFIX[kind]
            if len(records) == 1:
                uow.append_audit(
                    actor=caller_id(by),
                    action="create",
                    subject_type=subject,
                    subject_id=records[0].id,
                    detail=_audit_detail(records[0]),
                    at=now,
                )
            elif records:
                uow.append_audit(
                    actor=caller_id(by),
                    action="create_many",
                    subject_type=subject,
                    subject_id=None,
                    detail={"count": len(records), "ids": [r.id for r in records[:1000]]},
                    at=now,
                )
            self._send_notices(uow, by, records, forums)
        self._signals_changed(added=[r for r in records if isinstance(r, Signal)])
        return records

    def get(self, by: Caller, kind: type[G], record_id: str) -> G:
        """The record, if the caller may read it; otherwise :class:`NotFound` (existence is not revealed)."""
        with self.store.unit_of_work(read_only=True) as uow:
            record = uow.get(kind, record_id)
            forums = {f.id: f for f in uow.find(Forum)}
            if record is None or not self._may(by, policy.Act.READ, record, forums):
                raise NotFound(f"no {_ID_PREFIX[kind]} {record_id!r}")
            return record

    def list(
        self,
        by: Caller,
        kind: type[G],
        *,
        where: Mapping[str, Any] | None = None,
        after: str | None = None,
        limit: int = 100,
    ) -> Page[G]:
        """Records of ``kind`` the caller may read, by id, ``limit`` at most (1..1000)."""
        if not 1 <= limit <= _LIST_MAX:
            raise ValidationError("limit", f"must be between 1 and {_LIST_MAX}")
        items: list[G] = []
        with self.store.unit_of_work(read_only=True) as uow:
            forums = {f.id: f for f in uow.find(Forum)}
            visible = self._visibility(by)
            cursor = after
            while len(items) < limit:
                batch = uow.find(kind, where=dict(where or {}), visible=visible, after_id=cursor, limit=limit)
                if not batch:
                    cursor = None
                    break
                cursor = batch[-1].id
                items.extend(r for r in batch if self._may(by, policy.Act.READ, r, forums))
                if len(batch) < limit:
                    cursor = None
                    break
        if len(items) > limit or cursor is not None:
            # The next page starts after the last record returned, never after one the caller cannot read:
            # a cursor is an id, and an id the caller may not see must not reach it.
            items = items[:limit]
            cursor = items[-1].id
        return Page(items, cursor if items else None)

    def update(self, by: Caller, kind: type[G], record_id: str, changes: Mapping[str, Any]) -> G:
        """Change fields of a record the caller may write. Operation status moves only along its life."""
        bad = _SERVER_FIELDS.intersection(changes) | ({"forum_id"} & set(changes))
        if bad:
            name = sorted(bad)[0]
            raise ValidationError(name, "is set by the hub" if name != "forum_id" else "use share() instead")
        now = self.clock()
        with self._writing(by) as uow:
            forums = {f.id: f for f in uow.find(Forum)}
            current = self._readable(by, uow.get(kind, record_id), forums, kind, record_id)
            self._check(by, policy.Act.WRITE, current, forums)
            data = current.model_dump()
            data.update(changes)
            data["modified_at"] = now
            if kind is Signal and {"kind", "value", "quality"} & set(changes):
                data = self._prepare_signal(data)
            elif kind is Fingerprint and {"features", "operation_id"} & set(changes):
                data = self._prepare_fingerprint(data)
            updated = parse(kind, data)
            _refuse_widening(current, updated)
            updated = self._safeguard_changed(uow, by, current, updated, forums)
            if (
                isinstance(current, Operation)
                and isinstance(updated, Operation)
                and not current.status.may_become(updated.status)
            ):
                raise ValidationError(
                    "status", f"an operation cannot go from {current.status} to {updated.status}"
                )
            uow.update(updated)
            uow.append_audit(
                actor=caller_id(by),
                action="update",
                subject_type=_ID_PREFIX[kind],
                subject_id=record_id,
                detail={"fields": sorted(changes)},
                at=now,
            )
            self._send_notices(uow, by, [updated], forums, before=current)
        if isinstance(updated, Signal):
            self._signals_changed(added=[updated])
        return updated

    def share(
        self,
        by: Caller,
        kind: type[G],
        record_id: str,
        forum_id: str,
        *,
        marking: Mapping[str, Any] | None = None,
    ) -> G:
        """Share a record into a forum.

        The owner's record moves into the forum, its TLP raised to the forum's default if that is stricter,
        unless ``marking`` is given. Anyone else re-sharing a record they may read (TLP:CLEAR or GREEN)
        shares a copy they own, so the owner's record stays where it is. Neither ever widens the marking
        (a lower TLP or PAP, more recipients): that is :meth:`declassify`, the owner's admins' own act.
        """
        now = self.clock()
        with self._writing(by) as uow:
            forums = {f.id: f for f in uow.find(Forum)}
            if forum_id not in forums:
                raise NotFound(f"no forum {forum_id!r}")
            current = self._readable(by, uow.get(kind, record_id), forums, kind, record_id)
            self._check(by, policy.Act.SHARE, current, forums, forum_id=forum_id)
            forum = forums[forum_id]
            tlp = max(current.marking.tlp, forum.default_tlp, key=lambda t: t.rank)
            data = current.model_dump()
            data.update(
                forum_id=forum_id,
                marking=dict(marking)
                if marking is not None
                else {**current.marking.model_dump(), "tlp": tlp},
                modified_at=now,
                expires_at=policy.expiry_for(
                    now,
                    record_expires_at=current.expires_at,
                    forum=forum,
                    default_days=self.settings.default_retention_days,
                ),
            )
            reshare = not isinstance(by, Operator) and by.org.id != current.owner_org
            if reshare:
                assert not isinstance(by, Operator)
                data.update(
                    id=new_id(_ID_PREFIX[kind]),
                    owner_org=by.org.id,
                    created_by=by.member.id,
                    created_at=now,
                    copied_from_org=current.copied_from_org or current.owner_org,
                )
            shared = parse(kind, data)
            _refuse_widening(current, shared)
            self._check(by, policy.Act.SHARE, shared, forums, forum_id=forum_id)
            uow.insert(shared) if reshare else uow.update(shared)
            uow.append_audit(
                actor=caller_id(by),
                action="reshare" if reshare else "share",
                subject_type=_ID_PREFIX[kind],
                subject_id=shared.id,
                detail={"forum_id": forum_id, "tlp": shared.marking.tlp.value, "source": record_id},
                at=now,
            )
        if isinstance(shared, Signal):
            self._signals_changed(added=[shared])
        return shared

    def declassify(
        self, by: Caller, kind: type[G], record_id: str, marking: Mapping[str, Any], *, reason: str
    ) -> G:
        """Widen a record's marking (a lower TLP or PAP, more recipients): an admin of the owner organisation
        only, with a reason, recorded in the audit log with the marking before and after. Every other act
        keeps or tightens a marking."""
        if not isinstance(reason, str) or not reason.strip():
            raise ValidationError("reason", "say why the marking is widened")
        now = self.clock()
        with self._writing(by) as uow:
            forums = {f.id: f for f in uow.find(Forum)}
            current = self._readable(by, uow.get(kind, record_id), forums, kind, record_id)
            if isinstance(by, Operator) or not policy.may_declassify(by, current):
                raise PermissionDenied(
                    "only an admin of the owner organisation (with the admin and write scopes) declassifies"
                )
            if not isinstance(marking, Mapping):
                raise ValidationError("marking", "must be an object")
            updated = parse(kind, {**current.model_dump(), "marking": dict(marking), "modified_at": now})
            uow.update(updated)
            uow.append_audit(
                actor=caller_id(by),
                action="declassify",
                subject_type=_ID_PREFIX[kind],
                subject_id=record_id,
                detail={
                    "from": current.marking.model_dump(mode="json"),
                    "to": updated.marking.model_dump(mode="json"),
                    "reason": reason.strip()[:2000],
                },
                at=now,
            )
        if isinstance(updated, Signal):
            self._signals_changed(added=[updated])
        return updated

    def revoke_signal(self, by: Caller, signal_id: str) -> Signal:
        """Mark a signal revoked: it stops matching, and peers that received it are told."""
        return self.update(by, Signal, signal_id, {"revoked": True})

    def delete(self, by: Caller, kind: type[G], record_id: str) -> None:
        """Remove a record the caller may delete."""
        now = self.clock()
        with self._writing(by) as uow:
            forums = {f.id: f for f in uow.find(Forum)}
            current = self._readable(by, uow.get(kind, record_id), forums, kind, record_id)
            self._check(by, policy.Act.DELETE, current, forums)
            uow.delete(kind, record_id)
            uow.append_audit(
                actor=caller_id(by),
                action="delete",
                subject_type=_ID_PREFIX[kind],
                subject_id=record_id,
                detail={},
                at=now,
            )
        if kind is Signal:
            self._signals_changed(removed=[record_id])

    def run_retention(self, by: Caller) -> dict[str, int]:
        """Purge every record whose expiry has passed, and what has expired in the TAXII collections (see
        :mod:`fimihub.hub.taxii.retention`); returns how many of each kind went. A case under legal hold
        keeps itself, its operations and everything of theirs (:attr:`Case.legal_hold`)."""
        self._require_hub_admin(by)
        now = self.clock()
        with self.store.unit_of_work() as uow:
            held = [c for c in uow.find(Case) if c.legal_hold]
            held_operations = sorted({o for c in held for o in c.operation_ids})
            purged = uow.purge_expired(
                now, held_ids=[c.id for c in held] + held_operations, held_operations=held_operations
            )
            purged.update(purge_expired_stix(uow, now))
            self._matcher = None  # rebuilt from what is left on next use
            uow.append_audit(
                actor=caller_id(by),
                action="retention.purge",
                subject_type="store",
                subject_id=None,
                detail={"purged": purged, "held_cases": [c.id for c in held]},
                at=now,
            )
        return purged

    def privacy_dpia(self, by: Caller) -> DpiaFacts:
        """The facts a data-protection impact assessment needs, from every forum's policy and holdings
        (hub admins): render them with :func:`fimihub.reporting.dpia.render_dpia`."""
        self._require_hub_admin(by)
        with self.store.unit_of_work(read_only=True) as uow:
            return dpia_facts(uow, self.settings, self.clock())

    def subject_find(self, by: Caller, subject: Mapping[str, Any], *, request_ref: str) -> SubjectFindings:
        """Every record and TAXII object that concerns one identifier (``{"kind", "value", "platform"}``),
        its keyed forms included: a data-subject request, for the operator and hub admins, audited as
        ``subject.find`` with ``request_ref`` (see :mod:`fimihub.hub.subjects`)."""
        return self._subject_requests().find(by, subject, request_ref=request_ref)

    def subject_export(self, by: Caller, subject: Mapping[str, Any], *, request_ref: str) -> dict[str, Any]:
        """What :meth:`subject_find` finds, as one JSON document of records in their API form (Art. 15)."""
        return self._subject_requests().export(by, subject, request_ref=request_ref)

    def subject_erase(
        self,
        by: Caller,
        subject: Mapping[str, Any],
        *,
        request_ref: str,
        dry_run: bool = True,
        keep: Sequence[str] = (),
    ) -> SubjectErasure:
        """Erase what concerns one identifier in one transaction (Art. 17): signals revoked first, records
        deleted, STIX objects withdrawn with redacted tombstones; legal holds and ``keep`` spared. A dry run
        unless ``dry_run`` is false."""
        report = self._subject_requests().erase(
            by, subject, request_ref=request_ref, dry_run=dry_run, keep=keep
        )
        if not report.dry_run:
            self._signals_changed(removed=report.erased.get("signals", []))
        return report

    def subject_rectify(
        self, by: Caller, record_id: str, changes: Mapping[str, Any], *, request_ref: str
    ) -> Governed:
        """Correct one record (Art. 16) under :meth:`update`'s rules, audited as ``subject.rectify``."""
        return self._subject_requests().rectify(by, record_id, changes, request_ref=request_ref)

    def _subject_requests(self) -> SubjectRequests:
        return SubjectRequests(
            self.store,
            self.settings,
            self.clock,
            publish=self._publish_changes,
            resign=self._signed_tombstone,
            update=self.update,
        )

    # -- private matching (private set intersection sessions; see fimihub.hub.psi) --------------------------

    def psi_open(self, by: Caller, data: Mapping[str, Any]) -> PsiSession:
        """Open a private matching session to another organisation with the caller's blinded request."""
        return PsiRelay(self.store, self.clock).open(by, data)

    def psi_sessions(
        self,
        by: Caller,
        *,
        role: str | None = None,
        status: str | None = None,
        after: str | None = None,
        limit: int = 100,
    ) -> Page[PsiSession]:
        """The live sessions of the caller's organisation, as requester, responder or both."""
        items, next_after = PsiRelay(self.store, self.clock).sessions(
            by, role=role, status=status, after=after, limit=limit
        )
        return Page(items, next_after)

    def psi_session(self, by: Caller, session_id: str) -> PsiSession:
        """A session with its messages, for either of its two organisations (audited)."""
        return PsiRelay(self.store, self.clock).session(by, session_id)

    def psi_answer(self, by: Caller, session_id: str, setup: object, response: object) -> PsiSession:
        """The responder's answer (setup and response messages, base64) to a session addressed to it."""
        return PsiRelay(self.store, self.clock).answer(by, session_id, setup, response)

    def psi_decline(self, by: Caller, session_id: str, reason: object = "") -> PsiSession:
        """The responder declines a session addressed to it."""
        return PsiRelay(self.store, self.clock).decline(by, session_id, reason)

    # -- helpers ------------------------------------------------------------------------------------------

    def _stix_records_changed(self, records: Sequence[Governed]) -> None:
        self._signals_changed(added=[r for r in records if isinstance(r, Signal)])

    def _prepare_posted_signal(self, signal: Signal) -> Signal:
        fields = {"kind": signal.kind.value, "value": signal.value, "quality": signal.quality}
        prepared = self._prepare_signal(fields)
        if prepared["value"] == signal.value:  # the usual case: only the warning lists are new
            return signal.model_copy(
                update={"warning_lists": prepared.get("warning_lists", signal.warning_lists)}
            )
        return parse(Signal, {**signal.model_dump(), **prepared})

    def _build(
        self, by: Caller, kind: type[G], data: Mapping[str, Any], forums: Mapping[str, Forum], now: datetime
    ) -> G:
        if not isinstance(data, Mapping):
            raise ValidationError("(root)", f"a {_ID_PREFIX[kind]} must be an object")
        bad = _SERVER_FIELDS.intersection(data) - ({"owner_org"} if isinstance(by, Operator) else set())
        if bad:
            raise ValidationError(sorted(bad)[0], "is set by the hub")
        body = dict(data)
        forum_id = body.get("forum_id")
        forum = forums.get(forum_id) if isinstance(forum_id, str) else None
        if forum_id is not None and forum is None:
            raise ValidationError("forum_id", f"no forum {forum_id!r}")
        if "marking" not in body and forum is not None:
            body["marking"] = {"tlp": forum.default_tlp}
        if isinstance(by, Operator):
            if "owner_org" not in body:
                raise ValidationError("owner_org", "field required when the operator creates a record")
        else:
            body["owner_org"] = by.org.id
            body["created_by"] = by.member.id
        body.update(id=new_id(_ID_PREFIX[kind]), created_at=now, modified_at=now)
        record = parse(kind, body)
        expires = policy.expiry_for(
            now,
            record_expires_at=record.expires_at,
            forum=forum,
            default_days=self.settings.default_retention_days,
        )
        if expires != record.expires_at:
            record = record.model_copy(update={"expires_at": expires})
        return record

    def _may(
        self,
        by: Caller,
        act: policy.Act,
        record: Governed,
        forums: Mapping[str, Forum],
        forum_id: str | None = None,
    ) -> bool:
        return isinstance(by, Operator) or policy.may(by, act, record, forum=_forum(record, forums, forum_id))

    def _check(
        self,
        by: Caller,
        act: policy.Act,
        record: Governed,
        forums: Mapping[str, Forum],
        forum_id: str | None = None,
    ) -> None:
        if not isinstance(by, Operator):
            policy.check(by, act, record, forum=_forum(record, forums, forum_id))

    def _readable(
        self, by: Caller, record: G | None, forums: Mapping[str, Forum], kind: type[G], record_id: str
    ) -> G:
        if record is None or not self._may(by, policy.Act.READ, record, forums):
            raise NotFound(f"no {_ID_PREFIX[kind]} {record_id!r}")
        return record

    def _visibility(self, by: Caller) -> Visibility | None:
        if isinstance(by, Operator):
            return None
        return Visibility(org_id=by.org.id, member_id=by.member.id, forum_ids=by.forums)


def _indexed(
    count: int, index: int, step: Callable[[dict[str, Any]], dict[str, Any]], data: Mapping[str, Any]
) -> Mapping[str, Any]:
    """``step`` applied to item ``index`` of a batch of ``count``, its errors prefixed ``[index].``."""
    if not isinstance(data, Mapping):
        return data  # _build names the item that is not an object
    try:
        return step(dict(data))
    except ValidationError as exc:
        if count == 1:
            raise
        raise _at_index(exc, index) from None


def _at_index(exc: ValidationError, index: int) -> ValidationError:
    """``exc`` with every field prefixed by the item's place in its batch (``[2].value``)."""
    errors = [(f"[{index}].{f}", m) for f, m in exc.errors]
    return ValidationError(errors[0][0], errors[0][1], errors=errors)


def _forum(record: Governed, forums: Mapping[str, Forum], forum_id: str | None) -> Forum | None:
    """The forum an act concerns: the target forum of a share, otherwise the record's own."""
    fid = forum_id if forum_id is not None else record.forum_id
    return forums.get(fid) if fid else None


def _refuse_widening(current: Governed, changed: Governed) -> None:
    """Raise unless ``changed`` keeps or tightens ``current``'s marking (declassifying is its own act)."""
    how = policy.widening(current.marking, changed.marking)
    if how is not None:
        raise PermissionDenied(
            f"the marking of {current.id} would widen ({how}): only an admin of its owner organisation"
            " declassifies a record, with POST …/declassify"
        )


def _audit_detail(record: Governed) -> dict[str, Any]:
    detail: dict[str, Any] = {"tlp": record.marking.tlp.value}
    if record.forum_id:
        detail["forum_id"] = record.forum_id
    return detail
