"""Federation over loopback: real ``fimihub serve`` processes, each with its own SQLite store, and OASIS
medallion as a plain TAXII 2.1 peer.

Hub A publishes (and signs); B pulls from A; C pulls from B and trusts A's key without talking to A. A peer
is killed in the middle of a sync and restarted. A hub syncs both ways with medallion.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from fimihub import Hub, Settings
from fimihub.cli import main
from fimihub.exchange.peers import Backoff, Credentials, Peer
from fimihub.exchange.stix import signing
from fimihub.exchange.stix.tombstones import is_deleted
from fimihub.hub.taxii import StixFilters, collection_id_of
from tests.http.taxii.stix import TAXII, domain, indicator
from tests.servers import BIN, free_port, medallion, started, stop

FAST = Backoff(attempts=3, first=0.01, ceiling=0.05)


@dataclass
class Site:
    """One hub's store: its own platform, a forum, and an organisation (with a service member and token) that
    other hubs sign in as; ``process`` while ``fimihub serve`` runs on it."""

    name: str
    home: Path
    db: str
    local_org: str
    peers_org: str
    forum_id: str
    token: str
    port: int = 0
    process: subprocess.Popen[bytes] | None = None
    extra_orgs: dict[str, str] = field(default_factory=dict)

    @property
    def api_root(self) -> str:
        return f"http://127.0.0.1:{self.port}/taxii2/exchange/"

    @property
    def collection(self) -> str:
        return collection_id_of(self.forum_id)

    def hub(self) -> Hub:
        return Hub.open(Settings(db=self.db))

    def serve(self, *, sync_every_s: int = 0) -> None:
        """Serve the store; its scheduled peer syncs only when ``sync_every_s`` is given, so that the tests
        that sync by hand see only their own syncs."""
        self.port = self.port or free_port()
        command = [
            str(BIN / "fimihub"),
            "serve",
            "--db",
            self.db,
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
        ]
        env = {
            **os.environ,
            "FIMIHUB_LOG_LEVEL": "WARNING",
            "FIMIHUB_SYNC_INTERVAL_SECONDS": str(sync_every_s),
        }
        self.process = started(command, self.api_root, env, self.home / f"serve-{time.monotonic_ns()}.log")

    def kill(self) -> None:
        if self.process is not None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait()
            self.process = None

    def stop(self) -> None:
        if self.process is not None:
            stop(self.process)
            self.process = None

    def org_for(self, peer: str) -> str:
        """The local organisation that owns what this hub pulls from ``peer``."""
        if peer not in self.extra_orgs:
            with self.hub() as hub:
                org = hub.admin.create_organisation(hub.operator(), name=f"hub {peer}", kind="platform")
            self.extra_orgs[peer] = org.id
        return self.extra_orgs[peer]

    def publish(self, *objects: dict[str, Any]) -> None:
        with self.hub() as hub:
            hub.taxii.publish(hub.operator(), self.forum_id, list(objects), owner_org=self.local_org)

    def held(self) -> dict[str, list[str]]:
        """Every stored version of every object: id -> sorted versions (duplicates would show twice)."""
        found: dict[str, list[str]] = {}
        with self.hub() as hub:
            filters = StixFilters(versions=("all",))
            while True:
                page = hub.taxii.objects(hub.operator(), self.collection, filters)
                for entry in page.entries:
                    found.setdefault(entry.stix_id, []).append(entry.version)
                if not page.more:
                    break
                filters = StixFilters(versions=("all",), next=page.next)
        return {k: sorted(v) for k, v in found.items()}

    def latest(self, stix_id: str) -> dict[str, Any]:
        with self.hub() as hub:
            page = hub.taxii.object(hub.operator(), self.collection, stix_id)
        return page.entries[-1].body

    def key(self) -> str:
        with self.hub() as hub:
            return hub.signer.hub_key().public_key


def _site(root: Path, name: str) -> Site:
    home = root / name
    home.mkdir()
    db = str(home / "hub.db")
    with Hub.open(Settings(db=db)) as hub:
        op = hub.operator("setup")
        local = hub.admin.create_organisation(op, name=f"Platform {name}", kind="platform")
        others = hub.admin.create_organisation(op, name=f"Hubs syncing with {name}", kind="platform")
        forum = hub.admin.create_forum(
            op, name="Task-force", member_orgs=[local.id, others.id], default_tlp="green"
        )
        member = hub.admin.create_member(op, org_id=others.id, name="federation", roles=["analyst"])
        token = hub.admin.issue_token(op, member.id).secret
    return Site(name, home, db, local.id, others.id, forum.id, token)


def _link(puller: Site, source: Site, *, direction: str = "pull", page_size: int | None = None) -> None:
    """Configure ``source`` as a peer of ``puller``, trusting its key."""
    with puller.hub() as hub:
        hub.peers.add(
            hub.operator(),
            Peer.build(
                f"hub-{source.name}",
                source.api_root,
                [f"{source.collection}={puller.forum_id}"],
                owner_org=puller.org_for(source.name),
                direction=direction,
                credentials=Credentials("bearer", secret=source.token),
                page_size=page_size,
            ),
            keys=[source.key()],
        )


def _sync(site: Site, peer: str, **options: Any) -> Any:
    with site.hub() as hub:
        [report] = hub.peers.sync_all(hub.operator(), [peer], backoff=FAST, **options)
    return report


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Site]]:
    root = tmp_path_factory.mktemp("federation")
    made = {name: _site(root, name) for name in ("a", "b", "c")}
    made["a"].serve()
    made["b"].serve()
    _link(made["b"], made["a"])
    _link(made["c"], made["b"])
    with made["c"].hub() as hub:  # C never talks to A, but trusts its signatures
        hub.peers.trust_key(hub.operator(), made["a"].key(), label="hub a")
    try:
        yield made
    finally:
        for site in made.values():
            site.stop()


def test_pull_from_a_to_b_with_the_command_line(
    sites: dict[str, Site], capsys: pytest.CaptureFixture[str]
) -> None:
    a, b = sites["a"], sites["b"]
    objects = [indicator(), indicator(), domain("pull-test.example")]
    a.publish(*objects)
    assert main(["peer", "sync", "hub-a", "--db", b.db, "--json"]) == 0
    [report] = json.loads(capsys.readouterr().out)
    [link] = report["links"]
    assert report["ok"] and link["direction"] == "pull" and link["rejected"] == []
    assert link["signatures"].get("verified", 0) >= 3 and link["checkpoint_after"]
    for obj in objects:
        assert b.latest(obj["id"]) == a.latest(obj["id"])
        assert (signing.signature_key_id(b.latest(obj["id"])) or "").startswith("ed25519:")
    assert main(["peer", "list", "--db", b.db, "--json"]) == 0
    listed = capsys.readouterr().out
    assert b.token not in listed and a.token not in listed and "bearer (stored)" in listed
    # Nothing new: the next sync starts at the checkpoint and stores nothing.
    again = _sync(b, "hub-a")
    assert again.ok and again.links[0].stored == 0


def test_relay_a_b_c_is_verified_at_c_with_as_key(sites: dict[str, Site]) -> None:
    a, b, c = sites["a"], sites["b"], sites["c"]
    relayed = indicator(description="written at A, relayed by B")
    a.publish(relayed)
    assert _sync(b, "hub-a").ok
    report = _sync(c, "hub-b")
    assert report.ok and report.rejected == []
    assert report.links[0].signatures.get("verified", 0) >= 1
    assert c.latest(relayed["id"]) == a.latest(relayed["id"])


def test_an_object_altered_on_the_way_is_rejected_and_reported(sites: dict[str, Site]) -> None:
    a, b, c = sites["a"], sites["b"], sites["c"]
    honest, forged = indicator(), indicator(name="original")
    a.publish(honest, forged)
    assert _sync(b, "hub-a").ok
    with sqlite3.connect(b.db) as conn:  # someone with access to B's database changes the object
        changed = conn.execute(
            "UPDATE stix_objects SET body = json_set(body, '$.name', 'changed at B') WHERE stix_id = ?",
            (forged["id"],),
        ).rowcount
    assert changed == 1
    report = _sync(c, "hub-b")
    assert report.ok
    assert [(r.id, "altered" in r.reason) for r in report.rejected] == [(forged["id"], True)]
    held = c.held()
    assert honest["id"] in held and forged["id"] not in held


def test_revocation_and_deletion_propagate_a_b_c(sites: dict[str, Site]) -> None:
    a, b, c = sites["a"], sites["b"], sites["c"]
    revoked, deleted, observable = indicator(), indicator(), domain("deleted.example")
    a.publish(revoked, deleted, observable)
    assert _sync(b, "hub-a").ok and _sync(c, "hub-b").ok
    a.publish({**revoked, "modified": "2024-06-01T00:00:00.000Z", "revoked": True})
    with a.hub() as hub:
        for obj in (deleted, observable):
            hub.taxii.delete(hub.operator(), a.collection, obj["id"])
    b_report, c_report = _sync(b, "hub-a"), _sync(c, "hub-b")
    assert b_report.ok and c_report.ok and b_report.rejected == c_report.rejected == []
    for site in (b, c):
        assert site.latest(revoked["id"])["revoked"] is True
        assert site.latest(deleted["id"])["revoked"] is True
        assert is_deleted(site.latest(observable["id"]))
    assert c.latest(deleted["id"]) == a.latest(deleted["id"])


class _KillAfter(httpx.HTTPTransport):
    """Loopback HTTP that kills the peer's server just before the page after ``pages``."""

    def __init__(self, pages: int, kill: Callable[[], None]) -> None:
        super().__init__()
        self.pages, self.kill, self.seen = pages, kill, 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.method == "GET" and request.url.path.endswith("/objects/"):
            self.seen += 1
            if self.seen == self.pages + 1:
                self.kill()
        return super().handle_request(request)


