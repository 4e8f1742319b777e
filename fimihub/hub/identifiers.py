"""Platform identifiers: what the hub keeps of the account and post ids members give it.

* **Sealed to the member.** An organisation registers an *identifier key* (:meth:`Identifiers.set_key`; only
  the public half reaches the hub). Every account and post id the hub queues for review on the
  organisation's data — matches through ``POST /api/v1/match``, scans, resurgence candidates — is sealed to
  that key (:mod:`fimihub.policy.sealing`), so neither whoever runs the hub nor any other member can read
  it. A use case that would queue such ids for an organisation without a key refuses before it writes
  anything (:meth:`Identifiers.sealer`).
* **Keyed in forums.** An asset naming a platform account, once it is in a forum, keeps its ``external_id``
  only as the keyed hash the forum shares account ids as (HMAC-SHA256 with the forum's key over
  ``platform:id``), unless the forum's ``clear_account_ids`` says otherwise; the clear id is sealed to the
  owner's identifier key when it has one (``external_id_sealed``), and dropped when it has none. Readers in
  other organisations, the forum's TAXII collection and peers see the keyed form only. The write path applies
  it to every record written (:func:`fimihub.hub.forum_rules.keyed_asset`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from fimihub import policy
from fimihub.errors import NotFound, PermissionDenied, ValidationError
from fimihub.hub.core import Core, audit_event
from fimihub.hub.keys import current_key
from fimihub.model import Forum, ForumKey, Organisation
from fimihub.policy import Caller

__all__ = ["KEYED", "IdentifierSealer", "Identifiers", "no_identifier_key"]

#: What a keyed hash looks like (64 hex digits): such a value is taken as keyed already, never keyed again.
KEYED = re.compile(r"^[0-9a-fA-F]{64}$")


@dataclass(frozen=True, slots=True)
class IdentifierSealer:
    """Seals values to one organisation's identifier key."""

    public_key: str
    key_id: str

    def seal(self, value: str | None) -> str | None:
        """``value`` sealed (base64), or ``None`` for no value."""
        return policy.seal(self.public_key, value) if value else None


def no_identifier_key(org_id: str) -> ValidationError:
    """The error of a use case that would store platform ids for ``org_id``, which has no identifier key."""
    return ValidationError(
        "identifier_key",
        f"organisation {org_id!r} has no identifier key registered, so the hub cannot seal the platform"
        " account and post ids it would queue for it. Register one first: `fimihub org identifier-key"
        f" --org {org_id} --out PRIVATE_KEY_FILE` (generates the key pair and keeps the private key with"
        f' you), or PUT /api/v1/organisations/{org_id}/identifier-key with {{"public_key": "…"}}'
        " (see docs/privacy.md)",
    )


class Identifiers:
    """Members' identifier keys, and what the hub keeps of the platform ids it is given
    (``hub.identifiers``)."""

    def __init__(self, core: Core) -> None:
        self.core = core

    def set_key(self, by: Caller, org_id: str, public_key: str) -> Organisation:
        """Register (or replace) organisation ``org_id``'s identifier key: the public half, base64 or hex.
        Its own admins may, and the operator at the command line (who holds the store anyway: a key it
        swaps in shows as a foreign ``identifier_key_id`` on the matches, see docs/privacy.md); not the hub's
        admins over the API, whose organisation would then read what is sealed afterwards. The change is
        audited. Values sealed to an earlier key stay sealed to it."""
        actor = policy.actor_of(by)
        if actor is not None and not (policy.may_administer_org(by, org_id) and actor.org.id == org_id):
            raise PermissionDenied("only the organisation's own admins may register its identifier key")
        key = policy.parse_identifier_key(public_key)
        key_id = policy.identifier_key_id(key)
        with self.core.store.unit_of_work() as uow:
            org = uow.get(Organisation, org_id)
            if org is None:
                raise NotFound(f"no organisation {org_id!r}")
            previous = org.identifier_key_id
            org = org.model_copy(update={"identifier_key": key, "identifier_key_id": key_id})
            uow.update(org)
            audit_event(
                uow,
                by,
                "identifier_key.set",
                "organisation",
                org_id,
                {"key_id": key_id, "replaces": previous},
                self.core.clock(),
            )
        return org

    def sealer(self, org_id: str) -> IdentifierSealer:
        """The sealer of ``org_id``'s identifier key; :class:`ValidationError` (saying how to register one)
        when it has none."""
        with self.core.store.unit_of_work(read_only=True) as uow:
            org = uow.get(Organisation, org_id)
        if org is None or not org.identifier_key or not org.identifier_key_id:
            raise no_identifier_key(org_id)
        return IdentifierSealer(org.identifier_key, org.identifier_key_id)

    def keys_of(self, by: Caller) -> list[bytes]:
        """The current keys of every forum the caller's organisation is in (all forums for the operator)."""
        with self.core.store.unit_of_work(read_only=True) as uow:
            forums = [f for f in uow.find(Forum) if policy.in_forum(by, f)]
            keys = uow.find(ForumKey, where={"forum_id": [f.id for f in forums]}) if forums else []
        return [k.key for k in keys if k.retired_at is None]

    def current_forum_keys(self, forum_ids: set[str]) -> dict[str, ForumKey]:
        """The current key of each of ``forum_ids`` that has one."""
        with self.core.store.unit_of_work(read_only=True) as uow:
            keys = uow.find(ForumKey, where={"forum_id": sorted(forum_ids)}) if forum_ids else []
        found: dict[str, ForumKey] = {}
        for forum_id in forum_ids:
            try:
                found[forum_id] = current_key([k for k in keys if k.forum_id == forum_id], forum_id)
            except NotFound:
                continue
        return found
