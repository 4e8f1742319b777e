"""Times of actions: Unix seconds from whatever an export or an object table holds."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["parse_times"]

I64 = npt.NDArray[np.int64]
_NUMBER = re.compile(r"^\s*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\s*$")


def _parse_time_text(value: str) -> int | None:
    text = value.strip()
    if not text:
        return None
    if _NUMBER.match(text):
        number = float(text)
        return int(np.floor(number)) if np.isfinite(number) and abs(number) < 2**62 else None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(np.floor(moment.timestamp()))


def parse_times(column: pa.Array | pa.ChunkedArray) -> tuple[I64, npt.NDArray[np.bool_]]:
    """Unix seconds of a time column, and which of them are valid.

    Accepts Arrow timestamps (any unit; naive ones are taken as UTC), dates, integers, floats (fractions are
    dropped: times are whole seconds) and strings holding either Unix seconds or ISO 8601 (``Z`` or an
    offset; without one, UTC). Nulls and anything else are invalid."""
    if isinstance(column, pa.ChunkedArray):
        column = column.combine_chunks() if column.num_chunks != 1 else column.chunk(0)
    kind = column.type
    if pa.types.is_dictionary(kind):
        column = column.dictionary_decode()
        kind = column.type
    n = len(column)
    if pa.types.is_timestamp(kind) or pa.types.is_date(kind):
        seconds = pc.cast(column, pa.timestamp("s", tz=getattr(kind, "tz", None)), safe=False)
        values = pc.fill_null(pc.cast(seconds, pa.int64()), 0).to_numpy(zero_copy_only=False)
        return values.astype(np.int64), _present(column)
    if pa.types.is_integer(kind):
        values = pc.fill_null(pc.cast(column, pa.int64()), 0).to_numpy(zero_copy_only=False)
        return values.astype(np.int64), _present(column)
    if pa.types.is_floating(kind):
        raw = pc.fill_null(pc.cast(column, pa.float64()), np.nan).to_numpy(zero_copy_only=False)
        valid = np.isfinite(raw) & (np.abs(raw) < 2.0**62)
        values = np.where(valid, np.floor(np.where(valid, raw, 0.0)), 0.0).astype(np.int64)
        return values, valid
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        # Each distinct text is parsed once: exports repeat their times (bursts) and this is Python work.
        encoded = pc.dictionary_encode(column)
        parsed = [_parse_time_text(v) if v is not None else None for v in encoded.dictionary.to_pylist()]
        lookup = np.array([0 if p is None else p for p in parsed], dtype=np.int64)
        good = np.array([p is not None for p in parsed], dtype=bool)
        codes = pc.fill_null(encoded.indices, -1).to_numpy(zero_copy_only=False).astype(np.int64)
        valid = (codes >= 0) & good[np.maximum(codes, 0)] if len(lookup) else np.zeros(n, dtype=bool)
        values = lookup[np.maximum(codes, 0)] if len(lookup) else np.zeros(n, dtype=np.int64)
        return np.where(valid, values, 0).astype(np.int64), valid
    return np.zeros(n, dtype=np.int64), np.zeros(n, dtype=bool)


def _present(column: pa.Array) -> npt.NDArray[np.bool_]:
    """Which values of ``column`` are not null."""
    return np.asarray(pc.is_valid(column).to_numpy(zero_copy_only=False), dtype=bool)
