"""The ``fimihub`` command: administration end to end, exit codes, and clear errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa

from fimihub.cli import main
from fimihub.settings import database_url


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out.strip(), err.strip()


def test_administration_end_to_end(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = str(tmp_path / "hub.db")
    assert run(capsys, "db", "upgrade", "--db", db)[0] == 0
    code, org_id, _ = run(
        capsys, "org", "add", "Platform A", "--kind", "platform", "--country", "IE", "--db", db
    )
    assert code == 0 and org_id.startswith("organisation--")
    code, member_id, _ = run(capsys, "member", "add", "Ana", "--org", org_id, "--role", "analyst", "--db", db)
    assert code == 0
    code, forum_id, _ = run(
        capsys, "forum", "add", "Task-force", "--org", org_id, "--tlp", "green", "--db", db
    )
    assert code == 0
    token_file = tmp_path / "token"
    code, out, _ = run(
        capsys, "token", "create", "--member", member_id, "--file", str(token_file), "--db", db
    )
    assert code == 0 and token_file.read_text().startswith("fhk_")
    assert token_file.stat().st_mode & 0o077 == 0
    code, out, _ = run(capsys, "forum", "list", "--json", "--db", db)
    assert json.loads(out)[0]["id"] == forum_id
    code, out, _ = run(capsys, "member", "list", "--org", org_id, "--db", db)
    assert member_id in out
    code, out, _ = run(capsys, "audit", "verify", "--db", db)
    assert code == 0 and out.startswith("ok:")


def test_bad_input_names_the_field(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = str(tmp_path / "hub.db")
    assert run(capsys, "db", "upgrade", "--db", db)[0] == 0
    code, _, err = run(capsys, "org", "add", "X", "--kind", "platform", "--country", "ZZ", "--db", db)
    assert code == 2 and "country" in err
    code, _, err = run(capsys, "org", "add", "X", "--kind", "alien", "--db", db)
    assert code == 2 and "kind" in err
    code, _, err = run(
        capsys, "member", "add", "Ana", "--org", "organisation--nope", "--role", "reader", "--db", db
    )
    assert code == 3 and "organisation" in err


def test_audit_verify_fails_on_tampering(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = str(tmp_path / "hub.db")
    assert run(capsys, "db", "upgrade", "--db", db)[0] == 0
    for name in ("A", "B", "C"):
        run(capsys, "org", "add", name, "--kind", "researcher", "--db", db)
    engine = sa.create_engine(database_url(db))
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE audit_events SET detail = '{}' WHERE seq = 2"))
    engine.dispose()
    code, _, err = run(capsys, "audit", "verify", "--db", db)
    assert code == 4 and "event 2" in err


def test_retention_run(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = str(tmp_path / "hub.db")
    assert run(capsys, "db", "upgrade", "--db", db)[0] == 0
    code, out, _ = run(capsys, "retention", "run", "--json", "--db", db)
    assert code == 0 and sum(json.loads(out).values()) == 0


def test_db_upgrade_and_env_default(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FIMIHUB_DB", str(tmp_path / "env.db"))
    code, _, _ = run(capsys, "db", "upgrade")
    assert code == 0 and (tmp_path / "env.db").exists()


def test_sim_generate_writes_a_world(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import pyarrow.parquet as pq

    from fimihub.sim import EXPORT_COLUMNS, read_truth

    out = tmp_path / "world"
    code, stdout, _ = run(capsys, "sim", "generate", "--seed", "3", "--out", str(out), "--scale", "0.5")
    assert code == 0 and "wrote" in stdout
    posts = pq.read_table(out / "posts.parquet")
    assert list(posts.column_names[: len(EXPORT_COLUMNS)]) == list(EXPORT_COLUMNS)
    truth = read_truth(out / "truth.json")
    assert truth.posts == posts.num_rows and truth.operations
    code, _, err = run(capsys, "sim", "generate", "--seed", "3", "--out", str(out), "--scale", "-1")
    assert code == 2 and "scale" in err


def test_a_suspended_member_cannot_use_its_token_until_reinstated(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from fimihub import Hub, Settings
    from fimihub.errors import AuthenticationError

    db = str(tmp_path / "hub.db")
    assert run(capsys, "db", "upgrade", "--db", db)[0] == 0
    _, org_id, _ = run(capsys, "org", "add", "A", "--kind", "platform", "--db", db)
    _, member_id, _ = run(capsys, "member", "add", "Ana", "--org", org_id, "--role", "analyst", "--db", db)
    token_file = tmp_path / "token"
    run(capsys, "token", "create", "--member", member_id, "--file", str(token_file), "--db", db)
    secret = token_file.read_text().strip()
    code, out, _ = run(capsys, "member", "suspend", member_id, "--db", db)
    assert code == 0 and "suspended" in out
    with Hub.open(Settings.load(db=db)) as hub, pytest.raises(AuthenticationError):
        hub.admin.authenticate(secret)
    code, out, _ = run(capsys, "member", "reinstate", member_id, "--db", db)
    assert code == 0 and "reinstated" in out
    with Hub.open(Settings.load(db=db)) as hub:
        assert hub.admin.authenticate(secret).member.id == member_id
    code, _, err = run(capsys, "member", "suspend", "member--nope", "--db", db)
    assert code == 3 and "member" in err


def test_the_server_socket_says_it_is_tcp_so_connections_get_nodelay() -> None:
    # asyncio sets TCP_NODELAY on accepted connections only for sockets created with IPPROTO_TCP; without
    # it every small answer waits for the client's delayed acknowledgement (40 ms a request).
    import socket

    from fimihub.cli.serve import listen

    sock = listen("127.0.0.1", 0, retry="fimihub serve --port …")
    try:
        assert sock.proto == socket.IPPROTO_TCP
    finally:
        sock.close()
