"""``fimihub scan``: match a platform export against every signal a member may see."""

from __future__ import annotations

import os
from pathlib import Path

import click

from fimihub.cli.common import counting_bar, db_option, echo_json, open_hub
from fimihub.hub import SCAN_ENGINES

__all__ = ["scan"]


@click.command()
@db_option
@click.argument("input_path", metavar="INPUT", type=click.Path(path_type=Path))
@click.option(
    "--member",
    "member_id",
    envvar="FIMIHUB_MEMBER",
    required=True,
    help="The member the scan runs as: its signals, its review queue (default: $FIMIHUB_MEMBER).",
)
@click.option(
    "--out", type=click.Path(dir_okay=False, path_type=Path), help="Write the matches to a .csv or .parquet."
)
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
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
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
    review queue and, with --out, to a file. With --engine spark, INPUT may be anything Spark reads (a
    directory of Parquet files, say)."""
    with open_hub(db) as hub:
        actor = hub.actor(member_id)
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
        echo_json(
            {
                "rows": summary.rows,
                "matched_rows": summary.matched_rows,
                "hits": summary.hits,
                "queued": summary.queued,
                "bad_values": summary.bad_values,
                "missing_columns": summary.missing_columns,
                "out": summary.out,
            }
        )
        return
    click.echo(
        f"{summary.rows:,} rows scanned, {summary.matched_rows:,} matched ({summary.hits:,} hits); "
        f"{summary.queued:,} matches queued for review"
        + (f"; written to {summary.out}" if summary.out else "")
    )
    for column, count in sorted(summary.bad_values.items()):
        click.echo(f"skipped {count:,} unreadable values in {column!r}", err=True)
