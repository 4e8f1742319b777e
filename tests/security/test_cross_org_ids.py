"""Ids of another organisation lead nowhere: its review queue, its matches, the collections of its forums."""

from __future__ import annotations

import base64
import uuid

from nacl.public import PrivateKey

from tests.security.conftest import ORGS, TAXII, World, same_shape, unknown_id


def _queue(world: World, headers: dict[str, str], **params: str) -> list[dict[str, object]]:
    items: list[dict[str, object]] = []
    after: str | None = None
    while True:
        query = {"limit": "1", **params, **({"after": after} if after else {})}
        answer = world.client.get("/api/v1/matches", params=query, headers=headers)
        assert answer.status_code == 200, answer.text
        page = answer.json()
        items.extend(page["items"])
        after = page["next"]
        if after is None:
            return items


def test_matches_stay_with_the_organisation_that_made_them(world: World) -> None:
    world.create(
        "A.analyst", "signals", "everyone", tlp="clear", forum="F1", fields={"value": "everyone.example"}
    )
    mine: dict[str, set[str]] = {}
    for org in ORGS:
        analyst = world.members[f"{org}.analyst"]
        items = [
            {"kind": "domain", "value": "everyone.example"},
            {"kind": "url", "value": "https://everyone.example/a"},
        ]
        answer = world.client.post(
            "/api/v1/match", json={"items": items, "record": True}, headers=analyst.headers
        )
        assert answer.status_code == 200, answer.text
        queue = _queue(world, analyst.headers)
        mine[org] = {str(m["id"]) for m in queue}
        assert len(mine[org]) == 2 and {m["owner_org"] for m in queue} == {world.org_ids[org]}
    probers = [m for m in world.member_list() if m.org == "B"] + [
        world.members[k] for k in ("A.analyst", "C.partner-reporter", "D.reader", "O.admin")
    ]
    for member in probers:
        own = mine.get(member.org, set())
        # The queue is the member's organisation's, whatever the query names.
        assert {str(m["id"]) for m in _queue(world, member.headers)} == own, member.key
        other = world.org_ids["A" if member.org != "A" else "B"]
        assert {str(m["id"]) for m in _queue(world, member.headers, owner_org=other)} == own, member.key
        uid = unknown_id("matches")
        unknown_get = world.client.get(f"/api/v1/matches/{uid}", headers=member.headers)
        review = {"status": "rejected"}
        unknown_review = world.client.post(
            f"/api/v1/matches/{uid}/review", json=review, headers=member.headers
        )
        for org, ids in mine.items():
            if org == member.org:
                continue
            for match_id in ids:
                got = world.client.get(f"/api/v1/matches/{match_id}", headers=member.headers)
                assert got.status_code == 404, (member.key, got.text)
                assert same_shape(got, match_id, unknown_get, uid), (got.text, unknown_get.text)
                url = f"/api/v1/matches/{match_id}/review"
                reviewed = world.client.post(url, json=review, headers=member.headers)
                assert reviewed.status_code == 404, (member.key, reviewed.text)
                assert same_shape(reviewed, match_id, unknown_review, uid)
    # Nobody else's review stuck: every match is still pending. The control: B's reviewer reviews B's own.
    for org, ids in mine.items():
        for match_id in ids:
            answer = world.client.get(
                f"/api/v1/matches/{match_id}", headers=world.members[f"{org}.reader"].headers
            )
            assert answer.status_code == 200 and answer.json()["status"] == "pending"
    b_match = sorted(mine["B"])[0]
    reviewer = world.members["B.reviewer"].headers
    assert (
        world.client.post(
            f"/api/v1/matches/{b_match}/review", json={"status": "confirmed"}, headers=reviewer
        ).status_code
        == 200
    )
    reader = world.members["B.reader"].headers
    assert (
        world.client.post(
            f"/api/v1/matches/{b_match}/review", json={"status": "rejected"}, headers=reader
        ).status_code
        == 403
    )


def test_a_forums_collection_does_not_exist_for_an_organisation_outside_it(world: World) -> None:
    # Something in each collection, so that an answer would have something to leak.
    world.create("A.analyst", "signals", "in F1", tlp="clear", forum="F1", fields={"value": "in-f1.example"})
    world.create("D.analyst", "signals", "in F2", tlp="clear", forum="F2", fields={"value": "in-f2.example"})
    suffixes = ("", "objects/", "manifest/", f"objects/indicator--{uuid.uuid4()}/")
    outside = {"F1": ("D", "O"), "F2": ("A", "C", "O")}
    for forum, orgs in outside.items():
        coll = world.forum_ids[forum].removeprefix("forum--")
        for member in world.member_list():
            headers = {**member.headers, "Accept": TAXII}
            listed = world.client.get("/taxii2/exchange/collections/", headers=headers)
            assert listed.status_code == 200
            if member.org not in orgs:
                # The control: members see their forums' collections and read them.
                assert coll in listed.text
                assert (
                    world.client.get(
                        f"/taxii2/exchange/collections/{coll}/objects/", headers=headers
                    ).status_code
                    == 200
                )
                continue
            assert coll not in listed.text, member.key
            for suffix in suffixes:
                unknown = str(uuid.uuid4())
                answer = world.client.get(f"/taxii2/exchange/collections/{coll}/{suffix}", headers=headers)
                other = world.client.get(f"/taxii2/exchange/collections/{unknown}/{suffix}", headers=headers)
                assert answer.status_code in (403, 404), (member.key, suffix, answer.text)
                assert same_shape(answer, coll, other, unknown), (member.key, suffix, answer.text, other.text)
                assert "in-f1" not in answer.text and "in-f2" not in answer.text
            # Posting into it is refused the same way.
            posted = world.client.post(
                f"/taxii2/exchange/collections/{coll}/objects/",
                headers={**headers, "Content-Type": TAXII},
                content=b'{"objects": []}',
            )
            assert posted.status_code in (403, 404), (member.key, posted.text)


