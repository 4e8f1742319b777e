"""``fimihub demo`` seeds a hub from the simulator; served over real HTTP, it answers authenticated calls."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from fimihub.cli import main


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str]]:
    folder = tmp_path_factory.mktemp("demo")
    db, token_file = folder / "demo.db", folder / "token"
    assert main(["demo", "--no-serve", "--db", str(db), "--token-file", str(token_file)]) == 0
    yield db, token_file.read_text().strip()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_demo_seeds_once_and_reissues_a_token(
    demo_db: tuple[Path, str], capsys: pytest.CaptureFixture[str]
) -> None:
    db, _ = demo_db
    capsys.readouterr()
    assert main(["demo", "--no-serve", "--db", str(db)]) == 0
    out = capsys.readouterr().out
    assert "already seeded" in out and "fhk_" in out
    assert main(["audit", "verify", "--db", str(db)]) == 0


def test_served_demo_answers_authenticated_calls(demo_db: tuple[Path, str]) -> None:
    db, token = demo_db
    port = free_port()
    env = {**os.environ, "FIMIHUB_LOG_LEVEL": "WARNING"}
    server = subprocess.Popen(
        [sys.executable, "-m", "fimihub.cli", "serve", "--db", str(db), "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                httpx.get(base + "/", timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        headers = {"Authorization": f"Bearer {token}"}
        assert httpx.get(base + "/api/v1/operations").status_code == 401
        operations = httpx.get(base + "/api/v1/operations", headers=headers).json()["items"]
        assert len(operations) >= 3
        assert all(op["status"] == "disrupted" for op in operations)
        signals = httpx.get(base + "/api/v1/signals?kind=domain", headers=headers).json()["items"]
        assert signals and all(s["kind"] == "domain" for s in signals)
        url = httpx.get(base + "/api/v1/signals?kind=url&limit=1", headers=headers).json()["items"][0][
            "value"
        ]
        item = {"kind": "url", "value": url.replace("https://", "hxxps://").replace(".", "[.]", 1)}
        answer = httpx.post(base + "/api/v1/match", json={"items": [item]}, headers=headers).json()
        assert {m["kind"] for m in answer["items"][0]["matches"]} >= {"url", "domain"}
        console = httpx.get(base + "/", cookies={"fimihub_token": token})
        assert console.status_code == 200 and operations[0]["name"] in console.text
    finally:
        server.terminate()
        server.wait(timeout=10)
        assert server.stdout is not None
        server.stdout.close()


def test_demo_queue_opens_with_the_identifier_key_it_wrote(
    demo_db: tuple[Path, str], capsys: pytest.CaptureFixture[str]
) -> None:
    db, _ = demo_db
    key_file = db.parent / "token.identifier-key"
    assert key_file.stat().st_mode & 0o077 == 0
    capsys.readouterr()
    assert main(["member", "list", "--db", str(db)]) == 0
    admin = next(line.split("\t")[0] for line in capsys.readouterr().out.splitlines() if "\tadmin," in line)
    assert main(["matches", "open", "--key-file", str(key_file), "--member", admin, "--db", str(db)]) == 0
    out, err = capsys.readouterr()
    header, *rows = [line.split("\t") for line in out.splitlines()]
    opened = [dict(zip(header, row, strict=True)) for row in rows]
    assert opened and all(r["account_id"] and r["fingerprint_id"] for r in opened)
    assert "another identifier key" not in err
    assert opened[0]["account_id"].encode() not in db.read_bytes()
