"""Handles and display names of simulated accounts, and how returning accounts disguise the ones they replace.

Handles follow each platform's rules (allowed characters, length), so a handle that migrates to another
platform is re-shaped the way its operator would have to. Renames are the tricks seen in recidivist networks:
bumping a number (``name_1234`` → ``name_1235``), swapping a suffix (``_news`` → ``_official``), and
look-alike characters (``l`` → ``1``, ``o`` → ``0``). Handles are ASCII on every platform we model, so
Cyrillic homoglyphs go into display names, where platforms allow them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from fimihub.sim.names import ascii_names

__all__ = [
    "RENAME_KINDS",
    "dedupe_handles",
    "fit_handle",
    "fit_handles",
    "homoglyph_name",
    "persona_handles",
    "rename_handle",
]

I64 = npt.NDArray[np.int64]

#: How a returning account's handle relates to the one it replaces; ``fresh`` is a new, unrelated handle.
RENAME_KINDS: tuple[str, ...] = ("increment", "suffix", "lookalike", "fresh")


@dataclass(frozen=True)
class _Rule:
    allowed: str  # a regex character class body
    separator: str  # what a name separator becomes
    shortest: int
    longest: int


_RULES: dict[str, _Rule] = {
    "x": _Rule("a-z0-9_", "_", 4, 15),
    "facebook": _Rule("a-z0-9.", ".", 5, 50),
    "instagram": _Rule("a-z0-9._", "", 1, 30),
    "threads": _Rule("a-z0-9._", "", 1, 30),
    "tiktok": _Rule("a-z0-9._", "", 2, 24),
    "telegram": _Rule("a-z0-9_", "_", 5, 32),
    "youtube": _Rule("a-z0-9._-", "", 3, 30),
}
_DEFAULT_RULE = _Rule("a-z0-9_", "_", 3, 30)
_DISALLOWED = {name: re.compile(f"[^{rule.allowed}]") for name, rule in _RULES.items()}
_DEFAULT_DISALLOWED = re.compile(f"[^{_DEFAULT_RULE.allowed}]")
_CLEAN = {name: re.compile(f"[{rule.allowed}]*$") for name, rule in _RULES.items()}
_DEFAULT_CLEAN = re.compile(f"[{_DEFAULT_RULE.allowed}]*$")
_TO_SEPARATOR = {sep: str.maketrans({c: sep for c in "._-"}) for sep in ("_", ".")}
_DROP_SEPARATORS = str.maketrans("", "", "._-")

_SUFFIXES = ("_official", "_real", "_news", "_eu", "_info", "2", "_", "_new", "x", "_tv", "_daily", "_live")
_LOOKALIKE = {"l": "1", "o": "0", "i": "1", "e": "3", "a": "4", "s": "5", "b": "6", "g": "9", "t": "7"}
# Latin letters and the Cyrillic letters drawn the same.
_HOMOGLYPHS = {
    "a": "\u0430",
    "o": "\u043e",
    "e": "\u0435",
    "c": "\u0441",
    "p": "\u0440",
    "x": "\u0445",
    "i": "\u0456",
    "A": "\u0410",
    "O": "\u041e",
    "E": "\u0415",
    "C": "\u0421",
    "P": "\u0420",
    "K": "\u041a",
    "M": "\u041c",
    "T": "\u0422",
    "H": "\u041d",
    "B": "\u0412",
}


def fit_handle(handle: str, platform: str) -> str:
    """``handle`` shaped to ``platform``'s rules: lower case, allowed characters, length."""
    rule = _RULES.get(platform, _DEFAULT_RULE)
    text = handle.lower()
    if rule.separator:
        text = text.translate(_TO_SEPARATOR[rule.separator])
    if not _CLEAN.get(platform, _DEFAULT_CLEAN).match(text):
        text = _DISALLOWED.get(platform, _DEFAULT_DISALLOWED).sub("", text)
    if len(text) > rule.longest:
        # Dropping separators keeps the name's ending (often its number) before cutting into letters.
        squeezed = text.translate(_DROP_SEPARATORS)
        text = squeezed[: rule.longest]
    if "." in rule.allowed:
        text = text.strip(".")  # platforms that allow dots refuse them at either end
    while len(text) < rule.shortest:
        text += "1"
    return text


def persona_handles(first: I64, last: I64, year: I64, number: I64, style: I64) -> pa.Array:
    """Raw handles (before :func:`fit_handles`) for people called ``FIRST_NAMES[first] LAST_NAMES[last]``,
    each in one of eight common shapes: ``anna_kovac_1987``, ``anna.kovac``, ``annakovac87``, ``kovac_anna``,
    ``anna_4821``, ``akovac``, ``anna_kovac_4821``, ``annakovac4821``."""
    first_ascii, last_ascii = ascii_names()
    f = pa.array(first_ascii, pa.string()).take(pa.array(first))
    la = pa.array(last_ascii, pa.string()).take(pa.array(last))
    years = pa.array(year).cast(pa.string())
    short_year = pc.utf8_lpad(pa.array(year % 100).cast(pa.string()), 2, "0")
    numbers = pa.array(number).cast(pa.string())
    join = pc.binary_join_element_wise
    shapes = (
        join(f, la, years, "_"),
        join(f, la, "."),
        join(f, la, short_year, ""),
        join(la, f, "_"),
        join(f, numbers, "_"),
        join(pc.utf8_slice_codeunits(f, 0, 1), la, ""),
        join(f, la, numbers, "_"),
        join(f, la, numbers, ""),
    )
    return pc.choose(pa.array(style % len(shapes), pa.int8()), *shapes)


