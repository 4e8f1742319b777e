"""``fimihub demo`` seeds a hub from the simulator; served over real HTTP, it answers authenticated calls."""

from __future__ import annotations

import os
import shlex
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from fimihub import Hub, Settings
from fimihub.app import create_app
from fimihub.cli import cli, main


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


def test_demo_ends_with_commands_that_work_as_printed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    for name in ("FIMIHUB_DB", "FIMIHUB_HOST", "FIMIHUB_PORT", "FIMIHUB_MEMBER", "FIMIHUB_CONFIG"):
        monkeypatch.delenv(name, raising=False)
    runner = CliRunner()
    shown = runner.invoke(cli, ["demo", "--no-serve"])
    assert shown.exit_code == 0, shown.output
    block = shown.stdout.split("Try next:\n", 1)[1]
    facts = dict(line.strip().split(":", 1) for line in block.splitlines()[:3])
    store, member, token = (facts[k].strip().split()[0] for k in ("store", "member", "token"))
    assert store == "fimihub-demo.db" and Path(store).exists()
    assert member.startswith("member--") and token.startswith("fhk_")
    commands = [
        shlex.split(line) for line in block.splitlines() if line.lstrip().startswith(("fimihub ", "curl "))
    ]
    assert [argv[1] for argv in commands if argv[0] == "fimihub"] == ["sim", "scan", "coordination", "serve"]

    for argv in (argv for argv in commands if argv[0] == "fimihub"):
        if argv[1] == "serve":  # not run here: the curl commands are answered in-process below
            assert argv[2:] == ["--db", store, "--host", "127.0.0.1", "--port", "8000"]
            continue
        ran = runner.invoke(cli, argv[1:])
        assert ran.exit_code == 0, (argv, ran.output)
        if argv[1] == "scan":
            assert "matches queued for review" in ran.stdout and f"--member {member}" in shlex.join(argv)
        if argv[1] == "coordination":
            assert " communities" in ran.stdout

    curls = [argv for argv in commands if argv[0] == "curl"]
    assert len(curls) == 2
    with Hub.open(Settings(db=store)) as hub, TestClient(create_app(hub=hub)) as client:
        for argv in curls:
            headers = dict(argv[i + 1].split(": ", 1) for i, arg in enumerate(argv) if arg == "-H")
            body = argv[argv.index("-d") + 1] if "-d" in argv else None
            url = urlsplit(argv[-1])
            assert url.netloc == "127.0.0.1:8000" and headers["Authorization"] == f"Bearer {token}"
            answer = client.request("POST" if body else "GET", url.path, headers=headers, content=body)
            assert answer.status_code == 200, answer.text
            assert answer.json()["items"]


def test_a_port_in_use_is_said_before_anything_is_done(
    demo_db: tuple[Path, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        fresh = tmp_path / "fresh.db"
        assert main(["demo", "--db", str(fresh), "--port", port]) == 2
        err = capsys.readouterr().err
        assert f"127.0.0.1:{port} is already in use" in err and "make demo PORT=" in err
        assert "fimihub demo --port " in err and not fresh.exists()  # refused before the store was made
        assert main(["serve", "--db", str(demo_db[0]), "--port", port]) == 2
        err = capsys.readouterr().err
        assert "is already in use" in err and "fimihub serve --port " in err
        assert "Traceback" not in err
