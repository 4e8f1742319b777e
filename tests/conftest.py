"""Fixtures shared by the suites: a store URL per backend, and a hub with a small cast of members.

Every test that takes ``db_url`` or ``hub`` runs against SQLite, and against PostgreSQL too when
``FIMIHUB_TEST_DATABASE_URL`` is set (each test in a schema of its own, dropped afterwards).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pytest

from fimihub import Hub, Settings
from fimihub.policy import Actor

PG_ENV = "FIMIHUB_TEST_DATABASE_URL"


def _pg_schema(base_url: str) -> Iterator[str]:
    import psycopg

    schema = f"t_{uuid.uuid4().hex[:12]}"
    plain = base_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    sep = "&" if "?" in base_url else "?"
    try:
        yield f"{base_url}{sep}options={quote(f'-csearch_path={schema}')}"
    finally:
        with psycopg.connect(plain, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty store location on each backend."""
    if request.param == "sqlite":
        yield str(tmp_path / "hub.db")
        return
    base = os.environ.get(PG_ENV)
    if not base:
        pytest.skip(
            f"PostgreSQL backend: set {PG_ENV} to run (e.g. postgresql://postgres@127.0.0.1:5432/test)"
        )
    yield from _pg_schema(base)


@pytest.fixture
def hub(db_url: str) -> Iterator[Hub]:
    with Hub.open(Settings(db=db_url)) as the_hub:
        yield the_hub


@dataclass
class Cast:
    """Organisations and members of a small hub: platforms A and B and researcher C share forum F;
    D is outside every forum; O runs the hub."""

    hub: Hub
    forum_id: str
    org_a: str
    org_b: str
    org_c: str
    org_d: str
    analyst_a: Actor
    reader_a: Actor
    analyst_b: Actor
    partner_c: Actor
    analyst_d: Actor
    admin_o: Actor


@pytest.fixture
def cast(hub: Hub) -> Cast:
    op = hub.operator("test")
    operator_org = hub.admin.create_organisation(
        op, name="Hub secretariat", kind="public-authority", operator=True
    )
    a = hub.admin.create_organisation(op, name="Platform A", kind="platform", country="IE", platforms=["x"])
    b = hub.admin.create_organisation(op, name="Platform B", kind="platform", country="NL")
    c = hub.admin.create_organisation(op, name="Research C", kind="researcher")
    d = hub.admin.create_organisation(op, name="Outsider D", kind="fact-checker")
    forum = hub.admin.create_forum(op, name="Task-force", member_orgs=[a.id, b.id, c.id], default_tlp="green")

    def member(org_id: str, *roles: str) -> Actor:
        m = hub.admin.create_member(op, org_id=org_id, name=f"{roles[0]} of {org_id[-4:]}", roles=list(roles))
        return hub.admin.actor(m.id)

    return Cast(
        hub=hub,
        forum_id=forum.id,
        org_a=a.id,
        org_b=b.id,
        org_c=c.id,
        org_d=d.id,
        analyst_a=member(a.id, "analyst"),
        reader_a=member(a.id, "reader"),
        analyst_b=member(b.id, "analyst"),
        partner_c=member(c.id, "partner-reporter"),
        analyst_d=member(d.id, "analyst"),
        admin_o=member(operator_org.id, "admin"),
    )
