"""Matches: hits of shared signals on a member's own data, waiting for a human to review them."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import Field, model_validator

from fimihub.model._base import Governed, Text, UtcDatetime
from fimihub.model.review import HeldReason
from fimihub.model.signals import MAX_SIGNAL_VALUE, SignalKind

__all__ = ["MAX_SEALED", "Match", "MatchStatus"]

#: Longest sealed identifier (base64 of a sealed box of a 500-character id: 48 bytes more, then base64).
MAX_SEALED = 1000


class MatchStatus(StrEnum):
    PENDING = "pending"  # in the review queue
    CONFIRMED = "confirmed"  # a reviewer agrees: the item belongs to the operation
    REJECTED = "rejected"  # a false positive


class Match(Governed):
    """A signal found on the data of ``owner_org`` (the member that ran the match or scan), or an account of
    that data that looks like the return of a disrupted operation (a resurgence candidate, scored against the
    operation's fingerprint: then ``fingerprint_id`` is set instead of ``signal_id`` and ``evidence`` says
    what matched).

    The matched item is the member's own data, so a match is private to it (TLP:AMBER+STRICT by default) until
    it chooses to send feedback to whoever shared the signal.

    The platform's account and post ids of the item are never stored in clear: the hub seals them to the
    organisation's identifier key (``account_sealed``, ``post_sealed``: base64 sealed boxes, see
    :mod:`fimihub.policy.sealing`; ``identifier_key_id`` names the key), so neither whoever runs the hub nor
    another member can read them; the organisation opens them with its private key. A personal identifier
    matched as the item itself (``item_kind`` ``account_id``, ``email``, ``phone``) is held as its keyed
    hash.
    """

    signal_id: str | None = None
    signal_kind: SignalKind | None = None
    fingerprint_id: str | None = None
    operation_id: str | None = None
    #: The forum the signal came through.
    signal_forum_id: str | None = None
    #: What of the member's data matched: its kind and normalised value.
    item_kind: SignalKind
    item_value: str = Field(max_length=MAX_SIGNAL_VALUE)
    #: The forum key (``pk-…``) that keyed ``item_value``, where the hub hashed a personal identifier with it.
    item_key_id: str | None = Field(default=None, max_length=200)
    platform: str | None = Field(default=None, max_length=63)
    #: The account id of the item, sealed to the organisation's identifier key (base64).
    account_sealed: str | None = Field(default=None, max_length=MAX_SEALED)
    #: The post id of the item, sealed to the organisation's identifier key (base64).
    post_sealed: str | None = Field(default=None, max_length=MAX_SEALED)
    #: The identifier key (``ik-…``) ``account_sealed`` and ``post_sealed`` are sealed to.
    identifier_key_id: str | None = Field(default=None, max_length=200)
    distance: float = Field(default=0.0, ge=0)
    score: float = Field(default=1.0, ge=0, le=1)
    #: For resurgence candidates: what of the fingerprint the account matched, by kind.
    evidence: dict[str, Any] = Field(default_factory=dict)
    #: Where the match came from: ``api`` or ``scan:<file name>``.
    source: str = Field(default="api", max_length=500)
    status: MatchStatus = MatchStatus.PENDING
    #: The account's key: a keyed hash of ``platform:account id`` under the organisation's review key, which
    #: groups its hits into one review item without naming the account.
    account_key: str | None = Field(default=None, pattern=r"^[0-9a-f]{64}$")
    #: Names the hit itself (signal, item, account, post) under the same key: a hit is queued once.
    hit_key: str | None = Field(default=None, pattern=r"^[0-9a-f]{64}$")
    #: The review item whose evidence this hit is; ``None`` while it is held back (``held`` says why).
    review_item_id: str | None = None
    held: HeldReason | None = None
    reviewed_by: str | None = None
    reviewed_at: UtcDatetime | None = None
    review_note: Text = ""

    @model_validator(mode="after")
    def _one_basis(self) -> Match:
        if (self.signal_id is None) == (self.fingerprint_id is None):
            raise ValueError("signal_id: a match comes from exactly one of a signal or a fingerprint")
        if (self.signal_id is None) != (self.signal_kind is None):
            raise ValueError("signal_kind: is given exactly when signal_id is")
        if (self.account_sealed or self.post_sealed) and not self.identifier_key_id:
            raise ValueError("identifier_key_id: names the key of every sealed identifier")
        return self

    @property
    def is_resurgence(self) -> bool:
        """Whether this is a resurgence candidate rather than a signal hit."""
        return self.fingerprint_id is not None
