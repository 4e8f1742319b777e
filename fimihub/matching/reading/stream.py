"""The bytes pyarrow reads: the file decoded to UTF-8 chunk by chunk, lines emptied where a quote is left
open, and a sentinel row after its end; and the rows handed out so far."""

from __future__ import annotations

import codecs
import io
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fimihub.matching.reading.report import FALLBACK_ENCODING, MARK, MAX_LISTED, READ
from fimihub.matching.reading.sniffing import Decoding


@dataclass
class Tally:
    """What one pass over a file's text saw: blank lines before the header, and the lines read as
    :data:`FALLBACK_ENCODING`."""

    lead: int = 0
    fallback_count: int = 0
    fallback_lines: list[int] = field(default_factory=list)

    def fell_back(self, line: int) -> None:
        self.fallback_count += 1
        if len(self.fallback_lines) < MAX_LISTED:
            self.fallback_lines.append(line)


def chunks(
    path: Path, decoding: Decoding, blank: frozenset[int], tally: Tally, *, by_line: bool = False
) -> Iterator[tuple[int, bytes]]:
    """The file's text as UTF-8, in chunks, each with the number of its first line: blank lines before the
    header left out (and counted), the lines in ``blank`` emptied. Chunks end at a line's end where lines are
    looked at (the fallback, ``blank``, ``by_line``); elsewhere the bytes pass as they are."""
    decoder = codecs.getincrementaldecoder(decoding.codec)("replace") if decoding.codec else None
    last_blank = max(blank, default=0)
    carry = b""
    line = 1
    started = False
    with path.open("rb") as file:
        file.seek(decoding.skip)
        while True:
            raw = file.read(READ)
            final = not raw
            data = decoder.decode(raw, final).encode("utf-8") if decoder is not None else raw
            if not started:
                data = carry + data
                carry = b""
                body = data.lstrip(b"\r\n")
                tally.lead += data.count(b"\n", 0, len(data) - len(body))
                line += data.count(b"\n", 0, len(data) - len(body))
                data = body
                started = bool(body)
                if not started and not final:
                    continue
            slow = by_line or decoding.fallback or line <= last_blank
            if not slow:
                if carry:
                    data, carry = carry + data, b""
                if data:
                    yield line, data
                if final:
                    return
                continue
            data = carry + data
            cut = len(data) if final else data.rfind(b"\n") + 1
            chunk, carry = data[:cut], data[cut:]
            if chunk:
                yield line, _fixed(chunk, line, decoding, blank, tally)
                line += chunk.count(b"\n")
            if final:
                return


def _fixed(chunk: bytes, first: int, decoding: Decoding, blank: frozenset[int], tally: Tally) -> bytes:
    """``chunk`` (whole lines from line ``first``) with the lines in ``blank`` emptied and, under the
    fallback, each line that is not UTF-8 decoded as :data:`FALLBACK_ENCODING`."""
    last = first + chunk.count(b"\n")
    empties = [n for n in blank if first <= n <= last]
    if not empties and not decoding.fallback:
        return chunk
    if not empties:
        try:
            chunk.decode("utf-8")
        except UnicodeDecodeError:
            pass
        else:
            return chunk
    lines = chunk.split(b"\n")
    for n in empties:
        lines[n - first] = b""
    if decoding.fallback:
        for i, text in enumerate(lines):
            try:
                text.decode("utf-8")
            except UnicodeDecodeError:
                try:
                    lines[i] = text.decode(FALLBACK_ENCODING).encode("utf-8")
                except UnicodeDecodeError:  # the five bytes Windows-1252 leaves undefined: Latin-1's controls
                    lines[i] = text.decode("latin-1").encode("utf-8")
                tally.fell_back(first + i)
    return b"\n".join(lines)


class Stream(io.RawIOBase):
    """A file's decoded text as a binary stream for pyarrow, with ``tail`` after its end (on a line of its
    own)."""

    def __init__(self, chunks: Iterator[tuple[int, bytes]], tail: bytes) -> None:
        super().__init__()
        self._chunks: Iterator[tuple[int, bytes]] | None = chunks
        self._tail = tail
        self._buffer = bytearray()
        self._last = b"\n"

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> bytes:
        want = sys.maxsize if size is None or size < 0 else size
        while len(self._buffer) < want and self._chunks is not None:
            try:
                _, chunk = next(self._chunks)
            except StopIteration:
                self._chunks = None
                if self._last not in (b"\n", b"\r"):
                    self._buffer += b"\n"
                self._buffer += self._tail
                break
            if chunk:
                self._buffer += chunk
                self._last = chunk[-1:]
        out = bytes(self._buffer[:want])
        del self._buffer[:want]
        return out

    def readinto(self, buffer: Any) -> int:
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


class Rows:
    """pyarrow's ``invalid_row_handler`` for one pass: skips every row that does not fit, counting the bad
    ones, and notes the sentinel's row when it shows a quote left open."""

    def __init__(self, tail: str) -> None:
        self.tail = tail
        self.bad = 0
        self.open_quote = False
        self.undecodable = False
        self._lock = threading.Lock()

    def __call__(self, row: Any) -> str:
        text: str = row.text
        if MARK in text:
            if text.rstrip("\r\n") != self.tail:
                self.open_quote = True
        elif text.strip():
            with self._lock:
                self.bad += 1
        return "skip"


@contextmanager
def quiet(rows: Rows) -> Iterator[None]:
    """While pyarrow reads: a row it cannot hand ``rows`` as text (it is not UTF-8) marks ``rows`` undecodable
    rather than printing a traceback; pyarrow then fails the read, which is done again with the fallback."""
    previous = sys.unraisablehook

    def hook(unraisable: Any) -> None:
        if isinstance(unraisable.exc_value, UnicodeDecodeError) and unraisable.object is rows:
            rows.undecodable = True
            return
        previous(unraisable)

    sys.unraisablehook = hook
    try:
        yield
    finally:
        if sys.unraisablehook is hook:
            sys.unraisablehook = previous
