"""The MinHash LSH index against brute force and exact Jaccard; updates; the saved format."""

from __future__ import annotations

import io
import json

import numpy as np
import pytest

from fimihub.errors import ValidationError
from fimihub.matching import minhash
from fimihub.matching.base import Hit
from fimihub.matching.index import fileformat
from fimihub.matching.index.brute import BruteForceIndex
from fimihub.matching.index.text import TextIndex
from fimihub.matching.kinds.text import TextSignalType

Corpus = tuple[list[str], list[str]]


def _signable(texts: list[str]) -> tuple[list[int], list[str]]:
    kind = TextSignalType()
    ids, values = [], []
    for i, text in enumerate(texts):
        try:
            values.append(kind.normalise(text))
        except ValueError:
            continue
        ids.append(i)
    return ids, values


@pytest.fixture(scope="module")
def indexed(corpus: Corpus) -> tuple[TextIndex, list[int], list[str]]:
    texts, _ = corpus
    ids, values = _signable(texts)
    index = TextIndex()
    index.add(values, ids)
    return index, ids, values


def test_recall_against_exact_jaccard(
    corpus: Corpus, indexed: tuple[TextIndex, list[int], list[str]]
) -> None:
    texts, queries = corpus
    index, ids, _ = indexed
    shingles = {i: minhash.shingles(texts[i]) for i in ids}
    holding: dict[str, set[int]] = {}
    for i, own in shingles.items():
        for shingle in own:
            holding.setdefault(shingle, set()).add(i)
    answers = index.query_many([minhash.signature(q) for q in queries])
    true_pairs = found = returned = below_half = 0
    for query, hits in zip(queries, answers, strict=True):
        mine = minhash.shingles(query)
        hit_ids = {h.entry for h in hits}
        # Exact Jaccard with every text sharing a shingle (the others are at 0).
        for i in set().union(*(holding.get(s, set()) for s in mine)):
            jaccard = len(mine & shingles[i]) / len(mine | shingles[i])
            if jaccard >= 0.8:
                true_pairs += 1
                found += i in hit_ids
            below_half += i in hit_ids and jaccard < 0.5
        returned += len(hits)
    assert true_pairs >= 150
    assert found / true_pairs >= 0.95
    assert below_half <= 0.01 * returned


def test_hits_are_what_brute_force_finds(
    corpus: Corpus, indexed: tuple[TextIndex, list[int], list[str]]
) -> None:
    _, queries = corpus
    index, ids, values = indexed
    brute = BruteForceIndex(TextSignalType())
    brute.add(values, ids)
    signed = [minhash.signature(q) for q in queries[::10]]  # brute force is slow: a tenth of the queries
    missed = total = 0
    for fast, slow in zip(index.query_many(signed), brute.query_many(signed), strict=True):
        # Banding only leaves hits out, never adds one, and a hit scores the same either way.
        assert set(fast) <= set(slow)
        assert fast == [h for h in slow if h in set(fast)]
        strong = [h for h in slow if h.score >= 0.8]
        total += len(strong)
        missed += len(set(strong) - set(fast))
    assert missed <= 0.02 * total


def test_query_answers_best_first(indexed: tuple[TextIndex, list[int], list[str]]) -> None:
    index, ids, values = indexed
    hits = index.query(values[0])
    assert hits[0] == Hit(ids[0], 0.0, 1.0)
    assert hits == sorted(hits, key=lambda h: (h.distance, -h.score, h.entry))
    assert index.query_many(values[:5]) == [index.query(v) for v in values[:5]]


def test_incremental_add_and_remove(corpus: Corpus) -> None:
    texts, _ = corpus
    ids, values = _signable(texts[:400])
    whole = TextIndex()
    whole.add(values, ids)
    step = TextIndex()
    for lo in range(0, len(ids), 37):
        step.add(values[lo : lo + 37], ids[lo : lo + 37])
    assert len(step) == len(whole) == len(ids)
    assert step.query_many(values) == whole.query_many(values)

    step.remove([ids[0], ids[1], 10**9])
    assert len(step) == len(ids) - 2
    assert all(h.entry not in {ids[0], ids[1]} for h in step.query(values[0]))
    step.add([values[0]], [ids[1]])  # an id comes back with another value
    assert step.query(values[0])[0] == Hit(ids[1], 0.0, 1.0)
    step.add([values[2]], [ids[1]])  # and is replaced again
    assert all(h.entry != ids[1] for h in step.query(values[0]))


