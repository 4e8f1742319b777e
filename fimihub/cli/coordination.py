"""``fimihub coordination detect``: the co-action network of a member's own data."""

from __future__ import annotations

from pathlib import Path

import click

from fimihub import Hub
from fimihub.cli.common import FILE, echo_json, hub_command, json_option, member_option, step_bar
from fimihub.hub import COORDINATION_STEPS

__all__ = ["coordination"]


@click.group()
def coordination() -> None:
    """Co-action networks: accounts that act on the same objects within seconds of each other."""


@hub_command(coordination, "detect")
@click.argument("input_path", metavar="INPUT", type=FILE)
@member_option("The member the detection runs as")
@click.option(
    "--window", "window_s", type=click.IntRange(min=0), default=60, show_default=True, help="Seconds."
)
@click.option(
    "--min-weight",
    type=click.IntRange(min=1),
    default=2,
    show_default=True,
    help="Distinct objects a pair must co-act on.",
)
@click.option(
    "--min-percentile",
    type=click.FloatRange(0, 100),
    help="Keep edges whose weight reaches this percentile of all weights.",
)
@click.option(
    "--min-symmetry",
    type=click.FloatRange(0, 1),
    default=0.0,
    show_default=True,
    help="Least share of the busier account's objects a pair must share (keeps hyperactive accounts out).",
)
@click.option(
    "--kinds",
    help="Object kinds of a platform export, comma-separated (repost, url, domain, hashtag, image, text).",
)
@click.option(
    "--communities",
    "method",
    type=click.Choice(["leiden", "components"]),
    default="leiden",
    show_default=True,
)
@click.option("--out", type=FILE, help="Edges to a .csv or .parquet.")
@click.option("--graphml", type=FILE, help="The network to a .graphml.")
@click.option(
    "--engine",
    type=click.Choice(["local"]),
    default="local",
    show_default=True,
    help="Where detection runs (this process; about 10M actions a minute on 2 cores).",
)
@json_option("Print the summary as JSON.")
def detect(
    hub: Hub,
    input_path: Path,
    member_id: str,
    window_s: int,
    min_weight: int,
    min_percentile: float | None,
    min_symmetry: float,
    kinds: str | None,
    method: str,
    out: Path | None,
    graphml: Path | None,
    engine: str,
    as_json: bool,
) -> None:
    """Find accounts that act together in INPUT: an object table (object_id, account_id, content_id,
    timestamp_share) or a platform export. Prints the communities; --out and --graphml write the network."""
    actor = hub.admin.actor(member_id)
    with step_bar(COORDINATION_STEPS, quiet=as_json) as progress:
        report = hub.coordination.detect(
            actor,
            input_path,
            window_s=window_s,
            min_weight=min_weight,
            min_weight_percentile=min_percentile,
            min_symmetry=min_symmetry,
            method=method,
            kinds=[k.strip() for k in kinds.split(",") if k.strip()] if kinds else None,
            out=out,
            graphml=graphml,
            progress=progress,
        )
    summary = {
        "rows": report.rows,
        "actions": report.actions,
        "dropped": report.dropped,
        "edges": report.edges.num_rows,
        "accounts": report.accounts,
        "capped_objects": report.capped.num_rows,
        "communities": [
            {"id": c.id, "accounts": c.size, "edges": c.edges, "weight": c.weight, "score": round(c.score, 4)}
            for c in report.communities
        ],
        "out": report.out,
        "graphml": report.graphml,
    }
    if as_json:
        echo_json(summary)
        return
    click.echo(
        f"{report.rows:,} rows, {report.actions:,} actions: {report.edges.num_rows:,} edges between "
        f"{report.accounts:,} accounts in {len(report.communities):,} communities"
    )
    for c in report.communities[:20]:
        click.echo(f"  community {c.id}: {c.size:,} accounts, {c.edges:,} edges, score {c.score:.2f}")
    for reason, count in sorted(report.dropped.items()):
        click.echo(f"dropped {count:,} rows: {reason}", err=True)
    if report.capped.num_rows:
        click.echo(f"left out {report.capped.num_rows:,} objects with too many in-window actions", err=True)
