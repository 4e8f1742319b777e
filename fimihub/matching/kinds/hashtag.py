"""The ``hashtag`` signal kind: one hashtag, written without its ``#``, NFKC-normalised and case-folded.

``#StopTheWar`` -> ``stopthewar``; a full-width ``#`` is a ``#``. Confusables are deliberately *not* folded:
hashtags are written in every script, and folding a Cyrillic tag such as ``#сво`` to the Latin letters it
resembles would merge unrelated tags. Invisible characters are removed (a zero-width space inside a tag is a
known trick to dodge filters).
"""

from __future__ import annotations

import re
import unicodedata
from typing import ClassVar

from fimihub.matching.index.exact import ExactSignalType
from fimihub.matching.kinds._input import check_text, fold_text, strip_invisible
from fimihub.model.signals import SignalKind

__all__ = ["HashtagSignalType", "hashtags_in_text", "normalise_hashtag"]

# Platforms cap hashtags well below this; anything longer is not a tag someone types.
_MAX_TAG = 140
# A tag in running text: '#' not preceded by a word character (so "a#b" and URL fragments are skipped).
_TAG_IN_TEXT = re.compile(r"(?<![\w&/])[#\uff03]([\w\u200b-\u200d\u2060]+)")


def _tag_char(char: str) -> bool:
    return char.isalnum() or char == "_" or unicodedata.category(char) in {"Mn", "Mc"}


def normalise_hashtag(value: str) -> str:
    """The canonical form of one hashtag; ``ValueError`` saying what is wrong."""
    text = check_text(value, "hashtag", max_length=1024)
    tag = fold_text(text.lstrip("#\uff03"))
    if not tag:
        raise ValueError("hashtag: nothing after '#'")
    if len(tag) > _MAX_TAG:
        raise ValueError(f"hashtag: {len(tag)} characters, more than {_MAX_TAG}")
    for char in tag:
        if not _tag_char(char):
            what = "white space (one hashtag per signal)" if char.isspace() else repr(char)
            raise ValueError(f"hashtag {text[:40]!r}: cannot contain {what}")
    if not any(char.isalnum() for char in tag):
        raise ValueError(f"hashtag {text[:40]!r}: needs at least one letter or digit")
    return tag


def hashtags_in_text(text: str) -> list[str]:
    """The canonical hashtags written in ``text`` (a post body), in order of appearance, without repeats."""
    seen: dict[str, None] = {}
    for match in _TAG_IN_TEXT.finditer(text):
        try:
            seen.setdefault(normalise_hashtag(strip_invisible(match.group(1))), None)
        except ValueError:
            continue  # a '#' followed by something that is no tag ("#1", too long …) is just text
    return list(seen)


class HashtagSignalType(ExactSignalType):
    """Hashtags, matched exactly after normalisation."""

    kind: ClassVar[SignalKind] = SignalKind.HASHTAG

    def normalise(self, value: str) -> str:
        return normalise_hashtag(value)
