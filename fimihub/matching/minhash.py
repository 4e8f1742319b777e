"""Text signatures for near-duplicate matching: normalisation, word shingles and MinHash, format ``mh1``.

A ``text`` signal travels as a signature, never as the text it was made from::

    mh1:<1024 lowercase hex digits>

the 128 MinHash values (unsigned 32-bit, big-endian, 8 hex digits each) of the text's word 3-shingles. The
prefix ``mh1`` pins everything that makes two signatures comparable: the normalisation below, shingles of 3
words, the shingle hash, and the 128 hash functions. Changing any of them means a new prefix.

Normalisation (:func:`words`): Unicode NFKD, then drop every combining mark (accents, "zalgo", and also the
vowel signs of Indic scripts: a consonant skeleton still tells texts apart, and words stay whole), format
characters (zero-width joiners, bidi overrides) and lone surrogates; NFKC, casefold; drop URLs and @handles;
the words are then the runs of letters, digits and ``_``, so punctuation, emoji and ``#`` fall away.

Limits: texts of fewer than :data:`MIN_WORDS` words are refused, being too short to tell a copied narrative
from a common phrase. Texts of up to :data:`MAX_TEXT_CHARS` characters are signed, in time linear in their
length (0.2 to 0.6 s for a megabyte on one core), unless normalisation expands them past that many characters
(NFKC turns some characters into up to 18). Longer texts are refused rather than truncated, so that a
signature always stands for the whole text.

Speed: :func:`signatures` signs a batch with one regex pass per text and numpy for the rest. Each shingle is
hashed as its UTF-8 byte span in the batch's joined text with a polynomial hash computed from prefix sums (no
Python call per word or shingle, and no salted ``hash()``), finished with murmur3's 64-bit mixer; the 128
permutations are multiply-add-shift hashes ``(a·x + b mod 2⁶⁴) >> 32`` of its top 32 bits (2-independent).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from functools import cache

import numpy as np
import numpy.typing as npt

__all__ = [
    "EMPTY",
    "MAX_TEXT_CHARS",
    "MAX_WORDS",
    "MIN_WORDS",
    "NUM_PERM",
    "PREFIX",
    "SHINGLE_WORDS",
    "decode",
    "decode_many",
    "encode",
    "estimated_jaccard",
    "exact_jaccard",
    "shingle_hashes",
    "shingles",
    "signature",
    "signatures",
    "words",
]

PREFIX = "mh1:"
NUM_PERM = 128
SHINGLE_WORDS = 3
MIN_WORDS = 5
MAX_TEXT_CHARS = 1 << 20
# A text of MAX_TEXT_CHARS characters has at most half as many words: this bites only on expanded ones.
MAX_WORDS = 1 << 19
#: The MinHash value of an empty shingle set: :func:`signatures` fills rows of refused texts with it.
EMPTY = 0xFFFFFFFF

Signatures = npt.NDArray[np.uint32]

_HEX_DIGITS = 8 * NUM_PERM
_WORD = re.compile(r"\w+")
_NOISE = re.compile(r"(?:https?://|www\.)\S+|@\w+")
_MASK64 = (1 << 64) - 1
# The polynomial hash's base (odd, so it has an inverse mod 2^64) and the seed of the permutations.
_BASE = 0x9E3779B97F4A7C15
_BASE_INVERSE = pow(_BASE, -1, 1 << 64)
_SEED = 0x6D68310000000001
# Rows of the (texts x permutations) block hashed at a time: 2 MiB, so it stays in cache.
_BLOCK = 2048
# Below this many texts in a step, a block's remaining texts are finished one by one.
_FEW = 16
# Characters joined into one batch before hashing, to bound the memory of the prefix-sum arrays.
_BATCH_CHARS = 1 << 20
# Powers of the hash base kept between calls (16 MiB); a longer text computes its own.
_CACHED_POWERS = 1 << 20
_power_tables: tuple[npt.NDArray[np.uint64], npt.NDArray[np.uint64]] = (
    np.ones(0, dtype=np.uint64),
    np.ones(0, dtype=np.uint64),
)


@cache
def _dropped() -> dict[int, None]:
    """The code points :func:`words` drops, from this Python's Unicode database (once, ~0.1 s)."""
    # Planes 0-3 and 14 hold every assigned mark and format character; 15-16 are private use.
    return {
        cp: None
        for cp in (*range(0x40000), *range(0xE0000, 0xE1000))
        if unicodedata.category(chr(cp))[0] == "M" or unicodedata.category(chr(cp)) in {"Cf", "Cs"}
    }


