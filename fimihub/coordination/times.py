"""Times of posts and actions: Unix seconds from whatever an export or an object table holds, by one rule.

Co-action (a platform export's ``posted_at``, an object table's ``timestamp_share``) and resurgence (an
export's ``posted_at``: posting rhythm, co-action confirmation) read times with :func:`parse_times`, so a
value is a time for both or for neither. The rule:

- Arrow timestamps (any unit; a naive one is UTC) and dates (midnight UTC);
- integers, and finite floats, as Unix seconds;
- text, surrounding space trimmed, that is either Unix seconds written as an integer or a decimal
  (``1700000000``, ``-86400``, ``1700000000.5``: an optional minus sign, digits, optionally a point and
  digits; no exponent, no ``nan`` or ``inf``, no ``+``), or an ISO 8601 date or date and time
  (``2025-01-01``, ``2025-01-01T12:00:00Z``, ``2025-01-01 12:00:00+02:00``; without an offset, UTC). Text of
  digits alone is Unix seconds, never a basic-format date.

Fractions of a second are dropped towards the past (``-0.5`` is second ``-1``), and a time must lie within
10**18 seconds of 1970. Anything else — nulls, empty text, ``1.7e9``, ``nan``, ``inf``, other types — is not
a time; :attr:`Times.present` tells an empty value (null, blank text) from a present but unreadable one, so
each caller reports bad values its own way. Hour-of-day and weekday :func:`histograms` of such times make a
fingerprint's posting rhythm and an account's rhythm evidence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from fimihub.coordination.columns import dictionary_codes, mask

__all__ = ["TIME_LIMIT", "Times", "histograms", "parse_time", "parse_times"]

I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]
Mask = npt.NDArray[np.bool_]

#: Times are Unix seconds of a magnitude below this (about 31.7 billion years).
TIME_LIMIT = 10**18
_DIGITS = 18  # digits of the largest whole number below TIME_LIMIT
_NUMBER = r"^-?[0-9]+(\.[0-9]+)?$"
_NUMBER_TEXT = re.compile(_NUMBER)
_ISO = re.compile(
    r"[0-9]{4}(?:-[0-9]{2}-[0-9]{2}|[0-9]{4}|-?W[0-9]{2}(?:-?[0-9])?)"  # date (calendar or week)
    r"(?:[Tt ][0-9]{2}(?::?[0-9]{2}(?::?[0-9]{2}(?:[.,][0-9]+)?)?)?"  # time of day
    r"(?:Z|[+-][0-9]{2}(?::?[0-9]{2})?)?)?"  # offset
)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_SECOND = timedelta(seconds=1)
_PER_SECOND = {"s": 1, "ms": 1_000, "us": 1_000_000, "ns": 1_000_000_000}


@dataclass(frozen=True)
class Times:
    """A time column read as Unix seconds: ``seconds[i]`` (``0`` where there is no time) is row ``i``'s time
    when ``valid[i]``; ``present[i]`` says whether the row holds a value at all (not null, not blank)."""

    seconds: I64
    valid: Mask
    present: Mask

    @property
    def unreadable(self) -> Mask:
        """Rows whose value is there but is not a time."""
        return self.present & ~self.valid


def parse_time(text: str) -> int | None:
    """Unix seconds of one text value by the module's rule, ``None`` when it is not a time."""
    value = text.strip()
    if _NUMBER_TEXT.match(value):
        whole, _, fraction = value.partition(".")
        seconds = int(whole) - (value.startswith("-") and fraction.strip("0") != "")
        return seconds if abs(seconds) < TIME_LIMIT else None
    if not _ISO.fullmatch(value):
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return (moment - _EPOCH) // _SECOND


