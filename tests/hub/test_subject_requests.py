"""Data-subject requests (GDPR Art. 15-17): find, export, rectify and erase what the hub holds about one
identifier, its keyed forms under every forum key included; erasure reaches TAXII pollers and peers."""

from __future__ import annotations

import json
import sqlite3
import uuid
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from fimihub import Hub, NotFound, PermissionDenied, Settings, Signal, ValidationError, policy
from fimihub.exchange.stix import signing
from fimihub.hub.keys import account_value
from fimihub.hub.taxii import StixFilters, collection_id_of
from fimihub.model import Asset, Case, ForumKey, Governed, Lead, Match, Operation, Scope
from tests.conftest import Cast
from tests.identifiers import register_identifier_keys

ACCOUNT = "7731550042"  # distinctive: found in a database file, it can only be this account's id
SUBJECT = {"kind": "account_id", "platform": "x", "value": ACCOUNT}
REF = "DSR-2026-17"


@dataclass
class World:
    """The identifier in a signal (keyed, in the forum), a signal keyed with a retired key, an asset, a
    match, a lead and a posted STIX object; and records that do not concern it."""

    keyed: str
    retired_keyed: str
    related: dict[str, set[str]]
    unrelated: dict[str, set[str]]
    posted_id: str
    signal_id: str
    asset_id: str


def _world(cast: Cast) -> World:
    hub, op, a, b = cast.hub, cast.hub.operator("test"), cast.analyst_a, cast.analyst_b
    register_identifier_keys(hub, cast.org_a, cast.org_b)
    key = hub.keys.forum_key(op, cast.forum_id)
    keyed = policy.pseudonymise(key.key, "account_id", account_value("x", ACCOUNT))
    # A key the forum used before: what was keyed with it is still the subject's.
    old = policy.new_key()
    with hub.store.unit_of_work() as uow:
        created = hub.clock() - timedelta(days=30)
        uow.insert(
            ForumKey(
                id=policy.key_id(old),
                forum_id=cast.forum_id,
                secret=old.hex(),
                created_at=created,
                retired_at=created + timedelta(days=1),
            )
        )
    retired_keyed = policy.pseudonymise(old, "account_id", account_value("x", ACCOUNT))
    other = policy.pseudonymise(key.key, "account_id", account_value("x", "7731550043"))

    signal = hub.create(a, Signal, {"kind": "account_id", "value": keyed, "forum_id": cast.forum_id})
    old_signal = hub.create(
        a, Signal, {"kind": "account_id", "value": retired_keyed, "forum_id": cast.forum_id}
    )
    asset = hub.create(
        a,
        Asset,
        {
            "platform": "x",
            "kind": "account",
            "external_id": ACCOUNT,
            "handle": "@Night_Owl_77",
            "forum_id": cast.forum_id,
        },
    )
    lead = hub.create(
        cast.partner_c, Lead, {"title": "Tip", "description": f"Account {ACCOUNT} on X posts hourly"}
    )
    hub.match(b, [{"kind": "account_id", "value": ACCOUNT, "platform": "x", "post_id": "p-1"}], record=True)
    (match,) = hub.list(b, Match).items

    # Unrelated: another account, the same number on another platform, a number that only contains it.
    unrelated_signal = hub.create(
        a, Signal, {"kind": "account_id", "value": other, "forum_id": cast.forum_id}
    )
    domain = hub.create(
        a, Signal, {"kind": "domain", "value": "unrelated-news.example", "forum_id": cast.forum_id}
    )
    elsewhere = hub.create(a, Asset, {"platform": "facebook", "kind": "account", "external_id": ACCOUNT})
    lookalike = hub.create(
        cast.partner_c, Lead, {"title": "Other", "description": f"Account 1{ACCOUNT}0 elsewhere"}
    )
    hub.match(b, [{"kind": "domain", "value": "unrelated-news.example"}], record=True)
    (other_match,) = [m for m in hub.list(b, Match).items if m.id != match.id]

    # A member's own STIX post naming the account in clear, and one that does not.
    posted = f"indicator--{uuid.uuid4()}"
    objects = [
        _indicator(posted, f"[user-account:account_type = 'twitter' AND user-account:user_id = '{ACCOUNT}']"),
        _indicator(f"indicator--{uuid.uuid4()}", "[mac-addr:value = '00:00:5e:00:53:07']"),
    ]
    status = hub.taxii.add(b, collection_id_of(cast.forum_id), objects)
    assert status.failures == ()
    return World(
        keyed=keyed,
        retired_keyed=retired_keyed,
        related={
            "signals": {signal.id, old_signal.id},
            "assets": {asset.id},
            "leads": {lead.id},
            "matches": {match.id},
        },
        unrelated={
            "signals": {unrelated_signal.id, domain.id},
            "assets": {elsewhere.id},
            "leads": {lookalike.id},
            "matches": {other_match.id},
        },
        posted_id=posted,
        signal_id=signal.id,
        asset_id=asset.id,
    )


