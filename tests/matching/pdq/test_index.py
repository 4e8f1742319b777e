"""The PDQ index against an independent brute force: same hits at every threshold, through every update.

The reference counts differing bits byte by byte, one query at a time; it shares no code with the index. Data
sets are big enough (20k hashes) that the index uses its multi-index buckets, not a plain scan, and include
near-duplicates at every distance around the thresholds, so a missed or a false hit would show.
"""

from __future__ import annotations

import io

import numpy as np
import numpy.typing as npt
import pytest

from fimihub.errors import ValidationError
from fimihub.matching.index import fileformat
from fimihub.matching.index.pdq import PdqIndex, parse_hashes
from fimihub.sim.images import flip_bits, random_hashes, to_hex

Hashes = npt.NDArray[np.uint8]
Answer = set[tuple[int, int, int]]


def reference(stored: dict[int, bytes], queries: Hashes, threshold: int) -> Answer:
    """(query, entry, distance) of every pair within ``threshold``, by counting differing bits."""
    entries = np.array(sorted(stored), dtype=np.int64)
    hashes = np.frombuffer(b"".join(stored[e] for e in entries), np.uint8).reshape(-1, 32)
    found: Answer = set()
    for q, query in enumerate(queries):
        distance = np.bitwise_count(hashes ^ query).sum(axis=1, dtype=np.int64)
        found.update((q, int(entries[i]), int(distance[i])) for i in np.flatnonzero(distance <= threshold))
    return found


def answer(index: PdqIndex, queries: Hashes, threshold: int | None = None) -> Answer:
    q, entries, distance = index.query_hashes(queries, threshold)
    return set(zip(q.tolist(), entries.tolist(), distance.tolist(), strict=True))


@pytest.fixture(scope="module")
def data() -> tuple[Hashes, Hashes]:
    """20k stored hashes (a quarter of them near-duplicates of others) and 300 queries near stored ones."""
    rng = np.random.default_rng(7)
    base = random_hashes(rng, 15_000)
    stored = np.concatenate([base, flip_bits(rng, base[:5_000], 1, 40)])
    queries = np.concatenate(
        [flip_bits(rng, stored[rng.integers(0, len(stored), 250)], 0, 60), random_hashes(rng, 50)]
    )
    return stored, queries


def as_dict(hashes: Hashes, entries: range | list[int]) -> dict[int, bytes]:
    return {entry: hashes[i].tobytes() for i, entry in enumerate(entries)}


@pytest.mark.parametrize("threshold", [0, 4, 16, 31, 48, 70])
def test_bulk_index_finds_exactly_what_brute_force_finds(data: tuple[Hashes, Hashes], threshold: int) -> None:
    stored, queries = data
    index = PdqIndex(threshold)
    index.add_hashes(stored, range(len(stored)))
    expected = reference(as_dict(stored, range(len(stored))), queries, threshold)
    assert answer(index, queries) == expected
    # True hits exist, right up to the threshold: recall and the boundary are both tested.
    assert max(distance for *_, distance in expected) == threshold


def test_bulk_index_uses_its_buckets(data: tuple[Hashes, Hashes]) -> None:
    index = PdqIndex()
    index.add_hashes(data[0], range(len(data[0])))
    assert [len(segment.widths) > 1 for segment in index._segments] == [True]


def test_threshold_can_change_after_building(data: tuple[Hashes, Hashes]) -> None:
    stored, queries = data
    index = PdqIndex(31)
    index.add_hashes(stored, range(len(stored)))
    truth = as_dict(stored, range(len(stored)))
    for threshold in (10, 40):
        index.threshold = threshold
        assert answer(index, queries) == reference(truth, queries, threshold)
    assert answer(index, queries, 20) == reference(truth, queries, 20)


