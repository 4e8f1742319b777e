"""Assets: the accounts, pages, groups, channels, domains and ad accounts an operation uses."""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field, model_validator

from fimihub.model._base import Governed, Name, UtcDatetime
from fimihub.model.types import Platform

__all__ = ["Asset", "AssetKind"]


class AssetKind(StrEnum):
    ACCOUNT = "account"
    PAGE = "page"
    GROUP = "group"
    CHANNEL = "channel"
    DOMAIN = "domain"
    AD_ACCOUNT = "ad-account"
    APP = "app"
    OTHER = "other"


class Asset(Governed):
    """One thing an operation uses on a named platform (or ``web`` for domains and sites)."""

    operation_id: str | None = None
    platform: Platform
    kind: AssetKind
    #: The platform's own identifier. Personal identifiers are shared only as keyed hashes (see policy).
    external_id: str | None = Field(default=None, max_length=500)
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

    @model_validator(mode="after")
    def _identified(self) -> Asset:
        if not (self.external_id or self.handle or self.url):
            raise ValueError("external_id: an asset needs at least one of external_id, handle or url")
        if self.removed_at and self.account_created_at and self.removed_at < self.account_created_at:
            raise ValueError("removed_at: is before account_created_at")
        return self

    @property
    def removed(self) -> bool:
        return self.removed_at is not None