def test_a_served_hub_syncs_on_its_schedule_so_a_retraction_arrives_in_bounded_time(tmp_path: Path) -> None:
    """B's server syncs with A every second by itself: an indicator A publishes, then revokes, reaches B
    (and its revocation follows) with no one running `peer sync`."""
    a, b = _site(tmp_path, "a"), _site(tmp_path, "b")
    a.serve()
    _link(b, a)
    b.serve(sync_every_s=1)
    try:
        shared = indicator()
        a.publish(shared)
        _wait_for(lambda: shared["id"] in b.held(), "the indicator to reach B")
        revoked = {**shared, "modified": "2024-06-01T12:00:00.000Z", "revoked": True}
        a.publish(revoked)
        _wait_for(lambda: b.latest(shared["id"]).get("revoked") is True, "the revocation to reach B")
        assert b.held()[shared["id"]] == sorted([shared["modified"], revoked["modified"]])
    finally:
        b.stop()
        a.stop()


def _wait_for(check: Callable[[], bool], what: str, *, within_s: float = 30.0) -> None:
    deadline = time.monotonic() + within_s
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.2)
    raise AssertionError(f"waited {within_s} s for {what}")


def test_a_peer_killed_mid_sync_converges_after_restart(tmp_path: Path) -> None:
    source, puller = _site(tmp_path, "e"), _site(tmp_path, "f")
    first = [indicator() for _ in range(24)]
    later = [{**o, "modified": "2024-07-01T00:00:00.000Z"} for o in first[:6]]
    source.publish(*first)
    source.publish(*later)
    source.serve()
    try:
        _link(puller, source, page_size=5)
        broken = _sync(puller, "hub-e", transport=_KillAfter(3, source.kill))
        assert not broken.ok and "gave up" in (broken.links[0].error or "")
        assert sum(len(v) for v in puller.held().values()) == 15  # three pages, then nothing
        source.serve()
        report = _sync(puller, "hub-e")
        assert report.ok and report.rejected == []
        assert puller.held() == source.held()
        assert sum(len(v) for v in puller.held().values()) == 30
    finally:
        source.stop()


