"""``fimihub gov-request``: log, decide and list requests from public authorities, all in the audit log."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from fimihub.cli import main


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out.strip(), err.strip()


def test_log_decide_and_list(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = str(tmp_path / "hub.db")
    assert run(capsys, "db", "upgrade", "--db", db)[0] == 0
    code, request_id, _ = run(
        capsys,
        "gov-request", "log", "--authority", "Ministry", "--legal-basis", "Art. 3",
        "--scope", "the members of forum F", "--reference", "L-7", "--by", "alice", "--db", db,
    )  # fmt: skip
    assert code == 0 and request_id.startswith("government-request--")
    code, out, _ = run(capsys, "gov-request", "list", "--db", db)
    assert code == 0 and f"{request_id}\t" in out and "\trefused\tMinistry\t" in out

    code, _, err = run(capsys, "gov-request", "decide", request_id, "--decision", "disclosed", "--db", db)
    assert code != 0 and "justification" in err
    code, out, _ = run(
        capsys,
        "gov-request", "decide", request_id, "--decision", "disclosed",
        "--justification", "court order 12/2025 served on the operator", "--json", "--db", db,
    )  # fmt: skip
    assert code == 0 and json.loads(out)["decision"] == "disclosed"
    code, out, _ = run(capsys, "gov-request", "list", "--json", "--db", db)
    (listed,) = json.loads(out)
    assert [(d["decision"], d["by"]) for d in listed["decisions"]] == [
        ("refused", "operator:alice"),
        ("disclosed", "operator:cli"),
    ]
    code, out, _ = run(capsys, "audit", "verify", "--db", db)
    assert code == 0 and out.startswith("ok:")
