"""A world to attack: four organisations, two forums with overlapping membership, a member in every role in
each organisation (each with its own API token), and records of several kinds at every TLP level, with and
without recipients, in forum 1, forum 2 and in no forum.

Who may read what is decided here by :func:`may_read`, an oracle written from the table in docs/access.md
alone: it must never import :mod:`fimihub.policy`, the code it checks.

The world is built once per session into a SQLite file (``world_template``); tests get copies of it:

- ``matrix_world``: one copy per module, for the big member x record matrices (SQLite only);
- ``world``: a fresh world per test on every backend: a copy of the template on SQLite, and built anew in a
  schema of its own on PostgreSQL when ``FIMIHUB_TEST_DATABASE_URL`` is set.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from fimihub import Hub, Settings
from fimihub.app import create_app
from fimihub.hub import RECORD_KINDS
from tests.conftest import PG_ENV, _pg_schema

ORGS = ("A", "B", "C", "D")
ROLES = ("admin", "analyst", "reviewer", "reader", "partner-reporter")
#: Forum 1 holds A, B and C; forum 2 holds B and D. C is in forum 1 only, D in forum 2 only, A outside
#: forum 2, the hub's own organisation (O) in no forum at all.
FORUM_ORGS = {"F1": ("A", "B", "C"), "F2": ("B", "D")}
#: The organisation an owner names as recipient: for A's forum-1 records one outside forum 1 (D), for B's
#: forum-1 records one inside it (A), and so on.
RECIPIENT_OF = {"A": "D", "B": "A", "C": "B", "D": "C"}
#: The kinds the world holds records of, and the fields each needs.
KINDS = ("operations", "signals", "assets", "leads", "cases")
#: Markings: (label, tlp, names recipient organisations, names recipient members).
MARKINGS = (
    ("clear", "clear", False, False),
    ("green", "green", False, False),
    ("green-rcpt", "green", True, False),
    ("amber", "amber", False, False),
    ("amber-rcpt", "amber", True, False),
    ("strict", "amber+strict", False, False),
    ("strict-rcpt", "amber+strict", True, False),
    ("red", "red", False, False),
    ("red-rcpt", "red", False, True),
)
TAXII = "application/taxii+json;version=2.1"


@dataclass(frozen=True)
class Member:
    """A member of the world: ``key`` is ``"<org>.<role>"`` (``"O.admin"`` is the hub admin)."""

    key: str
    id: str
    org: str  # "A" .. "D", or "O"
    org_id: str
    roles: frozenset[str]
    token_id: str
    secret: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.secret}"}


@dataclass(frozen=True)
class Rec:
    """A record of the world as the test meant it (its marking is what the oracle decides on)."""

    kind: str  # the plural the API uses: "operations", …
    id: str
    label: str
    owner: str  # "A" .. "D"
    owner_id: str
    created_by: str
    forum: str | None  # "F1", "F2" or None
    forum_id: str | None
    tlp: str
    recipient_orgs: tuple[str, ...]  # organisation ids
    recipient_members: tuple[str, ...]  # member ids


@dataclass
class World:
    hub: Hub
    org_ids: dict[str, str]  # "A" -> organisation id, "O" the operator organisation
    forum_ids: dict[str, str]  # "F1" -> forum id
    members: dict[str, Member]  # "A.analyst" -> member
    records: list[Rec] = field(default_factory=list)
    http: TestClient | None = None
    backend: str = "sqlite"

    @property
    def client(self) -> TestClient:
        """An in-process HTTP client over the hub's app (``create_app(hub=...)``)."""
        assert self.http is not None, "a world being built has no client yet"
        return self.http

    def over(self, hub: Hub, client: TestClient, backend: str = "sqlite") -> World:
        """This world as it stands in a copy of its store: the same ids and tokens, another hub."""
        return replace(self, hub=hub, http=client, records=list(self.records), backend=backend)

    def forum_members(self, forum_id: str | None) -> frozenset[str]:
        """The organisation ids of a forum (none for no forum)."""
        for name, fid in self.forum_ids.items():
            if fid == forum_id:
                return frozenset(self.org_ids[o] for o in FORUM_ORGS[name])
        return frozenset()

    def member_list(self) -> list[Member]:
        return list(self.members.values())

    def rec(self, label: str) -> Rec:
        (found,) = [r for r in self.records if r.label == label]
        return found

    def token(self, member: Member, **kwargs: Any) -> dict[str, str]:
        """Headers with a fresh token for ``member`` (issued by the operator, as ``fimihub token create``)."""
        issued = self.hub.admin.issue_token(self.hub.operator(), member.id, **kwargs)
        return {"Authorization": f"Bearer {issued.secret}"}

    def create(
        self,
        author: str,
        kind: str,
        label: str,
        *,
        tlp: str,
        forum: str | None = None,
        recipient_orgs: tuple[str, ...] = (),
        recipient_members: tuple[str, ...] = (),
        pap: str | None = None,
        fields: dict[str, Any] | None = None,
    ) -> Rec:
        """Create one record in process (the author's own rights, no token limit) and remember it;
        ``fields`` replace those of :func:`record_body`."""
        return self.create_many(
            author,
            kind,
            [(label, tlp, forum, recipient_orgs, recipient_members)],
            pap=pap,
            fields=fields,
        )[0]

    def create_many(
        self,
        author: str,
        kind: str,
        specs: list[tuple[str, str, str | None, tuple[str, ...], tuple[str, ...]]],
        *,
        pap: str | None = None,
        fields: dict[str, Any] | None = None,
    ) -> list[Rec]:
        member = self.members[author]
        actor = self.hub.admin.actor(member.id)
        bodies = []
        for label, tlp, forum, r_orgs, r_members in specs:
            marking: dict[str, Any] = {"tlp": tlp}
            if pap is not None:
                marking["pap"] = pap
            if r_orgs:
                marking["recipient_orgs"] = list(r_orgs)
            if r_members:
                marking["recipient_members"] = list(r_members)
            body = {**record_body(kind, label), **(fields or {}), "marking": marking}
            if forum is not None:
                body["forum_id"] = self.forum_ids[forum]
            bodies.append(body)
        created = self.hub.create_many(actor, RECORD_KINDS[kind], bodies)
        made = []
        for (label, tlp, forum, r_orgs, r_members), record in zip(specs, created, strict=True):
            # The store keeps what was asked: the oracle decides on the marking the test meant.
            assert record.marking.tlp.value == tlp
            assert tuple(record.marking.recipient_orgs) == r_orgs
            assert tuple(record.marking.recipient_members) == r_members
            rec = Rec(
                kind=kind,
                id=record.id,
                label=label,
                owner=member.org,
                owner_id=member.org_id,
                created_by=member.id,
                forum=forum,
                forum_id=self.forum_ids[forum] if forum else None,
                tlp=tlp,
                recipient_orgs=r_orgs,
                recipient_members=r_members,
            )
            self.records.append(rec)
            made.append(rec)
        return made