def test_hits_come_best_first_with_distance_and_score() -> None:
    rng = np.random.default_rng(1)
    base = random_hashes(rng, 1)
    copies = np.concatenate([base, flip_bits(rng, np.repeat(base, 5, axis=0), 3, 30)])
    index = PdqIndex()
    index.add(to_hex(copies).to_pylist(), [50, 40, 30, 20, 10, 0])
    hits = index.query(to_hex(base).to_pylist()[0])
    assert hits[0].entry == 50 and hits[0].distance == 0 and hits[0].score == 1.0
    assert [h.distance for h in hits] == sorted(h.distance for h in hits)
    assert all(h.score == 1 - h.distance / 256 for h in hits)


def test_incremental_adds_removes_and_readds_agree(data: tuple[Hashes, Hashes]) -> None:
    stored, queries = data
    rng = np.random.default_rng(3)
    index = PdqIndex()
    truth: dict[int, bytes] = {}
    # Batches cross the pending limit and set off merges; ids arrive out of order.
    ids = rng.permutation(len(stored))
    for start in range(0, len(stored), 1_500):
        batch = ids[start : start + 1_500]
        index.add_hashes(stored[batch], batch)
        truth.update(as_dict(stored[batch], batch.tolist()))
    assert len(index._segments) > 1 and len(index._pending_entries)
    assert len(index) == len(truth)
    assert answer(index, queries) == reference(truth, queries, 31)

    gone = rng.choice(len(stored), 8_000, replace=False)
    index.remove([*gone.tolist(), 10**9])
    for entry in gone.tolist():
        del truth[entry]
    assert len(index) == len(truth)
    assert answer(index, queries) == reference(truth, queries, 31)

    # Re-adding an id replaces its hash: point some ids at the queries themselves.
    moved = rng.choice(sorted(truth), 40, replace=False)
    index.add_hashes(queries[:40], moved)
    truth.update(as_dict(queries[:40], moved.tolist()))
    assert answer(index, queries) == reference(truth, queries, 31)

    index.compact()
    assert len(index._segments) == 1 and not len(index._pending_entries)
    assert answer(index, queries) == reference(truth, queries, 31)

    # A segment left mostly dead is rebuilt without its dead rows.
    gone = rng.choice(sorted(truth), len(truth) * 7 // 10, replace=False)
    index.remove(gone)
    for entry in gone.tolist():
        del truth[entry]
    assert [len(segment) for segment in index._segments] == [len(truth)]
    assert answer(index, queries) == reference(truth, queries, 31)


def test_one_at_a_time_adds_never_rebuild_everything() -> None:
    rng = np.random.default_rng(5)
    hashes = random_hashes(rng, 9_000)
    index = PdqIndex()
    index.add_hashes(hashes[:8_000], range(8_000))
    index.compact()
    big = index._segments[0]
    for entry in range(8_000, 9_000):
        index.add_hashes(hashes[entry : entry + 1], [entry])
    assert index._segments[0] is big  # a thousand single adds left the big segment alone
    assert len(index) == 9_000
    assert answer(index, hashes[8_990:]) == {(q, 8_990 + q, 0) for q in range(10)}


def test_save_load_round_trip_keeps_answers_and_bytes(data: tuple[Hashes, Hashes]) -> None:
    stored, queries = data
    index = PdqIndex(24)
    index.add_hashes(stored, range(len(stored)))
    index.remove(range(0, len(stored), 3))
    saved = io.BytesIO()
    index.save(saved)
    loaded = PdqIndex.load(io.BytesIO(saved.getvalue()))
    assert loaded.threshold == 24 and len(loaded) == len(index)
    assert answer(loaded, queries) == answer(index, queries)
    again = io.BytesIO()
    loaded.save(again)
    assert again.getvalue() == saved.getvalue()


def test_parse_hashes_decodes_hex_both_cases() -> None:
    value = "00ff" * 16
    assert parse_hashes([value, value.upper()]).tolist() == [[0, 255] * 16] * 2
    assert parse_hashes([]).shape == (0, 32)


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ("abc", r"#1 'abc': expected 64 hex digits"),
        ("0" * 65, "expected 64 hex digits"),
        ("0" * 63 + "g", "#1 .*: not hexadecimal"),
        ("0" * 63 + "é", "not hexadecimal"),
        ("0" * 62 + "\u00e9\u00e9", "not hexadecimal"),
        (" " + "0" * 63, "not hexadecimal"),
        (None, "expected 64 hex digits"),
        ("f" * 10_000, r"#1 'fff.*\.\.\.: expected 64"),
    ],
)
def test_bad_hashes_are_refused_with_a_clear_error(bad: object, message: str) -> None:
    index = PdqIndex()
    with pytest.raises(ValueError, match=message):
        index.add(["0" * 64, bad], [1, 2])  # type: ignore[list-item]
    with pytest.raises(ValueError, match=message):
        index.query_many(["0" * 64, bad])  # type: ignore[list-item]
    assert len(index) == 0


