"""Markings: TLP 2.0 (who may see a record) and PAP (what a recipient may do with it).

TLP levels, from most to least open: CLEAR, GREEN, AMBER, AMBER+STRICT, RED. How each level maps to who may
read inside the hub is decided in :mod:`fimihub.policy`, not here; a marking only carries the level and the
named recipients that AMBER, AMBER+STRICT and RED need.
"""

from __future__ import annotations

import contextlib
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, model_validator

__all__ = ["PAP", "TLP", "Marking"]


class TLP(StrEnum):
    """Traffic Light Protocol 2.0 levels, by their canonical lower-case names."""

    CLEAR = "clear"
    GREEN = "green"
    AMBER = "amber"
    AMBER_STRICT = "amber+strict"
    RED = "red"

    @classmethod
    def parse(cls, value: str) -> TLP:
        """Accept ``TLP:AMBER+STRICT``, ``amber+strict``, ``AMBER_STRICT``, and ``white`` (TLP 1.0 CLEAR)."""
        text = value.strip().lower().removeprefix("tlp:").replace("_", "+").replace(" ", "")
        if text == "white":
            text = "clear"
        return cls(text)

    @property
    def rank(self) -> int:
        """0 for CLEAR up to 4 for RED: higher is more restricted."""
        return _TLP_ORDER.index(self)


_TLP_ORDER = [TLP.CLEAR, TLP.GREEN, TLP.AMBER, TLP.AMBER_STRICT, TLP.RED]


class PAP(StrEnum):
    """Permissible Actions Protocol: what a recipient may do with the information."""

    CLEAR = "clear"  # no restriction
    GREEN = "green"  # active actions allowed (e.g. blocking, enforcement after review)
    AMBER = "amber"  # passive actions only (look-ups, no contact with the actor's infrastructure)
    RED = "red"  # no action outside the recipient's own systems


class Marking(BaseModel):
    """The marking on one record: TLP, PAP and the recipients the restrictive levels name.

    ``recipient_orgs`` are the organisations an AMBER / AMBER+STRICT record is released to;
    ``recipient_members`` the people a RED record is released to. The owner organisation (for AMBER) and the
    author (for RED) always keep access; the policy adds them, they need not be listed.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    tlp: TLP = TLP.AMBER
    pap: PAP = PAP.AMBER
    recipient_orgs: tuple[str, ...] = Field(default=(), max_length=1000)
    recipient_members: tuple[str, ...] = Field(default=(), max_length=1000)

    @model_validator(mode="before")
    @classmethod
    def _lenient_tlp(cls, data: object) -> object:
        if isinstance(data, dict) and isinstance(data.get("tlp"), str):
            # A value that does not parse is left as it is: field validation then names it.
            with contextlib.suppress(ValueError):
                data = {**data, "tlp": TLP.parse(data["tlp"])}
        return data

    @model_validator(mode="after")
    def _recipients_fit_level(self) -> Marking:
        if self.tlp != TLP.RED and self.recipient_members:
            raise ValueError("recipient_members: only TLP:RED names recipient members")
        return self
