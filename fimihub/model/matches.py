"""Matches: hits of shared signals on a member's own data, waiting for a human to review them."""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field

from fimihub.model._base import Governed, Text, UtcDatetime
from fimihub.model.signals import MAX_SIGNAL_VALUE, SignalKind

__all__ = ["Match", "MatchStatus"]


class MatchStatus(StrEnum):
    PENDING = "pending"  # in the review queue
    CONFIRMED = "confirmed"  # a reviewer agrees: the item belongs to the operation
    REJECTED = "rejected"  # a false positive


class Match(Governed):
    """A signal found on the data of ``owner_org`` (the member that ran the match or scan).

    The matched item is the member's own data, so a match is private to it (TLP:AMBER+STRICT by default) until
    it chooses to send feedback to whoever shared the signal.
    """

    signal_id: str
    signal_kind: SignalKind
    operation_id: str | None = None
    #: The forum the signal came through.
    signal_forum_id: str | None = None
    #: What of the member's data matched: its kind and normalised value.
    item_kind: SignalKind
    item_value: str = Field(max_length=MAX_SIGNAL_VALUE)
    platform: str | None = Field(default=None, max_length=63)
    account_id: str | None = Field(default=None, max_length=500)
    post_id: str | None = Field(default=None, max_length=500)
    distance: float = Field(default=0.0, ge=0)
    score: float = Field(default=1.0, ge=0, le=1)
    #: Where the match came from: ``api`` or ``scan:<file name>``.
    source: str = Field(default="api", max_length=500)
    status: MatchStatus = MatchStatus.PENDING
    reviewed_by: str | None = None
    reviewed_at: UtcDatetime | None = None
    review_note: Text = ""