def record_body(kind: str, label: str) -> dict[str, Any]:
    """The smallest valid body of a record of ``kind``, told apart by ``label``."""
    slug = "".join(c if c.isalnum() else "-" for c in label.lower()).strip("-")
    if kind == "operations":
        return {"name": label}
    if kind == "signals":
        return {"kind": "domain", "value": f"{slug}.example"}
    if kind == "assets":
        return {"platform": "x", "kind": "account", "handle": f"@{slug}"[:60]}
    if kind in ("leads", "cases"):
        return {"title": label}
    raise AssertionError(kind)


# -- the oracle: docs/access.md, "Markings", written out independently ---------------------------------------

_FORUM_READER_ROLES = frozenset({"admin", "analyst", "reviewer", "reader"})


def may_read(world: World, member: Member, rec: Rec) -> bool:
    """Whether ``member`` may read ``rec``, from the table in docs/access.md (all members are active).

    CLEAR: every member. RED: its author and named recipient members only. GREEN: owner org, forum members,
    recipient orgs. AMBER: owner org and recipient orgs, or the forum's members when none are named.
    AMBER+STRICT: owner org and recipient orgs. A partner-reporter (holding no other role) reads CLEAR, its
    own organisation's and what names its organisation, never forum-wide GREEN or AMBER. Admin roles read
    nothing more.
    """
    if rec.tlp == "clear":
        return True
    if rec.tlp == "red":
        return member.id == rec.created_by or member.id in rec.recipient_members
    if member.org_id == rec.owner_id or member.org_id in rec.recipient_orgs:
        return True
    if not member.roles & _FORUM_READER_ROLES:
        return False  # a partner-reporter only
    in_forum = rec.forum_id is not None and member.org_id in world.forum_members(rec.forum_id)
    if rec.tlp == "green":
        return in_forum
    if rec.tlp == "amber":
        return in_forum and not rec.recipient_orgs
    return False  # amber+strict


