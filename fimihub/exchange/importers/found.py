"""What an importer found in one file: the indicators with the line each came from, the rows it skipped and
why, the figures and the disclosure's own facts. The hub turns it into records in one unit of work."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from fimihub.errors import ValidationError
from fimihub.matching.reading.sniffing import decoding
from fimihub.model import Governed, SignalKind

__all__ = [
    "MAX_FILE_BYTES",
    "FileText",
    "Found",
    "FoundFigure",
    "FoundIndicator",
    "FoundOperation",
    "Skip",
    "file_bytes",
    "read_text",
]

#: Largest file an import reads, in bytes.
MAX_FILE_BYTES = 256 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class Skip:
    """A row (or the whole file, ``line`` None) that brought nothing in, and why."""

    file: str
    line: int | None
    reason: str

    def to_json(self) -> dict[str, Any]:
        return {"file": self.file, "line": self.line, "reason": self.reason}


@dataclass(frozen=True, slots=True)
class FoundIndicator:
    """A signal value found on ``line``, with what the file says of it."""

    kind: SignalKind
    value: str
    line: int | None
    platform: str | None = None
    note: str = ""
    #: Where in the file it was found, for a file without lines (a MISP attribute): named when it is skipped.
    source: str = ""


@dataclass(frozen=True, slots=True)
class FoundFigure:
    value: float
    unit: str
    context: str = ""
    line: int | None = None


@dataclass(frozen=True, slots=True)
class FoundOperation:
    """The operation a file names: the fields of an :class:`~fimihub.model.Operation` it fills."""

    fields: dict[str, Any]


@dataclass(slots=True)
class Found:
    """Everything read from one file."""

    file: str
    sha256: str
    size: int
    format: str
    publisher: str
    title: str
    published_at: datetime | None = None
    url: str | None = None
    summary: str = ""
    indicators: list[FoundIndicator] = field(default_factory=list)
    skipped: list[Skip] = field(default_factory=list)
    figures: list[FoundFigure] = field(default_factory=list)
    kill_chain: list[str] = field(default_factory=list)
    tactics: list[str] = field(default_factory=list)
    operation: FoundOperation | None = None
    #: Records read whole from a structured file (a STIX bundle), besides the indicators.
    records: list[Governed] = field(default_factory=list)

    def skip(self, line: int | None, reason: str) -> None:
        self.skipped.append(Skip(self.file, line, reason))


@dataclass(frozen=True, slots=True)
class FileText:
    """A file's text, decoded, and its digest."""

    name: str
    text: str
    sha256: str
    size: int
    encoding: str


def file_bytes(path: Path, what: str) -> bytes:
    """The bytes of ``path``, refusing what is not a readable regular file or is too large."""
    try:
        size = path.stat().st_size
        if not path.is_file():
            raise ValidationError(what, f"{path} is not a file")
        if size > MAX_FILE_BYTES:
            raise ValidationError(what, f"{path} is {size:,} bytes: larger than {MAX_FILE_BYTES:,}")
        return path.read_bytes()
    except OSError as exc:
        raise ValidationError(what, f"{path} cannot be read: {exc.strerror or exc}") from None


def read_text(path: Path, what: str, expected: str) -> FileText:
    """The text of ``path``: a byte-order mark decides UTF-8/16/32, else UTF-8 with lines that are not read
    as Windows-1252. An empty, binary, image or archive file is refused (:class:`ValidationError`)."""
    data = file_bytes(path, what)
    how = decoding(path, what, expected)
    body = data[how.skip :]
    if how.codec:
        text = body.decode(how.codec, "replace")
    else:
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            text = "".join(_line_text(line) for line in body.splitlines(keepends=True))
            how = type(how)(f"{how.name} (some lines Windows-1252)", how.codec, how.skip, True)
    return FileText(
        path.name, text.replace("\x00", ""), hashlib.sha256(data).hexdigest(), len(data), how.name
    )


def _line_text(line: bytes) -> str:
    try:
        return line.decode("utf-8")
    except UnicodeDecodeError:
        return line.decode("cp1252", "replace")
