"""``fimihub review``: listing, showing and deciding from the command line, and a flooding signal
quarantined by a scan and released by the operator, with the default rules."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from fimihub.cli import main
from tests.conftest import Cast
from tests.hub.review_world import DAY_ONE, post, share, write_export


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_list_show_and_decide(
    cast: Cast, db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    share(cast)
    b = cast.analyst_b.member.id
    export = write_export(tmp_path / "day1.parquet", DAY_ONE)
    assert main(["scan", str(export), "--db", db_url, "--member", b, "--workers", "1"]) == 0
    out, err = capsys.readouterr()
    assert "7 new matches queued for review in 2 new review items" in out and "held back 1 hits (weak)" in err
    assert (
        main(["review", "list", "--db", db_url, "--member", b, "--min-score", "0.5", "--sort", "score"]) == 0
    )
    out, err = capsys.readouterr()
    header, *rows = [line.split("\t") for line in out.splitlines()]
    assert header[0] == "item" and len(rows) == 2 and "1-2 of 2 matching items" in err
    item = rows[0][0]
    assert main(["review", "show", item, "--db", db_url, "--member", b]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["id"] == item and len(shown["hits"]) == shown["hit_count"] == 5
    # Another organisation's member: not found, nothing said about the item.
    assert main(["review", "show", item, "--db", db_url, "--member", cast.analyst_a.member.id]) == 3
    assert f"no review item {item!r}" in capsys.readouterr().err
    assert main(["review", "decide", item, "--db", db_url, "--member", b, "--reject"]) == 2
    assert "reason" in capsys.readouterr().err
    assert (
        main(["review", "decide", item, "--db", db_url, "--member", b, "--member-state", "DE", "--confirm"])
        == 2
    )
    assert "--member-state" in capsys.readouterr().err
    assert (
        main(["review", "decide", item, "--db", db_url, "--member", b, "--reject", "--reason", "satire"]) == 0
    )
    assert "rejected" in capsys.readouterr().out
    assert main(["review", "feedback", "--db", db_url, "--member", cast.analyst_a.member.id, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["totals"]["false-positive"] == 3


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_a_flood_is_quarantined_and_released(
    cast: Cast, db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shared = share(cast)
    b = cast.analyst_b.member.id
    scan = ["--db", db_url, "--member", b, "--workers", "1", "--json"]
    one = write_export(tmp_path / "one.parquet", [post("1", "p1", urls="https://evil-news.example/x")])
    assert main(["scan", str(one), *scan]) == 0
    rows = [post(str(n), f"f{n}", urls="https://evil-news.example/y") for n in range(1000, 1250)]
    assert main(["scan", str(write_export(tmp_path / "flood.parquet", rows)), *scan]) == 0
    flood = json.loads(capsys.readouterr().out.split("\n}\n")[-2] + "\n}")
    assert flood["quarantined"] == [shared.signals["domain"]] and flood["held"] == {"quarantine": 250}
    assert main(["review", "quarantine", "--db", db_url]) == 0
    (watch,) = json.loads(capsys.readouterr().out)["items"]
    assert watch["spike_accounts"] == 250 and watch["max_accounts"] == 1
    # The scanning member neither sees the sharer's watch nor releases it.
    assert main(["review", "release", watch["signal_id"], "--db", db_url, "--member", b]) == 3
    assert "no watch on signal" in capsys.readouterr().err
    assert main(["review", "release", watch["signal_id"], "--db", db_url, "--note", "checked"]) == 0
    assert "250 review items opened" in capsys.readouterr().out