def may_edit(member: Member, rec: Rec) -> bool:
    """Whether ``member`` may change ``rec`` (docs/access.md, "Acts": write)."""
    if member.org_id != rec.owner_id:
        return False
    return bool(member.roles & {"admin", "analyst"}) or (
        rec.kind == "leads" and "partner-reporter" in member.roles
    )


# -- building the world --------------------------------------------------------------------------------------


def build_world(hub: Hub) -> World:
    """Organisations, forums, members with tokens, and for each owner organisation one record of each
    marking x placement (forum 1, forum 2 where the owner is a member, no forum), the kinds taken in turn
    (starting one further for each organisation, so that every kind meets many markings and placements)."""
    op = hub.operator("probe")
    operator_org = hub.admin.create_organisation(
        op, name="Hub secretariat", kind="public-authority", operator=True
    )
    kinds = {"A": "platform", "B": "platform", "C": "researcher", "D": "fact-checker"}
    org_ids = {o: hub.admin.create_organisation(op, name=f"Org {o}", kind=kinds[o]).id for o in ORGS}
    org_ids["O"] = operator_org.id
    forum_ids = {
        name: hub.admin.create_forum(
            op, name=f"Forum {name}", member_orgs=[org_ids[o] for o in orgs], default_tlp="green"
        ).id
        for name, orgs in FORUM_ORGS.items()
    }
    members: dict[str, Member] = {}

    def add(org: str, key: str, roles: list[str]) -> None:
        m = hub.admin.create_member(op, org_id=org_ids[org], name=f"{key}", roles=roles)
        issued = hub.admin.issue_token(op, m.id)
        members[key] = Member(key, m.id, org, org_ids[org], frozenset(roles), issued.token.id, issued.secret)

    for org in ORGS:
        for role in ROLES:
            add(org, f"{org}.{role}", [role])
    # A reader who also reports as a partner reads as a reader (the union of its roles' rights).
    add("C", "C.reader+partner", ["reader", "partner-reporter"])
    add("O", "O.admin", ["admin"])
    world = World(hub, org_ids, forum_ids, members)

    placements: dict[str, list[str | None]] = {
        o: [f for f, orgs in FORUM_ORGS.items() if o in orgs] + [None] for o in ORGS
    }
    for offset, org in enumerate(ORGS):
        recipient = RECIPIENT_OF[org]
        specs_by_kind: dict[str, list[tuple[str, str, str | None, tuple[str, ...], tuple[str, ...]]]] = {
            k: [] for k in KINDS
        }
        n = offset
        for forum in placements[org]:
            for label, tlp, r_orgs, r_members in MARKINGS:
                if tlp == "red" and forum is not None:
                    continue  # RED never goes into a forum
                recipients = (org_ids[recipient],) if r_orgs else ()
                people = (members[f"{recipient}.reader"].id,) if r_members else ()
                kind = KINDS[n % len(KINDS)]
                n += 1
                name = f"{org}/{forum or 'none'}/{label}/{kind}"
                specs_by_kind[kind].append((name, tlp, forum, recipients, people))
        for kind, specs in specs_by_kind.items():
            if specs:
                world.create_many(f"{org}.analyst", kind, specs)
        # A partner-reporter submits its own leads (in no forum: partners share nothing into forums).
        world.create_many(
            f"{org}.partner-reporter",
            "leads",
            [
                (f"{org}/partner/green/leads", "green", None, (), ()),
                (f"{org}/partner/red/leads", "red", None, (), ()),
            ],
        )
    return world


