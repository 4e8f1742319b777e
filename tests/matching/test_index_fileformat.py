"""The shared saved format, and the exact and brute-force indexes beneath every kind."""

from __future__ import annotations

import io

import numpy as np
import pytest

from fimihub.errors import ValidationError
from fimihub.matching.base import Hit
from fimihub.matching.index import fileformat
from fimihub.matching.index.brute import BruteForceIndex, rank
from fimihub.matching.index.exact import ExactIndex
from fimihub.matching.kinds.domain import DomainSignalType


def test_sections_round_trip() -> None:
    stream = io.BytesIO()
    fileformat.write_header(stream, "fimihub.test", 2, {"bits": 256})
    fileformat.write_json(stream, {"z": 1, "a": [1, 2]})
    fileformat.write_json_lines(stream, [[1, "é"], [2, "b"]])
    fileformat.write_entries(stream, [(5, "e"), (1, "a")])
    fileformat.write_array(stream, np.arange(10, dtype=np.uint64))
    stream.seek(0)
    assert fileformat.read_header(stream, "fimihub.test", {1, 2}) == {"bits": 256, "version": 2}
    assert fileformat.read_json(stream) == {"z": 1, "a": [1, 2]}
    assert fileformat.read_json_lines(stream) == [[1, "é"], [2, "b"]]
    assert fileformat.read_entries(stream) == [(1, "a"), (5, "e")]
    assert fileformat.read_array(stream).tolist() == list(range(10))
    assert stream.read() == b""


def test_object_arrays_are_refused_both_ways() -> None:
    with pytest.raises(TypeError):
        fileformat.write_array(io.BytesIO(), np.array([object()]))
    pickled = io.BytesIO()
    np.save(pickled, np.array([{"a": 1}], dtype=object), allow_pickle=True)
    pickled.seek(0)
    with pytest.raises(ValidationError):
        fileformat.read_array(pickled)


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"fimihub-index\n",
        b"fimihub-index\nnot json\n",
        b"fimihub-index\n[1, 2]\n",
        b'fimihub-index\n{"format": "fimihub.test", "version": "1", "meta": {}}\n',
        b'fimihub-index\n{"format": "fimihub.test", "version": 1, "meta": {}}',
    ],
)
def test_bad_headers_are_validation_errors(data: bytes) -> None:
    with pytest.raises(ValidationError) as error:
        fileformat.read_header(io.BytesIO(data), "fimihub.test", {1})
    assert error.value.field == "index"


@pytest.mark.parametrize(
    "rows", [b'{"rows": 2}\n[1, "a"]\n', b'{"rows": -1}\n', b'{"rows": 1}\n["a", 1]\n', b"[]\n"]
)
def test_bad_entry_sections_are_validation_errors(rows: bytes) -> None:
    with pytest.raises(ValidationError):
        fileformat.read_entries(io.BytesIO(rows))


def test_exact_index_basics() -> None:
    index = ExactIndex()
    index.add(["a.com", "b.com", "a.com"], [3, 1, 2])
    assert index.query("a.com") == [Hit(2), Hit(3)]
    assert index.query_many(["b.com", "c.com"]) == [[Hit(1)], []]
    assert index.contains("b.com") and not index.contains("c.com")
    index.add(["c.com"], [3])  # entry 3 now holds another value
    assert index.query("a.com") == [Hit(2)] and index.query("c.com") == [Hit(3)]
    index.remove([2, 99])
    assert not index.contains("a.com") and len(index) == 2
    with pytest.raises(ValueError):
        index.add(["x"], [1, 2])


def test_brute_force_round_trip_needs_its_type() -> None:
    kind = DomainSignalType()
    index = BruteForceIndex(kind)
    index.add(["a.com"], [1])
    stream = io.BytesIO()
    index.save(stream)
    assert BruteForceIndex.load(io.BytesIO(stream.getvalue()), kind).query("a.com") == [Hit(1)]
    with pytest.raises(ValidationError):
        BruteForceIndex.load(io.BytesIO(stream.getvalue()))


def test_rank_is_best_first() -> None:
    hits = [Hit(3, 1.0, 0.8), Hit(1, 1.0, 0.9), Hit(2, 0.0, 1.0), Hit(0, 1.0, 0.9)]
    assert rank(hits) == [Hit(2, 0.0, 1.0), Hit(0, 1.0, 0.9), Hit(1, 1.0, 0.9), Hit(3, 1.0, 0.8)]
