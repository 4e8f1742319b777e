"""Shareable records: create, read, list, change, share, declassify and delete, under the access policy.

Every write goes through the write path (:mod:`fimihub.hub.writes`, published into the forums'
collections), the safeguards (:mod:`fimihub.hub.safeguards`) and :mod:`fimihub.policy`; reads ask the policy
record by record. ``hub.records`` is this service; ``hub.create``, ``hub.get`` and the other record verbs
are its shortcuts.
"""

from __future__ import annotations

import builtins
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any, TypeVar

from fimihub import policy
from fimihub.errors import NotFound, PermissionDenied, ValidationError
from fimihub.hub.core import Core, audit_event
from fimihub.hub.kinds import ID_PREFIX
from fimihub.hub.pages import Page
from fimihub.hub.preparing import prepare_fingerprint, prepare_signal
from fimihub.hub.safeguards import Safeguards
from fimihub.hub.visibility import visibility
from fimihub.hub.writes import WritePath
from fimihub.model import Fingerprint, Forum, Governed, Operation, Signal, new_id, parse
from fimihub.policy import Caller
from fimihub.storage import FILTERABLE

__all__ = ["Page", "Records", "filterable_fields"]

G = TypeVar("G", bound=Governed)

_SERVER_FIELDS = frozenset({"id", "owner_org", "created_by", "created_at", "modified_at", "copied_from_org"})
# An action's approval is set by Safeguards.approve_action only.
_SERVER_FIELDS |= {"approved_by", "approved_at", "approval_note"}
# A lead's outcomes and the copy a receiving organisation keeps are set by Leads.triage only.
_SERVER_FIELDS |= {"outcomes", "source_lead_id"}
_LIST_MAX = 1000


def filterable_fields(kind: type[Governed]) -> frozenset[str]:
    """The fields of ``kind`` that :meth:`Hub.list` can filter on."""
    return FILTERABLE[kind]


