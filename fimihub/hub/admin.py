"""Administration use cases of the hub: organisations, members, forums, API tokens and authentication."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar

from fimihub import policy
from fimihub.errors import AuthenticationError, NotFound, PermissionDenied, ValidationError
from fimihub.hub.core import Core, audit_event
from fimihub.model import (
    ApiToken,
    Forum,
    ForumKey,
    Member,
    Organisation,
    Role,
    Scope,
    hash_token,
    new_id,
    new_token_secret,
    parse,
)
from fimihub.policy import Caller
from fimihub.storage import UnitOfWork

__all__ = ["FORUM_POLICY", "Administration", "IssuedToken", "require_hub_admin", "scopes_for"]

_T = TypeVar("_T")

# Every member may issue its own tokens (to rotate them, or to hand a narrower one to a script); a token
# needs the ``token`` scope to do so, and issues nothing broader than itself.
_ROLE_SCOPES: dict[Role, frozenset[Scope]] = {
    Role.ADMIN: frozenset(Scope),
    Role.ANALYST: frozenset({Scope.READ, Scope.WRITE, Scope.SHARE, Scope.TOKEN}),
    Role.REVIEWER: frozenset({Scope.READ, Scope.WRITE, Scope.TOKEN}),
    Role.READER: frozenset({Scope.READ, Scope.TOKEN}),
    # Partners share only their own leads into their forums (the policy says so); the scope lets them.
    Role.PARTNER_REPORTER: frozenset({Scope.READ, Scope.WRITE, Scope.SHARE, Scope.TOKEN}),
}


def scopes_for(member: Member) -> frozenset[Scope]:
    """The widest scopes a token of ``member`` may carry, from its roles."""
    return frozenset().union(*(_ROLE_SCOPES[r] for r in member.roles))


@dataclass(frozen=True, slots=True)
class IssuedToken:
    """A new token: ``secret`` is shown this once and never stored; ``token`` is what the hub keeps."""

    token: ApiToken
    secret: str


class Administration:
    """Use cases for running a hub: organisations, members, forums, tokens, authentication (``hub.admin``)."""

    def __init__(self, core: Core) -> None:
        self.core = core

    # -- organisations and members -------------------------------------------------------------------

    def create_organisation(
        self, by: Caller, data: Mapping[str, Any] | None = None, /, **fields: Any
    ) -> Organisation:
        """Register a member organisation (hub operator only). Its fields come as a mapping ``data`` (what an
        edge received; any key, even ``by``, is a field) or as keywords."""
        require_hub_admin(by)
        body = _fields(data, fields, "organisation", ("id", "created_at"))
        org = parse(Organisation, {**body, "id": new_id("organisation"), "created_at": self.core.clock()})
        self._insert_audited(by, org, "organisation", {"name": org.name, "kind": org.kind.value})
        return org

    def organisations(self, by: Caller) -> list[Organisation]:
        """Every member organisation: members of a hub know who else takes part."""
        with self.core.store.unit_of_work(read_only=True) as uow:
            return uow.find(Organisation)

    def organisation(self, by: Caller, org_id: str) -> Organisation:
        with self.core.store.unit_of_work(read_only=True) as uow:
            return _existing(uow.get(Organisation, org_id), "organisation", org_id)

    def create_member(self, by: Caller, data: Mapping[str, Any] | None = None, /, **fields: Any) -> Member:
        """Add a person or service account to an organisation (its admins, or the hub operator). Its fields
        come as a mapping ``data`` or as keywords, as for :meth:`create_organisation`."""
        actor = policy.actor_of(by)
        if actor is not None and not policy.may_administer_org(by, actor.org.id):
            raise PermissionDenied("only the organisation's admins may do this")  # before the body is read
        body = _fields(data, fields, "member", ("id", "created_at"))
        org_id = body.get("org_id")
        if not isinstance(org_id, str):
            raise ValidationError("org_id", "field required")
        self._require_org_admin(by, org_id)
        member = parse(Member, {**body, "id": new_id("member"), "created_at": self.core.clock()})
        with self.core.store.unit_of_work() as uow:
            _existing(uow.get(Organisation, org_id), "organisation", org_id)
            uow.insert(member)
            audit_event(
                uow,
                by,
                "create",
                "member",
                member.id,
                {"org_id": org_id, "roles": sorted(member.roles)},
                self.core.clock(),
            )
        return member

    def members(self, by: Caller, org_id: str | None = None) -> list[Member]:
        """Members of one organisation, or of all for the hub operator; a member sees its own organisation."""
        actor = policy.actor_of(by)
        if actor is not None and not policy.may_administer_hub(by):
            if org_id not in (None, actor.org.id):
                raise PermissionDenied("members of other organisations are not listed")
            org_id = actor.org.id
        with self.core.store.unit_of_work(read_only=True) as uow:
            return uow.find(Member, where={"org_id": org_id} if org_id else None)

    def set_member_active(self, by: Caller, member_id: str, active: bool) -> Member:
        """Suspend or reinstate a member; a suspended member's tokens stop working at once."""
        with self.core.store.unit_of_work() as uow:
            member = _existing(uow.get(Member, member_id), "member", member_id)
            self._require_org_admin(by, member.org_id)
            member = member.model_copy(update={"active": active})
            uow.update(member)
            audit_event(uow, by, "update", "member", member_id, {"active": active}, self.core.clock())
        return member

    # -- forums ---------------------------------------------------------------------------------------

    def create_forum(self, by: Caller, data: Mapping[str, Any] | None = None, /, **fields: Any) -> Forum:
        """Open a channel of exchange (hub operator only). Its fields come as a mapping ``data`` or as
        keywords, as for :meth:`create_organisation`."""
        require_hub_admin(by)
        body = _fields(data, fields, "forum", ("id", "created_at", "pseudonymisation_key_id"))
        now = self.core.clock()
        # Every forum gets its own pseudonymisation key, so personal identifiers can be shared in it hashed.
        secret = policy.new_key()
        key = ForumKey(id=policy.key_id(secret), forum_id="", secret=secret.hex(), created_at=now)
        forum = parse(
            Forum, {**body, "id": new_id("forum"), "created_at": now, "pseudonymisation_key_id": key.id}
        )
        with self.core.store.unit_of_work() as uow:
            for org_id in forum.member_orgs:
                _existing(uow.get(Organisation, org_id), "organisation", org_id)
            uow.insert(forum)
            uow.insert(key.model_copy(update={"forum_id": forum.id}))
            audit_event(
                uow,
                by,
                "create",
                "forum",
                forum.id,
                {"name": forum.name, "member_orgs": sorted(forum.member_orgs)},
                self.core.clock(),
            )
        return forum

    def forums(self, by: Caller) -> list[Forum]:
        """The forums the caller's organisation belongs to (all of them for the hub operator)."""
        with self.core.store.unit_of_work(read_only=True) as uow:
            found = uow.find(Forum)
        if policy.may_administer_hub(by):
            return found
        return [f for f in found if policy.in_forum(by, f)]

    def forum(self, by: Caller, forum_id: str) -> Forum:
        for forum in self.forums(by):
            if forum.id == forum_id:
                return forum
        raise NotFound(f"no forum {forum_id!r}")

    def set_forum_membership(self, by: Caller, forum_id: str, org_id: str, *, member: bool = True) -> Forum:
        """Add an organisation to a forum, or remove it (forum admins and the hub operator)."""
        with self.core.store.unit_of_work() as uow:
            forum = _existing(uow.get(Forum, forum_id), "forum", forum_id)
            _existing(uow.get(Organisation, org_id), "organisation", org_id)
            if not policy.may_administer_forum(by, forum):
                raise PermissionDenied("only the forum's admins may change its membership")
            orgs = forum.member_orgs | {org_id} if member else forum.member_orgs - {org_id}
            forum = forum.model_copy(update={"member_orgs": frozenset(orgs)})
            uow.update(forum)
            audit_event(
                uow,
                by,
                "join" if member else "leave",
                "forum",
                forum_id,
                {"org_id": org_id},
                self.core.clock(),
            )
        return forum

    def update_forum(self, by: Caller, forum_id: str, changes: Mapping[str, Any]) -> Forum:
        """Change a forum's policy (forum admins and the hub operator): its name, description, rules, default
        TLP, retention, review rules, what travels in clear, public authorities' access, purpose and lawful
        basis. Membership, admins and keys have their own calls. The change is audited, each changed
        field with its value before and after. What was shared before keeps the form it was shared in: an
        account id keyed then stays keyed."""
        unknown = sorted(set(changes) - FORUM_POLICY)
        if unknown:
            raise ValidationError(
                unknown[0],
                f"is not a forum policy that can be changed here (one of: {', '.join(sorted(FORUM_POLICY))})",
            )
        with self.core.store.unit_of_work() as uow:
            forum = _existing(uow.get(Forum, forum_id), "forum", forum_id)
            if not policy.may_administer_forum(by, forum):
                raise PermissionDenied("only the forum's admins may change its policy")
            changed = parse(Forum, {**forum.model_dump(mode="json"), **changes})
            before, after = _plain(forum), _plain(changed)
            detail = {
                k: {"before": before[k], "after": after[k]} for k in sorted(changes) if before[k] != after[k]
            }
            if not detail:
                return forum
            uow.update(changed)
            audit_event(uow, by, "update", "forum", forum_id, detail, self.core.clock())
        return changed

    # -- tokens and authentication -------------------------------------------------------------------

    def issue_token(
        self,
        by: Caller,
        member_id: str,
        *,
        scopes: Iterable[Scope | str] | None = None,
        ttl_days: int | None = None,
        name: str = "token",
    ) -> IssuedToken:
        """Create an API token for a member. The secret is returned once; only its hash is stored.

        A member acting through a token issues only with the ``token`` scope, and never anything broader
        than that token: its scopes are a subset of the issuing token's, it expires no later, and revoking
        the issuing token revokes it too. Without ``scopes`` the new token gets every scope both the member's
        roles and the issuing token allow; without ``ttl_days``, the hub's default lifetime, cut to the
        issuing token's.
        """
        now = self.core.clock()
        longest = self.core.settings.token_max_ttl_days
        if ttl_days is not None and not 0 < ttl_days <= longest:
            raise ValidationError("ttl_days", f"must be between 1 and {longest}")
        expires = now + timedelta(days=self.core.settings.token_ttl_days if ttl_days is None else ttl_days)
        actor = policy.actor_of(by)
        parent = None if actor is None else actor.token_id
        if actor is not None and actor.scopes is not None:
            if not actor.allows(Scope.TOKEN):
                raise PermissionDenied("issuing tokens needs a token with the token scope")
            limit = actor.token_expires_at
            if limit is not None and expires > limit:
                if ttl_days is not None:
                    raise ValidationError(
                        "ttl_days", f"a token cannot outlive the token that issues it ({limit.isoformat()})"
                    )
                expires = limit
        with self.core.store.unit_of_work() as uow:
            member = _existing(uow.get(Member, member_id), "member", member_id)
            if not _is_member(by, member_id):
                self._require_org_admin(by, member.org_id)
            allowed = scopes_for(member)
            if actor is not None and actor.scopes is not None:
                allowed &= actor.scopes
            try:
                wanted = allowed if scopes is None else frozenset(Scope(s) for s in scopes)
            except ValueError as exc:
                raise ValidationError("scopes", str(exc)) from None
            if not wanted or not wanted <= allowed:
                raise ValidationError(
                    "scopes",
                    f"must be a non-empty subset of {sorted(allowed)}: what the member's roles"
                    " and the issuing token allow",
                )
            secret = new_token_secret()
            token = parse(
                ApiToken,
                {
                    "id": new_id("token"),
                    "member_id": member_id,
                    "name": name,
                    "token_hash": hash_token(secret),
                    "scopes": wanted,
                    "created_at": now,
                    "expires_at": expires,
                    "parent_id": parent,
                },
            )
            uow.insert(token)
            audit_event(
                uow,
                by,
                "token.issue",
                "api_token",
                token.id,
                {
                    "member_id": member_id,
                    "scopes": sorted(wanted),
                    "expires_at": token.expires_at.isoformat(),
                    "parent_id": parent,
                },
                self.core.clock(),
            )
        return IssuedToken(token, secret)

    def tokens(self, by: Caller, member_id: str) -> list[ApiToken]:
        with self.core.store.unit_of_work(read_only=True) as uow:
            member = _existing(uow.get(Member, member_id), "member", member_id)
            if not _is_member(by, member_id):
                self._require_org_admin(by, member.org_id)
            return uow.find(ApiToken, where={"member_id": member_id})

    def revoke_token(self, by: Caller, token_id: str) -> ApiToken:
        """Revoke a token at once, and every token issued through it; requests carrying them fail from
        now on."""
        now = self.core.clock()
        with self.core.store.unit_of_work() as uow:
            token = _existing(uow.get(ApiToken, token_id), "token", token_id)
            member = _existing(uow.get(Member, token.member_id), "member", token.member_id)
            if not _is_member(by, member.id):
                self._require_org_admin(by, member.org_id)
            descendants = _issued_through(token, uow.find(ApiToken))
            revoked = token.model_copy(update={"revoked_at": token.revoked_at or now})
            uow.update(revoked)
            for t in descendants:
                if t.revoked_at is None:
                    uow.update(t.model_copy(update={"revoked_at": now}))
            audit_event(
                uow,
                by,
                "token.revoke",
                "api_token",
                token_id,
                {"member_id": member.id, "issued_through": sorted(t.id for t in descendants)},
                self.core.clock(),
            )
        return revoked

    def authenticate(self, secret: str) -> policy.Actor:
        """The member behind a token secret; :class:`AuthenticationError` for anything not usable now,
        including a token whose issuing token has been revoked."""
        if not secret:
            raise AuthenticationError("an API token is required (Authorization: Bearer <token>)")
        now = self.core.clock()
        with self.core.store.unit_of_work(read_only=True) as uow:
            found = uow.find(ApiToken, where={"token_hash": hash_token(secret)}, limit=1)
            token = found[0] if found else None
            if token is None or not _usable_chain(uow, token, now):
                raise AuthenticationError("the API token is unknown, expired or revoked")
            return self._actor(uow, token.member_id, token.scopes, token)

    def actor(self, member_id: str, scopes: Iterable[Scope] | None = None) -> policy.Actor:
        """The caller object for a member, as a token with ``scopes`` would give (all of its own if None)."""
        with self.core.store.unit_of_work(read_only=True) as uow:
            return self._actor(uow, member_id, frozenset(scopes) if scopes is not None else None)

    # -- shared helpers -----------------------------------------------------------------------------

    def _actor(
        self,
        uow: UnitOfWork,
        member_id: str,
        scopes: frozenset[Scope] | None,
        token: ApiToken | None = None,
    ) -> policy.Actor:
        member = uow.get(Member, member_id)
        org = uow.get(Organisation, member.org_id) if member else None
        if member is None or org is None or not member.active:
            raise AuthenticationError("the member behind this token is unknown or suspended")
        return policy.Actor.of(
            member,
            org,
            uow.find(Forum),
            scopes,
            token_id=token.id if token else None,
            token_expires_at=token.expires_at if token else None,
        )

    def _require_org_admin(self, by: Caller, org_id: str) -> None:
        if policy.may_administer_org(by, org_id):
            return
        raise PermissionDenied("only the organisation's admins may do this")

    def _insert_audited(self, by: Caller, record: Organisation, subject: str, detail: dict[str, Any]) -> None:
        with self.core.store.unit_of_work() as uow:
            uow.insert(record)
            audit_event(uow, by, "create", subject, record.id, detail, self.core.clock())


