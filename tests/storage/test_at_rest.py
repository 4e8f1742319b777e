"""Secrets and account ids sealed at rest: a copy of the database files gives none of them away.

These tests read the SQLite files themselves (the WAL included), and open stores with the wrong key file,
none, or one that was lost.
"""

from __future__ import annotations

import os
import sqlite3
import stat
from pathlib import Path

import pytest

from fimihub import Hub, Settings, StoreError
from fimihub.exchange.peers import Credentials, Peer
from fimihub.model import Asset, ForumKey
from fimihub.storage import open_store
from fimihub.storage.sql.store import SqlStore
from fimihub.storage.vault import Vault, is_sealed

PRIVATE_ACCOUNT = "acct-private-88120431"
PEER_TOKEN = "peer-token-5b1e0c9d7f"


def _files(folder: Path) -> bytes:
    files = sorted(folder.glob("hub.db*"))
    return b"".join(f.read_bytes() for f in files if not f.name.endswith(".key"))


def _populate(hub: Hub) -> tuple[str, str, list[str]]:
    """A forum (with its key), a private asset naming an account, and a peer with a token; returns the
    asset's id, the hub's signing key (hex) and the forum keys' secrets."""
    op = hub.operator("test")
    org = hub.admin.create_organisation(op, name="Platform A", kind="platform", platforms=["x"])
    forum = hub.admin.create_forum(op, name="F", member_orgs=[org.id], default_tlp="green")
    analyst = hub.admin.actor(hub.admin.create_member(op, org_id=org.id, name="a", roles=["analyst"]).id)
    asset = hub.create(analyst, Asset, {"platform": "x", "kind": "account", "external_id": PRIVATE_ACCOUNT})
    peer = Peer.build(
        "peer-b",
        "https://hub-b.example/taxii2/api/",
        [f"remote-1={forum.id}"],
        owner_org=org.id,
        credentials=Credentials(scheme="bearer", secret=PEER_TOKEN),
    )
    hub.peers.add(op, peer)
    with hub.store.unit_of_work(read_only=True) as uow:
        signing = uow.peers.signing_key().hex()
        secrets = [k.secret for k in uow.find(ForumKey, where={"forum_id": forum.id})]
    assert secrets
    return asset.id, signing, secrets


def test_secrets_and_account_ids_are_sealed_in_the_files(tmp_path: Path) -> None:
    db = tmp_path / "hub.db"
    with Hub.open(Settings(db=str(db))) as hub:
        asset_id, signing, secrets = _populate(hub)
        # The hub reads them back in clear: the owner sees its asset's id, the peer its token.
        owner = next(m for m in hub.admin.members(hub.operator("test")) if m.name == "a")
        assert hub.get(hub.admin.actor(owner.id), Asset, asset_id).external_id == PRIVATE_ACCOUNT
        assert hub.peers.get(hub.operator("test"), "peer-b").credentials.secret == PEER_TOKEN
        content = _files(tmp_path)
        assert b"Platform A" in content  # the files are readable as they are: the checks below mean it
        for clear in (PRIVATE_ACCOUNT, PEER_TOKEN, signing, *secrets):
            assert clear.encode() not in content, f"{clear[:12]}… is in clear in the database files"
    content = _files(tmp_path)  # once the WAL is checkpointed into the file on closing
    for clear in (PRIVATE_ACCOUNT, PEER_TOKEN, signing, *secrets):
        assert clear.encode() not in content
    key_file = tmp_path / "hub.db.key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600


def test_the_wrong_key_file_is_refused_by_name(tmp_path: Path) -> None:
    db = tmp_path / "hub.db"
    with Hub.open(Settings(db=str(db))) as hub:
        _populate(hub)
    other = tmp_path / "other.key"
    other.write_text(os.urandom(32).hex())
    with pytest.raises(StoreError, match=r"sealed with at-rest key .* holds key"):
        Hub.open(Settings(db=str(db), key_file=str(other)))


def test_a_lost_key_file_is_not_replaced_by_a_new_one(tmp_path: Path) -> None:
    db = tmp_path / "hub.db"
    with Hub.open(Settings(db=str(db))) as hub:
        _populate(hub)
    key_file = tmp_path / "hub.db.key"
    kept = key_file.read_bytes()
    key_file.unlink()
    with pytest.raises(StoreError, match=r"key file .*hub\.db\.key is\s+missing"):
        Hub.open(Settings(db=str(db)))
    assert not key_file.exists()  # nothing was created that would shadow the real key once restored
    key_file.write_bytes(kept)
    with Hub.open(Settings(db=str(db))) as hub:
        assert hub.peers.get(hub.operator("test"), "peer-b").credentials.secret == PEER_TOKEN


