"""``fimihub import``: load what peers publish (Meta's threat-research files, STIX bundles, MISP events and
feeds, plain CSV files) as disclosures that own their signals; ``fimihub disclosure``: list, show and compare
them with the member's own operations and signals."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from fimihub.cli.common import db_option, echo_json, json_option, member_option, open_hub, plural
from fimihub.errors import ValidationError
from fimihub.exchange.importers import COLUMN_ROLES
from fimihub.hub import ImportSummary, Overlap
from fimihub.model import Disclosure

__all__ = ["disclosure", "import_group"]

_PATHS = click.argument("paths", metavar="PATH...", nargs=-1, required=True, type=click.Path(path_type=Path))


@click.group("import")
def import_group() -> None:
    """Import what peers publish: each file becomes a disclosure (publisher, title, date, files, figures) that
    owns the signals and the operation it brought in, in your organisation, shared into --forum if given.

    Each file is stored whole or not at all; every row that brought nothing in is listed with its line and
    why. --json prints {"imported": {kind: n}, "skipped": [{"file", "line", "reason"}], "files": n, ...}
    with the overlaps of each disclosure with your own operations and signals. The exit code is 2 when a
    file could not be imported."""


def _import_options(func: Callable[..., None]) -> Callable[..., None]:
    func = json_option("Print what was imported and skipped, and the overlaps, as JSON.")(func)
    func = click.option("--forum", "forum_id", help="Share what is imported into this forum.")(func)
    func = member_option("The member the import runs as: its organisation owns what is imported")(func)
    return db_option(func)


def _run(db: str | None, member_id: str, format: str, paths: tuple[Path, ...], forum_id: str | None,
         as_json: bool, options: dict[str, Any] | None = None) -> None:  # fmt: skip
    with open_hub(db) as hub:
        actor = hub.admin.actor(member_id)
        summary = hub.disclosures.import_files(actor, format, list(paths), forum_id=forum_id, options=options)
    _report(summary, as_json)
    if summary.failed_files:
        raise ValidationError(
            "file",
            f"{plural(summary.failed_files, 'file')} of {len(paths)} not imported (see the reasons listed)",
        )


def _report(summary: ImportSummary, as_json: bool) -> None:
    if as_json:
        echo_json(summary.to_json())
        return
    counts = ", ".join(f"{n:,} {kind}" for kind, n in sorted(summary.imported.items())) or "no signals"
    click.echo(f"imported {plural(summary.files, 'file')}: {counts}")
    for disclosure_id in summary.disclosures:
        click.echo(f"disclosure {disclosure_id}")
    for skip in summary.skipped:
        where = f"{skip.file}:{skip.line}" if skip.line else skip.file
        click.echo(f"skipped {where}: {skip.reason}", err=True)
    _echo_overlaps(summary.overlaps)


def _echo_overlaps(overlaps: list[Overlap]) -> None:
    if not overlaps:
        click.echo("no overlap with your own operations and signals")
        return
    click.echo(f"overlaps with your own records ({len(overlaps)}):")
    for overlap in overlaps:
        shared = ", ".join(f"{s['what']} {s['value']}" for s in overlap.shared[:5])
        more = f" and {len(overlap.shared) - 5} more" if len(overlap.shared) > 5 else ""
        click.echo(f"  {overlap.record} {overlap.id} ({overlap.label}): {shared}{more}")


@import_group.command("meta-threat-research")
@_import_options
@_PATHS
def meta_threat_research(
    db: str | None, member_id: str, forum_id: str | None, as_json: bool, paths: tuple[Path, ...]
) -> None:
    """Meta's threat-research indicator files: the CSV layouts (indicator_type/indicator_value, and
    Tactic/Technique/Procedure/Indicator) and the Markdown IOC pages."""
    _run(db, member_id, "meta-threat-research", paths, forum_id, as_json)


@import_group.command("stix")
@_import_options
@_PATHS
def stix(
    db: str | None, member_id: str, forum_id: str | None, as_json: bool, paths: tuple[Path, ...]
) -> None:
    """STIX 2.1 bundle files: campaigns become operations, indicators signals."""
    _run(db, member_id, "stix", paths, forum_id, as_json)


@import_group.command("misp")
@_import_options
@_PATHS
def misp(
    db: str | None, member_id: str, forum_id: str | None, as_json: bool, paths: tuple[Path, ...]
) -> None:
    """MISP event files (EVENT.json) or feed folders (manifest.json and one <uuid>.json per event)."""
    _run(db, member_id, "misp", paths, forum_id, as_json)


@import_group.command("csv")
@_import_options
@_PATHS
@click.option(
    "--column",
    "columns",
    multiple=True,
    metavar="ROLE=NAME",
    help=f"The column that holds each role ({', '.join(COLUMN_ROLES)}); value defaults to a column 'value'.",
)
@click.option("--kind", help="The signal kind of every value (instead of --column kind=NAME).")
@click.option("--publisher", help="Who published the file (default: unknown).")
@click.option("--title", help="The disclosure's title (default: the file's name).")
def csv_command(
    db: str | None,
    member_id: str,
    forum_id: str | None,
    as_json: bool,
    paths: tuple[Path, ...],
    columns: tuple[str, ...],
    kind: str | None,
    publisher: str | None,
    title: str | None,
) -> None:
    """A plain CSV file of indicators, its columns named with --column value=NAME (and kind=, platform=,
    note=), or one --kind for every row."""
    roles: dict[str, str] = {}
    for item in columns:
        role, equals, name = item.partition("=")
        if not equals or not role.strip() or not name.strip():
            raise ValidationError("column", f"{item!r}: write ROLE=NAME, e.g. --column value=indicator")
        roles[role.strip()] = name.strip()
    options = {"columns": roles, "kind": kind, "publisher": publisher, "title": title}
    _run(db, member_id, "csv", paths, forum_id, as_json, options)


@click.group()
def disclosure() -> None:
    """Peers' disclosures imported with `fimihub import`."""


