"""Streaming a CSV file batch by batch through pyarrow, starting again where the file has to be read
anew, with the report ready at the end."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import pyarrow as pa

from fimihub.errors import ValidationError
from fimihub.matching.reading.diagnosis import Diagnosis, diagnose, not_utf8
from fimihub.matching.reading.report import (
    BLOCK_SIZE,
    MARK,
    MAX_LISTED,
    READ,
    STRADDLE,
    ReadReport,
    SkippedLine,
    first_line,
)
from fimihub.matching.reading.sniffing import Decoding, decoding
from fimihub.matching.reading.stream import Rows, Stream, Tally, chunks, quiet


class CsvRead:
    """One CSV file being read: its columns now, its rows as :meth:`batches`, and once those are read, the
    :meth:`report` of what was skipped. ``columns`` limits the columns read (those the file has); every column
    is read as text.

    Opening one checks the file: a file that is no text table, or whose header cannot be read, raises
    :class:`ValidationError` naming it."""

    def __init__(
        self,
        path: Path,
        *,
        delimiter: str = ",",
        columns: Sequence[str] | None = None,
        what: str = "input",
        expected: str = "a CSV file with a header row",
    ) -> None:
        self.path = path
        self.what = what
        self._delimiter = delimiter
        if not path.is_file():
            raise ValidationError(what, f"{path} does not exist or is not a file")
        self._decoding = decoding(path, what, expected)
        self._tally = Tally()
        #: Every column the file has, in order.
        self.names: list[str] = self._header()
        #: The columns read: those of ``columns`` the file has, in that order (without ``columns``, all).
        self.columns = list(self.names) if columns is None else [c for c in columns if c in self.names]
        self.schema = pa.schema([(c, pa.string()) for c in self.columns])
        self._tail = '"' + delimiter * max(1, len(self.names)) + MARK
        self._blank: frozenset[int] = frozenset()
        self._diagnosis: Diagnosis | None = None
        self._rows: Rows | None = None
        self._misread = 0

    # -- the header ------------------------------------------------------------------------------------------

    def _header(self) -> list[str]:
        for _ in range(2):
            rows = Rows("")
            self._tally = Tally()
            try:
                with quiet(rows):
                    # The sentinel (with one delimiter, the columns not known yet) shows a header whose quote
                    # is never closed: it ends up among the column names.
                    reader = self._open(
                        self._decoding,
                        frozenset(),
                        rows,
                        tail='"' + self._delimiter + MARK,
                        tally=self._tally,
                        block=READ,
                        infer=True,
                    )
                    names = list(reader.schema.names)
                    if any(MARK in name for name in names):
                        raise self._unreadable(pa.ArrowInvalid("straddling header"))
            except UnicodeDecodeError:
                rows.undecodable = True
            except pa.ArrowInvalid as exc:
                if not rows.undecodable and not not_utf8(exc):
                    raise self._unreadable(exc) from None
                rows.undecodable = True
            except OSError as exc:
                raise ValidationError(
                    self.what, f"{self.path} cannot be read: {exc.strerror or exc}"
                ) from None
            if not rows.undecodable:
                return names
            if self._decoding.fallback or self._decoding.codec:
                break
            self._decoding = replace(self._decoding, fallback=True)
        raise ValidationError(self.what, f"{self.path}: its header row cannot be read")

    def _unreadable(self, exc: BaseException) -> ValidationError:
        message = first_line(exc)
        if "Empty CSV" in message:
            return ValidationError(self.what, f"{self.path} is empty, not a table: expected a header row")
        if any(s in message for s in STRADDLE):
            return ValidationError(
                self.what,
                f"{self.path}: the header row (line {self._tally.lead + 1}) has a quote that is never closed",
            )
        return ValidationError(self.what, f"{self.path} is not a readable table: {message}")

    def _open(
        self,
        decoding: Decoding,
        blank: frozenset[int],
        rows: Rows,
        *,
        tail: str,
        tally: Tally | None = None,
        block: int | None = None,
        infer: bool = False,
        include: Sequence[str] | None = None,
    ) -> Any:
        import pyarrow.csv as pacsv

        tally = tally if tally is not None else Tally()
        stream = Stream(
            chunks(self.path, decoding, blank, tally), tail.encode("utf-8") + b"\n" if tail else b""
        )
        convert = (
            pacsv.ConvertOptions()
            if infer
            else pacsv.ConvertOptions(
                column_types=dict.fromkeys(self.names, pa.string()),
                include_columns=list(include) if include is not None else None,
            )
        )
        return pacsv.open_csv(
            stream,
            read_options=pacsv.ReadOptions(block_size=block or BLOCK_SIZE),
            parse_options=pacsv.ParseOptions(
                delimiter=self._delimiter,
                newlines_in_values=True,
                invalid_row_handler=rows,
            ),
            convert_options=convert,
        )

    # -- the rows --------------------------------------------------------------------------------------------

    def batches(self) -> Iterator[pa.RecordBatch]:
        """The file's rows, batch by batch. A read that has to start again (quotes left open, a line that is
        not UTF-8) reads the file again and hands out only the rows not handed out before. Each batch is held
        back until the next is read, so that trouble is found before the rows near it are handed out; rows
        handed out that a read started again finds different are counted in the report."""
        handed = 0
        seen = 0
        for item in self._attempts():
            if isinstance(item, int):
                self._misread += max(0, handed - item)
                handed = min(handed, item)
                seen = 0
                continue
            seen += item.num_rows
            if seen > handed:
                yield item.slice(item.num_rows - (seen - handed))
                handed = seen

    def read_all(self) -> pa.Table:
        """Every row of the file, as one table: a read that starts again drops what it finds different."""
        kept: list[pa.RecordBatch] = []
        have = 0
        seen = 0
        for item in self._attempts():
            if isinstance(item, int):
                if have > item:
                    kept = pa.Table.from_batches(kept, schema=self.schema).slice(0, item).to_batches()
                    have = item
                seen = 0
                continue
            seen += item.num_rows
            if seen > have:
                kept.append(item.slice(item.num_rows - (seen - have)))
                have = seen
        return pa.Table.from_batches(kept, schema=self.schema)

    def _attempts(self) -> Iterator[pa.RecordBatch | int]:
        """Each read of the file: its batches from the first row on, and, where it is given up to start again,
        how many of the rows it gave are right (those before the first change)."""
        while True:
            rows = Rows(self._tail)
            tally = Tally()
            given = 0
            again: int | None = None
            try:
                with quiet(rows):
                    reader = self._open(
                        self._decoding, self._blank, rows, tail=self._tail, tally=tally, include=self.columns
                    )
                    if any(MARK in name for name in reader.schema.names):
                        raise self._unreadable(pa.ArrowInvalid("straddling header"))
                    held: pa.RecordBatch | None = None
                    while True:
                        try:
                            batch = reader.read_next_batch()
                        except StopIteration:
                            batch = None
                        if (rows.bad or rows.open_quote) and self._diagnosed():
                            again = self._good_rows()
                            break
                        if held is not None:
                            given += held.num_rows
                            yield held
                        if batch is None:
                            break
                        held = self._without_sentinel(batch)
            except pa.ArrowInvalid as exc:
                if rows.undecodable or not_utf8(exc):
                    if self._decoding.fallback or self._decoding.codec:
                        raise self._unreadable(exc) from None
                    self._decoding = replace(self._decoding, fallback=True)
                    again = given
                elif not any(s in str(exc) for s in STRADDLE):
                    raise self._unreadable(exc) from None
                elif self._diagnosed():
                    again = self._good_rows()
                else:
                    raise ValidationError(
                        self.what,
                        f"{self.path}: a quoted value after row {given:,} runs on for more than "
                        f"{BLOCK_SIZE >> 20} MB",
                    ) from None
            except OSError as exc:
                raise ValidationError(
                    self.what, f"{self.path} cannot be read: {exc.strerror or exc}"
                ) from None
            if again is not None:
                yield again
                continue
            self._rows = rows
            self._tally = tally
            return

    def _diagnosed(self) -> bool:
        """Look the file over line by line (once), to name the lines of the rows pyarrow skipped and find the
        quotes left open; whether that found quotes to empty the lines of, so the file is to be read again."""
        if self._diagnosis is not None:
            return False
        self._diagnosis = diagnose(self.path, self._decoding, self._blank, self._delimiter, len(self.names))
        opened = [s.line for s in self._diagnosis.open_quotes if s.line not in self._blank]
        self._blank = self._blank | set(opened)
        return bool(opened)

    def _good_rows(self) -> int:
        assert self._diagnosis is not None
        return self._diagnosis.rows_before_open_quote

    def _without_sentinel(self, batch: pa.RecordBatch) -> pa.RecordBatch:
        """In a file of one column, the sentinel is a row: the last; it is dropped."""
        if len(self.names) != 1 or not batch.num_rows or batch.num_columns != 1:
            return batch
        last = batch.column(0)[batch.num_rows - 1].as_py()
        return batch.slice(0, batch.num_rows - 1) if last is not None and MARK in last else batch

    # -- the report ------------------------------------------------------------------------------------------

    def report(self) -> ReadReport:
        """What the read skipped and how it decoded the text; call it once :meth:`batches` is read through."""
        if self._rows is None:
            raise RuntimeError("CsvRead.report() is ready once its batches have been read")
        rows, diagnosis = self._rows, self._diagnosis
        skipped: list[SkippedLine] = []
        count = rows.bad
        if diagnosis is not None:
            skipped = sorted([*diagnosis.open_quotes, *diagnosis.bad], key=lambda s: s.line)
            count += len(diagnosis.open_quotes)
        if rows.open_quote:  # still: the diagnosis could not tell where (it gave up on the header)
            count += 1
        return ReadReport(
            str(self.path),
            encoding=self._decoding.name,
            skipped_count=max(count, len(skipped)),
            skipped=tuple(skipped[:MAX_LISTED]),
            fallback_count=self._tally.fallback_count,
            fallback_lines=tuple(self._tally.fallback_lines),
            misread_count=self._misread,
        )
