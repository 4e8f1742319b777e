"""``fimihub scan``: match a platform export against every signal a member may see; ``fimihub matches open``:
read the review queue with its sealed account and post ids opened by the organisation's private key."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import click

from fimihub import policy
from fimihub.cli.common import (
    EXISTING_FILE,
    FILE,
    counting_bar,
    db_option,
    echo_json,
    json_option,
    key_file_option,
    member_option,
    open_hub,
    summary_json,
)
from fimihub.hub import SCAN_ENGINES
from fimihub.model import Match, parse

__all__ = ["OPENED_COLUMNS", "matches", "scan"]


@click.command()
@db_option
@click.argument("input_path", metavar="INPUT", type=click.Path(path_type=Path))
@member_option("The member the scan runs as: its signals, its review queue")
@click.option("--out", type=FILE, help="Write the matches to a .csv or .parquet.")
@click.option(
    "--engine",
    type=click.Choice(SCAN_ENGINES),
    default="local",
    show_default=True,
    help="Where the scan runs: in this process, or on Spark (needs `pip install 'fimihub[spark]'` and Java).",
)
@click.option(
    "--spark-master",
    envvar="SPARK_MASTER",
    help="Spark master URL for --engine spark (default: local[*]; also $SPARK_MASTER).",
)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=lambda: os.cpu_count() or 1,
    show_default="the number of cores",
    help="Processes the local engine scans with.",
)
@json_option("Print the summary as JSON.")
def scan(
    db: str | None,
    input_path: Path,
    member_id: str,
    out: Path | None,
    engine: str,
    spark_master: str | None,
    workers: int,
    as_json: bool,
) -> None:
    """Match a platform export (Parquet or CSV, one row per post) against shared signals; hits go to the
    review queue, grouped into review items (one per account and operation; a hit queued before is not
    queued again), and, with --out, to a file. --json reports `hits` and `queued` (new review items). With
    --engine spark, INPUT may be anything Spark reads (a directory of Parquet files, say).

    The queue holds each hit's account and post ids sealed to the organisation's identifier key, so the
    organisation needs one first (`fimihub org identifier-key`); `fimihub matches open` reads them. The
    --out file is yours and has them in clear."""
    with open_hub(db) as hub:
        actor = hub.admin.actor(member_id)
        with counting_bar("scanning", quiet=as_json) as progress:
            summary = hub.scan(
                actor,
                input_path,
                out=out,
                progress=progress,
                engine=engine,
                spark_master=spark_master,
                workers=workers,
            )
    if as_json:
        echo_json(summary_json(summary))
        return
    click.echo(
        f"{summary.rows:,} rows scanned, {summary.matched_rows:,} matched ({summary.hits:,} hits); "
        f"{summary.matches:,} new matches queued for review in {summary.queued:,} new review items"
        f" ({summary.updated:,} open items got new evidence, {summary.duplicates:,} hits queued before)"
        + (f"; written to {summary.out}" if summary.out else "")
    )
    for reason, count in sorted(summary.held.items()):
        click.echo(f"held back {count:,} hits ({reason})", err=True)
    for signal_id in summary.quarantined:
        click.echo(f"quarantined signal {signal_id}: it matched far more accounts than before", err=True)
    for column, count in sorted(summary.bad_values.items()):
        click.echo(f"skipped {count:,} unreadable values in {column!r}", err=True)


#: Columns ``fimihub matches open`` writes, one row per match of the review queue.
OPENED_COLUMNS = (
    "match_id",
    "created_at",
    "status",
    "source",
    "platform",
    "account_id",
    "post_id",
    "item_kind",
    "item_value",
    "signal_id",
    "fingerprint_id",
    "operation_id",
    "score",
)


@click.group()
def matches() -> None:
    """The review queue: matches of shared signals on a member's data."""


