"""Joint investigations (``hub.cases``): a case joins the teams of one organisation — covert-influence
investigations and monetisation integrity — around operations, with tasks, a standard operating checklist,
the monetisation assets the operation used and what they spent or earned, and a timeline of everything done.

Opening a case (:meth:`Cases.open`) seeds its checklist from its type
(:data:`~fimihub.model.STANDARD_CHECKLISTS`) and its teams (a joint case: both). Every change through this
service — a task added or done, a checklist step done, a monetisation asset, a note, the case closed — is a
timeline entry with its author and time, in the same transaction as the change, and audited.

Who sees a case is the policy's decision: its teams, its author and its organisation's admins
(:mod:`fimihub.policy.access`); who changes it, the organisation's analysts and admins. A case is shared
with other organisations like any record (``hub.share``).

Bad input is refused with the field named and nothing changed: a task for someone outside the organisation,
an unknown task or checklist step, a step already done, an amount without its currency.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from fimihub import policy
from fimihub.errors import Conflict, NotFound, ValidationError
from fimihub.hub.access import writable
from fimihub.hub.core import Core, audit_event
from fimihub.model import (
    STANDARD_CHECKLISTS,
    Asset,
    Case,
    CaseStatus,
    CaseType,
    ChecklistStep,
    Forum,
    Member,
    MonetisationAsset,
    Task,
    Team,
    TimelineEntry,
    new_id,
    parse,
)
from fimihub.policy import Caller
from fimihub.storage import UnitOfWork

if TYPE_CHECKING:  # the records service imports the rest of the hub
    from fimihub.hub.records import Records
    from fimihub.hub.writes import WritePath

__all__ = ["Cases"]

_JOINT_TEAMS = frozenset({Team.CIO_INVESTIGATIONS, Team.MONETISATION_INTEGRITY})
_TEAMS_OF = {
    CaseType.INFLUENCE_OPERATION: frozenset({Team.CIO_INVESTIGATIONS}),
    CaseType.MONETISATION: frozenset({Team.MONETISATION_INTEGRITY}),
    CaseType.JOINT: _JOINT_TEAMS,
}


class Cases:
    """Joint investigations: open, tasks, checklist, monetisation, notes, close (``hub.cases``)."""

    def __init__(self, core: Core, *, records: Records, writes: WritePath) -> None:
        self.core = core
        self.records = records
        self.writes = writes

    def open(self, by: Caller, data: Mapping[str, Any]) -> Case:
        """Open a case of the caller's organisation: its fields as for ``hub.create``, its checklist and
        (unless given) its teams from its ``case_type``."""
        for name in ("checklist", "timeline", "tasks"):
            if name in data:
                raise ValidationError(name, "is set by the hub: add tasks and steps once the case is open")
        try:
            case_type = CaseType(data.get("case_type", CaseType.INFLUENCE_OPERATION))
        except ValueError:
            raise ValidationError("case_type", f"one of {', '.join(t.value for t in CaseType)}") from None
        actor = policy.actor_of(by)
        opened = {"at": self.core.clock(), "author": actor.member.id if actor else None}
        body = {
            "teams": sorted(_TEAMS_OF[case_type]),
            **data,
            "checklist": [{"step": step} for step in STANDARD_CHECKLISTS[case_type]],
            "timeline": [{**opened, "text": f"opened ({case_type.value})"}],
        }
        return self.records.create(by, Case, body)

    def add_task(self, by: Caller, case_id: str, task: Mapping[str, Any]) -> Case:
        """Add a task (``title``, and optionally ``assignee``: a member of the case's organisation, ``team``,
        ``due``)."""
        if "id" in task or "done" in task:
            raise ValidationError("task", "id and done are set by the hub")

        def change(case: Case, uow: UnitOfWork) -> tuple[dict[str, Any], str]:
            added = parse(Task, {**task, "id": new_id("task")})
            if added.assignee is not None:
                _check_assignee(uow, case, added.assignee)
            return {"tasks": (*case.tasks, added)}, f"task added: {added.title}" + _who(added)

        return self._change(by, case_id, "task.add", change)

    def complete_task(self, by: Caller, case_id: str, task_id: str) -> Case:
        """Mark a task done, by its id."""
        actor = policy.actor_of(by)

        def change(case: Case, uow: UnitOfWork) -> tuple[dict[str, Any], str]:
            found = next((t for t in case.tasks if t.id == task_id), None)
            if found is None:
                raise ValidationError("task_id", f"no task {task_id!r} in case {case.id}")
            if found.done:
                raise Conflict(f"task {task_id} is done already")
            done = found.model_copy(
                update={
                    "done": True,
                    "done_at": self.core.clock(),
                    "done_by": actor.member.id if actor else None,
                }
            )
            tasks = tuple(done if t.id == task_id else t for t in case.tasks)
            return {"tasks": tasks}, f"task done: {found.title}"

        return self._change(by, case_id, "task.done", change)

    def check_step(self, by: Caller, case_id: str, index: int) -> Case:
        """Mark step ``index`` (from 0) of the checklist done."""
        actor = policy.actor_of(by)

        def change(case: Case, uow: UnitOfWork) -> tuple[dict[str, Any], str]:
            if not 0 <= index < len(case.checklist):
                raise ValidationError("step", f"the checklist has steps 0 to {len(case.checklist) - 1}")
            step = case.checklist[index]
            if step.done:
                raise Conflict(f"step {index} ({step.step}) is done already")
            done = ChecklistStep(
                step=step.step,
                done=True,
                done_at=self.core.clock(),
                done_by=actor.member.id if actor else None,
            )
            checklist = tuple(done if i == index else s for i, s in enumerate(case.checklist))
            return {"checklist": checklist}, f"step done: {step.step}"

        return self._change(by, case_id, "checklist.done", change)

    def add_monetisation(self, by: Caller, case_id: str, asset: Mapping[str, Any]) -> Case:
        """Link a monetisation asset (``kind``, optionally ``asset_id`` of an asset record the caller reads,
        ``amount`` with ``currency``, ``period_start``, ``period_end``, ``description``)."""

        def change(case: Case, uow: UnitOfWork) -> tuple[dict[str, Any], str]:
            added = parse(MonetisationAsset, asset)
            if added.asset_id is not None:
                linked = uow.get(Asset, added.asset_id)
                forums = {f.id: f for f in uow.find(Forum)}
                if linked is None or not policy.may_read(by, linked, forums):
                    raise NotFound(f"no asset {added.asset_id!r}")
            amount = f", {added.amount:,.2f} {added.currency}" if added.amount is not None else ""
            return {"monetisation": (*case.monetisation, added)}, f"{added.kind.value} linked{amount}"

        return self._change(by, case_id, "monetisation.add", change)

    def note(self, by: Caller, case_id: str, text: str) -> Case:
        """Add a note to the timeline."""
        if not isinstance(text, str) or not text.strip():
            raise ValidationError("text", "a note needs text")
        return self._change(by, case_id, "note", lambda case, uow: ({}, text.strip()))

    def close(self, by: Caller, case_id: str, reason: str = "") -> Case:
        """Close the case, saying why."""

        def change(case: Case, uow: UnitOfWork) -> tuple[dict[str, Any], str]:
            if case.status is CaseStatus.CLOSED:
                raise Conflict(f"case {case.id} is closed already")
            return {"status": CaseStatus.CLOSED}, "closed" + (f": {reason}" if reason else "")

        return self._change(by, case_id, "close", change)

    def _change(
        self,
        by: Caller,
        case_id: str,
        action: str,
        change: Callable[[Case, UnitOfWork], tuple[dict[str, Any], str]],
    ) -> Case:
        """Apply ``change`` (the case's new fields, and the timeline's text) to a case the caller may write,
        with a timeline entry and an audit event, in one transaction."""
        actor = policy.actor_of(by)
        now = self.core.clock()
        with self.writes.open(by, publish=True) as uow:
            case = writable(uow, by, Case, case_id)
            fields, text = change(case, uow)
            entry = TimelineEntry(at=now, author=actor.member.id if actor else None, text=text)
            changed = case.model_copy(
                update={**fields, "timeline": (*case.timeline, entry), "modified_at": now}
            )
            uow.update(parse(Case, changed.model_dump()))
            audit_event(uow, by, f"case.{action}", "case", case.id, {"text": text[:200]}, now)
        return changed


def _check_assignee(uow: UnitOfWork, case: Case, member_id: str) -> None:
    member = uow.get(Member, member_id)
    if member is None or member.org_id != case.owner_org or not member.active:
        raise ValidationError("assignee", f"{member_id!r} is not an active member of the case's organisation")


def _who(task: Task) -> str:
    parts = [f"for {task.assignee}" if task.assignee else "", f"due {task.due}" if task.due else ""]
    said = ", ".join(p for p in parts if p)
    return f" ({said})" if said else ""
