"""What a listing of the review queue asks for (:class:`ReviewQuery`), how it is checked, filtered and sorted,
and the page it answers (:class:`ReviewPage`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from fimihub.errors import ValidationError
from fimihub.model import ReviewItem, ReviewItemKind, ReviewStatus

__all__ = ["MAX_PAGE", "ReviewPage", "ReviewQuery", "ReviewSort", "check_query", "sort_key", "wanted"]

#: Most items one page lists.
MAX_PAGE = 500
_MAX_AGE_DAYS = 36_500


class ReviewSort(StrEnum):
    PRIORITY = "priority"  # highest priority first
    SCORE = "score"  # best hit first
    AGE = "age"  # waiting longest first
    NEWEST = "newest"  # newest first


@dataclass(frozen=True, slots=True)
class ReviewQuery:
    """Which items a listing returns, in which order, from where. ``max_age_days`` keeps items created at
    most that many days ago; ``source`` matches an item's source or its prefix (``scan`` for every scan)."""

    status: ReviewStatus | None = ReviewStatus.OPEN
    operation_id: str | None = None
    forum_id: str | None = None
    source: str | None = None
    kind: ReviewItemKind | None = None
    platform: str | None = None
    min_score: float | None = None
    max_age_days: float | None = None
    sort: ReviewSort = ReviewSort.PRIORITY
    offset: int = 0
    limit: int = 50


@dataclass(frozen=True, slots=True)
class ReviewPage:
    """One page of the queue: the items, how many match the query (``total``), where the next page starts
    (``next_offset``; ``None`` at the end), and the organisation's items by status (``totals``)."""

    items: list[ReviewItem]
    total: int
    offset: int
    limit: int
    next_offset: int | None
    totals: dict[str, int]


def check_query(query: ReviewQuery) -> None:
    if not 1 <= query.limit <= MAX_PAGE:
        raise ValidationError("limit", f"must be between 1 and {MAX_PAGE}")
    if query.offset < 0:
        raise ValidationError("offset", "must not be negative")
    if query.min_score is not None and not 0 <= query.min_score <= 1:
        raise ValidationError("min_score", "must be between 0 and 1")
    if query.max_age_days is not None and not 0 < query.max_age_days <= _MAX_AGE_DAYS:
        raise ValidationError("max_age_days", f"must be above 0 and at most {_MAX_AGE_DAYS}")


def wanted(item: ReviewItem, query: ReviewQuery, now: datetime) -> bool:
    if query.forum_id is not None and query.forum_id not in item.forum_ids:
        return False
    if query.source is not None and not any(
        s == query.source or s.startswith(f"{query.source}:") for s in item.sources
    ):
        return False
    if query.min_score is not None and item.score < query.min_score:
        return False
    return query.max_age_days is None or item.created_at >= now - timedelta(days=query.max_age_days)


def sort_key(sort: ReviewSort) -> Any:
    if sort is ReviewSort.PRIORITY:
        return lambda i: (-i.priority, -i.score, i.created_at, i.id)
    if sort is ReviewSort.SCORE:
        return lambda i: (-i.score, -i.priority, i.created_at, i.id)
    if sort is ReviewSort.AGE:
        return lambda i: (i.created_at, i.id)
    return lambda i: (-i.created_at.timestamp(), i.id)