def test_bad_arguments_are_refused() -> None:
    index = PdqIndex()
    with pytest.raises(ValueError, match="2 pdq hashes but 1 entry ids"):
        index.add(["0" * 64, "f" * 64], [1])
    with pytest.raises(ValueError, match="unique"):
        index.add(["0" * 64, "f" * 64], [1, 1])
    with pytest.raises(ValueError, match=r"\(n, 32\) uint8"):
        index.add_hashes(np.zeros((2, 16), np.uint8), [1, 2])
    for threshold in (-1, 257, 3.5, True):
        with pytest.raises(ValueError, match="threshold"):
            PdqIndex(threshold)  # type: ignore[arg-type]
    assert len(index) == 0


def saved_file(
    meta: dict[str, object], hashes: npt.NDArray[np.generic], ids: npt.NDArray[np.generic]
) -> bytes:
    stream = io.BytesIO()
    fileformat.write_header(stream, PdqIndex.format_name, PdqIndex.format_version, meta)
    fileformat.write_array(stream, hashes)
    fileformat.write_array(stream, ids)
    return stream.getvalue()


@pytest.mark.parametrize(
    ("meta", "hashes", "ids"),
    [
        ({"threshold": 31, "count": 3}, np.zeros((2, 32), np.uint8), np.arange(2)),
        ({"threshold": 31, "count": 2}, np.zeros((2, 16), np.uint8), np.arange(2)),
        ({"threshold": 31, "count": 2}, np.zeros((2, 32), np.int16), np.arange(2)),
        ({"threshold": 31, "count": 2}, np.zeros((2, 32), np.uint8), np.array([4, 4])),
        ({"threshold": 31, "count": 2}, np.zeros((2, 32), np.uint8), np.array([1.0, 2.0])),
        ({"threshold": 300, "count": 2}, np.zeros((2, 32), np.uint8), np.arange(2)),
        ({"threshold": "31", "count": 2}, np.zeros((2, 32), np.uint8), np.arange(2)),
        ({"count": 2}, np.zeros((2, 32), np.uint8), np.arange(2)),
    ],
)
def test_load_refuses_inconsistent_files(
    meta: dict[str, object], hashes: npt.NDArray[np.generic], ids: npt.NDArray[np.generic]
) -> None:
    with pytest.raises(ValidationError, match="index"):
        PdqIndex.load(io.BytesIO(saved_file(meta, hashes, ids)))


def test_empty_queries_and_empty_index() -> None:
    index = PdqIndex()
    assert index.query_many([]) == [] and index.query("0" * 64) == []
    index.add(["0" * 64], [1])
    assert index.query_many([]) == []


def test_load_accepts_a_well_formed_file() -> None:
    hashes = np.zeros((2, 32), np.uint8)
    hashes[1] = 255
    ids = np.array([3, 9], dtype=">i8")  # written on a big-endian machine
    index = PdqIndex.load(io.BytesIO(saved_file({"threshold": 5, "count": 2}, hashes, ids)))
    assert index.threshold == 5
    assert [h.entry for h in index.query("f" * 64)] == [9]
