"""Texts of simulated posts: benign chatter in bulk, operation narratives, and the light edits returning
operations make to them, plus the word-shingle Jaccard used to say how near two texts are.

Benign texts are built column-wise with pyarrow (one list of phrases per post, joined in C++), because a world
of ten million posts cannot afford a Python call per post. Operation texts are few (a pool per operation and
wave) and are made one by one.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from functools import cache

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from fimihub.sim.lexicon import BENIGN_SLOTS, BENIGN_TEMPLATES, COMMON_POSTS
from fimihub.sim.narratives import CALLS, FILLERS, HOOKS, SYNONYMS, Narrative

__all__ = [
    "benign_texts",
    "light_edit",
    "operation_text",
    "shingle_jaccard",
    "shingles",
    "small_edit",
]

_WORD = re.compile(r"\w+")
_LETTERS = re.compile(r"^[A-Za-z]{4,}$")
#: Share of benign posts that are one of the short common posts, word for word.
_COMMON_SHARE = 0.03


def shingles(text: str, k: int = 3) -> set[tuple[str, ...]]:
    """The word ``k``-shingles of ``text`` (lower-cased words, punctuation dropped); short texts give one."""
    words = _WORD.findall(text.lower())
    if len(words) < k:
        return {tuple(words)} if words else set()
    return {tuple(words[i : i + k]) for i in range(len(words) - k + 1)}


def shingle_jaccard(a: str, b: str, k: int = 3) -> float:
    """Jaccard similarity of the word ``k``-shingle sets of ``a`` and ``b`` (1.0 for two empty texts)."""
    sa, sb = shingles(a, k), shingles(b, k)
    if not sa and not sb:
        return 1.0
    return len(sa & sb) / len(sa | sb)


# -- benign chatter ----------------------------------------------------------------------------------------


@cache
def _benign_tables() -> tuple[pa.Array, npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """All phrases in one array, each slot's offset and size in it, and the templates as a padded matrix."""
    slots = list(BENIGN_SLOTS)
    phrases: list[str] = []
    offset = np.zeros(len(slots), dtype=np.int64)
    size = np.zeros(len(slots), dtype=np.int64)
    for i, slot in enumerate(slots):
        offset[i], size[i] = len(phrases), len(BENIGN_SLOTS[slot])
        phrases.extend(BENIGN_SLOTS[slot])
    width = max(len(t) for t in BENIGN_TEMPLATES)
    # Column 0 holds the template's length; the slot ids follow.
    templates = np.zeros((len(BENIGN_TEMPLATES), width + 1), dtype=np.int64)
    for i, template in enumerate(BENIGN_TEMPLATES):
        templates[i, 0] = len(template)
        templates[i, 1 : len(template) + 1] = [slots.index(s) for s in template]
    return pa.array(phrases, pa.string()), offset, size, templates


def benign_texts(rng: np.random.Generator, n: int) -> pa.Array:
    """``n`` benign posts (a pyarrow string array), each a random template filled with random phrases."""
    phrases, offset, size, templates = _benign_tables()
    template = rng.integers(0, len(templates), n)
    lengths = templates[template, 0]
    starts = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(lengths, out=starts[1:])
    row = np.repeat(np.arange(n), lengths)
    position = np.arange(int(starts[-1])) - starts[row]
    slot = templates[template[row], position + 1]
    pick = offset[slot] + (rng.random(len(slot)) * size[slot]).astype(np.int64)
    words = phrases.take(pa.array(pick))
    texts = pc.binary_join(pa.ListArray.from_arrays(pa.array(starts.astype(np.int32)), words), " ")
    common = rng.random(n) < _COMMON_SHARE
    if common.any():
        which = pa.array(
            np.asarray(COMMON_POSTS, dtype=object)[rng.integers(0, len(COMMON_POSTS), n)], pa.string()
        )
        texts = pc.if_else(pa.array(common), which, texts)
    return texts


# -- operation narratives ----------------------------------------------------------------------------------


