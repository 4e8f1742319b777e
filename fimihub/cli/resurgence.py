"""``fimihub resurgence``: fingerprint disrupted operations and find them coming back."""

from __future__ import annotations

from pathlib import Path

import click
from click.core import ParameterSource

from fimihub import Hub
from fimihub.cli.common import (
    FILE,
    counting_bar,
    db_option,
    echo_json,
    hub_command,
    json_option,
    member_option,
    open_hub,
    plural,
    summary_json,
)
from fimihub.hub.resurgence import scan_against_disrupted

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


@resurgence.command("scan")
@db_option
@member_option(
    "The member a scan against the stored fingerprints runs as; not needed with --disrupted",
    required=False,
)
@click.argument("new_path", metavar="NEW", type=FILE)
@click.option(
    "--disrupted",
    type=FILE,
    help="An export of removed accounts labelled with `operation`: fingerprint these instead of the stored "
    "ones, here, with no hub (no --member, no store).",
)
@click.option(
    "--out", type=FILE, help="Every candidate, with a `flagged` column, to a .csv or .parquet file."
)
@click.option(
    "--unconfirmed",
    is_flag=True,
    help="Flag candidates by score alone, without co-action among them confirming them.",
)
@json_option("Print the summary as JSON.")
def scan(
    db: str | None,
    member_id: str | None,
    new_path: Path,
    disrupted: Path | None,
    out: Path | None,
    unconfirmed: bool,
    as_json: bool,
) -> None:
    """Score the accounts in NEW (a platform export) against the fingerprints of disrupted operations:
    those stored in the hub that --member may see, or those built from --disrupted.

    Every candidate goes to --out, with a `flagged` column. With stored fingerprints, flagged candidates go
    to the member's review queue, their account ids sealed to the organisation's identifier key (so such a
    scan needs one: `fimihub org identifier-key`; `fimihub matches open` reads them). With --disrupted the
    scan runs on your files alone: no hub, no store, nothing queued."""
    if disrupted is not None:
        given = click.get_current_context().get_parameter_source("member_id")
        if db is not None or given is ParameterSource.COMMANDLINE:
            click.echo("note: --disrupted scans only your files; --db and --member are not used", err=True)
        with counting_bar("scoring", quiet=as_json) as progress:
            summary = scan_against_disrupted(
                new_path, disrupted, out=out, confirm=not unconfirmed, progress=progress
            )
    else:
        if member_id is None:
            raise click.UsageError(
                "give --member (scanning against the hub's stored fingerprints runs as a member), or "
                "--disrupted EXPORT to fingerprint an export of removed accounts here"
            )
        with open_hub(db) as hub:
            actor = hub.admin.actor(member_id)
            with counting_bar("scoring", quiet=as_json) as progress:
                summary = hub.resurgence.scan(
                    actor, new_path, out=out, confirm=not unconfirmed, progress=progress
                )
    if as_json:
        echo_json(summary_json(summary, candidates=summary.candidates.num_rows))
        return
    queued = "" if disrupted is not None else f", {summary.queued:,} queued for review"
    click.echo(
        f"{plural(summary.accounts, 'account')} ({plural(summary.rows, 'row')}) against "
        f"{plural(summary.fingerprints, 'fingerprint')}: {plural(summary.candidates.num_rows, 'candidate')}, "
        f"{summary.flagged:,} flagged{queued}" + (f"; written to {summary.out}" if summary.out else "")
    )
    for column, count in sorted(summary.skipped.items()):
        if count:
            click.echo(f"skipped {plural(count, 'value')}: {column}", err=True)
