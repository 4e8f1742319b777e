"""Federation rows in SQL: :class:`SqlPeerRows`, used through ``uow.peers``."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Table, delete, insert, select, update
from sqlalchemy.engine import URL

from fimihub.errors import StoreError
from fimihub.storage.peers import PeerCheckpoint, PeerRecord, PeerRows, TrustedKey
from fimihub.storage.sql.engine import db_errors
from fimihub.storage.sql.tables import hub_signing_key, peer_checkpoints, peers, trusted_keys

__all__ = ["SqlPeerRows"]

_P = peers.c
_C = peer_checkpoints.c
_K = trusted_keys.c


class SqlPeerRows(PeerRows):
    """Peer, checkpoint and key rows on ``conn``, in the transaction of the unit of work that made this."""

    def __init__(self, conn: Connection, url: URL) -> None:
        self._conn = conn
        self._url = url

    def peer(self, name: str) -> PeerRecord | None:
        with db_errors(self._url):
            row = self._conn.execute(select(peers).where(_P.name == name)).mappings().first()
        return _peer(row) if row is not None else None

    def peers(self) -> list[PeerRecord]:
        with db_errors(self._url):
            rows = self._conn.execute(select(peers).order_by(_P.name)).mappings().all()
        return [_peer(r) for r in rows]

    def save_peer(self, peer: PeerRecord) -> None:
        values = {
            "body": peer.body,
            "credentials": peer.credentials,
            "created_at": peer.created_at,
            "modified_at": peer.modified_at,
        }
        self._upsert(peers, {"name": peer.name}, values)

    def remove_peer(self, name: str) -> bool:
        with db_errors(self._url):
            self._conn.execute(delete(peer_checkpoints).where(_C.peer == name))
            self._conn.execute(delete(trusted_keys).where(_K.peer == name))
            return self._conn.execute(delete(peers).where(_P.name == name)).rowcount > 0

    def checkpoint(self, peer: str, collection_id: str, direction: str) -> PeerCheckpoint | None:
        query = select(peer_checkpoints).where(
            _C.peer == peer, _C.collection_id == collection_id, _C.direction == direction
        )
        with db_errors(self._url):
            row = self._conn.execute(query).mappings().first()
        return PeerCheckpoint(**row) if row is not None else None

    def checkpoints(self, peer: str) -> list[PeerCheckpoint]:
        query = select(peer_checkpoints).where(_C.peer == peer).order_by(_C.collection_id, _C.direction)
        with db_errors(self._url):
            return [PeerCheckpoint(**r) for r in self._conn.execute(query).mappings().all()]

    def save_checkpoint(self, checkpoint: PeerCheckpoint) -> None:
        key = {
            "peer": checkpoint.peer,
            "collection_id": checkpoint.collection_id,
            "direction": checkpoint.direction,
        }
        values = {
            "position": checkpoint.position,
            "settled": checkpoint.settled,
            "updated_at": checkpoint.updated_at,
        }
        self._upsert(peer_checkpoints, key, values)

    def trusted_keys(self) -> list[TrustedKey]:
        with db_errors(self._url):
            rows = self._conn.execute(select(trusted_keys).order_by(_K.key_id)).mappings().all()
        return [TrustedKey(**r) for r in rows]

    def trust(self, key: TrustedKey) -> None:
        values = {
            "public_key": key.public_key,
            "label": key.label,
            "peer": key.peer,
            "added_at": key.added_at,
        }
        self._upsert(trusted_keys, {"key_id": key.key_id}, values)

    def distrust(self, key_id: str) -> bool:
        with db_errors(self._url):
            return self._conn.execute(delete(trusted_keys).where(_K.key_id == key_id)).rowcount > 0

    def signing_key(self) -> bytes:
        query = select(hub_signing_key.c.private_key).where(hub_signing_key.c.id == 1)
        with db_errors(self._url):
            found = self._conn.execute(query).scalar()
        if found is None:
            raise StoreError("the hub's signing key is missing; run the store's schema upgrade first")
        return bytes.fromhex(str(found))

    def _upsert(self, table: Table, key: dict[str, Any], values: dict[str, Any]) -> None:
        """Update the row with ``key``, or insert it (the caller's transaction keeps the two together)."""
        where = [table.c[name] == value for name, value in key.items()]
        with db_errors(self._url):
            if self._conn.execute(update(table).where(*where).values(**values)).rowcount == 0:
                self._conn.execute(insert(table).values(**key, **values))


def _peer(row: Any) -> PeerRecord:
    return PeerRecord(
        name=row["name"],
        body=dict(row["body"]),
        credentials=dict(row["credentials"]),
        created_at=row["created_at"],
        modified_at=row["modified_at"],
    )
