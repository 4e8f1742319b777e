"""Writes into other organisations' records and into forums one is not in are refused.

PATCH and DELETE of a record one may not change: 404 (like an unknown id) when it is hidden, 403 when it is
visible. Creating a record into a forum one's organisation is not in, and sharing into one, are refused, and
leave nothing behind.
"""

from __future__ import annotations

import asyncio

import httpx
import pytest

from fimihub.errors import NotFound
from fimihub.hub import RECORD_KINDS
from tests.security.conftest import (
    Member,
    World,
    may_edit,
    may_read,
    record_body,
    same_shape,
    unknown_id,
)

#: Members who probe the matrix on SQLite: every role (a reader may do what a reviewer may with a record:
#: nothing), every organisation, the hub admin.
PROBERS = ("B.analyst", "D.admin", "A.reviewer", "C.partner-reporter", "O.admin")


async def _write_probes(world: World, members: list[Member]) -> tuple[list[str], int]:
    problems: list[str] = []
    probed = 0
    unknown: dict[tuple[str, str, str], tuple[httpx.Response, str]] = {}
    app = world.client.app
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://hub.test") as http:
        for member in members:
            for rec in world.records:
                readable = may_read(world, member, rec)
                if readable and may_edit(member, rec):
                    continue  # the owner's editors may: not a probe
                expected = 403 if readable else 404
                url = f"/api/v1/{rec.kind}/{rec.id}"
                patched = await http.patch(url, json={"purpose": "probe"}, headers=member.headers)
                deleted = await http.delete(url, headers=member.headers)
                probed += 1
                for verb, answer in (("PATCH", patched), ("DELETE", deleted)):
                    if answer.status_code != expected:
                        problems.append(f"{member.key} {verb} {rec.label}: {answer.status_code}")
                    elif expected == 404:
                        if (member.key, rec.kind, verb) not in unknown:
                            uid = unknown_id(rec.kind)
                            unknown[member.key, rec.kind, verb] = (
                                await http.request(
                                    verb,
                                    f"/api/v1/{rec.kind}/{uid}",
                                    headers=member.headers,
                                    json={"purpose": "probe"} if verb == "PATCH" else None,
                                ),
                                uid,
                            )
                        if not same_shape(answer, rec.id, *unknown[member.key, rec.kind, verb]):
                            problems.append(f"{member.key} {verb} hidden {rec.label}: {answer.text!r}")
    return problems, probed


def _unchanged(world: World) -> list[str]:
    """Records of the world whose stored form changed, or that are gone (read as the operator)."""
    op = world.hub.operator()
    changed = []
    for rec in world.records:
        try:
            record = world.hub.get(op, RECORD_KINDS[rec.kind], rec.id)
        except NotFound as exc:
            changed.append(f"{rec.label}: {exc}")
            continue
        if record.purpose == "probe" or record.modified_at != record.created_at:
            changed.append(f"{rec.label}: changed")
    return changed


def test_patch_and_delete_of_records_one_may_not_change(matrix_world: World) -> None:
    """Every prober x every record it may not change (SQLite): 404 like an unknown id if hidden, else 403;
    afterwards every record is there, unchanged, and the audit log holds no update or delete."""
    world = matrix_world
    members = [world.members[k] for k in PROBERS]
    problems, probed = asyncio.run(_write_probes(world, members))
    assert probed > 250
    assert not problems, "\n".join(problems[:40])
    assert not _unchanged(world)
    events = world.hub.audit.events(world.hub.operator(), limit=1000)
    assert not [e for e in events if e.action in ("update", "delete")]


def test_foreign_records_resist_on_every_backend(world: World) -> None:
    """The same probes, fewer of them, on the other backends; and the owner's own analyst may (the
    control)."""
    if world.backend == "sqlite":
        pytest.skip("on SQLite the matrix above probes all of this")
    members = [world.members[k] for k in ("D.analyst", "C.partner-reporter")]
    problems, probed = asyncio.run(_write_probes(world, members))
    assert probed > 100
    assert not problems, "\n".join(problems[:40])
    assert not _unchanged(world)
    own = next(r for r in world.records if r.owner == "A" and r.tlp == "green" and r.kind != "leads")
    answer = world.client.patch(
        f"/api/v1/{own.kind}/{own.id}", json={"purpose": "probe"}, headers=world.members["A.analyst"].headers
    )
    assert answer.status_code == 200, answer.text


