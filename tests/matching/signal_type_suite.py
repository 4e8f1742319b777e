"""The shared battery every signal kind passes: subclass :class:`SignalTypeSuite` as ``Test…`` and fill it in.

A subclass sets :attr:`~SignalTypeSuite.signal_type`, :attr:`~SignalTypeSuite.examples` (raw input ->
canonical value) and implements :meth:`~SignalTypeSuite.random_values`; it may override
:meth:`~SignalTypeSuite.random_queries` (default: stored values and fresh ones), add kind-specific
:attr:`~SignalTypeSuite.junk` and :attr:`~SignalTypeSuite.fuzz_prefixes`. It then gets, for free:

- ``normalise``: examples give their canonical form; it is idempotent (examples, random values, and
  hypothesis-generated text); it only ever fails with ``ValueError`` (with a message), and fails on empty,
  blank, megabyte-long, control-character, zalgo, bidi-override, surrogate and non-text input;
- ``compare(x, x)`` is a perfect hit;
- ``new_index()`` answers exactly as :class:`BruteForceIndex` does on seeded random data — after one bulk add,
  after incremental adds, after removals — and ``query_many`` equals ``query`` one by one;
- save/load round trip gives the same answers and the same bytes; saving is not pickle; loading refuses
  garbage, a truncated file, another format and an unknown version with ``ValidationError``.
"""

from __future__ import annotations

import io
import random
from typing import Any, ClassVar

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fimihub.errors import ValidationError
from fimihub.matching.base import Hit, SignalIndex, SignalType
from fimihub.matching.index.brute import BruteForceIndex
from fimihub.matching.index.fileformat import MAGIC
from fimihub.model.signals import SignalKind

ZALGO = "z" + "\u0337\u0322\u031b\u0340" * 4 + "a" + "\u0338\u0321" * 5 + "lgo"

#: Inputs no kind accepts.
COMMON_JUNK: dict[str, Any] = {
    "empty": "",
    "blank": "   \t ",
    "megabyte": "a" * 1_000_000,
    "megabyte of dots": "." * 1_000_000,
    "nul": "abc\x00def",
    "bell": "abc\x07def",
    "newline inside": "abc\ndef",
    "zalgo": ZALGO,
    "bidi override": "abc\u202edef",
    "bidi isolate": "abc\u2066def\u2069",
    "lone surrogate": "abc\ud800def",
    "private use": "abc\ue000def",
    "invisible only": "\u200b\u200d\ufeff",
    "none": None,
    "number": 12345,
    "bytes": b"example.com",
}


def _index_answers(index: SignalIndex, queries: list[str]) -> list[list[Hit]]:
    return [index.query(query) for query in queries]


