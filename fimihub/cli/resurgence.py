"""``fimihub resurgence``: fingerprint disrupted operations and find them coming back."""

from __future__ import annotations

from pathlib import Path

import click

from fimihub import Hub
from fimihub.cli.common import (
    FILE,
    counting_bar,
    echo_json,
    hub_command,
    json_option,
    member_option,
    summary_json,
)

__all__ = ["resurgence"]

_MEMBER = member_option("The member this runs as")


@click.group()
def resurgence() -> None:
    """Recidivism: accounts of disrupted operations that come back under new names."""


@hub_command(resurgence, "fingerprint")
@_MEMBER
@click.argument("operation_id", metavar="OPERATION")
@click.option("--forum", "forum_id", help="Share the fingerprint into this forum (default: the operation's).")
@json_option("Print the fingerprint record as JSON.")
def fingerprint(hub: Hub, member_id: str, operation_id: str, forum_id: str | None, as_json: bool) -> None:
    """Fingerprint a disrupted OPERATION from its assets and signals, without personal data in clear."""
    record = hub.resurgence.fingerprint_operation(hub.admin.actor(member_id), operation_id, forum_id=forum_id)
    if as_json:
        echo_json(record.model_dump(mode="json"))
        return
    click.echo(record.id)


@hub_command(resurgence, "scan")
@_MEMBER
@click.argument("new_path", metavar="NEW", type=FILE)
@click.option(
    "--disrupted",
    type=FILE,
    help="An export of removed accounts labelled with `operation`: fingerprint these instead of the stored.",
)
@click.option("--out", type=FILE, help="Candidates to a .csv or .parquet file.")
@click.option(
    "--unconfirmed",
    is_flag=True,
    help="Flag candidates by score alone, without co-action among them confirming them.",
)
@json_option("Print the summary as JSON.")
def scan(
    hub: Hub,
    member_id: str,
    new_path: Path,
    disrupted: Path | None,
    out: Path | None,
    unconfirmed: bool,
    as_json: bool,
) -> None:
    """Score the accounts in NEW (a platform export) against the fingerprints of disrupted operations;
    flagged candidates go to the review queue (with stored fingerprints) and every candidate to --out. The
    queue holds their account ids sealed to the organisation's identifier key, so a scan against stored
    fingerprints needs one (`fimihub org identifier-key`); `fimihub matches open` reads them."""
    actor = hub.admin.actor(member_id)
    with counting_bar("scoring", quiet=as_json) as progress:
        summary = hub.resurgence.scan(
            actor, new_path, disrupted=disrupted, out=out, confirm=not unconfirmed, progress=progress
        )
    if as_json:
        echo_json(summary_json(summary, candidates=summary.candidates.num_rows))
        return
    click.echo(
        f"{summary.accounts:,} accounts ({summary.rows:,} rows) against {summary.fingerprints:,} "
        f"fingerprints: {summary.candidates.num_rows:,} candidates, {summary.flagged:,} flagged, "
        f"{summary.queued:,} queued for review" + (f"; written to {summary.out}" if summary.out else "")
    )
    for column, count in sorted(summary.skipped.items()):
        if count:
            click.echo(f"skipped {count:,} values: {column}", err=True)
