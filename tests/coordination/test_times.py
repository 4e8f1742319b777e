"""Times: the one rule by which co-action and resurgence read ``posted_at`` and ``timestamp_share``."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

import pyarrow as pa
import pytest
from hypothesis import given
from hypothesis import strategies as st

from fimihub.coordination import actions_from_export, actions_from_objects, build_fingerprints_from_export
from fimihub.coordination.features import export_view
from fimihub.coordination.times import TIME_LIMIT, parse_time, parse_times

DAY = 1_704_067_200  # 2024-01-01T00:00:00Z
#: The values both detections must read alike, with the second each one is (``None``: not a time).
CASES = {
    "1.7e9": None,
    "": None,
    "nan": None,
    "2025-01-01T00:00:00Z": 1_735_689_600,
    "1700000000": 1_700_000_000,
    "1700000000.5": 1_700_000_000,
}
#: Of those, the values that are there but are not a time (the empty one is no value at all).
UNREADABLE = 2


def read(column: pa.Array | pa.ChunkedArray) -> list[int | None]:
    times = parse_times(column)
    return [int(s) if v else None for s, v in zip(times.seconds.tolist(), times.valid.tolist(), strict=True)]


def test_text_in_every_accepted_form() -> None:
    column = pa.array(["2024-01-01T00:00:00Z", "2024-01-01 01:00:00", "2024-01-01T02:00:00+01:00",
                       "1704067200.9", "  1704067200 ", "", None, "soon", "2024-01-01", "-0.5", "-1.0",
                       "2024-01-01T00:00:00.75", "0001704067200", "20240101"])  # fmt: skip
    assert read(column) == [DAY, DAY + 3600, DAY + 3600, DAY, DAY, None, None, None, DAY, -1, -1, DAY, DAY,
                            20_240_101]  # fmt: skip


@pytest.mark.parametrize(
    "text",
    ["1.7e9", "1e9", "nan", "NaN", "inf", "-inf", "+1700000000", "1700000000.", ".5", "0x10", "1_700_000_000",
     "1 700", "", "   ", "2025-01-01x00:00", "2025-01-01T00:00:00+01:00:30", "2025-13-01", "Jan 1 2025",
     "1" + "0" * 18, "-" + "9" * 18 + ".5"],
)  # fmt: skip
def test_text_that_is_no_time(text: str) -> None:
    assert parse_time(text) is None
    assert read(pa.array([text])) == [None]


def test_typed_columns() -> None:
    stamps = pa.array([DAY * 1000, None, -1], pa.timestamp("ms", tz="UTC"))
    assert read(stamps) == [DAY, None, -1]  # fractions go towards the past
    assert read(pa.array([DAY * 10**9 + 5], pa.timestamp("ns"))) == [DAY]  # naive: UTC
    assert read(pa.array([19723, None], pa.date32())) == [DAY, None]
    floats = pa.array([1.5, float("nan"), float("inf"), -0.5, None, 1e19])
    assert read(floats) == [1, None, None, -1, None, None]
    assert read(pa.array([DAY, None, -5, TIME_LIMIT], pa.int64())) == [DAY, None, -5, None]
    assert read(pa.array([DAY, 2**64 - 1], pa.uint64())) == [DAY, None]
    assert read(pa.array([Decimal("1704067200.50")], pa.decimal128(12, 2))) == [DAY]
    assert read(pa.array(["1704067200", "x", "1704067200"]).dictionary_encode()) == [DAY, None, DAY]
    assert read(pa.chunked_array([["1704067200"], ["2024-01-01"]])) == [DAY, DAY]
    assert read(pa.array([True, None])) == [None, None]


def test_present_tells_empty_from_unreadable() -> None:
    times = parse_times(pa.array(["", None, "  ", "soon", "1.7e9", "1704067200"]))
    assert times.present.tolist() == [False, False, False, True, True, True]
    assert times.unreadable.tolist() == [False, False, False, True, True, False]
    floats = parse_times(pa.array([float("nan"), None]))
    assert floats.unreadable.tolist() == [True, False]


@given(st.text(alphabet="0123456789.-+eE :TZW", max_size=26))
def test_one_value_and_a_column_read_alike(text: str) -> None:
    assert read(pa.array([text])) == [parse_time(text)]


# -- co-action and resurgence read the same values the same way ---------------------------------------------


def labelled_export() -> pa.Table:
    """One post per value of :data:`CASES`, each by its own account of one operation, sharing a hashtag."""
    n = len(CASES)
    return pa.table(
        {
            "platform": ["x"] * n,
            "account_id": [f"a{i}" for i in range(n)],
            "post_id": [f"p{i}" for i in range(n)],
            "posted_at": list(CASES),
            "hashtags": ["shared"] * n,
            "operation": ["op"] * n,
        }
    )


def test_coaction_reads_the_cases_by_the_rule() -> None:
    table = labelled_export()
    result = actions_from_export(table, kinds=["hashtag"])
    times = {r["account"]: r["time"] for r in result.actions.to_pylist()}
    expected = {f"x:a{i}": t for i, t in enumerate(CASES.values()) if t is not None}
    assert times == expected
    assert result.dropped == {"bad_time": len(CASES) - len(expected)}  # the empty one too: the row has a post

    objects = pa.table(
        {"object_id": ["o"] * len(CASES), "account_id": [f"a{i}" for i in range(len(CASES))],
         "timestamp_share": list(CASES)}
    )  # fmt: skip
    result = actions_from_objects(objects)
    assert {r["account"]: r["time"] for r in result.actions.to_pylist()} == {
        f"a{i}": t for i, t in enumerate(CASES.values()) if t is not None
    }
    assert result.dropped == {"bad_time": len(CASES) - len(expected)}


def test_resurgence_reads_the_cases_by_the_rule() -> None:
    skipped: Counter[str] = Counter()
    view = export_view(labelled_export(), skipped)
    times = [
        int(t) if ok else None for t, ok in zip(view.times.tolist(), view.has_time.tolist(), strict=True)
    ]
    assert times == list(CASES.values())
    assert skipped == Counter({"posted_at": UNREADABLE})
    built = build_fingerprints_from_export(labelled_export(), key=b"k" * 32)
    (fingerprint,) = built.fingerprints
    assert fingerprint.rhythm is not None
    assert fingerprint.rhythm.posts == sum(t is not None for t in CASES.values())
    assert built.skipped["posted_at"] == UNREADABLE


def test_both_detections_keep_the_same_rows() -> None:
    table = labelled_export()
    coaction = {r["account"] for r in actions_from_export(table, kinds=["hashtag"]).actions.to_pylist()}
    view = export_view(table, Counter())
    resurgence = {f"x:a{i}" for i in range(table.num_rows) if view.has_time[i]}
    assert coaction == resurgence