@pytest.mark.parametrize("kind", ["operations", "signals", "assets", "cases"])
def test_no_record_is_created_into_a_forum_the_org_is_not_in(world: World, kind: str) -> None:
    outsiders = {"F1": ("D.analyst", "D.admin"), "F2": ("A.analyst", "A.admin", "C.analyst")}
    for forum, keys in outsiders.items():
        for key in keys:
            member = world.members[key]
            body = {
                **record_body(kind, f"smuggled {key} {forum}"),
                "marking": {"tlp": "green"},
                "forum_id": world.forum_ids[forum],
            }
            answer = world.client.post(f"/api/v1/{kind}", json=body, headers=member.headers)
            assert answer.status_code == 403, (key, forum, answer.text)
            assert answer.json()["error"]["code"] == "forbidden"
    # Inside its forum, but without an editor's role: refused as well.
    for key in ("B.reader", "B.reviewer", "B.partner-reporter"):
        body = {**record_body(kind, f"smuggled {key}"), "forum_id": world.forum_ids["F2"]}
        answer = world.client.post(f"/api/v1/{kind}", json=body, headers=world.members[key].headers)
        assert answer.status_code == 403, (key, answer.text)
    # The control: an editor of a member organisation may.
    body = {**record_body(kind, "legit"), "marking": {"tlp": "green"}, "forum_id": world.forum_ids["F2"]}
    assert (
        world.client.post(
            f"/api/v1/{kind}", json=body, headers=world.members["D.analyst"].headers
        ).status_code
        == 201
    )
    # Nothing smuggled reached the store.
    listed = world.hub.list(world.hub.operator(), RECORD_KINDS[kind], limit=1000).items
    before = {r.id for r in world.records}
    new = [r for r in listed if r.id not in before]
    assert len(new) == 1 and new[0].owner_org == world.org_ids["D"]


def test_a_partners_lead_enters_only_its_organisations_forums(world: World) -> None:
    """A partner puts its own organisation's leads into the forums the organisation is in (B: F1 and F2),
    never into another (C's partner: not F2), and nothing but leads."""
    partner = world.members["B.partner-reporter"]
    for forum in ("F1", "F2"):
        body = {"title": "tip", "marking": {"tlp": "green"}, "forum_id": world.forum_ids[forum]}
        answer = world.client.post("/api/v1/leads", json=body, headers=partner.headers)
        assert answer.status_code == 201, answer.text
    outsider = world.members["C.partner-reporter"]
    body = {"title": "tip", "marking": {"tlp": "green"}, "forum_id": world.forum_ids["F2"]}
    assert world.client.post("/api/v1/leads", json=body, headers=outsider.headers).status_code == 403
    mine = world.client.post("/api/v1/leads", json={"title": "tip"}, headers=outsider.headers)
    assert mine.status_code == 201
    answer = world.client.post(
        f"/api/v1/leads/{mine.json()['id']}/share",
        json={"forum_id": world.forum_ids["F2"]},
        headers=outsider.headers,
    )
    assert answer.status_code == 403
    # Its own operation (or anything but a lead) it shares nowhere.
    refused = world.client.post(
        "/api/v1/operations", json={"name": "x", "forum_id": world.forum_ids["F1"]}, headers=partner.headers
    )
    assert refused.status_code == 403