def operation_text(
    rng: np.random.Generator, narratives: Sequence[Narrative], countries: Sequence[str]
) -> str:
    """A post in an operation's voice: a hook, three claims from its narratives about its targets, a call."""
    claims: list[str] = []
    while len(claims) < 3:
        narrative = narratives[int(rng.integers(len(narratives)))]
        claim = narrative.claims[int(rng.integers(len(narrative.claims)))]
        text = claim.format(country=countries[int(rng.integers(len(countries)))])
        if text not in claims:
            claims.append(text)
    hook = HOOKS[int(rng.integers(len(HOOKS)))]
    call = CALLS[int(rng.integers(len(CALLS)))]
    return " ".join([hook, *claims, call])


def light_edit(text: str, rng: np.random.Generator, edits: int | None = None) -> str:
    """``text`` lightly edited the way a returning operation reworks its copypasta.

    Each edit swaps a word for a synonym, inserts a filler word, deletes a word, or makes a typo; each touches
    at most three word 3-shingles, so with one edit per ~60 words (the default) the word-3-shingle Jaccard to
    the original stays about 0.8 or more for texts of 40 words and up.
    """
    words = text.split()
    count = edits if edits is not None else max(1, round(len(words) / 60))
    for _ in range(count):
        words = _edit_once(words, rng, ("synonym", "insert", "delete", "typo"))
    return " ".join(words)


def small_edit(text: str, rng: np.random.Generator) -> str:
    """``text`` with one typo or one inserted filler: the drift between copies of the same post."""
    return " ".join(_edit_once(text.split(), rng, ("typo", "insert")))


def _edit_once(words: list[str], rng: np.random.Generator, kinds: tuple[str, ...]) -> list[str]:
    if len(words) < 2:
        return [*words, FILLERS[int(rng.integers(len(FILLERS)))]]
    first = int(rng.integers(len(kinds)))
    for i in range(len(kinds)):
        edited = _EDITS[kinds[(first + i) % len(kinds)]](words, rng)
        if edited is not None and edited != words:
            return edited
    # Every text of two words or more takes an insertion, so this is only reached by pathological input.
    return [*words, FILLERS[0]]


def _synonym(words: list[str], rng: np.random.Generator) -> list[str] | None:
    candidates = [i for i, w in enumerate(words) if _bare(w).lower() in SYNONYMS]
    if not candidates:
        return None
    i = candidates[int(rng.integers(len(candidates)))]
    bare = _bare(words[i])
    options = SYNONYMS[bare.lower()]
    new = options[int(rng.integers(len(options)))]
    if bare[:1].isupper():
        new = new[:1].upper() + new[1:]
    return [*words[:i], words[i].replace(bare, new, 1), *words[i + 1 :]]


def _insert(words: list[str], rng: np.random.Generator) -> list[str]:
    i = int(rng.integers(1, len(words)))
    return [*words[:i], FILLERS[int(rng.integers(len(FILLERS)))], *words[i:]]


def _delete(words: list[str], rng: np.random.Generator) -> list[str] | None:
    # Keep the first word and any word carrying sentence punctuation, so sentences stay sentences.
    candidates = [i for i in range(1, len(words)) if words[i].isalpha()]
    if len(words) < 8 or not candidates:
        return None
    i = candidates[int(rng.integers(len(candidates)))]
    return [*words[:i], *words[i + 1 :]]


def _typo(words: list[str], rng: np.random.Generator) -> list[str] | None:
    # Most words qualify, so a few random tries find one without scanning the whole text.
    tries = rng.integers(0, len(words), 8).tolist()
    i = next((j for j in tries if _LETTERS.match(words[j])), -1)
    if i < 0:
        candidates = [j for j, w in enumerate(words) if _LETTERS.match(w)]
        if not candidates:
            return None
        i = candidates[int(rng.integers(len(candidates)))]
    word = words[i]
    j = int(rng.integers(1, len(word) - 2))
    how = int(rng.integers(3))
    if how == 0 and word[j] != word[j + 1]:
        typo = word[:j] + word[j + 1] + word[j] + word[j + 2 :]  # swap two letters
    elif how == 1:
        typo = word[:j] + word[j] + word[j:]  # double a letter
    else:
        typo = word[:j] + word[j + 1 :]  # drop a letter
    return [*words[:i], typo, *words[i + 1 :]]


def _bare(word: str) -> str:
    return word.strip(".,!?:;\"'()")


_EDITS: dict[str, Callable[[list[str], np.random.Generator], list[str] | None]] = {
    "synonym": _synonym,
    "insert": _insert,
    "delete": _delete,
    "typo": _typo,
}
