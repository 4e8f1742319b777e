"""``fimihub demo``: seed a demo hub from the simulator, say what to try next, and serve it."""

from __future__ import annotations

import json
import shlex
from pathlib import Path
from typing import TYPE_CHECKING

import click

from fimihub import Hub, Settings
from fimihub.cli.admin import write_secret
from fimihub.cli.common import DEMO_DB, FILE, sqlite_file
from fimihub.cli.serve import base_url, listen, run_server

if TYPE_CHECKING:
    from fimihub.hub.demo import DemoResult

__all__ = ["demo", "try_next"]


@click.command()
@click.option(
    "--db",
    "db",
    metavar="PATH|URL",
    default=DEMO_DB,
    show_default=True,
    help="Store for the demo hub. Not $FIMIHUB_DB, so a demo never seeds a real hub by accident.",
)
@click.option("--seed", type=int, default=7, show_default=True, help="Seed of the simulated world.")
@click.option("--host", default=None, help="Interface to bind (default: 127.0.0.1).")
@click.option("--port", type=int, default=None, help="Port (default: $FIMIHUB_PORT, else 8000).")
@click.option("--no-serve", is_flag=True, help="Seed and print how to sign in, then exit.")
@click.option(
    "--token-file",
    type=FILE,
    help="Write the demo admin's API token to this file (and, when seeding, the private identifier key of"
    " its organisation to FILE.identifier-key).",
)
def demo(
    db: str, seed: int, host: str | None, port: int | None, no_serve: bool, token_file: Path | None
) -> None:
    """Seed a demo hub from the simulator, say what to try next, and serve it.

    The store is created and seeded when it does not exist; run again, the demo only issues a fresh token.
    The port is checked before seeding: when it is in use, the demo says so and stops (choose another with
    --port, or `make demo PORT=8001`)."""
    from fimihub.hub.demo import seed_demo

    settings = Settings.load(db=db, host=host, port=port, hub_name="fimihub demo")
    retry = "make demo PORT={port}  (or: fimihub demo --port {port})"
    sock = None if no_serve else listen(settings.host, settings.port, retry=retry)
    try:
        hub = Hub.open(settings)
        try:
            result = seed_demo(hub, seed=seed, progress=lambda text: click.echo(f"  {text}"))
            if token_file:
                write_secret(token_file, result.token)
                if result.identifier_key:
                    key_file = token_file.with_name(token_file.name + ".identifier-key")
                    write_secret(key_file, result.identifier_key)
                    click.echo(f"  identifier key of {result.org_name} (opens its review queue): {key_file}")
            url = base_url(settings.host, settings.port)
            click.echo(result.summary)
            click.echo("")
            click.echo(
                f"Open {url} and sign in with this API token (admin and analyst at {result.org_name}):"
            )
            click.echo(f"  {result.token}")
            click.echo("")
            click.echo(try_next(settings, result, seed=seed, serving=sock is not None))
            if sock is not None:
                click.echo(f"\nServing {url} (Ctrl+C stops it)")
                run_server(hub, sock)
        finally:
            hub.close()
    finally:
        if sock is not None:
            sock.close()


def try_next(settings: Settings, result: DemoResult, *, seed: int, serving: bool) -> str:
    """The block ``fimihub demo`` ends with: the store, a member and its token, and commands that work as
    printed (each command on a line of its own, starting with ``fimihub`` or ``curl``)."""
    db = shlex.quote(settings.db)
    as_member = f"--db {db} --member {result.member_id}"
    store = sqlite_file(settings.db)
    world = store.with_name(store.stem + "-world") if store is not None else Path("fimihub-demo-world")
    posts = shlex.quote(str(world / "posts.parquet"))
    url = base_url(settings.host, settings.port)
    auth = shlex.quote(f"Authorization: Bearer {result.token}")
    lines = [
        "Try next:",
        f"  store:  {settings.db}",
        f"  member: {result.member_id}  (whom the token signs in: admin and analyst at {result.org_name})",
        f"  token:  {result.token}",
        "",
        "  # Scan a platform export (a simulated one) against the shared signals; hits wait for review:",
        f"  fimihub sim generate --seed {seed} --out {shlex.quote(str(world))}",
        f"  fimihub scan {posts} {as_member}",
        "  # Find the accounts in it that act together:",
        f"  fimihub coordination detect {posts}",
    ]
    if not serving:
        lines += [
            "  # Serve the hub, then call its API from another terminal:",
            f"  fimihub serve --db {db} --host {settings.host} --port {settings.port}",
        ]
    else:
        lines.append("  # Call its API (from another terminal while the demo serves it):")
    lines.append(f"  curl -H {auth} {url}api/v1/operations")
    if result.example_url:
        body = shlex.quote(json.dumps({"items": [{"kind": "url", "value": result.example_url}]}))
        lines.append(f"  curl -H {auth} -H 'content-type: application/json' -d {body} {url}api/v1/match")
    return "\n".join(lines)
