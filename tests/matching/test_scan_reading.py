"""Reading a platform export for a scan as it comes: streamed batch by batch, other encodings decoded, bad
rows skipped, counted in the scan's ``bad_values`` and named by line; files that are no table refused, also
through ``fimihub scan``."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from fimihub import Signal, ValidationError
from fimihub.cli import main
from fimihub.matching import new_matcher
from fimihub.matching.reading import csvread, diagnosis
from fimihub.matching.scan import UNREADABLE_ROWS, open_export, read_export, scan_export
from tests.conftest import Cast
from tests.identifiers import register_identifier_keys
from tests.storage import samples

PNG = (
    b"\x89PNG\r\n\x1a\n"
    + b"\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
)
HEADER = "platform,account_id,handle,post_id,text,hashtags"


def export(tmp_path: Path, rows: list[str], encoding: str = "utf-8", name: str = "export.csv") -> Path:
    path = tmp_path / name
    path.write_bytes("\n".join([HEADER, *rows]).encode(encoding))
    return path


def messy_rows() -> list[str]:
    """Six good rows, one Latin-1 (line 3), one short (line 5), one with a quote never closed (line 7)."""
    return [
        "x,1,fan,p1,hello,x1",
        "x,2,café,p2,crème brûlée,x1",  # line 3: Latin-1 in the handle, which a scan reads
        "x,3,c,p3,,",
        "x,4",  # line 5
        'x,5,e,p5,"multi\nline text",x1',  # lines 6-7
        'x,6,f,p6,"never closed,x1',  # line 8
        "x,7,g,p7,,x1",
        "x,8,h,p8,,",
    ]


def test_read_export_streams_a_messy_file(tmp_path: Path) -> None:
    path = export(tmp_path, messy_rows(), "latin-1")
    read = open_export(path, columns=["platform", "account_id", "handle", "hashtags"])
    assert read.total is None and read.names == HEADER.split(",")
    rows = [row for batch in read.batches for row in batch.to_pylist()]
    assert [r["account_id"] for r in rows] == ["1", "2", "3", "5", "7", "8"]
    assert rows[1]["handle"] == "café" and set(rows[0]) == {"platform", "account_id", "handle", "hashtags"}
    report = read.report()
    assert report.skipped_lines == (5, 8) and report.skipped_count == 2
    assert report.fallback_lines == (3,) and report.encoding == "utf-8"
    batches, total, names = read_export(path)  # the old shape: batches, row count, columns
    assert sum(b.num_rows for b in batches) == 6 and total is None and "text" in names


def test_lines_not_utf8_in_columns_not_read_need_no_fallback(tmp_path: Path) -> None:
    rows = [f"x,{i},h,p{i},{'plain text ' * 10}," for i in range(2000)] + ["x,2000,h,p,caf\xe9,"]
    read = open_export(export(tmp_path, rows, "latin-1"), columns=["platform", "account_id"])
    assert sum(b.num_rows for b in read.batches) == 2001 and read.report().clean
    read = open_export(export(tmp_path, rows, "latin-1"), columns=["platform", "account_id", "text"])
    assert sum(b.num_rows for b in read.batches) == 2001 and read.report().fallback_lines == (2002,)


def test_a_stream_read_again_hands_out_no_row_twice(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A line that is not UTF-8 far into the file, and a quote left open, are met after batches were handed
    out: the file is read again, and only rows not handed out before follow."""
    for module in (csvread, diagnosis):  # the block size where the reads use it
        monkeypatch.setattr(module, "BLOCK_SIZE", 1024)
    rows = [f'x,{i},h{i},p{i},"text {i}\nover lines",' for i in range(3000)]
    rows[2000] = "x,2000,caf\xe9,p2000,,"
    rows[2500] = 'x,2500,h,p2500,"never closed,'
    read = open_export(export(tmp_path, rows, "latin-1"), columns=["account_id", "handle"])
    ids = [i for batch in read.batches for i in batch.column("account_id").to_pylist()]
    assert ids == [str(i) for i in range(3000) if i != 2500]
    report = read.report()
    assert report.skipped_lines == (1 + 2 * 2500,) and report.fallback_lines == (2 + 2 * 2000,)
    assert report.misread_count == 0


