"""Reading a member's table as it comes: other encodings decoded, bad rows skipped and named by line, files
that are no table refused with the file named; and the same through ``fimihub coordination detect``."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from fimihub import ValidationError
from fimihub.cli import main
from fimihub.hub.tables import read_table, read_table_with_report
from fimihub.matching.reading import MAX_LISTED, csvread, diagnosis

#: A PNG file's first bytes: its signature and the start of its header chunk.
PNG = (
    b"\x89PNG\r\n\x1a\n"
    + b"\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
)
HEADER = "object_id,account_id,content_id,timestamp_share"


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def objects(count: int = 6) -> list[str]:
    """Rows of an object table in which accounts a and b share each object within seconds."""
    return [f"t{i // 2},{'ab'[i % 2]},r{i},{1000 + 100 * (i // 2) + i % 2}" for i in range(count)]


def test_latin1_is_read_as_windows_1252_and_the_lines_are_counted(tmp_path: Path) -> None:
    text = "platform,account_id,text\nx,1,café crème\nx,2,plain\nx,3,naïve — “quoted”\n"
    read = read_table_with_report(write(tmp_path / "latin.csv", text.encode("cp1252")))
    assert read.table.column("text").to_pylist() == ["café crème", "plain", "naïve — “quoted”"]
    assert read.encoding == "utf-8" and read.report.fallback_count == 2
    assert read.report.fallback_lines == (2, 4) and read.skipped_count == 0
    (message,) = read.report.messages()
    assert "latin.csv" in message and "cp1252" in message and "lines 2, 4" in message


def test_a_file_mostly_utf8_keeps_its_utf8_lines(tmp_path: Path) -> None:
    data = "a,b\n1,café\n".encode() + "2,café\n".encode("latin-1") + "3,ünï\n".encode()
    read = read_table_with_report(write(tmp_path / "mixed.csv", data))
    assert read.table.column("b").to_pylist() == ["café", "café", "ünï"]
    assert read.report.fallback_lines == (3,)
    assert "1 line is not UTF-8 and was read as" in read.report.messages()[0]


@pytest.mark.parametrize(
    ("encoding", "name"),
    [("utf-8-sig", "utf-8-sig"), ("utf-16", "utf-16"), ("utf-32", "utf-32"), ("utf-16-le", "utf-16-le")],
)
def test_byte_order_marks_decide_the_encoding(tmp_path: Path, encoding: str, name: str) -> None:
    text = "platform,account_id,text\r\nx,1,café\r\nx,2,Ελληνικά\r\n"
    read = read_table_with_report(write(tmp_path / f"{encoding}.csv", text.encode(encoding)))
    assert read.table.column_names == ["platform", "account_id", "text"]  # no BOM left on the first name
    assert read.table.column("text").to_pylist() == ["café", "Ελληνικά"]
    assert read.encoding == name and read.report.clean


def test_a_short_row_at_line_5_is_skipped_and_named(tmp_path: Path) -> None:
    rows = objects()
    rows.insert(3, "t9,c")  # line 5: the header is line 1
    read = read_table_with_report(write(tmp_path / "short.csv", "\n".join([HEADER, *rows]).encode()))
    assert read.table.num_rows == 6 and "c" not in read.table.column("account_id").to_pylist()
    assert read.skipped_lines == (5,) and read.skipped_count == 1
    assert read.report.skipped[0].reason == "2 fields where the header has 4"
    assert "line 5 (2 fields where the header has 4)" in read.report.messages()[0]


def test_line_numbers_count_the_lines_of_values_that_span_lines(tmp_path: Path) -> None:
    data = (
        'platform,account_id,text\n\nx,1,"one\ntwo\n\nthree"\nx,2,"a ""quoted"" word"\n'
        "x,3,too,long\n\nx,4,fine\n"
    )
    read = read_table_with_report(write(tmp_path / "spans.csv", data.encode()))
    assert read.table.column("account_id").to_pylist() == ["1", "2", "4"]
    assert read.table.column("text").to_pylist()[:2] == ["one\ntwo\n\nthree", 'a "quoted" word']
    assert read.skipped_lines == (8,)


def test_a_quote_never_closed_loses_its_line_only(tmp_path: Path) -> None:
    data = 'platform,account_id,text\nx,1,a\nx,2,"never closed\nx,3,c\nx,4,d\n'
    read = read_table_with_report(write(tmp_path / "quote.csv", data.encode()))
    assert read.table.column("account_id").to_pylist() == ["1", "3", "4"]
    assert read.skipped_lines == (3,)
    assert "never closed" in read.report.skipped[0].reason


def test_a_quote_left_open_does_not_run_the_rows_after_it_together(tmp_path: Path) -> None:
    lines = ["platform,account_id,text"]
    for i in range(1, 40):
        lines.append(f'x,{i},"said ""{i}""\nover two lines"' if i % 3 else f"x,{i},plain")
    lines[10] = 'x,10,"a quote left open'
    read = read_table_with_report(write(tmp_path / "open.csv", "\n".join(lines).encode()))
    ids = read.table.column("account_id").to_pylist()
    assert ids == [str(i) for i in range(1, 40) if i != 10]
    assert read.table.column("text").to_pylist()[9] == 'said "11"\nover two lines'
    # Line numbers count lines: the header and rows 1..9 take 1 + 6 * 2 + 3, so row 10 starts on line 17.
    assert read.skipped_lines == (17,) and read.skipped_count == 1


def test_many_bad_rows_name_the_first_and_count_the_rest(tmp_path: Path) -> None:
    rows = [HEADER] + [f"t{i},a,r{i},{i}" if i % 2 else f"t{i},short" for i in range(60)]
    read = read_table_with_report(write(tmp_path / "many.csv", "\n".join(rows).encode()))
    assert read.table.num_rows == 30 and read.skipped_count == 30
    assert read.skipped_lines == tuple(range(2, 2 + 2 * MAX_LISTED, 2))
    assert read.report.messages()[0].endswith("and 10 more")


def test_a_tsv_file(tmp_path: Path) -> None:
    data = "platform\taccount_id\nx\t007\nx\nx\t9\n"
    read = read_table_with_report(write(tmp_path / "t.tsv", data.encode()))
    assert read.table.column("account_id").to_pylist() == ["007", "9"] and read.skipped_lines == (3,)


@pytest.mark.parametrize(
    ("name", "data", "kind"),
    [
        ("image.csv", PNG, "a PNG image"),
        ("empty.csv", b"", "empty"),
        ("blank.csv", b"\n \r\n\t\n", "empty"),
        ("data.csv", b'{"rows": [{"account_id": "1"}]}\n', "JSON"),
        ("lines.csv", b"[1, 2]\n[3, 4]\n", "JSON"),
        ("page.csv", b"<!DOCTYPE html><html><body>export</body></html>", "HTML or XML"),
        ("random.csv", bytes(range(1, 256)) * 40, "binary data"),
        ("book.csv", b"PK\x03\x04\x14\x00\x06\x00", "a ZIP archive"),
        ("zipped.csv", b"\x1f\x8b\x08\x00\x00\x00", "gzip-compressed"),
        ("columns.csv", b"PAR1\x15\x04\x15", "a Parquet file"),
    ],
)
def test_a_file_that_is_no_table_is_refused_with_one_clear_error(
    tmp_path: Path, name: str, data: bytes, kind: str
) -> None:
    path = write(tmp_path / name, data)
    with pytest.raises(ValidationError) as exc:
        read_table(path, "disrupted")
    message = exc.value.errors[0][1]
    assert exc.value.field == "disrupted" and str(path) in message and kind in message
    assert "expected a CSV file with a header row" in message


def test_a_header_with_a_quote_never_closed(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match=r"header row \(line 1\) has a quote that is never closed"):
        read_table(write(tmp_path / "h.csv", b'a,"b,c\n1,2,3\n'))


def test_parquet_that_is_not(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="is a PNG image, not a Parquet file"):
        read_table(write(tmp_path / "image.parquet", PNG))
    with pytest.raises(ValidationError, match="is not a readable Parquet file"):
        read_table(write(tmp_path / "text.parquet", b"a,b\n1,2\n"))
    with pytest.raises(ValidationError, match=r"expected a \.parquet or \.csv file"):
        read_table(write(tmp_path / "rows.json", b"[]"))
    good = tmp_path / "good.parquet"
    pq.write_table(pa.table({"a": [1, 2]}), good)
    read = read_table_with_report(good)
    assert read.table.column("a").to_pylist() == [1, 2] and read.encoding is None and read.report.clean


def test_read_table_returns_the_table_and_logs_what_it_skipped(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    rows = objects()
    rows.insert(3, "t9,c")
    path = write(tmp_path / "short.csv", "\n".join([HEADER, *rows]).encode("utf-8"))
    with caplog.at_level(logging.WARNING, logger="fimihub.tables"):
        table = read_table(path)
    assert isinstance(table, pa.Table) and table.num_rows == 6
    assert any("short.csv" in r.message and "line 5" in r.message for r in caplog.records)


def test_files_larger_than_a_block_with_quotes_left_open(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Values are parsed a block at a time: a quote left open runs past a block, and a line that is not UTF-8
    turns up after rows were read; both have the file read again, rows not repeated."""
    for module in (csvread, diagnosis):  # the block size where the reads use it
        monkeypatch.setattr(module, "BLOCK_SIZE", 2048)
    lines = ["platform,account_id,text"] + [f"x,{i},plain {i}" for i in range(1, 2000)]
    lines[300] = 'x,300,"never closed'
    lines[1500] = "x,1500,caf\xe9"
    path = write(tmp_path / "big.csv", "\n".join(lines).encode("latin-1"))
    read = read_table_with_report(path)
    assert read.table.column("account_id").to_pylist() == [str(i) for i in range(1, 2000) if i != 300]
    assert read.skipped_lines == (301,) and read.report.fallback_lines == (1501,)


