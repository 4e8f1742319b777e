"""Normalisation, shingles, the mh1 signature and its format."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys

import numpy as np
import pytest

from fimihub.matching import minhash

TEXT = "Energy bills in France have doubled while politicians look the other way. Share this with everyone!"


def test_words_are_normalised() -> None:
    fullwidth = "\uff25\uff2e\uff25\uff32\uff27\uff39"  # ENERGY in fullwidth letters
    text = f"{fullwidth} Bills, in  FRANCE!!! https://x.eu/a?b=1 have #doubled @someone www.x.org 🔥🔥 Straße"
    assert minhash.words(text) == ["energy", "bills", "in", "france", "have", "doubled", "strasse"]


def test_accents_and_invisible_characters_do_not_change_words() -> None:
    assert minhash.words("Café déjà vu") == minhash.words("cafe deja vu")
    assert minhash.words("hel\u200blo wo\u00adrld \ufeffagain") == ["hello", "world", "again"]


def test_shingles_are_word_triples() -> None:
    assert minhash.shingles("one two three four") == {"one two three", "two three four"}
    assert minhash.shingles("one two") == set()


def test_exact_jaccard() -> None:
    assert minhash.exact_jaccard("a b c d e", "A, b; c d e!") == 1.0
    assert minhash.exact_jaccard("a b c d e", "a b c d f") == pytest.approx(2 / 4)
    assert minhash.exact_jaccard("", "") == 0.0


def test_signature_format() -> None:
    value = minhash.signature(TEXT)
    assert value.startswith("mh1:")
    assert len(value) == 4 + 8 * minhash.NUM_PERM
    assert value == value.lower()
    assert minhash.encode(minhash.decode(value)) == value
    assert minhash.signature(TEXT.upper() + " ") == value


def test_signature_is_pinned() -> None:
    # A changed digest means every signature already shared stops matching: that needs a new prefix (mh2).
    digest = hashlib.sha256(minhash.signature(TEXT).encode()).hexdigest()
    assert digest == "29803ce92b2fe4b87d284084a580a7db38477d25fc9da66516109a4480209670"


def test_signature_is_the_same_in_every_process() -> None:
    code = f"from fimihub.matching import minhash; print(minhash.signature({TEXT!r}))"
    outputs = set()
    for seed in ("0", "12345"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        run = subprocess.run(
            [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
        )
        outputs.add(run.stdout.strip())
    assert outputs == {minhash.signature(TEXT)}


def test_batch_signatures_equal_single_ones() -> None:
    texts = [TEXT, "too short", TEXT + " and more words here", "x " * 3000, TEXT.replace("France", "Spain")]
    rows = minhash.signatures(texts)
    assert rows.shape == (5, minhash.NUM_PERM) and rows.dtype == np.uint32
    assert (rows[1] == minhash.EMPTY).all()
    for text, row in zip(texts, rows, strict=True):
        if text != "too short":
            assert minhash.encode(row) == minhash.signature(text)


def test_minima_match_a_plain_reference() -> None:
    """The blocked numpy kernel against the definition: per permutation, the least (a*x + b) >> 32."""
    rng = np.random.default_rng(5)
    vocabulary = [f"w{i}" for i in range(300)]
    # Many texts of mixed lengths, so blocks fill, texts straddle steps, and long ones finish one by one.
    texts = [" ".join(rng.choice(vocabulary, int(rng.integers(5, 80)))) for _ in range(2100)]
    texts.append(" ".join(rng.choice(vocabulary, 5000)))
    hashes, offsets = minhash.shingle_hashes(texts)
    rows = minhash.signatures(texts)
    a, b = minhash._permutations()
    for i in [*range(0, 2100, 150), 2100]:
        x = (hashes[offsets[i] : offsets[i + 1]] >> np.uint64(32)).astype(object)
        expected = [
            min(((int(ai) * v + int(bi)) % 2**64) >> 32 for v in x) for ai, bi in zip(a, b, strict=True)
        ]
        assert rows[i].tolist() == expected


def test_estimate_follows_exact_jaccard() -> None:
    rng = np.random.default_rng(9)
    vocabulary = [f"w{i}" for i in range(2000)]
    errors = []
    for _ in range(200):
        base = list(rng.choice(vocabulary, 60))
        other = base.copy()
        for _ in range(int(rng.integers(0, 10))):
            other[int(rng.integers(60))] = str(rng.choice(vocabulary))
        a, b = " ".join(base), " ".join(other)
        estimate = minhash.estimated_jaccard(*minhash.signatures([a, b]))
        errors.append(estimate - minhash.exact_jaccard(a, b))
    assert abs(float(np.mean(errors))) < 0.01
    assert float(np.std(errors)) < 0.05


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("mh2:" + "0" * 1024, "must start with 'mh1:'"),
        ("mh1" + "0" * 1024, "must start with 'mh1:'"),
        ("mh1:" + "0" * 1023, "1024 hex digits"),
        ("mh1:" + "0" * 1025, "1024 hex digits"),
        ("mh1:" + "g" * 1024, "hex digits"),
        ("mh1:" + "00 " * 341 + "0", "hex digits"),
        ("mh1:" + "f" * 1024, "empty signature"),
    ],
)
def test_bad_signatures_are_refused(value: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        minhash.decode(value)
