"""Secrets are never logged: a real ``fimihub serve`` at DEBUG, used with every kind of secret the hub
handles, writes none of them to its log, and the audit log records none of them either.

The secrets: API tokens (good, minted, wrong, and one sent without a scheme), the console's sign-in form
and cookie, TAXII's HTTP Basic password, a forum's pseudonymisation key (which the API hands to members),
a peer's credentials, and the hub's own signing key.
"""

from __future__ import annotations

import base64
import os
import sys
from pathlib import Path

import httpx
import orjson

from fimihub import Hub, Settings
from fimihub.exchange.peers import Credentials, Peer
from tests.servers import free_port, started, stop

PEER_SECRET = "peer-secret-0f3b9a77c1"
WRONG_TOKEN = "fhk_not-a-real-token-6d1c0e"


def _seed(db: Path) -> dict[str, str]:
    """A hub with an admin, a forum and a peer; the secrets to look for, by name."""
    with Hub.open(Settings(db=str(db))) as hub:
        op = hub.operator("test")
        org = hub.admin.create_organisation(op, name="Platform A", kind="platform", platforms=["x"])
        forum = hub.admin.create_forum(op, name="F", member_orgs=[org.id], default_tlp="green")
        admin = hub.admin.create_member(op, org_id=org.id, name="admin", roles=["admin", "analyst"])
        token = hub.admin.issue_token(op, admin.id).secret
        peer = Peer.build(
            "peer-b",
            "https://hub-b.example/taxii2/api/",
            [f"remote-1={forum.id}"],
            owner_org=org.id,
            credentials=Credentials(scheme="basic", user="hub-a", secret=PEER_SECRET),
        )
        hub.peers.add(op, peer)
        forum_key = hub.keys.forum_key(hub.admin.actor(admin.id), forum.id).secret
        with hub.store.unit_of_work(read_only=True) as uow:
            signing = uow.peers.signing_key().hex()
    return {"token": token, "forum": forum.id, "forum_key": forum_key, "signing_key": signing}


def test_a_server_at_debug_logs_no_secret(tmp_path: Path) -> None:
    db = tmp_path / "hub.db"
    seeded = _seed(db)
    token = seeded["token"]
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = tmp_path / "serve.log"
    env = {**os.environ, "FIMIHUB_LOG_LEVEL": "DEBUG", "FIMIHUB_RATE_LIMIT_PER_MINUTE": "0"}
    command = [sys.executable, "-m", "fimihub.cli", "serve", "--db", str(db), "--port", str(port)]
    server = started(command, base + "/taxii2/", env, log)
    minted = ""
    try:
        bearer = {"Authorization": f"Bearer {token}"}
        assert httpx.get(base + "/api/v1/whoami", headers=bearer).status_code == 200
        key = httpx.get(f"{base}/api/v1/forums/{seeded['forum']}/key", headers=bearer)
        assert key.status_code == 200 and key.json()["key"] == seeded["forum_key"]
        issued = httpx.post(
            base + "/api/v1/tokens", headers=bearer, json={"name": "second", "scopes": ["read"]}
        )
        assert issued.status_code == 201
        minted = issued.json()["secret"]
        assert httpx.get(
            base + "/api/v1/operations", headers={"Authorization": f"Bearer {minted}"}
        ).is_success
        # Refused credentials: a wrong token, a token without its scheme, a wrong Basic password.
        wrong = {"Authorization": f"Bearer {WRONG_TOKEN}"}
        assert httpx.get(base + "/api/v1/whoami", headers=wrong).status_code == 401
        assert httpx.get(base + "/api/v1/whoami", headers={"Authorization": token}).status_code == 401
        basic = base64.b64encode(f"analyst:{token}".encode()).decode()
        assert httpx.get(base + "/taxii2/", headers={"Authorization": f"Basic {basic}"}).status_code == 200
        # The console: the sign-in form, then the cookie it sets.
        with httpx.Client(base_url=base, headers={"Origin": base}) as browser:
            signed_in = browser.post("/login", data={"token": token})
            assert signed_in.status_code in (200, 303)
            assert browser.get("/").status_code == 200
            assert browser.post("/login", data={"token": WRONG_TOKEN}).status_code == 401
    finally:
        stop(server)
    logged = log.read_text(errors="replace")
    # The log is written, at DEBUG: every request is in it (so the checks below mean something).
    assert "/api/v1/whoami" in logged and "/login" in logged and "DEBUG" in logged.upper()
    secrets = {**{k: v for k, v in seeded.items() if k != "forum"}, "minted": minted, "wrong": WRONG_TOKEN}
    secrets["peer"] = PEER_SECRET
    for name, secret in secrets.items():
        assert secret and secret not in logged, f"the {name} is in the server's log"
        assert secret.lower() not in logged.lower(), f"the {name} is in the server's log (case folded)"

    with Hub.open(Settings(db=str(db))) as hub:
        events = hub.audit.events(hub.operator("test"), limit=10_000)
    audited = orjson.dumps([event.model_dump(mode="json") for event in events]).decode()
    assert '"token.issue"' in audited  # the minting is audited, without the secret
    for name, secret in secrets.items():
        assert secret not in audited, f"the {name} is in the audit log"
