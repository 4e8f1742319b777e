"""Federation use cases: the peers a hub syncs with, the keys it signs with and trusts, and the syncs.

A hub pulls objects from its peers' collections into its forums' collections, and pushes what its forums'
collections gain to them (:mod:`fimihub.exchange.peers` does the talking). What arrives is stored exactly as
a TAXII post is (:meth:`~fimihub.hub.taxii.Taxii.add`): versions are kept by id and ``modified``,
a version held already changes nothing, revocations and deletion tombstones are new versions like any other.
Pulled objects are owned by the local organisation that stands for the peer, and are never pushed back to it.

Every object the hub publishes is signed with its own Ed25519 key (:mod:`fimihub.exchange.stix.signing`);
the signature stays on the object wherever it travels. When an object arrives — pulled, or posted over
TAXII — signed by a key this hub trusts, the signature must match: an altered object is refused and the sync
report names it. Objects signed by keys the hub does not know, and unsigned objects (plain TAXII servers,
members' own posts), are stored, and the report counts them.
"""

from __future__ import annotations

import builtins
import json
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any, TypeVar

import httpx

from fimihub.errors import Conflict, NotFound, ValidationError
from fimihub.exchange.peers import (
    Backoff,
    Checkpoint,
    CollectionLink,
    Direction,
    Ingested,
    LocalPage,
    Peer,
    Rejection,
    SyncReport,
    TaxiiClient,
    pull,
    push,
)
from fimihub.exchange.stix import signing
from fimihub.hub.admin import require_hub_admin
from fimihub.hub.core import Core, audit_event
from fimihub.hub.signatures import HubSigner
from fimihub.hub.taxii import StixFilters, Taxii, collection_id_of
from fimihub.model import TLP, Forum, Organisation
from fimihub.policy import Caller, Operator
from fimihub.storage import UnitOfWork
from fimihub.storage.peers import PeerCheckpoint, PeerRecord, TrustedKey

__all__ = ["Peers"]

_T = TypeVar("_T")

#: Markings that are never pushed to a peer: AMBER+STRICT stays in the owner organisation, RED with the people
#: it names.
_NOT_PUSHED = frozenset({TLP.AMBER_STRICT, TLP.RED})


