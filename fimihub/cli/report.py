"""``fimihub report``: an organisation's transparency reports — the covert influence operations report
(``cio``) and the Code of Practice Commitment 16 report (``c16``) — with the analyst text they carry and
frozen copies that can be checked later."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from fimihub import Hub, policy
from fimihub.cli.common import db_option, echo_json, json_option, member_option, open_hub
from fimihub.errors import IntegrityError

__all__ = ["report"]

F = TypeVar("F", bound=Callable[..., Any])

_FORMATS = ("md", "html", "json", "csv", "pdf")


@click.group()
def report() -> None:
    """Transparency reports of one organisation, computed from the hub's records: the same store gives the
    same report, byte for byte, and every figure lists the records it counts (see docs/reporting.md)."""


def _caller(hub: Hub, member_id: str | None) -> policy.Caller:
    """The member the command runs as, or the hub's operator when none is named."""
    return hub.admin.actor(member_id) if member_id else hub.operator()


def _report_options(func: F) -> F:
    func = click.option(
        "--freeze",
        is_flag=True,
        help="Keep the report's fingerprint and the ids of its inputs in the hub, to check it later with "
        "`fimihub report verify`.",
    )(func)
    func = member_option(
        "Run as this member of the organisation (default: the hub's operator)", required=False
    )(func)
    func = click.option(
        "--out",
        type=click.Path(path_type=Path),
        help="Write here instead of printing; needed for csv (a .zip, or a folder to hold one .csv per "
        "table) and pdf.",
    )(func)
    func = click.option(
        "--format",
        "form",
        type=click.Choice(_FORMATS),
        default="md",
        show_default=True,
        help="What to write.",
    )(func)
    func = click.option("--period", required=True, help="The period the report covers.")(func)
    func = click.option("--org", required=True, help="The organisation: its id or its name.")(func)
    return db_option(func)


def _run(
    kind: str,
    db: str | None,
    org: str,
    period: str,
    form: str,
    out: Path | None,
    member_id: str | None,
    freeze: bool,
) -> None:
    from fimihub.reporting.render import render, render_csv

    if form in ("csv", "pdf") and out is None:
        raise click.UsageError(f"--format {form} needs --out")
    with open_hub(db) as hub:
        caller = _caller(hub, member_id)
        if freeze:
            built, frozen = hub.reporting.freeze(caller, kind, org, period)
            click.echo(f"frozen as {frozen.ref} (sha256 {frozen.sha256})", err=True)
        else:
            built = hub.reporting.report(caller, kind, org, period)
    try:
        if form == "csv" and out is not None and out.suffix != ".zip":
            out.mkdir(parents=True, exist_ok=True)
            for name, text in sorted(render_csv(built.document).items()):
                (out / name).write_text(text, encoding="utf-8")
            click.echo(f"wrote {out}/ ({len(built.document.tables())} tables)")
            return
        data = render(built, form)
        if out is None:
            click.echo(data.decode("utf-8"), nl=False)
            return
        out.write_bytes(data)
    except OSError as exc:
        raise click.FileError(str(out), hint=exc.strerror or str(exc)) from None
    click.echo(f"wrote {out}")


@report.command("cio")
@_report_options
def report_cio(
    db: str | None,
    org: str,
    period: str,
    form: str,
    out: Path | None,
    member_id: str | None,
    freeze: bool,
) -> None:
    """The covert influence operations report for a month (2025-03) or a quarter (2025-Q1): each network
    acted on, with its detection source, accounts, followers and description; then recidivism, by network,
    with the trend over the four periods before."""
    _run("cio", db, org, period, form, out, member_id, freeze)


