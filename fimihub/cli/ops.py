"""Commands that look after a store: schema, audit verification and retention."""

from __future__ import annotations

import click

from fimihub.cli.common import db_option, echo_json, open_hub
from fimihub.errors import IntegrityError

__all__ = ["audit", "db", "retention"]


@click.group()
def db() -> None:
    """The store's schema."""


@db.command("upgrade")
@db_option
def db_upgrade(db: str | None) -> None:
    """Create the store or migrate it to the newest schema."""
    with open_hub(db) as hub:
        click.echo(f"{hub.store.url}: schema at {hub.store.schema_version()}")


@click.group()
def audit() -> None:
    """The tamper-evident audit log."""


@audit.command("verify")
@db_option
@click.option("--json", "as_json", is_flag=True)
def audit_verify(db: str | None, as_json: bool) -> None:
    """Check every event's hash and link; exit 4 when anything was edited or removed."""
    with open_hub(db) as hub:
        report = hub.verify_audit()
    if as_json:
        echo_json(
            {
                "ok": report.ok,
                "events": report.events,
                "head_seq": report.head_seq,
                "problems": report.problems,
            }
        )
    elif report.ok:
        click.echo(f"ok: {report.events} events, chain intact (head {report.head_hash[:16]}…)")
    if not report.ok:
        for problem in report.problems[:50]:
            click.echo(problem, err=True)
        raise IntegrityError(f"the audit log does not verify: {len(report.problems)} problems")


@click.group()
def retention() -> None:
    """Retention: purge what has expired."""


@retention.command("run")
@db_option
@click.option("--json", "as_json", is_flag=True)
def retention_run(db: str | None, as_json: bool) -> None:
    """Delete every record whose expiry has passed."""
    with open_hub(db) as hub:
        purged = hub.run_retention(hub.operator())
    if as_json:
        echo_json(purged)
    else:
        total = sum(purged.values())
        details = ", ".join(f"{n} {k}" for k, n in sorted(purged.items()) if n)
        click.echo(f"purged {total} records" + (f" ({details})" if details else ""))
