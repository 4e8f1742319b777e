"""Platform identifiers the hub is given: sealed to the member in its review queue, keyed in forums.

The hub may be run by a third party: a member's account and post ids must be unreadable to whoever holds the
database, and to every other member. These tests read the database files themselves.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pytest

from fimihub import Hub, NotFound, PermissionDenied, Settings, Signal, ValidationError, policy
from fimihub.model import Asset, AuditEvent, Match, Organisation
from tests.conftest import Cast
from tests.identifiers import register_identifier_keys

# Ids distinctive enough that finding them in a database file can only mean they were stored in clear.
ACCOUNTS = ("acct-7731550019", "acct-7731550020")
POSTS = ("post-99817731-a", "post-99817731-b")


def _share_signals(cast: Cast) -> None:
    cast.hub.create_many(
        cast.analyst_a,
        Signal,
        [
            {"kind": "domain", "value": "evil-news.example", "forum_id": cast.forum_id},
            {"kind": "hashtag", "value": "#stopthelies", "forum_id": cast.forum_id},
        ],
    )


def _export(path: Path) -> Path:
    rows = [
        {
            "platform": "x",
            "account_id": ACCOUNTS[0],
            "post_id": POSTS[0],
            "urls": "https://evil-news.example/a",
        },
        {"platform": "x", "account_id": ACCOUNTS[1], "post_id": POSTS[1], "hashtags": "StopTheLies"},
        {"platform": "x", "account_id": "acct-benign", "post_id": "post-benign", "text": "hello"},
    ]
    columns = ["platform", "account_id", "post_id", "text", "urls", "hashtags"]
    pacsv.write_csv(pa.table({c: [r.get(c, "") for r in rows] for c in columns}), path)
    return path


def _audit(hub: Hub) -> list[AuditEvent]:
    return hub.audit.events(hub.operator(), limit=1000)


def test_no_account_or_post_id_is_stored_in_clear(tmp_path: Path) -> None:
    """Matches recorded through POST /api/v1/match and through a scan, and an asset shared in a forum: the
    database files (the WAL included) hold none of the platform ids in clear."""
    from fastapi.testclient import TestClient

    from fimihub.app import create_app

    db = tmp_path / "hub.db"
    with Hub.open(Settings(db=str(db))) as hub:
        op = hub.operator("test")
        a = hub.admin.create_organisation(op, name="Platform A", kind="platform", platforms=["x"])
        b = hub.admin.create_organisation(op, name="Platform B", kind="platform", platforms=["x"])
        forum = hub.admin.create_forum(op, name="F", member_orgs=[a.id, b.id], default_tlp="green")
        analyst_a = hub.admin.actor(hub.admin.create_member(op, org_id=a.id, name="a", roles=["analyst"]).id)
        analyst_b = hub.admin.actor(hub.admin.create_member(op, org_id=b.id, name="b", roles=["analyst"]).id)
        keys = register_identifier_keys(hub, a.id, b.id)
        hub.create_many(
            analyst_a,
            Signal,
            [
                {"kind": "domain", "value": "evil-news.example", "forum_id": forum.id},
                {"kind": "hashtag", "value": "#stopthelies", "forum_id": forum.id},
            ],
        )
        # An account of an operation, shared in the forum: its platform id is kept keyed (and sealed).
        asset = hub.create(
            analyst_a,
            Asset,
            {"platform": "x", "kind": "account", "external_id": "acct-asset-5521", "forum_id": forum.id},
        )
        # Through the REST API ...
        token = hub.admin.issue_token(op, analyst_b.member.id).secret
        items = [
            {
                "kind": "url",
                "value": "https://evil-news.example/x",
                "account_id": ACCOUNTS[0],
                "post_id": POSTS[0],
            },
            {"kind": "account_id", "value": ACCOUNTS[1], "platform": "x", "post_id": POSTS[1]},
            {"kind": "hashtag", "value": "#StopTheLies", "platform": "x", "account_id": ACCOUNTS[1]},
        ]
        with TestClient(create_app(hub=hub)) as client:
            answer = client.post(
                "/api/v1/match",
                json={"items": items, "record": True},
                headers={"Authorization": f"Bearer {token}"},
            )
        assert answer.status_code == 200, answer.text
        # ... and through a scan of an export.
        summary = hub.scan(analyst_b, _export(tmp_path / "export.csv"), workers=1)
        assert summary.matches == 2  # both hits stored (the hashtag one held back from the queue)
        queue = hub.list(analyst_b, Match, limit=100).items
        assert len(queue) == 4
        private = keys[b.id].private_key
        opened = {
            (policy.open_sealed(private, m.account_sealed or ""), policy.open_sealed(private, m.post_sealed))
            if m.post_sealed
            else (policy.open_sealed(private, m.account_sealed or ""), None)
            for m in queue
        }
        assert opened == {(ACCOUNTS[0], POSTS[0]), (ACCOUNTS[1], POSTS[1]), (ACCOUNTS[1], None)}
        assert {m.identifier_key_id for m in queue} == {keys[b.id].key_id}
        stored = hub.get(analyst_a, Asset, asset.id)
        assert (
            policy.open_sealed(keys[a.id].private_key, stored.external_id_sealed or "") == "acct-asset-5521"
        )

        _assert_not_in_files(tmp_path, "hub.db*")  # the file and what SQLite keeps beside it (-wal, -shm)
    _assert_not_in_files(tmp_path, "hub.db*")  # and once the WAL is checkpointed into the file on closing


def _assert_not_in_files(folder: Path, pattern: str) -> None:
    files = sorted(folder.glob(pattern))
    assert files
    content = b"".join(f.read_bytes() for f in files)
    assert b"evil-news.example" in content  # the files are readable as they are: the check below means it
    for clear in (*ACCOUNTS, *POSTS, "acct-asset-5521", "acct-benign", "post-benign"):
        assert clear.encode() not in content, f"{clear} is stored in clear in {[f.name for f in files]}"


def test_a_sealed_id_opens_with_the_organisations_key_and_not_another(cast: Cast) -> None:
    _share_signals(cast)
    keys = register_identifier_keys(cast.hub, cast.org_a, cast.org_b)
    cast.hub.match(
        cast.analyst_b,
        [{"kind": "domain", "value": "evil-news.example", "account_id": "1001", "post_id": "9001"}],
        record=True,
    )
    (match,) = cast.hub.list(cast.analyst_b, Match).items
    assert match.identifier_key_id == keys[cast.org_b].key_id and match.platform is None
    assert policy.open_sealed(keys[cast.org_b].private_key, match.account_sealed or "") == "1001"
    assert policy.open_sealed(keys[cast.org_b].private_key, match.post_sealed or "") == "9001"
    for other in (keys[cast.org_a].private_key, policy.new_identifier_key().private_key):
        with pytest.raises(ValidationError):
            policy.open_sealed(other, match.account_sealed or "")
    # Nothing of the clear ids in the record as the API returns it.
    text = match.model_dump_json()
    assert "1001" not in text and "9001" not in text
    # A new key seals what comes next; what was sealed before stays sealed to the old key.
    newer = register_identifier_keys(cast.hub, cast.org_b)[cast.org_b]
    cast.hub.match(
        cast.analyst_b, [{"kind": "domain", "value": "evil-news.example", "post_id": "9002"}], record=True
    )
    latest = [m for m in cast.hub.list(cast.analyst_b, Match).items if m.id != match.id]
    assert [m.identifier_key_id for m in latest] == [newer.key_id]
    assert latest[0].account_sealed is None and policy.open_sealed(
        newer.private_key, latest[0].post_sealed or ""
    )


def test_without_an_identifier_key_nothing_is_written(cast: Cast, tmp_path: Path) -> None:
    _share_signals(cast)
    before = len(_audit(cast.hub))
    items = [{"kind": "domain", "value": "evil-news.example", "account_id": "1001"}]
    with pytest.raises(ValidationError) as exc:
        cast.hub.match(cast.analyst_b, items, record=True)
    assert exc.value.field == "identifier_key"
    assert "fimihub org identifier-key" in exc.value.message and "/identifier-key" in exc.value.message
    out = tmp_path / "matches.csv"
    with pytest.raises(ValidationError) as exc:
        cast.hub.scan(cast.analyst_b, _export(tmp_path / "export.csv"), out=out, workers=1)
    assert exc.value.field == "identifier_key"
    assert not out.exists()
    assert cast.hub.list(cast.analyst_b, Match).items == []
    assert len(_audit(cast.hub)) == before
    # Looking up without recording, or recording items that carry no platform id, needs no key.
    assert cast.hub.match(cast.analyst_b, items)[0].matches
    cast.hub.match(
        cast.analyst_b, [{"kind": "domain", "value": "evil-news.example", "platform": "x"}], record=True
    )
    (match,) = cast.hub.list(cast.analyst_b, Match).items
    assert match.account_sealed is None and match.identifier_key_id is None and match.platform == "x"


def test_who_registers_an_identifier_key(cast: Cast) -> None:
    hub, op = cast.hub, cast.hub.operator("test")
    pair = policy.new_identifier_key()
    admin_b = hub.admin.actor(
        hub.admin.create_member(op, org_id=cast.org_b, name="admin b", roles=["admin"]).id
    )
    with pytest.raises(PermissionDenied):
        hub.identifiers.set_key(cast.analyst_b, cast.org_b, pair.public_key)
    with pytest.raises(PermissionDenied):
        hub.identifiers.set_key(admin_b, cast.org_a, pair.public_key)
    with pytest.raises(ValidationError) as exc:
        hub.identifiers.set_key(admin_b, cast.org_b, "not a key")
    assert exc.value.field == "public_key"
    with pytest.raises(NotFound):
        hub.identifiers.set_key(op, "organisation--nope", pair.public_key)
    org = hub.identifiers.set_key(admin_b, cast.org_b, pair.public_key)
    assert (org.identifier_key, org.identifier_key_id) == (pair.public_key, pair.key_id)
    assert hub.admin.organisation(op, cast.org_b) == org
    # The hub's admins may not swap a key in over the API: their organisation would read what is sealed next.
    with pytest.raises(PermissionDenied):
        hub.identifiers.set_key(cast.admin_o, cast.org_a, policy.new_identifier_key().public_key)
    hub.identifiers.set_key(op, cast.org_a, policy.new_identifier_key().public_key)
    events = [e for e in _audit(hub) if e.action == "identifier_key.set"]
    assert [(e.actor, e.subject_id) for e in events] == [
        (admin_b.member.id, cast.org_b),
        (op.id, cast.org_a),
    ]
    assert events[0].detail["key_id"] == pair.key_id


def test_an_account_id_in_a_forum_is_keyed_for_everyone(cast: Cast) -> None:
    hub = cast.hub
    keys = register_identifier_keys(hub, cast.org_a)
    created = hub.create(
        cast.analyst_a,
        Asset,
        {"platform": "facebook", "kind": "account", "external_id": "100042", "forum_id": cast.forum_id},
    )
    forum_key = hub.keys.forum_key(cast.analyst_b, cast.forum_id)
    keyed = policy.pseudonymise(forum_key.key, "account_id", "facebook:100042")
    seen_by_b = hub.get(cast.analyst_b, Asset, created.id)
    assert seen_by_b.external_id == keyed and seen_by_b.external_id_key_id == forum_key.id
    # The same hash the forum's members compute, and share as account-id signals.
    assert hub.keys.pseudonymise(cast.analyst_b, cast.forum_id, "account_id", ["facebook:100042"]) == [keyed]
    # The owner recovers the clear id with its private key; nobody else can.
    own = hub.get(cast.analyst_a, Asset, created.id)
    assert policy.open_sealed(keys[cast.org_a].private_key, own.external_id_sealed or "") == "100042"
    # Changing something else keeps the keyed id; a new id is keyed (and sealed) again.
    renamed = hub.update(cast.analyst_a, Asset, created.id, {"display_name": "Renamed"})
    assert hub.get(cast.analyst_b, Asset, renamed.id).external_id == keyed
    hub.update(cast.analyst_a, Asset, created.id, {"external_id": "100043"})
    moved = hub.get(cast.analyst_a, Asset, created.id)
    assert moved.external_id == policy.pseudonymise(forum_key.key, "account_id", "facebook:100043")
    assert policy.open_sealed(keys[cast.org_a].private_key, moved.external_id_sealed or "") == "100043"
    # Domains are no personal identifiers.
    domain = hub.create(
        cast.analyst_a,
        Asset,
        {"platform": "web", "kind": "domain", "external_id": "evil-news.example", "forum_id": cast.forum_id},
    )
    assert hub.get(cast.analyst_b, Asset, domain.id).external_id == "evil-news.example"


def test_an_asset_shared_later_is_keyed_and_without_a_key_only_keyed(cast: Cast) -> None:
    hub = cast.hub
    draft = hub.create(
        cast.analyst_b,
        Asset,
        {"platform": "x", "kind": "account", "external_id": "55", "marking": {"tlp": "green"}},
    )
    hub.share(cast.analyst_b, Asset, draft.id, cast.forum_id)
    forum_key = hub.keys.forum_key(cast.analyst_a, cast.forum_id)
    shared = hub.get(cast.analyst_a, Asset, draft.id)
    assert shared.external_id == policy.pseudonymise(forum_key.key, "account_id", "x:55")
    # B registered no identifier key: the hub keeps no copy of the clear id at all.
    assert (
        shared.external_id_sealed is None
        and hub.get(cast.analyst_b, Asset, draft.id).external_id_sealed is None
    )


def test_a_forum_may_share_account_ids_in_clear(cast: Cast) -> None:
    hub, op = cast.hub, cast.hub.operator("test")
    forum = hub.admin.create_forum(
        op, name="Open", member_orgs=[cast.org_a, cast.org_b], clear_account_ids=True
    )
    assert forum.clear_account_ids and not hub.admin.forum(op, cast.forum_id).clear_account_ids
    # Actors made now know of the new forum.
    analyst_a, analyst_b = (
        hub.admin.actor(cast.analyst_a.member.id),
        hub.admin.actor(cast.analyst_b.member.id),
    )
    asset = hub.create(
        analyst_a, Asset, {"platform": "x", "kind": "account", "external_id": "777", "forum_id": forum.id}
    )
    assert hub.get(analyst_b, Asset, asset.id).external_id == "777"


def test_organisations_show_their_public_key_only(cast: Cast) -> None:
    pair = register_identifier_keys(cast.hub, cast.org_b)[cast.org_b]
    orgs = {o.id: o for o in cast.hub.admin.organisations(cast.analyst_a)}
    assert isinstance(orgs[cast.org_b], Organisation)
    assert orgs[cast.org_b].identifier_key == pair.public_key
    assert pair.private_key not in orgs[cast.org_b].model_dump_json()
