"""Cases (joint investigations) and leads (intake from partners and users)."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from pydantic import Field, model_validator

from fimihub.model._base import Governed, Name, Record, Text, UtcDatetime, utcnow
from fimihub.model.orgs import Team

__all__ = [
    "STANDARD_CHECKLISTS",
    "Case",
    "CaseStatus",
    "CaseType",
    "ChecklistStep",
    "Lead",
    "LeadOutcome",
    "LeadStatus",
    "MonetisationAsset",
    "MonetisationKind",
    "Task",
    "TimelineEntry",
]


class CaseStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class CaseType(StrEnum):
    """What a case investigates, which sets its standard operating checklist and the teams it starts with."""

    INFLUENCE_OPERATION = "influence-operation"  # the covert-influence team alone
    MONETISATION = "monetisation"  # the monetisation integrity team alone
    JOINT = "joint"  # an operation that buys ads or earns money: both teams


#: The standard operating checklist each type of case starts with.
STANDARD_CHECKLISTS: dict[CaseType, tuple[str, ...]] = {
    CaseType.INFLUENCE_OPERATION: (
        "Scope the network: seed accounts, pages, domains",
        "Check the safeguards: sensitive targets need a second reviewer",
        "Map assets and signals; assess attribution and confidence",
        "Decide and record the enforcement actions with their Member States",
        "Share signals with the forum; note the lead source",
        "Build the fingerprint and monitor for resurgence",
    ),
    CaseType.MONETISATION: (
        "List the monetisation assets: ad accounts, payouts, creator funds, virtual gifts",
        "Total the ad spend and revenue by currency and period",
        "Freeze payouts and ad accounts as policy allows",
        "Record the enforcement actions with their Member States",
    ),
    CaseType.JOINT: (
        "Scope the network: seed accounts, pages, domains",
        "Check the safeguards: sensitive targets need a second reviewer",
        "List the monetisation assets: ad accounts, payouts, creator funds, virtual gifts",
        "Total the ad spend and revenue by currency and period",
        "Agree the enforcement across both teams and record it with its Member States",
        "Share signals with the forum; note the lead source",
        "Build the fingerprint and monitor for resurgence",
    ),
}


class Task(Record):
    """A task of a case: who does it (a member of the case's organisation), for which team, by when."""

    #: Given by the hub when the task is added (``task--…``).
    id: str | None = None
    title: Name
    assignee: str | None = None
    team: Team | None = None
    due: date | None = None
    done: bool = False
    done_at: UtcDatetime | None = None
    done_by: str | None = None


class ChecklistStep(Record):
    """One step of a case's standard operating checklist."""

    step: Name
    done: bool = False
    done_at: UtcDatetime | None = None
    done_by: str | None = None


class MonetisationKind(StrEnum):
    AD_ACCOUNT = "ad-account"
    PAYOUT = "payout"
    CREATOR_FUND = "creator-fund-enrolment"
    VIRTUAL_GIFTS = "virtual-gifts"
    PAID_FEATURE = "paid-feature"


class MonetisationAsset(Record):
    """A way the operation spent or earned money on the organisation's service, with the amount over a period.
    The account behind it is named by its asset record (``asset_id``), whose platform id the hub keeps keyed
    and sealed, never here."""

    kind: MonetisationKind
    asset_id: str | None = None
    description: Text = ""
    #: Spent (ads) or earned (payouts, funds, gifts), in ``currency`` (ISO 4217) over the period.
    amount: float | None = Field(default=None, ge=0)
    currency: str | None = Field(default=None, pattern=r"^[A-Z]{3}$")
    period_start: date | None = None
    period_end: date | None = None

    @model_validator(mode="after")
    def _consistent(self) -> MonetisationAsset:
        if self.amount is not None and self.currency is None:
            raise ValueError("currency: an amount needs its currency (ISO 4217, e.g. EUR)")
        if self.period_start and self.period_end and self.period_end < self.period_start:
            raise ValueError("period_end: is before period_start")
        return self


class TimelineEntry(Record):
    at: UtcDatetime = Field(default_factory=utcnow)
    author: str | None = None
    text: Text


class Case(Governed):
    """A joint investigation across teams, and optionally organisations."""

    title: Name
    status: CaseStatus = CaseStatus.OPEN
    case_type: CaseType = CaseType.INFLUENCE_OPERATION
    #: The teams of the owner organisation that work the case; members of other teams do not see it (its
    #: organisation's admins always do).
    teams: frozenset[Team] = frozenset({Team.CIO_INVESTIGATIONS})
    operation_ids: tuple[str, ...] = Field(default=(), max_length=1000)
    participant_orgs: frozenset[str] = frozenset()
    tasks: tuple[Task, ...] = Field(default=(), max_length=10_000)
    timeline: tuple[TimelineEntry, ...] = Field(default=(), max_length=100_000)
    checklist: tuple[ChecklistStep, ...] = Field(default=(), max_length=200)
    monetisation: tuple[MonetisationAsset, ...] = Field(default=(), max_length=10_000)
    #: A legal hold: while set, retention purges neither the case nor its operations nor anything of theirs
    #: (assets, signals, actions, fingerprints, matches), whatever their expiry.
    legal_hold: bool = False
    legal_hold_reason: Text = ""

    @property
    def ad_spend(self) -> dict[str, float]:
        """What the case's ad accounts spent, by currency."""
        totals: dict[str, float] = {}
        for item in self.monetisation:
            if item.kind is MonetisationKind.AD_ACCOUNT and item.amount is not None and item.currency:
                totals[item.currency] = totals.get(item.currency, 0.0) + item.amount
        return totals

    @model_validator(mode="after")
    def _hold_has_a_reason(self) -> Case:
        if self.legal_hold and not self.legal_hold_reason.strip():
            raise ValueError("legal_hold_reason: say why the case is held (a court order, an inquiry …)")
        return self


class LeadStatus(StrEnum):
    NEW = "new"
    TRIAGED = "triaged"  # turned into or attached to an operation
    DISMISSED = "dismissed"


class LeadOutcome(Record):
    """What one organisation that received a lead tells its reporter: triaged or dismissed, when, and a public
    outcome in words ("the network was removed"). Never the organisation's internal detail: the operation it
    went into and the reason stay in that organisation's own copy of the lead."""

    org_id: str
    status: LeadStatus
    at: UtcDatetime
    outcome: Text = ""


class Lead(Governed):
    """An intake report from a partner or a user, to be triaged into an operation or dismissed.

    A partner's lead is sent to the organisations it is for (its forum, or the organisations its marking
    names). Each of them triages it once (``hub.leads.triage``): the reporter's lead gains a
    :class:`LeadOutcome` per organisation (``outcomes``) and its ``status`` says whether any took it up; the
    organisation keeps its own copy (``source_lead_id`` names the reporter's lead) with the operation it went
    into (``operation_id``) or why it was dismissed (``reason``)."""

    title: Name
    description: Text = ""
    urls: tuple[str, ...] = Field(default=(), max_length=1000)
    platforms: tuple[str, ...] = Field(default=(), max_length=50)
    status: LeadStatus = LeadStatus.NEW
    operation_id: str | None = None
    reason: Text = ""
    #: What each receiving organisation told the reporter (set by the hub only, through triage).
    outcomes: tuple[LeadOutcome, ...] = Field(default=(), max_length=1000)
    #: For a receiving organisation's own copy: the reporter's lead it triaged.
    source_lead_id: str | None = None
