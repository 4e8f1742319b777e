"""JSON text in and out, fast: orjson, with the standard library taking over where orjson refuses.

Records, STIX objects and TAXII envelopes cross JSON text at every store write and every TAXII request, so
this is where serialising time goes. orjson writes the same compact text as ``json.dumps(value,
separators=(",", ":"), ensure_ascii=False)``, except that it may spell a float differently (``0.0001`` for
``1e-04``; the same number). What it refuses and the standard library accepts (integers beyond 64 bits,
``NaN`` in input, keys that are not strings) goes to the standard library, so no value that worked before
stops working. Signatures and deterministic ids, which need one exact text, keep the standard library's.
"""

from __future__ import annotations

import json
from typing import Any

import orjson

__all__ = ["canonical", "dumps", "loads"]


def dumps(value: Any) -> str:
    """``value`` as compact JSON text, keys in their own order, non-ASCII characters as they are."""
    try:
        return orjson.dumps(value).decode()
    except TypeError:  # orjson.JSONEncodeError is a TypeError
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def canonical(value: Any) -> str:
    """``value`` as compact JSON text with its keys sorted: the same text for two equal values."""
    try:
        return orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode()
    except TypeError:
        return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def loads(text: str | bytes | bytearray | memoryview) -> Any:
    """The value of JSON ``text``; raises :class:`json.JSONDecodeError` (a ``ValueError``) naming where it
    is not JSON."""
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return json.loads(bytes(text) if isinstance(text, memoryview) else text)
