"""Reporting periods: a month (``2025-03``), a quarter (``2025-Q1``), a half-year (``2025-H1``) or a year.

A period is half-open, ``[start, end)`` in UTC, so every instant falls in exactly one period of a kind, and
the periods before one (for trends) are the same kind, one after the other.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from fimihub.errors import ValidationError

__all__ = ["Period", "parse_period"]

_FORMS = re.compile(r"^(\d{4})(?:-(\d{2})|-Q([1-4])|-H([12]))?$")
_MONTHS = {"month": 1, "quarter": 3, "half-year": 6, "year": 12}


@dataclass(frozen=True, slots=True)
class Period:
    """A reporting period: its kind (``month``, ``quarter``, ``half-year``, ``year``) and its first month."""

    kind: str
    year: int
    month: int

    @property
    def label(self) -> str:
        """The period as it is written: ``2025-03``, ``2025-Q1``, ``2025-H1``, ``2025``."""
        if self.kind == "month":
            return f"{self.year}-{self.month:02d}"
        if self.kind == "quarter":
            return f"{self.year}-Q{(self.month - 1) // 3 + 1}"
        if self.kind == "half-year":
            return f"{self.year}-H{(self.month - 1) // 6 + 1}"
        return f"{self.year}"

    @property
    def start(self) -> datetime:
        return datetime(self.year, self.month, 1, tzinfo=UTC)

    @property
    def end(self) -> datetime:
        """The first instant after the period."""
        index = self.year * 12 + self.month - 1 + _MONTHS[self.kind]
        return datetime(index // 12, index % 12 + 1, 1, tzinfo=UTC)

    def holds(self, when: datetime | None) -> bool:
        """Whether ``when`` falls in the period (``None`` never does)."""
        return when is not None and self.start <= when < self.end

    def before(self, count: int) -> list[Period]:
        """The ``count`` periods of the same kind just before this one, oldest first."""
        step = _MONTHS[self.kind]
        index = self.year * 12 + self.month - 1
        earlier = [index - step * n for n in range(count, 0, -1)]
        return [Period(self.kind, i // 12, i % 12 + 1) for i in earlier]

    def months(self) -> list[Period]:
        """The months of the period, in order."""
        return [
            Period("month", (self.year * 12 + self.month - 1 + n) // 12, (self.month - 1 + n) % 12 + 1)
            for n in range(_MONTHS[self.kind])
        ]

    def __str__(self) -> str:
        return self.label


def parse_period(text: str, *, now: datetime, kinds: tuple[str, ...] = tuple(_MONTHS)) -> Period:
    """The period ``text`` names, of one of ``kinds``; refused (:class:`ValidationError` on ``period``) when
    it does not parse, is not one of ``kinds``, or starts after ``now``."""
    forms = {"month": "2025-03", "quarter": "2025-Q1", "half-year": "2025-H1", "year": "2025"}
    wanted = " or ".join(f"a {k} ({forms[k]})" for k in kinds)
    match = _FORMS.match(text.strip())
    if match is None:
        raise ValidationError("period", f"{text!r} is not a period: write {wanted}")
    year, month, quarter, half = match.groups()
    if month is not None:
        if not 1 <= int(month) <= 12:
            raise ValidationError("period", f"{text!r}: there is no month {month}")
        period = Period("month", int(year), int(month))
    elif quarter is not None:
        period = Period("quarter", int(year), (int(quarter) - 1) * 3 + 1)
    elif half is not None:
        period = Period("half-year", int(year), (int(half) - 1) * 6 + 1)
    else:
        period = Period("year", int(year), 1)
    if not 1900 <= period.year <= 9998:
        raise ValidationError("period", f"{text!r}: the year is out of range")
    if period.kind not in kinds:
        raise ValidationError("period", f"{text!r} is a {period.kind}: this report covers {wanted}")
    if period.start > now:
        raise ValidationError(
            "period", f"{period.label} lies in the future: it starts {period.start.date().isoformat()}"
        )
    return period
