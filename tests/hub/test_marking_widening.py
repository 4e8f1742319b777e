"""No share, re-share, update or TAXII post widens a marking; declassifying is the owner's admins' own act."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from fimihub import Operation, Signal, policy
from fimihub.errors import NotFound, PermissionDenied
from fimihub.model import Lead, Marking
from fimihub.policy import Actor
from tests.conftest import Cast


def _member(cast: Cast, org_id: str, *roles: str) -> Actor:
    op = cast.hub.operator("test")
    member = cast.hub.admin.create_member(
        op, org_id=org_id, name=f"{roles[0]} {org_id[-4:]}", roles=list(roles)
    )
    return cast.hub.admin.actor(member.id)


def _outside_forum_reads(cast: Cast, kind: type[Operation] | type[Signal]) -> list[str]:
    return [r.id for r in cast.hub.list(cast.analyst_d, kind).items]


def test_a_reshare_never_loosens_the_marking(cast: Cast) -> None:
    hub = cast.hub
    analyst_c = _member(cast, cast.org_c, "analyst")
    op = hub.create(cast.analyst_a, Operation, {"name": "Doppelganger", "forum_id": cast.forum_id})
    signal = hub.create(
        cast.analyst_a, Signal, {"kind": "domain", "value": "reshared.example", "forum_id": cast.forum_id}
    )
    assert op.marking.tlp.value == "green" and signal.marking.tlp.value == "green"
    for kind, record in ((Operation, op), (Signal, signal)):
        with pytest.raises(PermissionDenied, match="declassif"):
            hub.share(analyst_c, kind, record.id, cast.forum_id, marking={"tlp": "clear"})
        with pytest.raises(PermissionDenied, match="PAP"):
            hub.share(analyst_c, kind, record.id, cast.forum_id, marking={"tlp": "green", "pap": "clear"})
    assert _outside_forum_reads(cast, Operation) == [] and _outside_forum_reads(cast, Signal) == []
    # D's match API does not hit the signal either.
    answers = hub.match(cast.analyst_d, [{"kind": "domain", "value": "reshared.example"}])
    assert answers[0].matches == []
    # A re-share that keeps the marking is still fine: a GREEN copy, owned by C.
    copy = hub.share(analyst_c, Operation, op.id, cast.forum_id)
    assert copy.owner_org == cast.org_c and copy.marking.tlp.value == "green"


def test_the_owner_cannot_share_its_record_more_openly_in_one_call(cast: Cast) -> None:
    hub = cast.hub
    strict = hub.create(cast.analyst_a, Operation, {"name": "Quiet", "marking": {"tlp": "amber+strict"}})
    with pytest.raises(PermissionDenied, match="TLP:AMBER\\+STRICT would become TLP:CLEAR"):
        hub.share(cast.analyst_a, Operation, strict.id, cast.forum_id, marking={"tlp": "clear"})
    assert hub.get(cast.analyst_a, Operation, strict.id).forum_id is None
    with pytest.raises(NotFound):
        hub.get(cast.analyst_b, Operation, strict.id)


def test_updates_never_loosen_a_marking_not_even_a_colleagues(cast: Cast) -> None:
    hub = cast.hub
    partner_a = _member(cast, cast.org_a, "partner-reporter")
    colleague = _member(cast, cast.org_a, "analyst")
    lead = hub.create(cast.analyst_a, Lead, {"title": "Tip", "marking": {"tlp": "amber+strict"}})
    for who in (partner_a, colleague, cast.analyst_a):
        with pytest.raises((PermissionDenied, NotFound)):
            hub.update(who, Lead, lead.id, {"marking": {"tlp": "clear"}})
    with pytest.raises(PermissionDenied, match="recipient organisations"):
        hub.update(
            cast.analyst_a,
            Lead,
            lead.id,
            {"marking": {"tlp": "amber+strict", "recipient_orgs": [cast.org_d]}},
        )
    assert hub.get(cast.analyst_a, Lead, lead.id).marking.tlp.value == "amber+strict"
    # Tightening stays an everyday act.
    tightened = hub.update(cast.analyst_a, Lead, lead.id, {"marking": {"tlp": "red"}})
    assert tightened.marking.tlp.value == "red"


def test_declassify_is_the_owner_admins_audited_act(cast: Cast) -> None:
    hub = cast.hub
    admin_a = _member(cast, cast.org_a, "admin", "analyst")
    admin_b = _member(cast, cast.org_b, "admin", "analyst")
    op = hub.create(cast.analyst_a, Operation, {"name": "Release", "forum_id": cast.forum_id})
    with pytest.raises(PermissionDenied):
        hub.declassify(cast.analyst_a, Operation, op.id, {"tlp": "clear"}, reason="public report")
    with pytest.raises(PermissionDenied):
        hub.declassify(admin_b, Operation, op.id, {"tlp": "clear"}, reason="public report")
    with pytest.raises(PermissionDenied):
        hub.declassify(hub.operator(), Operation, op.id, {"tlp": "clear"}, reason="public report")
    read_only_admin = hub.admin.actor(admin_a.member.id, scopes=[policy.Act.READ.value])  # type: ignore[list-item]
    with pytest.raises(PermissionDenied):
        hub.declassify(read_only_admin, Operation, op.id, {"tlp": "clear"}, reason="public report")
    declassified = hub.declassify(admin_a, Operation, op.id, {"tlp": "clear"}, reason="published report")
    assert declassified.marking.tlp.value == "clear"
    assert op.id in _outside_forum_reads(cast, Operation)
    (event,) = [e for e in hub.audit.events(hub.operator(), limit=1000) if e.action == "declassify"]
    assert event.subject_id == op.id and event.actor == admin_a.member.id
    assert event.detail["from"]["tlp"] == "green" and event.detail["to"]["tlp"] == "clear"
    assert event.detail["reason"] == "published report"


def test_a_taxii_post_never_widens_a_held_record(cast: Cast) -> None:
    hub = cast.hub
    collection = cast.forum_id.removeprefix("forum--")
    campaign_id = f"campaign--{uuid.uuid4()}"
    amber = "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421"
    clear = "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487"
    now = hub.clock()

    def campaign(marking: str, modified: str) -> dict[str, object]:
        return {
            "type": "campaign",
            "spec_version": "2.1",
            "id": campaign_id,
            "created": now.isoformat().replace("+00:00", "Z"),
            "modified": modified,
            "name": "Posted",
            "object_marking_refs": [marking],
        }

    first = now.isoformat().replace("+00:00", "Z")
    later = (now + timedelta(seconds=5)).isoformat().replace("+00:00", "Z")
    hub.taxii.add(cast.analyst_a, collection, [campaign(amber, first)])
    (held,) = [o for o in hub.list(cast.analyst_a, Operation).items if o.name == "Posted"]
    assert held.marking.tlp.value == "amber"
    hub.taxii.add(cast.analyst_a, collection, [campaign(clear, later)])
    assert hub.get(cast.analyst_a, Operation, held.id).marking.tlp.value == "amber"
    with pytest.raises(NotFound):
        hub.get(cast.analyst_d, Operation, held.id)


@pytest.mark.parametrize(
    ("old", "new", "widens"),
    [
        ({"tlp": "amber"}, {"tlp": "green"}, True),
        ({"tlp": "amber"}, {"tlp": "red"}, False),
        ({"tlp": "amber", "pap": "red"}, {"tlp": "amber", "pap": "green"}, True),
        ({"tlp": "amber", "recipient_orgs": ["o1"]}, {"tlp": "amber"}, True),
        ({"tlp": "amber", "recipient_orgs": ["o1"]}, {"tlp": "amber", "recipient_orgs": ["o1", "o2"]}, True),
        ({"tlp": "amber", "recipient_orgs": ["o1", "o2"]}, {"tlp": "amber", "recipient_orgs": ["o1"]}, False),
        ({"tlp": "amber+strict", "recipient_orgs": ["o1"]}, {"tlp": "amber+strict"}, False),
        ({"tlp": "red", "recipient_members": ["m1"]}, {"tlp": "red", "recipient_members": ["m2"]}, True),
        ({"tlp": "clear"}, {"tlp": "green", "recipient_orgs": ["o1"]}, False),
        ({"tlp": "green"}, {"tlp": "amber", "recipient_orgs": ["outsider"]}, True),
    ],
)
def test_what_widens_a_marking(old: dict[str, object], new: dict[str, object], widens: bool) -> None:
    assert (policy.widening(Marking(**old), Marking(**new)) is not None) is widens
