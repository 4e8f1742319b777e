"""Who takes part: organisations, their members (people and service accounts), and forums."""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field, field_validator

from fimihub.model._base import Name, Record, Text, UtcDatetime, utcnow
from fimihub.model.markings import TLP
from fimihub.model.signals import SignalKind
from fimihub.model.types import Country

__all__ = ["Forum", "Member", "Organisation", "OrganisationKind", "Role", "Team"]


class OrganisationKind(StrEnum):
    PLATFORM = "platform"
    RESEARCHER = "researcher"
    FACT_CHECKER = "fact-checker"
    CIVIL_SOCIETY = "civil-society"
    PUBLIC_AUTHORITY = "public-authority"


class Role(StrEnum):
    """What a member may do. A member may hold several roles."""

    ADMIN = "admin"  # manages its organisation's members and tokens; forum admin where named
    ANALYST = "analyst"  # triages leads, builds operations, writes and shares records
    REVIEWER = "reviewer"  # reads, confirms or rejects matches
    READER = "reader"  # reads what its organisation may see
    PARTNER_REPORTER = "partner-reporter"  # submits leads, reads what is shared with it


class Team(StrEnum):
    CIO_INVESTIGATIONS = "cio-investigations"
    MONETISATION_INTEGRITY = "monetisation-integrity"
    TRUST_AND_SAFETY = "trust-and-safety"
    POLICY = "policy"
    ENGINEERING = "engineering"
    RESEARCH = "research"
    OTHER = "other"


class Organisation(Record):
    """A member organisation of the hub."""

    id: str
    name: Name
    kind: OrganisationKind
    country: Country | None = None
    #: The platforms this organisation runs (for kind=platform): the slugs its scans and actions concern.
    platforms: tuple[str, ...] = ()
    #: The organisation that runs this hub: its admins manage organisations and forums for everyone.
    operator: bool = False
    #: Values this organisation never wants matched (its own domains, official accounts), as ``kind:value``
    #: with the value normalised, e.g. ``domain:example.org``.
    allow_list: tuple[str, ...] = Field(default=(), max_length=10_000)
    #: The public half (base64) of the organisation's identifier key: the hub seals the platform account and
    #: post ids it queues for the organisation to it. The private half never reaches the hub.
    identifier_key: str | None = Field(default=None, max_length=100)
    #: Names ``identifier_key`` (``ik-…``); stored beside every value sealed to it.
    identifier_key_id: str | None = Field(default=None, max_length=200)
    created_at: UtcDatetime = Field(default_factory=utcnow)


class Member(Record):
    """A person or service account of an organisation."""

    id: str
    org_id: str
    name: Name
    email: str | None = Field(default=None, max_length=320)
    roles: frozenset[Role] = Field(min_length=1)
    team: Team = Team.CIO_INVESTIGATIONS
    service_account: bool = False
    active: bool = True
    created_at: UtcDatetime = Field(default_factory=utcnow)

    def has(self, role: Role) -> bool:
        return role in self.roles


class Forum(Record):
    """A channel of exchange: its member organisations and its rules."""

    id: str
    name: Name
    description: Text = ""
    member_orgs: frozenset[str] = frozenset()
    #: Members (ids) who administer the forum: membership, rules, retention.
    admins: frozenset[str] = frozenset()
    default_tlp: TLP = TLP.AMBER
    #: Days shared records live in this forum before retention purges them.
    retention_days: int = Field(default=365, ge=1, le=36500)
    #: No enforcement on a signal shared here without a human review of the match.
    human_review_required: bool = True
    #: A hit on a hashtag signal alone opens a review item. By default (False) hashtags only add evidence to
    #: items that a more specific signal opened, because a hashtag is shared by far more than the operation.
    review_hashtags_alone: bool = False
    #: Id of the key that keys the hashes of personal identifiers shared here (account ids, e-mails, phones).
    pseudonymisation_key_id: str | None = Field(default=None, max_length=200)
    #: Platform account ids of assets shared here travel in clear. By default (False) the hub keeps and
    #: shares them only as their keyed hash with the forum's key, like account-id signals.
    clear_account_ids: bool = False
    #: Members of public-authority organisations read the other organisations' non-CLEAR records of this
    #: forum (by the usual TLP rules). By default (False) they read only TLP:CLEAR and their own.
    public_authority_access: bool = False
    #: The signal kinds members may share here (``None``: every kind). Data minimisation: a forum of
    #: researchers may take domains, URLs and image hashes but no handles, say. Whatever the list, personal
    #: identifiers (account ids, e-mails, phones) only ever travel as keyed hashes and texts as signatures.
    #: Tightening the list keeps what was shared before; it refuses what would newly enter the forum.
    signal_kinds: frozenset[SignalKind] | None = None
    #: Why the forum exchanges what it does, and the lawful basis the members rely on (GDPR Art. 6, and
    #: Art. 9/10 where special categories are concerned): stated here, they head its DPIA
    #: (``fimihub privacy dpia``).
    purpose: Text = ""
    lawful_basis: Text = ""
    rules: Text = ""
    created_at: UtcDatetime = Field(default_factory=utcnow)

    @field_validator("default_tlp", mode="before")
    @classmethod
    def _tlp(cls, value: object) -> object:
        return TLP.parse(value) if isinstance(value, str) else value
