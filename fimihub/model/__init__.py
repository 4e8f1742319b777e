"""Pure domain types: organisations, forums, markings, operations, assets, signals, actions, cases, leads.

No I/O happens here. Build records from outside data with :func:`parse`, which raises
:class:`fimihub.errors.ValidationError` naming the field.
"""

from fimihub.model._base import Governed, Record, new_id, parse, utcnow
from fimihub.model.actions import Action, ActionKind, ActionStatus, Feedback, FeedbackKind, LeadSource
from fimihub.model.assets import Asset, AssetKind, SensitiveCategory
from fimihub.model.audit import GENESIS, AuditEvent, chain_hash
from fimihub.model.cases import (
    STANDARD_CHECKLISTS,
    Case,
    CaseStatus,
    CaseType,
    ChecklistStep,
    Lead,
    LeadOutcome,
    LeadStatus,
    MonetisationAsset,
    MonetisationKind,
    Task,
    TimelineEntry,
)
from fimihub.model.disclosures import DisclosedFile, Disclosure, DisclosureFigure
from fimihub.model.fingerprints import Fingerprint
from fimihub.model.keys import ForumKey
from fimihub.model.markings import PAP, TLP, Marking
from fimihub.model.matches import Match, MatchStatus
from fimihub.model.operations import DetectionSource, Operation, OperationStatus, OperatorType
from fimihub.model.orgs import Forum, Member, Organisation, OrganisationKind, Role, Team
from fimihub.model.psi import PsiSession, PsiStatus
from fimihub.model.review import (
    HeldReason,
    ReviewItem,
    ReviewItemKind,
    ReviewKey,
    ReviewStatus,
    SignalWatch,
)
from fimihub.model.signals import Signal, SignalKind
from fimihub.model.tokens import ApiToken, Scope, hash_token, new_token_secret

__all__ = [
    "GENESIS",
    "PAP",
    "STANDARD_CHECKLISTS",
    "TLP",
    "Action",
    "ActionKind",
    "ActionStatus",
    "ApiToken",
    "Asset",
    "AssetKind",
    "AuditEvent",
    "Case",
    "CaseStatus",
    "CaseType",
    "ChecklistStep",
    "DetectionSource",
    "DisclosedFile",
    "Disclosure",
    "DisclosureFigure",
    "Feedback",
    "FeedbackKind",
    "Fingerprint",
    "Forum",
    "ForumKey",
    "Governed",
    "HeldReason",
    "Lead",
    "LeadOutcome",
    "LeadSource",
    "LeadStatus",
    "Marking",
    "Match",
    "MatchStatus",
    "Member",
    "MonetisationAsset",
    "MonetisationKind",
    "Operation",
    "OperationStatus",
    "OperatorType",
    "Organisation",
    "OrganisationKind",
    "PsiSession",
    "PsiStatus",
    "Record",
    "ReviewItem",
    "ReviewItemKind",
    "ReviewKey",
    "ReviewStatus",
    "Role",
    "Scope",
    "SensitiveCategory",
    "Signal",
    "SignalKind",
    "SignalWatch",
    "Task",
    "Team",
    "TimelineEntry",
    "chain_hash",
    "hash_token",
    "new_id",
    "new_token_secret",
    "parse",
    "utcnow",
]
