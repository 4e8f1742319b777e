"""Federation rows in SQL: :class:`SqlPeerRows`, used through ``uow.peers``."""

from __future__ import annotations

from dataclasses import asdict, replace
from typing import TypeVar

import orjson
from sqlalchemy import ColumnElement, Connection, Table, delete, insert, select, update
from sqlalchemy.engine import URL

from fimihub.errors import StoreError
from fimihub.storage.peers import PeerCheckpoint, PeerRecord, PeerRows, TrustedKey
from fimihub.storage.sql.engine import db_errors
from fimihub.storage.sql.tables import hub_signing_key, peer_checkpoints, peers, trusted_keys
from fimihub.storage.vault import Vault, is_sealed

__all__ = ["SqlPeerRows"]

_P = peers.c
_C = peer_checkpoints.c
_K = trusted_keys.c
_Row = TypeVar("_Row", PeerRecord, PeerCheckpoint, TrustedKey)
#: The one key of a peer's credentials when they are sealed at rest (see :mod:`fimihub.storage.vault`).
_SEALED = "sealed"


class SqlPeerRows(PeerRows):
    """Peer, checkpoint and key rows on ``conn``, in the transaction of the unit of work that made this."""

    def __init__(self, conn: Connection, url: URL, vault: Vault | None = None) -> None:
        self._conn = conn
        self._url = url
        self._vault = vault

    def peer(self, name: str) -> PeerRecord | None:
        found = self._one(peers, PeerRecord, _P.name == name)
        return None if found is None else self._opened(found)

    def peers(self) -> list[PeerRecord]:
        return [self._opened(peer) for peer in self._rows(peers, PeerRecord)]

    def save_peer(self, peer: PeerRecord) -> None:
        if self._vault is not None and peer.credentials:
            sealed = self._vault.seal(orjson.dumps(peer.credentials).decode("utf-8"))
            peer = replace(peer, credentials={_SEALED: sealed})
        self._save(peers, peer)

    def remove_peer(self, name: str) -> bool:
        self._delete(peer_checkpoints, _C.peer == name)
        self._delete(trusted_keys, _K.peer == name)
        return self._delete(peers, _P.name == name) > 0

    def checkpoint(self, peer: str, collection_id: str, direction: str) -> PeerCheckpoint | None:
        where = (_C.peer == peer, _C.collection_id == collection_id, _C.direction == direction)
        return self._one(peer_checkpoints, PeerCheckpoint, *where)

    def checkpoints(self, peer: str) -> list[PeerCheckpoint]:
        return self._rows(peer_checkpoints, PeerCheckpoint, _C.peer == peer)

    def save_checkpoint(self, checkpoint: PeerCheckpoint) -> None:
        self._save(peer_checkpoints, checkpoint)

    def trusted_keys(self) -> list[TrustedKey]:
        return self._rows(trusted_keys, TrustedKey)

    def trust(self, key: TrustedKey) -> None:
        self._save(trusted_keys, key)

    def distrust(self, key_id: str) -> bool:
        return self._delete(trusted_keys, _K.key_id == key_id) > 0

    def signing_key(self) -> bytes:
        query = select(hub_signing_key.c.private_key).where(hub_signing_key.c.id == 1)
        with db_errors(self._url):
            found = self._conn.execute(query).scalar()
        if found is None:
            raise StoreError("the hub's signing key is missing; run the store's schema upgrade first")
        return bytes.fromhex(self._open(str(found)))

    def _open(self, value: str) -> str:
        if not is_sealed(value):
            return value
        if self._vault is None:
            raise StoreError("the store holds sealed secrets but was opened without its at-rest key")
        return self._vault.open(value)

    def _opened(self, peer: PeerRecord) -> PeerRecord:
        """``peer`` with its credentials opened, when they are sealed."""
        sealed = peer.credentials.get(_SEALED)
        if not isinstance(sealed, str) or len(peer.credentials) != 1:
            return peer
        return replace(peer, credentials=orjson.loads(self._open(sealed)))

    # Each table holds one of the dataclasses of :mod:`fimihub.storage.peers`, a column per field.

    def _rows(self, table: Table, kind: type[_Row], *where: ColumnElement[bool]) -> list[_Row]:
        """The rows of ``table`` that match ``where``, in primary key order."""
        query = select(table).where(*where).order_by(*table.primary_key.columns)
        with db_errors(self._url):
            return [kind(**row) for row in self._conn.execute(query).mappings()]

    def _one(self, table: Table, kind: type[_Row], *where: ColumnElement[bool]) -> _Row | None:
        """The row of ``table`` that ``where`` names by its primary key, or ``None``."""
        found = self._rows(table, kind, *where)
        return found[0] if found else None

    def _save(self, table: Table, item: PeerRecord | PeerCheckpoint | TrustedKey) -> None:
        """Update the row of ``item``, found by the table's primary key, or insert it (the caller's
        transaction keeps the two together)."""
        values = asdict(item)
        key = {column.name: values.pop(column.name) for column in table.primary_key}
        where = [table.c[name] == value for name, value in key.items()]
        with db_errors(self._url):
            if self._conn.execute(update(table).where(*where).values(**values)).rowcount == 0:
                self._conn.execute(insert(table).values(**key, **values))

    def _delete(self, table: Table, *where: ColumnElement[bool]) -> int:
        """Delete the rows of ``table`` that match ``where``; how many there were."""
        with db_errors(self._url):
            return int(self._conn.execute(delete(table).where(*where)).rowcount)