def _indicator(stix_id: str, pattern: str) -> dict[str, Any]:
    return {
        "type": "indicator",
        "spec_version": "2.1",
        "id": stix_id,
        "created": "2026-01-05T10:00:00.000Z",
        "modified": "2026-01-05T10:00:00.000Z",
        "name": "posted by a member",
        "pattern": pattern,
        "pattern_type": "stix",
        "valid_from": "2026-01-05T10:00:00Z",
    }


def _found_ids(found: dict[str, Any]) -> dict[str, set[str]]:
    return {kind: {r["id"] for r in items} for kind, items in found["records"].items()}


def _collection(hub: Hub, forum_id: str, **filters: Any) -> list[dict[str, Any]]:
    page = hub.taxii.objects(hub.operator(), collection_id_of(forum_id), StixFilters(limit=1000, **filters))
    return [e.body for e in page.entries]


def test_find_returns_exactly_the_records_that_concern_the_identifier(cast: Cast) -> None:
    world = _world(cast)
    found = cast.hub.subjects.find(cast.admin_o, SUBJECT, request_ref=REF).to_json()
    assert _found_ids(found) == world.related
    stix = {(s["type"], s["owner_org"]) for s in found["stix_objects"]}
    # The hub's indicators of both signals, the asset's account observable, and the member's post.
    assert {s["stix_id"] for s in found["stix_objects"]} >= {
        world.posted_id,
        f"indicator--{world.signal_id[8:]}",
    }
    assert stix == {("indicator", cast.org_a), ("user-account", cast.org_a), ("indicator", cast.org_b)}
    assert len(found["stix_objects"]) == 4
    assert found["held"] == [] and found["counts"]["stix_objects"] == 4
    # The answer names the subject by digest only.
    assert ACCOUNT not in json.dumps(found) and world.keyed not in json.dumps(found)
    # The handle and the bare "x:id" form find the same account's records too.
    by_handle = cast.hub.subjects.find(
        cast.admin_o, {"kind": "handle", "value": "x:night_owl_77"}, request_ref=REF
    ).to_json()
    assert _found_ids(by_handle) == {"assets": world.related["assets"]}
    same = cast.hub.subjects.find(
        cast.hub.operator(), {"kind": "account_id", "value": f"x:{ACCOUNT}"}, request_ref=REF
    ).to_json()
    assert _found_ids(same) == world.related


def test_the_export_round_trips_as_json_with_records_in_their_api_form(cast: Cast) -> None:
    world = _world(cast)
    document = cast.hub.subjects.export(cast.admin_o, SUBJECT, request_ref=REF)
    assert json.loads(json.dumps(document)) == document
    assert document["request_ref"] == REF and document["subject"]["value"] == ACCOUNT
    kinds: dict[str, type[Governed]] = {"signals": Signal, "assets": Asset, "leads": Lead, "matches": Match}
    for name, kind in kinds.items():
        for item in document["records"][name]:
            body = {k: v for k, v in item.items() if k != "held_by"}
            stored = cast.hub.get(cast.hub.operator(), kind, item["id"])
            assert kind.model_validate(body) == stored
            assert body == stored.model_dump(mode="json")
    assert {r["id"] for r in document["records"]["signals"]} == world.related["signals"]
    keyed = {(k["value"], k["retired"]) for k in document["keyed_forms"]}
    assert keyed == {(world.keyed, False), (world.retired_keyed, True)}
    (post,) = [s for s in document["stix_objects"] if s["stix_id"] == world.posted_id]
    assert ACCOUNT in post["versions"][0]["object"]["pattern"]


