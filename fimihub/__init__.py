"""fimihub: a hub for cross-platform exchange about covert influence operations (CIO / FIMI).

The public API is listed once, in ``__all__``; ``tests/test_public_api.py`` keeps it honest.

    >>> from fimihub import Hub, Settings
    >>> hub = Hub.open(Settings(db=":memory:"))
"""

from fimihub.errors import (
    AuthenticationError,
    Conflict,
    FimihubError,
    IntegrityError,
    NotFound,
    PayloadTooLarge,
    PermissionDenied,
    StoreError,
    ValidationError,
)
from fimihub.hub import RECORD_KINDS, Hub, IssuedToken, Operator, Page
from fimihub.hub.audit import AuditReport
from fimihub.model import (
    PAP,
    TLP,
    Action,
    ActionKind,
    ApiToken,
    Asset,
    AssetKind,
    AuditEvent,
    Case,
    DetectionSource,
    Disclosure,
    Feedback,
    FeedbackKind,
    Forum,
    Lead,
    LeadSource,
    LeadStatus,
    Marking,
    Member,
    Operation,
    OperationStatus,
    OperatorType,
    Organisation,
    OrganisationKind,
    Role,
    Scope,
    Signal,
    SignalKind,
    Team,
)
from fimihub.policy import Act, Actor
from fimihub.settings import Settings

__version__ = "0.1.0"

__all__ = [
    "PAP",
    "RECORD_KINDS",
    "TLP",
    "Act",
    "Action",
    "ActionKind",
    "Actor",
    "ApiToken",
    "Asset",
    "AssetKind",
    "AuditEvent",
    "AuditReport",
    "AuthenticationError",
    "Case",
    "Conflict",
    "DetectionSource",
    "Disclosure",
    "Feedback",
    "FeedbackKind",
    "FimihubError",
    "Forum",
    "Hub",
    "IntegrityError",
    "IssuedToken",
    "Lead",
    "LeadSource",
    "LeadStatus",
    "Marking",
    "Member",
    "NotFound",
    "Operation",
    "OperationStatus",
    "Operator",
    "OperatorType",
    "Organisation",
    "OrganisationKind",
    "Page",
    "PayloadTooLarge",
    "PermissionDenied",
    "Role",
    "Scope",
    "Settings",
    "Signal",
    "SignalKind",
    "StoreError",
    "Team",
    "ValidationError",
    "__version__",
]
