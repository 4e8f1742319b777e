"""Handle patterns: what a returning operator's new handle keeps of a removed one, and how it travels keyed.

Returning operators pick handles close to the ones that were removed: ``name_1234`` becomes ``name_1235``,
``name_news`` or ``nam3_1234``, often on another platform whose rules drop the ``_``. :func:`handle_patterns`
reduces a handle to what such renames keep: the handle folded (NFKC, case, TR39 confusables), digits read as
the letters they imitate where they sit inside a word (``nam3`` -> ``name``), every other run of digits
generalised to ``#``, look-alike letters made one (``i``/``l``), doubled letters collapsed and separators
dropped. Its *stem* is the whole result (``name_1234`` -> ``name#``), its *core* the stem without its last
part (``name_news`` -> ``name``). Patterns with fewer than :data:`MIN_PATTERN_LETTERS` letters say too little
about who chose them and are not made.

Patterns never leave the process in clear: they travel as HMAC-SHA256 digests under a key the caller passes
(the forum's pseudonymisation key, :func:`keyed_patterns`), and :func:`pattern_key_id` names that key
without revealing it, so a scan can tell it holds the wrong one.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections import defaultdict
from collections.abc import Iterable

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from fimihub.coordination.columns import dictionary_codes
from fimihub.errors import ValidationError
from fimihub.matching.kinds.handle import fold_handle

__all__ = [
    "MIN_KEY_BYTES",
    "MIN_PATTERN_LETTERS",
    "check_digest",
    "check_key",
    "handle_pairs",
    "handle_patterns",
    "keyed_group_patterns",
    "keyed_patterns",
    "pattern_key_id",
]

I64 = npt.NDArray[np.int64]

#: Shortest key accepted for handle patterns: the key, not the handle space, is what resists guessing.
MIN_KEY_BYTES = 16
#: Letters a handle pattern needs to be made at all.
MIN_PATTERN_LETTERS = 6
_PATTERN_TAG = b"fimihub-handle-pattern-v1"
_KEY_ID_TAG = b"fimihub-key-id-v1"
_HEX64 = frozenset("0123456789abcdef")

# Digits that stand in for a letter inside a word (``l00k`` -> ``look``), and letters that read alike.
_DIGIT_LETTERS = {"0": "o", "1": "l", "3": "e", "4": "a", "5": "s", "6": "b", "7": "t", "8": "b", "9": "g"}
_LETTER_FOLD = str.maketrans({"i": "l"})
_RUN = re.compile(r"[0-9]+|[^0-9]+")
_SEPARATORS = re.compile(r"[._\-/:]+")
_REPEATS = re.compile(r"(.)\1+")


def _readings(name: str) -> list[str]:
    """``name`` (folded, separators as spaces) with each digit run read as letters or as a number ``#``.

    A lone digit inside a word stands for a letter; one that ends a word after letters might be either
    (``anna4`` is ``ann4`` or ``anna`` numbered), so both readings are made, for up to two such digits.
    """
    parts = _RUN.findall(name)
    options: list[list[str]] = []
    ambiguous = 0
    for i, part in enumerate(parts):
        if not part[0].isdigit():
            options.append([part])
            continue
        before = i > 0 and parts[i - 1][-1].isalpha()
        after = i + 1 < len(parts) and parts[i + 1][0].isalpha()
        letter = _DIGIT_LETTERS.get(part) if len(part) == 1 else None
        if letter is not None and after:
            options.append([letter])
        elif letter is not None and before and ambiguous < 2:
            ambiguous += 1
            options.append(["#", letter])
        else:
            options.append(["#"])
    readings = [""]
    for choice in options:
        readings = [r + c for r in readings for c in choice]
    return readings


def handle_patterns(handle: str) -> list[str]:
    """The patterns of ``handle`` in clear (see the module docstring); ``[]`` for a handle that cannot be
    folded or is too short to say anything. Never leaves this process: only keyed hashes are shared."""
    try:
        folded = fold_handle(handle.strip())
    except ValueError:
        return []
    name = _SEPARATORS.sub(" ", folded.rsplit("/", 1)[-1])
    patterns: set[str] = set()
    for reading in _readings(name):
        parts: list[str] = []
        for word in reading.split():
            parts.extend(p for p in re.split(r"(#)", word) if p)
        parts = [_REPEATS.sub(r"\1", p.translate(_LETTER_FOLD)) for p in parts]
        if not parts:
            continue
        for pattern in ("".join(parts), "".join(parts[:-1])):
            if sum(c.isalpha() for c in pattern) >= MIN_PATTERN_LETTERS:
                patterns.add(_REPEATS.sub(r"\1", pattern))
    return sorted(patterns)


def check_key(key: bytes) -> bytes:
    """``key`` if it can key handle patterns; ``ValidationError`` naming ``key`` otherwise."""
    if not isinstance(key, bytes | bytearray) or len(key) < MIN_KEY_BYTES:
        raise ValidationError("key", f"a pattern key must be at least {MIN_KEY_BYTES} bytes")
    return bytes(key)


def keyed_patterns(key: bytes, patterns: Iterable[str]) -> list[str]:
    """HMAC-SHA256 digests (hex) of handle patterns under ``key``, tagged so they never equal a pseudonym."""
    key = check_key(key)
    return [
        hmac.new(key, _PATTERN_TAG + b"\x00" + p.encode("utf-8"), hashlib.sha256).hexdigest()
        for p in patterns
    ]


def check_digest(value: str) -> str:
    """A keyed handle pattern as :func:`keyed_patterns` writes it (64 lower-case hex digits), from ``value``;
    ``ValueError`` when it is not one."""
    text = value.strip().lower()
    if len(text) != 64 or not set(text) <= _HEX64:
        raise ValueError("a handle pattern is a keyed hash of 64 hex digits")
    return text


def pattern_key_id(key: bytes) -> str:
    """A short name of ``key`` (as the forum's key id is made), so a scan can tell it holds the wrong key."""
    key = check_key(key)
    return "pk-" + hashlib.sha256(_KEY_ID_TAG + b"\x00" + key).hexdigest()[:16]


def handle_pairs(column: pa.Array, rows: I64, group: I64) -> tuple[I64, dict[int, list[str]]]:
    """The distinct ``(group, handle)`` pairs of ``rows`` of a ``handle`` column (``group[r]`` is row ``r``'s
    account or operation, the handle a code), and the patterns in clear of each non-empty handle among them.

    Patterns are made once per distinct handle, however many rows carry it."""
    encoded = column.take(pa.array(rows, pa.int64())).dictionary_encode()
    pairs = np.unique(np.stack([group[rows], dictionary_codes(encoded)], axis=1), axis=0)
    names = encoded.dictionary.to_pylist()
    return pairs, {c: handle_patterns(names[c]) for c in np.unique(pairs[:, 1]).tolist() if names[c]}


def keyed_group_patterns(pairs: I64, clear: dict[int, list[str]], key: bytes) -> dict[int, set[str]]:
    """The keyed patterns (:func:`keyed_patterns` under ``key``) of each group's handles, from the ``pairs``
    and the patterns in ``clear`` that :func:`handle_pairs` gives; each pattern is keyed once."""
    digests = {code: keyed_patterns(key, patterns) for code, patterns in clear.items()}
    by_group: defaultdict[int, set[str]] = defaultdict(set)
    for group, code in pairs.tolist():
        by_group[group].update(digests.get(code, ()))
    return by_group