def test_no_share_into_a_foreign_forum(world: World) -> None:
    hub = world.hub
    a, b, d = (world.members[k] for k in ("A.analyst", "B.analyst", "D.analyst"))
    own = world.create("A.analyst", "operations", "A's own green", tlp="green")
    clear_f1 = world.create("A.analyst", "operations", "A's clear in F1", tlp="clear", forum="F1")
    amber_f1 = world.create("A.analyst", "operations", "A's amber in F1", tlp="amber", forum="F1")
    strict_b = world.create("B.analyst", "operations", "B's strict", tlp="amber+strict", forum="F2")
    refused = [
        (a, own, "F2"),  # the owner, into a forum its organisation is not in
        (d, clear_f1, "F1"),  # D reads it (CLEAR) but is not in F1
        (b, amber_f1, "F2"),  # B reads it through F1, but AMBER is not B's to pass on
        (world.members["B.reader"], clear_f1, "F2"),  # a reader shares nothing
        (world.members["B.partner-reporter"], clear_f1, "F2"),
    ]
    for member, rec, forum in refused:
        url = f"/api/v1/{rec.kind}/{rec.id}/share"
        answer = world.client.post(url, json={"forum_id": world.forum_ids[forum]}, headers=member.headers)
        assert answer.status_code == 403, (member.key, rec.label, forum, answer.text)
    # Hidden records: 404, like an unknown one; an unknown forum: 404 too.
    hidden = world.client.post(
        f"/api/v1/operations/{strict_b.id}/share", json={"forum_id": world.forum_ids["F1"]}, headers=a.headers
    )
    uid = unknown_id("operations")
    unknown = world.client.post(
        f"/api/v1/operations/{uid}/share", json={"forum_id": world.forum_ids["F1"]}, headers=a.headers
    )
    assert hidden.status_code == 404 and same_shape(hidden, strict_b.id, unknown, uid)
    nowhere = world.client.post(
        f"/api/v1/operations/{own.id}/share", json={"forum_id": "forum--nope"}, headers=a.headers
    )
    assert nowhere.status_code == 404
    # Nothing moved and nothing was copied: the store holds the same records, where they were.
    op = hub.operator()
    assert hub.get(op, RECORD_KINDS["operations"], own.id).forum_id is None
    assert hub.get(op, RECORD_KINDS["operations"], amber_f1.id).forum_id == world.forum_ids["F1"]
    known = {r.id for r in world.records if r.kind == "operations"}
    assert {r.id for r in hub.list(op, RECORD_KINDS["operations"], limit=1000).items} == known
    # The control: B may pass A's CLEAR record on into F2, as a copy B owns that keeps the marking.
    copy = world.client.post(
        f"/api/v1/operations/{clear_f1.id}/share", json={"forum_id": world.forum_ids["F2"]}, headers=b.headers
    )
    assert copy.status_code == 200, copy.text
    assert copy.json()["owner_org"] == world.org_ids["B"] and copy.json()["id"] != clear_f1.id


def test_ownership_and_forum_are_not_fields_a_member_sets(world: World) -> None:
    """A record cannot be created as another organisation's or author's, nor moved into a forum by PATCH."""
    b = world.members["B.analyst"]
    spoofs = [
        {"owner_org": world.org_ids["A"]},
        {"created_by": world.members["A.analyst"].id},
        {"id": unknown_id("operations")},
        {"created_at": "2020-01-01T00:00:00Z"},
    ]
    for spoof in spoofs:
        answer = world.client.post("/api/v1/operations", json={"name": "spoof", **spoof}, headers=b.headers)
        assert answer.status_code == 400, (spoof, answer.text)
        assert answer.json()["error"]["field"] == next(iter(spoof))
    own = world.create("B.analyst", "operations", "B's amber+strict", tlp="amber+strict")
    url = f"/api/v1/operations/{own.id}"
    for change in [*spoofs, {"forum_id": world.forum_ids["F1"]}]:
        answer = world.client.patch(url, json=change, headers=b.headers)
        assert answer.status_code == 400, (change, answer.text)
    stored = world.client.get(url, headers=b.headers).json()
    assert stored["owner_org"] == world.org_ids["B"] and stored["forum_id"] is None
    assert stored["created_by"] == b.id
    assert world.client.get(url, headers=world.members["A.analyst"].headers).status_code == 404
