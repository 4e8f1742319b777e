"""REST read oracle: every member x every record of the world, over HTTP, against docs/access.md.

A record is answered 200 exactly when the oracle says the member may read it; otherwise 404, with the answer
of an id that names nothing (but for the id itself), so that its existence does not leak. Lists hold exactly
the readable records, page by page, and a ``next`` cursor only ever names a readable one.
"""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import httpx
import pytest

from tests.security.conftest import (
    FORUM_ORGS,
    KINDS,
    ORGS,
    ROLES,
    TAXII,
    Member,
    World,
    may_read,
    record_body,
    same_shape,
    unknown_id,
)

MEMBER_KEYS = [f"{o}.{r}" for o in ORGS for r in ROLES] + ["C.reader+partner", "O.admin"]


def _client(world: World) -> httpx.AsyncClient:
    # One hop per request (no TestClient portal): the matrix is a few thousand requests.
    app = world.client.app
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://hub.test")


def test_world_covers_every_marking_placement_and_kind(matrix_world: World) -> None:
    """The matrix is only as good as the world: every kind, every TLP with and without recipients, in
    forum 1, forum 2 and no forum, and someone on each side of every line."""
    world = matrix_world
    recs = world.records
    assert {r.kind for r in recs} == set(KINDS)
    assert {r.forum for r in recs} == {"F1", "F2", None}
    for tlp in ("clear", "green", "amber", "amber+strict", "red"):
        assert any(r.tlp == tlp and not (r.recipient_orgs or r.recipient_members) for r in recs), tlp
        assert any(r.tlp == tlp and (r.recipient_orgs or r.recipient_members) for r in recs) or tlp == "clear"
    for kind in KINDS:
        assert len({r.tlp for r in recs if r.kind == kind}) >= 4, kind
    members = world.member_list()
    for rec in recs:
        readers = [m for m in members if may_read(world, m, rec)]
        if rec.tlp != "clear":
            assert 0 < len(readers) < len(members), rec.label


@pytest.mark.parametrize("key", MEMBER_KEYS)
def test_get_and_list_answer_exactly_what_the_oracle_allows(matrix_world: World, key: str) -> None:
    world = matrix_world
    member = world.members[key]
    problems = asyncio.run(_probe_member(world, member))
    assert not problems, "\n".join(problems[:40])


async def _probe_member(world: World, member: Member) -> list[str]:
    problems: list[str] = []
    headers = member.headers
    async with _client(world) as http:
        unknown: dict[str, tuple[Any, str]] = {}
        for kind in KINDS:
            uid = unknown_id(kind)
            answer = await http.get(f"/api/v1/{kind}/{uid}", headers=headers)
            if answer.status_code != 404:
                problems.append(f"{kind}/{uid} (unknown): {answer.status_code}")
            unknown[kind] = (answer, uid)
        for rec in world.records:
            answer = await http.get(f"/api/v1/{rec.kind}/{rec.id}", headers=headers)
            if may_read(world, member, rec):
                if answer.status_code != 200 or answer.json().get("id") != rec.id:
                    problems.append(f"{member.key} cannot read {rec.label}: {answer.status_code}")
            elif answer.status_code != 404:
                problems.append(f"{member.key} reads {rec.label}: {answer.status_code}")
            elif not same_shape(answer, rec.id, *unknown[rec.kind]):
                problems.append(
                    f"{member.key}: hidden {rec.label} answers unlike an unknown id: {answer.text!r}"
                    f" vs {unknown[rec.kind][0].text!r}"
                )
        for kind in KINDS:
            readable = {r.id for r in world.records if r.kind == kind and may_read(world, member, r)}
            problems.extend(await _list_problems(http, member, kind, readable))
        # Filters narrow what may be read; they never widen it (a forum one is not in included).
        for kind in ("operations", "signals"):
            for forum, fid in world.forum_ids.items():
                expected = {
                    r.id
                    for r in world.records
                    if r.kind == kind and r.forum == forum and may_read(world, member, r)
                }
                answer = await http.get(
                    f"/api/v1/{kind}", params={"forum_id": fid, "limit": "1000"}, headers=headers
                )
                got = {item["id"] for item in answer.json()["items"]}
                if got != expected:
                    problems.append(f"{member.key} {kind}?forum_id={forum}: {sorted(got ^ expected)}")
    return problems


async def _list_problems(http: httpx.AsyncClient, member: Member, kind: str, readable: set[str]) -> list[str]:
    problems: list[str] = []
    seen: list[str] = []
    after: str | None = None
    for _ in range(200):
        params = {"limit": "4", **({"after": after} if after else {})}
        answer = await http.get(f"/api/v1/{kind}", params=params, headers=member.headers)
        if answer.status_code != 200:
            return [f"{member.key} lists {kind}: {answer.status_code} {answer.text}"]
        page = answer.json()
        ids = [item["id"] for item in page["items"]]
        seen.extend(ids)
        after = page["next"]
        if after is None:
            break
        if after not in readable:
            problems.append(f"{member.key} {kind}: cursor names {after}, which it may not read")
        if not ids or after != ids[-1]:
            problems.append(f"{member.key} {kind}: cursor {after} is not the last item of its page")
    else:
        problems.append(f"{member.key} {kind}: paging never ends")
    if len(seen) != len(set(seen)):
        problems.append(f"{member.key} {kind}: an item listed twice")
    leaked = set(seen) - readable
    missing = readable - set(seen)
    if leaked:
        problems.append(f"{member.key} {kind}: lists records it may not read: {sorted(leaked)}")
    if missing:
        problems.append(f"{member.key} {kind}: misses records it may read: {sorted(missing)}")
    return problems


