"""``fimihub lead``, ``fimihub case`` and ``fimihub operation``: triage leads, work joint investigations and
move operations along their life from the command line, as a member (the same use cases as
``/api/v1/leads/…``, ``/api/v1/cases/…`` and ``/api/v1/operations/{id}/status|assessment|history``)."""

from __future__ import annotations

import click

from fimihub.cli.common import db_option, echo_json, json_option, member_option, open_hub
from fimihub.model import CaseType, MonetisationKind, OperationStatus, Team

__all__ = ["case", "lead", "operation"]


@click.group()
def lead() -> None:
    """Leads from partners and users: the triage queue and the triage."""


@lead.command("queue")
@db_option
@member_option("The analyst whose organisation's queue is listed")
@json_option("Print the queue as JSON.")
def lead_queue(db: str | None, member_id: str, as_json: bool) -> None:
    """The leads your organisation reads and has not triaged yet, newest first, with duplicates."""
    with open_hub(db) as hub:
        queued = hub.leads.queue(hub.admin.actor(member_id))
    if as_json:
        echo_json([{**q.lead.model_dump(mode="json"), "duplicates": list(q.duplicates)} for q in queued])
        return
    for q in queued:
        same = f"  (same URLs as {', '.join(q.duplicates)})" if q.duplicates else ""
        click.echo(f"{q.lead.id}  {q.lead.created_at:%Y-%m-%d}  {q.lead.title}{same}")
    click.echo(f"{len(queued)} lead(s) to triage")


@lead.command("triage")
@click.argument("lead_id")
@db_option
@member_option("The analyst who triages, for their organisation")
@click.option("--operation", "operation_id", help="Attach the lead to this operation of yours.")
@click.option("--new-operation", "new_operation", metavar="NAME", help="Open a new operation of this name.")
@click.option("--dismiss", metavar="REASON", help="Dismiss the lead, saying why (kept to your organisation).")
@click.option("--outcome", default="", help="The public outcome the reporter reads.")
@json_option("Print your organisation's copy of the lead as JSON.")
def lead_triage(
    lead_id: str,
    db: str | None,
    member_id: str,
    operation_id: str | None,
    new_operation: str | None,
    dismiss: str | None,
    outcome: str,
    as_json: bool,
) -> None:
    """Triage a lead once for your organisation: --operation, --new-operation or --dismiss."""
    decision: dict[str, object] = {"outcome": outcome}
    if operation_id:
        decision["operation_id"] = operation_id
    if new_operation:
        decision["new_operation"] = {"name": new_operation}
    if dismiss:
        decision["dismiss"] = dismiss
    with open_hub(db) as hub:
        own = hub.leads.triage(hub.admin.actor(member_id), lead_id, decision)
    if as_json:
        echo_json(own)
    else:
        click.echo(
            f"{lead_id} {own.status.value}" + (f" into {own.operation_id}" if own.operation_id else "")
        )


@click.group()
def case() -> None:
    """Joint investigations: open, tasks, checklist, monetisation assets, notes, close."""


def _show(as_json: bool, changed: object) -> None:
    if as_json:
        echo_json(changed)


@case.command("open")
@click.argument("title")
@db_option
@member_option("The analyst who opens the case")
@click.option(
    "--type", "case_type", type=click.Choice([t.value for t in CaseType]), default="influence-operation"
)
@click.option(
    "--operation", "operation_ids", multiple=True, help="An operation the case is about (repeatable)."
)
@json_option("Print the case as JSON.")
def case_open(
    title: str, db: str | None, member_id: str, case_type: str, operation_ids: tuple[str, ...], as_json: bool
) -> None:
    """Open a case; its checklist and teams come from its type (joint: both teams)."""
    with open_hub(db) as hub:
        opened = hub.cases.open(
            hub.admin.actor(member_id),
            {"title": title, "case_type": case_type, "operation_ids": list(operation_ids)},
        )
    _show(as_json, opened)
    if not as_json:
        click.echo(opened.id)
        for index, step in enumerate(opened.checklist):
            click.echo(f"  [{index}] {step.step}")