def words(text: str) -> list[str]:
    """The normalised words of ``text`` (see the module docstring)."""
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text).translate(_dropped())
        text = unicodedata.normalize("NFKC", text)
    return _WORD.findall(_NOISE.sub(" ", text.casefold()))


def shingles(text: str) -> set[str]:
    """The word 3-shingles of ``text``, each as its words joined by a space (the exact reference)."""
    ws = words(text)
    return {" ".join(ws[i : i + SHINGLE_WORDS]) for i in range(len(ws) - SHINGLE_WORDS + 1)}


def exact_jaccard(a: str, b: str) -> float:
    """The exact Jaccard similarity of the shingle sets of two texts (0.0 when both are empty)."""
    sa, sb = shingles(a), shingles(b)
    union = len(sa | sb)
    return len(sa & sb) / union if union else 0.0


def _signable(text: str) -> tuple[list[str] | None, str]:
    """The words of ``text`` if it can be signed, else ``None`` and why not."""
    if len(text) > MAX_TEXT_CHARS:
        return None, f"text is too long to sign ({len(text)} characters, at most {MAX_TEXT_CHARS})"
    ws = words(text)
    if len(ws) < MIN_WORDS:
        return None, f"text is too short to match safely ({len(ws)} words, at least {MIN_WORDS})"
    # Compatibility forms can expand a character up to 18-fold, so the normalised text is bounded too.
    if len(ws) > MAX_WORDS or sum(map(len, ws)) > MAX_TEXT_CHARS:
        return None, f"text is too long to sign ({len(ws)} words after normalisation, at most {MAX_WORDS})"
    return ws, ""


def shingle_hashes(texts: Sequence[str]) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.int64]]:
    """64-bit hashes of every text's shingles, and offsets: text ``i`` owns ``offsets[i]:offsets[i + 1]``.

    Refused texts (too short, too long) own no shingles. Repeated shingles of a text repeat their hash.
    """
    parts: list[npt.NDArray[np.uint64]] = []
    counts = np.zeros(len(texts), dtype=np.int64)
    batch: list[str] = []
    batch_words: list[int] = []
    batch_rows: list[int] = []
    size = 0
    for row, text in enumerate(texts):
        ws, _ = _signable(text)
        if ws is None:
            continue
        batch.extend(ws)
        batch_words.append(len(ws))
        batch_rows.append(row)
        size += len(text)
        if size >= _BATCH_CHARS:
            parts.append(_hash_batch(batch, batch_words))
            counts[batch_rows] = np.asarray(batch_words) - SHINGLE_WORDS + 1
            batch, batch_words, batch_rows, size = [], [], [], 0
    if batch:
        parts.append(_hash_batch(batch, batch_words))
        counts[batch_rows] = np.asarray(batch_words) - SHINGLE_WORDS + 1
    offsets = np.zeros(len(texts) + 1, dtype=np.int64)
    np.cumsum(counts, out=offsets[1:])
    return (np.concatenate(parts) if parts else np.zeros(0, np.uint64)), offsets