def test_erasure_is_a_dry_run_until_asked_then_removes_what_was_found(cast: Cast) -> None:
    hub = cast.hub
    world = _world(cast)
    dry = hub.subjects.erase(cast.admin_o, SUBJECT, request_ref=REF)
    assert dry.dry_run and {k: set(v) for k, v in dry.erased.items()} == world.related
    assert set(dry.revoked) == world.related["signals"]
    assert {s["stix_id"] for s in dry.stix_objects} >= {world.posted_id}
    assert hub.get(hub.operator(), Signal, world.signal_id)  # nothing changed
    assert hub.match(cast.analyst_b, [SUBJECT])[0].matches

    report = hub.subjects.erase(cast.admin_o, SUBJECT, request_ref=REF, dry_run=False)
    assert not report.dry_run and report.erased == dry.erased and report.held == []
    assert {s["stix_id"] for s in report.stix_objects} == {s["stix_id"] for s in dry.stix_objects}
    assert all(s["tombstone"] for s in report.stix_objects)
    kinds: dict[str, type[Governed]] = {"signals": Signal, "assets": Asset, "leads": Lead, "matches": Match}
    for name, ids in world.related.items():
        for record_id in ids:
            with pytest.raises(NotFound):
                hub.get(hub.operator(), kinds[name], record_id)
    for name, ids in world.unrelated.items():
        for record_id in ids:
            assert hub.get(hub.operator(), kinds[name], record_id).id == record_id
    # Nothing is left to find, and the signal no longer matches.
    again = hub.subjects.find(hub.operator(), SUBJECT, request_ref=REF)
    assert again.records == () and again.stix == ()
    assert hub.match(cast.analyst_b, [SUBJECT])[0].matches == []
    # Nothing in any collection holds the identifier or its keyed forms any more.
    text = json.dumps(_collection(hub, cast.forum_id, versions=("all",)))
    for form in (ACCOUNT, world.keyed, world.retired_keyed, "Night_Owl_77"):
        assert form not in text


def test_a_taxii_poller_is_told_the_signal_was_revoked_without_the_identifier(cast: Cast) -> None:
    hub = cast.hub
    world = _world(cast)
    collection = collection_id_of(cast.forum_id)
    seen = hub.taxii.objects(cast.analyst_b, collection, StixFilters(limit=1000))
    indicator = f"indicator--{world.signal_id.removeprefix('signal--')}"
    assert indicator in {e.stix_id for e in seen.entries}
    hub.subjects.erase(hub.operator(), SUBJECT, request_ref=REF, dry_run=False)

    news = hub.taxii.objects(
        cast.analyst_b, collection, StixFilters(added_after=seen.date_added_last, limit=1000)
    )
    bodies = {e.stix_id: e.body for e in news.entries}
    revoked = bodies[indicator]
    assert revoked["revoked"] is True and revoked["modified"] > "2026"
    assert bodies[world.posted_id]["revoked"] is True
    assert all(e.tombstone for e in news.entries if e.stix_id in (indicator, world.posted_id))
    text = json.dumps(list(bodies.values()))
    assert ACCOUNT not in text and world.keyed not in text and world.retired_keyed not in text
    # The hub vouches for what it redacted: the tombstone is signed with its key.
    own = hub.signer.hub_key()
    assert (
        signing.verify(revoked, {own.key_id: signing.decode_key(own.public_key)}) is signing.Verdict.VERIFIED
    )


def test_a_peer_that_received_the_signal_revokes_its_copy(cast: Cast, tmp_path: Path) -> None:
    hub = cast.hub
    world = _world(cast)
    collection = collection_id_of(cast.forum_id)
    before = hub.taxii.objects(hub.operator(), collection, StixFilters(limit=1000))
    with Hub.open(Settings(db=str(tmp_path / "peer.db"))) as peer:
        op = peer.operator("sync")
        org = peer.admin.create_organisation(op, name="Hub of A", kind="platform")
        forum = peer.admin.create_forum(op, name="Mirror", member_orgs=[org.id], default_tlp="green")
        # What a pull stores: the objects as the collection holds them, owned by the peer's organisation.
        peer.taxii.add(op, collection_id_of(forum.id), [e.body for e in before.entries], owner_org=org.id)
        mirrored = peer.get(op, Signal, world.signal_id)
        assert mirrored.value == world.keyed and not mirrored.revoked

        hub.subjects.erase(hub.operator(), SUBJECT, request_ref=REF, dry_run=False)
        after = hub.taxii.objects(hub.operator(), collection, StixFilters(added_after=before.date_added_last))
        peer.taxii.add(op, collection_id_of(forum.id), [e.body for e in after.entries], owner_org=org.id)
        revoked = peer.get(op, Signal, world.signal_id)
        assert revoked.revoked and revoked.value != world.keyed
        assert peer.match(op, [{"kind": "account_id", "value": world.keyed}])[0].matches == []