def _usable_chain(uow: UnitOfWork, token: ApiToken, now: datetime) -> bool:
    """Whether ``token`` and every token it was issued through are unrevoked and unexpired."""
    seen: set[str] = set()
    current: ApiToken | None = token
    while current is not None:
        if current.id in seen or not current.usable_at(now):
            return False
        seen.add(current.id)
        if current.parent_id is None:
            return True
        current = uow.get(ApiToken, current.parent_id)
    return False  # the issuing token is gone: fail closed


def _issued_through(token: ApiToken, every: list[ApiToken]) -> list[ApiToken]:
    """The tokens issued through ``token``, directly or through others, in breadth-first order."""
    children: dict[str, list[ApiToken]] = {}
    for t in every:
        if t.parent_id is not None:
            children.setdefault(t.parent_id, []).append(t)
    found: list[ApiToken] = []
    frontier = [token.id]
    seen = {token.id}
    while frontier:
        nxt: list[ApiToken] = []
        for parent_id in frontier:
            nxt.extend(t for t in children.get(parent_id, []) if t.id not in seen)
        seen.update(t.id for t in nxt)
        found.extend(nxt)
        frontier = [t.id for t in nxt]
    return found


def _fields(
    data: Mapping[str, Any] | None, keywords: Mapping[str, Any], what: str, by_hub: tuple[str, ...]
) -> dict[str, Any]:
    """The fields of a new ``what``: the mapping and the keywords together, none of those the hub sets."""
    if data is not None and not isinstance(data, Mapping):
        raise ValidationError("(root)", f"a {what} must be an object")
    body = {**(data or {}), **keywords}
    for name in body:
        if not isinstance(name, str):
            raise ValidationError("(root)", "field names must be strings")
        if name in by_hub:
            raise ValidationError(name, "is set by the hub")
    return body