@pytest.fixture(scope="session")
def world_template(tmp_path_factory: pytest.TempPathFactory) -> tuple[World, Path]:
    """The world built once into a SQLite file; tests get copies of the file (a fresh hub each)."""
    path = tmp_path_factory.mktemp("world-template") / "hub.db"
    with Hub.open(Settings(db=str(path))) as hub:
        template = build_world(hub)
    return template, path


@contextmanager
def _sqlite_copy(template: tuple[World, Path], directory: Path) -> Iterator[World]:
    world, path = template
    copy = directory / "hub.db"
    shutil.copyfile(path, copy)
    wal = path.with_name(path.name + "-wal")
    if wal.exists():  # normally checkpointed away when the template hub closed
        shutil.copyfile(wal, copy.with_name(copy.name + "-wal"))
    # The store's at-rest key travels with it (a copy without it is refused: see storage/vault.py).
    shutil.copyfile(path.with_name(path.name + ".key"), copy.with_name(copy.name + ".key"))
    with (
        Hub.open(Settings(db=str(copy))) as hub,
        TestClient(create_app(hub=hub), raise_server_exceptions=False) as client,
    ):
        yield world.over(hub, client)


@pytest.fixture(scope="module")
def matrix_world(
    world_template: tuple[World, Path], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[World]:
    """The world on SQLite, one per module: only for tests that change nothing (or must change nothing)."""
    with _sqlite_copy(world_template, tmp_path_factory.mktemp("world")) as world:
        yield world


@pytest.fixture(params=["sqlite", "postgresql"])
def world(
    request: pytest.FixtureRequest, world_template: tuple[World, Path], tmp_path: Path
) -> Iterator[World]:
    """A fresh world for each test, on every backend: a copy of the template on SQLite; built anew in a
    schema of its own on PostgreSQL (when ``FIMIHUB_TEST_DATABASE_URL`` is set)."""
    if request.param == "sqlite":
        with _sqlite_copy(world_template, tmp_path) as world:
            yield world
        return
    base = os.environ.get(PG_ENV)
    if not base:
        pytest.skip(
            f"PostgreSQL backend: set {PG_ENV} to run (e.g. postgresql://postgres@127.0.0.1:5432/test)"
        )
    for url in _pg_schema(base):
        with Hub.open(Settings(db=url)) as hub:
            built = build_world(hub)
            with TestClient(create_app(hub=hub), raise_server_exceptions=False) as client:
                yield built.over(hub, client, "postgresql")


def unknown_id(kind: str) -> str:
    """An id of the right form that names nothing."""
    return f"{kind.rstrip('s')}--{uuid.uuid4()}"


def same_shape(answer_a: Any, id_a: str, answer_b: Any, id_b: str) -> bool:
    """Whether two answers are the same but for the id each names (status, body and header names)."""
    if answer_a.status_code != answer_b.status_code:
        return False
    if answer_a.text.replace(id_a, "<ID>") != answer_b.text.replace(id_b, "<ID>"):
        return False
    skip = {"content-length", "date"}
    return {k.lower() for k in answer_a.headers} - skip == {k.lower() for k in answer_b.headers} - skip
