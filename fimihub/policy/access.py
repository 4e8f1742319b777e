"""Access policy: the one place that decides whether a member may read, write, share or delete a record.

Every read path in the hub goes through :func:`may` / :func:`check` / :func:`readable`; nothing else looks at
markings to decide who sees what. The rules below are the contract, and ``tests/policy`` checks them against
an independent oracle over every role x organisation x forum x marking x act.

Who may **see** a record (before token scopes), by TLP level. "Forum members" are the organisations that are
members of the record's forum (``record.forum_id``); a record in no forum has no forum members.

=============  ===========================================  ============================================
TLP            analyst, admin, reviewer, reader             partner-reporter
=============  ===========================================  ============================================
CLEAR          anyone with an active member account         same
GREEN          owner org, ``recipient_orgs``, forum         owner org, ``recipient_orgs``
               members
AMBER          owner org + ``recipient_orgs``; when none    owner org + ``recipient_orgs``
               are named: owner org + forum members
AMBER+STRICT   owner org + ``recipient_orgs`` only          same
RED            the author (``created_by``) and              same
               ``recipient_members`` only (not the owner
               org as a whole)
=============  ===========================================  ============================================

What a member may **do**, on top of seeing the record:

==========  =======================  ====================================================================
act         token scope needed       who
==========  =======================  ====================================================================
READ        ``read``                 whoever sees the record
WRITE       ``write``                analyst or admin of the owner org; a partner-reporter of the owner org
                                     for :class:`~fimihub.model.Lead` records only
DELETE      ``write``                analyst or admin of the owner org
SHARE       ``share``                analyst or admin whose org is a member of the *target* forum; the
                                     owner org may share any level but RED, another org only CLEAR or
                                     GREEN records it sees; RED never goes into a forum. A
                                     partner-reporter puts its own org's leads into the org's forums
==========  =======================  ====================================================================

- An inactive member may do nothing, and sees nothing.
- A :class:`~fimihub.model.Case` is seen only by members of its ``teams`` (covert-influence investigations,
  monetisation integrity …), its author and its organisation's admins, on top of the table above.
- A member of a public-authority organisation (``OrganisationKind.PUBLIC_AUTHORITY``) sees another
  organisation's record only when it is TLP:CLEAR or its forum allows public authorities
  (``Forum.public_authority_access``; then the table above applies). Being named a recipient is not enough:
  government access to what members exchange is the forum's decision, not one sender's.
- A member's rights are the union of its roles' rights (a reader who is also a partner-reporter reads as a
  reader).
- ``recipient_orgs`` named on a GREEN record also read it, so that loosening a marking (AMBER to GREEN) never
  takes a reader away.
- WRITE does not put a record into a forum: creating or moving a record into a forum is also a SHARE into it.
- Administration needs the admin role, an active member and the ``admin`` scope. Hub: an admin of the operator
  organisation (``Organisation.operator``). Forum: an admin whose org is a member of the forum and who is
  listed in ``forum.admins``, or a hub admin. Organisation: an admin of that organisation, or a hub admin.
  Administering grants no read: a hub admin reads records by the same rules as everyone else.

:func:`check` raises :class:`~fimihub.errors.NotFound` when the member may not see the record at all (so
that its existence is never revealed) and :class:`~fimihub.errors.PermissionDenied` when it sees the record
but may not do the act, including when only the token's scopes are missing: the token holder is the member,
who knows the record exists. Use the same ``NotFound`` message for records that do not exist.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import TypeVar

from fimihub.errors import NotFound, PermissionDenied
from fimihub.model import (
    TLP,
    Case,
    Forum,
    Governed,
    Lead,
    Marking,
    Member,
    Organisation,
    OrganisationKind,
    Role,
    Scope,
)

__all__ = [
    "Act",
    "Actor",
    "Caller",
    "Operator",
    "actor_of",
    "acts_for_org",
    "allows",
    "caller_id",
    "check",
    "in_forum",
    "may",
    "may_administer_forum",
    "may_administer_hub",
    "may_administer_org",
    "may_declassify",
    "may_read",
    "may_review",
    "member_only",
    "readable",
    "reads_within",
]

G = TypeVar("G", bound=Governed)


class Act(StrEnum):
    """What a member wants to do with a record."""

    READ = "read"
    WRITE = "write"  # create or change
    SHARE = "share"  # put into a forum, or release further
    DELETE = "delete"


_SCOPE_FOR: dict[Act, Scope] = {
    Act.READ: Scope.READ,
    Act.WRITE: Scope.WRITE,
    Act.DELETE: Scope.WRITE,
    Act.SHARE: Scope.SHARE,
}
# Partner-reporters are outside the member orgs' trust circle: they see only what names them.
_FORUM_READERS = frozenset({Role.ADMIN, Role.ANALYST, Role.REVIEWER, Role.READER})
_EDITORS = frozenset({Role.ADMIN, Role.ANALYST})
# TLP 2.0 lets GREEN travel to the community; AMBER and above stay where the owner put them.
_RESHAREABLE = frozenset({TLP.CLEAR, TLP.GREEN})


@dataclass(frozen=True, slots=True)
class Actor:
    """A member acting through a token: who it is, its organisation, its forums and its token's scopes.

    ``forums`` are the ids of the forums whose ``member_orgs`` include ``org``; ``scopes`` are the token's
    scopes, ``None`` when the member acts without a token limit (in-process calls). ``token_id`` and
    ``token_expires_at`` name the token the member acts through, if any: what it issues may not outlive it.
    """

    member: Member
    org: Organisation
    forums: frozenset[str]
    scopes: frozenset[Scope] | None = None
    token_id: str | None = None
    token_expires_at: datetime | None = None

    def __post_init__(self) -> None:
        if self.member.org_id != self.org.id:
            # A mismatch would let one organisation's member act with another's rights.
            raise ValueError(f"member {self.member.id!r} does not belong to organisation {self.org.id!r}")

    @classmethod
    def of(
        cls,
        member: Member,
        org: Organisation,
        forums: Iterable[Forum],
        scopes: Iterable[Scope] | None = None,
        *,
        token_id: str | None = None,
        token_expires_at: datetime | None = None,
    ) -> Actor:
        """The actor for ``member`` of ``org``. ``forums`` may be every forum: those without ``org`` are
        dropped."""
        ids = frozenset(f.id for f in forums if org.id in f.member_orgs)
        return cls(
            member, org, ids, None if scopes is None else frozenset(scopes), token_id, token_expires_at
        )

    def allows(self, scope: Scope) -> bool:
        """Whether the token (if any) carries ``scope``."""
        return self.scopes is None or scope in self.scopes


@dataclass(frozen=True, slots=True)
class Operator:
    """Whoever runs the hub's host and its command line.

    Holding the store's file or database credentials already gives full power over the data, so the operator
    is not filtered by markings; every change it makes is still written to the audit log under its name.
    What it may not do is decided here too: it declassifies nothing (that is an owner organisation's act) and
    runs nothing that works as a member (scans, detection, private matching).
    """

    name: str = "cli"

    @property
    def id(self) -> str:
        return f"operator:{self.name}"


#: Who asks: a member acting through a token (or in-process), or the hub's operator.
Caller = Actor | Operator


def caller_id(by: Caller) -> str:
    """The name the audit log records for a caller."""
    return by.id if isinstance(by, Operator) else by.member.id


def actor_of(by: Caller) -> Actor | None:
    """The member ``by`` acts as, or None for the operator (who acts for no organisation of its own)."""
    return None if isinstance(by, Operator) else by


def member_only(by: Caller, what: str) -> Actor:
    """``by`` as a member; the operator is refused ``what`` (work that runs as a member, on its own data)."""
    if isinstance(by, Operator):
        raise PermissionDenied(f"{what} runs as a member, not as the hub's operator")
    return by


def acts_for_org(by: Caller, org_id: str) -> bool:
    """Whether ``by`` acts for organisation ``org_id`` (its own records, statuses, queues): a member of it, or
    the operator, who acts for every organisation."""
    return isinstance(by, Operator) or by.org.id == org_id


def allows(by: Caller, scope: Scope) -> bool:
    """Whether ``by``'s token (if any) carries ``scope``; the operator holds no token and every scope."""
    return isinstance(by, Operator) or by.allows(scope)


def in_forum(by: Caller, forum: Forum) -> bool:
    """The one rule for "is the caller in this forum": the operator is; a member is when it is active, the
    forum is among its actor's forums and its organisation is still among the forum's members (both must
    agree: fail closed). A suspended member is in no forum."""
    if isinstance(by, Operator):
        return True
    return by.member.active and _member_of(by, forum)


def may(actor: Caller, act: Act, record: Governed, *, forum: Forum | None = None) -> bool:
    """Whether ``actor`` may do ``act`` on ``record`` (the operator may do every act).

    ``forum`` is the forum the record is in (``record.forum_id``; optional, and when given it must be that
    forum) or, for SHARE, the target forum (required: sharing into no forum is refused).
    """
    record_forum = _record_forum(act, record, forum)
    if isinstance(actor, Operator):
        return True
    if not _sees(actor, record, record_forum) or not actor.allows(_SCOPE_FOR[act]):
        return False
    if act is Act.READ:
        return True
    if act is Act.SHARE:
        return forum is not None and _may_share(actor, record, forum)
    return _may_change(actor, act, record)


def check(actor: Caller, act: Act, record: Governed, *, forum: Forum | None = None) -> None:
    """Raise unless ``actor`` may do ``act`` on ``record``: ``NotFound`` if it may not even see it, else
    ``PermissionDenied``. Arguments as for :func:`may`."""
    if isinstance(actor, Operator):
        _record_forum(act, record, forum)
        return
    if not _sees(actor, record, _record_forum(act, record, forum)):
        raise NotFound(f"no such record: {record.id}")
    if not may(actor, act, record, forum=forum):
        raise PermissionDenied(f"{actor.member.id} may not {act.value} {record.id}")


def may_read(by: Caller, record: Governed, forums: Mapping[str, Forum]) -> bool:
    """Whether ``by`` may read ``record``; ``forums`` maps forum ids to forums (the record's is looked up)."""
    return may(by, Act.READ, record, forum=forums.get(record.forum_id) if record.forum_id else None)


def reads_within(outer: Governed, inner: Governed) -> bool:
    """Whether everyone who may read ``outer`` may read ``inner`` too, whoever they are: what an object that
    names others (a STIX grouping's ``object_refs``, a sighting of an indicator) may name without telling a
    reader of something it may not read. Answers ``False`` when unsure: ``inner`` must be CLEAR, or of the
    same organisation and forum, at no stricter a level, released to no fewer organisations, forum-wide
    whenever ``outer`` is; a RED ``outer`` names only RED records of its author released to at least its
    members. Cases (read by their teams) are never named."""
    if isinstance(outer, Case) or isinstance(inner, Case):
        return False
    o, i = outer.marking, inner.marking
    if i.tlp is TLP.CLEAR:
        return True
    if inner.owner_org != outer.owner_org or inner.forum_id != outer.forum_id or o.tlp is TLP.CLEAR:
        return False
    if o.tlp is TLP.RED:
        return (
            i.tlp is TLP.RED
            and inner.created_by == outer.created_by
            and set(o.recipient_members) <= set(i.recipient_members)
        )
    if i.tlp is TLP.RED or i.tlp.rank > o.tlp.rank or not set(o.recipient_orgs) <= set(i.recipient_orgs):
        return False
    return not _forum_wide(o) or _forum_wide(i)


def _forum_wide(marking: Marking) -> bool:
    """Whether readers of every forum member organisation see a record so marked (in its forum)."""
    return marking.tlp is TLP.GREEN or (marking.tlp is TLP.AMBER and not marking.recipient_orgs)


def readable(actor: Caller, records: Iterable[G], forums: Mapping[str, Forum]) -> list[G]:
    """The records ``actor`` may READ, in their order. ``forums`` maps forum ids to forums."""
    return [
        r
        for r in records
        if may(actor, Act.READ, r, forum=forums.get(r.forum_id) if r.forum_id is not None else None)
    ]


def may_administer_hub(actor: Caller) -> bool:
    """Whether ``actor`` is the operator or an admin of the hub's operator organisation, who manages
    organisations, forums and the audit log for everyone (but reads no record it would not read otherwise)."""
    if isinstance(actor, Operator):
        return True
    return _is_admin(actor) and actor.org.operator


def may_administer_forum(actor: Caller, forum: Forum) -> bool:
    """Whether ``actor`` may manage ``forum``'s membership, rules and retention: the operator, a hub admin,
    or an admin of a member organisation listed in ``forum.admins``."""
    if isinstance(actor, Operator):
        return True
    if not _is_admin(actor):
        return False
    return actor.org.operator or (_member_of(actor, forum) and actor.member.id in forum.admins)


def may_administer_org(actor: Caller, org_id: str) -> bool:
    """Whether ``actor`` may manage the members and tokens of organisation ``org_id``: the operator, a hub
    admin, or an admin of that organisation."""
    if isinstance(actor, Operator):
        return True
    return _is_admin(actor) and (actor.org.operator or actor.org.id == org_id)


def may_declassify(actor: Caller, record: Governed) -> bool:
    """Whether ``actor`` may widen ``record``'s marking (a lower TLP or PAP, more recipients): an admin of
    the owner organisation who sees the record, with the ``admin`` and ``write`` scopes, unless the record is
    a re-shared copy of another organisation's (which only its source's owner may declassify, at the source).
    No other act widens a marking (see :func:`fimihub.policy.widening`); the operator never declassifies."""
    if isinstance(actor, Operator):
        return False
    return (
        _is_admin(actor)
        and actor.allows(Scope.WRITE)
        and actor.org.id == record.owner_org
        and record.copied_from_org is None
        and _sees(actor, record, None)
    )


def may_review(actor: Caller, record: Governed) -> bool:
    """Whether ``actor`` may confirm or reject a match (or another record awaiting review) of its own
    organisation: reviewers, analysts and admins, with the ``write`` scope (and the operator)."""
    if isinstance(actor, Operator):
        return True
    member = actor.member
    return (
        member.active
        and actor.org.id == record.owner_org
        and bool(member.roles & (_EDITORS | {Role.REVIEWER}))
        and actor.allows(Scope.WRITE)
    )


def may_triage(actor: Caller, lead: Lead, forum: Forum | None = None) -> bool:
    """Whether ``actor`` may triage ``lead`` for its organisation (attach it to an operation, open one, or
    dismiss it): an analyst or admin with the ``write`` scope who reads the lead. ``forum`` is the lead's
    forum, as for :func:`may`. The operator triages nothing: triage is an organisation's decision."""
    if isinstance(actor, Operator):
        return False
    member = actor.member
    return (
        member.active
        and bool(member.roles & _EDITORS)
        and actor.allows(Scope.WRITE)
        and _sees(actor, lead, _record_forum(Act.READ, lead, forum))
    )


def _record_forum(act: Act, record: Governed, forum: Forum | None) -> Forum | None:
    """The record's own forum as the caller passed it; for SHARE ``forum`` is the target, which is the
    record's own only when the record is in it already."""
    if forum is None or (act is Act.SHARE and forum.id != record.forum_id):
        return None
    if forum.id != record.forum_id:
        # Deciding on the wrong forum's membership is how a leak would start: refuse loudly.
        raise ValueError(f"forum {forum.id!r} is not the forum of record {record.id!r} ({record.forum_id!r})")
    return forum


def _sees(actor: Actor, record: Governed, record_forum: Forum | None) -> bool:
    member = actor.member
    if not member.active:
        return False
    if isinstance(record, Case) and not _in_case_team(actor, record):
        return False
    marking = record.marking
    if marking.tlp is TLP.CLEAR:
        return True
    if _authority_kept_out(actor, record, record_forum):
        return False
    if marking.tlp is TLP.RED:
        return member.id == record.created_by or member.id in marking.recipient_members
    if actor.org.id == record.owner_org or actor.org.id in marking.recipient_orgs:
        return True
    if not member.roles & _FORUM_READERS:
        return False
    return _forum_wide(marking) and _in_record_forum(actor, record, record_forum)


def _in_case_team(actor: Actor, case: Case) -> bool:
    """A case is worked by its teams: a member of another team does not see it, whatever the marking; its
    author and its organisation's admins always do."""
    member = actor.member
    if member.team in case.teams or member.id == case.created_by:
        return True
    return Role.ADMIN in member.roles and actor.org.id == case.owner_org


def _authority_kept_out(actor: Actor, record: Governed, record_forum: Forum | None) -> bool:
    """Whether a public authority's member is kept from another organisation's record: unless the record's
    forum (as the caller passed it: fail closed without it) lets public authorities read."""
    if actor.org.kind is not OrganisationKind.PUBLIC_AUTHORITY or actor.org.id == record.owner_org:
        return False
    return record_forum is None or not record_forum.public_authority_access


def _in_record_forum(actor: Actor, record: Governed, record_forum: Forum | None) -> bool:
    if record.forum_id is None or record.forum_id not in actor.forums:
        return False
    # When the caller has the forum at hand, its current membership must agree too: fail closed.
    return record_forum is None or actor.org.id in record_forum.member_orgs


def _member_of(actor: Actor, forum: Forum) -> bool:
    return forum.id in actor.forums and actor.org.id in forum.member_orgs


def _may_change(actor: Actor, act: Act, record: Governed) -> bool:
    if actor.org.id != record.owner_org:
        return False
    if actor.member.roles & _EDITORS:
        return True
    # Partners submit and amend their own organisation's leads; withdrawing one is left to the analysts.
    return act is Act.WRITE and Role.PARTNER_REPORTER in actor.member.roles and isinstance(record, Lead)


def _may_share(actor: Actor, record: Governed, target: Forum) -> bool:
    tlp = record.marking.tlp
    if tlp is TLP.RED or not _member_of(actor, target):
        return False
    if actor.member.roles & _EDITORS:
        return actor.org.id == record.owner_org or tlp in _RESHAREABLE
    # Partners put their own organisation's leads into its forums; they re-share nothing.
    return (
        Role.PARTNER_REPORTER in actor.member.roles
        and isinstance(record, Lead)
        and actor.org.id == record.owner_org
    )


def _is_admin(actor: Actor) -> bool:
    member = actor.member
    return member.active and Role.ADMIN in member.roles and actor.allows(Scope.ADMIN)