def test_a_legal_hold_keeps_its_records_and_the_report_says_so(cast: Cast) -> None:
    hub, a = cast.hub, cast.analyst_a
    world = _world(cast)
    inquiry = hub.create(a, Operation, {"name": "Under inquiry", "forum_id": cast.forum_id})
    hub.update(a, Signal, world.signal_id, {"operation_id": inquiry.id})
    case = hub.create(
        a,
        Case,
        {
            "title": "Inquiry",
            "operation_ids": [inquiry.id],
            "legal_hold": True,
            "legal_hold_reason": "preservation order 2026/17",
        },
    )
    report = hub.subjects.erase(hub.operator(), SUBJECT, request_ref=REF, dry_run=False)
    held = {h["id"]: h["held_by"] for h in report.held}
    indicator = f"indicator--{world.signal_id.removeprefix('signal--')}"
    assert held == {world.signal_id: [case.id], indicator: [case.id]}
    assert world.signal_id not in report.erased["signals"] and world.signal_id not in report.revoked
    kept = hub.get(hub.operator(), Signal, world.signal_id)
    assert kept.value == world.keyed and not kept.revoked
    bodies = {b["id"]: b for b in _collection(hub, cast.forum_id)}
    assert not bodies[indicator].get("revoked")
    # Everything else went.
    with pytest.raises(NotFound):
        hub.get(hub.operator(), Asset, world.asset_id)
    found = hub.subjects.find(hub.operator(), SUBJECT, request_ref=REF)
    assert {r.record.id for r in found.records} == {world.signal_id}
    assert [r.held_by for r in found.records] == [(case.id,)]
    (event,) = [e for e in hub.audit.events(hub.operator(), limit=1000) if e.action == "subject.erase"]
    assert world.signal_id in event.detail["held"]


def test_keep_spares_what_was_found_by_mistake_and_its_published_form(cast: Cast) -> None:
    world = _world(cast)
    (lead,) = world.related["leads"]
    (old_signal,) = world.related["signals"] - {world.signal_id}
    keep = [lead, old_signal]
    report = cast.hub.subjects.erase(cast.admin_o, SUBJECT, request_ref=REF, dry_run=False, keep=keep)
    assert report.kept == sorted(keep) and "leads" not in report.erased
    assert report.erased["signals"] == [world.signal_id] and report.revoked == [world.signal_id]
    assert cast.hub.get(cast.hub.operator(), Lead, lead).id == lead
    assert not cast.hub.get(cast.hub.operator(), Signal, old_signal).revoked
    with pytest.raises(NotFound):
        cast.hub.get(cast.hub.operator(), Signal, world.signal_id)
    # The kept signal's indicator stays published as it was; the erased one's is a tombstone.
    bodies = {b["id"]: b for b in _collection(cast.hub, cast.forum_id)}
    kept_indicator = bodies[f"indicator--{old_signal.removeprefix('signal--')}"]
    assert world.retired_keyed in kept_indicator["pattern"] and not kept_indicator.get("revoked")
    assert bodies[f"indicator--{world.signal_id.removeprefix('signal--')}"]["revoked"] is True