def fit_handles(handles: pa.Array, platform: I64, names: Sequence[str]) -> pa.Array:
    """:func:`fit_handle` for many handles at once; ``platform`` indexes ``names``."""
    if len(handles) == 0:
        return handles
    order = np.argsort(platform, kind="stable")
    parts: list[pa.Array] = []
    for p in np.unique(platform).tolist():
        rows = order[platform[order] == p]
        rule = _RULES.get(names[p], _DEFAULT_RULE)
        text = pc.utf8_lower(handles.take(pa.array(rows)))
        if rule.separator:
            text = pc.replace_substring_regex(text, "[._-]", rule.separator)
        text = pc.replace_substring_regex(text, f"[^{rule.allowed}]", "")
        squeezed = pc.utf8_slice_codeunits(pc.replace_substring_regex(text, "[._-]", ""), 0, rule.longest)
        text = pc.if_else(pc.greater(pc.utf8_length(text), rule.longest), squeezed, text)
        if "." in rule.allowed:
            text = pc.utf8_trim(text, ".")
        parts.append(pc.utf8_rpad(text, rule.shortest, "1"))
    # The parts hold the rows in platform order; put them back in the original order.
    inverse = np.empty_like(order)
    inverse[order] = np.arange(len(order))
    return pa.concat_arrays(parts).take(pa.array(inverse))


def rename_handle(handle: str, platform: str, kind: str, rng: np.random.Generator) -> tuple[str, str]:
    """A rename of ``handle`` on ``platform`` of the given ``kind`` (not ``fresh``), and its actual kind.

    When the platform's rules undo a rename (a suffix cut off by the length limit), a look-alike is used
    instead and reported as such, so the ground truth says what was done.
    """
    if kind == "increment":
        match = re.search(r"(\d+)$", handle)
        if match:
            digits = match.group(1)
            bumped = str(int(digits) + int(rng.integers(1, 4))).zfill(len(digits))
            new = handle[: match.start()] + bumped
        else:
            new = f"{handle}{int(rng.integers(1, 10))}"
    elif kind == "suffix":
        base = re.sub(r"[._]?\d*$", "", handle) or handle
        new = base + _SUFFIXES[int(rng.integers(len(_SUFFIXES)))]
    else:
        new = _lookalike(handle, rng)
    new = fit_handle(new, platform)
    old = fit_handle(handle, platform)
    if new == old:
        kind = "lookalike"
        new = fit_handle(_lookalike(old, rng), platform)
    if new == old:
        new = new[:-1] + ("7" if new[-1] != "7" else "8")
    return new, kind


def _lookalike(handle: str, rng: np.random.Generator) -> str:
    positions = [i for i, c in enumerate(handle) if c in _LOOKALIKE]
    if positions:
        i = positions[int(rng.integers(len(positions)))]
        return handle[:i] + _LOOKALIKE[handle[i]] + handle[i + 1 :]
    letters = [i for i, c in enumerate(handle) if c.isalpha()]
    if letters:  # double a letter instead
        i = letters[int(rng.integers(len(letters)))]
        return handle[: i + 1] + handle[i:]
    return handle + "x"


def homoglyph_name(name: str, rng: np.random.Generator) -> str:
    """``name`` with one or two letters replaced by look-alike Cyrillic letters (unchanged if none fit)."""
    positions = [i for i, c in enumerate(name) if c in _HOMOGLYPHS]
    if not positions:
        return name
    chosen = rng.choice(np.array(positions), size=min(len(positions), int(rng.integers(1, 3))), replace=False)
    chars = list(name)
    for i in chosen:
        chars[int(i)] = _HOMOGLYPHS[chars[int(i)]]
    return "".join(chars)


def dedupe_handles(platform: I64, handles: pa.Array, names: Sequence[str]) -> pa.Array:
    """``handles`` made unique within each platform: later duplicates get a numeric suffix within the rules.

    The first holder of a handle keeps it, so the order of ``handles`` decides who is renamed.
    """
    keys = pc.binary_join_element_wise(pa.array(platform).cast(pa.string()), handles, "\x00")
    codes = keys.dictionary_encode().indices.to_numpy()
    duplicate = np.ones(len(codes), dtype=bool)
    duplicate[np.unique(codes, return_index=True)[1]] = False
    if not duplicate.any():
        return handles
    seen = set(zip(platform.tolist(), handles.to_pylist(), strict=True))
    rows = np.flatnonzero(duplicate)
    # Where the search for a free suffix of each clashing handle resumes, so large clashes stay linear.
    next_suffix: dict[tuple[int, str], int] = {}
    renamed: list[str] = []
    for p, handle in zip(platform[rows].tolist(), handles.take(pa.array(rows)).to_pylist(), strict=True):
        rule = _RULES.get(names[p], _DEFAULT_RULE)
        k = next_suffix.get((p, handle), 1)
        candidate = handle
        while (p, candidate) in seen:
            k += 1
            suffix = str(k)
            candidate = fit_handle(handle[: rule.longest - len(suffix)] + suffix, names[p])
        next_suffix[(p, handle)] = k
        seen.add((p, candidate))
        renamed.append(candidate)
    return pc.replace_with_mask(handles, pa.array(duplicate), pa.array(renamed, pa.string()))
