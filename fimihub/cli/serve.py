"""``fimihub serve``: run the hub's HTTP server (REST, TAXII, console) over an existing store.

The address is bound before anything slow happens (opening the store, seeding a demo), and held until the
server takes it over, so a port already in use is said at once, in words, and no other process can take the
port in between.
"""

from __future__ import annotations

import errno
import gc
import socket

import click

from fimihub import Hub, Settings
from fimihub.cli.common import db_option, require_store
from fimihub.errors import ValidationError
from fimihub.hub.schedule import PeriodicJob

__all__ = ["base_url", "listen", "run_server", "serve"]


def listen(host: str, port: int, *, retry: str) -> socket.socket:
    """A socket bound to ``host:port``, for :func:`run_server`. A port in use (or not ours to take) is a
    :class:`ValidationError` of ``port`` that says so and suggests ``retry``, a command in which ``{port}``
    stands for a free port nearby."""
    try:
        return _bind(host, port)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            free = next((p for p in range(port + 1, min(port + 50, 65536)) if _is_free(host, p)), port + 1)
            raise ValidationError(
                "port",
                f"{host}:{port} is already in use (another fimihub, or another server?). Stop it, or use "
                f"another port: {retry.format(port=free)}",
            ) from None
        if exc.errno == errno.EACCES:
            raise ValidationError(
                "port", f"{host}:{port} is not open to this user (ports below 1024 need privileges)"
            ) from None
        raise ValidationError("host", f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None


def _bind(host: str, port: int) -> socket.socket:
    # As uvicorn binds: SO_REUSEADDR lets a restarted server take a port whose old connections linger, never
    # one that another server listens on. The protocol is named so that asyncio sets TCP_NODELAY on every
    # connection accepted (it does so only for sockets that say they are TCP): without it a small answer
    # waits for the client's delayed acknowledgement, 40 ms a request.
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
    except BaseException:
        sock.close()
        raise
    return sock


def _is_free(host: str, port: int) -> bool:
    try:
        _bind(host, port).close()
    except OSError:
        return False
    return True


def base_url(host: str, port: int) -> str:
    """The URL a client on this machine reaches the server at (a wildcard address through loopback)."""
    shown = {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}.get(host, host)
    return f"http://[{shown}]:{port}/" if ":" in shown else f"http://{shown}:{port}/"


def run_server(hub: Hub, sock: socket.socket) -> None:
    """Serve ``hub`` on ``sock`` (from :func:`listen`) until interrupted; the hub's scheduled retention and
    peer syncs run beside it."""
    import uvicorn

    from fimihub.app import create_app

    hub.matching.warm()
    jobs = []
    if every := hub.settings.retention_interval_hours:
        jobs.append(
            PeriodicJob("retention", lambda: hub.privacy.run(hub.operator("retention")), every * 3600.0)
        )
    if every := hub.settings.sync_interval_seconds:
        jobs.append(PeriodicJob("peer sync", lambda: _synced(hub), float(every)))
    for job in jobs:
        job.start()
    # What is loaded now (matcher, warning lists, the Public Suffix List) lives as long as the server: kept
    # out of the garbage collector's sight, full collections no longer walk it on every busy request.
    gc.freeze()
    host, port = sock.getsockname()[:2]
    config = uvicorn.Config(
        create_app(hub=hub), host=host, port=port, log_level=hub.settings.log_level.lower()
    )
    try:
        uvicorn.Server(config).run(sockets=[sock])
    except KeyboardInterrupt:
        pass
    finally:
        for job in jobs:
            job.stop()
        sock.close()


def _synced(hub: Hub) -> str:
    """Sync with every peer; what each sync did, in a line for the log (a failed link is logged, and the next
    run resumes it from its checkpoint)."""
    reports = hub.peers.sync_all(hub.operator("sync"))
    if not reports:
        return "no peer configured"
    return "; ".join(
        f"{r.peer}: {'ok' if r.ok else 'stopped'}, {sum(link.stored for link in r.links)} stored"
        for r in reports
    )


@click.command()
@db_option
@click.option("--host", default=None, help="Interface to bind (default: settings, 127.0.0.1).")
@click.option("--port", type=int, default=None, help="Port (default: settings, 8000).")
def serve(db: str | None, host: str | None, port: int | None) -> None:
    """Serve a hub: console at /, REST API at /api/v1/ (OpenAPI at /openapi.json).

    The store must exist: make one with `fimihub db upgrade` (or `fimihub demo`). A port in use is refused
    before the store is opened."""
    settings = Settings.load(db=db, host=host, port=port)
    require_store(settings, given=db)
    sock = listen(settings.host, settings.port, retry="fimihub serve --port {port}")
    try:
        hub = Hub.open(settings)
    except BaseException:
        sock.close()
        raise
    try:
        click.echo(
            f"fimihub serving {hub.store.url} on {base_url(settings.host, settings.port)} (Ctrl+C stops it)"
        )
        run_server(hub, sock)
    finally:
        hub.close()
