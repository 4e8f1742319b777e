"""When accounts post: post times read from an export, and their hour-of-day and weekday histograms.

Exports write times as timestamps, as numbers (Unix seconds) or as ISO 8601 strings; all are read as Unix
seconds, and a time without zone as UTC. Histograms of hours (UTC) and weekdays are what a fingerprint's
posting rhythm and an account's rhythm evidence are made of.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["histograms", "post_times"]

I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]

_NUMBER = r"^\s*-?[0-9]+(\.[0-9]*)?\s*$"


def post_times(
    column: pa.ChunkedArray | pa.Array, skipped: Counter[str]
) -> tuple[I64, npt.NDArray[np.bool_]]:
    """Unix seconds of each post and whether it has one: timestamps, numbers (Unix seconds) or ISO 8601
    strings (a time without zone is read as UTC). Non-empty values that are none of these are counted."""
    array = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    n = len(array)
    if pa.types.is_timestamp(array.type):
        seconds = pc.cast(pc.cast(array, pa.timestamp("s", tz=array.type.tz), safe=False), pa.int64())
        return _filled(seconds), array.is_valid().to_numpy(zero_copy_only=False).astype(bool)
    if pa.types.is_integer(array.type) or pa.types.is_floating(array.type):
        values = pc.cast(pc.floor(pc.cast(array, pa.float64())), pa.int64(), safe=False)
        return _filled(values), array.is_valid().to_numpy(zero_copy_only=False).astype(bool)
    text = pc.utf8_trim_whitespace(pc.fill_null(pc.cast(array, pa.string()), ""))
    times = np.zeros(n, dtype=np.int64)
    ok = np.zeros(n, dtype=bool)
    present = pc.not_equal(text, "").to_numpy(zero_copy_only=False).astype(bool)
    number = pc.match_substring_regex(text, _NUMBER).to_numpy(zero_copy_only=False).astype(bool)
    if number.any():
        rows = np.flatnonzero(number)
        values = pc.cast(pc.cast(text.take(pa.array(rows)), pa.float64()), pa.int64(), safe=False)
        times[rows] = values.to_numpy(zero_copy_only=False)
        ok[rows] = True
    rest = np.flatnonzero(present & ~number)
    if len(rest):
        encoded = text.take(pa.array(rest)).dictionary_encode()
        parsed = [_iso_seconds(v) for v in encoded.dictionary.to_pylist()]
        found = np.array([p is not None for p in parsed], dtype=bool)
        value = np.array([p if p is not None else 0 for p in parsed], dtype=np.int64)
        codes = encoded.indices.to_numpy(zero_copy_only=False)
        times[rest] = value[codes]
        ok[rest] = found[codes]
        skipped["posted_at"] += int((~found[codes]).sum())
    return times, ok


def _filled(values: pa.Array) -> I64:
    return np.asarray(pc.fill_null(values, 0).to_numpy(zero_copy_only=False), dtype=np.int64)


def _iso_seconds(value: str) -> int | None:
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp())


def histograms(group: I64, seconds: I64, groups: int) -> tuple[F64, F64]:
    """Hour-of-day (UTC, 24 bins) and weekday (Monday first, 7 bins) counts of posts per group."""
    hour = (seconds // 3600) % 24
    weekday = (seconds // 86_400 + 3) % 7  # 1970-01-01 was a Thursday
    hours = np.bincount(group * 24 + hour, minlength=groups * 24).reshape(groups, 24).astype(np.float64)
    days = np.bincount(group * 7 + weekday, minlength=groups * 7).reshape(groups, 7).astype(np.float64)
    return hours, days
