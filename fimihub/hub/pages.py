"""A page of a listing, and how to ask for the next one."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

__all__ = ["Page"]

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """One page of a listing; pass ``next_after`` back as ``after`` for the next page (None: no more)."""

    items: list[T]
    next_after: str | None
