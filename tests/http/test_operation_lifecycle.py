"""An operation's life over REST and the command line: moves with why, the fingerprint on entering
monitoring, assessments, and the history its organisation reads (and nobody else)."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from fimihub import Hub, Settings, Signal
from fimihub.cli import main
from fimihub.model import Asset, Fingerprint, Operation
from tests.conftest import Cast
from tests.http.conftest import bearer


def test_an_operation_moves_along_its_life_with_why_and_its_history(cast: Cast, client: TestClient) -> None:
    hub = cast.hub
    auth = bearer(cast, cast.analyst_a.member.id)
    op = hub.create(cast.analyst_a, Operation, {"name": "Doppel", "forum_id": cast.forum_id})
    hub.create(
        cast.analyst_a,
        Signal,
        {"kind": "domain", "value": "doppel-news.example", "operation_id": op.id, "forum_id": cast.forum_id},
    )
    hub.create(
        cast.analyst_a,
        Asset,
        {
            "platform": "x",
            "kind": "account",
            "handle": "x:doppel1",
            "operation_id": op.id,
            "forum_id": cast.forum_id,
        },
    )
    path = f"/api/v1/operations/{op.id}"
    disrupted = client.post(
        f"{path}/status", json={"status": "disrupted", "reason": "takedown 2026-11-30"}, headers=auth
    )
    assert disrupted.status_code == 200, disrupted.text
    assert disrupted.json()["operation"]["status"] == "disrupted" and disrupted.json()["fingerprint"] is None
    watched = client.post(
        f"{path}/status", json={"status": "monitoring", "reason": "watch for a return"}, headers=auth
    )
    assert watched.status_code == 200, watched.text
    fingerprint = watched.json()["fingerprint"]
    assert fingerprint and fingerprint["operation_id"] == op.id
    assert hub.get(cast.analyst_a, Fingerprint, fingerprint["id"]).operation_id == op.id
    assessed = client.post(
        f"{path}/assessment",
        json={
            "attribution": "a marketing firm",
            "attribution_confidence": 70,
            "rationale": "shared ad account",
        },
        headers=auth,
    )
    assert assessed.status_code == 200 and assessed.json()["attribution_confidence"] == 70
    items = client.get(f"{path}/history", headers=auth).json()["items"]
    assert [i["what"] for i in items] == ["created", "status", "status", "assessment"]
    assert items[1]["detail"] == {"from": "investigating", "to": "disrupted", "reason": "takedown 2026-11-30"}
    assert items[1]["by"] == cast.analyst_a.member.id
    assert items[3]["detail"]["before"] == {"attribution": "", "attribution_confidence": 0}
    assert items[3]["detail"]["after"] == {"attribution": "a marketing firm", "attribution_confidence": 70}
    assert items[3]["detail"]["rationale"] == "shared ad account"


def test_bad_moves_and_assessments_are_400_and_change_nothing(cast: Cast, client: TestClient) -> None:
    hub = cast.hub
    auth = bearer(cast, cast.analyst_a.member.id)
    op = hub.create(cast.analyst_a, Operation, {"name": "Quiet", "status": "disrupted"})
    path = f"/api/v1/operations/{op.id}"
    cases = [
        ("status", {"status": "disrupted", "reason": "again"}, "status"),  # already there
        ("status", {"status": "investigating", "reason": "back"}, "status"),  # not along its life
        ("status", {"status": "closed"}, "reason"),
        ("status", {"status": "closed", "reason": "  "}, "reason"),
        ("status", {"status": "vanished", "reason": "x"}, "status"),
        ("assessment", {"attribution_confidence": 50}, "rationale"),
        ("assessment", {"attribution_confidence": 150, "rationale": "x"}, "attribution_confidence"),
        ("assessment", {"impact": "high", "rationale": "x"}, "impact"),
        (
            "assessment",
            {"attribution_confidence": 40, "rationale": "x"},
            "attribution_confidence",
        ),  # needs one
    ]
    for route, body, field in cases:
        answer = client.post(f"{path}/{route}", json=body, headers=auth)
        assert answer.status_code == 400, (body, answer.text)
        assert answer.json()["error"]["field"] == field, (body, answer.json())
    assert hub.get(cast.analyst_a, Operation, op.id) == op


def test_only_its_organisation_moves_it_and_reads_its_history(cast: Cast, client: TestClient) -> None:
    hub = cast.hub
    op = hub.create(cast.analyst_a, Operation, {"name": "Shared", "forum_id": cast.forum_id})
    path = f"/api/v1/operations/{op.id}"
    other = bearer(cast, cast.analyst_b.member.id)
    assert client.get(path, headers=other).status_code == 200  # B reads the operation in the forum
    assert (
        client.post(f"{path}/status", json={"status": "closed", "reason": "x"}, headers=other).status_code
        == 403
    )
    assert client.get(f"{path}/history", headers=other).status_code == 404
    reader = bearer(cast, cast.reader_a.member.id)
    assert client.get(f"{path}/history", headers=reader).status_code == 200
    assert (
        client.post(f"{path}/status", json={"status": "closed", "reason": "x"}, headers=reader).status_code
        == 403
    )
    outsider = bearer(cast, cast.analyst_d.member.id)
    assert (
        client.post(f"{path}/status", json={"status": "closed", "reason": "x"}, headers=outsider).status_code
        == 404
    )
    assert hub.get(cast.analyst_a, Operation, op.id).status.value == "investigating"


def test_the_command_line_moves_and_tells_the_history(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(tmp_path / "hub.db")
    with Hub.open(Settings(db=db)) as hub:
        op_ = hub.operator()
        org = hub.admin.create_organisation(op_, name="A", kind="platform")
        ana = hub.admin.create_member(op_, org_id=org.id, name="Ana", roles=["analyst"]).id
        op = hub.create(hub.admin.actor(ana), Operation, {"name": "Lone"})
    assert (
        main(["operation", "move", op.id, "disrupted", "--db", db, "--member", ana, "--reason", "removed"])
        == 0
    )
    assert (
        main(["operation", "move", op.id, "monitoring", "--db", db, "--member", ana, "--reason", "watch"])
        == 0
    )
    out, err = capsys.readouterr()
    assert f"{op.id} monitoring" in out and "no fingerprint was built" in err  # nothing to build it from
    assert (
        main(
            [
                "operation",
                "assess",
                op.id,
                "--db",
                db,
                "--member",
                ana,
                "--confidence",
                "20",
                "--attribution",
                "unknown firm",
                "--rationale",
                "weak",
            ]
        )
        == 0
    )
    assert main(["operation", "history", op.id, "--db", db, "--member", ana]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert any("investigating -> disrupted: removed" in line for line in lines)
    assert any("assessment" in line and "weak" in line for line in lines)
    assert (
        main(["operation", "move", op.id, "investigating", "--db", db, "--member", ana, "--reason", "x"]) == 0
    )
    assert (
        main(["operation", "move", op.id, "investigating", "--db", db, "--member", ana, "--reason", "x"]) == 2
    )
