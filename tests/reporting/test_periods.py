"""Reporting periods: what parses, what is refused and why, and how periods follow one another."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from fimihub.errors import ValidationError
from fimihub.reporting.periods import parse_period

NOW = datetime(2026, 5, 17, 12, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "kind", "start", "end"),
    [
        ("2025-03", "month", datetime(2025, 3, 1, tzinfo=UTC), datetime(2025, 4, 1, tzinfo=UTC)),
        ("2025-12", "month", datetime(2025, 12, 1, tzinfo=UTC), datetime(2026, 1, 1, tzinfo=UTC)),
        ("2025-Q4", "quarter", datetime(2025, 10, 1, tzinfo=UTC), datetime(2026, 1, 1, tzinfo=UTC)),
        ("2025-H1", "half-year", datetime(2025, 1, 1, tzinfo=UTC), datetime(2025, 7, 1, tzinfo=UTC)),
        ("2025-H2", "half-year", datetime(2025, 7, 1, tzinfo=UTC), datetime(2026, 1, 1, tzinfo=UTC)),
        ("2025", "year", datetime(2025, 1, 1, tzinfo=UTC), datetime(2026, 1, 1, tzinfo=UTC)),
    ],
)
def test_periods_parse_to_half_open_ranges(text: str, kind: str, start: datetime, end: datetime) -> None:
    period = parse_period(text, now=NOW)
    assert (period.kind, period.start, period.end, period.label) == (kind, start, end, text)
    assert period.holds(start) and not period.holds(end)


@pytest.mark.parametrize(
    "text", ["2025-13", "2025-00", "2025-Q5", "2025-H3", "25-03", "March 2025", "", "2025-3"]
)
def test_periods_that_do_not_parse_are_refused_by_name(text: str) -> None:
    with pytest.raises(ValidationError) as caught:
        parse_period(text, now=NOW)
    assert caught.value.field == "period"


def test_a_period_that_starts_after_now_is_refused_and_the_current_one_is_not() -> None:
    with pytest.raises(ValidationError, match="lies in the future"):
        parse_period("2026-06", now=NOW)
    with pytest.raises(ValidationError, match="lies in the future"):
        parse_period("2026-H2", now=NOW)
    assert parse_period("2026-05", now=NOW).label == "2026-05"


def test_a_period_of_the_wrong_kind_for_the_report_is_refused() -> None:
    with pytest.raises(ValidationError, match="half-year"):
        parse_period("2025-Q1", now=NOW, kinds=("half-year",))


def test_periods_before_are_of_the_same_kind_and_contiguous() -> None:
    period = parse_period("2025-Q1", now=NOW)
    before = period.before(4)
    assert [p.label for p in before] == ["2024-Q1", "2024-Q2", "2024-Q3", "2024-Q4"]
    assert all(a.end == b.start for a, b in zip([*before, period], [*before, period][1:], strict=False))
    assert [m.label for m in parse_period("2025-H2", now=NOW).months()] == [
        "2025-07", "2025-08", "2025-09", "2025-10", "2025-11", "2025-12"
    ]  # fmt: skip
