"""``fimihub privacy``: what the hub holds about people, for data-protection work."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from fimihub import Hub
from fimihub.cli.common import FILE, db_option, echo_json, hub_command, json_option, open_hub

__all__ = ["privacy"]

F = TypeVar("F", bound=Callable[..., Any])


@click.group()
def privacy() -> None:
    """Privacy: what a data-protection impact assessment needs to know, and data-subject requests."""


@hub_command(privacy, "dpia")
@click.option("--out", type=FILE, help="Write the Markdown here instead of printing it.")
def privacy_dpia(hub: Hub, out: Path | None) -> None:
    """The facts of a DPIA from every forum's policy and holdings: purposes, lawful bases, categories of
    data, retention, recipients, transfers outside the EU/EEA, safeguards (Markdown)."""
    from fimihub.reporting.dpia import render_dpia

    text = render_dpia(hub.privacy.dpia(hub.operator()))
    if out is None:
        click.echo(text, nl=False)
    else:
        out.write_text(text, encoding="utf-8")
        click.echo(f"wrote {out}")


# -- data-subject requests --------------------------------------------------------------------------------


_REQUEST_REF = click.option(
    "--request-ref",
    required=True,
    help="Your reference of the request (e.g. DSR-2026-17), recorded in the audit log.",
)


def _subject_options(func: F) -> F:
    """The options that name the identifier of a data-subject request, and its reference."""
    from fimihub.hub.subjects import SUBJECT_KINDS

    func = _REQUEST_REF(func)
    func = click.option(
        "--value",
        required=True,
        help="The identifier as the data subject gave it; '-' reads it from standard input (keeping it out"
        " of the shell's history and the process list).",
    )(func)
    func = click.option(
        "--platform", help="The platform of an account id or handle (x, facebook, …): required for them."
    )(func)
    func = click.option(
        "--kind", required=True, type=click.Choice(SUBJECT_KINDS), help="What the identifier is."
    )(func)
    return func


def _subject(kind: str, platform: str | None, value: str) -> dict[str, Any]:
    if value == "-":
        value = sys.stdin.readline().rstrip("\r\n")
    return {"kind": kind, "value": value, **({"platform": platform} if platform else {})}


@click.group("subject")
def subject() -> None:
    """Data-subject requests (GDPR Art. 15-17): find, export, rectify and erase what the hub holds about one
    identifier, its keyed forms included (see docs/privacy.md, "Data-subject requests").

    Each request is audited (subject.find, subject.export, subject.rectify, subject.erase) with --request-ref
    and a digest of the identifier, never the identifier itself."""


@hub_command(subject, "find")
@_subject_options
@json_option("Print the findings as JSON.")
def subject_find(
    hub: Hub, kind: str, platform: str | None, value: str, request_ref: str, as_json: bool
) -> None:
    """List every record and TAXII object that concerns the identifier (by id), and what legal holds keep."""
    found = hub.subjects.find(hub.operator(), _subject(kind, platform, value), request_ref=request_ref)
    summary = found.to_json()
    if as_json:
        echo_json(summary)
        return
    click.echo(f"{request_ref}: {kind}{f' on {found.subject.platform}' if found.subject.platform else ''}")
    if not found.records and not found.stix:
        click.echo("nothing found")
    for name, items in summary["records"].items():
        for item in items:
            held = f"  (held by {', '.join(item['held_by'])})" if item["held_by"] else ""
            click.echo(f"  {name:<13} {item['id']}  owner {item['owner_org']}{held}")
    for item in summary["stix_objects"]:
        held = f"  (held by {', '.join(item['held_by'])})" if item["held_by"] else ""
        state = ", deleted" if item["deleted"] else ""
        click.echo(
            f"  {'stix object':<13} {item['stix_id']}  in {item['forum_id']}"
            f" ({item['versions']} version(s){state}){held}"
        )


@hub_command(subject, "export")
@_subject_options
@click.option(
    "--out", type=FILE, help="Write the JSON document here (readable by you only) instead of printing it."
)
def subject_export(
    hub: Hub, kind: str, platform: str | None, value: str, request_ref: str, out: Path | None
) -> None:
    """Write everything found as one JSON document: records by kind in their API form, the TAXII objects as
    the collections hold them, and the identifier's keyed forms that occur in them."""
    subject = _subject(kind, platform, value)
    document = hub.subjects.export(hub.operator(), subject, request_ref=request_ref)
    text = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    if out is None:
        click.echo(text, nl=False)
        return
    descriptor = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(text)
    click.echo(f"wrote {out}")


