"""Private matching over the REST API: a full relay, what the answers hold, who gets 404, expiry and a hub
without the PSI library."""

from __future__ import annotations

import base64
import random
import sys
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from fimihub.matching import psi
from tests.conftest import Cast
from tests.http.conftest import bearer

SESSIONS = "/api/v1/psi/sessions"


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _sets() -> tuple[list[str], list[str], set[str]]:
    rng = random.Random(2024)
    pool = [f"https://{rng.getrandbits(40):010x}.example/p/{i}" for i in range(400)]
    a, b = pool[:150], pool[120:400]
    rng.shuffle(a)
    rng.shuffle(b)
    return a, b, set(pool[120:150])


@pytest.mark.parametrize("reveal", [True, False])
def test_a_full_relay_over_http(client: TestClient, cast: Cast, reveal: bool) -> None:
    a_values, b_values, common = _sets()
    a, b = bearer(cast, cast.analyst_a.member.id), bearer(cast, cast.analyst_b.member.id)
    mine = psi.prepare("url", a_values)
    asked = psi.client_request(mine.items, reveal_intersection=reveal)
    body = {
        "responder_org": cast.org_b,
        "kind": "url",
        "request": _b64(asked.request),
        "reveal_intersection": reveal,
        "note": "a network we removed",
    }
    opened = client.post(SESSIONS, json=body, headers=a)
    assert opened.status_code == 201, opened.text
    session_id = opened.json()["id"]
    assert "request" not in opened.json() and opened.json()["request_items"] == len(mine.items)

    # B finds it among the sessions addressed to it (listings carry no messages), reads it and answers.
    listed = client.get(SESSIONS, params={"role": "responder"}, headers=b).json()
    assert [s["id"] for s in listed["items"]] == [session_id] and "request" not in listed["items"][0]
    assert client.get(SESSIONS, params={"role": "requester"}, headers=b).json()["items"] == []
    full = client.get(f"{SESSIONS}/{session_id}", headers=b).json()
    theirs = psi.prepare(full["kind"], b_values)
    answer = psi.server_answer(
        theirs.items, base64.b64decode(full["request"]), reveal_intersection=full["reveal_intersection"]
    )
    answered = client.post(
        f"{SESSIONS}/{session_id}/answer",
        json={"setup": _b64(answer.setup), "response": _b64(answer.response)},
        headers=b,
    )
    assert answered.status_code == 200, answered.text
    assert answered.json()["status"] == "answered"

    # A fetches the answer and computes the intersection on its side.
    fetched = client.get(f"{SESSIONS}/{session_id}", headers=a)
    result = psi.client_result(
        asked.key,
        base64.b64decode(fetched.json()["setup"]),
        base64.b64decode(fetched.json()["response"]),
        reveal_intersection=reveal,
        items=asked.items,
    )
    assert result.size == len(common)
    if reveal:
        assert set(result.values(mine.originals)) == common
    else:
        assert result.indices is None
    for text in (opened.text, answered.text, fetched.text, str(listed), str(full)):
        for value in a_values + b_values:
            assert value not in text
            assert value.split("/")[2] not in text


def test_a_third_organisation_gets_404(client: TestClient, cast: Cast) -> None:
    a = bearer(cast, cast.analyst_a.member.id)
    asked = psi.client_request(["a.example"])
    body = {"responder_org": cast.org_b, "kind": "domain", "request": _b64(asked.request)}
    session_id = client.post(SESSIONS, json=body, headers=a).json()["id"]
    answer = psi.server_answer(["a.example"], asked.request, reveal_intersection=True)
    for member in (cast.analyst_d, cast.partner_c, cast.admin_o):
        other = bearer(cast, member.member.id)
        assert client.get(f"{SESSIONS}/{session_id}", headers=other).status_code == 404
        sent = {"setup": _b64(answer.setup), "response": _b64(answer.response)}
        assert client.post(f"{SESSIONS}/{session_id}/answer", json=sent, headers=other).status_code == 404
        assert client.post(f"{SESSIONS}/{session_id}/decline", json={}, headers=other).status_code == 404
        assert client.get(SESSIONS, headers=other).json()["items"] == []
    # The asker cannot answer its own question; a read-only token of B cannot either.
    sent = {"setup": _b64(answer.setup), "response": _b64(answer.response)}
    assert client.post(f"{SESSIONS}/{session_id}/answer", json=sent, headers=a).status_code == 403
    read_b = bearer(cast, cast.analyst_b.member.id, scopes=["read"])
    assert client.post(f"{SESSIONS}/{session_id}/answer", json=sent, headers=read_b).status_code == 403
    assert client.get(f"{SESSIONS}/{session_id}", headers=read_b).status_code == 200


def test_declined_and_expired_sessions(client: TestClient, cast: Cast) -> None:
    a, b = bearer(cast, cast.analyst_a.member.id), bearer(cast, cast.analyst_b.member.id)
    asked = psi.client_request(["a.example"])
    body = {"responder_org": cast.org_b, "kind": "domain", "request": _b64(asked.request)}
    first = client.post(SESSIONS, json=body, headers=a).json()["id"]
    second = client.post(SESSIONS, json=body, headers=a).json()["id"]
    declined = client.post(f"{SESSIONS}/{first}/decline", json={"reason": "out of scope"}, headers=b)
    assert declined.json()["status"] == "declined"
    assert client.get(f"{SESSIONS}/{first}", headers=a).json()["decline_reason"] == "out of scope"
    assert client.post(f"{SESSIONS}/{first}/decline", json={}, headers=b).status_code == 409

    now = cast.hub.clock()
    cast.hub.clock = lambda: now + timedelta(days=8)
    gone = client.get(f"{SESSIONS}/{second}", headers=a)
    assert gone.status_code == 404 and "expired" in gone.json()["error"]["message"]
    answer = psi.server_answer(["a.example"], asked.request, reveal_intersection=True)
    sent = {"setup": _b64(answer.setup), "response": _b64(answer.response)}
    assert client.post(f"{SESSIONS}/{second}/answer", json=sent, headers=b).status_code == 404
    assert client.get(SESSIONS, headers=a).json()["items"] == []


def test_bad_bodies_are_400(client: TestClient, cast: Cast) -> None:
    a = bearer(cast, cast.analyst_a.member.id)
    asked = psi.client_request(["a.example"])
    good = {"responder_org": cast.org_b, "kind": "domain", "request": _b64(asked.request)}
    for bad, field in (
        ({**good, "request": "%%%"}, "request"),
        ({**good, "request": _b64(b"\xff\xff junk")}, "request"),
        ({**good, "kind": "text"}, "kind"),
        ({**good, "reveal_intersection": "yes"}, "reveal_intersection"),
        ({k: v for k, v in good.items() if k != "responder_org"}, "responder_org"),
    ):
        answer = client.post(SESSIONS, json=bad, headers=a)
        assert answer.status_code == 400, answer.text
        assert answer.json()["error"]["field"] == field
    assert client.get(SESSIONS, params={"role": "judge"}, headers=a).status_code == 400


def test_a_hub_without_the_library_says_how_to_install_it(
    client: TestClient, cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked = psi.client_request(["a.example"])
    monkeypatch.setitem(sys.modules, "private_set_intersection.python", None)
    body = {"responder_org": cast.org_b, "kind": "domain", "request": _b64(asked.request)}
    answer = client.post(SESSIONS, json=body, headers=bearer(cast, cast.analyst_a.member.id))
    assert answer.status_code == 400
    assert (
        answer.json()["error"]["message"]
        == "psi: private matching needs openmined-psi: pip install 'fimihub[psi]'"
    )
