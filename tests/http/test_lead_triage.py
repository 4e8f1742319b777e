"""Lead intake and triage over REST: a partner submits a lead into its forum, each platform triages it once,
the partner sees the status and the public outcome and never the platform's internal detail, duplicates are
linked, and nobody triages what it does not read."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient

from fimihub import Hub, Scope
from fimihub.app import create_app
from fimihub.model import Lead, Operation


@dataclass
class Site:
    client: TestClient
    hub: Hub
    forum_id: str
    partner: dict[str, str]
    analyst_a: dict[str, str]
    analyst_b: dict[str, str]
    reader_a: dict[str, str]
    read_only_a: dict[str, str]
    outsider: dict[str, str]
    org_a: str
    org_b: str
    org_p: str


def _bearer(hub: Hub, member_id: str, scopes: list[Scope] | None = None) -> dict[str, str]:
    return {
        "Authorization": f"Bearer {hub.admin.issue_token(hub.operator(), member_id, scopes=scopes).secret}"
    }


@pytest.fixture
def site(hub: Hub) -> Iterator[Site]:
    op = hub.operator("test")
    a = hub.admin.create_organisation(op, name="Platform A", kind="platform")
    b = hub.admin.create_organisation(op, name="Platform B", kind="platform")
    p = hub.admin.create_organisation(op, name="Fact-checkers P", kind="fact-checker")
    d = hub.admin.create_organisation(op, name="Platform D", kind="platform")
    forum = hub.admin.create_forum(op, name="Elections", member_orgs=[a.id, b.id, p.id], default_tlp="amber")

    def member(org: str, name: str, role: str) -> str:
        return hub.admin.create_member(op, org_id=org, name=name, roles=[role]).id

    partner = member(p.id, "Pia", "partner-reporter")
    ana_a, ana_b = member(a.id, "Ana", "analyst"), member(b.id, "Ben", "analyst")
    with TestClient(create_app(hub=hub)) as client:
        yield Site(
            client=client,
            hub=hub,
            forum_id=forum.id,
            partner=_bearer(hub, partner),
            analyst_a=_bearer(hub, ana_a),
            analyst_b=_bearer(hub, ana_b),
            reader_a=_bearer(hub, member(a.id, "Rea", "reader")),
            read_only_a=_bearer(hub, ana_a, scopes=[Scope.READ]),
            outsider=_bearer(hub, member(d.id, "Dan", "analyst")),
            org_a=a.id,
            org_b=b.id,
            org_p=p.id,
        )


def _lead(site: Site, **fields: Any) -> dict[str, Any]:
    body = {
        "title": "Coordinated pages pushing a fake poll",
        "urls": ["https://www.example-social.test/pages/fakepoll/"],
        "forum_id": site.forum_id,
        **fields,
    }
    answer = site.client.post("/api/v1/leads", json=body, headers=site.partner)
    assert answer.status_code == 201, answer.text
    return dict(answer.json())


def test_a_partners_lead_triaged_into_an_operation_shows_triaged_to_the_partner(site: Site) -> None:
    lead = _lead(site)
    queue = site.client.get("/api/v1/leads/triage", headers=site.analyst_a).json()
    assert [item["id"] for item in queue["items"]] == [lead["id"]] and queue["total"] == 1
    answer = site.client.post(
        f"/api/v1/leads/{lead['id']}/triage",
        json={"new_operation": {"name": "Fake poll network"}, "outcome": "Under investigation"},
        headers=site.analyst_a,
    )
    assert answer.status_code == 200, answer.text
    own = answer.json()
    assert (
        own["source_lead_id"] == lead["id"] and own["status"] == "triaged" and own["owner_org"] == site.org_a
    )
    operation = site.hub.get(site.hub.operator(), Operation, own["operation_id"])
    assert operation.owner_org == site.org_a
    assert (operation.detection_source.value, operation.detection_partner) == ("external", site.org_p)

    seen = site.client.get(f"/api/v1/leads/{lead['id']}", headers=site.partner).json()
    assert seen["status"] == "triaged"
    assert [(o["org_id"], o["status"], o["outcome"]) for o in seen["outcomes"]] == [
        (site.org_a, "triaged", "Under investigation")
    ]
    # Never the platform's internal detail: not the operation, not A's copy of the lead.
    assert own["operation_id"] not in str(seen)
    assert site.client.get(f"/api/v1/leads/{own['id']}", headers=site.partner).status_code == 404
    assert (
        site.client.get(f"/api/v1/operations/{own['operation_id']}", headers=site.partner).status_code == 404
    )
    # Nor does platform B read A's copy; B still has the lead to triage.
    assert site.client.get(f"/api/v1/leads/{own['id']}", headers=site.analyst_b).status_code == 404
    assert [
        i["id"] for i in site.client.get("/api/v1/leads/triage", headers=site.analyst_b).json()["items"]
    ] == [lead["id"]]
    assert site.client.get("/api/v1/leads/triage", headers=site.analyst_a).json()["items"] == []


def test_deciding_twice_is_a_409_and_changes_nothing(site: Site) -> None:
    lead = _lead(site)
    path = f"/api/v1/leads/{lead['id']}/triage"
    assert (
        site.client.post(path, json={"dismiss": "Not on our service"}, headers=site.analyst_a).status_code
        == 200
    )
    before = site.hub.get(site.hub.operator(), Lead, lead["id"])
    again = site.client.post(path, json={"new_operation": {"name": "Late"}}, headers=site.analyst_a)
    assert again.status_code == 409 and "already dismissed" in again.text
    assert site.hub.get(site.hub.operator(), Lead, lead["id"]) == before
    assert site.hub.list(site.hub.operator(), Operation).items == []  # the refused triage opened nothing
    # One dismissal of two recipients: the lead is dismissed until another takes it up.
    assert (
        site.client.get(f"/api/v1/leads/{lead['id']}", headers=site.partner).json()["status"] == "dismissed"
    )
    operation = site.client.post(
        "/api/v1/operations", json={"name": "B's own"}, headers=site.analyst_b
    ).json()
    taken = site.client.post(path, json={"operation_id": operation["id"]}, headers=site.analyst_b)
    assert taken.status_code == 200, taken.text
    assert site.client.get(f"/api/v1/leads/{lead['id']}", headers=site.partner).json()["status"] == "triaged"


def test_bad_decisions_are_400_naming_the_problem(site: Site) -> None:
    lead = _lead(site)
    path = f"/api/v1/leads/{lead['id']}/triage"
    both = site.client.post(
        path, json={"dismiss": "x", "operation_id": "operation--x"}, headers=site.analyst_a
    )
    assert both.status_code == 400 and "exactly one" in both.text
    assert site.client.post(path, json={"escalate": True}, headers=site.analyst_a).status_code == 400
    # Another organisation's operation is no operation to the caller.
    theirs = site.client.post("/api/v1/operations", json={"name": "B's"}, headers=site.analyst_b).json()
    assert (
        site.client.post(path, json={"operation_id": theirs["id"]}, headers=site.analyst_a).status_code == 404
    )
    bad_op = site.client.post(path, json={"new_operation": {"name": ""}}, headers=site.analyst_a)
    assert bad_op.status_code == 400 and "name" in bad_op.text
    assert site.hub.get(site.hub.operator(), Lead, lead["id"]).outcomes == ()


def test_who_may_triage(site: Site) -> None:
    lead = _lead(site)
    path = f"/api/v1/leads/{lead['id']}/triage"
    decision = {"dismiss": "spam"}
    # An organisation outside the forum: the lead does not exist for it.
    assert site.client.post(path, json=decision, headers=site.outsider).status_code == 404
    assert site.client.get("/api/v1/leads/triage", headers=site.outsider).json()["items"] == []
    # A reader, and an analyst's read-only token, read it but do not decide.
    assert site.client.post(path, json=decision, headers=site.reader_a).status_code == 403
    assert site.client.post(path, json=decision, headers=site.read_only_a).status_code == 403
    # The partner does not triage its own lead, nor set its outcomes by hand.
    assert site.client.post(path, json=decision, headers=site.partner).status_code == 403
    forged = site.client.patch(
        f"/api/v1/leads/{lead['id']}",
        json={"outcomes": [{"org_id": site.org_a, "status": "triaged", "at": "2026-01-01T00:00:00Z"}]},
        headers=site.partner,
    )
    assert forged.status_code == 400 and "set by the hub" in forged.text
    assert site.hub.get(site.hub.operator(), Lead, lead["id"]).outcomes == ()


def test_duplicate_leads_are_linked_in_the_queue(site: Site) -> None:
    first = _lead(site)
    second = _lead(site, title="Same pages", urls=["http://example-social.test/pages/fakepoll"])
    other = _lead(site, title="Unrelated", urls=["https://elsewhere.test/x"])
    items = {
        i["id"]: i for i in site.client.get("/api/v1/leads/triage", headers=site.analyst_a).json()["items"]
    }
    assert items[first["id"]]["duplicates"] == [second["id"]]
    assert items[second["id"]]["duplicates"] == [first["id"]]
    assert items[other["id"]]["duplicates"] == []


def test_a_platforms_own_user_report_is_triaged_in_place(site: Site) -> None:
    report = site.client.post(
        "/api/v1/leads",
        json={"title": "User report: spam ring", "urls": ["https://x.test/u/1"]},
        headers=site.analyst_a,
    ).json()
    assert [
        i["id"] for i in site.client.get("/api/v1/leads/triage", headers=site.analyst_a).json()["items"]
    ] == [report["id"]]
    done = site.client.post(
        f"/api/v1/leads/{report['id']}/triage", json={"dismiss": "benign"}, headers=site.analyst_a
    ).json()
    assert done["id"] == report["id"] and done["status"] == "dismissed" and done["reason"] == "benign"
    assert site.client.get("/api/v1/leads/triage", headers=site.analyst_a).json()["items"] == []
