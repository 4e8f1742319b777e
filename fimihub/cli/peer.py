"""``fimihub peer``: the hubs and TAXII servers this hub syncs with, its signing key, the keys it trusts."""

from __future__ import annotations

import click

from fimihub import Hub
from fimihub.cli.common import db_option, echo_json, echo_records, hub_command, json_option, open_hub
from fimihub.exchange.peers import Credentials, Direction, Peer, PeerError, SyncReport

__all__ = ["peer"]


@click.group()
def peer() -> None:
    """Federation: pull from and push to other hubs and TAXII 2.1 servers.

    Credentials given here are kept in the store: protect the database, or pass --token-env /
    --password-env to read the secret from the environment at sync time instead.
    """


@peer.command("add")
@db_option
@click.argument("name")
@click.argument("api_root", metavar="API_ROOT_URL")
@click.option(
    "--collection",
    "collections",
    multiple=True,
    required=True,
    metavar="REMOTE_ID=FORUM_ID",
    help="Link a remote collection to a local forum (repeatable).",
)
@click.option("--org", "owner_org", required=True, help="Local organisation that owns what is pulled.")
@click.option(
    "--direction", type=click.Choice([d.value for d in Direction]), default="pull", show_default=True
)
@click.option("--token", help="API token, sent as a Bearer token (kept in the store).")
@click.option("--token-env", metavar="VAR", help="Environment variable holding the API token.")
@click.option("--user", help="User name for HTTP Basic.")
@click.option("--password", help="Password for HTTP Basic (kept in the store).")
@click.option("--password-env", metavar="VAR", help="Environment variable holding the password.")
@click.option("--key", "keys", multiple=True, help="The remote hub's Ed25519 public key (repeatable).")
@click.option("--page-size", type=int, help="Objects per page when pulling and pushing (default 500).")
@click.option("--replace", is_flag=True, help="Change the peer of that name.")
@json_option()
def peer_add(
    db: str | None,
    name: str,
    api_root: str,
    collections: tuple[str, ...],
    owner_org: str,
    direction: str,
    token: str | None,
    token_env: str | None,
    user: str | None,
    password: str | None,
    password_env: str | None,
    keys: tuple[str, ...],
    page_size: int | None,
    replace: bool,
    as_json: bool,
) -> None:
    """Configure a peer: another hub, or any TAXII 2.1 server, at API_ROOT_URL."""
    if token is not None or token_env is not None:
        if user or password is not None or password_env:
            raise click.UsageError("give a token, or a user and password, not both")
        credentials = Credentials("bearer", secret=token, secret_env=token_env)
    elif user or password is not None or password_env:
        credentials = Credentials("basic", user=user, secret=password, secret_env=password_env)
    else:
        credentials = Credentials()
    configured = Peer.build(
        name,
        api_root,
        collections,
        owner_org=owner_org,
        direction=direction,
        credentials=credentials,
        page_size=page_size,
    )
    with open_hub(db) as hub:
        hub.peers.add(hub.operator(), configured, keys=keys, replace=replace)
    echo_json(configured.as_json()) if as_json else click.echo(configured.name)


@hub_command(peer, "list")
@json_option()
def peer_list(hub: Hub, as_json: bool) -> None:
    """List peers, with their checkpoints (credentials are never shown)."""
    op = hub.operator()
    found = [(p, hub.peers.checkpoints(op, p.name)) for p in hub.peers.list(op)]
    if as_json:
        echo_json(
            [
                {
                    **p.as_json(),
                    "checkpoints": [
                        {"collection_id": c.collection_id, "direction": c.direction, "position": c.position}
                        for c in points
                    ],
                }
                for p, points in found
            ]
        )
        return
    for p, points in found:
        links = " ".join(str(link) for link in p.links)
        click.echo(f"{p.name}\t{p.direction.value}\t{p.api_root}\t{links}\t{p.credentials.describe()}")
        for c in points:
            click.echo(f"  {c.direction} {c.collection_id} at {c.position}")


@hub_command(peer, "remove")
@click.argument("name")
def peer_remove(hub: Hub, name: str) -> None:
    """Forget a peer, its checkpoints and the keys trusted with it (what was synced stays)."""
    hub.peers.remove(hub.operator(), name)


@hub_command(peer, "sync")
@click.argument("names", nargs=-1)
@click.option(
    "--only",
    type=click.Choice([Direction.PULL.value, Direction.PUSH.value]),
    help="Only pull, or only push (within the peer's direction).",
)
@json_option()
def peer_sync(hub: Hub, names: tuple[str, ...], only: str | None, as_json: bool) -> None:
    """Sync with the peers NAMES (every peer when none is named).

    Objects that were rejected (altered since they were signed, or refused by the peer) are listed on
    standard error. Exits with 9 when the sync of some collection stopped early (the peer could not be
    reached after the retries, or refused a request); its checkpoint stays at the last complete page.
    """
    reports = hub.peers.sync_all(hub.operator(), names, directions=[only] if only else None)
    if as_json:
        echo_json([r.as_json() for r in reports])
    else:
        for report in reports:
            _echo_report(report)
    stopped = [
        f"{r.peer} {link.direction} {link.collection_id}" for r in reports for link in r.links if not link.ok
    ]
    if stopped:
        raise PeerError(f"sync stopped early (checkpoints kept): {', '.join(stopped)}")


@hub_command(peer, "key")
@json_option()
def peer_key(hub: Hub, as_json: bool) -> None:
    """Print this hub's public signing key, for peers to trust (``peer add --key`` / ``peer trust``)."""
    key = hub.signer.hub_key()
    if as_json:
        echo_json({"key_id": key.key_id, "public_key": key.public_key, "alg": key.algorithm})
    else:
        click.echo(key.public_key)


@hub_command(peer, "trust")
@click.argument("public_key")
@click.option("--label", required=True, help="Which hub the key belongs to.")
@click.option("--peer", "peer_name", help="The peer the key belongs to, if it is one.")
def peer_trust(hub: Hub, public_key: str, label: str, peer_name: str | None) -> None:
    """Trust a hub's public key, also for objects that reach this hub through other hubs; prints its id."""
    key = hub.peers.trust_key(hub.operator(), public_key, label=label, peer=peer_name)
    click.echo(key.key_id)


@hub_command(peer, "keys")
@json_option()
def peer_keys(hub: Hub, as_json: bool) -> None:
    """List the keys this hub trusts."""
    echo_records(
        hub.peers.trusted_keys(hub.operator()),
        as_json,
        lambda k: (k.key_id, k.label, k.peer or "-", k.public_key),
        to_json=lambda k: {"key_id": k.key_id, "public_key": k.public_key, "label": k.label, "peer": k.peer},
    )


@hub_command(peer, "distrust")
@click.argument("key_id")
def peer_distrust(hub: Hub, key_id: str) -> None:
    """Stop trusting a key."""
    hub.peers.distrust_key(hub.operator(), key_id)


def _echo_report(report: SyncReport) -> None:
    for link in report.links:
        state = "ok" if link.ok else f"stopped: {link.error}"
        click.echo(
            f"{report.peer}\t{link.direction}\t{link.collection_id}\t{state}\t"
            f"received={link.received} stored={link.stored} held={link.held} echoes={link.echoes} "
            f"rejected={len(link.rejected)} checkpoint={link.checkpoint_after or '-'}"
        )
        for rejection in link.rejected:
            click.echo(f"  rejected {rejection.id} {rejection.version}: {rejection.reason}", err=True)
