"""Property tests over random markings, organisations and forums, and the edges of the access API."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

import fimihub.policy
from fimihub.errors import NotFound, PermissionDenied
from fimihub.model import (
    TLP,
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
from fimihub.policy import (
    Act,
    Actor,
    check,
    may,
    may_administer_forum,
    may_administer_hub,
    may_administer_org,
    readable,
)

ORGS = ("o1", "o2", "o3", "o4")
MEMBERS = ("m1", "m2", "m3")
NOT_CLEAR = (TLP.GREEN, TLP.AMBER, TLP.AMBER_STRICT, TLP.RED)


def org(org_id: str, *, operator: bool = False) -> Organisation:
    return Organisation(id=org_id, name=org_id, kind=OrganisationKind.PLATFORM, operator=operator)


def actor(
    org_id: str,
    *roles: Role,
    forums: tuple[Forum, ...] = (),
    member_id: str | None = None,
    scopes: frozenset[Scope] | None = None,
    active: bool = True,
    operator: bool = False,
) -> Actor:
    member = Member(
        id=member_id or f"{org_id}-member",
        org_id=org_id,
        name="someone",
        roles=frozenset(roles or {Role.ANALYST}),
        active=active,
    )
    return Actor.of(member, org(org_id, operator=operator), forums, scopes)


def record(owner: str = "o1", tlp: TLP = TLP.AMBER, forum: str | None = None, **marking: object) -> Governed:
    return Governed(id="r1", owner_org=owner, forum_id=forum, marking=Marking(tlp=tlp, **marking))


# --- properties ----------------------------------------------------------------------------------------

forum_lists = st.lists(
    st.builds(
        Forum,
        id=st.sampled_from(("f1", "f2", "f3")),
        name=st.just("forum"),
        member_orgs=st.frozensets(st.sampled_from((*ORGS, "o-unrelated"))),
    ),
    max_size=3,
    unique_by=lambda f: f.id,
)
roles = st.frozensets(st.sampled_from(tuple(Role)), min_size=1)
scopes = st.none() | st.frozensets(st.sampled_from(tuple(Scope)))


@st.composite
def records(draw: st.DrawFn, forums: list[Forum], tlps: tuple[TLP, ...] = tuple(TLP)) -> Governed:
    tlp = draw(st.sampled_from(tlps))
    red = tlp is TLP.RED
    marking = Marking(
        tlp=tlp,
        recipient_orgs=tuple(draw(st.sets(st.sampled_from(ORGS)))),
        recipient_members=tuple(draw(st.sets(st.sampled_from(MEMBERS)))) if red else (),
    )
    # The record may only be in a forum the unrelated organisation is not a member of.
    candidates = [f.id for f in forums if "o-unrelated" not in f.member_orgs]
    return Governed(
        id="r1",
        owner_org=draw(st.sampled_from(ORGS)),
        forum_id=draw(st.none() | st.sampled_from(candidates)) if candidates else None,
        marking=marking,
        created_by=draw(st.none() | st.sampled_from(MEMBERS)),
    )


@given(st.data(), forum_lists, roles, scopes)
def test_an_unrelated_org_may_do_nothing_with_a_non_clear_record(
    data: st.DataObject, forums: list[Forum], member_roles: frozenset[Role], token: frozenset[Scope] | None
) -> None:
    rec = data.draw(records(forums, NOT_CLEAR))
    active = data.draw(st.booleans())
    who = actor("o-unrelated", *member_roles, forums=tuple(forums), scopes=token, active=active)
    by_id = {f.id: f for f in forums}
    for act in Act:
        target = data.draw(st.sampled_from(forums)) if act is Act.SHARE and forums else None
        forum = target if act is Act.SHARE else by_id.get(rec.forum_id or "")
        assert not may(who, act, rec, forum=forum)
        with pytest.raises(NotFound):
            check(who, act, rec, forum=forum)
    assert readable(who, [rec], by_id) == []


@given(st.data(), forum_lists, st.sampled_from(ORGS), roles, st.sets(st.sampled_from(ORGS)))
def test_loosening_a_marking_never_takes_a_reader_away(
    data: st.DataObject, forums: list[Forum], org_id: str, member_roles: frozenset[Role], recipients: set[str]
) -> None:
    forum_id = data.draw(st.none() | st.sampled_from([f.id for f in forums])) if forums else None
    forum = {f.id: f for f in forums}.get(forum_id or "")
    owner = data.draw(st.sampled_from(ORGS))
    who = actor(org_id, *member_roles, forums=tuple(forums))
    levels = (TLP.CLEAR, TLP.GREEN, TLP.AMBER, TLP.AMBER_STRICT)
    reads = [
        may(who, Act.READ, record(owner, tlp, forum_id, recipient_orgs=tuple(recipients)), forum=forum)
        for tlp in levels
    ]
    assert reads == sorted(reads, reverse=True), dict(zip(levels, reads, strict=True))


@given(st.data(), forum_lists, roles, scopes)
def test_check_raises_exactly_when_may_says_no(
    data: st.DataObject, forums: list[Forum], member_roles: frozenset[Role], token: frozenset[Scope] | None
) -> None:
    rec = data.draw(records(forums))
    org_id = data.draw(st.sampled_from((*ORGS, "o-unrelated")))
    member_id = data.draw(st.sampled_from(MEMBERS))
    who = actor(org_id, *member_roles, forums=tuple(forums), member_id=member_id, scopes=token)
    act = data.draw(st.sampled_from(tuple(Act)))
    if act is Act.SHARE:
        forum = data.draw(st.none() | st.sampled_from(forums)) if forums else None
    else:
        forum = {f.id: f for f in forums}.get(rec.forum_id or "")
    allowed = may(who, act, rec, forum=forum)
    try:
        check(who, act, rec, forum=forum)
        raised = False
    except (NotFound, PermissionDenied):
        raised = True
    assert raised is not allowed


# --- check(): hidden or refused ------------------------------------------------------------------------


def test_check_hides_what_the_actor_may_not_see() -> None:
    with pytest.raises(NotFound) as caught:
        check(actor("o2"), Act.READ, record("o1", TLP.AMBER_STRICT))
    assert "o1" not in caught.value.message


def test_check_refuses_what_the_actor_sees_but_may_not_do() -> None:
    with pytest.raises(PermissionDenied):
        check(actor("o1", Role.READER), Act.WRITE, record("o1"))
    with pytest.raises(PermissionDenied):
        check(actor("o1", scopes=frozenset({Scope.WRITE})), Act.READ, record("o1"))


def test_share_needs_a_target_forum() -> None:
    forum = Forum(id="f1", name="f", member_orgs=frozenset({"o1"}))
    assert not may(actor("o1", forums=(forum,)), Act.SHARE, record("o1"))
    assert may(actor("o1", forums=(forum,)), Act.SHARE, record("o1"), forum=forum)


def test_a_forum_that_is_not_the_records_is_a_caller_bug() -> None:
    forum = Forum(id="f2", name="f", member_orgs=frozenset({"o1"}))
    with pytest.raises(ValueError, match="not the forum"):
        may(actor("o1"), Act.READ, record("o1", forum="f1"), forum=forum)


def test_a_stale_actor_does_not_outlive_forum_membership() -> None:
    before = Forum(id="f1", name="f", member_orgs=frozenset({"o1", "o2"}))
    after = before.evolve(member_orgs=frozenset({"o1"}))
    stale = actor("o2", forums=(before,))
    assert may(stale, Act.READ, record("o1", TLP.GREEN, "f1"))
    assert not may(stale, Act.READ, record("o1", TLP.GREEN, "f1"), forum=after)
    assert readable(stale, [record("o1", TLP.GREEN, "f1")], {"f1": after}) == []


def test_roles_add_up() -> None:
    forum = Forum(id="f1", name="f", member_orgs=frozenset({"o1", "o2"}))
    green = record("o1", TLP.GREEN, "f1")
    assert not may(actor("o2", Role.PARTNER_REPORTER, forums=(forum,)), Act.READ, green)
    assert may(actor("o2", Role.PARTNER_REPORTER, Role.READER, forums=(forum,)), Act.READ, green)


def test_partner_reporter_submits_leads_but_does_not_delete_them() -> None:
    partner = actor("o1", Role.PARTNER_REPORTER)
    lead = Lead(id="l1", owner_org="o1", title="a network")
    assert may(partner, Act.WRITE, lead)
    assert not may(partner, Act.DELETE, lead)
    assert not may(partner, Act.WRITE, record("o1"))
    assert may(actor("o2", Role.PARTNER_REPORTER), Act.READ, record("o1", recipient_orgs=("o2",)))


def test_actor_of_keeps_only_the_orgs_forums() -> None:
    forums = (Forum(id="f1", name="f", member_orgs=frozenset({"o1"})), Forum(id="f2", name="g"))
    assert actor("o1", forums=forums).forums == {"f1"}


def test_an_actor_cannot_borrow_another_orgs_rights() -> None:
    member = Member(id="m1", org_id="o1", name="x", roles=frozenset({Role.ADMIN}))
    with pytest.raises(ValueError, match="does not belong"):
        Actor(member, org("o2"), frozenset())


# --- administration ------------------------------------------------------------------------------------


def test_forum_administration() -> None:
    forum = Forum(id="f1", name="f", member_orgs=frozenset({"o1"}), admins=frozenset({"boss"}))
    assert may_administer_forum(actor("o1", Role.ADMIN, forums=(forum,), member_id="boss"), forum)
    assert not may_administer_forum(actor("o1", Role.ADMIN, forums=(forum,)), forum)  # not listed
    assert not may_administer_forum(actor("o1", Role.ANALYST, forums=(forum,), member_id="boss"), forum)
    assert not may_administer_forum(actor("o2", Role.ADMIN, member_id="boss"), forum)  # org not a member
    no_admin_scope = frozenset({Scope.READ, Scope.WRITE, Scope.SHARE})
    assert not may_administer_forum(
        actor("o1", Role.ADMIN, forums=(forum,), member_id="boss", scopes=no_admin_scope), forum
    )
    assert not may_administer_forum(
        actor("o1", Role.ADMIN, forums=(forum,), member_id="boss", active=False), forum
    )
    assert may_administer_forum(actor("hub", Role.ADMIN, operator=True), forum)


def test_org_administration() -> None:
    assert may_administer_org(actor("o1", Role.ADMIN), "o1")
    assert not may_administer_org(actor("o1", Role.ADMIN), "o2")
    assert not may_administer_org(actor("o1", Role.ANALYST), "o1")
    assert not may_administer_org(actor("o1", Role.ADMIN, scopes=frozenset({Scope.READ})), "o1")
    assert may_administer_org(actor("hub", Role.ADMIN, operator=True), "o2")
    assert not may_administer_org(actor("hub", Role.ANALYST, operator=True), "o2")


def test_hub_administration() -> None:
    assert may_administer_hub(actor("hub", Role.ADMIN, operator=True))
    assert not may_administer_hub(actor("hub", Role.ANALYST, operator=True))
    assert not may_administer_hub(actor("hub", Role.ADMIN, operator=True, scopes=frozenset({Scope.READ})))
    assert not may_administer_hub(actor("hub", Role.ADMIN, operator=True, active=False))
    assert not may_administer_hub(actor("o1", Role.ADMIN))


def test_operator_admins_administer_but_read_nothing_extra() -> None:
    assert not may(actor("hub", Role.ADMIN, operator=True), Act.READ, record("o1", TLP.AMBER_STRICT))


def test_public_names() -> None:
    for name in fimihub.policy.__all__:
        assert hasattr(fimihub.policy, name), name
