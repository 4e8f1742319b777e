"""JSON text in and out, fast: orjson, with the standard library taking over where orjson refuses.

Records, STIX objects and TAXII envelopes cross JSON text at every store write and every TAXII request, so
this is where serialising time goes. orjson writes the same compact text as ``json.dumps(value,
separators=(",", ":"), ensure_ascii=False)``, except that it may spell a float differently (``0.0001`` for
``1e-04``; the same number). What it refuses and the standard library accepts (integers beyond 64 bits,
``NaN`` in input, keys that are not strings) goes to the standard library, so no value that worked before
stops working.

:func:`canonical` is the one canonical JSON of fimihub, for every text that is hashed, signed or compared:
STIX signatures, audit hashes and anchors, deterministic STIX ids, copies of a posted object. It is the
standard library's text to the byte, never orjson's, because signatures and hashes made before must still
verify and other tools (stix2, a peer's verifier) rebuild it.

Text from outside the hub (request bodies) is read with :func:`loads_limited`, which also refuses what no
part of the hub should have to handle: nesting deeper than :data:`MAX_DEPTH`, numbers beyond a 64-bit
float's range (a 5,000-digit integer), ``NaN`` and ``Infinity``, and strings with unpaired surrogates
(``"\\ud800"``), which no UTF-8 text, database or JSON answer can hold. It raises :class:`JsonRefused`,
naming where.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from typing import Any

import orjson

__all__ = ["MAX_DEPTH", "JsonRefused", "canonical", "dumps", "loads", "loads_limited"]

#: How deeply JSON text from outside the hub may nest (arrays and objects), by default.
MAX_DEPTH = 128
#: The most digits of a number's integer literal: 309 digits is beyond what a 64-bit float holds.
_MAX_NUMBER_DIGITS = 308


def dumps(value: Any) -> str:
    """``value`` as compact JSON text, keys in their own order, non-ASCII characters as they are."""
    try:
        return orjson.dumps(value).decode()
    except TypeError:  # orjson.JSONEncodeError is a TypeError
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def canonical(value: Any, *, default: Callable[[Any], Any] | None = None) -> str:
    """``value`` as canonical JSON text, the same for two equal values: keys sorted, no white space,
    non-ASCII characters as they are (encode it as UTF-8), exactly as the standard library writes it
    (``json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)``). ``NaN`` and the
    infinities are no JSON and raise ``ValueError``; a value JSON has no form for raises ``TypeError``, unless
    ``default`` turns it into one."""
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False, default=default
    )


def loads(text: str | bytes | bytearray | memoryview) -> Any:
    """The value of JSON ``text``; raises :class:`json.JSONDecodeError` (a ``ValueError``) naming where it
    is not JSON."""
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return json.loads(bytes(text) if isinstance(text, memoryview) else text)


class JsonRefused(ValueError):
    """JSON text that is well formed but refused by :func:`loads_limited`; ``field`` names where (a dotted
    path such as ``objects.0.name``, or ``(root)``), ``reason`` says why."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


def loads_limited(text: str | bytes | bytearray | memoryview, *, max_depth: int = MAX_DEPTH) -> Any:
    """The value of JSON ``text`` from outside the hub. Raises :class:`json.JSONDecodeError` or
    :class:`UnicodeDecodeError` where it is not JSON, and :class:`JsonRefused` where it nests deeper than
    ``max_depth``, holds a number beyond a 64-bit float's range, ``NaN`` or ``Infinity``, or a string with
    an unpaired surrogate."""
    data = bytes(text) if isinstance(text, memoryview) else text
    try:
        value = orjson.loads(data)
    except orjson.JSONDecodeError:
        # orjson refuses every case above (and nests at most 1024 deep); the standard library reads them,
        # guarded, to say which it is, or that the text is not JSON at all.
        value = _stdlib_guarded(data, max_depth)
        _check(value, max_depth, strings=True)
        return value
    # No more levels than opening brackets: walk only when the text has more of them than the limit.
    if _brackets(data) > max_depth and _deeper(value, max_depth):
        _check(value, max_depth, strings=False)  # to name where
    return value


def _brackets(data: str | bytes | bytearray) -> int:
    if isinstance(data, str):
        return data.count("[") + data.count("{")
    return data.count(b"[") + data.count(b"{")


def _stdlib_guarded(data: str | bytes | bytearray, max_depth: int) -> Any:
    try:
        return json.loads(data, parse_int=_int, parse_float=_float, parse_constant=_constant)
    except RecursionError:
        raise JsonRefused("(root)", f"nests deeper than {max_depth} levels") from None


def _int(literal: str) -> int:
    if len(literal.lstrip("-")) > _MAX_NUMBER_DIGITS:
        raise JsonRefused(
            "(root)", f"a number of {len(literal.lstrip('-'))} digits is beyond a 64-bit float's range"
        )
    return int(literal)


def _float(literal: str) -> float:
    number = float(literal)
    if not math.isfinite(number):
        raise JsonRefused(
            "(root)",
            f"the number {literal[:20]}{'…' if len(literal) > 20 else ''} is beyond a 64-bit float's range",
        )
    return number


def _constant(name: str) -> float:
    raise JsonRefused("(root)", f"{name} is not a JSON number")


def _deeper(value: Any, max_depth: int) -> bool:
    """Whether ``value`` nests deeper than ``max_depth``: level by level, without recursion (parsed JSON holds
    exactly ``dict`` and ``list``)."""
    level = [value] if type(value) is dict or type(value) is list else []
    depth = 0
    while level:
        depth += 1
        if depth > max_depth:
            return True
        below: list[Any] = []
        for item in level:
            for child in item.values() if type(item) is dict else item:
                if type(child) is dict or type(child) is list:
                    below.append(child)
        level = below
    return False


def _check(value: Any, max_depth: int, *, strings: bool) -> None:
    """Refuse ``value`` when it nests deeper than ``max_depth`` or (``strings``) holds an unpaired surrogate;
    iteratively, so that no depth can exhaust the stack."""
    stack: list[tuple[Any, tuple[str | int, ...]]] = [(value, ())]
    while stack:
        item, path = stack.pop()
        if isinstance(item, dict):
            children: list[tuple[Any, str | int]] = []
            for key, child in item.items():
                if strings:
                    _text(key, (*path, key))
                children.append((child, key))
        elif isinstance(item, list):
            children = [(child, index) for index, child in enumerate(item)]
        else:
            if strings and isinstance(item, str):
                _text(item, path)
            continue
        if len(path) + 1 > max_depth:
            where = _dotted(path[:8]) + (".…" if len(path) > 8 else "")
            raise JsonRefused(where, f"nests deeper than {max_depth} levels")
        stack.extend((child, (*path, step)) for child, step in children)


def _text(text: str, path: tuple[str | int, ...]) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as error:
        code = ord(text[error.start])
        raise JsonRefused(_dotted(path), f"unpaired surrogate U+{code:04X} at {error.start}") from None


def _dotted(path: tuple[str | int, ...]) -> str:
    """``path`` as a field name: ``objects.0.name``; text that UTF-8 cannot hold is escaped."""
    if not path:
        return "(root)"
    return ".".join(str(p).encode("utf-8", "backslashreplace").decode("utf-8") for p in path)