@pytest.mark.filterwarnings("error::pytest.PytestUnraisableExceptionWarning")
def test_a_short_row_that_is_not_utf8_far_into_the_file(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    """pyarrow cannot hand such a row to its handler as text: the file is read again with the fallback, and
    nothing is printed."""
    rows = [f"x,{i},h{i},p{i},,x1" for i in range(10_000)]
    rows[9000] = "x,caf\xe9"
    read = open_export(export(tmp_path, rows, "latin-1"), columns=["platform", "account_id", "hashtags"])
    assert sum(b.num_rows for b in read.batches) == 9999
    report = read.report()
    assert report.skipped_lines == (9002,) and report.fallback_lines == (9002,)
    assert capfd.readouterr().err == ""


@pytest.mark.parametrize(
    ("data", "kind"), [(PNG, "a PNG image"), (b"", "empty"), (b'[{"platform": "x"}]', "JSON")]
)
def test_read_export_refuses_a_file_that_is_no_table(tmp_path: Path, data: bytes, kind: str) -> None:
    path = tmp_path / "export.csv"
    path.write_bytes(data)
    with pytest.raises(ValidationError) as exc:
        open_export(path)
    assert exc.value.field == "input" and str(path) in exc.value.message and kind in exc.value.message
    parquet = tmp_path / "export.parquet"
    parquet.write_bytes(data or b"\n")
    with pytest.raises(ValidationError, match=r"not a (readable )?Parquet file"):
        open_export(parquet)


def test_scan_counts_the_rows_it_could_not_read(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    matcher = new_matcher()
    matcher.add([samples.signal(kind="hashtag", value="#x1")])
    path = export(tmp_path, messy_rows(), "latin-1")
    with caplog.at_level(logging.WARNING, logger="fimihub.scan"):
        report = scan_export(path, matcher, visible=lambda _signal: True)
    assert report.rows == 6 and report.bad_values[UNREADABLE_ROWS] == 2
    said = " ".join(r.message for r in caplog.records)
    assert "export.csv: skipped 2 rows" in said and "line 5 (" in said and "line 8 (" in said
    assert "line 3" in said and "cp1252" in said


def scan(capsys: pytest.CaptureFixture[str], db_url: str, member: str, path: Path) -> tuple[int, str, str]:
    code = main(["scan", str(path), "--db", db_url, "--member", member, "--workers", "1", "--json"])
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_scan_of_a_messy_file(
    cast: Cast,
    db_url: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    register_identifier_keys(cast.hub, cast.org_b)
    cast.hub.create(cast.analyst_a, Signal, {"kind": "hashtag", "value": "#x1", "forum_id": cast.forum_id})
    path = export(tmp_path, messy_rows(), "latin-1")
    with caplog.at_level(logging.WARNING):
        code, out, err = scan(capsys, db_url, cast.analyst_b.member.id, path)
    assert code == 0, err
    summary = json.loads(out)
    assert summary["rows"] == 6 and summary["hits"] == 4 and summary["bad_values"] == {"rows": 2}
    said = " ".join(r.message for r in caplog.records)
    assert "line 5 (2 fields where the header has 6)" in said and "line 8 (a quote" in said
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("data", "kind"), [(PNG, "a PNG image"), (b"", "empty"), (b'{"platform": "x"}\n', "JSON")]
)
def test_cli_scan_refuses_a_file_that_is_no_table(
    cast: Cast, db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], data: bytes, kind: str
) -> None:
    register_identifier_keys(cast.hub, cast.org_b)
    path = tmp_path / "export.csv"
    path.write_bytes(data)
    code, out, err = scan(capsys, db_url, cast.analyst_b.member.id, path)
    assert code == 2 and not out
    assert err.startswith("error: input: ") and str(path) in err and kind in err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1
