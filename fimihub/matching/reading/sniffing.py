"""What a file is before it is read: a table or plainly not one (an image, an archive …), and the encoding its
text is in."""

from __future__ import annotations

import codecs
from dataclasses import dataclass, replace
from pathlib import Path

from fimihub.errors import ValidationError
from fimihub.matching.reading.report import FALLBACK_ENCODING, SNIFF, first_line

_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"%PDF", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive (an Excel .xlsx or OpenDocument workbook is one: save it as CSV)"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old-style Office document (save it as CSV)"),
    (b"\x1f\x8b", "gzip-compressed data (decompress it first)"),
    (b"\xfd7zXZ\x00", "xz-compressed data (decompress it first)"),
    (b"\x28\xb5\x2f\xfd", "zstd-compressed data (decompress it first)"),
    (b"PAR1", "a Parquet file (name it .parquet)"),
    (b"SQLite format 3\x00", "an SQLite database"),
)
_BOMS: tuple[tuple[bytes, str, str], ...] = (
    (b"\xff\xfe\x00\x00", "utf-32", "utf-32-le"),
    (b"\x00\x00\xfe\xff", "utf-32", "utf-32-be"),
    (b"\xef\xbb\xbf", "utf-8-sig", ""),
    (b"\xff\xfe", "utf-16", "utf-16-le"),
    (b"\xfe\xff", "utf-16", "utf-16-be"),
)


def not_parquet(path: Path, what: str, exc: BaseException) -> ValidationError:
    """The error for a file named .parquet that pyarrow could not open as one."""
    kind = describe(path)
    if kind is None:
        return ValidationError(what, f"{path} is not a readable Parquet file: {first_line(exc)}")
    return ValidationError(what, f"{path} is {kind}, not a Parquet file: expected a .parquet file")


def describe(path: Path) -> str | None:
    """What the file at ``path`` looks like when it is plainly not a text table (``"a PNG image"``,
    ``"empty"``, ``"JSON"``), else ``None``."""
    try:
        with path.open("rb") as file:
            head = file.read(SNIFF)
    except OSError:
        return None
    return _looks_like(head)


def _looks_like(head: bytes) -> str | None:
    for magic, kind in _MAGIC:
        if head.startswith(magic):
            return kind
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return "a WebP image"
    if not head.strip():
        return "empty"
    return None


@dataclass(frozen=True, slots=True)
class Decoding:
    """How a file's bytes become UTF-8: what to call it, the Python codec that decodes it (``""``: the bytes
    are UTF-8 already), how many bytes of byte-order mark to pass over, and whether lines that are not UTF-8
    are read as :data:`FALLBACK_ENCODING`."""

    name: str
    codec: str = ""
    skip: int = 0
    fallback: bool = False


def decoding(path: Path, what: str, expected: str) -> Decoding:
    """How to decode the file at ``path``, or the error that says it is no text table."""
    try:
        with path.open("rb") as file:
            head = file.read(SNIFF)
            whole = len(head) < SNIFF
    except OSError as exc:
        raise ValidationError(what, f"{path} cannot be read: {exc.strerror or exc}") from None

    def refuse(kind: str) -> ValidationError:
        return ValidationError(what, f"{path} is {kind}, not a table: expected {expected}")

    kind = _looks_like(head)
    if kind is not None:
        raise refuse(kind)
    found = next(((bom, name, codec) for bom, name, codec in _BOMS if head.startswith(bom)), None)
    if found is not None:
        bom, name, codec = found
        decoding = Decoding(name, codec, len(bom))
    elif b"\x00" in head:
        codec = _bomless_utf16(head)
        if not codec:
            raise refuse("binary data")
        decoding = Decoding(codec, codec)
    else:
        decoding = Decoding("utf-8")
    sample = head[decoding.skip :]
    if decoding.codec:
        text = codecs.getincrementaldecoder(decoding.codec)("replace").decode(sample, whole)
    else:
        try:
            text = codecs.getincrementaldecoder("utf-8")().decode(sample, whole)
        except UnicodeDecodeError:
            text = sample.decode(FALLBACK_ENCODING, "replace")
            decoding = replace(decoding, fallback=True)
    start = text.lstrip()
    if not start:
        raise refuse("empty")
    if start[0] in "{[":
        raise refuse("JSON")
    if start[0] == "<":
        raise refuse("HTML or XML")
    controls = sum(1 for c in text if c < " " and c not in "\t\n\r\f\v")
    if controls > max(2, len(text) // 100):
        raise refuse("binary data")
    return decoding


def _bomless_utf16(head: bytes) -> str:
    """``utf-16-le`` or ``utf-16-be`` when ``head`` looks like UTF-16 text without a byte-order mark (most
    high bytes zero, as in Latin text, and hardly any low byte), else ``""``."""
    sample = head[:4096]
    evens, odds = sample[0::2], sample[1::2]
    if len(sample) < 4:
        return ""
    if odds.count(0) > 0.5 * len(odds) and evens.count(0) < 0.05 * len(evens):
        return "utf-16-le"
    if evens.count(0) > 0.5 * len(evens) and odds.count(0) < 0.05 * len(odds):
        return "utf-16-be"
    return ""
