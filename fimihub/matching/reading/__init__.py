"""Reading a member's table file as it comes: its text decoded, its bad rows skipped and named, a file that is
no table refused.

Members hand over platform exports and object tables written by whatever tool they had, and such files are
messy. This module reads them with pyarrow and says what it did:

* **Encoding.** A byte-order mark decides: UTF-8, UTF-16 or UTF-32 (UTF-16 without one is recognised by its
  zero bytes). Without one the text is read as UTF-8, and any line that is not UTF-8 is read as Windows-1252
  (:data:`FALLBACK_ENCODING`, which covers Latin-1's printable characters too); those lines are counted and
  named in the report. Nothing here raises :class:`UnicodeDecodeError`.
* **Bad rows.** A row with fewer or more fields than the header is skipped. So is a row with a quote left
  open (never closed, or closed where no value ends), from the line the quote opens on, and the rest of the
  file is read on from the next line, rather than run together into one value. Skipped rows are counted, and
  the first :data:`MAX_LISTED` are named by the line they start on (a value that spans lines counts all its
  lines) in :class:`ReadReport`. Blank lines are not rows and are passed over.
* **Not a table.** An empty file, an image, an archive or a workbook, JSON, HTML or other binary data is
  refused with one :class:`~fimihub.errors.ValidationError` that names the file, what it looks like and what
  was expected.

:class:`CsvRead` streams a CSV file batch by batch, with the report ready once the batches are read;
:func:`read_csv_table` and :func:`read_parquet_table` read a whole file into a :class:`TableRead`. Every
column of a CSV file is read as text.

How, briefly: the file is handed to pyarrow through a small stream that decodes it and, past its end, adds a
sentinel row that turns a quote still open into one over-long row, which pyarrow's ``invalid_row_handler``
skips like any other. When a read skipped rows, or ended inside a quote, Python's strict :mod:`csv` reader
looks the file over once, line by line: it names the lines of the bad rows, and finds the lines where a
quote is left open, which are emptied before the file is read again. A line that is not UTF-8 has the file
read again too, with the fallback on. A read that starts again hands out only the rows not handed out
before.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa

from fimihub.matching.reading.csvread import CsvRead
from fimihub.matching.reading.report import FALLBACK_ENCODING, MAX_LISTED, ReadReport, SkippedLine, TableRead
from fimihub.matching.reading.sniffing import describe, not_parquet

__all__ = [
    "FALLBACK_ENCODING",
    "MAX_LISTED",
    "CsvRead",
    "ReadReport",
    "SkippedLine",
    "TableRead",
    "describe",
    "not_parquet",
    "read_csv_table",
    "read_parquet_table",
]


def read_parquet_table(path: str | Path, what: str = "input") -> TableRead:
    """The whole Parquet file at ``path``; a file that is not Parquet is refused, naming what it looks
    like."""
    import pyarrow.parquet as pq

    path = Path(path)
    try:
        table = pq.read_table(path)
    except (pa.ArrowException, OSError) as exc:
        raise not_parquet(path, what, exc) from None
    return TableRead(table, ReadReport(str(path), encoding=None))


def read_csv_table(path: str | Path, *, delimiter: str = ",", what: str = "input") -> TableRead:
    """The whole CSV (or, with ``delimiter="\\t"``, TSV) file at ``path``, every column as text."""
    reading = CsvRead(Path(path), delimiter=delimiter, what=what)
    table = reading.read_all()
    return TableRead(table, reading.report())
