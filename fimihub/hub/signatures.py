"""This hub's signatures: the Ed25519 key it signs what it publishes with, and the keys it trusts.

Every object the hub publishes is signed (:mod:`fimihub.exchange.stix.signing`); an object arriving signed by
a trusted key must still match its signature. The TAXII service, the record feed and federation all sign and
check through :class:`HubSigner`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from fimihub.exchange.stix import signing
from fimihub.storage import Store, UnitOfWork

__all__ = ["HubKey", "HubSigner"]


@dataclass(frozen=True, slots=True)
class HubKey:
    """This hub's public signing key, as peers configure it (``fimihub peer add … --key``)."""

    key_id: str
    public_key: str
    algorithm: str = signing.ALGORITHM


class HubSigner:
    """Signs what this hub publishes and checks what arrives signed (``hub.signer``)."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def hub_key(self) -> HubKey:
        """This hub's public signing key. It is public: anyone may have it."""
        keys = self.key_pair()
        return HubKey(keys.key_id, signing.encode_key(keys.public))

    def sign_outgoing(self, objects: Sequence[Any]) -> list[Any]:
        """The objects the hub publishes, each signed with its key (anything not an object is left as is,
        for validation to refuse)."""
        keys = self.key_pair()
        return [signing.sign(o, keys) if isinstance(o, Mapping) else o for o in objects]

    def refusals(self, objects: Sequence[Any]) -> dict[int, str]:
        """Why objects arriving must be refused, by their place in ``objects``: their signature is by a
        trusted key and does not match (altered), or cannot be read."""
        signed = [(i, o) for i, o in enumerate(objects) if isinstance(o, Mapping) and signing.is_signed(o)]
        if not signed:
            return {}
        trusted = self.trusted_keys()
        refusals: dict[int, str] = {}
        for index, obj in signed:
            verdict = signing.verify(obj, trusted)
            if verdict is signing.Verdict.TAMPERED:
                refusals[index] = (
                    "signature: does not match the object: it was altered after "
                    f"{signing.signature_key_id(obj)} signed it"
                )
            elif verdict is signing.Verdict.MALFORMED:
                refusals[index] = f"signature: not an {signing.ALGORITHM} signature fimihub can read"
        return refusals

    def signed_tombstone(self, uow: UnitOfWork, body: dict[str, Any]) -> dict[str, Any]:
        """A deletion tombstone of a signed object, signed again by this hub (inside the deleting unit of
        work): the hub vouches for the deletion."""
        if not signing.is_signed(body):
            return body
        return signing.sign(body, signing.KeyPair.from_private(uow.peers.signing_key()))

    def key_pair(self) -> signing.KeyPair:
        with self.store.unit_of_work(read_only=True) as uow:
            return signing.KeyPair.from_private(uow.peers.signing_key())

    def trusted_keys(self) -> dict[str, bytes]:
        """Trusted public keys by key id, this hub's own among them."""
        own = self.key_pair()
        with self.store.unit_of_work(read_only=True) as uow:
            found = {k.key_id: signing.decode_key(k.public_key) for k in uow.peers.trusted_keys()}
        return {**found, own.key_id: own.public}