class Records:
    """The shareable records of a hub (``hub.records``)."""

    def __init__(self, core: Core, *, writes: WritePath, safeguards: Safeguards) -> None:
        self.core = core
        self.writes = writes
        self.safeguards = safeguards

    def create(self, by: Caller, kind: type[G], data: Mapping[str, Any]) -> G:
        """Validate and store a new record of ``kind``; the caller's organisation owns it."""
        return self.create_many(by, kind, [data])[0]

    def create_many(self, by: Caller, kind: type[G], items: Sequence[Mapping[str, Any]]) -> list[G]:
        """Store many new records in one transaction: all of them, or (on any error) none."""
        now = self.core.clock()
        if kind is Signal:
            # Normalising values and checking warning lists is slow work: done before the write lock is taken.
            items = [_indexed(len(items), i, prepare_signal, d) for i, d in enumerate(items)]
        elif kind is Fingerprint:
            items = [_indexed(len(items), i, prepare_fingerprint, d) for i, d in enumerate(items)]
        with self.writes.open(by, publish=True) as uow:
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
            records = self.safeguards.new(uow, by, items, records, forums)
            uow.insert_many(records)
            subject = ID_PREFIX[kind]
            if len(records) == 1:
                audit_event(uow, by, "create", subject, records[0].id, _audit_detail(records[0]), now)
            elif records:
                audit_event(
                    uow,
                    by,
                    "create_many",
                    subject,
                    None,
                    {"count": len(records), "ids": [r.id for r in records[:1000]]},
                    now,
                )
            self.safeguards.send_notices(uow, by, records, forums)
        return records

    def get(self, by: Caller, kind: type[G], record_id: str) -> G:
        """The record, if the caller may read it; otherwise :class:`NotFound` (existence is not revealed)."""
        with self.core.store.unit_of_work(read_only=True) as uow:
            record = uow.get(kind, record_id)
            forums = {f.id: f for f in uow.find(Forum)}
            if record is None or not policy.may_read(by, record, forums):
                raise NotFound(f"no {ID_PREFIX[kind]} {record_id!r}")
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
        items: builtins.list[G] = []
        with self.core.store.unit_of_work(read_only=True) as uow:
            forums = {f.id: f for f in uow.find(Forum)}
            visible = visibility(by)
            cursor = after
            while len(items) < limit:
                batch = uow.find(kind, where=dict(where or {}), visible=visible, after_id=cursor, limit=limit)
                if not batch:
                    cursor = None
                    break
                cursor = batch[-1].id
                items.extend(r for r in batch if policy.may_read(by, r, forums))
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
        now = self.core.clock()
        with self.writes.open(by, publish=True) as uow:
            forums = {f.id: f for f in uow.find(Forum)}
            current = self._readable(by, uow.get(kind, record_id), forums, kind, record_id)
            self._check(by, policy.Act.WRITE, current, forums)
            data = current.model_dump()
            data.update(changes)
            data["modified_at"] = now
            if kind is Signal and {"kind", "value", "quality"} & set(changes):
                data = prepare_signal(data)
            elif kind is Fingerprint and {"features", "operation_id"} & set(changes):
                data = prepare_fingerprint(data)
            updated = parse(kind, data)
            _refuse_widening(current, updated)
            updated = self.safeguards.changed(uow, by, current, updated, forums)
            if (
                isinstance(current, Operation)
                and isinstance(updated, Operation)
                and not current.status.may_become(updated.status)
            ):
                raise ValidationError(
                    "status", f"an operation cannot go from {current.status} to {updated.status}"
                )
            uow.update(updated)
            audit_event(uow, by, "update", ID_PREFIX[kind], record_id, {"fields": sorted(changes)}, now)
            self.safeguards.send_notices(uow, by, [updated], forums, before=current)
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
        now = self.core.clock()
        with self.writes.open(by, publish=True) as uow:
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
                    default_days=self.core.settings.default_retention_days,
                ),
            )
            member = policy.actor_of(by)
            reshare = member is not None and member.org.id != current.owner_org
            if member is not None and reshare:
                data.update(
                    id=new_id(ID_PREFIX[kind]),
                    owner_org=member.org.id,
                    created_by=member.member.id,
                    created_at=now,
                    copied_from_org=current.copied_from_org or current.owner_org,
                )
            shared = parse(kind, data)
            _refuse_widening(current, shared)
            self._check(by, policy.Act.SHARE, shared, forums, forum_id=forum_id)
            uow.insert(shared) if reshare else uow.update(shared)
            audit_event(
                uow,
                by,
                "reshare" if reshare else "share",
                ID_PREFIX[kind],
                shared.id,
                {"forum_id": forum_id, "tlp": shared.marking.tlp.value, "source": record_id},
                now,
            )
        return shared

    def declassify(
        self, by: Caller, kind: type[G], record_id: str, marking: Mapping[str, Any], *, reason: str
    ) -> G:
        """Widen a record's marking (a lower TLP or PAP, more recipients): an admin of the owner organisation
        only, with a reason, recorded in the audit log with the marking before and after. Every other act
        keeps or tightens a marking."""
        if not isinstance(reason, str) or not reason.strip():
            raise ValidationError("reason", "say why the marking is widened")
        now = self.core.clock()
        with self.writes.open(by, publish=True) as uow:
            forums = {f.id: f for f in uow.find(Forum)}
            current = self._readable(by, uow.get(kind, record_id), forums, kind, record_id)
            if not policy.may_declassify(by, current):
                raise PermissionDenied(
                    "only an admin of the owner organisation (with the admin and write scopes) declassifies"
                )
            if not isinstance(marking, Mapping):
                raise ValidationError("marking", "must be an object")
            updated = parse(kind, {**current.model_dump(), "marking": dict(marking), "modified_at": now})
            uow.update(updated)
            audit_event(
                uow,
                by,
                "declassify",
                ID_PREFIX[kind],
                record_id,
                {
                    "from": current.marking.model_dump(mode="json"),
                    "to": updated.marking.model_dump(mode="json"),
                    "reason": reason.strip()[:2000],
                },
                now,
            )
        return updated

    def revoke_signal(self, by: Caller, signal_id: str) -> Signal:
        """Mark a signal revoked: it stops matching, and peers that received it are told."""
        return self.update(by, Signal, signal_id, {"revoked": True})

    def delete(self, by: Caller, kind: type[G], record_id: str) -> None:
        """Remove a record the caller may delete."""
        now = self.core.clock()
        with self.writes.open(by, publish=True) as uow:
            forums = {f.id: f for f in uow.find(Forum)}
            current = self._readable(by, uow.get(kind, record_id), forums, kind, record_id)
            self._check(by, policy.Act.DELETE, current, forums)
            uow.delete(kind, record_id)
            audit_event(uow, by, "delete", ID_PREFIX[kind], record_id, {}, now)

    def _build(
        self, by: Caller, kind: type[G], data: Mapping[str, Any], forums: Mapping[str, Forum], now: datetime
    ) -> G:
        if not isinstance(data, Mapping):
            raise ValidationError("(root)", f"a {ID_PREFIX[kind]} must be an object")
        member = policy.actor_of(by)
        bad = _SERVER_FIELDS.intersection(data) - ({"owner_org"} if member is None else set())
        if bad:
            raise ValidationError(sorted(bad)[0], "is set by the hub")
        body = dict(data)
        forum_id = body.get("forum_id")
        forum = forums.get(forum_id) if isinstance(forum_id, str) else None
        if forum_id is not None and forum is None:
            raise ValidationError("forum_id", f"no forum {forum_id!r}")
        if "marking" not in body and forum is not None:
            body["marking"] = {"tlp": forum.default_tlp}
        if member is None:
            if "owner_org" not in body:
                raise ValidationError("owner_org", "field required when the operator creates a record")
        else:
            body["owner_org"] = member.org.id
            body["created_by"] = member.member.id
        body.update(id=new_id(ID_PREFIX[kind]), created_at=now, modified_at=now)
        record = parse(kind, body)
        expires = policy.expiry_for(
            now,
            record_expires_at=record.expires_at,
            forum=forum,
            default_days=self.core.settings.default_retention_days,
        )
        if expires != record.expires_at:
            record = record.model_copy(update={"expires_at": expires})
        return record

    @staticmethod
    def _check(
        by: Caller,
        act: policy.Act,
        record: Governed,
        forums: Mapping[str, Forum],
        forum_id: str | None = None,
    ) -> None:
        policy.check(by, act, record, forum=_forum(record, forums, forum_id))

    @staticmethod
    def _readable(
        by: Caller, record: G | None, forums: Mapping[str, Forum], kind: type[G], record_id: str
    ) -> G:
        if record is None or not policy.may_read(by, record, forums):
            raise NotFound(f"no {ID_PREFIX[kind]} {record_id!r}")
        return record


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
