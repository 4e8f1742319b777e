"""Review items: the hits of a member's data grouped for one human decision, and the watch kept on signals.

A review item gathers every hit of one account on one operation's signals (``kind`` ``account``), or every
candidate of one returning network of a disrupted operation (``kind`` ``network``). Hits stay
:class:`~fimihub.model.matches.Match` records; an item names them through their ``review_item_id``.

Accounts are named by their *account key* only: a keyed hash of ``platform:account id`` under the
organisation's review key (:class:`ReviewKey`), which lets the hub group an organisation's hits by account
without keeping the id itself (see docs/workflows.md).
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field

from fimihub.model._base import Governed, Record, Text, UtcDatetime
from fimihub.model.signals import SignalKind

__all__ = [
    "HeldReason",
    "ReviewItem",
    "ReviewItemKind",
    "ReviewKey",
    "ReviewStatus",
    "SignalWatch",
]

_HASH = r"^[0-9a-f]{64}$"
#: Most accounts a network item names, and most signals an item lists.
_MAX_MEMBERS = 10_000


class ReviewItemKind(StrEnum):
    ACCOUNT = "account"  # one account's hits on one operation (or on signals of no operation)
    NETWORK = "network"  # the candidates of one returning network of a disrupted operation


class ReviewStatus(StrEnum):
    OPEN = "open"  # waiting for a reviewer
    CONFIRMED = "confirmed"  # the account or network belongs to the operation
    REJECTED = "rejected"  # a false positive


class HeldReason(StrEnum):
    """Why a hit was kept out of the queue."""

    QUARANTINE = "quarantine"  # its signal is quarantined: it suddenly matched far more than before
    WEAK = "weak"  # a hashtag alone, in forums whose rules do not open an item on that


class ReviewItem(Governed):
    """One decision waiting in (or taken from) an organisation's review queue: private to the organisation
    that ran the scan (TLP:AMBER+STRICT), like the matches that are its evidence."""

    kind: ReviewItemKind
    status: ReviewStatus = ReviewStatus.OPEN
    #: What the item groups, keyed under the organisation's review key: hits with the same key and operation
    #: join the same open item.
    group_key: str = Field(pattern=_HASH)
    operation_id: str | None = None
    platform: str | None = Field(default=None, max_length=63)
    #: The account keys of the accounts the item is about (one for an account item).
    account_keys: tuple[str, ...] = Field(default=(), max_length=_MAX_MEMBERS)
    #: The accounts' ids sealed to the organisation's identifier key, in the order of ``account_keys``
    #: (``None`` where an id was not given), and the key they are sealed to.
    accounts_sealed: tuple[str | None, ...] = Field(default=(), max_length=_MAX_MEMBERS)
    identifier_key_id: str | None = Field(default=None, max_length=200)
    #: For a network item: the network's label in the scan that found it (``operation#n``).
    network: str | None = Field(default=None, max_length=500)
    #: The signals and fingerprints whose hits are the evidence, their kinds, forums and sharers.
    signal_ids: tuple[str, ...] = Field(default=(), max_length=_MAX_MEMBERS)
    signal_kinds: tuple[SignalKind, ...] = ()
    fingerprint_ids: tuple[str, ...] = Field(default=(), max_length=1000)
    #: Each signal's or fingerprint's strength as evidence: its kind's specificity times its best score.
    strengths: dict[str, float] = Field(default_factory=dict)
    forum_ids: tuple[str, ...] = Field(default=(), max_length=1000)
    contributors: tuple[str, ...] = Field(default=(), max_length=1000)
    #: Where the hits came from: ``api``, ``scan:<file>``, ``resurgence:<file>``.
    sources: tuple[str, ...] = Field(default=(), max_length=1000)
    hit_count: int = Field(default=0, ge=0)
    #: The best hit's score, and the item's priority (0..100: specificity and number of independent signals).
    score: float = Field(default=0.0, ge=0, le=1)
    priority: float = Field(default=0.0, ge=0, le=100)
    last_hit_at: UtcDatetime | None = None
    decided_by: str | None = None
    decided_at: UtcDatetime | None = None
    decision_note: Text = ""
    #: The enforcement action a confirmation created, and the feedback it sent.
    action_id: str | None = None
    feedback_ids: tuple[str, ...] = Field(default=(), max_length=_MAX_MEMBERS)


class ReviewKey(Record):
    """An organisation's review key: the secret its account keys are keyed with. ``id`` is the
    organisation's id. It never leaves the hub."""

    id: str
    secret: str = Field(pattern=_HASH)
    created_at: UtcDatetime

    @property
    def key(self) -> bytes:
        return bytes.fromhex(self.secret)


class SignalWatch(Governed):
    """What the hub has seen a signal match, scan by scan, and whether it is quarantined.

    Owned by the signal's sharer (``owner_org``), who reads it: that is how a sharer learns that its signal
    was quarantined. It holds counts only, never who scanned."""

    signal_id: str
    #: The most distinct accounts the signal matched in one scan, quarantined scans left out.
    max_accounts: int = Field(default=0, ge=0)
    scans: int = Field(default=0, ge=0)
    quarantined: bool = False
    quarantined_at: UtcDatetime | None = None
    #: Why: how many accounts one scan matched against the history.
    reason: Text = ""
    #: How many distinct accounts the scan that quarantined it matched.
    spike_accounts: int = Field(default=0, ge=0)
    #: Hits held back while quarantined (across every organisation's scans).
    held: int = Field(default=0, ge=0)
    released_by: str | None = None
    released_at: UtcDatetime | None = None
    release_note: Text = ""
