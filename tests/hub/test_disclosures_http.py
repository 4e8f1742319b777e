"""`POST /api/v1/imports` and `/api/v1/disclosures`: a file posted as text or base64 becomes a disclosure; bad
input is a 4xx naming what is wrong; a token without the write scope, or of another organisation, neither
imports nor reads."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from fimihub.app import create_app
from fimihub.model import Disclosure, Signal
from tests.conftest import Cast
from tests.http.conftest import bearer
from tests.hub.test_disclosure_deletion import _bundle

META = Path(__file__).resolve().parents[3] / "shared" / "data" / "peer-disclosures" / "meta"


@pytest.fixture
def client(cast: Cast) -> Iterator[TestClient]:
    with TestClient(create_app(hub=cast.hub), raise_server_exceptions=False) as c:
        yield c


def _iran() -> str:
    path = META / "Q3_2023_Iran-based_recidivist_CIB_cluster.csv"
    if not path.is_file():
        pytest.skip(f"Meta's indicator files are not here ({META}): the shared test data is absent")
    return path.read_text(encoding="utf-8")


def test_import_list_read_and_overlaps(cast: Cast, client: TestClient) -> None:
    headers = bearer(cast, cast.analyst_a.member.id)
    body = {"format": "meta-threat-research", "name": "../../Q3_2023_Iran.csv", "content": _iran()}
    answer = client.post("/api/v1/imports", json=body, headers=headers)
    assert answer.status_code == 201, answer.text
    result = answer.json()
    assert result["imported"] == {"domain": 3, "handle": 5}
    assert result["skipped"] == [
        {
            "file": "Q3_2023_Iran.csv",
            "line": 11,
            "reason": "free text, no indicator (kept in the disclosure's summary)",
        }
    ]
    (disclosure_id,) = result["disclosures"]
    listed = client.get("/api/v1/disclosures", headers=headers).json()["items"]
    assert [d["id"] for d in listed] == [disclosure_id]
    one = client.get(f"/api/v1/disclosures/{disclosure_id}", headers=headers).json()
    assert one["files"][0]["name"] == "Q3_2023_Iran.csv" and one["publisher"] == "Meta"
    overlaps = client.get(f"/api/v1/disclosures/{disclosure_id}/overlaps", headers=headers)
    assert overlaps.status_code == 200 and overlaps.json()["overlaps"] == []
    # Another organisation reads nothing of it, and learns nothing of its existence.
    other = bearer(cast, cast.analyst_d.member.id)
    for url in (f"/api/v1/disclosures/{disclosure_id}", f"/api/v1/disclosures/{disclosure_id}/overlaps"):
        assert client.get(url, headers=other).status_code == 404
    assert client.get("/api/v1/disclosures", headers=other).json()["items"] == []


def test_bad_input_is_a_4xx_and_stores_nothing(cast: Cast, client: TestClient) -> None:
    headers = bearer(cast, cast.analyst_a.member.id)
    binary = base64.b64encode(b"\x89PNG\r\n\x1a\n" + bytes(range(256))).decode()
    cases = [
        ({"format": "meta-threat-research", "name": "x.csv", "content_base64": binary}, "PNG"),
        ({"format": "meta-threat-research", "name": "x.csv", "content": ""}, "empty"),
        ({"format": "nope", "name": "x.csv", "content": "Indicator\nevil[.]example\n"}, "unknown format"),
        ({"format": "stix", "name": "x.json", "content": "not json"}, "not JSON"),
        ({"format": "csv", "name": "x.csv", "content_base64": "***"}, "not base64"),
        ({"format": "csv", "name": "x.csv", "content": "a\n1\n", "extra": 1}, "unknown field"),
        ({"format": "csv", "name": "x.csv"}, "content"),
    ]
    for body, says in cases:
        answer = client.post("/api/v1/imports", json=body, headers=headers)
        assert answer.status_code == 400, (body, answer.text)
        assert says in answer.text, (body, answer.text)
    with cast.hub.store.unit_of_work(read_only=True) as uow:
        assert uow.count(Disclosure) == 0 and uow.count(Signal) == 0


def test_tokens_cannot_widen_what_they_may_do(cast: Cast, client: TestClient) -> None:
    body = {"format": "meta-threat-research", "name": "iran.csv", "content": _iran()}
    read_only = bearer(cast, cast.analyst_a.member.id, scopes=["read"])
    assert client.post("/api/v1/imports", json=body, headers=read_only).status_code == 403
    outsider = bearer(cast, cast.analyst_d.member.id)
    into_forum = {**body, "forum_id": cast.forum_id}
    assert client.post("/api/v1/imports", json=into_forum, headers=outsider).status_code == 404
    assert client.post("/api/v1/imports", json=body).status_code == 401
    with cast.hub.store.unit_of_work(read_only=True) as uow:
        assert uow.count(Disclosure) == 0


def test_delete_a_disclosure_over_http(cast: Cast, client: TestClient) -> None:
    analyst = bearer(cast, cast.analyst_a.member.id)
    body = {
        "format": "stix",
        "name": "outlets.json",
        "content": _bundle("one.example").decode(),
        "forum_id": cast.forum_id,
    }
    (disclosure_id,) = client.post("/api/v1/imports", json=body, headers=analyst).json()["disclosures"]
    url = f"/api/v1/disclosures/{disclosure_id}"
    refusals = {
        "read-only token": bearer(cast, cast.analyst_a.member.id, scopes=["read"]),
        "reader of the owner": bearer(cast, cast.reader_a.member.id),
        "another organisation's analyst": bearer(cast, cast.analyst_b.member.id),
    }
    for who, headers in refusals.items():
        answer = client.delete(url, headers=headers)
        assert answer.status_code == 403, (who, answer.text)
    assert client.delete(url, headers=bearer(cast, cast.analyst_d.member.id)).status_code == 404
    assert client.delete(url).status_code == 401
    assert client.get(url, headers=analyst).status_code == 200  # still there

    answer = client.delete(url, headers=analyst)
    assert answer.status_code == 200, answer.text
    assert answer.json()["deleted"] == {"operation": 1, "signal": 1}
    assert client.get(url, headers=analyst).status_code == 404
    assert client.delete(url, headers=analyst).status_code == 404


def test_a_refused_deletion_is_a_conflict_naming_what_rests_on_it(cast: Cast, client: TestClient) -> None:
    analyst = bearer(cast, cast.analyst_a.member.id)
    body = {"format": "stix", "name": "outlets.json", "content": _bundle("one.example").decode()}
    (disclosure_id,) = client.post("/api/v1/imports", json=body, headers=analyst).json()["disclosures"]
    operation_id = cast.hub.disclosures.get(cast.analyst_a, disclosure_id).operation_ids[0]
    own = cast.hub.create(cast.analyst_a, Signal, {"kind": "domain", "value": "mine.example",
                                                   "operation_id": operation_id})  # fmt: skip
    url = f"/api/v1/disclosures/{disclosure_id}"
    answer = client.delete(url, headers=analyst)
    assert answer.status_code == 409 and own.id in answer.json()["error"]["message"]
    forced = client.delete(url, params={"force": "true"}, headers=analyst)
    assert forced.status_code == 200 and forced.json()["kept"] == {"operation": [operation_id]}
