"""Commands that look after a store: schema, audit verification and anchoring, and retention."""

from __future__ import annotations

from pathlib import Path

import click

from fimihub import Hub
from fimihub.cli.common import (
    EXISTING_FILE,
    FILE,
    db_option,
    echo_json,
    hub_command,
    json_option,
    key_file_option,
    open_hub,
)
from fimihub.errors import IntegrityError
from fimihub.hub.anchors import new_key_files, read_anchor, read_private_key, read_public_key, write_anchor

__all__ = ["audit", "db", "retention"]


@click.group()
def db() -> None:
    """The store's schema."""


@db.command("upgrade")
@db_option
def db_upgrade(db: str | None) -> None:
    """Create the store or migrate it to the newest schema. The one command besides `fimihub demo` that
    makes a hub where there is none: every other command refuses a SQLite store that does not exist."""
    with open_hub(db, create=True) as hub:
        click.echo(f"{hub.store.url}: schema at {hub.store.schema_version()}")


@click.group()
def audit() -> None:
    """The tamper-evident audit log."""


@audit.command("verify")
@db_option
@click.option(
    "--anchor",
    "anchor_files",
    multiple=True,
    type=EXISTING_FILE,
    help="An anchor (from `audit anchor` or GET /api/v1/audit/head) the chain must still hold; repeatable.",
)
@click.option(
    "--public-key",
    type=EXISTING_FILE,
    help="The Ed25519 public key that signed the anchors (base64url text or PEM).",
)
@json_option()
def audit_verify(
    db: str | None, anchor_files: tuple[Path, ...], public_key: Path | None, as_json: bool
) -> None:
    """Check every event's hash and link; exit 4 when anything was edited or removed.

    The chain alone cannot tell an edit whose every later hash was recomputed: with --anchor it also
    checks that the chain still holds each anchored (seq, hash), so such a rewrite up to an anchor is
    found. An anchor not signed by --public-key is refused (exit 4)."""
    if anchor_files and public_key is None:
        raise click.UsageError("--anchor needs --public-key, the key that signed it")
    anchors = [read_anchor(path) for path in anchor_files]
    key = read_public_key(public_key) if public_key is not None else None
    with open_hub(db) as hub:
        report = hub.audit.verify(anchors, key)
    if as_json:
        echo_json(
            {
                "ok": report.ok,
                "events": report.events,
                "head_seq": report.head_seq,
                "anchors": report.anchors,
                "problems": report.problems,
            }
        )
    elif report.ok:
        anchored = f", {report.anchors} anchors held" if report.anchors else ""
        click.echo(f"ok: {report.events} events, chain intact (head {report.head_hash[:16]}…){anchored}")
    if not report.ok:
        for problem in report.problems[:50]:
            click.echo(problem, err=True)
        raise IntegrityError(f"the audit log does not verify: {len(report.problems)} problems")


@audit.command("anchor")
@db_option
@key_file_option(
    "The Ed25519 private key to sign with (base64url text or PEM); keep it off the database host."
)
@click.option(
    "--out",
    required=True,
    type=FILE,
    help="Where to write the anchor (JSON); keep it away from the store.",
)
@json_option("Print the anchor as JSON.")
def audit_anchor(db: str | None, key_file: Path, out: Path, as_json: bool) -> None:
    """Sign the head of the verified chain (seq, hash, time) with a key held outside the store.

    `audit verify --anchor OUT --public-key P` later finds any rewrite of the events up to that head, even
    one whose hashes were all recomputed. Exit 4 when the chain does not verify now."""
    private_key = read_private_key(key_file)
    with open_hub(db) as hub:
        anchor = hub.audit.anchor(private_key)
    write_anchor(anchor, out)
    if as_json:
        echo_json(anchor.to_json())
    else:
        click.echo(f"anchored event {anchor.seq} ({anchor.hash[:16]}…) with {anchor.key_id} in {out}")


@audit.command("keygen")
@click.option(
    "--key-file",
    required=True,
    type=FILE,
    help="Where to write the private key (created readable by you only; never overwritten).",
)
@click.option(
    "--public-key",
    required=True,
    type=FILE,
    help="Where to write the public key, for whoever verifies anchors.",
)
def audit_keygen(key_file: Path, public_key: Path) -> None:
    """Make an Ed25519 key pair for `audit anchor` (base64url text files); prints the key id."""
    click.echo(new_key_files(key_file, public_key))


@click.group()
def retention() -> None:
    """Retention: purge what has expired."""


@hub_command(retention, "run")
@json_option()
def retention_run(hub: Hub, as_json: bool) -> None:
    """Delete every record whose expiry has passed."""
    purged = hub.privacy.run(hub.operator())
    if as_json:
        echo_json(purged)
    else:
        total = sum(purged.values())
        details = ", ".join(f"{n} {k}" for k, n in sorted(purged.items()) if n)
        click.echo(f"purged {total} records" + (f" ({details})" if details else ""))