def test_a_store_written_in_clear_is_sealed_on_its_next_upgrade(tmp_path: Path) -> None:
    db = tmp_path / "hub.db"
    # A store as an earlier version wrote it: no at-rest key.
    clear_store = SqlStore(f"sqlite:///{db}")
    clear_store.upgrade()
    with Hub(clear_store, Settings(db=str(db))) as hub:
        asset_id, signing, secrets = _populate(hub)
    assert PRIVATE_ACCOUNT.encode() in _files(tmp_path)
    with Hub.open(Settings(db=str(db))) as hub:
        owner = next(m for m in hub.admin.members(hub.operator("test")) if m.name == "a")
        assert hub.get(hub.admin.actor(owner.id), Asset, asset_id).external_id == PRIVATE_ACCOUNT
        with hub.store.unit_of_work(read_only=True) as uow:
            assert uow.peers.signing_key().hex() == signing  # the same key, sealed: signatures still verify
        assert hub.peers.get(hub.operator("test"), "peer-b").credentials.secret == PEER_TOKEN
    # VACUUM drops the free pages where SQLite may keep old row images; what is live holds no clear value.
    vacuum = sqlite3.connect(db, isolation_level=None)
    vacuum.execute("VACUUM")
    vacuum.close()
    content = _files(tmp_path)
    for clear in (PRIVATE_ACCOUNT, PEER_TOKEN, signing, *secrets):
        assert clear.encode() not in content


def test_opening_sealed_values_without_the_key_says_so(tmp_path: Path) -> None:
    db = tmp_path / "hub.db"
    with Hub.open(Settings(db=str(db))) as hub:
        asset_id, _, _ = _populate(hub)
    bare = SqlStore(f"sqlite:///{db}")
    with pytest.raises(StoreError, match="without its at-rest key"), bare.unit_of_work() as uow:
        uow.get(Asset, asset_id)
    bare.close()


def test_a_domain_asset_stays_readable_and_an_in_memory_store_seals_too() -> None:
    store = open_store(":memory:")
    vault = store.vault  # type: ignore[attr-defined]
    assert isinstance(vault, Vault)
    with Hub(store, Settings(db=":memory:")) as hub:
        op = hub.operator("test")
        org = hub.admin.create_organisation(op, name="A", kind="platform", platforms=["x"])
        analyst = hub.admin.actor(hub.admin.create_member(op, org_id=org.id, name="a", roles=["analyst"]).id)
        site = hub.create(
            analyst, Asset, {"platform": "web", "kind": "domain", "external_id": "news.example"}
        )
        account = hub.create(analyst, Asset, {"platform": "x", "kind": "account", "external_id": "42"})
        with hub.store.unit_of_work(read_only=True) as uow:
            raw = dict(
                uow._conn.exec_driver_sql("SELECT id, json_extract(body, '$.external_id') FROM assets").all()  # type: ignore[attr-defined]
            )
    assert raw[site.id] == "news.example"  # a domain is no personal identifier
    assert is_sealed(raw[account.id])


def test_the_vault_refuses_altered_and_foreign_values() -> None:
    one, two = Vault.generate(), Vault.generate()
    sealed = one.seal("secret value")
    assert one.open(sealed) == "secret value"
    assert one.open("written in clear") == "written in clear"
    with pytest.raises(StoreError, match=f"sealed with at-rest key {one.key_id}"):
        two.open(sealed)
    tampered = sealed[:-6] + ("AAAAAA" if not sealed.endswith("AAAAAA") else "BBBBBB")
    with pytest.raises(StoreError, match="altered"):
        one.open(tampered)
    assert "secret" not in repr(one) and one.key_id in repr(one)


def test_a_key_file_that_holds_no_key_is_named(tmp_path: Path) -> None:
    bad = tmp_path / "bad.key"
    bad.write_text("not a key\n")
    with pytest.raises(StoreError, match=r"bad\.key does not hold a key"):
        Vault.from_file(bad)


def test_an_organisations_review_key_is_sealed_too(tmp_path: Path) -> None:
    from datetime import UTC, datetime

    from fimihub.model import ReviewKey

    db = tmp_path / "hub.db"
    secret = os.urandom(32).hex()
    with Hub.open(Settings(db=str(db))) as hub:
        with hub.store.unit_of_work() as uow:
            uow.insert(ReviewKey(id="organisation--x", secret=secret, created_at=datetime.now(UTC)))
        with hub.store.unit_of_work(read_only=True) as uow:
            assert uow.get(ReviewKey, "organisation--x").secret == secret  # type: ignore[union-attr]
        assert secret.encode() not in _files(tmp_path)
