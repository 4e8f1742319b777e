"""Federation: syncing a hub's collections with other hubs and any TAXII 2.1 server.

:mod:`~fimihub.exchange.peers.config` says what a peer is; :mod:`~fimihub.exchange.peers.client` talks TAXII
2.1 to it over ``httpx``, retrying with backoff; :mod:`~fimihub.exchange.peers.sync` pulls and pushes one
linked collection page by page from a checkpoint. The hub (:class:`fimihub.hub.peers.Peers`) keeps the
peers and checkpoints, and stores what arrives the way it stores any TAXII post. ``docs/federation.md``
explains it for people running hubs.
"""

from fimihub.exchange.peers.client import RemotePage, TaxiiClient, envelope_bytes
from fimihub.exchange.peers.config import DEFAULT_PAGE_SIZE, CollectionLink, Credentials, Direction, Peer
from fimihub.exchange.peers.errors import PeerError, PeerRefused, PeerUnavailable
from fimihub.exchange.peers.retry import RETRY_STATUSES, Backoff
from fimihub.exchange.peers.sync import (
    Checkpoint,
    Ingested,
    LinkReport,
    LocalPage,
    Rejection,
    SyncReport,
    chunked,
    pull,
    push,
    resume_after,
)

__all__ = [
    "DEFAULT_PAGE_SIZE",
    "RETRY_STATUSES",
    "Backoff",
    "Checkpoint",
    "CollectionLink",
    "Credentials",
    "Direction",
    "Ingested",
    "LinkReport",
    "LocalPage",
    "Peer",
    "PeerError",
    "PeerRefused",
    "PeerUnavailable",
    "Rejection",
    "RemotePage",
    "SyncReport",
    "TaxiiClient",
    "chunked",
    "envelope_bytes",
    "pull",
    "push",
    "resume_after",
]
