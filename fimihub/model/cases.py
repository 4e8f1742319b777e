"""Cases (joint investigations) and leads (intake from partners and users)."""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field, model_validator

from fimihub.model._base import Governed, Name, Record, Text, UtcDatetime, utcnow
from fimihub.model.orgs import Team

__all__ = ["Case", "CaseStatus", "Lead", "LeadStatus", "Task", "TimelineEntry"]


class CaseStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class Task(Record):
    title: Name
    assignee: str | None = None
    done: bool = False


class TimelineEntry(Record):
    at: UtcDatetime = Field(default_factory=utcnow)
    author: str | None = None
    text: Text


class Case(Governed):
    """A joint investigation across teams, and optionally organisations."""

    title: Name
    status: CaseStatus = CaseStatus.OPEN
    teams: frozenset[Team] = frozenset({Team.CIO_INVESTIGATIONS})
    operation_ids: tuple[str, ...] = Field(default=(), max_length=1000)
    participant_orgs: frozenset[str] = frozenset()
    tasks: tuple[Task, ...] = Field(default=(), max_length=10_000)
    timeline: tuple[TimelineEntry, ...] = Field(default=(), max_length=100_000)
    #: A legal hold: while set, retention purges neither the case nor its operations nor anything of theirs
    #: (assets, signals, actions, fingerprints, matches), whatever their expiry.
    legal_hold: bool = False
    legal_hold_reason: Text = ""

    @model_validator(mode="after")
    def _hold_has_a_reason(self) -> Case:
        if self.legal_hold and not self.legal_hold_reason.strip():
            raise ValueError("legal_hold_reason: say why the case is held (a court order, an inquiry …)")
        return self


class LeadStatus(StrEnum):
    NEW = "new"
    TRIAGED = "triaged"  # turned into or attached to an operation
    DISMISSED = "dismissed"


class Lead(Governed):
    """An intake report from a partner or a user, to be triaged into an operation or dismissed."""

    title: Name
    description: Text = ""
    urls: tuple[str, ...] = Field(default=(), max_length=1000)
    platforms: tuple[str, ...] = Field(default=(), max_length=50)
    status: LeadStatus = LeadStatus.NEW
    operation_id: str | None = None
    reason: Text = ""