class Peers:
    """Federation: the peers this hub syncs with, the keys it trusts, and the syncs (``hub.peers``)."""

    def __init__(self, core: Core, *, taxii: Taxii, signer: HubSigner) -> None:
        self.core = core
        self.taxii = taxii
        self.signer = signer

    # -- peers ----------------------------------------------------------------------------------------------

    def add(self, by: Caller, peer: Peer, *, keys: Sequence[str] = (), replace: bool = False) -> Peer:
        """Configure a peer (``replace`` to change an existing one), trusting ``keys``: the Ed25519 public
        keys of the remote hub, if it is a fimihub hub (``fimihub peer key`` there prints its key)."""
        require_hub_admin(by)
        trusted = [_trusted(k, label=peer.name, peer=peer.name, at=self.core.clock()) for k in keys]
        now = self.core.clock()
        with self.core.store.unit_of_work() as uow:
            held = uow.peers.peer(peer.name)
            if held is not None and not replace:
                raise Conflict(f"peer {peer.name!r} exists already")
            if uow.get(Organisation, peer.owner_org) is None:
                raise ValidationError("owner_org", f"no organisation {peer.owner_org!r}")
            for link in peer.links:
                if uow.get(Forum, link.forum_id) is None:
                    raise ValidationError("collections", f"no forum {link.forum_id!r}")
            uow.peers.save_peer(
                PeerRecord(
                    name=peer.name,
                    body=peer.as_json(),
                    credentials=peer.credentials.as_json(),
                    created_at=held.created_at if held else now,
                    modified_at=now,
                )
            )
            for key in trusted:
                uow.peers.trust(key)
            detail = {**peer.as_json(), "keys": [k.key_id for k in trusted]}
            self._peer_audit(uow, by, "peer.replace" if held else "peer.add", peer.name, detail, now)
        return peer

    def list(self, by: Caller) -> list[Peer]:
        """Every configured peer, by name."""
        return self._read(by, lambda uow: [Peer.from_json(r.body, r.credentials) for r in uow.peers.peers()])

    def get(self, by: Caller, name: str) -> Peer:
        """One peer; :class:`NotFound` when there is none of that name."""
        return self._read(by, lambda uow: _peer_of(uow, name))

    def checkpoints(self, by: Caller, name: str) -> builtins.list[PeerCheckpoint]:
        """How far the syncs with a peer got, per remote collection and direction."""
        return self._read(by, lambda uow: uow.peers.checkpoints(_peer_of(uow, name).name))

    def remove(self, by: Caller, name: str) -> None:
        """Forget a peer, its checkpoints and the keys trusted with it. What was synced stays."""
        self._forget(by, "peer.remove", name, lambda uow: uow.peers.remove_peer(name), f"no peer {name!r}")

    # -- keys -----------------------------------------------------------------------------------------------

    def trust_key(self, by: Caller, public_key: str, *, label: str, peer: str | None = None) -> TrustedKey:
        """Trust a hub's public key: objects signed with it are checked, and refused when altered. A hub need
        not be a peer to be trusted — objects it wrote may arrive relayed through another hub."""
        require_hub_admin(by)
        key = _trusted(public_key, label=label, peer=peer, at=self.core.clock())
        with self.core.store.unit_of_work() as uow:
            if peer is not None:
                _peer_of(uow, peer)
            uow.peers.trust(key)
            self._peer_audit(
                uow, by, "peer.trust", key.key_id, {"label": label, "peer": peer}, self.core.clock()
            )
        return key

    def trusted_keys(self, by: Caller) -> builtins.list[TrustedKey]:
        """The keys this hub trusts, by key id."""
        return self._read(by, lambda uow: uow.peers.trusted_keys())

    def distrust_key(self, by: Caller, key_id: str) -> None:
        """Stop trusting a key: its objects are then stored as signed by an unknown key."""
        missing = f"no trusted key {key_id!r}"
        self._forget(by, "peer.distrust", key_id, lambda uow: uow.peers.distrust(key_id), missing)

    # -- syncing --------------------------------------------------------------------------------------------

    def sync(
        self,
        by: Caller,
        name: str,
        *,
        directions: Iterable[Direction | str] | None = None,
        backoff: Backoff | None = None,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> SyncReport:
        """Pull from and push to a peer, each linked collection in turn, as its ``direction`` says (or only
        the ``directions`` given, among those). Never raises for the peer's failures: the report says what
        happened per collection, and the checkpoints stay at the last page that completed."""
        require_hub_admin(by)
        with self.core.store.unit_of_work(read_only=True) as uow:
            peer = _peer_of(uow, name)
        wanted = {Direction(d) for d in directions} if directions is not None else {peer.direction}
        pulls = peer.direction.pulls and any(d.pulls for d in wanted)
        pushes = peer.direction.pushes and any(d.pushes for d in wanted)
        report = SyncReport(peer.name)
        client = TaxiiClient(
            peer.api_root, peer.credentials, backoff=backoff, transport=transport, sleep=sleep
        )
        with client:
            for link in peer.links:
                if pulls:
                    report.links.append(self._pull_link(peer, link, client))
                if pushes:
                    report.links.append(self._push_link(peer, link, client))
        with self.core.store.unit_of_work() as uow:
            summary = [
                {k: v for k, v in link.as_json().items() if k != "rejected"}
                | {"rejected": len(link.rejected)}
                for link in report.links
            ]
            self._peer_audit(
                uow, by, "peer.sync", peer.name, {"ok": report.ok, "links": summary}, self.core.clock()
            )
        return report

    def sync_all(self, by: Caller, names: Sequence[str] = (), **options: Any) -> builtins.list[SyncReport]:
        """:meth:`sync` for each peer named, or every peer when none is."""
        chosen = list(names) or [p.name for p in self.list(by)]
        return [self.sync(by, name, **options) for name in chosen]

    def _pull_link(self, peer: Peer, link: CollectionLink, client: TaxiiClient) -> Any:
        start = self._checkpoint(peer.name, link.remote, "pull")
        trusted = self.signer.trusted_keys()
        return pull(
            client,
            link,
            start,
            page_size=peer.page_size,
            ingest=lambda objects: self._ingest(peer, link, objects, trusted),
            save=lambda point: self._save_checkpoint(peer.name, link.remote, "pull", point),
        )

    def _push_link(self, peer: Peer, link: CollectionLink, client: TaxiiClient) -> Any:
        start = self._checkpoint(peer.name, link.remote, "push")
        return push(
            client,
            link,
            start,
            local_page=lambda after, cursor: self._local_page(peer, link, after, cursor),
            save=lambda point: self._save_checkpoint(peer.name, link.remote, "push", point),
        )

    def _ingest(
        self,
        peer: Peer,
        link: CollectionLink,
        objects: builtins.list[dict[str, Any]],
        trusted: Mapping[str, bytes],
    ) -> Ingested:
        """Store a pulled page the way a TAXII post is stored; versions held already are left out first, so
        what this hub sent the peer and gets back is not an error."""
        verdicts: dict[str, int] = {}
        for obj in objects:
            verdict = signing.verify(obj, trusted).value
            verdicts[verdict] = verdicts.get(verdict, 0) + 1
        with self.core.store.unit_of_work(read_only=True) as uow:
            ids = [o["id"] for o in objects if isinstance(o.get("id"), str)]
            held = {_unsigned_text(e.body) for e in uow.stix.versions_of(link.forum_id, ids)}
        fresh = [o for o in objects if _unsigned_text(o) not in held]
        if not fresh:
            return Ingested(held=len(objects), signatures=verdicts)
        status = self.taxii.add(
            Operator(f"peer:{peer.name}"),
            collection_id_of(link.forum_id),
            fresh,
            owner_org=peer.owner_org,
        )
        rejected = tuple(Rejection(f.id, f.version, f.message or "refused") for f in status.failures)
        return Ingested(
            stored=len(status.successes),
            held=len(objects) - len(fresh),
            rejected=rejected,
            signatures=verdicts,
        )

    def _local_page(
        self, peer: Peer, link: CollectionLink, after: str | None, cursor: str | None
    ) -> LocalPage:
        """A page of the local collection to push: every version added after ``after``, without what came
        from this peer and what may not leave the hub (TLP:AMBER+STRICT, TLP:RED, named recipients)."""
        filters = StixFilters(added_after=after, next=cursor, versions=("all",), limit=peer.page_size)
        page = self.taxii.objects(Operator(f"peer:{peer.name}"), collection_id_of(link.forum_id), filters)
        objects: builtins.list[dict[str, Any]] = []
        echoes = 0
        for entry in page.entries:
            if entry.owner_org == peer.owner_org:
                echoes += 1
            elif entry.marking.tlp in _NOT_PUSHED or entry.marking.recipient_orgs:
                continue
            else:
                objects.append(entry.body)
        return LocalPage(objects, echoes, page.date_added_last, page.more, page.next)

    def _checkpoint(self, peer: str, collection_id: str, direction: str) -> Checkpoint | None:
        with self.core.store.unit_of_work(read_only=True) as uow:
            found = uow.peers.checkpoint(peer, collection_id, direction)
        return Checkpoint(found.position, found.settled) if found else None

    def _save_checkpoint(self, peer: str, collection_id: str, direction: str, point: Checkpoint) -> None:
        with self.core.store.unit_of_work() as uow:
            uow.peers.save_checkpoint(
                PeerCheckpoint(
                    peer, collection_id, direction, point.position, point.settled, self.core.clock()
                )
            )

    def _read(self, by: Caller, read: Callable[[UnitOfWork], _T]) -> _T:
        """What ``read`` finds in the store, for the hub's admins only."""
        require_hub_admin(by)
        with self.core.store.unit_of_work(read_only=True) as uow:
            return read(uow)

    def _forget(
        self, by: Caller, action: str, subject: str, forget: Callable[[UnitOfWork], bool], missing: str
    ) -> None:
        """Remove a peer or a trusted key with ``forget``, audited; NotFound when it was not there."""
        require_hub_admin(by)
        with self.core.store.unit_of_work() as uow:
            if not forget(uow):
                raise NotFound(missing)
            self._peer_audit(uow, by, action, subject, {}, self.core.clock())

    def _peer_audit(
        self, uow: UnitOfWork, by: Caller, action: str, subject: str, detail: dict[str, Any], at: datetime
    ) -> None:
        kind = "trusted_key" if action in ("peer.trust", "peer.distrust") else "peer"
        audit_event(uow, by, action, kind, subject, detail, at)


def _peer_of(uow: UnitOfWork, name: str) -> Peer:
    found = uow.peers.peer(name)
    if found is None:
        raise NotFound(f"no peer {name!r}")
    return Peer.from_json(found.body, found.credentials)


def _trusted(public_key: str, *, label: str, peer: str | None, at: datetime) -> TrustedKey:
    try:
        raw = signing.decode_key(public_key)
    except ValueError as error:
        raise ValidationError("key", f"not an Ed25519 public key: {error}") from None
    if not label.strip():
        raise ValidationError("label", "name the hub the key belongs to")
    return TrustedKey(signing.key_id(raw), signing.encode_key(raw), label.strip(), peer, at)


def _unsigned_text(obj: Mapping[str, Any]) -> str:
    """An object compared without its signature: the same version signed by two hubs is the same object."""
    return signing.canonical_json(obj).decode("utf-8") if isinstance(obj, Mapping) else json.dumps(obj)
