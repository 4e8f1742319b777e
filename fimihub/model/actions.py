"""Actions (enforcement steps) and feedback (what a recipient tells the sharer)."""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field

from fimihub.model._base import Governed, Text, UtcDatetime, utcnow
from fimihub.model.types import EeaCountry

__all__ = ["Action", "ActionKind", "ActionStatus", "Feedback", "FeedbackKind", "LeadSource"]


class ActionKind(StrEnum):
    REMOVE = "remove"
    DEMONETISE = "demonetise"
    BAN_AD_ACCOUNT = "ban-ad-account"
    LABEL = "label"
    REDUCE_REACH = "reduce-reach"
    RESTRICT_FEATURES = "restrict-features"


class LeadSource(StrEnum):
    """Where the lead that prompted an action came from (SLI 16.1.1 counts actions from sharing)."""

    INTERNAL = "internal"  # the platform's own detection
    FORUM_SHARE = "forum-share"  # a signal or operation shared through a forum
    PEER_DISCLOSURE = "peer-disclosure"  # another platform's public disclosure
    PARTNER = "partner"  # civil society, researchers, fact-checkers
    USER_REPORT = "user-report"
    AUTHORITY = "authority"


class ActionStatus(StrEnum):
    """Where an action stands. An action on a sensitive target starts *proposed* and is enforced only once a
    second reviewer approved it; every other action is recorded as *taken* unless said otherwise."""

    PROPOSED = "proposed"  # planned, not enforced: waiting for review
    APPROVED = "approved"  # a second reviewer agreed (``approved_by``): cleared to enforce
    TAKEN = "taken"  # enforced on the organisation's service
    OVERTURNED = "overturned"  # reversed, e.g. on appeal

    @property
    def enforcing(self) -> bool:
        """Whether the action is (cleared to be) enforced."""
        return self in (ActionStatus.APPROVED, ActionStatus.TAKEN)


class Action(Governed):
    """An enforcement step an organisation took on its own service."""

    kind: ActionKind
    operation_id: str | None = None
    asset_ids: tuple[str, ...] = Field(default=(), max_length=100_000)
    #: How many assets the action covered (may exceed ``asset_ids`` when assets are not stored one by one).
    asset_count: int = Field(default=0, ge=0)
    platform: str | None = Field(default=None, max_length=63)
    lead_source: LeadSource = LeadSource.INTERNAL
    #: The share, signal or lead that prompted it, when it came from outside.
    lead_ref: str | None = Field(default=None, max_length=200)
    #: EU/EEA Member States where the action had effect (SLI 16.1.1 is broken down by these).
    member_states: tuple[EeaCountry, ...] = Field(default=(), max_length=31)
    taken_at: UtcDatetime = Field(default_factory=utcnow)
    note: Text = ""
    status: ActionStatus = ActionStatus.TAKEN
    #: The member who approved a proposed action (never its proposer), when, and why; set by the hub only
    #: (``hub.safeguards.approve_action``).
    approved_by: str | None = None
    approved_at: UtcDatetime | None = None
    approval_note: Text = ""


class FeedbackKind(StrEnum):
    SEEN = "seen"
    ACTED = "acted"
    FALSE_POSITIVE = "false-positive"
    DISPUTED = "disputed"
    OVERTURNED = "overturned"  # overturned on appeal


class Feedback(Governed):
    """A sighting or opinion sent back to whoever shared ``subject_id`` (a signal, operation or share)."""

    subject_id: str
    kind: FeedbackKind
    comment: Text = ""
    at: UtcDatetime = Field(default_factory=utcnow)
