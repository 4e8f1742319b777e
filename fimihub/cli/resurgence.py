"""``fimihub resurgence``: fingerprint disrupted operations and find them coming back."""

from __future__ import annotations

from pathlib import Path

import click

from fimihub.cli.common import counting_bar, db_option, echo_json, open_hub

__all__ = ["resurgence"]

_MEMBER = click.option(
    "--member",
    "member_id",
    envvar="FIMIHUB_MEMBER",
    required=True,
    help="The member this runs as (default: $FIMIHUB_MEMBER).",
)


@click.group()
def resurgence() -> None:
    """Recidivism: accounts of disrupted operations that come back under new names."""


@resurgence.command()
@db_option
@_MEMBER
@click.argument("operation_id", metavar="OPERATION")
@click.option("--forum", "forum_id", help="Share the fingerprint into this forum (default: the operation's).")
@click.option("--json", "as_json", is_flag=True, help="Print the fingerprint record as JSON.")
def fingerprint(
    db: str | None, member_id: str, operation_id: str, forum_id: str | None, as_json: bool
) -> None:
    """Fingerprint a disrupted OPERATION from its assets and signals, without personal data in clear."""
    with open_hub(db) as hub:
        record = hub.resurgence.fingerprint_operation(
            hub.admin.actor(member_id), operation_id, forum_id=forum_id
        )
    if as_json:
        echo_json(record.model_dump(mode="json"))
        return
    click.echo(record.id)


@resurgence.command()
@db_option
@_MEMBER
@click.argument("new_path", metavar="NEW", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--disrupted",
    type=click.Path(dir_okay=False, path_type=Path),
    help="An export of removed accounts labelled with `operation`: fingerprint these instead of the stored.",
)
@click.option(
    "--out", type=click.Path(dir_okay=False, path_type=Path), help="Candidates to a .csv or .parquet file."
)
@click.option(
    "--unconfirmed",
    is_flag=True,
    help="Flag candidates by score alone, without co-action among them confirming them.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
def scan(
    db: str | None,
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
    with open_hub(db) as hub:
        actor = hub.admin.actor(member_id)
        with counting_bar("scoring", quiet=as_json) as progress:
            summary = hub.resurgence.scan(
                actor,
                new_path,
                disrupted=disrupted,
                out=out,
                confirm=not unconfirmed,
                progress=progress,
            )
    if as_json:
        echo_json(
            {
                "rows": summary.rows,
                "accounts": summary.accounts,
                "fingerprints": summary.fingerprints,
                "candidates": summary.candidates.num_rows,
                "flagged": summary.flagged,
                "queued": summary.queued,
                "skipped": summary.skipped,
                "out": summary.out,
            }
        )
        return
    click.echo(
        f"{summary.accounts:,} accounts ({summary.rows:,} rows) against {summary.fingerprints:,} "
        f"fingerprints: {summary.candidates.num_rows:,} candidates, {summary.flagged:,} flagged, "
        f"{summary.queued:,} queued for review" + (f"; written to {summary.out}" if summary.out else "")
    )
    for column, count in sorted(summary.skipped.items()):
        if count:
            click.echo(f"skipped {count:,} values: {column}", err=True)