def detect(capsys: pytest.CaptureFixture[str], path: Path) -> tuple[int, dict[str, object] | None, str]:
    code = main(["coordination", "detect", str(path), "--json"])
    out, err = capsys.readouterr()
    return code, json.loads(out) if code == 0 else None, err


def test_cli_detect_reads_a_messy_file_and_names_the_lines(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    rows = [row.replace(",r", ",é") for row in objects(8)]  # content ids with an accent, in Latin-1
    rows.insert(3, "t9,c")  # line 5
    rows.insert(6, 't9,d,"open,1000')  # line 8
    path = write(tmp_path / "objects.csv", "\n".join([HEADER, *rows]).encode("latin-1"))
    with caplog.at_level(logging.WARNING):
        code, summary, err = detect(capsys, path)
    assert code == 0, err
    assert summary is not None and summary["rows"] == 8 and summary["edges"] == 1
    read = summary["read"]
    assert isinstance(read, dict)
    skipped = [(s["line"], s["reason"][:9]) for s in read["skipped_lines"]]
    assert skipped == [(5, "2 fields "), (8, "a quote o")]
    assert read["skipped"] == 2 and read["fallback_lines"] == 8
    assert "Traceback" not in err
    # The text summary names them too, on stderr.
    assert main(["coordination", "detect", str(path)]) == 0
    said = capsys.readouterr().err
    assert "objects.csv" in said and "line 5 (2 fields" in said and "line 8 (a quote" in said
    assert "lines 2, 3" in said and "cp1252" in said


@pytest.mark.parametrize(
    ("data", "kind"), [(PNG, "a PNG image"), (b"", "empty"), (b'{"object_id": "t1"}', "JSON")]
)
def test_cli_detect_refuses_a_file_that_is_no_table(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], data: bytes, kind: str
) -> None:
    path = write(tmp_path / "objects.csv", data)
    code, _, err = detect(capsys, path)
    assert code == 2
    assert err.startswith("error: input: ") and str(path) in err and kind in err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1