def _hash_batch(flat_words: list[str], counts: list[int]) -> npt.NDArray[np.uint64]:
    """The shingle hashes of consecutive texts whose words are ``flat_words`` (``counts[i]`` each)."""
    data = np.frombuffer(" ".join(flat_words).encode("utf-8"), dtype=np.uint8)
    spaces = np.flatnonzero(data == 0x20)
    starts = np.concatenate(([0], spaces + 1))
    ends = np.concatenate((spaces, [len(data)]))
    # Shingle g spans words g..g+2; it starts a shingle when those three words belong to the same text.
    n = np.asarray(counts, dtype=np.int64)
    first = np.repeat(np.cumsum(n) - n, n)
    position = np.arange(len(first)) - first
    begin = np.flatnonzero(position <= np.repeat(n, n) - SHINGLE_WORDS)
    lo, hi = starts[begin], ends[begin + SHINGLE_WORDS - 1]
    # sum(byte[i] * BASE^(i-lo)) over [lo, hi) from prefix sums of byte[i] * BASE^i; uint64 wraps mod 2^64.
    powers, inverse = _powers(len(data))
    prefix = np.zeros(len(data) + 1, dtype=np.uint64)
    np.cumsum(data * powers, out=prefix[1:])
    h = (prefix[hi] - prefix[lo]) * inverse[lo]
    h ^= (hi - lo).astype(np.uint64) << np.uint64(48)
    return _fmix64(h)


def _powers(n: int) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.uint64]]:
    """``BASE^i`` and ``BASE^-i`` mod 2^64 for ``i < n``; the first :data:`_CACHED_POWERS` are kept."""
    global _power_tables
    if n > len(_power_tables[0]):
        size = min(max(n, 1 << 12, 2 * len(_power_tables[0])), _CACHED_POWERS) if n <= _CACHED_POWERS else n
        tables = []
        for base in (_BASE, _BASE_INVERSE):
            table = np.empty(size, dtype=np.uint64)
            table[0] = 1
            np.cumprod(np.full(size - 1, base, dtype=np.uint64), out=table[1:])
            tables.append(table)
        if size > _CACHED_POWERS:
            return tables[0][:n], tables[1][:n]
        _power_tables = (tables[0], tables[1])
    return _power_tables[0][:n], _power_tables[1][:n]


def _fmix64(h: npt.NDArray[np.uint64]) -> npt.NDArray[np.uint64]:
    """murmur3's 64-bit finaliser: every input bit reaches every output bit."""
    h ^= h >> np.uint64(33)
    h *= np.uint64(0xFF51AFD7ED558CCD)
    h ^= h >> np.uint64(33)
    h *= np.uint64(0xC4CEB9FE1A85EC53)
    h ^= h >> np.uint64(33)
    return h


@cache
def _permutations() -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.uint64]]:
    """The 128 (a, b) pairs, from splitmix64 in plain Python so they never change with numpy's generators."""
    state, out = _SEED, []
    for _ in range(2 * NUM_PERM):
        state = (state + 0x9E3779B97F4A7C15) & _MASK64
        z = state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK64
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK64
        out.append(z ^ (z >> 31))
    return np.array(out[:NUM_PERM], dtype=np.uint64), np.array(out[NUM_PERM:], dtype=np.uint64)


def _minhash(hashes: npt.NDArray[np.uint64], offsets: npt.NDArray[np.int64]) -> Signatures:
    """Fold each text's shingle hashes into its 128 minima.

    ``np.minimum.reduceat`` over ragged texts is slow (~3 ns a value), so texts are sorted longest first and
    taken in blocks of rows: step ``j`` hashes the ``j``-th shingle of every text in the block long enough to
    have one (a prefix of the block) and folds it in with whole-array operations. The few texts much longer
    than their block's others are finished one by one.
    """
    a, b = _permutations()
    n = len(offsets) - 1
    x = hashes >> np.uint64(32)
    if n == 1:
        # One text (a signal being normalised): skip the sorting, which costs more than the hashing.
        one = np.full(NUM_PERM, np.iinfo(np.uint64).max, dtype=np.uint64)
        _fold_one(x, one, np.empty((min(_BLOCK, max(len(x), 1)), NUM_PERM), dtype=np.uint64))
        return (one >> np.uint64(32)).astype(np.uint32)[None, :]
    counts = np.diff(offsets)
    order = np.argsort(-counts, kind="stable")
    low = np.full((n, NUM_PERM), np.iinfo(np.uint64).max, dtype=np.uint64)
    scratch = np.empty((min(_BLOCK, max(n, int(counts.max(initial=1)))), NUM_PERM), dtype=np.uint64)
    for top in range(0, n, _BLOCK):
        rows = order[top : top + _BLOCK]
        longest = counts[rows]
        block = low[top : top + len(rows)]
        step = 0
        while step < longest[0]:
            live = int(np.searchsorted(-longest, -step, side="left"))  # texts with more than `step` shingles
            if live < _FEW:
                for i in range(live):
                    _fold_one(x[offsets[rows[i]] + step : offsets[rows[i] + 1]], block[i], scratch)
                break
            values = scratch[:live]
            np.multiply(x[offsets[rows[:live]] + step, None], a, out=values)
            values += b
            np.minimum(block[:live], values, out=block[:live])
            step += 1
    # Rows were filled in sorted order; the top 32 bits are the permuted value (the minimum commutes with >>).
    signed = np.empty((n, NUM_PERM), dtype=np.uint32)
    signed[order] = low >> np.uint64(32)
    return signed


