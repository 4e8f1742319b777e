"""Reading the tables members hand to the hub (platform exports, object tables) and writing results back.

Parquet keeps its column types; CSV is read with every column as text, so ids with leading zeros and
timestamps in either form reach the engines as they were written. A CSV file is read as it comes
(:mod:`fimihub.matching.reading`): its text decoded whatever its encoding, rows that cannot be read skipped
and named by line, the rest read. A file that is no table at all is refused with the file named.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pyarrow as pa

from fimihub.csvcells import neutralise_table
from fimihub.errors import ValidationError
from fimihub.matching.reading import TableRead, read_csv_table, read_parquet_table

__all__ = [
    "TABLE_SUFFIXES",
    "TableRead",
    "check_out",
    "read_table",
    "read_table_with_report",
    "staged_table",
    "write_table",
]

_log = logging.getLogger("fimihub.tables")

#: File kinds the hub reads and writes tables as.
TABLE_SUFFIXES = (".parquet", ".pq", ".csv", ".tsv")


def read_table_with_report(path: str | Path, what: str = "input") -> TableRead:
    """The whole table at ``path`` (Parquet, or CSV/TSV with a header row), with the report of what reading
    it skipped: rows that could not be read (counted, the first named by line), lines that were not UTF-8,
    and the encoding it was read in. A file that is no table raises :class:`ValidationError` naming it."""
    path = Path(path)
    if not path.is_file():
        raise ValidationError(what, f"{path} does not exist or is not a file")
    suffix = path.suffix.lower()
    if suffix in (".parquet", ".pq"):
        return read_parquet_table(path, what)
    if suffix in (".csv", ".tsv", ".txt"):
        return read_csv_table(path, delimiter="\t" if suffix == ".tsv" else ",", what=what)
    raise ValidationError(what, f"{path}: expected a .parquet or .csv file")


def read_table(path: str | Path, what: str = "input") -> pa.Table:
    """The whole table at ``path`` (Parquet, or CSV/TSV with a header row). What reading it skipped is logged
    as warnings (logger ``fimihub.tables``); :func:`read_table_with_report` hands it back instead."""
    read = read_table_with_report(path, what)
    for message in read.report.messages():
        _log.warning(message)
    return read.table


def write_table(table: pa.Table, path: str | Path, what: str = "out") -> Path:
    """Write ``table`` as CSV or Parquet, by ``path``'s suffix, whole or not at all (see
    :func:`staged_table`)."""
    with staged_table(table, path, what) as written:
        pass
    return written


@contextmanager
def staged_table(table: pa.Table, path: str | Path, what: str = "out") -> Iterator[Path]:
    """Write ``table`` beside ``path`` and move it into place when the ``with`` block ends without an error;
    on an error the staged file is removed and ``path`` is left as it was. So work that must agree with the
    file (matches queued in the store) can commit inside the block: either both happen or neither.

    CSV text cells that a spreadsheet would take for a formula are neutralised (:mod:`fimihub.csvcells`);
    Parquet keeps every value as it is. The folder must exist (:func:`check_out`): none is created."""
    path = Path(path)
    check_out(path, what)
    staged = path.with_name(f".{path.name}.{os.getpid()}.partial")
    try:
        _write_file(table, staged, path.suffix.lower())
    except OSError as exc:
        staged.unlink(missing_ok=True)
        raise ValidationError(what, f"{path}: cannot be written: {exc.strerror or exc}") from None
    try:
        yield path
    except BaseException:
        staged.unlink(missing_ok=True)
        raise
    os.replace(staged, path)


def _write_file(table: pa.Table, path: Path, suffix: str) -> None:
    if suffix in (".parquet", ".pq"):
        import pyarrow.parquet as pq

        pq.write_table(table, path)
    else:
        import pyarrow.csv as pacsv

        pacsv.write_csv(
            neutralise_table(table),
            path,
            write_options=pacsv.WriteOptions(delimiter="\t" if suffix == ".tsv" else ","),
        )


def check_out(path: str | Path | None, what: str = "out") -> None:
    """Refuse, before any work is done, an output path of an unknown kind, in a folder that does not exist
    or cannot be written, or naming a folder."""
    if path is None:
        return
    path = Path(path)
    if path.suffix.lower() not in TABLE_SUFFIXES:
        raise ValidationError(what, f"{path}: write to a .csv, .tsv or .parquet file")
    folder = path.parent
    if not folder.is_dir():
        raise ValidationError(what, f"{path}: the folder {folder} does not exist (create it first)")
    if path.is_dir():
        raise ValidationError(what, f"{path} is a folder")
    if not os.access(folder, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise ValidationError(what, f"{path}: not writable")
