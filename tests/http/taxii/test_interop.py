"""Interoperability: real TAXII clients against real servers, over loopback HTTP.

The same suite runs against ``fimihub serve`` (a SQLite store seeded before it starts) and against OASIS
medallion (its memory backend), the reference server, each started as a process of its own. The clients are
the OASIS ``taxii2client.v21`` and ``stix2.TAXIICollectionSource``, and two scripted clients that behave like
MISP's push (chunked by ``max_content_length``, not waiting, then polling the status) and OpenCTI's poll
(``added_after``, then ``next`` until exhausted). ``docs/taxii.md`` lists where medallion differs.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
import requests
from stix2 import Filter, TAXIICollectionSource
from taxii2client.v21 import ApiRoot, Collection, Server, as_pages

from fimihub import Hub, Settings
from tests.http.taxii.stix import TAXII, domain, indicator
from tests.servers import BIN, free_port, medallion, started, stop

MAX_CONTENT_LENGTH = 64 * 1024


@dataclass(frozen=True)
class Peer:
    """A running TAXII server and the credentials of a client that may read and write its collection."""

    name: str
    discovery: str
    user: str
    password: str

    def server(self) -> Server:
        return Server(self.discovery, user=self.user, password=self.password)

    def root(self) -> ApiRoot:
        root: ApiRoot = self.server().api_roots[0]
        return root

    def collection(self) -> Collection:
        found: Collection = next(c for c in self.root().collections if c.can_write)
        return found


@pytest.fixture(scope="module")
def fimihub_peer(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Peer]:
    home = tmp_path_factory.mktemp("fimihub-serve")
    db = str(home / "hub.db")
    with Hub.open(Settings(db=db)) as hub:
        op = hub.operator("interop")
        org = hub.admin.create_organisation(op, name="Platform A", kind="platform")
        hub.admin.create_forum(op, name="Task-force", member_orgs=[org.id], default_tlp="green")
        member = hub.admin.create_member(op, org_id=org.id, name="sync service", roles=["analyst"])
        secret = hub.admin.issue_token(op, member.id).secret
    port = free_port()
    env = {
        **os.environ,
        "FIMIHUB_MAX_CONTENT_LENGTH": str(MAX_CONTENT_LENGTH),
        "FIMIHUB_LOG_LEVEL": "WARNING",
    }
    command = [str(BIN / "fimihub"), "serve", "--db", db, "--host", "127.0.0.1", "--port", str(port)]
    discovery = f"http://127.0.0.1:{port}/taxii2/"
    process = started(command, discovery, env, home / "serve.log")
    try:
        yield Peer("fimihub", discovery, "misp-sync", secret)
    finally:
        stop(process)


@pytest.fixture(scope="module")
def medallion_peer(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Peer]:
    home = tmp_path_factory.mktemp("medallion")
    collection = "472c94ae-3113-4e3e-a4dd-a9f4ac7471d4"
    users = {"user": "pass"}
    with medallion(home, collection=collection, users=users, max_content_length=MAX_CONTENT_LENGTH) as url:
        yield Peer("medallion", url, "user", "pass")


@pytest.fixture(params=["fimihub", "medallion"])
def peer(request: pytest.FixtureRequest) -> Peer:
    found: Peer = request.getfixturevalue(f"{request.param}_peer")
    return found


def _add(collection: Collection, objects: list[dict[str, Any]]) -> Any:
    status = collection.add_objects(
        {"objects": objects}, wait_for_completion=True, poll_interval=0.1, timeout=10
    )
    assert status.status == "complete" and status.success_count == len(objects), status._raw
    return status


def _ids(objects: list[dict[str, Any]]) -> list[str]:
    return [o["id"] for o in objects]


# -- the OASIS client ----------------------------------------------------------------------------------------


def test_discovery_api_root_and_collections(peer: Peer) -> None:
    server = peer.server()
    assert server.title and len(server.api_roots) == 1 and server.default is server.api_roots[0]
    root = server.api_roots[0]
    assert root.max_content_length == MAX_CONTENT_LENGTH and TAXII in root.versions
    collection = peer.collection()
    assert collection.can_read and collection.can_write
    assert "application/stix+json;version=2.1" in collection.media_types


def test_add_objects_and_get_by_id(peer: Peer) -> None:
    collection = peer.collection()
    obj = indicator()
    status = _add(collection, [obj])
    assert [s["id"] for s in status.successes] == [obj["id"]]
    assert collection.get_object(obj["id"])["objects"] == [obj]


def test_paging_with_as_pages(peer: Peer) -> None:
    collection = peer.collection()
    objects = [indicator() for _ in range(7)]
    _add(collection, objects)
    pages = list(as_pages(collection.get_objects, per_request=3, id=_ids(objects)))
    assert [len(p["objects"]) for p in pages] == [3, 3, 1]
    assert sorted(o["id"] for p in pages for o in p["objects"]) == sorted(_ids(objects))
    manifest_pages = list(as_pages(collection.get_manifest, per_request=4, id=_ids(objects)))
    assert [len(p["objects"]) for p in manifest_pages] == [4, 3]


def test_added_after(peer: Peer) -> None:
    collection = peer.collection()
    early, late = [indicator() for _ in range(2)], [indicator() for _ in range(3)]
    _add(collection, early)
    manifest = collection.get_manifest(id=_ids(early))["objects"]
    watermark = max(m["date_added"] for m in manifest)
    time.sleep(0.01)
    _add(collection, late)
    newer = collection.get_objects(added_after=watermark, id=_ids(early + late))["objects"]
    assert sorted(_ids(newer)) == sorted(_ids(late))


def test_match_filters(peer: Peer) -> None:
    collection = peer.collection()
    v1 = indicator("2024-05-01T12:00:00.000Z")
    v2 = indicator("2024-06-01T12:00:00.000Z", stix_id=v1["id"])
    sco = domain(f"{v1['id'][-12:]}.example")
    _add(collection, [v1, v2, sco])
    ids = [v1["id"], sco["id"]]

    def modified(**filters: Any) -> list[str]:
        found = collection.get_objects(id=v1["id"], **filters).get("objects", [])
        return sorted(o["modified"] for o in found)

    assert modified() == [v2["modified"]]  # the latest version by default
    assert modified(version="first") == [v1["modified"]]
    assert modified(version="all") == [v1["modified"], v2["modified"]]
    assert modified(version=v1["modified"]) == [v1["modified"]]
    assert _ids(collection.get_objects(id=ids, type="domain-name")["objects"]) == [sco["id"]]
    assert len(collection.get_objects(id=ids, spec_version="2.1")["objects"]) == 2


def test_versions_and_manifest(peer: Peer) -> None:
    collection = peer.collection()
    v1 = indicator("2024-05-01T12:00:00.000Z")
    v2 = indicator("2024-06-01T12:00:00.000Z", stix_id=v1["id"])
    _add(collection, [v1, v2])
    assert sorted(collection.object_versions(v1["id"])["versions"]) == [v1["modified"], v2["modified"]]
    records = collection.get_manifest(id=v1["id"], version="all")["objects"]
    assert sorted(r["version"] for r in records) == [v1["modified"], v2["modified"]]
    assert all(r["media_type"] == "application/stix+json;version=2.1" and r["date_added"] for r in records)


def test_stix2_collection_source(peer: Peer) -> None:
    collection = peer.collection()
    v1 = indicator("2024-05-01T12:00:00.000Z")
    v2 = indicator("2024-06-01T12:00:00.000Z", stix_id=v1["id"])
    _add(collection, [v1, v2])
    source = TAXIICollectionSource(collection)
    assert source.get(v1["id"]).modified.isoformat().startswith("2024-06-01T12:00")
    assert len(source.all_versions(v1["id"])) == 2
    found = source.query([Filter("type", "=", "indicator"), Filter("id", "=", v1["id"])])
    assert [o.id for o in found] == [v1["id"]]


# -- what MISP and OpenCTI do --------------------------------------------------------------------------------


def test_misp_style_push_chunked_without_waiting(peer: Peer) -> None:
    root = peer.root()
    collection = peer.collection()
    objects = [indicator(description="influence network " * 40) for _ in range(120)]
    chunks: list[list[dict[str, Any]]] = [[]]
    for obj in objects:  # as many objects as fit under the API root's max_content_length
        if len(json.dumps({"objects": [*chunks[-1], obj]}).encode()) > root.max_content_length:
            chunks.append([])
        chunks[-1].append(obj)
    assert len(chunks) > 1
    statuses = [collection.add_objects({"objects": c}, wait_for_completion=False) for c in chunks]
    succeeded = 0
    for status in statuses:
        for _ in range(50):
            polled = root.get_status(status.id)
            if polled.status == "complete":
                break
            time.sleep(0.1)
        assert polled.status == "complete" and polled.failure_count == 0
        succeeded += polled.success_count
    assert succeeded == len(objects)


def test_opencti_style_poll_until_exhausted(peer: Peer) -> None:
    collection = peer.collection()
    session = requests.Session()
    session.auth = (peer.user, peer.password)
    session.headers["Accept"] = TAXII
    since = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    first = [indicator() for _ in range(11)]
    _add(collection, first)

    def poll(added_after: str) -> tuple[list[str], str]:
        ids: list[str] = []
        params: dict[str, Any] = {"added_after": added_after, "limit": 4}
        last = added_after
        while True:
            response = session.get(collection.objects_url, params=params)
            assert response.status_code == 200, response.text
            body = response.json()
            ids.extend(_ids(body.get("objects", [])))
            last = response.headers.get("X-TAXII-Date-Added-Last", last)
            if not body.get("more"):
                return ids, last
            params = {"added_after": added_after, "limit": 4, "next": body["next"]}

    ids, watermark = poll(since)
    assert ids == _ids(first)
    second = [indicator() for _ in range(5)]
    time.sleep(0.01)
    _add(collection, second)
    assert poll(watermark)[0] == _ids(second)
