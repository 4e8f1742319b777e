"""Private matching sessions: a private set intersection between two member organisations, relayed by the hub.

The organisation that asks (the *requester*, the session's owner) opens a session addressed to the one that
holds the other set (the *responder*), with its blinded request; the responder answers with its setup and
response messages, or declines; the requester fetches the answer and computes the intersection on its own
machine. The messages are opaque to the hub: it never holds either set in clear and cannot compute the
intersection (see :mod:`fimihub.matching.psi` and docs/privacy.md, "Private matching").

A session is a :class:`~fimihub.model.Governed` record so that it has an owner, an expiry the retention run
purges, and a marking the one access policy reads: always TLP:AMBER+STRICT released to the responder only,
in no forum. That is what makes it visible to exactly the two organisations, in the database's visibility
pre-filter and in :mod:`fimihub.policy`; a session cannot be shared, re-shared or declassified.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import Field, StringConstraints, model_validator

from fimihub.model._base import Governed, UtcDatetime
from fimihub.model.markings import PAP, TLP
from fimihub.model.signals import SignalKind

__all__ = ["MAX_PSI_MESSAGE", "PsiSession", "PsiStatus", "psi_marking"]

#: Longest message (base64 text) a session holds: a request of a million values is about 47 MB of base64.
MAX_PSI_MESSAGE = 64 * 1024 * 1024

_Base64 = Annotated[
    str, StringConstraints(min_length=4, max_length=MAX_PSI_MESSAGE, pattern=r"^[A-Za-z0-9+/]+=*$")
]


class PsiStatus(StrEnum):
    OPEN = "open"  # waiting for the responder
    ANSWERED = "answered"  # the responder's messages are there for the requester to fetch
    DECLINED = "declined"  # the responder will not answer


class PsiSession(Governed):
    """One private set intersection between ``owner_org`` (the requester) and ``responder_org``.

    ``request`` is the requester's blinded values (base64 of the PSI request message) and ``request_items``
    how many it holds; ``reveal_intersection`` whether the requester learns the values in common or only
    how many there are. ``setup`` and ``response`` are the responder's answer (base64). For personal kinds
    both sides hash their identifiers with the key ``key_id`` of forum ``key_forum_id`` before the exchange,
    so that clear identifiers meet keyed hashes (:func:`fimihub.policy.pseudonymise`).
    """

    responder_org: str
    kind: SignalKind
    reveal_intersection: bool = True
    request: _Base64
    request_items: int = Field(ge=1)
    #: The forum whose pseudonymisation key both sides hash personal identifiers with, and that key's id.
    key_forum_id: str | None = None
    key_id: str | None = Field(default=None, pattern=r"^pk-[0-9a-f]{16}$")
    #: What the requester tells the responder about why it asks (no values: the responder reads it).
    note: str = Field(default="", max_length=2000)
    status: PsiStatus = PsiStatus.OPEN
    setup: _Base64 | None = None
    response: _Base64 | None = None
    answered_by: str | None = None
    answered_at: UtcDatetime | None = None
    decline_reason: str = Field(default="", max_length=2000)

    @model_validator(mode="after")
    def _between_two(self) -> PsiSession:
        if self.responder_org == self.owner_org:
            raise ValueError("responder_org: a session is between two organisations")
        marking = self.marking
        if (
            self.forum_id is not None
            or marking.tlp is not TLP.AMBER_STRICT
            or marking.recipient_orgs != (self.responder_org,)
            or marking.recipient_members
        ):
            raise ValueError("marking: a session is TLP:AMBER+STRICT for the responder only, in no forum")
        if self.expires_at is None:
            raise ValueError("expires_at: a session expires")
        if (self.key_forum_id is None) != (self.key_id is None):
            raise ValueError("key_id: names the key of key_forum_id, and only then")
        answered = self.setup is not None and self.response is not None
        if (self.status is PsiStatus.ANSWERED) != answered or (
            self.status is not PsiStatus.ANSWERED and (self.setup or self.response)
        ):
            raise ValueError("status: an answered session holds the setup and the response, others neither")
        return self


def psi_marking(responder_org: str) -> dict[str, object]:
    """The marking every session carries."""
    return {"tlp": TLP.AMBER_STRICT, "pap": PAP.RED, "recipient_orgs": (responder_org,)}