def test_only_the_controller_handles_a_request(cast: Cast) -> None:
    hub, op = cast.hub, cast.hub.operator("test")
    _world(cast)
    admin_a = hub.admin.actor(
        hub.admin.create_member(op, org_id=cast.org_a, name="admin a", roles=["admin"]).id
    )
    read_only_admin = hub.admin.actor(cast.admin_o.member.id, scopes=[Scope.READ])
    for who in (cast.analyst_a, cast.reader_a, cast.partner_c, cast.analyst_d, admin_a, read_only_admin):
        with pytest.raises(PermissionDenied):
            hub.subjects.find(who, SUBJECT, request_ref=REF)
        with pytest.raises(PermissionDenied):
            hub.subjects.export(who, SUBJECT, request_ref=REF)
        with pytest.raises(PermissionDenied):
            hub.subjects.erase(who, SUBJECT, request_ref=REF, dry_run=False)
        with pytest.raises(PermissionDenied):
            hub.subjects.rectify(who, "lead--x", {"title": "x"}, request_ref=REF)
    assert hub.subjects.find(hub.operator(), SUBJECT, request_ref=REF).records
    assert hub.subjects.find(cast.admin_o, SUBJECT, request_ref=REF).records


def test_the_audit_log_has_the_reference_and_never_the_identifier(cast: Cast) -> None:
    hub = cast.hub
    world = _world(cast)
    hub.subjects.find(cast.admin_o, SUBJECT, request_ref=REF)
    hub.subjects.export(cast.admin_o, SUBJECT, request_ref="DSR-2026-18")
    hub.subjects.erase(cast.admin_o, SUBJECT, request_ref="DSR-2026-19", dry_run=False)
    events = hub.audit.events(hub.operator(), limit=1000)
    requests = [e for e in events if e.action.startswith("subject.")]
    assert [(e.action, e.detail["request_ref"]) for e in requests] == [
        ("subject.find", REF),
        ("subject.export", "DSR-2026-18"),
        ("subject.erase", "DSR-2026-19"),
    ]
    assert all(e.actor == cast.admin_o.member.id for e in requests)
    digests = {e.subject_id for e in requests}
    assert len(digests) == 1 and (digests.pop() or "").startswith("ds-")  # one subject, named alike each time
    text = json.dumps([e.model_dump(mode="json") for e in events])
    for form in (ACCOUNT, world.keyed, world.retired_keyed):
        assert form not in text
    erase = requests[-1].detail
    assert set(erase["erased"]["signals"]) == world.related["signals"] and erase["dry_run"] is False
    assert hub.audit.verify().ok


def test_rectification_goes_through_the_update_rules(cast: Cast) -> None:
    hub, op = cast.hub, cast.hub.operator("test")
    world = _world(cast)
    fixed = hub.subjects.rectify(op, world.asset_id, {"handle": "night_owl_78"}, request_ref=REF)
    assert isinstance(fixed, Asset) and fixed.handle == "night_owl_78"
    (event,) = [e for e in hub.audit.events(op, limit=1000) if e.action == "subject.rectify"]
    assert event.subject_id == world.asset_id and event.detail == {"request_ref": REF, "fields": ["handle"]}
    with pytest.raises(PermissionDenied):  # markings only tighten, whoever asks
        hub.subjects.rectify(op, world.asset_id, {"marking": {"tlp": "clear"}}, request_ref=REF)
    with pytest.raises(NotFound):  # a hub admin is not the owner organisation: it may not even read it
        hub.subjects.rectify(cast.admin_o, world.signal_id, {"confidence": 10}, request_ref=REF)
    with pytest.raises(ValidationError):
        hub.subjects.rectify(op, "not-a-record", {"title": "x"}, request_ref=REF)


