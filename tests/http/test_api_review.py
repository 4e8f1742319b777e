"""The review queue over REST: items with their hits, paging and filters, decisions (one or bulk), what the
sharer learns, quarantine — and what another organisation or a narrower token cannot do."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from fimihub.hub.queueing import QueueRules
from tests.conftest import Cast
from tests.http.conftest import bearer
from tests.hub.review_world import DAY_ONE, Shared, post, share, write_export


@pytest.fixture
def shared(cast: Cast, tmp_path: Path) -> Shared:
    shared = share(cast)
    cast.hub.scan(cast.analyst_b, write_export(tmp_path / "day1.parquet", DAY_ONE))
    return shared


def test_the_queue_lists_items_with_their_hits_and_pages(
    client: TestClient, cast: Cast, shared: Shared
) -> None:
    b = bearer(cast, cast.analyst_b.member.id)
    page = client.get("/api/v1/review/items?limit=1", headers=b).json()
    assert page["total"] == 2 and page["next_offset"] == 1 and page["totals"]["open"] == 2
    (first,) = page["items"]
    assert len(first["hits"]) == 5 and first["priority"] > 0
    assert {h["review_item_id"] for h in first["hits"]} == {first["id"]}
    second = client.get("/api/v1/review/items?limit=1&offset=1&hits=false", headers=b).json()
    assert second["next_offset"] is None and "hits" not in second["items"][0]
    filtered = client.get(
        f"/api/v1/review/items?operation_id={shared.operation_id}&forum_id={cast.forum_id}"
        "&source=scan&kind=account&platform=x&min_score=0.5&max_age_days=2&sort=score",
        headers=b,
    ).json()
    assert filtered["total"] == 2
    one = client.get(f"/api/v1/review/items/{first['id']}", headers=b).json()
    assert one["id"] == first["id"] and len(one["hits"]) == 5
    for bad, field in (("sort=loudest", "sort"), ("kind=person", "kind"), ("status=maybe", "status")):
        answer = client.get(f"/api/v1/review/items?{bad}", headers=b)
        assert answer.status_code == 400 and field in answer.text


def test_confirming_over_the_api_acts_and_tells_the_sharer(
    client: TestClient, cast: Cast, shared: Shared
) -> None:
    b = bearer(cast, cast.analyst_b.member.id)
    first = client.get("/api/v1/review/items", headers=b).json()["items"][0]
    body = {
        "decision": "confirm",
        "action": {"kind": "remove", "lead_source": "forum-share", "member_states": ["IE"]},
    }
    decided = client.post(f"/api/v1/review/items/{first['id']}/decision", json=body, headers=b)
    assert decided.status_code == 200, decided.text
    assert decided.json()["status"] == "confirmed" and decided.json()["action_id"]
    action = client.get(f"/api/v1/actions/{decided.json()['action_id']}", headers=b).json()
    assert action["member_states"] == ["IE"] and action["operation_id"] == shared.operation_id
    a = bearer(cast, cast.analyst_a.member.id)
    summary = client.get("/api/v1/review/feedback", headers=a).json()
    assert summary["totals"]["acted"] == 3 and summary["totals"]["members"] == 1
    again = client.post(f"/api/v1/review/items/{first['id']}/decision", json=body, headers=b)
    assert again.status_code == 409 and "confirmed already" in again.text


def test_bad_decisions_are_4xx_and_change_nothing(client: TestClient, cast: Cast, shared: Shared) -> None:
    b = bearer(cast, cast.analyst_b.member.id)
    ids = [i["id"] for i in client.get("/api/v1/review/items", headers=b).json()["items"]]
    non_eu = {"items": ids, "decision": "confirm", "action": {"kind": "remove", "member_states": ["US"]}}
    answer = client.post("/api/v1/review/decisions", json=non_eu, headers=b)
    assert (
        answer.status_code == 400
        and "'US'" in answer.text
        and answer.json()["error"]["field"] == "action.member_states.0"
    )
    unknown = client.post(
        "/api/v1/review/decisions", json={"items": [*ids, "review-item--x"], "decision": "confirm"}, headers=b
    )
    assert unknown.status_code == 404 and "review-item--x" in unknown.text
    assert (
        client.post(
            "/api/v1/review/decisions", json={"items": ids, "decision": "reject"}, headers=b
        ).status_code
        == 400
    )
    assert (
        client.post(
            "/api/v1/review/decisions", json={"items": "all", "decision": "reject"}, headers=b
        ).status_code
        == 400
    )
    assert client.get("/api/v1/review/items", headers=b).json()["total"] == 2
    assert client.get("/api/v1/actions", headers=b).json()["items"] == []
    bulk = client.post(
        "/api/v1/review/decisions", json={"items": ids, "decision": "reject", "reason": "satire"}, headers=b
    )
    assert bulk.status_code == 200 and {i["status"] for i in bulk.json()["items"]} == {"rejected"}


def test_other_organisations_and_narrow_tokens_are_kept_out(
    client: TestClient, cast: Cast, shared: Shared
) -> None:
    b = bearer(cast, cast.analyst_b.member.id)
    item = client.get("/api/v1/review/items", headers=b).json()["items"][0]
    for outsider in (cast.analyst_a, cast.partner_c, cast.analyst_d, cast.admin_o):
        other = bearer(cast, outsider.member.id)
        page = client.get("/api/v1/review/items?status=all", headers=other).json()
        assert page["items"] == [] and page["total"] == 0 and set(page["totals"].values()) == {0}
        assert client.get(f"/api/v1/review/items/{item['id']}", headers=other).status_code == 404
        decided = client.post(
            f"/api/v1/review/items/{item['id']}/decision",
            json={"decision": "reject", "reason": "x"},
            headers=other,
        )
        assert decided.status_code == 404
    read_only = bearer(cast, cast.analyst_b.member.id, scopes=["read"])
    assert client.get("/api/v1/review/items", headers=read_only).json()["total"] == 2  # reading is allowed
    denied = client.post(
        f"/api/v1/review/items/{item['id']}/decision",
        json={"decision": "reject", "reason": "x"},
        headers=read_only,
    )
    assert denied.status_code == 403
    assert client.get(f"/api/v1/review/items/{item['id']}", headers=b).json()["status"] == "open"
    assert client.get("/api/v1/review/items").status_code == 401


def test_quarantine_is_shown_to_the_sharer_and_released_by_an_admin(
    client: TestClient, cast: Cast, shared: Shared, tmp_path: Path
) -> None:
    cast.hub.queueing.rules = QueueRules(factor=2, floor=4)
    rows = [post(str(n), f"q{n}", urls="https://evil-news.example/flood") for n in range(50, 56)]
    cast.hub.scan(cast.analyst_b, write_export(tmp_path / "flood.parquet", rows))
    a, b = bearer(cast, cast.analyst_a.member.id), bearer(cast, cast.analyst_b.member.id)
    (watch,) = client.get("/api/v1/review/quarantine", headers=a).json()["items"]
    assert watch["signal_id"] == shared.signals["domain"] and watch["held"] == 6
    assert client.get("/api/v1/review/quarantine", headers=b).json()["items"] == []
    release = f"/api/v1/review/quarantine/{watch['signal_id']}/release"
    assert client.post(release, json={}, headers=a).status_code == 403
    assert client.post(release, json={}, headers=b).status_code == 404
    admin = bearer(cast, cast.admin_o.member.id)
    released = client.post(release, json={"note": "checked"}, headers=admin)
    assert released.status_code == 200 and released.json()["opened"] == 6
    assert client.get("/api/v1/review/items", headers=b).json()["total"] == 8
