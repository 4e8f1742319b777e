"""What a hub keeps about federation: its peers, how far each sync got, the keys it trusts, and its own key.

A *peer* is another hub (or any TAXII 2.1 server) this hub pulls from or pushes to. Its configuration is kept
as JSON the hub writes and reads (:attr:`PeerRecord.body`); its credentials are kept apart
(:attr:`PeerRecord.credentials`) so that listings never carry them. They are stored as given — whoever can
read the database can read them, which is why the database must be protected, or the credentials given as
the name of an environment variable instead.

A *checkpoint* says how far a sync of one remote collection got in one direction: for a pull, the last
``date_added`` the remote reported; for a push, the last local ``date_added`` sent. Syncs save it after each
page, each time in a transaction of its own, so an interrupted sync resumes where it stopped.

The *trusted keys* are the Ed25519 public keys of hubs whose signatures this hub checks; the *signing key*
is this hub's own private key, created with the schema (migration 0006) and never shown.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import datetime
from typing import Any

__all__ = ["PeerCheckpoint", "PeerRecord", "PeerRows", "TrustedKey"]


@dataclass(frozen=True, slots=True)
class PeerRecord:
    """A configured peer: its name, its configuration as JSON, and its credentials, kept apart."""

    name: str
    body: dict[str, Any]
    credentials: dict[str, Any]
    created_at: datetime
    modified_at: datetime


@dataclass(frozen=True, slots=True)
class PeerCheckpoint:
    """How far the sync of one remote collection of a peer got, in one direction (``pull`` or ``push``).

    ``position`` is a STIX timestamp; ``settled`` says the page that set it was the last one, so nothing
    added at that very instant can still be waiting on the remote.
    """

    peer: str
    collection_id: str
    direction: str
    position: str
    settled: bool
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class TrustedKey:
    """An Ed25519 public key whose signatures this hub checks; ``peer`` is the peer it was configured with."""

    key_id: str
    public_key: str
    label: str
    peer: str | None
    added_at: datetime


class PeerRows(ABC):
    """Peers, checkpoints and keys, inside one unit of work (``uow.peers``)."""

    @abstractmethod
    def peer(self, name: str) -> PeerRecord | None:
        """The peer of that name, or ``None``."""

    @abstractmethod
    def peers(self) -> list[PeerRecord]:
        """Every peer, by name."""

    @abstractmethod
    def save_peer(self, peer: PeerRecord) -> None:
        """Add a peer, or replace the one of the same name."""

    @abstractmethod
    def remove_peer(self, name: str) -> bool:
        """Remove a peer with its checkpoints and the keys trusted with it; whether it existed."""

    @abstractmethod
    def checkpoint(self, peer: str, collection_id: str, direction: str) -> PeerCheckpoint | None:
        """The checkpoint of one remote collection and direction, or ``None`` before the first sync."""

    @abstractmethod
    def checkpoints(self, peer: str) -> list[PeerCheckpoint]:
        """Every checkpoint of a peer."""

    @abstractmethod
    def save_checkpoint(self, checkpoint: PeerCheckpoint) -> None:
        """Set a checkpoint (insert or replace)."""

    @abstractmethod
    def trusted_keys(self) -> list[TrustedKey]:
        """Every trusted key, by key id."""

    @abstractmethod
    def trust(self, key: TrustedKey) -> None:
        """Trust a key (replacing the entry of the same key id)."""

    @abstractmethod
    def distrust(self, key_id: str) -> bool:
        """Stop trusting a key; whether it was trusted."""

    @abstractmethod
    def signing_key(self) -> bytes:
        """This hub's Ed25519 private key (32 bytes)."""
