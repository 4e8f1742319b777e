"""Personal identifiers an import brings in — e-mail addresses, phone numbers, platform account ids — keyed
the way the hub keys every personal identifier: HMAC-SHA256 with the forum's current pseudonymisation key
(:func:`fimihub.policy.pseudonymise`; an account id as ``platform:id``,
:func:`~fimihub.hub.keys.account_value`), so that the signal holds the digest the forum's members match
against, never the identifier itself.

They can be keyed only when the import names a forum whose key the member may use (it is in the forum and
its token may read, as for ``POST /api/v1/forums/{id}/pseudonymise``), the forum has a key, and it takes
signals of that kind. Otherwise each is skipped, saying why; nothing personal is stored in clear.
"""

from __future__ import annotations

from fimihub import policy
from fimihub.errors import NotFound, ValidationError
from fimihub.exchange.importers import FoundIndicator
from fimihub.hub.keys import account_value, current_key
from fimihub.model import Forum, ForumKey, Scope, SignalKind
from fimihub.policy import Actor
from fimihub.storage import UnitOfWork

__all__ = ["PersonalKeys"]

_WHAT = {
    SignalKind.EMAIL: "an e-mail address",
    SignalKind.PHONE: "a phone number",
    SignalKind.ACCOUNT_ID: "a platform account id",
}


class PersonalKeys:
    """The key one import hashes personal identifiers with, if it may use one; :attr:`used` counts them."""

    def __init__(self, uow: UnitOfWork, actor: Actor, forum: Forum | None) -> None:
        self.forum = forum
        self.used = 0
        self.key_id: str | None = None
        self._key: bytes | None = None
        self._why = ""
        if forum is None:
            self._why = "import it with a forum (--forum) to share it keyed with the forum's key"
        elif not policy.in_forum(actor, forum) or not policy.allows(actor, Scope.READ):
            self._why = "keying it with the forum's key needs a member of the forum whose token may read"
        else:
            try:
                key = current_key(uow.find(ForumKey, where={"forum_id": forum.id}), forum.id)
            except NotFound:
                self._why = f"forum {forum.name!r} has no pseudonymisation key to key it with"
            else:
                self._key, self.key_id = key.key, key.id

    def keyed(self, indicator: FoundIndicator) -> str:
        """The keyed hash ``indicator``'s value is shared as, or ``ValueError`` saying why it is skipped."""
        kind = indicator.kind
        what = _WHAT.get(kind, f"a {kind.value} value")
        if self._key is None or self.forum is None:
            raise ValueError(f"{what}: {kind.value} signals travel only as keyed hashes: {self._why}")
        try:
            policy.check_forum_takes(self.forum, kind)
            value = indicator.value
            if kind is SignalKind.ACCOUNT_ID:
                value = account_value(indicator.platform or "", value)
            digest = policy.pseudonymise(self._key, kind.value, value)
        except ValidationError as refused:
            raise ValueError(f"{what}: {refused.errors[0][1]}") from None
        self.used += 1
        return digest