def _disclosure_json(record: Disclosure) -> dict[str, Any]:
    data = record.model_dump(mode="json", exclude={"signal_ids"})
    data["signals"] = len(record.signal_ids)
    return data


@disclosure.command("list")
@db_option
@member_option("The member who lists")
@json_option("Print the disclosures as JSON.")
def list_disclosures(db: str | None, member_id: str, as_json: bool) -> None:
    """The disclosures you may read, newest first."""
    with open_hub(db) as hub:
        records = hub.disclosures.list(hub.admin.actor(member_id), limit=1000)
    if as_json:
        echo_json([_disclosure_json(r) for r in records])
        return
    for record in records:
        date = record.published_at.date().isoformat() if record.published_at else "-"
        click.echo(
            f"{record.id}\t{record.publisher}\t{date}\t{record.title}\t{len(record.signal_ids)} signals"
        )


@disclosure.command("show")
@db_option
@click.argument("disclosure_id", metavar="ID")
@member_option("The member who reads")
def show(db: str | None, disclosure_id: str, member_id: str) -> None:
    """One disclosure, as JSON."""
    with open_hub(db) as hub:
        record = hub.disclosures.get(hub.admin.actor(member_id), disclosure_id)
    echo_json(_disclosure_json(record))


@disclosure.command("delete")
@db_option
@click.argument("disclosure_id", metavar="ID")
@member_option("The member who deletes (an analyst or admin of the disclosure's organisation)")
@click.option("--force", is_flag=True, help="Keep the imported records others built on, and delete the rest.")
@json_option("Print what was deleted and kept as JSON.")
def delete(db: str | None, disclosure_id: str, member_id: str, force: bool, as_json: bool) -> None:
    """Delete a disclosure and the records it brought in. Refused, naming them, when records it brought in
    are built on (signals or actions attached to its operation, matches, feedback, watches, cases), unless
    --force keeps those. Records shared into a forum leave its collection with a revoked tombstone."""
    with open_hub(db) as hub:
        report = hub.disclosures.delete(hub.admin.actor(member_id), disclosure_id, force=force)
    if as_json:
        echo_json(report.to_json())
        return
    counts = ", ".join(f"{len(ids)} {kind}" for kind, ids in sorted(report.deleted.items())) or "no records"
    click.echo(f"deleted {disclosure_id} and {counts}")
    for kind, ids in sorted(report.kept.items()):
        click.echo(f"kept {len(ids)} {kind} others built on: {', '.join(ids)}")


@disclosure.command("compare")
@db_option
@click.argument("disclosure_id", metavar="ID")
@member_option("The member whose own operations and signals are compared")
@json_option("Print the overlaps as JSON.")
def compare(db: str | None, disclosure_id: str, member_id: str, as_json: bool) -> None:
    """Which of your own operations and signals the disclosure overlaps: shared domains, URLs, handles,
    images, file hashes, techniques and narratives."""
    with open_hub(db) as hub:
        overlaps = hub.disclosures.compare(hub.admin.actor(member_id), disclosure_id)
    if as_json:
        echo_json({"disclosure": disclosure_id, "overlaps": [o.to_json() for o in overlaps]})
        return
    _echo_overlaps(overlaps)
