"""Administration use cases of the hub: organisations, members, forums, API tokens and authentication."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar

from fimihub import policy
from fimihub.errors import AuthenticationError, NotFound, PermissionDenied, ValidationError
from fimihub.hub.caller import Caller, Operator, caller_id
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
from fimihub.settings import Settings
from fimihub.storage import Store, UnitOfWork

__all__ = ["AdminMixin", "IssuedToken", "scopes_for"]

_T = TypeVar("_T")

_ROLE_SCOPES: dict[Role, frozenset[Scope]] = {
    Role.ADMIN: frozenset(Scope),
    Role.ANALYST: frozenset({Scope.READ, Scope.WRITE, Scope.SHARE}),
    Role.REVIEWER: frozenset({Scope.READ, Scope.WRITE}),
    Role.READER: frozenset({Scope.READ}),
    Role.PARTNER_REPORTER: frozenset({Scope.READ, Scope.WRITE}),
}


def scopes_for(member: Member) -> frozenset[Scope]:
    """The widest scopes a token of ``member`` may carry, from its roles."""
    return frozenset().union(*(_ROLE_SCOPES[r] for r in member.roles))


@dataclass(frozen=True, slots=True)
class IssuedToken:
    """A new token: ``secret`` is shown this once and never stored; ``token`` is what the hub keeps."""

    token: ApiToken
    secret: str


class AdminMixin:
    """Use cases for running a hub. Mixed into :class:`~fimihub.hub.Hub`."""

    store: Store
    settings: Settings
    clock: Callable[[], datetime]

    # -- organisations and members -------------------------------------------------------------------

    def create_organisation(self, by: Caller, **data: Any) -> Organisation:
        """Register a member organisation (hub operator only)."""
        self._require_hub_admin(by)
        org = parse(Organisation, {**data, "id": new_id("organisation"), "created_at": self.clock()})
        self._insert_audited(by, org, "organisation", {"name": org.name, "kind": org.kind.value})
        return org

    def organisations(self, by: Caller) -> list[Organisation]:
        """Every member organisation: members of a hub know who else takes part."""
        with self.store.unit_of_work(read_only=True) as uow:
            return uow.find(Organisation)

    def organisation(self, by: Caller, org_id: str) -> Organisation:
        with self.store.unit_of_work(read_only=True) as uow:
            return _existing(uow.get(Organisation, org_id), "organisation", org_id)

    def create_member(self, by: Caller, **data: Any) -> Member:
        """Add a person or service account to an organisation (its admins, or the hub operator)."""
        org_id = data.get("org_id")
        if not isinstance(org_id, str):
            raise ValidationError("org_id", "field required")
        self._require_org_admin(by, org_id)
        member = parse(Member, {**data, "id": new_id("member"), "created_at": self.clock()})
        with self.store.unit_of_work() as uow:
            _existing(uow.get(Organisation, org_id), "organisation", org_id)
            uow.insert(member)
            self._audit(
                uow, by, "create", "member", member.id, {"org_id": org_id, "roles": sorted(member.roles)}
            )
        return member

    def members(self, by: Caller, org_id: str | None = None) -> list[Member]:
        """Members of one organisation, or of all for the hub operator; a member sees its own organisation."""
        if not isinstance(by, Operator) and not policy.may_administer_hub(by):
            if org_id not in (None, by.org.id):
                raise PermissionDenied("members of other organisations are not listed")
            org_id = by.org.id
        with self.store.unit_of_work(read_only=True) as uow:
            return uow.find(Member, where={"org_id": org_id} if org_id else None)

    def set_member_active(self, by: Caller, member_id: str, active: bool) -> Member:
        """Suspend or reinstate a member; a suspended member's tokens stop working at once."""
        with self.store.unit_of_work() as uow:
            member = _existing(uow.get(Member, member_id), "member", member_id)
            self._require_org_admin(by, member.org_id)
            member = member.model_copy(update={"active": active})
            uow.update(member)
            self._audit(uow, by, "update", "member", member_id, {"active": active})
        return member

    # -- forums ---------------------------------------------------------------------------------------

    def create_forum(self, by: Caller, **data: Any) -> Forum:
        """Open a channel of exchange (hub operator only)."""
        self._require_hub_admin(by)
        now = self.clock()
        # Every forum gets its own pseudonymisation key, so personal identifiers can be shared in it hashed.
        secret = policy.new_key()
        key = ForumKey(id=policy.key_id(secret), forum_id="", secret=secret.hex(), created_at=now)
        forum = parse(
            Forum, {**data, "id": new_id("forum"), "created_at": now, "pseudonymisation_key_id": key.id}
        )
        with self.store.unit_of_work() as uow:
            for org_id in forum.member_orgs:
                _existing(uow.get(Organisation, org_id), "organisation", org_id)
            uow.insert(forum)
            uow.insert(key.model_copy(update={"forum_id": forum.id}))
            self._audit(
                uow,
                by,
                "create",
                "forum",
                forum.id,
                {"name": forum.name, "member_orgs": sorted(forum.member_orgs)},
            )
        return forum

    def forums(self, by: Caller) -> list[Forum]:
        """The forums the caller's organisation belongs to (all of them for the hub operator)."""
        with self.store.unit_of_work(read_only=True) as uow:
            found = uow.find(Forum)
        if isinstance(by, Operator) or policy.may_administer_hub(by):
            return found
        return [f for f in found if by.org.id in f.member_orgs]

    def forum(self, by: Caller, forum_id: str) -> Forum:
        for forum in self.forums(by):
            if forum.id == forum_id:
                return forum
        raise NotFound(f"no forum {forum_id!r}")

    def set_forum_membership(self, by: Caller, forum_id: str, org_id: str, *, member: bool = True) -> Forum:
        """Add an organisation to a forum, or remove it (forum admins and the hub operator)."""
        with self.store.unit_of_work() as uow:
            forum = _existing(uow.get(Forum, forum_id), "forum", forum_id)
            _existing(uow.get(Organisation, org_id), "organisation", org_id)
            if not (
                isinstance(by, Operator)
                or policy.may_administer_hub(by)
                or policy.may_administer_forum(by, forum)
            ):
                raise PermissionDenied("only the forum's admins may change its membership")
            orgs = forum.member_orgs | {org_id} if member else forum.member_orgs - {org_id}
            forum = forum.model_copy(update={"member_orgs": frozenset(orgs)})
            uow.update(forum)
            self._audit(uow, by, "join" if member else "leave", "forum", forum_id, {"org_id": org_id})
        return forum

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
        """Create an API token for a member. The secret is returned once; only its hash is stored."""
        now = self.clock()
        days = self.settings.token_ttl_days if ttl_days is None else ttl_days
        if not 0 < days <= 3650:
            raise ValidationError("ttl_days", "must be between 1 and 3650")
        with self.store.unit_of_work() as uow:
            member = _existing(uow.get(Member, member_id), "member", member_id)
            if isinstance(by, Operator) or by.member.id != member_id:
                self._require_org_admin(by, member.org_id)
            allowed = scopes_for(member)
            try:
                wanted = allowed if scopes is None else frozenset(Scope(s) for s in scopes)
            except ValueError as exc:
                raise ValidationError("scopes", str(exc)) from None
            if not wanted or not wanted <= allowed:
                raise ValidationError(
                    "scopes", f"must be a non-empty subset of {sorted(allowed)} for this member"
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
                    "expires_at": now + timedelta(days=days),
                },
            )
            uow.insert(token)
            self._audit(
                uow,
                by,
                "token.issue",
                "api_token",
                token.id,
                {
                    "member_id": member_id,
                    "scopes": sorted(wanted),
                    "expires_at": token.expires_at.isoformat(),
                },
            )
        return IssuedToken(token, secret)

    def tokens(self, by: Caller, member_id: str) -> list[ApiToken]:
        with self.store.unit_of_work(read_only=True) as uow:
            member = _existing(uow.get(Member, member_id), "member", member_id)
            if isinstance(by, Operator) or by.member.id != member_id:
                self._require_org_admin(by, member.org_id)
            return uow.find(ApiToken, where={"member_id": member_id})

    def revoke_token(self, by: Caller, token_id: str) -> ApiToken:
        """Revoke a token at once; requests carrying it fail from now on."""
        now = self.clock()
        with self.store.unit_of_work() as uow:
            token = _existing(uow.get(ApiToken, token_id), "token", token_id)
            member = _existing(uow.get(Member, token.member_id), "member", token.member_id)
            if isinstance(by, Operator) or by.member.id != member.id:
                self._require_org_admin(by, member.org_id)
            token = token.model_copy(update={"revoked_at": token.revoked_at or now})
            uow.update(token)
            self._audit(uow, by, "token.revoke", "api_token", token_id, {"member_id": member.id})
        return token

    def authenticate(self, secret: str) -> policy.Actor:
        """The member behind a token secret; :class:`AuthenticationError` for anything not usable now."""
        if not secret:
            raise AuthenticationError("an API token is required (Authorization: Bearer <token>)")
        with self.store.unit_of_work(read_only=True) as uow:
            found = uow.find(ApiToken, where={"token_hash": hash_token(secret)}, limit=1)
            if not found or not found[0].usable_at(self.clock()):
                raise AuthenticationError("the API token is unknown, expired or revoked")
            return self._actor(uow, found[0].member_id, found[0].scopes)

    def actor(self, member_id: str, scopes: Iterable[Scope] | None = None) -> policy.Actor:
        """The caller object for a member, as a token with ``scopes`` would give (all of its own if None)."""
        with self.store.unit_of_work(read_only=True) as uow:
            return self._actor(uow, member_id, frozenset(scopes) if scopes is not None else None)

    # -- shared helpers -----------------------------------------------------------------------------

    def _actor(self, uow: UnitOfWork, member_id: str, scopes: frozenset[Scope] | None) -> policy.Actor:
        member = uow.get(Member, member_id)
        org = uow.get(Organisation, member.org_id) if member else None
        if member is None or org is None or not member.active:
            raise AuthenticationError("the member behind this token is unknown or suspended")
        return policy.Actor.of(member, org, uow.find(Forum), scopes)

    def _require_hub_admin(self, by: Caller) -> None:
        if not isinstance(by, Operator) and not policy.may_administer_hub(by):
            raise PermissionDenied("only the hub operator's admins may do this")

    def _require_org_admin(self, by: Caller, org_id: str) -> None:
        if isinstance(by, Operator) or policy.may_administer_hub(by) or policy.may_administer_org(by, org_id):
            return
        raise PermissionDenied("only the organisation's admins may do this")

    def _insert_audited(self, by: Caller, record: Organisation, subject: str, detail: dict[str, Any]) -> None:
        with self.store.unit_of_work() as uow:
            uow.insert(record)
            self._audit(uow, by, "create", subject, record.id, detail)

    def _audit(
        self,
        uow: UnitOfWork,
        by: Caller,
        action: str,
        subject_type: str,
        subject_id: str | None,
        detail: dict[str, Any],
    ) -> None:
        uow.append_audit(
            actor=caller_id(by),
            action=action,
            subject_type=subject_type,
            subject_id=subject_id,
            detail=detail,
            at=self.clock(),
        )


def _existing(record: _T | None, what: str, record_id: str) -> _T:
    if record is None:
        raise NotFound(f"no {what} {record_id!r}")
    return record
