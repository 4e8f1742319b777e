"""The ``phrase`` signal kind: keywords and word patterns for the coded terms an operation uses in posts.

Texts and phrases are compared as sequences of *words*: runs of letters, digits, ``_`` and combining marks,
after NFKC and case folding. A word that mixes scripts (``zelensky`` typed with a Cyrillic e, U+0435, a
common way to dodge filters) has its TR39 confusables folded to Latin; a word wholly in one script is kept.

Canonical forms:

- keyword: its words joined by single spaces — ``"Bio-Labs in Ukraine!"`` -> ``bio labs in ukraine``;
- pattern: ``pattern:`` then words in which ``*`` stands for any run of word characters (also none) and
  ``?`` for one — ``pattern:z*lensk? regime``. Patterns are globs, never regular expressions: a regex from a
  peer could make every scan hang, while a glob is matched in time linear in the text.

A phrase hits a text when its words occur in the text consecutively. :meth:`PhraseSignalType.compare` and
:class:`PhraseIndex` take free text as the query (a post body, any length).
"""

from __future__ import annotations

import re
import sys
import unicodedata
from collections.abc import Iterable, Sequence
from functools import cache
from typing import ClassVar

import disarm

from fimihub.matching.base import Hit, SignalIndex, SignalType, ValueIndex
from fimihub.matching.index.brute import rank
from fimihub.matching.kinds._input import check_text, fold_text
from fimihub.model.signals import SignalKind

__all__ = [
    "PATTERN_PREFIX",
    "PhraseIndex",
    "PhraseSignalType",
    "normalise_phrase",
    "phrase_words",
    "text_words",
]

PATTERN_PREFIX = "pattern:"
_MAX_WORDS = 32
_MAX_PHRASE = 1000
# No real word is longer; longer runs (base64 blobs, "aaaa…") are skipped by patterns to bound their cost.
_MAX_WORD = 256


@cache
def _word_pattern() -> re.Pattern[str]:
    # Python's \w leaves out combining marks, which would cut Hindi or Thai words apart: add every mark.
    marks = [chr(c) for c in range(sys.maxunicode + 1) if unicodedata.category(chr(c)) in {"Mn", "Mc", "Me"}]
    ranges: list[tuple[str, str]] = []
    for char in marks:
        if ranges and ord(char) == ord(ranges[-1][1]) + 1:
            ranges[-1] = (ranges[-1][0], char)
        else:
            ranges.append((char, char))
    body = "".join(re.escape(a) if a == b else f"{re.escape(a)}-{re.escape(b)}" for a, b in ranges)
    return re.compile(rf"[\w{body}]+")


def _fold_word(word: str) -> list[str]:
    if word.isascii() or not disarm.is_mixed_script(word):
        return [word]
    return _word_pattern().findall(fold_text(disarm.normalize_confusables(word)))


def text_words(text: str) -> list[str]:
    """The folded words of ``text`` (any length), as phrases are matched against them."""
    words: list[str] = []
    for word in _word_pattern().findall(fold_text(text)):
        words.extend(_fold_word(word))
    return words


def phrase_words(value: str) -> tuple[bool, list[str]]:
    """``(is_pattern, words)`` of a canonical phrase value."""
    if value.startswith(PATTERN_PREFIX):
        return True, value[len(PATTERN_PREFIX) :].split(" ")
    return False, value.split(" ")


class _Glob:
    """One pattern word. Its pieces between ``*`` have fixed lengths, so placing each at its leftmost
    occurrence is exact for globs and never backtracks: linear in the word, whatever the pattern."""

    __slots__ = ("lengths", "literal", "pieces")

    def __init__(self, word: str) -> None:
        self.literal = word if "*" not in word and "?" not in word else None
        parts = word.split("*")
        self.pieces = [re.compile(re.escape(part).replace(r"\?", ".")) for part in parts]
        self.lengths = [len(part) for part in parts]

    def match(self, word: str) -> bool:
        if self.literal is not None:
            return word == self.literal
        if len(word) > _MAX_WORD:
            return False
        pieces = self.pieces
        if len(pieces) == 1:
            return pieces[0].fullmatch(word) is not None
        head = pieces[0].match(word)
        tail = len(word) - self.lengths[-1]  # the last piece is pinned to the end of the word
        if head is None or tail < head.end() or pieces[-1].fullmatch(word, tail) is None:
            return False
        position = head.end()
        for piece in pieces[1:-1]:
            found = piece.search(word, position, tail)
            if found is None:
                return False
            position = found.end()
        return True


