"""`fimihub psi ask|list|answer|decline|result`: private matching from the command line, over a hub's REST API
(served in-process here), with the values read from files that never reach the hub."""

from __future__ import annotations

import json
import stat
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from fimihub import policy
from fimihub.app import create_app
from fimihub.cli import main
from tests.conftest import Cast

HUB = "https://hub.example"


@pytest.fixture
def served(cast: Cast, monkeypatch: pytest.MonkeyPatch) -> Iterator[list[dict[str, object]]]:
    """The CLI's HTTP client talks to the cast's hub in-process; every request body it sends is recorded."""
    app = create_app(hub=cast.hub)
    sent: list[dict[str, object]] = []

    def client(hub_url: str, token: str) -> TestClient:
        assert hub_url == HUB
        test_client = TestClient(app, headers={"Authorization": f"Bearer {token}"})
        original = test_client.request

        def request(method: str, url: str, **kwargs: Any) -> Any:
            sent.append({"method": method, "url": url, "json": kwargs.get("json")})
            return original(method, url, **kwargs)

        test_client.request = request  # type: ignore[method-assign,assignment]
        return test_client

    # fimihub.cli re-exports the `psi` command group under the module's name: reach the module itself.
    monkeypatch.setattr(sys.modules["fimihub.cli.psi"], "_http_client", client)
    yield sent


