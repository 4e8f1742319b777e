"""Joint investigations over REST: a case of the covert-influence and monetisation integrity teams, with its
checklist, tasks, monetisation assets and timeline; each team sees what its role allows; bad input is a 4xx
naming the problem, and changes nothing."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient

from fimihub import Hub
from fimihub.app import create_app
from fimihub.model import STANDARD_CHECKLISTS, Case, CaseType


@dataclass
class Org:
    client: TestClient
    hub: Hub
    cio: dict[str, str]
    money: dict[str, str]
    policy_team: dict[str, str]
    admin: dict[str, str]
    reader: dict[str, str]
    other_org: dict[str, str]
    cio_id: str
    money_id: str
    other_member_id: str
    forum_id: str


@pytest.fixture
def org(hub: Hub) -> Iterator[Org]:
    op = hub.operator("test")
    a = hub.admin.create_organisation(op, name="Platform A", kind="platform")
    b = hub.admin.create_organisation(op, name="Platform B", kind="platform")
    forum = hub.admin.create_forum(op, name="F", member_orgs=[a.id, b.id], default_tlp="green")

    def member(org_id: str, name: str, roles: list[str], team: str = "cio-investigations") -> str:
        return hub.admin.create_member(op, org_id=org_id, name=name, roles=roles, team=team).id

    def bearer(member_id: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {hub.admin.issue_token(op, member_id).secret}"}

    cio = member(a.id, "Cleo", ["analyst"])
    money = member(a.id, "Mona", ["analyst"], "monetisation-integrity")
    other = member(b.id, "Olaf", ["analyst"])
    with TestClient(create_app(hub=hub)) as client:
        yield Org(
            client=client,
            hub=hub,
            cio=bearer(cio),
            money=bearer(money),
            policy_team=bearer(member(a.id, "Pol", ["analyst"], "policy")),
            admin=bearer(member(a.id, "Ada", ["admin"], "engineering")),
            reader=bearer(member(a.id, "Rea", ["reader"])),
            other_org=bearer(other),
            cio_id=cio,
            money_id=money,
            other_member_id=other,
            forum_id=forum.id,
        )


def _open(org: Org, **fields: Any) -> dict[str, Any]:
    answer = org.client.post(
        "/api/v1/cases",
        json={"title": "Ads for a fake news network", "case_type": "joint", **fields},
        headers=org.cio,
    )
    assert answer.status_code == 201, answer.text
    return dict(answer.json())


def test_a_joint_case_runs_from_checklist_to_close_with_its_timeline(org: Org) -> None:
    case = _open(org)
    assert sorted(case["teams"]) == ["cio-investigations", "monetisation-integrity"]
    assert [s["step"] for s in case["checklist"]] == list(STANDARD_CHECKLISTS[CaseType.JOINT])
    path = f"/api/v1/cases/{case['id']}"
    task = org.client.post(
        f"{path}/tasks",
        json={
            "title": "Total the ad spend",
            "assignee": org.money_id,
            "team": "monetisation-integrity",
            "due": "2026-12-20",
        },
        headers=org.cio,
    ).json()["tasks"][0]
    assert task["id"].startswith("task--") and task["due"] == "2026-12-20"
    # The monetisation team works the same case: links the ad accounts and what they spent.
    for amount in (1200.5, 300):
        linked = org.client.post(
            f"{path}/monetisation",
            json={
                "kind": "ad-account",
                "amount": amount,
                "currency": "EUR",
                "period_start": "2026-10-01",
                "period_end": "2026-10-31",
            },
            headers=org.money,
        )
        assert linked.status_code == 200, linked.text
    assert org.client.post(f"{path}/tasks/{task['id']}/done", headers=org.money).status_code == 200
    assert org.client.post(f"{path}/checklist/0/done", headers=org.cio).status_code == 200
    assert (
        org.client.post(f"{path}/notes", json={"text": "Shared with B"}, headers=org.cio).status_code == 200
    )
    closed = org.client.post(f"{path}/close", json={"reason": "network removed"}, headers=org.cio).json()
    assert closed["status"] == "closed"
    stored = org.hub.get(org.hub.operator(), Case, case["id"])
    assert stored.ad_spend == {"EUR": 1500.5}
    assert stored.tasks[0].done and stored.tasks[0].done_by == org.money_id
    assert stored.checklist[0].done and not stored.checklist[1].done
    texts = [entry.text for entry in stored.timeline]
    assert texts[0] == "opened (joint)" and texts[-1] == "closed: network removed"
    assert any(t.startswith("task added: Total the ad spend") for t in texts)
    assert any("ad-account linked, 1,200.50 EUR" in t for t in texts)
    assert all(entry.author for entry in stored.timeline)
    assert org.client.post(f"{path}/close", json={}, headers=org.cio).status_code == 409


def test_each_team_sees_what_its_role_allows(org: Org) -> None:
    cio_only = _open(org, case_type="influence-operation")
    joint = _open(org)
    for headers, expected in ((org.cio, {cio_only["id"], joint["id"]}), (org.money, {joint["id"]})):
        listed = org.client.get("/api/v1/cases", headers=headers).json()["items"]
        assert {c["id"] for c in listed} == expected
    # Another team of the same organisation sees neither; its admin sees both.
    assert org.client.get(f"/api/v1/cases/{cio_only['id']}", headers=org.policy_team).status_code == 404
    assert org.client.get("/api/v1/cases", headers=org.policy_team).json()["items"] == []
    assert org.client.get(f"/api/v1/cases/{joint['id']}", headers=org.admin).status_code == 200
    # The monetisation team cannot act on the case it does not see.
    answer = org.client.post(f"/api/v1/cases/{cio_only['id']}/notes", json={"text": "x"}, headers=org.money)
    assert answer.status_code == 404
    # A reader of a participating team reads but changes nothing.
    assert org.client.get(f"/api/v1/cases/{joint['id']}", headers=org.reader).status_code == 200
    assert (
        org.client.post(
            f"/api/v1/cases/{joint['id']}/notes", json={"text": "x"}, headers=org.reader
        ).status_code
        == 403
    )


def test_a_case_is_shared_with_another_organisation_through_a_forum(org: Org) -> None:
    case = _open(org, case_type="influence-operation")
    assert org.client.get(f"/api/v1/cases/{case['id']}", headers=org.other_org).status_code == 404
    shared = org.client.post(
        f"/api/v1/cases/{case['id']}/share", json={"forum_id": org.forum_id}, headers=org.cio
    )
    assert shared.status_code == 200, shared.text
    assert org.client.get(f"/api/v1/cases/{case['id']}", headers=org.other_org).status_code == 200
    # The other organisation reads it; changing it stays its owner's.
    refused = org.client.post(f"/api/v1/cases/{case['id']}/notes", json={"text": "x"}, headers=org.other_org)
    assert refused.status_code == 403


def test_bad_input_is_a_4xx_naming_the_problem_and_changes_nothing(org: Org) -> None:
    case = _open(org)
    path = f"/api/v1/cases/{case['id']}"
    before = org.hub.get(org.hub.operator(), Case, case["id"])
    outsider = org.client.post(
        f"{path}/tasks", json={"title": "x", "assignee": org.other_member_id}, headers=org.cio
    )
    assert outsider.status_code == 400 and outsider.json()["error"]["field"] == "assignee"
    no_currency = org.client.post(
        f"{path}/monetisation", json={"kind": "payout", "amount": 10}, headers=org.cio
    )
    assert no_currency.status_code == 400 and "currency" in no_currency.text
    backwards = org.client.post(
        f"{path}/monetisation",
        json={"kind": "payout", "period_start": "2026-02-01", "period_end": "2026-01-01"},
        headers=org.cio,
    )
    assert backwards.status_code == 400 and "period_end" in backwards.text
    assert org.client.post(f"{path}/tasks/task--nope/done", headers=org.cio).status_code == 400
    assert org.client.post(f"{path}/checklist/99/done", headers=org.cio).status_code == 400
    unseen = org.client.post(
        f"{path}/monetisation", json={"kind": "ad-account", "asset_id": "asset--nope"}, headers=org.cio
    )
    assert unseen.status_code == 404
    forged = org.client.post("/api/v1/cases", json={"title": "x", "checklist": []}, headers=org.cio)
    assert forged.status_code == 400 and forged.json()["error"]["field"] == "checklist"
    assert (
        org.client.post(
            "/api/v1/cases", json={"title": "x", "case_type": "heist"}, headers=org.cio
        ).status_code
        == 400
    )
    assert org.hub.get(org.hub.operator(), Case, case["id"]) == before
    assert org.client.post(f"{path}/checklist/1/done", headers=org.cio).status_code == 200
    assert org.client.post(f"{path}/checklist/1/done", headers=org.cio).status_code == 409