@hub_command(subject, "erase")
@_subject_options
@click.option("--yes", is_flag=True, help="Erase; without it, only say what would be erased (a dry run).")
@click.option(
    "--keep",
    multiple=True,
    metavar="ID",
    help="A record or STIX object id found by mistake, not to erase (repeatable).",
)
@json_option("Print the report as JSON.")
def subject_erase(
    hub: Hub,
    kind: str,
    platform: str | None,
    value: str,
    request_ref: str,
    yes: bool,
    keep: tuple[str, ...],
    as_json: bool,
) -> None:
    """Erase what concerns the identifier, in one transaction: signals revoked first (peers are told through
    TAXII), records deleted, TAXII objects that hold it withdrawn with redacted tombstones. Records under a
    legal hold are kept and listed. A dry run unless --yes."""
    report = hub.subjects.erase(
        hub.operator(),
        _subject(kind, platform, value),
        request_ref=request_ref,
        dry_run=not yes,
        keep=list(keep),
    )
    if as_json:
        echo_json(report.to_json())
        return
    verb = "would erase" if report.dry_run else "erased"
    for name, ids in report.erased.items():
        for record_id in ids:
            revoked = " (revoked first)" if record_id in report.revoked else ""
            click.echo(f"{verb} {name:<13} {record_id}{revoked}")
    for item in report.stix_objects:
        click.echo(f"{verb} {'stix object':<13} {item['stix_id']} in {item['forum_id']}")
    for item in report.held:
        click.echo(f"kept   {item['kind']:<13} {item['id']}: legal hold ({', '.join(item['held_by'])})")
    for record_id in report.kept:
        click.echo(f"kept   {record_id}: --keep")
    if not report.erased and not report.stix_objects:
        click.echo("nothing to erase")
    if report.dry_run:
        click.echo("dry run: nothing was changed; run again with --yes to erase", err=True)


@subject.command("rectify")
@db_option
@click.argument("record_id")
@click.option(
    "--set",
    "assignments",
    multiple=True,
    metavar="FIELD=VALUE",
    help="A corrected field, its value as text (repeatable).",
)
@click.option(
    "--set-json",
    "json_assignments",
    multiple=True,
    metavar="FIELD=JSON",
    help="A corrected field, its value as JSON: numbers, lists, null (repeatable).",
)
@_REQUEST_REF
def subject_rectify(
    db: str | None,
    record_id: str,
    assignments: tuple[str, ...],
    json_assignments: tuple[str, ...],
    request_ref: str,
) -> None:
    """Correct fields of one record (Art. 16) as PATCH would (markings only tighten); audited with the
    request's reference and the names of the fields, not their values."""
    changes: dict[str, Any] = {}
    for text in assignments:
        name, sep, value = text.partition("=")
        if not sep or not name.strip():
            raise click.BadParameter(f"{text!r}: write FIELD=VALUE", param_hint="--set")
        changes[name.strip()] = value
    for text in json_assignments:
        name, sep, value = text.partition("=")
        if not sep or not name.strip():
            raise click.BadParameter(f"{text!r}: write FIELD=JSON", param_hint="--set-json")
        try:
            changes[name.strip()] = json.loads(value)
        except ValueError as exc:
            raise click.BadParameter(f"{name.strip()}: not JSON ({exc})", param_hint="--set-json") from None
    if not changes:
        raise click.UsageError("name at least one field with --set or --set-json")
    with open_hub(db) as hub:
        record = hub.subjects.rectify(hub.operator(), record_id, changes, request_ref=request_ref)
    click.echo(f"rectified {record.id}: {', '.join(sorted(changes))}")


privacy.add_command(subject)