def _token(cast: Cast, tmp_path: Path, member_id: str) -> Path:
    path = tmp_path / f"{member_id}.token"
    path.write_text(
        cast.hub.admin.issue_token(cast.hub.operator(), member_id).secret + "\n", encoding="utf-8"
    )
    return path


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_ask_answer_result_over_http(
    cast: Cast,
    served: list[dict[str, object]],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    a_token, b_token = (
        _token(cast, tmp_path, cast.analyst_a.member.id),
        _token(cast, tmp_path, cast.analyst_b.member.id),
    )
    ours = tmp_path / "ours.txt"
    ours.write_text(
        "Shared-One.example\nonly-ours.example\nshared-two.example\n\nnot a domain!\n", encoding="utf-8"
    )
    theirs = tmp_path / "theirs.csv"
    theirs.write_text("domain,seen\nshared-one.example,3\nshared-two.example.,1\nonly-theirs.example,9\n")
    hub = ("--hub", HUB)

    code, out, err = _run(
        capsys,
        "psi",
        "ask",
        str(ours),
        "--to",
        cast.org_b,
        "--kind",
        "domain",
        *hub,
        "--token-file",
        str(a_token),
    )
    assert code == 0, err
    session_id = out.strip()
    assert "left out 1 value" in err
    state = tmp_path / f"{session_id}.psi-state.json"
    assert stat.S_IMODE(state.stat().st_mode) == 0o600

    code, out, err = _run(capsys, "psi", "result", session_id, *hub, "--token-file", str(a_token))
    assert code == 7 and "has not answered yet" in err

    code, out, _ = _run(capsys, "psi", "list", "--role", "responder", *hub, "--token-file", str(b_token))
    assert code == 0 and session_id in out and "3 value(s)" in out
    code, _, err = _run(
        capsys,
        "psi",
        "answer",
        session_id,
        str(theirs),
        "--column",
        "domain",
        *hub,
        "--token-file",
        str(b_token),
    )
    assert code == 0, err

    out_file = tmp_path / "common.txt"
    code, out, err = _run(
        capsys, "psi", "result", session_id, *hub, "--token-file", str(a_token), "--out", str(out_file)
    )
    assert code == 0, err
    assert out_file.read_text(encoding="utf-8").splitlines() == ["Shared-One.example", "shared-two.example"]
    assert "2 of your 3 value(s)" in err
    code, out, _ = _run(capsys, "psi", "result", session_id, *hub, "--token-file", str(a_token), "--json")
    assert json.loads(out) == {
        "session": session_id,
        "asked": 3,
        "size": 2,
        "values": ["Shared-One.example", "shared-two.example"],
    }

    # Nothing either side read from its files went to the hub.
    wire = json.dumps(served).lower()
    for value in ("shared-one", "shared-two", "only-ours", "only-theirs"):
        assert value not in wire


def test_account_ids_from_an_export_meet_keyed_hashes_size_only(
    cast: Cast, served: list[dict[str, object]], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    a_token, b_token = (
        _token(cast, tmp_path, cast.analyst_a.member.id),
        _token(cast, tmp_path, cast.analyst_b.member.id),
    )
    export = tmp_path / "export.csv"
    export.write_text(
        "platform,account_id,text\nx,1001,hi\ntwitter,1002,yo\nfacebook,77,hey\n", encoding="utf-8"
    )
    key = cast.hub.keys.forum_key(cast.analyst_b, cast.forum_id).key
    hashes = tmp_path / "hashes.txt"
    hashes.write_text(
        "\n".join(policy.pseudonymise(key, "account_id", v) for v in ("x:1002", "facebook:77", "x:9")),
        encoding="utf-8",
    )
    state = tmp_path / "ask.json"
    common = ("--hub", HUB)
    code, out, err = _run(
        capsys,
        "psi",
        "ask",
        str(export),
        "--column",
        "account_id",
        "--to",
        cast.org_b,
        "--kind",
        "account_id",
        "--size-only",
        "--state",
        str(state),
        *common,
        "--token-file",
        str(a_token),
    )
    assert code == 2 and "name the forum" in err
    code, out, err = _run(
        capsys,
        "psi",
        "ask",
        str(export),
        "--column",
        "account_id",
        "--to",
        cast.org_b,
        "--kind",
        "account_id",
        "--forum",
        cast.forum_id,
        "--size-only",
        "--state",
        str(state),
        *common,
        "--token-file",
        str(a_token),
    )
    assert code == 0, err
    session_id = out.strip()
    code, _, err = _run(
        capsys, "psi", "answer", session_id, str(hashes), *common, "--token-file", str(b_token)
    )
    assert code == 0, err
    code, out, err = _run(
        capsys,
        "psi",
        "result",
        session_id,
        "--state",
        str(state),
        *common,
        "--token-file",
        str(a_token),
        "--json",
    )
    assert code == 0, err
    assert json.loads(out) == {"session": session_id, "asked": 3, "size": 2, "values": None}
    assert "1001" not in json.dumps(served) and "1002" not in json.dumps(served)


def test_decline_and_a_third_organisation(
    cast: Cast, served: list[dict[str, object]], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tokens = {
        m: _token(cast, tmp_path, getattr(cast, m).member.id) for m in ("analyst_a", "analyst_b", "analyst_d")
    }
    values = tmp_path / "v.txt"
    values.write_text("a.example\n", encoding="utf-8")
    state = tmp_path / "s.json"
    common = ("--hub", HUB)
    code, out, err = _run(
        capsys,
        "psi",
        "ask",
        str(values),
        "--to",
        cast.org_b,
        "--kind",
        "domain",
        "--state",
        str(state),
        *common,
        "--token-file",
        str(tokens["analyst_a"]),
    )
    assert code == 0, err
    session_id = out.strip()
    code, _, err = _run(
        capsys, "psi", "answer", session_id, str(values), *common, "--token-file", str(tokens["analyst_d"])
    )
    assert code == 3 and "no psi session" in err
    code, _, _ = _run(
        capsys,
        "psi",
        "decline",
        session_id,
        "--reason",
        "not now",
        *common,
        "--token-file",
        str(tokens["analyst_b"]),
    )
    assert code == 0
    code, _, err = _run(
        capsys,
        "psi",
        "result",
        session_id,
        "--state",
        str(state),
        *common,
        "--token-file",
        str(tokens["analyst_a"]),
    )
    assert code == 7 and "declined: not now" in err


def test_without_the_library_ask_says_how_to_install_it(
    cast: Cast,
    served: list[dict[str, object]],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    values = tmp_path / "v.txt"
    values.write_text("a.example\n", encoding="utf-8")
    monkeypatch.setitem(sys.modules, "private_set_intersection.python", None)
    code, _, err = _run(
        capsys,
        "psi",
        "ask",
        str(values),
        "--to",
        cast.org_b,
        "--kind",
        "domain",
        "--hub",
        HUB,
        "--token-file",
        str(_token(cast, tmp_path, cast.analyst_a.member.id)),
    )
    assert code == 2
    assert err.strip() == "error: psi: private matching needs openmined-psi: pip install 'fimihub[psi]'"
    assert served == []


def test_values_from_a_messy_csv_are_read_not_a_traceback(tmp_path: Path) -> None:
    from fimihub.cli.psi import _rows

    messy = tmp_path / "values.csv"
    messy.write_bytes("value,platform\ncaf\xe9.example,x\nshort\nb.example,x\n".encode("latin-1"))
    rows = _rows(messy, "value")
    assert ("café.example", "x") in rows and ("b.example", "x") in rows
