"""``policy.reads_within``: what an object that names others (a TAXII grouping, a sighting of an indicator)
may name. Whenever it says yes, every member who may read the outer record may read the inner one, whoever
that member is; and it says yes where it should (the same envelope, a CLEAR record, a more open level)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from fimihub.model import TLP, Forum, Governed, Marking, Member, Organisation, OrganisationKind, Role, Scope
from fimihub.policy import Act, Actor, may, reads_within
from tests.policy.test_policy_access_props import MEMBERS, ORGS, forum_lists, roles, scopes


@st.composite
def governed(draw: st.DrawFn, forums: list[Forum], record_id: str) -> Governed:
    tlp = draw(st.sampled_from(tuple(TLP)))
    members = tuple(draw(st.sets(st.sampled_from(MEMBERS), max_size=2))) if tlp is TLP.RED else ()
    marking = Marking(
        tlp=tlp,
        recipient_orgs=tuple(draw(st.sets(st.sampled_from(ORGS), max_size=2))),
        recipient_members=members,
    )
    return Governed(
        id=record_id,
        owner_org=draw(st.sampled_from(ORGS[:2])),
        forum_id=draw(st.none() | st.sampled_from([f.id for f in forums])) if forums else None,
        marking=marking,
        created_by=draw(st.none() | st.sampled_from(MEMBERS)),
    )


@settings(max_examples=600)
@given(st.data(), forum_lists, roles, scopes, st.sampled_from(tuple(OrganisationKind)))
def test_whoever_reads_the_outer_record_reads_what_it_may_name(
    data: st.DataObject,
    forums: list[Forum],
    member_roles: frozenset[Role],
    token: frozenset[Scope] | None,
    kind: OrganisationKind,
) -> None:
    outer = data.draw(governed(forums, "outer"))
    inner = data.draw(governed(forums, "inner"))
    if data.draw(st.booleans()):  # most often a variation of the outer one: where the edge cases are
        inner = outer.model_copy(update={"id": "inner", "marking": inner.marking})
    if not reads_within(outer, inner):
        return
    org_id = data.draw(st.sampled_from((*ORGS, "o-unrelated")))
    member = Member(id=data.draw(st.sampled_from(MEMBERS)), org_id=org_id, name="someone", roles=member_roles)
    who = Actor.of(member, Organisation(id=org_id, name=org_id, kind=kind), tuple(forums), token)
    by_id = {f.id: f for f in forums}
    if may(who, Act.READ, outer, forum=by_id.get(outer.forum_id or "")):
        assert may(who, Act.READ, inner, forum=by_id.get(inner.forum_id or ""))


def _record(tlp: TLP, owner: str = "o1", forum: str | None = "f1", **marking: object) -> Governed:
    return Governed(
        id="r", owner_org=owner, forum_id=forum, marking=Marking(tlp=tlp, **marking), created_by="m1"
    )


def test_it_names_the_same_envelope_clear_records_and_more_open_levels() -> None:
    green, strict = _record(TLP.GREEN), _record(TLP.AMBER_STRICT)
    assert reads_within(green, _record(TLP.GREEN))
    assert reads_within(strict, green)
    assert reads_within(green, _record(TLP.CLEAR, owner="o2", forum=None))
    assert reads_within(_record(TLP.RED), _record(TLP.RED))


def test_it_never_names_what_some_reader_may_not_read() -> None:
    green = _record(TLP.GREEN)
    assert not reads_within(green, _record(TLP.AMBER_STRICT))
    assert not reads_within(green, _record(TLP.GREEN, owner="o2"))
    assert not reads_within(green, _record(TLP.GREEN, forum="f2"))
    assert not reads_within(_record(TLP.AMBER), _record(TLP.AMBER, recipient_orgs=("o3",)))
    assert not reads_within(_record(TLP.CLEAR), green)
    assert not reads_within(_record(TLP.RED), green)
