"""The caller-level decisions for every kind of caller, the operator and suspended members included.

:mod:`fimihub.policy` is the one place that decides for every caller: whether it is in a forum, administers
the hub, an organisation or a forum, declassifies, reviews, acts for an organisation, holds a scope — and the
record acts of :func:`~fimihub.policy.may` for the operator. The oracle below states the rules plainly, per
caller profile, and every combination is checked against it (no code shared with the policy).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import pytest

from fimihub.errors import PermissionDenied
from fimihub.model import (
    TLP,
    Forum,
    Lead,
    Marking,
    Member,
    Organisation,
    OrganisationKind,
    Role,
    Scope,
    Signal,
    SignalKind,
)
from fimihub.policy import (
    Act,
    Actor,
    Caller,
    Operator,
    actor_of,
    acts_for_org,
    allows,
    check,
    in_forum,
    may,
    may_administer_forum,
    may_administer_hub,
    may_administer_org,
    may_declassify,
    may_read,
    may_review,
    member_only,
    readable,
)

OWN, OTHER, HUB = "org-own", "org-other", "org-hub"
FORUM_IN = Forum(
    id="forum-in", name="In", member_orgs=frozenset({OWN, HUB}), admins=frozenset({"m-forum-admin"})
)
FORUM_OUT = Forum(id="forum-out", name="Out", member_orgs=frozenset({OTHER}))
FORUMS = (FORUM_IN, FORUM_OUT)


@dataclass(frozen=True)
class Profile:
    name: str
    role: str | None  # None: the operator
    org: str = OWN
    active: bool = True
    scopes: frozenset[str] | None = None
    member_id: str = ""


PROFILES = (
    Profile("operator", None),
    Profile("admin", "admin"),
    Profile("forum-admin", "admin", member_id="m-forum-admin"),
    Profile("hub-admin", "admin", org=HUB),
    Profile("analyst", "analyst"),
    Profile("reviewer", "reviewer"),
    Profile("reader", "reader"),
    Profile("suspended-admin", "admin", active=False),
    Profile("suspended-forum-admin", "admin", active=False, member_id="m-forum-admin"),
    Profile("suspended-hub-admin", "admin", org=HUB, active=False),
    Profile("admin-read-token", "admin", scopes=frozenset({"read"})),
    Profile("hub-admin-read-token", "admin", org=HUB, scopes=frozenset({"read"})),
)


def caller_for(profile: Profile) -> Caller:
    if profile.role is None:
        return Operator("tests")
    org = Organisation(
        id=profile.org, name=profile.org, kind=OrganisationKind.PLATFORM, operator=profile.org == HUB
    )
    member = Member(
        id=profile.member_id or f"m-{profile.name}",
        org_id=org.id,
        name=profile.name,
        roles=frozenset({Role(profile.role)}),
        active=profile.active,
    )
    scopes = None if profile.scopes is None else frozenset(Scope(s) for s in profile.scopes)
    return Actor.of(member, org, FORUMS, scopes)


# --- the oracle --------------------------------------------------------------------------------------------


def is_operator(p: Profile) -> bool:
    return p.role is None


def has_scope(p: Profile, scope: str) -> bool:
    return p.scopes is None or scope in p.scopes


def admin_ok(p: Profile) -> bool:
    """An active admin whose token (if any) carries the admin scope."""
    return p.active and p.role == "admin" and has_scope(p, "admin")


def expected_in_forum(p: Profile, forum: Forum) -> bool:
    # One definition: an active member of an organisation in the forum (the operator is in every forum).
    return is_operator(p) or (p.active and p.org in forum.member_orgs)


def expected_hub_admin(p: Profile) -> bool:
    return is_operator(p) or (admin_ok(p) and p.org == HUB)


def expected_org_admin(p: Profile, org: str) -> bool:
    return expected_hub_admin(p) or (admin_ok(p) and p.org == org)


def expected_forum_admin(p: Profile, forum: Forum) -> bool:
    return expected_hub_admin(p) or (
        admin_ok(p) and p.org in forum.member_orgs and (p.member_id or f"m-{p.name}") in forum.admins
    )


def expected_declassify(p: Profile, owner: str, copied: bool) -> bool:
    # The operator never declassifies: widening a marking is the owner organisation's admins' own act.
    return not is_operator(p) and admin_ok(p) and has_scope(p, "write") and p.org == owner and not copied


def expected_review(p: Profile, owner: str) -> bool:
    if is_operator(p):
        return True
    return (
        p.active and p.org == owner and p.role in ("admin", "analyst", "reviewer") and has_scope(p, "write")
    )


# --- the checks --------------------------------------------------------------------------------------------


def record(owner: str, copied: bool = False, tlp: TLP = TLP.AMBER) -> Signal:
    return Signal(
        id="signal--1",
        owner_org=owner,
        forum_id=FORUM_IN.id,
        marking=Marking(tlp=tlp),
        kind=SignalKind.DOMAIN,
        value="example.org",
        copied_from_org=OTHER if copied else None,
    )


@pytest.mark.parametrize("profile", PROFILES, ids=lambda p: p.name)
def test_caller_decisions_agree_with_the_oracle(profile: Profile) -> None:
    by = caller_for(profile)
    mismatches: list[str] = []
    for forum in FORUMS:
        if in_forum(by, forum) != expected_in_forum(profile, forum):
            mismatches.append(f"in_forum {forum.id}")
        if may_administer_forum(by, forum) != expected_forum_admin(profile, forum):
            mismatches.append(f"may_administer_forum {forum.id}")
    if may_administer_hub(by) != expected_hub_admin(profile):
        mismatches.append("may_administer_hub")
    for org, copied in itertools.product((OWN, OTHER, HUB), (False, True)):
        if may_administer_org(by, org) != expected_org_admin(profile, org):
            mismatches.append(f"may_administer_org {org}")
        if may_declassify(by, record(org, copied)) != expected_declassify(profile, org, copied):
            mismatches.append(f"may_declassify {org} copied={copied}")
        if may_review(by, record(org, copied)) != expected_review(profile, org):
            mismatches.append(f"may_review {org}")
        if acts_for_org(by, org) != (is_operator(profile) or profile.org == org):
            mismatches.append(f"acts_for_org {org}")
    for scope in Scope:
        if allows(by, scope) != (is_operator(profile) or has_scope(profile, scope.value)):
            mismatches.append(f"allows {scope}")
    assert not mismatches, f"{profile.name}: {mismatches}"


@pytest.mark.parametrize("tlp", list(TLP))
@pytest.mark.parametrize("act", list(Act))
def test_the_operator_may_do_every_record_act_and_check_agrees(tlp: TLP, act: Act) -> None:
    operator = Operator("tests")
    for kind in (Signal, Lead):
        fields = {"id": "rec--1", "owner_org": OTHER, "forum_id": FORUM_OUT.id, "marking": Marking(tlp=tlp)}
        if tlp is TLP.RED:
            fields["marking"] = Marking(tlp=tlp, recipient_members=("m-someone",))
        rec = (
            Signal(kind=SignalKind.DOMAIN, value="example.org", **fields)
            if kind is Signal
            else Lead(title="a lead", **fields)
        )
        forum = FORUM_IN if act is Act.SHARE else FORUM_OUT
        assert may(operator, act, rec, forum=forum)
        check(operator, act, rec, forum=forum)  # raises nothing
        assert may_read(operator, rec, {FORUM_OUT.id: FORUM_OUT})
        assert readable(operator, [rec], {FORUM_OUT.id: FORUM_OUT}) == [rec]


def test_the_operator_still_refuses_the_wrong_forum() -> None:
    # Deciding on the wrong forum's membership is how a leak would start: refused loudly for every caller.
    with pytest.raises(ValueError):
        may(Operator("tests"), Act.READ, record(OWN), forum=FORUM_OUT)


def test_a_suspended_member_is_in_no_forum_and_reads_nothing() -> None:
    suspended = caller_for(next(p for p in PROFILES if p.name == "suspended-admin"))
    assert not any(in_forum(suspended, f) for f in FORUMS)
    assert not may_read(suspended, record(OWN, tlp=TLP.GREEN), {FORUM_IN.id: FORUM_IN})


def test_member_only_refuses_the_operator_and_returns_the_member() -> None:
    analyst = caller_for(next(p for p in PROFILES if p.name == "analyst"))
    assert member_only(analyst, "a scan") is analyst
    assert actor_of(analyst) is analyst
    assert actor_of(Operator("tests")) is None
    with pytest.raises(PermissionDenied, match="a scan runs as a member"):
        member_only(Operator("tests"), "a scan")
