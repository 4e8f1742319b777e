"""Federation in the hub: peers and keys, and signatures on what is published, posted and deleted."""

from __future__ import annotations

from typing import Any

import pytest

from fimihub.errors import Conflict, NotFound, PermissionDenied, ValidationError
from fimihub.exchange.peers import Peer
from fimihub.exchange.stix import signing
from fimihub.exchange.stix.signing import KeyPair, Verdict
from fimihub.exchange.stix.tombstones import is_deleted
from fimihub.hub.taxii import StixFilters, collection_id_of
from tests.conftest import Cast
from tests.http.taxii.stix import domain, indicator


def _peer(cast: Cast, name: str = "hub-x") -> Peer:
    return Peer.build(
        name, "http://hub-x.example/taxii2/exchange/", ["abc=" + cast.forum_id], owner_org=cast.org_c
    )


def _held(cast: Cast, stix_id: str) -> list[dict[str, Any]]:
    page = cast.hub.taxii.objects(
        cast.hub.operator(), collection_id_of(cast.forum_id), StixFilters(ids=(stix_id,), versions=("all",))
    )
    return [e.body for e in page.entries]


def test_peers_are_configured_listed_and_removed(cast: Cast) -> None:
    hub, op = cast.hub, cast.hub.operator()
    other = KeyPair.from_private(signing.new_private_key())
    hub.peers.add(op, _peer(cast), keys=[signing.encode_key(other.public)])
    assert [p.name for p in hub.peers.list(op)] == ["hub-x"]
    assert [(k.key_id, k.peer) for k in hub.peers.trusted_keys(op)] == [(other.key_id, "hub-x")]
    with pytest.raises(Conflict):
        hub.peers.add(op, _peer(cast))
    hub.peers.add(op, _peer(cast), replace=True)
    with pytest.raises(PermissionDenied):
        hub.peers.list(cast.analyst_a)
    with pytest.raises(ValidationError, match="owner_org"):
        hub.peers.add(
            op, Peer.build("p2", "http://x/", ["a=" + cast.forum_id], owner_org="organisation--none")
        )
    hub.peers.remove(op, "hub-x")
    assert hub.peers.list(op) == [] and hub.peers.trusted_keys(op) == []
    with pytest.raises(NotFound):
        hub.peers.remove(op, "hub-x")
    with hub.store.unit_of_work(read_only=True) as uow:
        actions = {e.action for e in uow.audit_events()}
    assert {"peer.add", "peer.replace", "peer.remove"} <= actions


def test_the_hub_key_is_stable_and_public(cast: Cast) -> None:
    first, again = cast.hub.signer.hub_key(), cast.hub.signer.hub_key()
    assert first == again and first.key_id == signing.key_id(signing.decode_key(first.public_key))


def test_published_objects_carry_the_hubs_signature(cast: Cast) -> None:
    hub = cast.hub
    obj = indicator()
    hub.taxii.publish(hub.operator(), cast.forum_id, [obj], owner_org=cast.org_a)
    [stored] = _held(cast, obj["id"])
    assert signing.signature_key_id(stored) == hub.signer.hub_key().key_id
    assert signing.verify(stored, hub.signer.trusted_keys()) is Verdict.VERIFIED
    # Publishing the same version again is still idempotent: Ed25519 signatures are deterministic.
    hub.taxii.publish(hub.operator(), cast.forum_id, [obj], owner_org=cast.org_a)
    assert len(_held(cast, obj["id"])) == 1


def test_posted_objects_altered_after_a_trusted_signature_are_refused(cast: Cast) -> None:
    hub = cast.hub
    origin = KeyPair.from_private(signing.new_private_key())
    hub.peers.trust_key(hub.operator(), signing.encode_key(origin.public), label="hub-origin")
    good, altered = signing.sign(indicator(), origin), signing.sign(indicator(), origin)
    altered["name"] = "something else"
    unknown = signing.sign(indicator(), KeyPair.from_private(signing.new_private_key()))
    plain = indicator()
    objects = [good, altered, unknown, plain]
    status = hub.taxii.add(cast.analyst_a, collection_id_of(cast.forum_id), objects)
    assert [s.id for s in status.successes] == [good["id"], unknown["id"], plain["id"]]
    assert [(f.id, "altered" in (f.message or "")) for f in status.failures] == [(altered["id"], True)]
    with pytest.raises(NotFound):
        hub.taxii.object(hub.operator(), collection_id_of(cast.forum_id), altered["id"])
    # Once the key is no longer trusted, the hub cannot tell, and stores it as signed by an unknown key.
    hub.peers.distrust_key(hub.operator(), origin.key_id)
    status = hub.taxii.add(cast.analyst_a, collection_id_of(cast.forum_id), [altered])
    assert status.failures == ()


def test_a_deleted_signed_object_leaves_a_tombstone_signed_by_the_deleting_hub(cast: Cast) -> None:
    hub, op = cast.hub, cast.hub.operator()
    sdo, sco = indicator(), domain()
    hub.taxii.publish(op, cast.forum_id, [sdo, sco], owner_org=cast.org_a)
    collection = collection_id_of(cast.forum_id)
    for obj in (sdo, sco):
        hub.taxii.delete(op, collection, obj["id"])
        [tombstone] = _held(cast, obj["id"])
        assert tombstone.get("revoked") is True or is_deleted(tombstone)
        assert signing.verify(tombstone, hub.signer.trusted_keys()) is Verdict.VERIFIED