def parse_times(column: pa.Array | pa.ChunkedArray) -> Times:
    """Unix seconds of a time column by the module's rule, which of them are valid, and which rows hold a
    value at all."""
    kind = column.type
    if pa.types.is_dictionary(kind):
        column = pc.cast(column, kind.value_type)
        kind = column.type
    array = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    present = mask(pc.is_valid(array))
    if pa.types.is_timestamp(kind):
        raw = _numbers(pc.cast(array, pa.int64()))
        return _bounded(np.floor_divide(raw, _PER_SECOND[kind.unit]), present)
    if pa.types.is_date32(kind):
        return _bounded(_numbers(pc.cast(array, pa.int32())) * 86_400, present)
    if pa.types.is_date64(kind):
        return _bounded(np.floor_divide(_numbers(pc.cast(array, pa.int64())), 1000), present)
    if pa.types.is_unsigned_integer(kind):
        raw_u = np.asarray(pc.fill_null(array, 0).to_numpy(zero_copy_only=False), dtype=np.uint64)
        small = raw_u < np.uint64(TIME_LIMIT)
        return _bounded(np.where(small, raw_u, 0).astype(np.int64), present & small, present)
    if pa.types.is_integer(kind):
        return _bounded(_numbers(pc.cast(array, pa.int64())), present)
    if pa.types.is_floating(kind):
        raw_f = np.asarray(pc.fill_null(pc.cast(array, pa.float64()), 0.0).to_numpy(zero_copy_only=False))
        finite = np.isfinite(raw_f) & (np.abs(raw_f) < TIME_LIMIT)
        return _bounded(np.floor(np.where(finite, raw_f, 0.0)).astype(np.int64), present & finite, present)
    if pa.types.is_decimal(kind) or pa.types.is_string_view(kind):
        array = pc.cast(array, pa.string())
        kind = array.type
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        return _text_times(array)
    return Times(np.zeros(len(array), dtype=np.int64), np.zeros(len(array), dtype=bool), present)


def _numbers(values: pa.Array) -> I64:
    """An integer Arrow array as ``int64`` numpy values, nulls as 0."""
    return np.asarray(pc.fill_null(values, 0).to_numpy(zero_copy_only=False), dtype=np.int64)


def _bounded(seconds: I64, readable: Mask, present: Mask | None = None) -> Times:
    """``seconds`` of the ``readable`` rows, valid where within :data:`TIME_LIMIT`; ``present`` defaults to
    ``readable`` (``NaN``, or a number out of range, is present but unreadable)."""
    valid = readable & (seconds > -TIME_LIMIT) & (seconds < TIME_LIMIT)
    present = readable if present is None else present
    return Times(np.where(valid, seconds, 0).astype(np.int64), valid, present)


def _text_times(array: pa.Array) -> Times:
    """Text by the module's rule: numbers column-wise, ISO 8601 once per distinct text."""
    text = pc.utf8_trim_whitespace(array)
    n = len(text)
    present = mask(pc.not_equal(text, ""))
    number = mask(pc.match_substring_regex(text, _NUMBER))
    seconds = np.zeros(n, dtype=np.int64)
    valid = np.zeros(n, dtype=bool)
    if number.any():
        rows = np.flatnonzero(number)
        numbers = text.take(pa.array(rows))
        # The whole part's digits without sign and leading zeros: at most 18 stay below the limit.
        digits = pc.replace_substring_regex(numbers, r"^-?0*([0-9]*?)(\.[0-9]+)?$", r"\1")
        fits = mask(pc.less_equal(pc.utf8_length(digits), _DIGITS))
        digits = pc.if_else(pc.and_(pa.array(fits), pc.not_equal(digits, "")), digits, "0")
        magnitude = _numbers(pc.cast(digits, pa.int64()))
        negative = mask(pc.starts_with(numbers, "-"))
        fraction = mask(pc.match_substring_regex(numbers, r"\.[0-9]*[1-9]"))
        seconds[rows] = np.where(negative, -magnitude - fraction, magnitude)
        valid[rows] = fits & (seconds[rows] > -TIME_LIMIT)
    rest = np.flatnonzero(present & ~number)
    if len(rest):
        encoded = pc.dictionary_encode(text.take(pa.array(rest)))
        parsed = [parse_time(v) for v in encoded.dictionary.to_pylist()]
        found = np.array([p is not None for p in parsed], dtype=bool)
        value = np.array([0 if p is None else p for p in parsed], dtype=np.int64)
        codes = dictionary_codes(encoded)
        seconds[rest] = value[codes]
        valid[rest] = found[codes]
    return Times(np.where(valid, seconds, 0), valid, present)


def histograms(group: I64, seconds: I64, groups: int) -> tuple[F64, F64]:
    """Hour-of-day (UTC, 24 bins) and weekday (Monday first, 7 bins) counts of posts per group."""
    hour = (seconds // 3600) % 24
    weekday = (seconds // 86_400 + 3) % 7  # 1970-01-01 was a Thursday
    hours = np.bincount(group * 24 + hour, minlength=groups * 24).reshape(groups, 24).astype(np.float64)
    days = np.bincount(group * 7 + weekday, minlength=groups * 7).reshape(groups, 7).astype(np.float64)
    return hours, days