def test_e_mail_addresses_handles_and_domains(cast: Cast) -> None:
    hub, a = cast.hub, cast.analyst_a
    key = hub.keys.forum_key(hub.operator(), cast.forum_id)
    mail = hub.create(
        a,
        Signal,
        {
            "kind": "email",
            "value": policy.pseudonymise(key.key, "email", "Owl@Mail.example"),
            "forum_id": cast.forum_id,
        },
    )
    lead = hub.create(a, Lead, {"title": "Tip", "description": "write to owl@mail.example for more"})
    hub.create(a, Lead, {"title": "Tip", "description": "write to nightowl@mail.example for more"})
    found = hub.subjects.find(hub.operator(), {"kind": "email", "value": "OWL@mail.example"}, request_ref=REF)
    assert {r.record.id for r in found.records} == {mail.id, lead.id}

    handle = hub.create(a, Signal, {"kind": "handle", "value": "x:@Owl_Watch", "forum_id": cast.forum_id})
    asset = hub.create(a, Asset, {"platform": "x", "kind": "account", "handle": "owl_watch"})
    hub.create(a, Asset, {"platform": "telegram", "kind": "channel", "handle": "owl_watch"})
    hub.create(a, Asset, {"platform": "x", "kind": "account", "handle": "owl_watcher"})
    found = hub.subjects.find(
        hub.operator(), {"kind": "handle", "platform": "x", "value": "@OWL_WATCH"}, request_ref=REF
    )
    assert {r.record.id for r in found.records} == {handle.id, asset.id}

    domain = hub.create(a, Signal, {"kind": "domain", "value": "owl-news.example", "forum_id": cast.forum_id})
    page = hub.create(
        a, Signal, {"kind": "url", "value": "https://owl-news.example/about", "forum_id": cast.forum_id}
    )
    hub.create(a, Signal, {"kind": "domain", "value": "owl-news.example.org", "forum_id": cast.forum_id})
    hub.create(a, Signal, {"kind": "domain", "value": "not-owl-news.example", "forum_id": cast.forum_id})
    found = hub.subjects.find(
        hub.operator(), {"kind": "domain", "value": "www.owl-news.example"}, request_ref=REF
    )
    assert {r.record.id for r in found.records} == {domain.id, page.id}


@pytest.mark.parametrize(
    ("subject", "field"),
    [
        ({"kind": "account_id", "value": ACCOUNT}, "platform"),
        ({"kind": "handle", "value": "owl"}, "platform"),
        ({"kind": "passport", "value": "X123"}, "kind"),
        ({"kind": "email", "value": ""}, "value"),
        ({"kind": "account_id", "platform": "x", "value": "42"}, "value"),
        ({"kind": "url", "value": "https://a.example", "extra": 1}, "extra"),
    ],
)
def test_a_malformed_subject_is_refused_by_name(cast: Cast, subject: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as exc:
        cast.hub.subjects.find(cast.admin_o, subject, request_ref=REF)
    assert exc.value.field == field
    with pytest.raises(ValidationError) as exc:
        cast.hub.subjects.find(cast.admin_o, SUBJECT, request_ref=" ")
    assert exc.value.field == "request_ref"


def test_the_sqlite_file_no_longer_holds_the_keyed_hash(tmp_path: Path) -> None:
    """Erasure deletes rows; SQLite keeps deleted bytes in free pages until VACUUM (docs/privacy.md). After
    a VACUUM, no page of the file holds the identifier or its keyed hash: not a record, not a tombstone,
    not the audit log."""
    db = tmp_path / "hub.db"
    with Hub.open(Settings(db=str(db))) as hub:
        op = hub.operator("test")
        a = hub.admin.create_organisation(op, name="Platform A", kind="platform", platforms=["x"])
        forum = hub.admin.create_forum(op, name="F", member_orgs=[a.id], default_tlp="green")
        analyst = hub.admin.actor(hub.admin.create_member(op, org_id=a.id, name="a", roles=["analyst"]).id)
        register_identifier_keys(hub, a.id)
        keyed = policy.pseudonymise(hub.keys.forum_key(op, forum.id).key, "account_id", f"x:{ACCOUNT}")
        hub.create(analyst, Signal, {"kind": "account_id", "value": keyed, "forum_id": forum.id})
        hub.create(
            analyst, Asset, {"platform": "x", "kind": "account", "external_id": ACCOUNT, "forum_id": forum.id}
        )
        hub.create(analyst, Lead, {"title": "Tip", "description": f"x account {ACCOUNT}"})
        hub.create(analyst, Signal, {"kind": "domain", "value": "still-here.example", "forum_id": forum.id})
        _vacuum(db)
        assert keyed.encode() in _files(tmp_path) and ACCOUNT.encode() in _files(tmp_path)
        hub.subjects.erase(op, SUBJECT, request_ref=REF, dry_run=False)
    _vacuum(db)
    content = _files(tmp_path)
    assert b"still-here.example" in content  # the file is readable as it is: the checks below mean it
    assert keyed.encode() not in content and ACCOUNT.encode() not in content


def _vacuum(db: Path) -> None:
    conn = sqlite3.connect(db)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.execute("VACUUM")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()


def _files(folder: Path) -> bytes:
    return b"".join(f.read_bytes() for f in sorted(folder.glob("hub.db*")))
