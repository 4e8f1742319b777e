"""`fimihub disclosure delete`: deletes what an import brought in, exits 7 naming what rests on it, keeps
that with --force, and exits 6 for a member who may not delete."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from fimihub.cli import main
from fimihub.model import Signal
from tests.conftest import Cast
from tests.hub.test_disclosure_deletion import _bundle


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_disclosure_delete(cast: Cast, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db, member = cast.hub.settings.db, cast.analyst_a.member.id
    bundle = tmp_path / "outlets.json"
    bundle.write_bytes(_bundle("one.example", "two.example"))
    code, out, err = _run(capsys, "import", "stix", "--db", db, "--member", member, "--json", str(bundle))
    assert code == 0, err
    (disclosure_id,) = json.loads(out)["disclosures"]
    disclosure = cast.hub.disclosures.get(cast.analyst_a, disclosure_id)
    own = cast.hub.create(cast.analyst_a, Signal, {"kind": "domain", "value": "mine.example",
                                                   "operation_id": disclosure.operation_ids[0]})  # fmt: skip

    reader = cast.reader_a.member.id
    code, _, err = _run(capsys, "disclosure", "delete", disclosure_id, "--db", db, "--member", reader)
    assert code == 6, err
    code, _, err = _run(capsys, "disclosure", "delete", disclosure_id, "--db", db, "--member", member)
    assert code == 7 and own.id in err
    code, out, err = _run(
        capsys, "disclosure", "delete", disclosure_id, "--db", db, "--member", member, "--force", "--json"
    )
    assert code == 0, err
    report = json.loads(out)
    assert report["deleted"] == {"signal": 2} and report["kept"] == {
        "operation": list(disclosure.operation_ids)
    }
    code, _, _ = _run(capsys, "disclosure", "show", disclosure_id, "--db", db, "--member", member)
    assert code == 3