@pytest.fixture(scope="module")
def medallion_peer(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    home = tmp_path_factory.mktemp("medallion-peer")
    collection = "91a7b528-80eb-42ed-a74d-c6fbd5a26116"
    with medallion(home, collection=collection, users={"sync": "pass"}, max_content_length=4096) as url:
        yield url.removesuffix("taxii2/") + "api1/", collection


def test_pull_from_and_push_to_medallion(tmp_path: Path, medallion_peer: tuple[str, str]) -> None:
    root, collection = medallion_peer
    site = _site(tmp_path, "m")
    theirs = [indicator(description="x" * 800) for _ in range(4)]
    auth = ("sync", "pass")
    headers = {"Accept": TAXII, "Content-Type": TAXII}
    for pair in (theirs[:2], theirs[2:]):  # medallion's max_content_length is small here: two posts
        posted = httpx.post(
            f"{root}collections/{collection}/objects/", json={"objects": pair}, auth=auth, headers=headers
        )
        assert posted.status_code == 202, posted.text
    ours = [indicator(description="y" * 800) for _ in range(5)]
    site.publish(*ours)
    with site.hub() as hub:
        hub.peers.add(
            hub.operator(),
            Peer.build(
                "medallion",
                root,
                [f"{collection}={site.forum_id}"],
                owner_org=site.org_for("medallion"),
                direction="both",
                credentials=Credentials("basic", user="sync", secret="pass"),
                page_size=2,
            ),
        )
    report = _sync(site, "medallion")
    pulled, pushed = report.links
    assert report.ok, report.as_json()
    assert (pulled.direction, pulled.stored, pulled.signatures) == ("pull", 4, {"unsigned": 4})
    assert (pushed.direction, pushed.stored, pushed.echoes, pushed.rejected) == ("push", 5, 4, [])
    held = httpx.get(f"{root}collections/{collection}/objects/", auth=auth, headers={"Accept": TAXII}).json()[
        "objects"
    ]
    assert {o["id"] for o in held} == {o["id"] for o in theirs + ours}
    # Signatures survive the trip through a plain TAXII server.
    assert all(signing.is_signed(o) for o in held if o["id"] in {x["id"] for x in ours})
    # A second sync moves nothing: the pull finds only what it holds (its own objects echoed back), the push
    # starts after its checkpoint.
    again = _sync(site, "medallion")
    assert again.ok and [link.stored for link in again.links] == [0, 0]
    assert set(site.held()) == {o["id"] for o in theirs + ours}