@case.command("task")
@click.argument("case_id")
@click.argument("title")
@db_option
@member_option("The analyst who adds the task")
@click.option("--assignee", help="A member of the case's organisation.")
@click.option("--team", type=click.Choice([t.value for t in Team]))
@click.option("--due", type=click.DateTime(formats=["%Y-%m-%d"]), help="Due date, YYYY-MM-DD.")
@json_option("Print the case as JSON.")
def case_task(
    case_id: str,
    title: str,
    db: str | None,
    member_id: str,
    assignee: str | None,
    team: str | None,
    due: object,
    as_json: bool,
) -> None:
    """Add a task to a case."""
    task: dict[str, object] = {"title": title, "assignee": assignee, "team": team}
    if due is not None:
        task["due"] = due.date()  # type: ignore[attr-defined]
    with open_hub(db) as hub:
        changed = hub.cases.add_task(hub.admin.actor(member_id), case_id, task)
    _show(as_json, changed)
    if not as_json:
        click.echo(f"{changed.tasks[-1].id}")


@case.command("done")
@click.argument("case_id")
@click.argument("what")
@db_option
@member_option("The member who did it")
@json_option("Print the case as JSON.")
def case_done(case_id: str, what: str, db: str | None, member_id: str, as_json: bool) -> None:
    """Mark done a task (by its id, task--…) or a checklist step (by its number)."""
    with open_hub(db) as hub:
        actor = hub.admin.actor(member_id)
        if what.isdigit():
            changed = hub.cases.check_step(actor, case_id, int(what))
        else:
            changed = hub.cases.complete_task(actor, case_id, what)
    _show(as_json, changed)
    if not as_json:
        click.echo(changed.timeline[-1].text)


@case.command("money")
@click.argument("case_id")
@click.argument("kind", type=click.Choice([k.value for k in MonetisationKind]))
@db_option
@member_option("The analyst who links it")
@click.option("--asset", "asset_id", help="The asset record (an ad account …) behind it.")
@click.option("--amount", type=click.FloatRange(min=0))
@click.option("--currency", help="ISO 4217 code, e.g. EUR.")
@click.option("--from", "period_start", type=click.DateTime(formats=["%Y-%m-%d"]))
@click.option("--to", "period_end", type=click.DateTime(formats=["%Y-%m-%d"]))
@click.option("--description", default="")
@json_option("Print the case as JSON.")
def case_money(
    case_id: str,
    kind: str,
    db: str | None,
    member_id: str,
    asset_id: str | None,
    amount: float | None,
    currency: str | None,
    period_start: object,
    period_end: object,
    description: str,
    as_json: bool,
) -> None:
    """Link a monetisation asset (ad account, payout, creator fund, virtual gifts …) and what it spent or
    earned."""
    item: dict[str, object] = {
        "kind": kind,
        "asset_id": asset_id,
        "amount": amount,
        "currency": currency,
        "description": description,
        "period_start": period_start.date() if period_start else None,  # type: ignore[attr-defined]
        "period_end": period_end.date() if period_end else None,  # type: ignore[attr-defined]
    }
    with open_hub(db) as hub:
        changed = hub.cases.add_monetisation(hub.admin.actor(member_id), case_id, item)
    _show(as_json, changed)
    if not as_json:
        spent = ", ".join(f"{total:,.2f} {cur}" for cur, total in sorted(changed.ad_spend.items())) or "none"
        click.echo(f"{changed.timeline[-1].text}; ad spend so far: {spent}")


@case.command("note")
@click.argument("case_id")
@click.argument("text")
@db_option
@member_option("The member who notes it")
def case_note(case_id: str, text: str, db: str | None, member_id: str) -> None:
    """Add a note to a case's timeline."""
    with open_hub(db) as hub:
        hub.cases.note(hub.admin.actor(member_id), case_id, text)


@case.command("close")
@click.argument("case_id")
@db_option
@member_option("The analyst who closes it")
@click.option("--reason", default="")
def case_close(case_id: str, db: str | None, member_id: str, reason: str) -> None:
    """Close a case, saying why."""
    with open_hub(db) as hub:
        hub.cases.close(hub.admin.actor(member_id), case_id, reason)