@report.command("c16")
@_report_options
def report_c16(
    db: str | None,
    org: str,
    period: str,
    form: str,
    out: Path | None,
    member_id: str | None,
    freeze: bool,
) -> None:
    """The Code of Practice Commitment 16 report for a half-year (2025-H1): measures 16.1 and 16.2, the
    analysts' text, QRE 16.1.1 (fora and what passed through them), SLI 16.1.1 (actions from information
    sharing by Member State, Total EU, Total EEA) and QRE 16.2.1 (case studies of returning networks)."""
    _run("c16", db, org, period, form, out, member_id, freeze)


@report.command("text")
@db_option
@click.option("--org", required=True, help="The organisation: its id or its name.")
@click.option("--period", required=True, help="The half-year of the C16 report (2025-H1).")
@click.option(
    "--section",
    required=True,
    help="16.1-implemented, 16.1-planned, 16.2-implemented, 16.2-planned, qre-16.1.1, or case:<operation id>"
    " (a QRE 16.2.1 case study).",
)
@click.option("--file", "file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Keep this file's text as the section's new version.")  # fmt: skip
@click.option("--text", "text", help="Keep this text as the section's new version.")
@member_option("Write as this member (default: the hub's operator)", required=False)
@click.option("--history", is_flag=True, help="Print every version of the section instead.")
def report_text(
    db: str | None,
    org: str,
    period: str,
    section: str,
    file: Path | None,
    text: str | None,
    member_id: str | None,
    history: bool,
) -> None:
    """Keep an analyst's text for a section of the C16 report; each write is a new version, kept in the
    hub's audit log, and the report uses the newest."""
    if history == (file is not None or text is not None) or (file is not None and text is not None):
        raise click.UsageError("give one of --text, --file or --history")
    with open_hub(db) as hub:
        caller = _caller(hub, member_id)
        if history:
            for version in hub.reporting.text_history(caller, org, period, section):
                click.echo(f"version {version.version} ({version.ref}, by {version.author}):")
                click.echo(version.text)
            return
        body = file.read_text(encoding="utf-8") if file is not None else text or ""
        kept = hub.reporting.write_text(caller, org, period, section, body)
    click.echo(f"kept version {kept.version} of {section} ({kept.ref})")


@report.command("frozen")
@db_option
@click.option("--org", required=True, help="The organisation: its id or its name.")
@member_option("Run as this member of the organisation (default: the hub's operator)", required=False)
@json_option("Print them as JSON.")
def report_frozen(db: str | None, org: str, member_id: str | None, as_json: bool) -> None:
    """List the organisation's frozen reports."""
    with open_hub(db) as hub:
        frozen = hub.reporting.frozen(_caller(hub, member_id), org)
    if as_json:
        echo_json([f.to_json() for f in frozen])
        return
    for item in frozen:
        click.echo(f"{item.ref}\t{item.kind}\t{item.period}\t{item.frozen_at.isoformat()}\t{item.sha256}")


@report.command("verify")
@db_option
@click.argument("ref")
@member_option("Run as this member of the organisation (default: the hub's operator)", required=False)
@json_option("Print the outcome as JSON.")
def report_verify(db: str | None, ref: str, member_id: str | None, as_json: bool) -> None:
    """Build a frozen report (REF: audit:<seq>, as `--freeze` printed it) again from the store and compare
    its fingerprint; exit 4 when it changed, naming the inputs that went or came."""
    with open_hub(db) as hub:
        outcome = hub.reporting.verify(_caller(hub, member_id), ref)
    frozen = outcome.frozen
    if as_json:
        echo_json(outcome.to_json())
    else:
        click.echo(f"{frozen.ref}: {frozen.kind} report of {frozen.org_id} for {frozen.period}")
        for record in outcome.missing:
            click.echo(f"  input gone: {record}")
        for record in outcome.added:
            click.echo(f"  input new:  {record}")
    if not outcome.same:
        raise IntegrityError(
            f"{frozen.ref}: the report is no longer the one frozen (sha256 {outcome.sha256})"
        )
    if not as_json:
        click.echo(f"same as frozen (sha256 {frozen.sha256})")
