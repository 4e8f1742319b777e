"""The forum's rules on what is written into it, applied to every record on the one write path
(:mod:`fimihub.hub.writes`) before it is stored, whatever use case writes it (the REST API, a re-share, a
TAXII post, a peer's feed, an import):

* **Account ids keyed.** An asset naming a platform account, once it is in a forum, keeps its
  ``external_id`` only as the keyed hash the forum shares account ids as, unless the forum's
  ``clear_account_ids`` says otherwise (:func:`keyed_asset`; see :mod:`fimihub.hub.identifiers`).
* **Only the signal kinds the forum takes** enter it (:func:`fimihub.policy.check_forum_takes`).
* **The lawful basis** a record is shared under is stored with it: the forum's, at the time it entered the
  forum, unless its owner stated one.
"""

from __future__ import annotations

from weakref import WeakKeyDictionary

from fimihub import policy
from fimihub.hub.identifiers import KEYED, IdentifierSealer
from fimihub.hub.keys import account_value, current_key
from fimihub.model import Asset, Forum, ForumKey, Governed, Organisation, Record, Signal
from fimihub.storage import UnitOfWork

__all__ = ["apply_forum_rules", "keyed_asset"]


def apply_forum_rules(uow: UnitOfWork, before: Record | None, after: Record) -> Record:
    """``after`` as the hub keeps it once the rules of its forum are applied; ``before`` is the stored
    version an update replaces (``None`` for a new record). Raises what a rule refuses."""
    if not isinstance(after, Governed):
        return after
    entering = not (isinstance(before, Governed) and before.forum_id == after.forum_id)
    forum = _forum(uow, after.forum_id) if entering and after.forum_id else None
    if forum is not None:
        if isinstance(after, Signal):
            policy.check_forum_takes(forum, after.kind)
        if not after.lawful_basis and forum.lawful_basis:
            after = after.model_copy(update={"lawful_basis": forum.lawful_basis})
    if isinstance(after, Asset):
        return keyed_asset(uow, after, before if isinstance(before, Asset) else None)
    return after


#: The forums a unit of work looked up, so a write of many records into one forum reads it once. A unit of
#: work is one transaction, in which the hub does not change forums as it writes records.
_FORUMS: WeakKeyDictionary[UnitOfWork, dict[str, Forum | None]] = WeakKeyDictionary()


def _forum(uow: UnitOfWork, forum_id: str) -> Forum | None:
    seen = _FORUMS.setdefault(uow, {})
    if forum_id not in seen:
        seen[forum_id] = uow.get(Forum, forum_id)
    return seen[forum_id]


def keyed_asset(uow: UnitOfWork, asset: Asset, before: Asset | None = None) -> Asset:
    """``asset`` as the hub keeps it: in a forum that does not share account ids in clear, an account's clear
    ``external_id`` replaced by its keyed hash with the forum's current key, and sealed to the owner's
    identifier key when it has one. ``before`` is the stored version an update replaces."""
    if before is not None and before.external_id != asset.external_id:
        # A new id: the sealed copy (and the key names) belonged to the old one.
        asset = asset.model_copy(
            update={"external_id_sealed": None, "identifier_key_id": None, "external_id_key_id": None}
        )
    clear = asset.external_id
    if not clear or not asset.names_an_account or asset.forum_id is None or KEYED.match(clear.strip()):
        return asset
    forum = _forum(uow, asset.forum_id)
    if forum is None or forum.clear_account_ids:
        return asset
    key = current_key(uow.find(ForumKey, where={"forum_id": forum.id}), forum.id)
    keyed = policy.pseudonymise(key.key, "account_id", account_value(asset.platform, clear))
    org = uow.get(Organisation, asset.owner_org)
    sealed = None
    if org is not None and org.identifier_key and org.identifier_key_id:
        sealed = IdentifierSealer(org.identifier_key, org.identifier_key_id).seal(clear)
    return asset.model_copy(
        update={
            "external_id": keyed,
            "external_id_key_id": key.id,
            "external_id_sealed": sealed,
            "identifier_key_id": org.identifier_key_id if sealed and org else None,
        }
    )