def test_forums_members_tokens_and_audit_of_others_stay_closed(world: World) -> None:
    """A forum one's organisation is not in does not exist (its key least of all); other organisations'
    members and tokens are not listed; the audit log and its head are the hub admins'."""
    outside = {"F1": ("D.admin", "D.analyst", "O.admin"), "F2": ("A.admin", "C.analyst")}
    for forum, keys in outside.items():
        fid = world.forum_ids[forum]
        for key in keys:
            h = world.members[key].headers
            uid = f"forum--{uuid.uuid4()}"
            key_answer = world.client.get(f"/api/v1/forums/{fid}/key", headers=h)
            assert key_answer.status_code in (403, 404), (key, key_answer.text)
            assert "key" not in key_answer.json()
            body = {"kind": "email", "values": ["someone@example.org"]}
            hashed = world.client.post(f"/api/v1/forums/{fid}/pseudonymise", json=body, headers=h)
            assert hashed.status_code in (403, 404), (key, hashed.text)
            if key != "O.admin":  # the hub's admins administer every forum
                answer = world.client.get(f"/api/v1/forums/{fid}", headers=h)
                unknown = world.client.get(f"/api/v1/forums/{uid}", headers=h)
                assert answer.status_code == 404 and same_shape(answer, fid, unknown, uid), (key, answer.text)
                listed = world.client.get("/api/v1/forums", headers=h).json()["items"]
                assert fid not in {f["id"] for f in listed}
    # The control: a member organisation gets the key.
    assert (
        world.client.get(
            f"/api/v1/forums/{world.forum_ids['F1']}/key", headers=world.members["C.reader"].headers
        ).status_code
        == 200
    )
    for key in ("A.admin", "A.analyst", "B.reader"):
        member = world.members[key]
        other_org = world.org_ids["D"]
        assert (
            world.client.get(f"/api/v1/members?org_id={other_org}", headers=member.headers).status_code == 403
        )
        mine = world.client.get("/api/v1/members", headers=member.headers).json()["items"]
        assert {m["org_id"] for m in mine} == {member.org_id}
        foreign = world.members["D.analyst"].id
        assert (
            world.client.get(f"/api/v1/tokens?member_id={foreign}", headers=member.headers).status_code == 403
        )
        for path in ("/api/v1/audit/events", "/api/v1/audit/head"):
            assert world.client.get(path, headers=member.headers).status_code == 403, (key, path)
    # A member of one organisation is not made in another, even by that organisation's admin.
    mallory = {"org_id": world.org_ids["D"], "name": "Mallory", "roles": ["admin"]}
    assert (
        world.client.post(
            "/api/v1/members", json=mallory, headers=world.members["A.admin"].headers
        ).status_code
        == 403
    )
    assert world.client.get("/api/v1/audit/head", headers=world.members["O.admin"].headers).status_code == 200


def test_no_organisation_lets_itself_into_a_forum_or_takes_over_another(world: World) -> None:
    """Forum membership, organisations, forums and another organisation's identifier key are the hub's (or
    that organisation's) to change: an organisation admin cannot join itself to a forum, push another out,
    or register its own key as another organisation's (which would seal that organisation's ids to it)."""
    f1, f2 = world.forum_ids["F1"], world.forum_ids["F2"]
    d_admin = world.members["D.admin"].headers
    b_admin = world.members["B.admin"].headers
    own_key = base64.b64encode(PrivateKey.generate().public_key.encode()).decode()
    refused = [
        world.client.put(f"/api/v1/forums/{f1}/members/{world.org_ids['D']}", headers=d_admin),
        world.client.delete(f"/api/v1/forums/{f1}/members/{world.org_ids['A']}", headers=b_admin),
        world.client.put(f"/api/v1/forums/{f2}/members/{world.org_ids['A']}", headers=b_admin),
        world.client.post(
            "/api/v1/forums", json={"name": "D's own", "member_orgs": [world.org_ids["D"]]}, headers=d_admin
        ),
        world.client.post(
            "/api/v1/organisations", json={"name": "Sock puppet", "kind": "platform"}, headers=d_admin
        ),
        world.client.put(
            f"/api/v1/organisations/{world.org_ids['A']}/identifier-key",
            json={"public_key": own_key},
            headers=b_admin,
        ),
    ]
    assert [r.status_code for r in refused] == [403] * len(refused), [r.text for r in refused]
    forums = {f.id: f for f in world.hub.admin.forums(world.hub.operator())}
    assert forums[f1].member_orgs == world.forum_members(f1)
    assert forums[f2].member_orgs == world.forum_members(f2)
    org_a = world.hub.admin.organisation(world.hub.operator(), world.org_ids["A"])
    assert org_a.identifier_key_id is None
    assert len(world.hub.admin.forums(world.hub.operator())) == 2
    assert len(world.hub.admin.organisations(world.hub.operator())) == 5
    # D still reads nothing of forum 1's GREEN records.
    green_f1 = [r for r in world.records if r.forum == "F1" and r.tlp == "green" and not r.recipient_orgs]
    assert green_f1
    for rec in green_f1:
        assert world.client.get(f"/api/v1/{rec.kind}/{rec.id}", headers=d_admin).status_code == 404