def _existing(record: _T | None, what: str, record_id: str) -> _T:
    if record is None:
        raise NotFound(f"no {what} {record_id!r}")
    return record


#: The fields of a forum :meth:`Administration.update_forum` changes.
FORUM_POLICY = frozenset(
    {
        "name",
        "description",
        "rules",
        "default_tlp",
        "retention_days",
        "human_review_required",
        "review_hashtags_alone",
        "clear_account_ids",
        "public_authority_access",
        "signal_kinds",
        "purpose",
        "lawful_basis",
    }
)


def _plain(forum: Forum) -> dict[str, Any]:
    """A forum's fields as JSON, sets as sorted lists (so the same set always reads the same)."""
    return {k: sorted(v) if isinstance(v, list) else v for k, v in forum.model_dump(mode="json").items()}


def require_hub_admin(by: Caller) -> None:
    """Raise :class:`PermissionDenied` unless ``by`` administers the hub (see
    :func:`fimihub.policy.may_administer_hub`)."""
    if not policy.may_administer_hub(by):
        raise PermissionDenied("only the hub operator's admins may do this")


def _is_member(by: Caller, member_id: str) -> bool:
    """Whether ``by`` is the member ``member_id`` itself (who manages its own tokens)."""
    actor = policy.actor_of(by)
    return actor is not None and actor.member.id == member_id