@matches.command("open")
@db_option
@key_file_option(
    "The organisation's identifier private key (as `fimihub org identifier-key --out` wrote it)."
)
@member_option(
    "Read the review queue of this member's organisation from the store",
    required=False,
)
@click.option(
    "--queue",
    "queue_file",
    type=EXISTING_FILE,
    help="Read the queue from this file instead: the JSON answer of GET /api/v1/matches (no store needed).",
)
@click.option(
    "--status",
    type=click.Choice(["pending", "confirmed", "rejected", "all"]),
    default="all",
    show_default=True,
)
@click.option("--out", type=FILE, help="Write a .csv or .parquet file.")
def matches_open(
    db: str | None,
    key_file: Path,
    member_id: str | None,
    queue_file: Path | None,
    status: str,
    out: Path | None,
) -> None:
    """Read the review queue with its platform account and post ids opened: the hub holds them sealed to
    the organisation's identifier key, and they are opened here, on this machine, with its private key.
    Matches sealed to another key (an earlier one, or one that is not the organisation's) are listed with
    the ids left blank, and counted on stderr."""
    from fimihub.hub.tables import write_table

    if (member_id is None) == (queue_file is None):
        raise click.UsageError("give exactly one of --member (read the store) or --queue (a saved answer)")
    private_key = key_file.read_text(encoding="utf-8").strip()
    key_id = policy.identifier_key_id(policy.public_key_of(private_key))
    if queue_file is not None:
        found = _saved_queue(queue_file)
    else:
        assert member_id is not None
        with open_hub(db) as hub:
            found = _queue(hub, hub.admin.actor(member_id), status)
    if status != "all":
        found = [m for m in found if m.status.value == status]
    rows = [_opened(m, private_key, key_id) for m in found]
    other = sum(1 for m in found if (m.account_sealed or m.post_sealed) and m.identifier_key_id != key_id)
    if out is not None:
        import pyarrow as pa

        table = pa.table({name: [row[name] for row in rows] for name in OPENED_COLUMNS})
        write_table(table, out)
        click.echo(f"{len(rows):,} matches written to {out}", err=True)
    else:
        click.echo("\t".join(OPENED_COLUMNS))
        for row in rows:
            click.echo("\t".join(_cell(row[name]) for name in OPENED_COLUMNS))
    if other:
        click.echo(
            f"{other:,} matches are sealed to another identifier key than {key_id}: their ids are left blank",
            err=True,
        )


def _queue(hub: Any, actor: Any, status: str) -> list[Match]:
    where = {} if status == "all" else {"status": status}
    found: list[Match] = []
    after: str | None = None
    while True:
        page = hub.list(actor, Match, where=where, after=after, limit=1000)
        found.extend(page.items)
        after = page.next_after
        if after is None:
            return found


def _saved_queue(path: Path) -> list[Match]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise click.UsageError(f"{path}: not a JSON file ({exc})") from None
    items = data.get("items") if isinstance(data, dict) else data
    if not isinstance(items, list):
        raise click.UsageError(f"{path}: expected the answer of GET /api/v1/matches or a list of matches")
    return [parse(Match, item) for item in items]


def _opened(match: Match, private_key: str, key_id: str) -> dict[str, Any]:
    mine = match.identifier_key_id == key_id

    def opened(sealed: str | None) -> str | None:
        return policy.open_sealed(private_key, sealed) if sealed and mine else None

    return {
        "match_id": match.id,
        "created_at": match.created_at.isoformat(),
        "status": match.status.value,
        "source": match.source,
        "platform": match.platform,
        "account_id": opened(match.account_sealed),
        "post_id": opened(match.post_sealed),
        "item_kind": match.item_kind.value,
        "item_value": match.item_value,
        "signal_id": match.signal_id,
        "fingerprint_id": match.fingerprint_id,
        "operation_id": match.operation_id,
        "score": match.score,
    }


def _cell(value: object) -> str:
    return "" if value is None else str(value).replace("\t", " ").replace("\n", " ")
