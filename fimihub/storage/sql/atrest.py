"""Sealing what a store wrote in clear before it had an at-rest key (see :mod:`fimihub.storage.vault`).

Once a store is opened with its key, every write seals its secrets. What an older version (or a store opened
without a key) wrote in clear is sealed here, once, when the store is upgraded: the forum keys, the review
keys, the platform ids of assets that name accounts, the peers' credentials, and last the hub's signing key.
The signing key being sealed is what marks the store as done, so later upgrades cost one row read; it also
tells, before anything else is read, whether the key file given is the one the store was sealed with.
"""

from __future__ import annotations

from sqlalchemy import Connection, select, update
from sqlalchemy.engine import URL

from fimihub.model import Asset, ForumKey, Record, ReviewKey
from fimihub.storage.sql.peers import SqlPeerRows
from fimihub.storage.sql.rows import from_body, record_row
from fimihub.storage.sql.tables import RECORD_TABLES, hub_signing_key
from fimihub.storage.vault import Vault, is_sealed

__all__ = ["seal_at_rest"]


def seal_at_rest(conn: Connection, url: URL, vault: Vault) -> None:
    """Seal with ``vault`` every secret the store on ``conn`` still holds in clear (inside the caller's
    transaction); raises :class:`~fimihub.errors.StoreError` when the store was sealed with another key."""
    key_row = hub_signing_key.c.private_key
    current = conn.execute(select(key_row).where(hub_signing_key.c.id == 1)).scalar()
    if current is None:
        return
    if is_sealed(current):
        vault.open(current)  # the wrong key file fails here, naming both keys
        return
    kind: type[Record]
    for kind in (ForumKey, ReviewKey, Asset):
        table = RECORD_TABLES[kind]
        for record_id, body in conn.execute(select(table.c.id, table.c.body)).all():
            sealed = record_row(from_body(kind, body, vault), vault)["body"]
            if sealed != body:
                conn.execute(update(table).where(table.c.id == record_id).values(body=sealed))
    peers = SqlPeerRows(conn, url, vault)
    for peer in peers.peers():
        peers.save_peer(peer)
    conn.execute(
        update(hub_signing_key).where(hub_signing_key.c.id == 1).values(private_key=vault.seal(current))
    )
