"""First line of defence for every signal kind: the checks a raw value passes before any parsing.

Values arrive from forms, CSV imports and peers. Whatever they contain, a kind must answer with a
``ValueError`` that says what is wrong — never crash, never spend seconds on a megabyte of junk, and never
let invisible characters make two values that look the same compare different (or the reverse).
"""

from __future__ import annotations

import unicodedata

from fimihub.model.signals import MAX_SIGNAL_VALUE

__all__ = ["MAX_COMBINING_RUN", "check_text", "fold_text", "strip_invisible"]

#: Longest run of combining marks tolerated on one base character. Real scripts stack two or three
#: (Vietnamese, Devanagari, Thai); "zalgo" text stacks dozens to deface or evade matching.
MAX_COMBINING_RUN = 3

# Explicit directional embeddings, overrides and isolates reorder what a reader sees (the "trojan source"
# trick); they have no place in an identifier, so a value holding one is refused rather than cleaned.
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
# Invisible characters that only change the bytes, not what a reader sees: removed, so that a value padded
# with them still matches (zero-width space and joiners, word joiner, BOM, soft hyphen, directional marks).
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad\u200e\u200f\u061c\u180e"))


def strip_invisible(text: str) -> str:
    """``text`` without zero-width and other invisible characters."""
    return text.translate(_INVISIBLE)


def check_text(value: object, what: str, *, max_length: int = MAX_SIGNAL_VALUE) -> str:
    """``value`` stripped of surrounding space and invisible characters, or ``ValueError`` saying why not.

    Refuses: non-text, empty or blank values, values longer than ``max_length`` (checked first, so a
    megabyte costs nothing), control characters, unpaired surrogates, private-use and unassigned code
    points, bidi overrides, and runs of more than :data:`MAX_COMBINING_RUN` combining marks.
    """
    if not isinstance(value, str):
        raise ValueError(f"{what}: expected text, got {type(value).__name__}")
    if len(value) > max_length:
        raise ValueError(f"{what}: {len(value)} characters, more than the {max_length} allowed")
    text = strip_invisible(value).strip()
    if not text:
        raise ValueError(f"{what}: empty")
    if text.isascii() and text.isprintable():
        return text  # the common case, and none of the checks below can fail on it
    run = 0
    for position, char in enumerate(text):
        if char in _BIDI_CONTROLS:
            raise ValueError(f"{what}: bidirectional control character U+{ord(char):04X} at {position}")
        category = unicodedata.category(char)
        if category in {"Mn", "Me"}:
            run += 1
            if run > MAX_COMBINING_RUN:
                raise ValueError(
                    f"{what}: more than {MAX_COMBINING_RUN} combining marks in a row at {position}"
                )
            continue
        run = 0
        if category == "Cc":
            raise ValueError(f"{what}: control character U+{ord(char):04X} at {position}")
        if category == "Cs":
            raise ValueError(f"{what}: unpaired surrogate U+{ord(char):04X} at {position}")
        if category in {"Co", "Cn"}:
            raise ValueError(f"{what}: unassigned or private-use character U+{ord(char):04X} at {position}")
    return text


def fold_text(text: str) -> str:
    """Compatibility-normalised (NFKC) and case-folded ``text``, repeated until stable.

    NFKC turns full-width and mathematical letters into plain ones; case folding can produce characters
    that NFKC composes again, so the pair is applied until nothing changes (twice in practice).
    """
    for _ in range(4):
        folded = unicodedata.normalize("NFKC", text).casefold()
        if folded == text:
            break
        text = folded
    return text
