"""The safeguards over REST (docs/safeguards.md): approving proposed actions, enforcement on shared signals,
overturn notices listed by subject, the register of government requests, public authorities' reads."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.conftest import Cast
from tests.http.conftest import bearer


def _member(cast: Cast, org_id: str, role: str) -> str:
    return cast.hub.admin.create_member(cast.hub.operator(), org_id=org_id, name=role, roles=[role]).id


def _post(client: TestClient, path: str, body: Any, headers: dict[str, str]) -> Any:
    return client.post(f"/api/v1{path}", json=body, headers=headers)


def test_a_sensitive_action_is_proposed_and_approved_by_a_second_reviewer(
    client: TestClient, cast: Cast
) -> None:
    a = bearer(cast, cast.analyst_a.member.id)
    reviewer = bearer(cast, _member(cast, cast.org_a, "reviewer"))
    asset = _post(
        client, "/assets", {"platform": "x", "kind": "account", "handle": "@j", "sensitive": "journalist"}, a
    )
    assert asset.status_code == 201 and asset.json()["sensitive"] == "journalist"
    action = _post(client, "/actions", {"kind": "remove", "asset_ids": [asset.json()["id"]]}, a)
    assert action.status_code == 201 and action.json()["status"] == "proposed"
    action_id = action.json()["id"]

    own = _post(client, f"/actions/{action_id}/approve", {"note": "mine"}, a)
    assert own.status_code == 403 and "proposed it" in own.json()["error"]["message"]
    taken = client.patch(f"/api/v1/actions/{action_id}", json={"status": "taken"}, headers=a)
    assert taken.status_code == 403
    assert _post(client, f"/actions/{action_id}/approve", {"note": 3}, reviewer).status_code == 400
    assert _post(client, "/actions/action--nope/approve", {}, reviewer).status_code == 404

    approved = client.post(f"/api/v1/actions/{action_id}/approve", headers=reviewer)  # the body is optional
    assert approved.status_code == 200, approved.text
    assert approved.json()["status"] == "approved" and approved.json()["approved_by"]
    assert (
        client.patch(f"/api/v1/actions/{action_id}", json={"status": "taken"}, headers=a).status_code == 200
    )


def test_enforcement_on_a_shared_signal_waits_for_review(client: TestClient, cast: Cast) -> None:
    a = bearer(cast, cast.analyst_a.member.id)
    b = bearer(cast, cast.analyst_b.member.id)
    signal = _post(
        client, "/signals", {"kind": "domain", "value": "lies.example", "forum_id": cast.forum_id}, b
    )
    body = {"kind": "remove", "lead_source": "forum-share", "lead_ref": signal.json()["id"]}
    refused = _post(client, "/actions", body, a)
    assert refused.status_code == 403 and "human review" in refused.json()["error"]["message"]
    _post(client, "/match", {"items": [{"kind": "domain", "value": "lies.example"}], "record": True}, a)
    (match,) = client.get("/api/v1/matches", headers=a).json()["items"]
    assert _post(client, f"/matches/{match['id']}/review", {"status": "confirmed"}, a).status_code == 200
    assert _post(client, "/actions", body, a).status_code == 201


def test_overturn_notices_are_listed_by_subject_to_their_recipient_only(
    client: TestClient, cast: Cast
) -> None:
    hub, op = cast.hub, cast.hub.operator()
    forum = hub.admin.create_forum(
        op, name="Waived", member_orgs=[cast.org_a, cast.org_b, cast.org_c], human_review_required=False
    )
    a = bearer(cast, cast.analyst_a.member.id)
    b = bearer(cast, cast.analyst_b.member.id)
    c = bearer(cast, _member(cast, cast.org_c, "analyst"))
    signal = _post(
        client, "/signals", {"kind": "domain", "value": "o.example", "forum_id": forum.id}, b
    ).json()
    body = {"kind": "remove", "lead_source": "forum-share", "lead_ref": signal["id"]}
    action_a = _post(client, "/actions", body, a).json()
    assert _post(client, "/actions", body, c).status_code == 201
    feedback = _post(client, "/feedback", {"subject_id": action_a["id"], "kind": "overturned"}, a)
    assert feedback.status_code == 201

    def listed(headers: dict[str, str]) -> list[dict[str, Any]]:
        answer = client.get("/api/v1/feedback", params={"subject_id": signal["id"]}, headers=headers)
        return [f for f in answer.json()["items"] if f["purpose"] == "safeguard-notice"]

    (notice,) = listed(c)
    assert notice["owner_org"] == cast.org_c and notice["kind"] == "overturned"
    assert notice["marking"]["tlp"] == "amber+strict" and notice["marking"]["recipient_orgs"] == []
    assert listed(a) == [] and listed(b) == []
    assert client.get(f"/api/v1/feedback/{notice['id']}", headers=b).status_code == 404
    assert client.get(f"/api/v1/actions/{action_a['id']}", headers=a).json()["status"] == "overturned"


def test_the_register_of_government_requests(client: TestClient, cast: Cast) -> None:
    admin = bearer(cast, cast.admin_o.member.id)
    analyst = bearer(cast, cast.analyst_a.member.id)
    request = {
        "authority": "Ministry",
        "legal_basis": "Art. 9 Act",
        "scope": "who shared signal X",
        "reference": "42",
    }
    assert _post(client, "/government-requests", request, analyst).status_code == 403
    logged = _post(client, "/government-requests", request, admin)
    assert logged.status_code == 201, logged.text
    assert logged.json()["decision"] == "refused"
    request_id = logged.json()["id"]
    assert _post(client, "/government-requests", {"authority": "x"}, admin).status_code == 400
    assert client.get("/api/v1/government-requests", headers=analyst).status_code == 403
    path = f"/government-requests/{request_id}/decide"
    assert _post(client, path, {"decision": "disclosed", "justification": "ok"}, analyst).status_code == 403
    blank = _post(client, path, {"decision": "disclosed"}, admin)
    assert blank.status_code == 400 and blank.json()["error"]["field"] == "justification"
    assert _post(client, path, {"decision": "perhaps", "justification": "x"}, admin).status_code == 400
    assert (
        _post(client, "/government-requests/nope/decide", {"decision": "refused"}, admin).status_code == 404
    )
    decided = _post(
        client, path, {"decision": "disclosed", "justification": "court order 17/2025 served"}, admin
    )
    assert decided.status_code == 200 and decided.json()["decision"] == "disclosed"
    (listed,) = client.get("/api/v1/government-requests", headers=admin).json()["items"]
    assert listed["id"] == request_id and [d["decision"] for d in listed["decisions"]] == [
        "refused",
        "disclosed",
    ]
    events = client.get("/api/v1/audit/events", params={"limit": 1000}, headers=admin).json()["items"]
    assert [e["action"] for e in events if e["subject_id"] == request_id] == [
        "government_request.received",
        "government_request.decided",
        "government_request.decided",
    ]


def test_a_public_authority_reads_only_what_its_forum_allows(client: TestClient, cast: Cast) -> None:
    hub, op = cast.hub, cast.hub.operator()
    gov = hub.admin.create_organisation(op, name="Agency", kind="public-authority")
    closed = hub.admin.create_forum(op, name="Closed", member_orgs=[cast.org_b, gov.id], default_tlp="green")
    opened = hub.admin.create_forum(
        op, name="Open", member_orgs=[cast.org_b, gov.id], default_tlp="green", public_authority_access=True
    )
    b = bearer(cast, cast.analyst_b.member.id)
    g = bearer(cast, _member(cast, gov.id, "analyst"))
    hidden = _post(
        client, "/signals", {"kind": "domain", "value": "c.example", "forum_id": closed.id}, b
    ).json()
    shown = _post(
        client, "/signals", {"kind": "domain", "value": "o.example", "forum_id": opened.id}, b
    ).json()
    assert client.get(f"/api/v1/signals/{hidden['id']}", headers=g).status_code == 404
    assert client.get(f"/api/v1/signals/{shown['id']}", headers=g).status_code == 200
    assert [s["id"] for s in client.get("/api/v1/signals", headers=g).json()["items"]] == [shown["id"]]


def test_the_routes_are_in_the_openapi_description(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert "post" in paths["/api/v1/actions/{action_id}/approve"]
    assert {"get", "post"} <= set(paths["/api/v1/government-requests"])
    assert "post" in paths["/api/v1/government-requests/{request_id}/decide"]