@case.command("show")
@click.argument("case_id")
@db_option
@member_option("The member who reads it")
@json_option("Print the case as JSON.")
def case_show(case_id: str, db: str | None, member_id: str, as_json: bool) -> None:
    """A case: its checklist, tasks, monetisation and timeline."""
    from fimihub.model import Case

    with open_hub(db) as hub:
        found = hub.get(hub.admin.actor(member_id), Case, case_id)
    if as_json:
        echo_json(found)
        return
    click.echo(f"{found.id}  {found.title}  [{found.case_type.value}, {found.status.value}]")
    for index, step in enumerate(found.checklist):
        click.echo(f"  [{'x' if step.done else ' '}] {index}. {step.step}")
    for task in found.tasks:
        click.echo(f"  task {task.id}: {task.title}{' (done)' if task.done else ''}")
    for entry in found.timeline:
        click.echo(f"  {entry.at:%Y-%m-%d %H:%M}  {entry.author or 'hub'}: {entry.text}")


@click.group()
def operation() -> None:
    """An operation's life: move it (with why), assess it, read its history."""


@operation.command("move")
@click.argument("operation_id")
@click.argument("status", type=click.Choice([s.value for s in OperationStatus]))
@db_option
@member_option("The analyst who moves it")
@click.option("--reason", required=True, help="Why (kept in the operation's history).")
def operation_move(operation_id: str, status: str, db: str | None, member_id: str, reason: str) -> None:
    """Move an operation along its life; entering monitoring builds its fingerprint."""
    with open_hub(db) as hub:
        moved = hub.lifecycle.move(hub.admin.actor(member_id), operation_id, status, reason)
    click.echo(f"{operation_id} {moved.operation.status.value}")
    if moved.fingerprint is not None:
        click.echo(f"fingerprint {moved.fingerprint.id}: watched for resurgence")
    elif moved.fingerprint_note:
        click.echo(moved.fingerprint_note, err=True)


@operation.command("assess")
@click.argument("operation_id")
@db_option
@member_option("The analyst who assesses it")
@click.option("--attribution", help="Who is believed to run it, in words.")
@click.option("--confidence", "attribution_confidence", type=click.IntRange(0, 100))
@click.option("--rationale", required=True, help="What the assessment rests on.")
def operation_assess(
    operation_id: str,
    db: str | None,
    member_id: str,
    attribution: str | None,
    attribution_confidence: int | None,
    rationale: str,
) -> None:
    """Change an operation's attribution and its confidence, with a rationale."""
    changes: dict[str, object] = {"rationale": rationale}
    if attribution is not None:
        changes["attribution"] = attribution
    if attribution_confidence is not None:
        changes["attribution_confidence"] = attribution_confidence
    with open_hub(db) as hub:
        hub.lifecycle.assess(hub.admin.actor(member_id), operation_id, changes)


@operation.command("history")
@click.argument("operation_id")
@db_option
@member_option("A member of the operation's organisation")
@json_option("Print the history as JSON.")
def operation_history(operation_id: str, db: str | None, member_id: str, as_json: bool) -> None:
    """An operation's moves, assessments and updates, oldest first."""
    with open_hub(db) as hub:
        entries = hub.lifecycle.history(hub.admin.actor(member_id), operation_id)
    if as_json:
        echo_json([{"at": e.at.isoformat(), "by": e.by, "what": e.what, "detail": e.detail} for e in entries])
        return
    for e in entries:
        if e.what == "status":
            said = f"{e.detail.get('from')} -> {e.detail.get('to')}: {e.detail.get('reason')}"
        elif e.what == "assessment":
            said = f"{e.detail.get('after')} ({e.detail.get('rationale')})"
        else:
            said = ", ".join(e.detail.get("fields", [])) if isinstance(e.detail.get("fields"), list) else ""
        click.echo(f"{e.at:%Y-%m-%d %H:%M}  {e.by}  {e.what}  {said}")
