"""``fimihub serve`` and ``fimihub demo``: run the hub's HTTP server (REST, TAXII, console)."""

from __future__ import annotations

import gc
import json
from pathlib import Path

import click

from fimihub import Hub, Settings
from fimihub.cli.admin import write_secret
from fimihub.cli.common import db_option
from fimihub.hub.schedule import PeriodicJob

__all__ = ["demo", "serve"]

DEMO_DB = "fimihub-demo.db"


def _run(hub: Hub, host: str, port: int) -> None:
    import uvicorn

    from fimihub.app import create_app

    hub.warm()
    every = hub.settings.retention_interval_hours
    retention = PeriodicJob("retention", lambda: hub.run_retention(hub.operator("retention")), every * 3600.0)
    if every:
        retention.start()
    # What is loaded now (matcher, warning lists, the Public Suffix List) lives as long as the server: kept
    # out of the garbage collector's sight, full collections no longer walk it on every busy request.
    gc.freeze()
    try:
        uvicorn.run(create_app(hub=hub), host=host, port=port, log_level=hub.settings.log_level.lower())
    finally:
        retention.stop()


@click.command()
@db_option
@click.option("--host", default=None, help="Interface to bind (default: settings, 127.0.0.1).")
@click.option("--port", type=int, default=None, help="Port (default: settings, 8000).")
def serve(db: str | None, host: str | None, port: int | None) -> None:
    """Serve a hub: console at /, REST API at /api/v1/ (OpenAPI at /openapi.json)."""
    settings = Settings.load(db=db, host=host, port=port)
    hub = Hub.open(settings)
    try:
        click.echo(f"fimihub serving {hub.store.url} on http://{settings.host}:{settings.port}/")
        _run(hub, settings.host, settings.port)
    finally:
        hub.close()


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
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the demo admin's API token to this file (and, when seeding, the private identifier key of"
    " its organisation to FILE.identifier-key).",
)
def demo(
    db: str, seed: int, host: str | None, port: int | None, no_serve: bool, token_file: Path | None
) -> None:
    """Seed a demo hub from the simulator (once per store) and serve it."""
    from fimihub.hub.demo import seed_demo

    settings = Settings.load(db=db, host=host, port=port, hub_name="fimihub demo")
    hub = Hub.open(settings)
    try:
        result = seed_demo(hub, seed=seed, progress=lambda text: click.echo(f"  {text}"))
        if token_file:
            write_secret(token_file, result.token)
            if result.identifier_key:
                key_file = token_file.with_name(token_file.name + ".identifier-key")
                write_secret(key_file, result.identifier_key)
                click.echo(f"  identifier key of {result.org_name} (opens its review queue): {key_file}")
        url = f"http://{settings.host}:{settings.port}/"
        click.echo(result.summary)
        click.echo("")
        click.echo(f"Open {url} and sign in with this API token (admin and analyst at {result.org_name}):")
        click.echo(f"  {result.token}")
        auth = f"-H 'Authorization: Bearer {result.token}'"
        click.echo(f"Or call the API:  curl {auth} {url}api/v1/operations")
        if result.example_url:
            body = json.dumps({"items": [{"kind": "url", "value": result.example_url}]})
            json_type = "-H 'content-type: application/json'"
            click.echo(f"Match an item:    curl {auth} {json_type} -d '{body}' {url}api/v1/match")
        if not no_serve:
            _run(hub, settings.host, settings.port)
    finally:
        hub.close()
