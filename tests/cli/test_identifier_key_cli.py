"""``fimihub org identifier-key`` and ``fimihub matches open``: a key pair made on the member's side, and the
review queue read with its sealed ids opened there."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pytest

from fimihub import Hub, Settings, Signal, policy
from fimihub.cli import main
from fimihub.model import Match


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out.strip(), err.strip()


def test_identifier_key_made_here_and_the_queue_opened_with_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(tmp_path / "hub.db")
    with Hub.open(Settings(db=db)) as hub:
        op = hub.operator("test")
        a = hub.admin.create_organisation(op, name="A", kind="platform", platforms=["x"])
        b = hub.admin.create_organisation(op, name="B", kind="platform", platforms=["x"])
        forum = hub.admin.create_forum(op, name="F", member_orgs=[a.id, b.id])
        analyst_a = hub.admin.create_member(op, org_id=a.id, name="a", roles=["analyst"])
        analyst_b = hub.admin.create_member(op, org_id=b.id, name="b", roles=["analyst"])
        hub.create(
            hub.admin.actor(analyst_a.id), Signal, {"kind": "hashtag", "value": "#x1", "forum_id": forum.id}
        )

    key_file = tmp_path / "keys" / "b.key"
    code, out, err = run(capsys, "org", "identifier-key", "--org", b.id, "--out", str(key_file), "--db", db)
    assert code == 0, err
    private = key_file.read_text().strip()
    key_id, public = out.split("\t")
    assert policy.public_key_of(private) == public and policy.identifier_key_id(public) == key_id
    assert key_file.stat().st_mode & 0o777 == 0o600 and private not in out
    # An existing key file is never overwritten, and nothing is registered then.
    code, _, err = run(capsys, "org", "identifier-key", "--org", b.id, "--out", str(key_file), "--db", db)
    assert code != 0 and "exists" in err and key_file.read_text().strip() == private
    # No key file for an organisation that does not exist.
    missing = tmp_path / "nobody.key"
    code, _, _ = run(
        capsys, "org", "identifier-key", "--org", "organisation--nope", "--out", str(missing), "--db", db
    )
    assert code == 3 and not missing.exists()
    with Hub.open(Settings(db=db)) as hub:
        assert hub.admin.organisation(hub.operator(), b.id).identifier_key_id == key_id

    export = tmp_path / "export.csv"
    table = {
        "platform": ["x", "x"],
        "account_id": ["9001", "9002"],
        "post_id": ["p1", "p2"],
        "hashtags": ["x1", ""],
    }
    pacsv.write_csv(pa.table(table), export)
    code, out, err = run(capsys, "scan", str(export), "--member", analyst_b.id, "--db", db, "--workers", "1")
    assert code == 0, err

    code, out, err = run(
        capsys, "matches", "open", "--key-file", str(key_file), "--member", analyst_b.id, "--db", db
    )
    assert code == 0, err
    header, *rows = [line.split("\t") for line in out.splitlines()]
    opened = [dict(zip(header, row, strict=True)) for row in rows]
    assert [(r["platform"], r["account_id"], r["post_id"]) for r in opened] == [("x", "9001", "p1")]

    # The same from a saved answer of GET /api/v1/matches, with no store at all, into a file.
    with Hub.open(Settings(db=db)) as hub:
        items = [m.model_dump(mode="json") for m in hub.list(hub.admin.actor(analyst_b.id), Match).items]
    saved = tmp_path / "queue.json"
    saved.write_text(json.dumps({"items": items}))
    out_file = tmp_path / "opened.csv"
    code, _, err = run(
        capsys, "matches", "open", "--key-file", str(key_file), "--queue", str(saved), "--out", str(out_file)
    )
    assert code == 0, err
    rows = pacsv.read_csv(
        out_file, convert_options=pacsv.ConvertOptions(strings_can_be_null=False)
    ).to_pylist()
    assert [(str(r["account_id"]), r["post_id"]) for r in rows] == [("9001", "p1")]

    # Another organisation's private key opens nothing: the ids stay blank, and it says so.
    other = tmp_path / "other.key"
    other.write_text(policy.new_identifier_key().private_key)
    code, out, err = run(capsys, "matches", "open", "--key-file", str(other), "--queue", str(saved))
    assert code == 0 and "9001" not in out and "sealed to another identifier key" in err


def test_a_public_key_made_elsewhere_and_a_forum_sharing_ids_in_clear(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(tmp_path / "hub.db")
    assert run(capsys, "db", "upgrade", "--db", db)[0] == 0
    code, org_id, _ = run(capsys, "org", "add", "A", "--kind", "platform", "--db", db)
    pair = policy.new_identifier_key()
    code, out, _ = run(
        capsys,
        "org",
        "identifier-key",
        "--org",
        org_id,
        "--public-key",
        pair.public_key,
        "--json",
        "--db",
        db,
    )
    assert code == 0 and json.loads(out)["key_id"] == pair.key_id
    code, _, err = run(capsys, "org", "identifier-key", "--org", org_id, "--db", db)
    assert code == 2 and "--out" in err
    code, out, _ = run(
        capsys, "forum", "add", "Open", "--org", org_id, "--clear-account-ids", "--json", "--db", db
    )
    assert code == 0 and json.loads(out)["clear_account_ids"] is True
