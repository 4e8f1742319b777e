"""Pseudonymisation use cases: a forum's key for its members, and personal identifiers hashed with it.

Account ids, e-mail addresses and phone numbers travel only as HMAC digests keyed with the forum's key. A
member organisation gets the key to hash its own data; everyone else sees digests it can neither reverse nor
test guesses against. Account ids are hashed as ``platform:id`` (the platform slug), so that the same number
on two platforms gives two pseudonyms.
"""

from __future__ import annotations

from collections.abc import Sequence

from fimihub import policy
from fimihub.errors import NotFound, PermissionDenied, ValidationError
from fimihub.hub.core import Core, audit_event
from fimihub.model import Forum, ForumKey, Scope, SignalKind
from fimihub.policy import Caller
from fimihub.storage import UnitOfWork
from fimihub.vocab import platform as platform_slug

__all__ = ["PERSONAL_KINDS", "ForumKeys", "account_value"]

#: The signal kinds that hold keyed hashes of personal identifiers.
PERSONAL_KINDS = frozenset(k for k in SignalKind if k.personal)
_MAX_VALUES = 10_000


def account_value(platform: str, account_id: str) -> str:
    """What is hashed for an account: ``platform:id`` with the platform's canonical slug."""
    return f"{platform_slug(platform)}:{account_id.strip()}"


class ForumKeys:
    """Forum keys: disclosed to the forum's members, used to hash personal identifiers (``hub.keys``)."""

    def __init__(self, core: Core) -> None:
        self.core = core

    def forum_key(self, by: Caller, forum_id: str) -> ForumKey:
        """The forum's current key, for a member organisation to hash its own data (disclosure is audited)."""
        with self.core.store.unit_of_work() as uow:
            key = _readable_key(uow, by, forum_id, "reading a forum key")
            audit_event(
                uow, by, "forum_key.disclose", "forum", forum_id, {"key_id": key.id}, self.core.clock()
            )
        return key

    def pseudonymise(
        self, by: Caller, forum_id: str, kind: SignalKind | str, values: Sequence[str]
    ) -> list[str]:
        """``values`` of a personal ``kind`` hashed with the forum's key, as the forum shares them. Needs what
        :meth:`forum_key` needs (a caller in the forum, the ``read`` scope): the digests are the key's use."""
        signal_kind = _personal(kind)
        if not 0 < len(values) <= _MAX_VALUES:
            raise ValidationError("values", f"send between 1 and {_MAX_VALUES} values")
        with self.core.store.unit_of_work(read_only=True) as uow:
            key = _readable_key(uow, by, forum_id, "pseudonymising with a forum key")
        return [policy.pseudonymise(key.key, signal_kind.value, v) for v in values]


def _readable_key(uow: UnitOfWork, by: Caller, forum_id: str, what: str) -> ForumKey:
    """The forum's current key for a caller in the forum whose token carries the ``read`` scope.

    Not in the forum (or no such forum): ``NotFound``, so that a forum's existence is not revealed; in it
    but without ``read``: ``PermissionDenied``."""
    forum = uow.get(Forum, forum_id)
    if forum is None or not policy.in_forum(by, forum):
        raise NotFound(f"no forum {forum_id!r}")
    if not policy.allows(by, Scope.READ):
        raise PermissionDenied(f"{what} needs the read scope")
    return current_key(uow.find(ForumKey, where={"forum_id": forum_id}), forum_id)


def current_key(keys: list[ForumKey], forum_id: str) -> ForumKey:
    live = sorted((k for k in keys if k.retired_at is None), key=lambda k: k.created_at)
    if not live:
        raise NotFound(f"forum {forum_id!r} has no pseudonymisation key")
    return live[-1]


def _personal(kind: SignalKind | str) -> SignalKind:
    try:
        signal_kind = SignalKind(kind)
    except ValueError:
        signal_kind = None
    if signal_kind not in PERSONAL_KINDS:
        raise ValidationError("kind", f"must be one of {sorted(k.value for k in PERSONAL_KINDS)}")
    assert signal_kind is not None
    return signal_kind
