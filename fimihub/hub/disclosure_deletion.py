"""Deleting an imported disclosure (``hub.disclosures.delete``): the disclosure and the records it brought in,
through the write path, in one unit of work with its audit event.

What the import brought in may have been built on since: an analyst attached a signal, an action or an asset
to the imported operation, a scan matched an imported signal, someone gave feedback on it, watched it, or
put the operation in a case. Such a record is a *blocker*: deleting what it rests on would leave it pointing
at nothing. So a deletion

* is refused (:class:`~fimihub.errors.Conflict`) when any imported record has blockers, naming each record
  and what rests on it (records of other organisations are counted, never named), and nothing changes;
* with ``force``, keeps the imported records that have blockers (and the operations kept records belong
  to), and deletes the disclosure and the rest.

Every record deleted goes through the access policy (DELETE: an analyst or admin of the owner organisation,
with a token that may write) and the write path: imported records shared into a forum are withdrawn from
its collection with a revoked tombstone, so that members and peers that received them learn they are
gone, and the matcher stops matching the deleted signals.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from fimihub import policy
from fimihub.errors import Conflict, NotFound
from fimihub.hub.core import Core, audit_event
from fimihub.model import (
    Action,
    Asset,
    Case,
    Disclosure,
    Feedback,
    Fingerprint,
    Forum,
    Governed,
    Lead,
    Match,
    Operation,
    ReviewItem,
    Signal,
    SignalWatch,
)
from fimihub.policy import Caller
from fimihub.storage import UnitOfWork

if TYPE_CHECKING:
    from fimihub.hub.writes import WritePath

__all__ = ["DisclosureDeletion", "delete_disclosure"]

#: How many ids one "any of" filter holds.
_CHUNK = 500
#: How many blockers a refusal names.
_NAMED = 20
#: Records that rest on an operation by their ``operation_id``.
_ON_OPERATION: tuple[type[Governed], ...] = (Signal, Asset, Action, Fingerprint, Lead, ReviewItem, Match)
#: Records that rest on a signal, by the field that names it.
_ON_SIGNAL: tuple[tuple[type[Governed], str], ...] = ((Match, "signal_id"), (SignalWatch, "signal_id"))


@dataclass(slots=True)
class DisclosureDeletion:
    """What deleting a disclosure did: the records deleted (by kind), and those kept because others rest on
    them (each with what rests on it that the member may know of)."""

    disclosure: str
    deleted: dict[str, list[str]] = field(default_factory=dict)
    kept: dict[str, list[str]] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "disclosure": self.disclosure,
            "deleted": {kind: len(ids) for kind, ids in sorted(self.deleted.items())},
            "deleted_ids": {kind: ids for kind, ids in sorted(self.deleted.items())},
            "kept": self.kept,
        }


def delete_disclosure(
    core: Core, writes: WritePath, by: Caller, disclosure_id: str, *, force: bool = False
) -> DisclosureDeletion:
    """Delete disclosure ``disclosure_id`` and what it brought in that nothing rests on (module docstring)."""
    now = core.clock()
    with writes.open(by, publish=True) as uow:
        forums = {f.id: f for f in uow.find(Forum)}
        disclosure = uow.get(Disclosure, disclosure_id)
        if disclosure is None or not policy.may_read(by, disclosure, forums):
            raise NotFound(f"no disclosure {disclosure_id!r}")
        _check(by, disclosure, forums)
        operations = _existing(uow, Operation, disclosure.operation_ids)
        signals = _existing(uow, Signal, disclosure.signal_ids)
        for record in [*operations, *signals]:
            _check(by, record, forums)
        owned = {r.id for r in [*operations, *signals]}
        blockers = _blockers(uow, [o.id for o in operations], [s.id for s in signals], owned)
        # A kept signal keeps its operation: it would point at nothing otherwise.
        for signal in signals:
            if signal.id in blockers and signal.operation_id in owned:
                blockers.setdefault(signal.operation_id, []).append(signal)
        if blockers and not force:
            raise Conflict(_refusal(by, disclosure_id, blockers, forums))
        report = DisclosureDeletion(disclosure_id)
        for record in [*signals, *operations]:
            kind = "signal" if isinstance(record, Signal) else "operation"
            if record.id in blockers:
                report.kept.setdefault(kind, []).append(record.id)
                continue
            uow.delete(type(record), record.id)
            report.deleted.setdefault(kind, []).append(record.id)
        uow.delete(Disclosure, disclosure_id)
        audit_event(
            uow,
            by,
            "disclosure.delete",
            "disclosure",
            disclosure_id,
            {
                "force": force,
                "deleted": {k: v[:1000] for k, v in report.deleted.items()},
                "kept": {k: v[:1000] for k, v in report.kept.items()},
            },
            now,
        )
    return report


def _check(by: Caller, record: Governed, forums: Mapping[str, Forum]) -> None:
    forum = forums.get(record.forum_id) if record.forum_id else None
    policy.check(by, policy.Act.DELETE, record, forum=forum)


def _existing(uow: UnitOfWork, kind: type[Operation] | type[Signal], ids: Iterable[str]) -> list[Any]:
    """The records of ``ids`` still stored (an imported record may have been deleted on its own since)."""
    return [r for record_id in ids if (r := uow.get(kind, record_id)) is not None]


def _chunks(ids: Sequence[str]) -> Iterable[list[str]]:
    for start in range(0, len(ids), _CHUNK):
        yield list(ids[start : start + _CHUNK])


def _blockers(
    uow: UnitOfWork, operation_ids: list[str], signal_ids: list[str], owned: set[str]
) -> dict[str, list[Governed]]:
    """For each imported record that others rest on, the records that do (none of them imported with it)."""
    found: dict[str, list[Governed]] = {}

    def note(target: str | None, record: Governed) -> None:
        if target is not None and record.id not in owned:
            found.setdefault(target, []).append(record)

    for kind in _ON_OPERATION:
        for chunk in _chunks(operation_ids):
            for record in uow.find(kind, where={"operation_id": chunk}):
                note(getattr(record, "operation_id", None), record)
    for kind, name in _ON_SIGNAL:
        for chunk in _chunks(signal_ids):
            for record in uow.find(kind, where={name: chunk}):
                note(getattr(record, name, None), record)
    for chunk in _chunks([*operation_ids, *signal_ids]):
        for feedback in uow.find(Feedback, where={"subject_id": chunk}):
            note(feedback.subject_id, feedback)
    if operation_ids:
        wanted = set(operation_ids)
        for page in uow.pages(Case):
            for case in page:
                for operation_id in wanted.intersection(case.operation_ids):
                    note(operation_id, case)
    return found


def _refusal(
    by: Caller, disclosure_id: str, blockers: Mapping[str, list[Governed]], forums: Mapping[str, Forum]
) -> str:
    """Why the deletion is refused: each blocked record and what rests on it; what the member may not read
    is counted, never named."""
    named: list[str] = []
    hidden = 0
    for target, records in blockers.items():
        seen = [r.id for r in records if policy.may_read(by, r, forums)]
        hidden += len(records) - len(seen)
        if seen:
            named.append(f"{target} (by {', '.join(seen[:5])}{' …' if len(seen) > 5 else ''})")
    parts = named[:_NAMED] + ([f"{len(named) - _NAMED} more"] if len(named) > _NAMED else [])
    if hidden:
        parts.append(f"{hidden} records you may not read")
    return (
        f"{disclosure_id}: {len(blockers)} records it brought in are built on ({'; '.join(parts)}): remove"
        " what rests on them, or delete with force to keep those records and delete the rest"
    )
