"""Assets: the accounts, pages, groups, channels, domains and ad accounts an operation uses."""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field, model_validator

from fimihub.model._base import Governed, Name, UtcDatetime
from fimihub.model.matches import MAX_SEALED
from fimihub.model.types import Platform

__all__ = ["Asset", "AssetKind", "SensitiveCategory"]


class AssetKind(StrEnum):
    ACCOUNT = "account"
    PAGE = "page"
    GROUP = "group"
    CHANNEL = "channel"
    DOMAIN = "domain"
    AD_ACCOUNT = "ad-account"
    APP = "app"
    OTHER = "other"


class SensitiveCategory(StrEnum):
    """Why an asset is a sensitive target: acting against it touches freedom of expression, of the press,
    of assembly or political participation, so an action on it needs a second reviewer (see
    :mod:`fimihub.policy.safeguards`)."""

    JOURNALIST = "journalist"
    NEWS_MEDIA = "news-media"
    ACTIVIST = "activist"
    HUMAN_RIGHTS_DEFENDER = "human-rights-defender"
    CANDIDATE = "candidate"  # for elected office
    ELECTED_OFFICIAL = "elected-official"
    POLITICAL_PARTY = "political-party"
    PUBLIC_FIGURE = "public-figure"
    OTHER = "other"


class Asset(Governed):
    """One thing an operation uses on a named platform (or ``web`` for domains and sites)."""

    operation_id: str | None = None
    platform: Platform
    kind: AssetKind
    #: The platform's own identifier. An account's id in a forum is held as its keyed hash (HMAC-SHA256 with
    #: the forum's key over ``platform:id``, 64 hex digits), unless the forum shares account ids in clear.
    external_id: str | None = Field(default=None, max_length=500)
    #: The forum key (``pk-…``) the hub keyed ``external_id`` with; ``None`` when it was not keyed here.
    external_id_key_id: str | None = Field(default=None, max_length=200)
    #: The clear ``external_id``, sealed to the owner organisation's identifier key (base64), so the owner
    #: can recover it and nobody else can. Never leaves the hub.
    external_id_sealed: str | None = Field(default=None, max_length=MAX_SEALED)
    #: The identifier key (``ik-…``) ``external_id_sealed`` is sealed to.
    identifier_key_id: str | None = Field(default=None, max_length=200)
    handle: str | None = Field(default=None, max_length=500)
    display_name: Name | None = None
    url: str | None = Field(default=None, max_length=2000)
    followers: int | None = Field(default=None, ge=0)
    account_created_at: UtcDatetime | None = None
    removed_at: UtcDatetime | None = None
    #: Ad spend attributed to this asset (ad accounts, pages running ads), in ``ad_spend_currency``.
    ad_spend: float | None = Field(default=None, ge=0)
    ad_spend_currency: str | None = Field(default=None, pattern=r"^[A-Z]{3}$")
    #: A returning account of the operation: it came back after a takedown, found by resurgence detection
    #: and confirmed by a reviewer (or reported so by the member).
    recidivist: bool = False
    #: Set by the owner organisation when the asset belongs to a journalist, activist, candidate, public
    #: figure or the like: an action on it is created *proposed* and needs a second reviewer's approval.
    sensitive: SensitiveCategory | None = None

    @model_validator(mode="after")
    def _identified(self) -> Asset:
        if not (self.external_id or self.handle or self.url or self.external_id_sealed):
            raise ValueError("external_id: an asset needs at least one of external_id, handle or url")
        if self.removed_at and self.account_created_at and self.removed_at < self.account_created_at:
            raise ValueError("removed_at: is before account_created_at")
        if self.external_id_sealed and not self.identifier_key_id:
            raise ValueError("identifier_key_id: names the key of every sealed identifier")
        return self

    @property
    def removed(self) -> bool:
        return self.removed_at is not None

    @property
    def names_an_account(self) -> bool:
        """Whether ``external_id`` is a platform's id of an account, page, group, channel or the like (a
        personal identifier, keyed when shared), rather than a domain or site."""
        return self.kind is not AssetKind.DOMAIN and self.platform != "web"