class SignalTypeSuite:
    """Base of every kind's test class (not collected itself: its name does not start with ``Test``)."""

    signal_type: ClassVar[SignalType]
    #: Raw input -> canonical value.
    examples: ClassVar[dict[str, str]] = {}
    #: Kind-specific inputs that must raise ``ValueError``.
    junk: ClassVar[list[str]] = []
    #: Prefixes hypothesis puts before random text, to reach deeper than the first check.
    fuzz_prefixes: ClassVar[tuple[str, ...]] = ("",)
    #: How many random values the index agreement tests store.
    sample_size: ClassVar[int] = 300
    seed: ClassVar[int] = 20240611

    def random_values(self, rng: random.Random, n: int) -> list[str]:
        """``n`` normalised values of this kind (repeats allowed), from ``rng`` only."""
        raise NotImplementedError

    def random_queries(self, rng: random.Random, values: list[str]) -> list[str]:
        """Queries for the agreement tests: half stored values, half fresh ones."""
        return rng.sample(values, min(len(values), 100)) + self.random_values(rng, 100)

    # -- helpers ---------------------------------------------------------------------------------------

    def _data(self) -> tuple[list[str], list[str]]:
        rng = random.Random(self.seed)
        values = self.random_values(rng, self.sample_size)
        return values, self.random_queries(rng, values)

    def _check_agrees(self, index: SignalIndex, values: dict[int, str], queries: list[str]) -> None:
        brute = BruteForceIndex(self.signal_type)
        brute.add(list(values.values()), list(values.keys()))
        assert len(index) == len(brute) == len(values)
        for query in queries:
            assert index.query(query) == brute.query(query), f"query {query!r}"

    # -- normalise -------------------------------------------------------------------------------------

    def test_kind_is_a_signal_kind(self) -> None:
        assert isinstance(self.signal_type.kind, SignalKind)

    def test_examples_normalise_to_their_canonical_form(self) -> None:
        for raw, canonical in self.examples.items():
            assert self.signal_type.normalise(raw) == canonical, raw

    def test_normalise_is_idempotent(self) -> None:
        values = list(self.examples.values()) + self.random_values(random.Random(self.seed), 200)
        for value in values:
            assert self.signal_type.normalise(value) == value, value

    @pytest.mark.parametrize("name", sorted(COMMON_JUNK))
    def test_common_junk_is_refused_with_a_message(self, name: str) -> None:
        with pytest.raises(ValueError, match=r"\w") as error:
            self.signal_type.normalise(COMMON_JUNK[name])
        assert len(str(error.value)) < 300  # a message, not the megabyte echoed back

    def test_kind_specific_junk_is_refused(self) -> None:
        for bad in self.junk:
            with pytest.raises(ValueError, match=r"\w"):
                self.signal_type.normalise(bad)

    @settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.differing_executors])
    @given(data=st.data())
    def test_normalise_never_crashes_and_is_idempotent(self, data: st.DataObject) -> None:
        prefix = data.draw(st.sampled_from(self.fuzz_prefixes))
        text = prefix + data.draw(st.text(max_size=40))
        try:
            value = self.signal_type.normalise(text)
        except ValueError:
            return
        assert self.signal_type.normalise(value) == value

    def test_compare_with_itself_is_a_perfect_hit(self) -> None:
        for value in list(self.examples.values()) + self.random_values(random.Random(self.seed), 50):
            hit = self.signal_type.compare(value, value)
            assert hit is not None, value
            assert (hit.distance, hit.score) == (0, 1.0)

    # -- index -----------------------------------------------------------------------------------------

    def test_index_agrees_with_brute_force(self) -> None:
        values, queries = self._data()
        index = self.signal_type.new_index()
        index.add(values, list(range(len(values))))
        self._check_agrees(index, dict(enumerate(values)), queries)

    def test_query_many_equals_query(self) -> None:
        values, queries = self._data()
        index = self.signal_type.new_index()
        index.add(values, list(range(len(values))))
        assert index.query_many(queries) == _index_answers(index, queries)

    def test_incremental_adds_agree_with_brute_force(self) -> None:
        values, queries = self._data()
        index = self.signal_type.new_index()
        stored: dict[int, str] = {}
        for start in range(0, len(values), len(values) // 3 + 1):
            batch = values[start : start + len(values) // 3 + 1]
            entries = list(range(start, start + len(batch)))
            index.add(batch, entries)
            stored.update(zip(entries, batch, strict=True))
            self._check_agrees(index, stored, queries[::3])

    def test_remove_forgets_entries(self) -> None:
        values, queries = self._data()
        index = self.signal_type.new_index()
        index.add(values, list(range(len(values))))
        gone = set(random.Random(self.seed).sample(range(len(values)), len(values) // 3))
        index.remove([*gone, 10**9])  # an unknown id is ignored
        remaining = {entry: value for entry, value in enumerate(values) if entry not in gone}
        self._check_agrees(index, remaining, queries)
        assert not any(hit.entry in gone for query in queries for hit in index.query(query))
        index.remove(list(remaining))
        assert len(index) == 0 and all(index.query(query) == [] for query in queries)

    def test_readding_an_entry_replaces_its_value(self) -> None:
        first, second = self.random_values(random.Random(self.seed), 2)
        index = self.signal_type.new_index()
        index.add([first], [7])
        index.add([second], [7])
        assert len(index) == 1
        assert [hit.entry for hit in index.query(second)] == [7]

    # -- saved format ----------------------------------------------------------------------------------

    def _saved(self) -> tuple[SignalIndex, bytes, list[str]]:
        values, queries = self._data()
        index = self.signal_type.new_index()
        index.add(values, list(range(len(values))))
        stream = io.BytesIO()
        index.save(stream)
        return index, stream.getvalue(), queries

    def test_save_load_round_trip(self) -> None:
        index, saved, queries = self._saved()
        assert saved.startswith(MAGIC)  # the versioned format, not pickle
        loaded = type(index).load(io.BytesIO(saved))
        assert len(loaded) == len(index)
        assert _index_answers(loaded, queries) == _index_answers(index, queries)
        again = io.BytesIO()
        loaded.save(again)
        assert again.getvalue() == saved

    def test_empty_index_round_trip(self) -> None:
        index = self.signal_type.new_index()
        stream = io.BytesIO()
        index.save(stream)
        stream.seek(0)
        assert len(type(index).load(stream)) == 0

    def test_load_refuses_what_it_did_not_write(self) -> None:
        index, saved, _ = self._saved()
        header_end = saved.index(b"\n", len(MAGIC)) + 1
        header = saved[len(MAGIC) : header_end]
        broken = {
            "garbage": b"\x80\x04\x95 not an index at all",
            "empty": b"",
            "truncated": saved[:-3],
            "other format": MAGIC
            + header.replace(index.format_name.encode(), b"fimihub.other")
            + saved[header_end:],
            "future version": MAGIC
            + header.replace(b'"version":', b'"version":99,"was":')
            + saved[header_end:],
        }
        for name, data in broken.items():
            with pytest.raises(ValidationError):
                type(index).load(io.BytesIO(data))
            assert name
