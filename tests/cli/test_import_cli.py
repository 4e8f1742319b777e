"""`fimihub import …` and `fimihub disclosure …` from the command line: the --json shape, exit codes, messy
files, forums, other organisations' data, and a scan that finds what was imported."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from fimihub.cli import main
from fimihub.model import Operation, Signal
from tests.conftest import Cast

META = Path(__file__).resolve().parents[3] / "shared" / "data" / "peer-disclosures" / "meta"


@pytest.fixture
def meta_files() -> list[Path]:
    if not META.is_dir():
        pytest.skip(f"Meta's indicator files are not here ({META}): the shared test data is absent")
    return sorted(p for p in META.iterdir() if p.suffix in {".csv", ".md"})


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_meta_import_json(cast: Cast, meta_files: list[Path], capsys: pytest.CaptureFixture[str]) -> None:
    db = cast.hub.settings.db
    member = cast.analyst_a.member.id
    code, out, err = _run(
        capsys,
        "import",
        "meta-threat-research",
        "--db",
        db,
        "--member",
        member,
        "--json",
        *map(str, meta_files),
    )
    assert code == 0, err
    result = json.loads(out)
    assert result["files"] == 4
    assert set(result["imported"]) == {"domain", "handle", "url"}
    assert sum(result["imported"].values()) > 350
    assert all(set(s) == {"file", "line", "reason"} for s in result["skipped"])
    assert all(isinstance(s["line"], int) for s in result["skipped"])
    assert result["overlaps"] == []
    code, out, _ = _run(capsys, "disclosure", "list", "--db", db, "--member", member, "--json")
    listed = json.loads(out)
    assert code == 0 and {d["id"] for d in listed} == set(result["disclosures"])
    code, out, _ = _run(
        capsys, "disclosure", "show", result["disclosures"][0], "--db", db, "--member", member
    )
    assert code == 0 and json.loads(out)["publisher"] == "Meta"


def test_messy_files_are_reported_with_a_meaningful_exit_code(
    cast: Cast, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    binary = tmp_path / "image.csv"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
    latin = tmp_path / "latin.csv"
    latin.write_bytes("Indicator \r\ncaf\xe9-news[.]fr\r\n,\r\nnot an indicator\r\n".encode("cp1252"))
    db, member = cast.hub.settings.db, cast.analyst_a.member.id
    code, out, err = _run(
        capsys, "import", "meta-threat-research", "--db", db, "--member", member, "--json",
        str(empty), str(binary), str(latin), str(tmp_path / "missing.csv"),
    )  # fmt: skip
    assert code == 2
    assert "3 files of 4 not imported" in err
    result = json.loads(out)
    assert result["files"] == 1 and result["imported"] == {"domain": 1}
    by_file = {Path(s["file"]).name: s for s in result["skipped"]}
    assert by_file["empty.csv"]["line"] is None and "empty" in by_file["empty.csv"]["reason"]
    assert "PNG" in by_file["image.csv"]["reason"]
    assert "does not exist" in by_file["missing.csv"]["reason"]
    assert by_file["latin.csv"]["line"] == 4
    # Nothing crashed and nothing of the refused files is stored.
    with cast.hub.store.unit_of_work(read_only=True) as uow:
        assert uow.count(Signal) == 1


def test_csv_misp_and_stix_imports(cast: Cast, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db, member = cast.hub.settings.db, cast.analyst_a.member.id
    plain = tmp_path / "list.csv"
    plain.write_text("ioc,what,where\nevil-news[.]example,domain,\nsomeone,handle,telegram\n,domain,\n")
    code, out, err = _run(
        capsys, "import", "csv", str(plain), "--db", db, "--member", member, "--json",
        "--column", "value=ioc", "--column", "kind=what", "--column", "platform=where",
        "--publisher", "DFRLab",
    )  # fmt: skip
    assert code == 0, err
    result = json.loads(out)
    assert result["imported"] == {"domain": 1, "handle": 1}
    assert result["skipped"] == [{"file": str(plain), "line": 4, "reason": "no value"}]
    code, _, err = _run(
        capsys, "import", "csv", str(plain), "--db", db, "--member", member, "--column", "value=nope"
    )
    assert code == 2 and "no column 'nope'" in err

    event = tmp_path / "event.json"
    event.write_text(
        json.dumps(
            {
                "Event": {
                    "info": "Fake outlet network",
                    "date": "2025-03-01",
                    "Orgc": {"name": "CERT-X"},
                    "Tag": [
                        {"name": 'misp-galaxy:disarm-techniques="T0049 - Flooding the Information Space"'},
                        {"name": 'misp-galaxy:disarm-techniques="T9999 - Not a technique"'},
                    ],
                    "Attribute": [
                        {"type": "domain", "value": "fake-outlet.example"},
                        {"type": "url", "value": "hxxps://fake-outlet[.]example/story"},
                        {"type": "ip-dst", "value": "203.0.113.9"},
                        {"type": "email-src", "value": "ops@fake-outlet.example"},
                        {"type": "text", "value": "a note"},
                    ],
                    "Object": [
                        {
                            "name": "twitter-account",
                            "Attribute": [
                                {"type": "text", "object_relation": "username", "value": "fake_outlet"}
                            ],
                        }
                    ],
                }
            }
        )
    )
    code, out, err = _run(capsys, "import", "misp", str(event), "--db", db, "--member", member, "--json")
    assert code == 0, err
    result = json.loads(out)
    assert result["imported"] == {"domain": 2, "handle": 1, "url": 1}
    reasons = [s["reason"] for s in result["skipped"]]
    assert any("email-src" in r and "keyed hashes" in r for r in reasons)
    assert any("'text'" in r for r in reasons)
    assert any("T9999" in r for r in reasons)
    disclosure = cast.hub.disclosures.get(cast.analyst_a, result["disclosures"][0])
    assert disclosure.publisher == "CERT-X" and disclosure.title == "Fake outlet network"
    operation = cast.hub.get(cast.analyst_a, Operation, disclosure.operation_ids[0])
    assert operation.techniques == ("T0049",)

    feed = tmp_path / "feed"
    feed.mkdir()
    (feed / "manifest.json").write_text(
        json.dumps({"11111111-1111-4111-8111-111111111111": {}, "22222222-2222-4222-8222-222222222222": {}})
    )
    (feed / "11111111-1111-4111-8111-111111111111.json").write_text(
        json.dumps(
            {"Event": {"info": "one", "Attribute": [{"type": "hostname", "value": "feed-one.example"}]}}
        )
    )
    (feed / "22222222-2222-4222-8222-222222222222.json").write_text("{not json")
    code, out, err = _run(capsys, "import", "misp", str(feed), "--db", db, "--member", member, "--json")
    assert code == 2
    result = json.loads(out)
    assert result["files"] == 1 and result["imported"] == {"domain": 1}
    assert any("not JSON" in s["reason"] for s in result["skipped"])

    bundle = tmp_path / "bundle.json"
    bundle.write_text(
        json.dumps(
            {
                "type": "bundle",
                "id": "bundle--3a8d7d47-64c4-4b43-9a4f-7a4a31d4b1a1",
                "objects": [
                    {
                        "type": "indicator",
                        "spec_version": "2.1",
                        "id": "indicator--0f1bd1f2-4a8b-4bde-8a6e-4e8f7f0f7a01",
                        "created": "2025-01-01T00:00:00.000Z",
                        "modified": "2025-01-01T00:00:00.000Z",
                        "pattern": "[domain-name:value = 'stix-outlet.example']",
                        "pattern_type": "stix",
                        "valid_from": "2025-01-01T00:00:00Z",
                    },
                    {
                        "type": "tool",
                        "spec_version": "2.1",
                        "id": "tool--0f1bd1f2-4a8b-4bde-8a6e-4e8f7f0f7a02",
                        "created": "2025-01-01T00:00:00.000Z",
                        "modified": "2025-01-01T00:00:00.000Z",
                        "name": "a bot kit",
                    },
                ],
            }
        )
    )
    code, out, err = _run(capsys, "import", "stix", str(bundle), "--db", db, "--member", member, "--json")
    assert code == 0, err
    result = json.loads(out)
    assert result["imported"] == {"domain": 1}
    assert any("'tool'" in s["reason"] for s in result["skipped"])
    code, out, err = _run(capsys, "import", "stix", str(plain), "--db", db, "--member", member)
    assert code == 2 and "not JSON" in err


def test_overlaps_and_compare_never_show_another_organisations_private_records(
    cast: Cast, meta_files: list[Path], capsys: pytest.CaptureFixture[str]
) -> None:
    hub = cast.hub
    private = hub.create(cast.analyst_d, Operation, {"name": "D private network"})
    hub.create(
        cast.analyst_d, Signal, {"kind": "handle", "value": "x:afg_review", "operation_id": private.id}
    )
    mine = hub.create(cast.analyst_b, Operation, {"name": "B network"})
    hub.create(cast.analyst_b, Signal, {"kind": "domain", "value": "tahlilroz.com", "operation_id": mine.id})
    iran = next(p for p in meta_files if "Iran" in p.name)
    db = hub.settings.db
    code, out, _ = _run(
        capsys,
        "import",
        "meta-threat-research",
        str(iran),
        "--db",
        db,
        "--member",
        cast.analyst_b.member.id,
        "--json",
    )
    result = json.loads(out)
    assert code == 0
    ids = {o["id"] for o in result["overlaps"]}
    assert mine.id in ids and private.id not in ids
    assert "D private network" not in out
    code, out, _ = _run(
        capsys, "disclosure", "compare", result["disclosures"][0], "--db", db,
        "--member", cast.analyst_b.member.id, "--json",
    )  # fmt: skip
    assert code == 0 and {o["id"] for o in json.loads(out)["overlaps"]} == ids
    # D may not compare (or read) B's private disclosure.
    code, _, err = _run(
        capsys,
        "disclosure",
        "compare",
        result["disclosures"][0],
        "--db",
        db,
        "--member",
        cast.analyst_d.member.id,
    )
    assert code == 3 and "no disclosure" in err
    # Nor import into a forum it is not in.
    code, _, err = _run(
        capsys, "import", "meta-threat-research", str(iran), "--db", db, "--member", cast.analyst_d.member.id,
        "--forum", cast.forum_id,
    )  # fmt: skip
    assert code == 3
