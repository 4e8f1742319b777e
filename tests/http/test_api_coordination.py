"""The coordination and resurgence routes: networks of posted rows, fingerprints, and resurgence scans."""

from __future__ import annotations

import json

import pyarrow as pa
import pyarrow.compute as pc
from fastapi.testclient import TestClient

from fimihub.http.api.coordination import rows_table
from fimihub.hub.coordination import detect_coordination
from fimihub.model import Asset, Operation, Signal
from fimihub.sim import WorldConfig, generate
from tests.conftest import Cast
from tests.http.conftest import bearer
from tests.identifiers import register_identifier_keys

ROWS = [
    {"object_id": "t1", "account_id": "a", "content_id": "r1", "timestamp_share": 100},
    {"object_id": "t1", "account_id": "b", "content_id": "r2", "timestamp_share": "110"},
    {"object_id": "t2", "account_id": "a", "content_id": "r3", "timestamp_share": 200},
    {"object_id": "t2", "account_id": "b", "content_id": "r4", "timestamp_share": 230},
    {"object_id": "t2", "account_id": "c", "content_id": "r5", "timestamp_share": "not a time"},
]


def test_detect_posted_rows(cast: Cast, client: TestClient) -> None:
    auth = bearer(cast, cast.analyst_b.member.id)
    answer = client.post("/api/v1/coordination/detect", json={"rows": ROWS, "window_s": 60}, headers=auth)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert [(e["account_1"], e["account_2"], e["weight"]) for e in body["edges"]] == [("a", "b", 2)]
    assert body["communities"][0]["accounts"] == ["a", "b"]
    assert body["communities"][0]["evidence"]
    assert body["dropped"] == {"bad_time": 1}


def test_detect_counts_matched_actions_when_asked(cast: Cast, client: TestClient) -> None:
    """``mode: actions`` gives the QUT toolkit's directed matched-action weights, as the Python API and
    ``fimihub coordination detect --weight actions`` do on the same rows."""
    auth = bearer(cast, cast.analyst_b.member.id)
    rows = [*ROWS, {"object_id": "t1", "account_id": "a", "content_id": "r6", "timestamp_share": 105}]
    answer = client.post(
        "/api/v1/coordination/detect", json={"rows": rows, "window_s": 60, "mode": "actions"}, headers=auth
    )
    assert answer.status_code == 200, answer.text
    expected = detect_coordination(rows_table(rows), window_s=60, mode="actions").edges.to_pylist()
    objects = detect_coordination(rows_table(rows), window_s=60).edges.to_pylist()
    assert answer.json()["edges"] == expected != objects


def test_detect_names_bad_input(cast: Cast, client: TestClient) -> None:
    auth = bearer(cast, cast.analyst_b.member.id)
    cases = [
        ({"rows": []}, "rows"),
        ({"rows": [1]}, "rows.0"),
        ({"rows": [{"object_id": {"x": 1}}]}, "rows.0.object_id"),
        ({"rows": ROWS, "window_s": "soon"}, "window_s"),
        ({"rows": ROWS, "min_weight": 0}, "min_weight"),
        ({"rows": [{"who": "a"}]}, "input"),
        ({"rows": ROWS, "method": "magic"}, "method"),
        ({"rows": ROWS, "mode": "posts"}, "mode"),
    ]
    for body, field in cases:
        answer = client.post("/api/v1/coordination/detect", json=body, headers=auth)
        assert answer.status_code == 400, (body, answer.text)
        assert answer.json()["error"]["field"] == field, answer.json()
    assert client.post("/api/v1/coordination/detect", json={"rows": ROWS}).status_code == 401


def test_fingerprint_and_resurgence_scan(cast: Cast, client: TestClient) -> None:
    world = generate(WorldConfig(seed=8))
    sim_op = world.truth.operations[0]
    op = cast.hub.create(cast.analyst_a, Operation, {"name": sim_op.name, "forum_id": cast.forum_id})
    accounts = world.accounts.to_pylist()
    cast.hub.create_many(
        cast.analyst_a,
        Asset,
        [
            {"operation_id": op.id, "platform": a["platform"], "kind": "account", "handle": a["handle"]}
            | {"forum_id": cast.forum_id}
            for a in accounts
            if a["operation"] == sim_op.id and a["wave"] == 0
        ],
    )
    signals = [{"kind": "domain", "value": d} for d in sim_op.domains] + [
        {"kind": "text", "value": t} for t in sim_op.text_samples
    ]
    cast.hub.create_many(
        cast.analyst_a, Signal, [s | {"operation_id": op.id, "forum_id": cast.forum_id} for s in signals]
    )
    auth_a, auth_b = bearer(cast, cast.analyst_a.member.id), bearer(cast, cast.analyst_b.member.id)
    made = client.post(f"/api/v1/operations/{op.id}/fingerprint", json={}, headers=auth_a)
    assert made.status_code == 201, made.text
    listed = client.get("/api/v1/fingerprints", headers=auth_b).json()["items"]
    assert [f["id"] for f in listed] == [made.json()["id"]]

    returning = {a["account_id"] for a in accounts if a["operation"] == sim_op.id and a["wave"] > 0}
    mask = pc.is_in(world.posts.column("account_id"), value_set=pa.array(sorted(returning)))
    rows = json.loads(json.dumps(world.posts.filter(mask).slice(0, 300).to_pylist(), default=str))
    register_identifier_keys(cast.hub, cast.org_b)  # candidates are queued with their ids sealed to it
    answer = client.post("/api/v1/resurgence/scan", json={"rows": rows}, headers=auth_b)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["fingerprints"] == 1 and body["queued"] == body["flagged"] > 0
    assert all(c["operation"] == op.id for c in body["candidates"])
    assert {c["account_id"] for c in body["candidates"] if c["flagged"]} <= returning
    queue = client.get("/api/v1/matches", headers=auth_b).json()["items"]
    assert len(queue) == body["queued"] and all(m["fingerprint_id"] == made.json()["id"] for m in queue)
    outsider = client.post(
        "/api/v1/resurgence/scan", json={"rows": rows}, headers=bearer(cast, cast.analyst_d.member.id)
    )
    assert outsider.status_code == 400 and outsider.json()["error"]["field"] == "fingerprints"