def test_a_hidden_id_as_list_cursor_reveals_nothing(matrix_world: World) -> None:
    """Paging ``after`` a record one may not read answers what paging after an unknown id of the same place
    in the order would: the cursor is no oracle of existence either (the listed items are all readable)."""
    world = matrix_world
    member = world.members["D.analyst"]
    for rec in world.records:
        if may_read(world, member, rec):
            continue
        answer = world.client.get(f"/api/v1/{rec.kind}", params={"after": rec.id}, headers=member.headers)
        assert answer.status_code == 200, answer.text
        readable = {r.id for r in world.records if r.kind == rec.kind and may_read(world, member, r)}
        listed = {item["id"] for item in answer.json()["items"]}
        assert listed <= readable
        # Exactly the readable records after it in id order: what any id between them would give.
        assert listed == {i for i in readable if i > rec.id}


def test_a_page_never_holds_more_than_its_limit(world: World) -> None:
    """``limit`` bounds a page (docs/api.md: ``limit`` up to 1000), also when a record the caller may not
    read comes before the last, short, batch the hub reads from the store.

    Five GREEN signals of one operation in forum 1, the first (by id) then tightened to AMBER+STRICT, so
    hidden from B's reader (though in B's forum: the store's coarse filter keeps it, the policy drops it):
    ``limit=3`` must give 3 and then 1, never 4 at once."""
    operation = world.create("A.analyst", "operations", "paged", tlp="clear")
    made = [
        world.create(
            "A.analyst",
            "signals",
            f"paged {i}",
            tlp="green",
            forum="F1",
            fields={"operation_id": operation.id},
        )
        for i in range(5)
    ]
    first = min(made, key=lambda r: r.id)
    owner = world.members["A.analyst"].headers
    tighter = {"marking": {"tlp": "amber+strict", "pap": "amber"}}
    assert world.client.patch(f"/api/v1/signals/{first.id}", json=tighter, headers=owner).status_code == 200
    reader = world.members["B.reader"]
    pages = []
    after: str | None = None
    while True:
        params = {"operation_id": operation.id, "limit": "3", **({"after": after} if after else {})}
        page = world.client.get("/api/v1/signals", params=params, headers=reader.headers).json()
        pages.append([item["id"] for item in page["items"]])
        after = page["next"]
        if after is None or len(pages) > 5:
            break
    assert sorted(i for p in pages for i in p) == sorted(r.id for r in made if r.id != first.id)
    assert [len(p) for p in pages] == [3, 1], pages


def test_taxii_collections_show_each_member_exactly_the_records_it_may_read(matrix_world: World) -> None:
    """The STIX form of a record in a forum's collection is read by whoever may read the record, and by no
    one else: its campaign name or indicator value appears in a member's listing exactly then."""
    world = matrix_world
    published = [r for r in world.records if r.forum is not None and r.kind in ("operations", "signals")]
    assert {r.tlp for r in published} >= {"clear", "green", "amber", "amber+strict"}
    problems = []
    for member in world.member_list():
        for forum, orgs in FORUM_ORGS.items():
            if member.org not in orgs:
                continue
            coll = world.forum_ids[forum].removeprefix("forum--")
            headers = {**member.headers, "Accept": TAXII}
            answer = world.client.get(f"/taxii2/exchange/collections/{coll}/objects/", headers=headers)
            assert answer.status_code == 200, answer.text
            text = answer.text
            for rec in published:
                if rec.forum != forum:
                    continue
                mark = rec.label if rec.kind == "operations" else record_body("signals", rec.label)["value"]
                if (mark in text) != may_read(world, member, rec):
                    problems.append(f"{member.key} {forum}: {rec.label} listed: {mark in text}")
    assert not problems, "\n".join(problems)


def test_a_hidden_taxii_object_answers_like_an_unknown_one(matrix_world: World) -> None:
    """An object one may read no version of is a 404 whether or not it exists (docs/taxii.md), by id and
    through its versions, with the answer of an id that names nothing."""
    world = matrix_world
    probed = 0
    for forum, orgs in FORUM_ORGS.items():
        coll = world.forum_ids[forum].removeprefix("forum--")
        base = f"/taxii2/exchange/collections/{coll}/objects/"
        signals = [r for r in world.records if r.forum == forum and r.kind == "signals"]
        # Each signal's indicator, found by its owner's analyst (who reads every one of them).
        stix_ids: dict[str, str] = {}
        for rec in signals:
            owner = world.members[f"{rec.owner}.analyst"]
            objects = world.client.get(
                base, params={"match[type]": "indicator"}, headers={**owner.headers, "Accept": TAXII}
            ).json()["objects"]
            value = record_body("signals", rec.label)["value"]
            (stix_ids[rec.id],) = [o["id"] for o in objects if value in o["pattern"]]
        for member in world.member_list():
            # Forum readers all read alike (the listing test above covers each): one of them per
            # organisation, and every partner-reporter.
            if member.org not in orgs or not member.roles & {"analyst", "partner-reporter"}:
                continue
            headers = {**member.headers, "Accept": TAXII}
            uid = f"indicator--{uuid.uuid4()}"
            unknowns = {s: world.client.get(f"{base}{uid}/{s}", headers=headers) for s in ("", "versions/")}
            for rec in signals:
                sid = stix_ids[rec.id]
                for suffix, unknown in unknowns.items():
                    answer = world.client.get(f"{base}{sid}/{suffix}", headers=headers)
                    if may_read(world, member, rec):
                        assert answer.status_code == 200, (member.key, rec.label, answer.text)
                        continue
                    assert answer.status_code == 404, (member.key, rec.label, answer.text)
                    assert same_shape(answer, sid, unknown, uid), (answer.text, unknown.text)
                    probed += 1
    assert probed > 20