def _normalise_pattern(body: str, original: str) -> str:
    words = []
    for raw in body.split():
        word = re.sub(r"\*+", "*", fold_text(raw))
        if not all(char in "*?" or _word_pattern().fullmatch(char) for char in word):
            raise ValueError(
                f"phrase {original[:60]!r}: pattern word {raw[:30]!r} may hold only letters, * and ?"
            )
        words.append(word)
    if not words:
        raise ValueError(f"phrase {original[:60]!r}: empty pattern")
    if all(set(word) <= {"*", "?"} for word in words):
        raise ValueError(f"phrase {original[:60]!r}: a pattern of wildcards only would match every text")
    return PATTERN_PREFIX + " ".join(words)


def normalise_phrase(value: str) -> str:
    """The canonical form of a keyword or ``pattern:`` value; ``ValueError`` saying what is wrong."""
    text = check_text(value, "phrase", max_length=_MAX_PHRASE)
    if text[: len(PATTERN_PREFIX)].lower() == PATTERN_PREFIX:
        canonical = _normalise_pattern(text[len(PATTERN_PREFIX) :], text)
    else:
        words = text_words(text)
        if not words:
            raise ValueError(f"phrase {text[:60]!r}: no words in it")
        canonical = " ".join(words)
    if len(phrase_words(canonical)[1]) > _MAX_WORDS:
        raise ValueError(f"phrase {text[:60]!r}: more than {_MAX_WORDS} words")
    return canonical


def _occurs(words: Sequence[_Glob], text: Sequence[str], start: int) -> bool:
    if start + len(words) > len(text):
        return False
    return all(glob.match(text[start + offset]) for offset, glob in enumerate(words))


def _compile(value: str) -> list[_Glob]:
    return [_Glob(word) for word in phrase_words(value)[1]]


class PhraseSignalType(SignalType):
    """Keywords and word patterns, hit when they occur in a text (the query)."""

    kind: ClassVar[SignalKind] = SignalKind.PHRASE

    def normalise(self, value: str) -> str:
        return normalise_phrase(value)

    def compare(self, query: str, candidate: str) -> Hit | None:
        if query == candidate:
            return Hit(0)  # a phrase is the same signal as itself, pattern or not
        globs = _compile(candidate)
        words = text_words(query)
        return Hit(0) if any(_occurs(globs, words, start) for start in range(len(words))) else None

    def new_index(self) -> SignalIndex:
        return PhraseIndex()


class PhraseIndex(ValueIndex):
    """The phrases occurring in a text. Phrases starting with a plain word are looked up by that word at
    each position of the text; those starting with a wildcard word are tried at every position."""

    format_name: ClassVar[str] = "fimihub.phrase"
    format_version: ClassVar[int] = 1

    def __init__(self) -> None:
        self._values: dict[int, str] = {}
        self._globs: dict[int, list[_Glob]] = {}
        self._by_first: dict[str, set[int]] = {}
        self._wild: set[int] = set()
        self._by_value: dict[str, set[int]] = {}

    def add(self, values: Sequence[str], entries: Sequence[int]) -> None:
        if len(values) != len(entries):
            raise ValueError(f"{len(values)} values but {len(entries)} entry ids")
        for value, entry in zip(values, entries, strict=True):
            self.remove([entry])
            globs = _compile(value)
            self._values[entry] = value
            self._globs[entry] = globs
            self._by_value.setdefault(value, set()).add(entry)
            first = globs[0].literal
            if first is None:
                self._wild.add(entry)
            else:
                self._by_first.setdefault(first, set()).add(entry)

    def remove(self, entries: Iterable[int]) -> None:
        for entry in entries:
            value = self._values.pop(entry, None)
            if value is None:
                continue
            first = self._globs.pop(entry)[0].literal
            for table, key in ((self._by_value, value), (self._by_first, first)):
                if key is not None and key in table:
                    table[key].discard(entry)
                    if not table[key]:
                        del table[key]
            self._wild.discard(entry)

    def query(self, value: str) -> list[Hit]:
        found = set(self._by_value.get(value, ()))
        words = text_words(value)
        for start, word in enumerate(words):
            for entry in self._by_first.get(word, ()):
                if entry not in found and _occurs(self._globs[entry], words, start):
                    found.add(entry)
        for entry in self._wild - found:
            globs = self._globs[entry]
            if any(_occurs(globs, words, start) for start in range(len(words))):
                found.add(entry)
        return rank(Hit(entry) for entry in found)

    def __len__(self) -> int:
        return len(self._values)

    def values(self) -> dict[int, str]:
        """A copy of the live entries, entry id -> value."""
        return dict(self._values)
