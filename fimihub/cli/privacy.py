"""``fimihub privacy``: what the hub holds about people, for data-protection work."""

from __future__ import annotations

from pathlib import Path

import click

from fimihub.cli.common import db_option, open_hub

__all__ = ["privacy"]


@click.group()
def privacy() -> None:
    """Privacy: what a data-protection impact assessment needs to know."""


@privacy.command("dpia")
@db_option
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the Markdown here instead of printing it.",
)
def privacy_dpia(db: str | None, out: Path | None) -> None:
    """The facts of a DPIA from every forum's policy and holdings: purposes, lawful bases, categories of
    data, retention, recipients, transfers outside the EU/EEA, safeguards (Markdown)."""
    from fimihub.reporting.dpia import render_dpia

    with open_hub(db) as hub:
        text = render_dpia(hub.privacy_dpia(hub.operator()))
    if out is None:
        click.echo(text, nl=False)
    else:
        out.write_text(text, encoding="utf-8")
        click.echo(f"wrote {out}")