def test_removing_most_entries_compacts(corpus: Corpus) -> None:
    texts, _ = corpus
    ids, values = _signable(texts)
    index = TextIndex()
    index.add(values, ids)
    index.remove(ids[100:])
    assert len(index) == 100
    assert index._used == 100  # compacted: the tombstones are gone
    fresh = TextIndex()
    fresh.add(values[:100], ids[:100])
    assert index.query_many(values) == fresh.query_many(values)


def test_replacing_and_emptying_compact_too(corpus: Corpus) -> None:
    texts, _ = corpus
    ids, values = _signable(texts)
    index = TextIndex()
    for _ in range(3):
        index.add(values, ids)  # the same ids again: the older copies become tombstones
    assert len(index) == len(ids) and index._used <= 2 * len(ids)
    assert index.query(values[0])[0] == Hit(ids[0], 0.0, 1.0)
    index.remove(ids)
    assert len(index) == 0 and index._used == 0 and index.query(values[0]) == []
    index.add(values[:3], ids[:3])
    assert [h.entry for h in index.query(values[1])] == [ids[1]]


def test_empty_index_and_bad_additions() -> None:
    index = TextIndex()
    value = minhash.signature("one two three four five six")
    assert len(index) == 0 and index.query(value) == [] and index.query_many([]) == []
    with pytest.raises(ValueError, match="entry ids"):
        index.add([value], [1, 2])
    with pytest.raises(ValueError, match="empty"):
        index.add_signatures(np.full((1, minhash.NUM_PERM), minhash.EMPTY, dtype=np.uint32), [1])
    with pytest.raises(ValueError, match="hex digits"):
        index.add(["mh1:00"], [1])
    assert len(index) == 0


def test_save_and_load_round_trip(indexed: tuple[TextIndex, list[int], list[str]]) -> None:
    index, _, values = indexed
    stream = io.BytesIO()
    index.save(stream)
    stream.seek(0)
    loaded = TextIndex.load(stream)
    assert len(loaded) == len(index) and loaded.threshold == index.threshold
    assert loaded.query_many(values[:50]) == index.query_many(values[:50])
    again = io.BytesIO()
    loaded.save(again)
    assert again.getvalue() == stream.getvalue()
    assert b"pickle" not in stream.getvalue()[:200]


def _saved(
    meta: dict[str, object], ids: np.ndarray, rows: np.ndarray, name: str = TextIndex.format_name
) -> io.BytesIO:
    stream = io.BytesIO()
    fileformat.write_header(stream, name, 1, meta)
    fileformat.write_array(stream, ids)
    fileformat.write_array(stream, rows)
    stream.seek(0)
    return stream


def test_load_refuses_what_it_did_not_write() -> None:
    rows = minhash.signatures(["one two three four five six"])
    good = {"signature": "mh1", "threshold": 0.8, "entries": 1}
    ids = np.array([7], dtype=np.int64)
    assert len(TextIndex.load(_saved(good, ids, rows))) == 1
    bad = [
        io.BytesIO(b"not an index at all"),
        _saved(good, ids, rows, name="fimihub.exact"),
        _saved({**good, "signature": "mh2"}, ids, rows),
        _saved({**good, "threshold": 0.1}, ids, rows),
        _saved({**good, "entries": 2}, ids, rows),
        _saved(good, ids.astype(np.int32), rows),
        _saved(good, ids, rows.astype(np.int64)),
        _saved(good, ids, np.full_like(rows, minhash.EMPTY)),
        _saved({**good, "entries": 2}, np.array([7, 7], dtype=np.int64), np.vstack([rows, rows])),
    ]
    for stream in bad:
        with pytest.raises(ValidationError):
            TextIndex.load(stream)
    header = json.dumps({"format": TextIndex.format_name, "version": 2, "meta": good}).encode()
    with pytest.raises(ValidationError, match="version"):
        TextIndex.load(io.BytesIO(fileformat.MAGIC + header + b"\n"))
