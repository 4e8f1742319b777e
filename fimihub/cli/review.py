"""``fimihub review``: the review queue of a member's organisation — list, show, decide (one item or many),
what sharers learn back, and quarantined signals."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

import click

from fimihub.cli.common import db_option, echo_json, json_option, member_option, open_hub
from fimihub.hub.review import MAX_PAGE, ReviewQuery, ReviewSort
from fimihub.model import ActionKind, LeadSource, ReviewItemKind, ReviewStatus

__all__ = ["review"]


@click.group()
def review() -> None:
    """The review queue: hits grouped per account and operation (and per returning network)."""


@review.command("list")
@db_option
@member_option("The member whose organisation's queue is listed")
@click.option(
    "--status",
    type=click.Choice([*(s.value for s in ReviewStatus), "all"]),
    default="open",
    show_default=True,
)
@click.option("--operation", "operation_id", help="Only items of this operation.")
@click.option("--forum", "forum_id", help="Only items with hits of signals shared in this forum.")
@click.option("--source", help="Only items with hits from this source (`scan`, `scan:FILE`, `api`, …).")
@click.option("--kind", type=click.Choice([k.value for k in ReviewItemKind]))
@click.option("--platform")
@click.option("--min-score", type=click.FloatRange(0, 1))
@click.option("--max-age-days", type=click.FloatRange(min=0, min_open=True))
@click.option(
    "--sort", type=click.Choice([s.value for s in ReviewSort]), default="priority", show_default=True
)
@click.option("--offset", type=click.IntRange(min=0), default=0, show_default=True)
@click.option("--limit", type=click.IntRange(1, MAX_PAGE), default=50, show_default=True)
@json_option("Print the page as JSON (items, total, next_offset, totals).")
def review_list(
    db: str | None,
    member_id: str,
    status: str,
    operation_id: str | None,
    forum_id: str | None,
    source: str | None,
    kind: str | None,
    platform: str | None,
    min_score: float | None,
    max_age_days: float | None,
    sort: str,
    offset: int,
    limit: int,
    as_json: bool,
) -> None:
    """List the queue, highest priority first (by default), with filters and paging."""
    query = ReviewQuery(
        status=None if status == "all" else ReviewStatus(status),
        operation_id=operation_id,
        forum_id=forum_id,
        source=source,
        kind=ReviewItemKind(kind) if kind else None,
        platform=platform,
        min_score=min_score,
        max_age_days=max_age_days,
        sort=ReviewSort(sort),
        offset=offset,
        limit=limit,
    )
    with open_hub(db) as hub:
        page = hub.review.list(hub.admin.actor(member_id), query)
    if as_json:
        echo_json(
            {
                "items": page.items,
                "total": page.total,
                "offset": page.offset,
                "next_offset": page.next_offset,
                "totals": page.totals,
            }
        )
        return
    click.echo("\t".join(("item", "status", "kind", "priority", "score", "hits", "accounts", "operation")))
    for item in page.items:
        cells = (
            item.id,
            item.status.value,
            item.kind.value,
            f"{item.priority:g}",
            f"{item.score:.2f}",
            str(item.hit_count),
            str(len(item.account_keys)),
            item.operation_id or "",
        )
        click.echo("\t".join(cells))
    shown = f"{page.offset + 1}-{page.offset + len(page.items)}" if page.items else "none"
    totals = ", ".join(f"{n:,} {s}" for s, n in page.totals.items())
    click.echo(f"{shown} of {page.total:,} matching items ({totals} in all)", err=True)


@review.command("show")
@db_option
@click.argument("item_id")
@member_option("The member whose organisation's item it is")
def review_show(db: str | None, item_id: str, member_id: str) -> None:
    """Print one item and its hits as JSON."""
    with open_hub(db) as hub:
        actor = hub.admin.actor(member_id)
        item = hub.review.get(actor, item_id)
        hits = hub.review.hits(actor, item_id)
    echo_json({**item.model_dump(mode="json"), "hits": hits})


@review.command("decide")
@db_option
@click.argument("item_ids", metavar="ITEM...", nargs=-1, required=True)
@member_option("The reviewer deciding")
@click.option("--confirm", "decision", flag_value="confirm", help="The items belong to their operation.")
@click.option("--reject", "decision", flag_value="reject", help="The items are false positives.")
@click.option("--reason", default="", help="Why (required to reject; sent to the sharers).")
@click.option(
    "--action", "action_kind", type=click.Choice([k.value for k in ActionKind]), help="Record this action."
)
@click.option("--lead-source", type=click.Choice([s.value for s in LeadSource]))
@click.option("--lead-ref", help="The share, signal, lead or report the action came from.")
@click.option("--member-state", "member_states", multiple=True, help="An EU/EEA Member State (repeat).")
@json_option("Print the decided items as JSON.")
def review_decide(
    db: str | None,
    item_ids: tuple[str, ...],
    member_id: str,
    decision: str | None,
    reason: str,
    action_kind: str | None,
    lead_source: str | None,
    lead_ref: str | None,
    member_states: tuple[str, ...],
    as_json: bool,
) -> None:
    """Confirm or reject review items, all of them or none; with --action, confirming records the
    enforcement action too. Every member whose signal contributed gets feedback."""
    if decision is None:
        raise click.UsageError("say --confirm or --reject")
    action: dict[str, Any] | None = None
    if action_kind is not None:
        action = {"kind": action_kind, "member_states": list(member_states)}
        if lead_source:
            action["lead_source"] = lead_source
        if lead_ref:
            action["lead_ref"] = lead_ref
    elif lead_source or lead_ref or member_states:
        raise click.UsageError("--lead-source, --lead-ref and --member-state describe an --action")
    with open_hub(db) as hub:
        decided = hub.review.decide(
            hub.admin.actor(member_id), list(item_ids), decision, reason=reason, action=action
        )
    if as_json:
        echo_json({"items": decided})
        return
    for item in decided:
        made = f", action {item.action_id}" if item.action_id else ""
        click.echo(f"{item.id}: {item.status.value}{made}, feedback to {len(item.feedback_ids)} sharers")


@review.command("feedback")
@db_option
@member_option("A member of the organisation whose signals are summarised")
@json_option("Print the summary as JSON.")
def review_feedback(db: str | None, member_id: str, as_json: bool) -> None:
    """How your organisation's signals fared in other members' reviews: per signal, per contributor."""
    with open_hub(db) as hub:
        summary = hub.review.feedback_summary(hub.admin.actor(member_id))
    if as_json:
        echo_json(asdict(summary))
        return
    kinds = ("acted", "seen", "false-positive", "members")
    click.echo("\t".join(("signal", "kind", *kinds)))
    for row in summary.signals:
        click.echo("\t".join((row["signal_id"], row["kind"], *(str(row[k]) for k in kinds))))
    click.echo("in all: " + ", ".join(f"{summary.totals.get(k, 0):,} {k}" for k in kinds), err=True)


@review.command("quarantine")
@db_option
@member_option(
    "List as this member (its organisation's signals); none: the operator, every signal", required=False
)
@click.option("--all", "everything", is_flag=True, help="Watched signals too, not only quarantined ones.")
def review_quarantine(db: str | None, member_id: str | None, everything: bool) -> None:
    """Quarantined signals: those that suddenly matched far more accounts than before, their hits held."""
    with open_hub(db) as hub:
        by = hub.admin.actor(member_id) if member_id else hub.operator()
        watches = hub.review.watches(by, quarantined=None if everything else True)
    echo_json({"items": watches})


@review.command("release")
@db_option
@click.argument("signal_id")
@member_option("Release as this member (an admin); none: the operator", required=False)
@click.option("--note", default="", help="Why the signal is released.")
def review_release(db: str | None, signal_id: str, member_id: str | None, note: str) -> None:
    """Lift a signal's quarantine: its held hits go to their organisations' queues."""
    with open_hub(db) as hub:
        by = hub.admin.actor(member_id) if member_id else hub.operator()
        watch, opened = hub.review.release(by, signal_id, note)
    click.echo(f"released {watch.signal_id}: {opened:,} review items opened from its held hits")
