"""``fimihub coordination detect``: the co-action network of the user's own data, with no hub."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from datetime import UTC, datetime
from pathlib import Path

import click

from fimihub.cli.common import FILE, counting_bar, echo_json, json_option, plural
from fimihub.coordination import Community
from fimihub.hub.coordination import CoordinationReport, Step, detect_coordination
from fimihub.matching.reading import ReadReport

__all__ = ["coordination", "plural"]

#: Communities the summary lists; ``--communities FILE`` writes them all.
SHOWN = 20
#: What each bar of a detection counts.
_BARS = {"rows": "rows read", "actions": "actions paired", "accounts": "accounts grouped"}


@click.group()
def coordination() -> None:
    """Co-action networks: accounts that act on the same objects within seconds of each other."""


@coordination.command("detect")
@click.argument("input_path", metavar="INPUT", type=FILE)
@click.option(
    "--window", "window_s", type=click.IntRange(min=0), default=60, show_default=True, help="Seconds."
)
@click.option(
    "--min-weight",
    type=click.IntRange(min=1),
    default=2,
    show_default=True,
    help="Least weight of an edge: distinct objects (--weight objects) or matched actions (--weight "
    "actions).",
)
@click.option(
    "--weight",
    "mode",
    type=click.Choice(["objects", "actions"]),
    default="objects",
    show_default=True,
    help="objects: undirected, the distinct objects a pair co-acted on. actions: directed, the QUT "
    "coordination-network-toolkit's weights (account_1's actions that account_2 matched in the window).",
)
@click.option(
    "--min-percentile",
    type=click.FloatRange(0, 100),
    help="Keep edges whose weight reaches this percentile of all weights (--weight objects).",
)
@click.option(
    "--min-symmetry",
    type=click.FloatRange(0, 1),
    default=0.0,
    show_default=True,
    help="Least share of the busier account's objects a pair must share (keeps hyperactive accounts out; "
    "--weight objects).",
)
@click.option(
    "--kinds",
    help="Object kinds of a platform export, comma-separated (repost, url, domain, hashtag, image, text).",
)
@click.option(
    "--method",
    type=click.Choice(["leiden", "components"]),
    default="leiden",
    show_default=True,
    help="How the network is cut into communities.",
)
@click.option("--out", type=FILE, help="Edges to a .csv or .parquet.")
@click.option(
    "--communities",
    "communities_out",
    type=FILE,
    help="Every community to a .csv or .parquet: id, size, score, the objects most shared, first and last "
    "time, accounts.",
)
@click.option("--graphml", type=FILE, help="The network to a .graphml.")
@click.option(
    "--engine",
    type=click.Choice(["local"]),
    default="local",
    show_default=True,
    help="Where detection runs (this process; about 10M actions a minute on 2 cores).",
)
# Detection reads only the files it is given; these two were once needed and are still accepted.
@click.option("--db", "ignored_db", hidden=True)
@click.option("--member", "ignored_member", hidden=True)
@json_option("Print the summary as JSON.")
def detect(
    input_path: Path,
    window_s: int,
    min_weight: int,
    mode: str,
    min_percentile: float | None,
    min_symmetry: float,
    kinds: str | None,
    method: str,
    out: Path | None,
    communities_out: Path | None,
    graphml: Path | None,
    engine: str,
    ignored_db: str | None,
    ignored_member: str | None,
    as_json: bool,
) -> None:
    """Find accounts that act together in INPUT: an object table (object_id, account_id, content_id,
    timestamp_share) or a platform export. Prints the communities; --out, --communities and --graphml write
    the network. Runs on your own files alone: no hub, no --member, no store."""
    if mode == "actions" and (min_percentile is not None or min_symmetry > 0):
        raise click.UsageError("--min-percentile and --min-symmetry apply to --weight objects only")
    if ignored_db is not None or ignored_member is not None:
        click.echo("note: detection reads only INPUT; --db and --member are not needed", err=True)
    with _bars(quiet=as_json) as progress:
        report = detect_coordination(
            input_path,
            window_s=window_s,
            min_weight=min_weight,
            min_weight_percentile=min_percentile,
            min_symmetry=min_symmetry,
            mode="actions" if mode == "actions" else "objects",
            method=method,
            kinds=[k.strip() for k in kinds.split(",") if k.strip()] if kinds else None,
            out=out,
            graphml=graphml,
            communities_out=communities_out,
            progress=progress,
        )
    if as_json:
        echo_json(_summary(report))
        return
    _print(report)


@contextmanager
def _bars(*, quiet: bool) -> Iterator[Step]:
    """One counting bar per step of a detection (rows read and turned into actions, actions paired,
    accounts grouped), each opened when its step starts."""
    with ExitStack() as stack:
        current: list[tuple[str, Callable[[int, int | None], None]]] = []

        def progress(step: str, done: int, total: int | None) -> None:
            if not current or current[-1][0] != step:
                stack.close()
                label = f"{_BARS.get(step, step):<16}"
                current.append((step, stack.enter_context(counting_bar(label, quiet=quiet))))
            current[-1][1](done, total)

        yield progress


def _summary(report: CoordinationReport) -> dict[str, object]:
    return {
        "rows": report.rows,
        "actions": report.actions,
        "dropped": report.dropped,
        "weight": report.mode,
        "edges": report.edges.num_rows,
        "accounts": report.accounts,
        "capped_objects": report.capped.num_rows,
        "communities": [
            {
                "id": c.id,
                "accounts": c.size,
                "edges": c.edges,
                "weight": c.weight,
                "score": round(c.score, 4),
                "cohesion": round(c.cohesion, 4),
                "first_time": c.first_time,
                "last_time": c.last_time,
            }
            for c in report.communities
        ],
        "out": report.out,
        "communities_out": report.communities_out,
        "graphml": report.graphml,
        "read": _read_summary(report.read),
    }


def _read_summary(read: ReadReport | None) -> dict[str, object] | None:
    """What reading the input skipped, for ``--json``: the rows (the first ones by line, with why), the lines
    that were not UTF-8, and the encoding."""
    if read is None:
        return None
    return {
        "encoding": read.encoding,
        "skipped": read.skipped_count,
        "skipped_lines": [{"line": s.line, "reason": s.reason} for s in read.skipped],
        "fallback_lines": read.fallback_count,
        "misread": read.misread_count,
    }


def _print(report: CoordinationReport) -> None:
    edges = report.edges.num_rows
    kind = "directed edges" if report.mode == "actions" else "edges"
    click.echo(
        f"{plural(report.rows, 'row')}, {plural(report.actions, 'action')}: "
        f"{plural(edges, kind[:-1], kind)} between {plural(report.accounts, 'account')} "
        f"in {plural(len(report.communities), 'community', 'communities')}"
    )
    for c in report.communities[:SHOWN]:
        click.echo(f"  {_line(c)}")
    more = len(report.communities) - SHOWN
    if more > 0:
        hint = "" if report.communities_out else " (--communities FILE writes them all)"
        click.echo(f"  and {more:,} more{hint}")
    written = [p for p in (report.out, report.communities_out, report.graphml) if p]
    if written:
        click.echo("written to " + ", ".join(written))
    for message in report.read.messages() if report.read is not None else ():
        click.echo(f"warning: {message}", err=True)
    for reason, count in sorted(report.dropped.items()):
        click.echo(f"dropped {plural(count, 'row')}: {reason}", err=True)
    if report.capped.num_rows:
        click.echo(
            f"left out {plural(report.capped.num_rows, 'object')} with too many in-window actions", err=True
        )


def _line(c: Community) -> str:
    """A community in one line: size, edges, score, when, and the object most of its accounts shared."""
    text = f"community {c.id}: {plural(c.size, 'account')}, {plural(c.edges, 'edge')}, score {c.score:.2f}"
    if c.first_time is not None and c.last_time is not None:
        text += f", {_when(c.first_time)} to {_when(c.last_time)}"
    if c.evidence is not None and c.evidence.num_rows:
        top = c.evidence.slice(0, 1).to_pylist()[0]
        name = f"{top['object_kind']}:{top['object_id']}"
        if len(name) > 60:
            name = name[:59] + "…"
        text += f"; most shared: {name} ({plural(top['accounts'], 'account')})"
    return text


def _when(seconds: int) -> str:
    try:
        return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%d %H:%M")
    except (OverflowError, OSError, ValueError):
        return str(seconds)
