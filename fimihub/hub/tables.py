"""Reading the tables members hand to the hub (platform exports, object tables) and writing results back.

Parquet keeps its column types; CSV is read with every column as text, so ids with leading zeros and
timestamps in either form reach the engines as they were written. Unreadable files are refused with the file
named, never half-read.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa

from fimihub.errors import ValidationError

__all__ = ["TABLE_SUFFIXES", "read_table", "write_table"]

#: File kinds the hub reads and writes tables as.
TABLE_SUFFIXES = (".parquet", ".pq", ".csv", ".tsv")


def read_table(path: str | Path, what: str = "input") -> pa.Table:
    """The whole table at ``path`` (Parquet, or CSV/TSV with a header row)."""
    path = Path(path)
    if not path.is_file():
        raise ValidationError(what, f"{path} does not exist or is not a file")
    suffix = path.suffix.lower()
    try:
        if suffix in (".parquet", ".pq"):
            import pyarrow.parquet as pq

            return pq.read_table(path)
        if suffix in (".csv", ".tsv", ".txt"):
            import pyarrow.csv as pacsv

            names = pacsv.open_csv(path, parse_options=_csv_options(suffix)).schema.names
            return pacsv.read_csv(
                path,
                parse_options=_csv_options(suffix),
                convert_options=pacsv.ConvertOptions(column_types=dict.fromkeys(names, pa.string())),
            )
    except (pa.ArrowInvalid, OSError) as exc:
        raise ValidationError(what, f"{path} is not a readable table: {exc}") from None
    raise ValidationError(what, f"{path}: expected a .parquet or .csv file")


def write_table(table: pa.Table, path: str | Path, what: str = "out") -> Path:
    """Write ``table`` as CSV or Parquet, by ``path``'s suffix."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in TABLE_SUFFIXES:
        raise ValidationError(what, f"{path}: write to a .csv or .parquet file")
    path.parent.mkdir(parents=True, exist_ok=True)
    if suffix in (".parquet", ".pq"):
        import pyarrow.parquet as pq

        pq.write_table(table, path)
    else:
        import pyarrow.csv as pacsv

        pacsv.write_csv(
            table, path, write_options=pacsv.WriteOptions(delimiter="\t" if suffix == ".tsv" else ",")
        )
    return path


def check_out(path: str | Path | None, what: str = "out") -> None:
    """Refuse an output path of an unknown kind before any work is done."""
    if path is not None and Path(path).suffix.lower() not in TABLE_SUFFIXES:
        raise ValidationError(what, f"{path}: write to a .csv or .parquet file")


def _csv_options(suffix: str) -> object:
    import pyarrow.csv as pacsv

    return pacsv.ParseOptions(delimiter="\t" if suffix == ".tsv" else ",", newlines_in_values=True)
