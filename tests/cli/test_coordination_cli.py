"""``fimihub coordination detect``: on the user's own files, with no hub; the QUT toolkit's weights with
``--weight actions``; a summary that reads well and a file with every community."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

from fimihub import Hub
from fimihub.cli import main
from fimihub.sim import WorldConfig, generate
from tests.coordination.test_qut_equivalence import DATASET, qut_co_retweet


@pytest.fixture
def no_hub(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder with no store, where opening a hub fails the test."""

    def refused(*args: object, **kwargs: object) -> None:
        raise AssertionError("detection opens no hub")

    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(Hub, "open", refused)
    for name in ("FIMIHUB_DB", "FIMIHUB_CONFIG", "FIMIHUB_MEMBER"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path


def write_objects(path: Path, rows: list[tuple[str, str, int]]) -> Path:
    pacsv.write_csv(
        pa.table(
            {
                "object_id": [r[0] for r in rows],
                "account_id": [r[1] for r in rows],
                "content_id": [f"c{i}" for i in range(len(rows))],
                "timestamp_share": [str(r[2]) for r in rows],
            }
        ),
        path,
    )
    return path


def test_detect_needs_no_hub(no_hub: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pq.write_table(generate(WorldConfig(seed=3)).posts, no_hub / "posts.parquet")
    argv = ["coordination", "detect", "posts.parquet", "--window", "120", "--out", "edges.csv"]
    assert main([*argv, "--communities", "communities.csv", "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["edges"] == len(pacsv.read_csv("edges.csv")) > 0
    assert len(summary["communities"]) == len(pacsv.read_csv("communities.csv")) > 0
    assert summary["weight"] == "objects" and summary["dropped"]
    assert all(0 <= c["score"] <= 1 for c in summary["communities"])
    # --db and --member, once needed, are still accepted, and said to be unneeded.
    assert main(["coordination", "detect", "posts.parquet", "--db", "hub.db", "--member", "member--x"]) == 0
    out, err = capsys.readouterr()
    assert " communities" in out and "--db and --member are not needed" in err
    assert not list(no_hub.glob("*.db*"))


@pytest.mark.skipif(not DATASET.exists(), reason=f"the CooRTweet sample data is not at {DATASET}")
def test_weight_actions_gives_the_toolkits_edges(no_hub: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["coordination", "detect", str(DATASET), "--weight", "actions", "--min-weight", "2"]
    assert main([*argv, "--window", "60", "--out", "edges.parquet", "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    edges = pq.read_table("edges.parquet")
    got = set(zip(*(edges.column(c).to_pylist() for c in ("account_1", "account_2", "weight")), strict=True))
    strings = dict.fromkeys(("object_id", "account_id", "content_id"), pa.string())
    objects = pacsv.read_csv(DATASET, convert_options=pacsv.ConvertOptions(column_types=strings))
    expected = qut_co_retweet(objects, no_hub, 60, 2)
    assert summary["weight"] == "actions" and summary["edges"] == len(expected) > 0
    assert got == expected
    # Directed weights have no symmetry or percentile to filter on.
    assert main([*argv, "--min-symmetry", "0.2"]) == 2
    assert "--weight objects only" in capsys.readouterr().err


def test_the_summary_reads_well(no_hub: Path, capsys: pytest.CaptureFixture[str]) -> None:
    one = write_objects(
        no_hub / "one.csv", [("o1", "a", 0), ("o1", "b", 5), ("o2", "a", 100), ("o2", "b", 101)]
    )
    assert main(["coordination", "detect", str(one)]) == 0
    out = capsys.readouterr().out
    assert "4 rows, 4 actions: 1 edge between 2 accounts in 1 community\n" in out
    assert "community 0: 2 accounts, 1 edge, score 0.00, 1970-01-01 00:00 to 1970-01-01 00:01" in out
    assert "most shared: object:o1 (2 accounts)" in out

    # 25 groups of three accounts, each co-acting on two objects of its own: 20 listed, then the rest counted.
    rows = [
        (f"g{g}-{o}", f"g{g}-u{u}", 10_000 * g + 1000 * o + u)
        for g in range(25)
        for o in range(2)
        for u in range(3)
    ]
    many = write_objects(no_hub / "many.csv", rows)
    assert main(["coordination", "detect", str(many), "--method", "components"]) == 0
    lines = capsys.readouterr().out.splitlines()  # after the progress bars
    assert "150 rows, 150 actions: 75 edges between 75 accounts in 25 communities" in lines
    listed = [line for line in lines if line.startswith("  community ")]
    assert len(listed) == 20 and lines[-1] == "  and 5 more (--communities FILE writes them all)"
    # Three accounts that all co-act with each other and with no one else: as coordinated as can be.
    assert all("3 accounts, 3 edges, score 1.00" in line for line in listed)
    assert main(["coordination", "detect", str(many), "--communities", "all.csv"]) == 0
    assert capsys.readouterr().out.splitlines()[-2:] == ["  and 5 more", "written to all.csv"]
    written = pacsv.read_csv("all.csv").to_pylist()
    assert len(written) == 25 and all(r["size"] == 3 and r["score"] == 1.0 for r in written)
    assert written[0]["top_objects"] == "object:g0-0 (3); object:g0-1 (3)"


def test_what_reading_skipped_is_in_the_summary(no_hub: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A short row and a line that is not UTF-8: the network is still found, and the summary names the lines
    (``--json``: ``read``; text: a warning each on stderr)."""
    text = (
        "object_id,account_id,content_id,timestamp_share\n"
        "o1,a,c1,0\n"
        "o1,b,c2,5\n"
        "o2\n"
        "o2,a,c3,100\n"
        "o2,b,c4,101\n"
    )
    messy = no_hub / "messy.csv"
    messy.write_bytes(text.encode() + "o3,caf\xe9,c5,200\n".encode("latin-1"))
    assert main(["coordination", "detect", str(messy), "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["edges"] == 1
    read = summary["read"]
    assert read["skipped"] == 1 and read["skipped_lines"][0]["line"] == 4
    assert read["fallback_lines"] == 1 and read["encoding"] == "utf-8"
    assert main(["coordination", "detect", str(messy)]) == 0
    err = capsys.readouterr().err
    assert "messy.csv: skipped 1 row that could not be read: line 4" in err
