"""The one saved format every index uses: a magic line, a JSON header, then JSON or numpy payload sections.

Indexes cross trust boundaries (copied between hosts, restored from backups), so they are never pickled:
loading one must not be able to run code. Layout of a saved index::

    fimihub-index\\n                                   magic line (bytes, fixed)
    {"format": "fimihub.exact", "version": 1, "meta": {...}}\\n   header, one JSON line
    <sections>                                         written and read in the same order by the index

Sections are written with the helpers below:

- :func:`write_json` / :func:`read_json` — one JSON document on one line;
- :func:`write_json_lines` / :func:`read_json_lines` — a count line, then that many JSON lines (entries);
- :func:`write_entries` / :func:`read_entries` — ``(entry id, value)`` pairs as JSON lines, checked on read;
- :func:`write_array` / :func:`read_array` — a numpy array in ``.npy`` form, saved and loaded with
  ``allow_pickle=False`` so object arrays are refused both ways.

Every reader raises :class:`fimihub.errors.ValidationError` (field ``index``) for a stream that is not what it
should be — another magic, another format, an unsupported version, truncated or malformed payload — and never
anything else. A format changes its ``version`` whenever its sections change; readers list the versions they
still understand.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable, Mapping
from typing import Any, BinaryIO

import numpy as np
import numpy.typing as npt

from fimihub.errors import ValidationError

__all__ = [
    "MAGIC",
    "load_values",
    "read_array",
    "read_entries",
    "read_header",
    "read_json",
    "read_json_lines",
    "save_values",
    "write_array",
    "write_entries",
    "write_header",
    "write_json",
    "write_json_lines",
]

MAGIC = b"fimihub-index\n"
# A header or one JSON line longer than this is corrupt, not big: refusing it bounds memory on bad input.
_MAX_LINE = 64 * 1024 * 1024


def _invalid(message: str) -> ValidationError:
    return ValidationError("index", message)


def _read_line(stream: BinaryIO, what: str) -> bytes:
    line = stream.readline(_MAX_LINE + 1)
    if not line.endswith(b"\n"):
        raise _invalid(f"truncated or oversized {what}")
    return line


def _loads(line: bytes, what: str) -> Any:
    try:
        return json.loads(line)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise _invalid(f"{what} is not JSON: {error}") from None


def _dumps(obj: object) -> bytes:
    # Compact, key-sorted and ASCII-only: the same index always saves to the same bytes.
    text = json.dumps(obj, separators=(",", ":"), sort_keys=True, ensure_ascii=True, allow_nan=False)
    return text.encode("ascii") + b"\n"


def write_header(stream: BinaryIO, name: str, version: int, meta: Mapping[str, Any] | None = None) -> None:
    """Start a saved index: the magic line, then ``{"format": name, "version": version, "meta": meta}``."""
    stream.write(MAGIC)
    stream.write(_dumps({"format": name, "version": version, "meta": dict(meta or {})}))


def read_header(stream: BinaryIO, expected_name: str, supported_versions: Collection[int]) -> dict[str, Any]:
    """Check the magic line and header of a saved index and return its ``meta``.

    Raises ``ValidationError`` for another file type, another index format, or a version not in
    ``supported_versions``. The version read is returned in the meta under ``"version"``.
    """
    magic = stream.read(len(MAGIC))
    if magic != MAGIC:
        raise _invalid("not a saved fimihub index (bad magic line)")
    header = _loads(_read_line(stream, "header"), "header")
    if not isinstance(header, dict) or not isinstance(header.get("meta"), dict):
        raise _invalid("header must be an object with format, version and meta")
    if header.get("format") != expected_name:
        raise _invalid(f"format {header.get('format')!r}, expected {expected_name!r}")
    version = header.get("version")
    if not isinstance(version, int) or version not in supported_versions:
        raise _invalid(f"{expected_name} version {version!r} is not supported ({sorted(supported_versions)})")
    meta: dict[str, Any] = dict(header["meta"])
    meta["version"] = version
    return meta


def write_json(stream: BinaryIO, obj: object) -> None:
    """Write one JSON section (a single line)."""
    stream.write(_dumps(obj))


def read_json(stream: BinaryIO) -> Any:
    """Read one JSON section written by :func:`write_json`."""
    return _loads(_read_line(stream, "JSON section"), "JSON section")


def write_json_lines(stream: BinaryIO, rows: Iterable[object]) -> None:
    """Write a section of JSON rows: a count line, then one line per row."""
    lines = [_dumps(row) for row in rows]
    stream.write(_dumps({"rows": len(lines)}))
    stream.writelines(lines)


def read_json_lines(stream: BinaryIO) -> list[Any]:
    """Read the rows of a section written by :func:`write_json_lines`."""
    head = read_json(stream)
    count = head.get("rows") if isinstance(head, dict) else None
    if not isinstance(count, int) or count < 0:
        raise _invalid("JSON-lines section must start with its row count")
    return [_loads(_read_line(stream, "JSON row"), "JSON row") for _ in range(count)]


def write_entries(stream: BinaryIO, pairs: Iterable[tuple[int, str]]) -> None:
    """Write ``(entry id, value)`` pairs as a JSON-lines section, ordered by entry id (stable bytes)."""
    write_json_lines(stream, ([entry, value] for entry, value in sorted(pairs)))


def read_entries(stream: BinaryIO) -> list[tuple[int, str]]:
    """Read the pairs :func:`write_entries` wrote; ``ValidationError`` if a row is not ``[int, str]``."""
    pairs: list[tuple[int, str]] = []
    for row in read_json_lines(stream):
        if not (isinstance(row, list) and len(row) == 2 and type(row[0]) is int and isinstance(row[1], str)):
            raise _invalid("entry rows must be [entry id, value]")
        pairs.append((row[0], row[1]))
    return pairs


def save_values(stream: BinaryIO, name: str, version: int, pairs: Iterable[tuple[int, str]]) -> None:
    """Save an index that is fully described by its ``(entry id, value)`` pairs: a header, then the pairs."""
    listed = list(pairs)
    write_header(stream, name, version, {"entries": len(listed)})
    write_entries(stream, listed)


def load_values(stream: BinaryIO, name: str) -> tuple[list[str], list[int]]:
    """The values and entry ids :func:`save_values` wrote, ready for ``index.add(values, entries)``."""
    read_header(stream, name, {1})
    pairs = read_entries(stream)
    return [value for _, value in pairs], [entry for entry, _ in pairs]


def write_array(stream: BinaryIO, array: npt.NDArray[Any]) -> None:
    """Write a numpy array section (``.npy`` format, no pickled objects)."""
    if array.dtype.hasobject:
        raise TypeError("object arrays cannot be saved: they would need pickle")
    np.lib.format.write_array(stream, np.ascontiguousarray(array), allow_pickle=False)


def read_array(stream: BinaryIO) -> npt.NDArray[Any]:
    """Read an array section written by :func:`write_array`; object arrays are refused."""
    try:
        array: npt.NDArray[Any] = np.lib.format.read_array(stream, allow_pickle=False)
    except (ValueError, OSError, EOFError) as error:
        raise _invalid(f"bad array section: {error}") from None
    return array