def _fold_one(
    x: npt.NDArray[np.uint64], low: npt.NDArray[np.uint64], scratch: npt.NDArray[np.uint64]
) -> None:
    """Fold one text's shingle hashes ``x`` into its minima ``low``, a block of rows at a time."""
    a, b = _permutations()
    for lo in range(0, len(x), len(scratch)):
        values = scratch[: min(len(scratch), len(x) - lo)]
        np.multiply(x[lo : lo + len(values), None], a, out=values)
        values += b
        np.minimum(low, values.min(axis=0), out=low)


def signatures(texts: Sequence[str]) -> Signatures:
    """MinHash signatures of ``texts``, shape ``(len(texts), 128)``; refused texts get :data:`EMPTY` rows."""
    return _minhash(*shingle_hashes(texts))


def signature(text: str) -> str:
    """The ``mh1`` signature of one text; ``ValueError`` says why a text cannot be signed."""
    ws, why = _signable(text)
    if ws is None:
        raise ValueError(why)
    offsets = np.array([0, len(ws) - SHINGLE_WORDS + 1], dtype=np.int64)
    return encode(_minhash(_hash_batch(ws, [len(ws)]), offsets)[0])


def encode(row: Signatures) -> str:
    """One signature row as its ``mh1:`` string."""
    return PREFIX + row.astype(">u4").tobytes().hex()


def decode(value: str) -> Signatures:
    """The 128 MinHash values of an ``mh1`` signature string; ``ValueError`` says what is wrong with it."""
    prefix, colon, digits = value.strip().lower().partition(":")
    if not colon or prefix + colon != PREFIX:
        raise ValueError(f"text signature must start with {PREFIX!r} (got {prefix[:16]!r})")
    if len(digits) != _HEX_DIGITS:
        raise ValueError(
            f"text signature must have {_HEX_DIGITS} hex digits after {PREFIX!r}, not {len(digits)}"
        )
    try:
        raw = bytes.fromhex(digits)
    except ValueError:
        raw = b""
    # fromhex skips spaces between bytes, so a right-length string with spaces in it decodes short.
    if len(raw) != 4 * NUM_PERM:
        raise ValueError("text signature must be hex digits after its prefix")
    row = np.frombuffer(raw, dtype=">u4").astype(np.uint32)
    if (row == EMPTY).all():
        raise ValueError("text signature is the empty signature (a text with no words)")
    return row


def decode_many(values: Sequence[str]) -> Signatures:
    """:func:`decode` for a batch, shape ``(len(values), 128)``."""
    if not values:
        return np.zeros((0, NUM_PERM), dtype=np.uint32)
    return np.stack([decode(v) for v in values])


def estimated_jaccard(a: Signatures, b: Signatures) -> float:
    """The Jaccard similarity two signatures estimate: the share of their 128 values that agree."""
    return float(np.count_nonzero(a == b)) / NUM_PERM
