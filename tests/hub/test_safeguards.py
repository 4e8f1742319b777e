"""Human-rights safeguards on the hub's write paths (docs/safeguards.md): a second reviewer for actions on
sensitive targets, human review before enforcing on a shared signal, overturns that reach everyone who acted
on the same signal (and nobody else), government requests refused by default, public authorities kept to
TLP:CLEAR unless a forum lets them read."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from fimihub import Hub
from fimihub.errors import NotFound, PermissionDenied, ValidationError
from fimihub.exchange.stix import to_stix_objects
from fimihub.hub.safeguards import NOTICE_PURPOSE
from fimihub.model import (
    TLP,
    Action,
    ActionStatus,
    Asset,
    Feedback,
    FeedbackKind,
    Match,
    MatchStatus,
    Scope,
    Signal,
    new_id,
)
from fimihub.policy import Actor
from tests.conftest import Cast


@dataclass
class World:
    cast: Cast
    reviewer_a: Actor  # a second member of A who may approve
    analyst_c: Actor
    analyst_d: Actor


@pytest.fixture
def world(cast: Cast) -> World:
    hub, op = cast.hub, cast.hub.operator("test")

    def member(org_id: str, role: str) -> Actor:
        return hub.admin.actor(
            hub.admin.create_member(op, org_id=org_id, name=f"{role} {org_id[-4:]}", roles=[role]).id
        )

    return World(cast, member(cast.org_a, "reviewer"), member(cast.org_c, "analyst"), cast.analyst_d)


def _asset(hub: Hub, by: Actor, handle: str, sensitive: str | None = None, **extra: Any) -> Asset:
    body: dict[str, Any] = {"platform": "x", "kind": "account", "handle": handle, **extra}
    if sensitive:
        body["sensitive"] = sensitive
    return hub.create(by, Asset, body)


def _fresh(hub: Hub, *actors: Actor) -> list[Actor]:
    """The actors again, with the forums opened since they were made."""
    return [hub.admin.actor(a.member.id) for a in actors]


def _events(hub: Hub, action: str) -> list[Any]:
    return [e for e in hub.audit.events(hub.operator(), limit=10_000) if e.action == action]


# -- sensitive targets: a second reviewer -----------------------------------------------------------------


def test_an_action_on_a_sensitive_target_waits_for_a_second_reviewer(world: World) -> None:
    hub, a = world.cast.hub, world.cast.analyst_a
    journalist = _asset(hub, a, "@reporter", "journalist")
    action = hub.create(a, Action, {"kind": "remove", "asset_ids": [journalist.id]})
    assert action.status is ActionStatus.PROPOSED and action.approved_by is None
    assert [e.subject_id for e in _events(hub, "action.second_review_required")] == [action.id]

    # Not enforced until a second reviewer approves: neither taken nor approved by an update.
    with pytest.raises(PermissionDenied, match="second reviewer"):
        hub.update(a, Action, action.id, {"status": "taken"})
    with pytest.raises(PermissionDenied, match="approve"):
        hub.update(a, Action, action.id, {"status": "approved"})
    with pytest.raises(ValidationError, match="set by the hub"):
        hub.update(a, Action, action.id, {"approved_by": world.reviewer_a.member.id})
    assert hub.get(a, Action, action.id).status is ActionStatus.PROPOSED

    approved = hub.safeguards.approve_action(world.reviewer_a, action.id, "checked the evidence twice")
    assert approved.status is ActionStatus.APPROVED
    assert approved.approved_by == world.reviewer_a.member.id
    assert approved.approval_note == "checked the evidence twice"
    (event,) = _events(hub, "action.approve")
    assert event.subject_id == action.id and event.actor == world.reviewer_a.member.id
    assert event.detail["sensitive"] == ["journalist"]

    taken = hub.update(a, Action, action.id, {"status": "taken"})
    assert taken.status is ActionStatus.TAKEN and taken.approved_by == world.reviewer_a.member.id


def test_the_proposer_cannot_approve_its_own_action(world: World) -> None:
    hub, a = world.cast.hub, world.cast.analyst_a
    activist = _asset(hub, a, "@organiser", "activist")
    action = hub.create(a, Action, {"kind": "label", "asset_ids": [activist.id]})
    with pytest.raises(PermissionDenied, match="not the member who proposed it"):
        hub.safeguards.approve_action(a, action.id)
    assert hub.get(a, Action, action.id).status is ActionStatus.PROPOSED


def test_a_sensitive_action_cannot_be_created_enforced(world: World) -> None:
    hub, a = world.cast.hub, world.cast.analyst_a
    candidate = _asset(hub, a, "@candidate", "candidate")
    for status in ("taken", "approved"):
        with pytest.raises(PermissionDenied):
            hub.create(a, Action, {"kind": "remove", "asset_ids": [candidate.id], "status": status})
    with pytest.raises(ValidationError, match="set by the hub"):
        hub.create(
            a,
            Action,
            {"kind": "remove", "asset_ids": [candidate.id], "approved_by": world.reviewer_a.member.id},
        )
    assert hub.list(a, Action).items == []


def test_only_a_reviewer_analyst_or_admin_of_the_owner_with_write_approves(world: World) -> None:
    hub, a = world.cast.hub, world.cast.analyst_a
    figure = _asset(hub, a, "@figure", "public-figure")
    action = hub.create(
        a, Action, {"kind": "remove", "asset_ids": [figure.id], "forum_id": world.cast.forum_id}
    )
    read_only = hub.admin.actor(world.reviewer_a.member.id, scopes=[Scope.READ])
    for who in (world.cast.reader_a, read_only, world.cast.analyst_b):
        with pytest.raises(PermissionDenied):
            hub.safeguards.approve_action(who, action.id)
    with pytest.raises(NotFound):
        hub.safeguards.approve_action(
            world.analyst_d, action.id
        )  # outside the forum: it does not see the action
    with pytest.raises(PermissionDenied):
        hub.safeguards.approve_action(hub.operator(), action.id)
    assert hub.get(a, Action, action.id).status is ActionStatus.PROPOSED
    assert hub.safeguards.approve_action(world.reviewer_a, action.id).status is ActionStatus.APPROVED
    with pytest.raises(PermissionDenied, match="only a proposed action"):
        hub.safeguards.approve_action(world.reviewer_a, action.id)


def test_actions_on_ordinary_assets_are_taken_as_before(world: World) -> None:
    hub, a = world.cast.hub, world.cast.analyst_a
    troll = _asset(hub, a, "@troll")
    action = hub.create(a, Action, {"kind": "remove", "asset_ids": [troll.id], "asset_count": 1})
    assert action.status is ActionStatus.TAKEN and action.approved_by is None
    assert _events(hub, "action.second_review_required") == []
    # Approved is a second reviewer's word, for any action: never written by a create or an update.
    with pytest.raises(PermissionDenied, match="approve"):
        hub.create(a, Action, {"kind": "label", "asset_ids": [troll.id], "status": "approved"})
    with pytest.raises(PermissionDenied, match="approve"):
        hub.update(a, Action, action.id, {"status": "approved"})
    proposed = hub.create(a, Action, {"kind": "label", "asset_ids": [troll.id], "status": "proposed"})
    assert hub.update(a, Action, proposed.id, {"status": "taken"}).status is ActionStatus.TAKEN


def test_a_sensitive_target_added_to_an_approved_action_is_refused(world: World) -> None:
    hub, a = world.cast.hub, world.cast.analyst_a
    first = _asset(hub, a, "@journalist", "journalist")
    second = _asset(hub, a, "@defender", "human-rights-defender")
    action = hub.create(a, Action, {"kind": "remove", "asset_ids": [first.id]})
    hub.safeguards.approve_action(world.reviewer_a, action.id)
    with pytest.raises(PermissionDenied, match="did not cover"):
        hub.update(a, Action, action.id, {"asset_ids": [first.id, second.id]})
    # Back to proposed, the approval goes: a second review covers the new assets.
    back = hub.update(a, Action, action.id, {"status": "proposed", "asset_ids": [first.id, second.id]})
    assert back.status is ActionStatus.PROPOSED and back.approved_by is None
    assert hub.safeguards.approve_action(world.reviewer_a, action.id).status is ActionStatus.APPROVED


def test_a_flag_set_later_holds_new_enforcement_not_old_records(world: World) -> None:
    hub, a = world.cast.hub, world.cast.analyst_a
    asset = _asset(hub, a, "@later")
    taken = hub.create(a, Action, {"kind": "remove", "asset_ids": [asset.id]})
    hub.update(a, Asset, asset.id, {"sensitive": "elected-official"})
    assert hub.update(a, Action, taken.id, {"note": "appeal pending"}).note == "appeal pending"
    with pytest.raises(PermissionDenied, match="second reviewer"):
        hub.create(a, Action, {"kind": "label", "asset_ids": [asset.id], "status": "taken"})
    other = hub.create(a, Action, {"kind": "label", "asset_ids": [_asset(hub, a, "@plain").id]})
    with pytest.raises(PermissionDenied, match="second reviewer"):
        hub.update(a, Action, other.id, {"asset_ids": [*other.asset_ids, asset.id]})


def test_an_unreadable_assets_flag_is_no_oracle(world: World) -> None:
    hub = world.cast.hub
    hidden = _asset(hub, world.cast.analyst_b, "@their-journalist", "journalist", marking={"tlp": "amber"})
    action = hub.create(world.cast.analyst_a, Action, {"kind": "remove", "asset_ids": [hidden.id]})
    # B's AMBER asset in no forum is not A's to see: A learns nothing of it, as for an unknown id.
    assert action.status is ActionStatus.TAKEN


# -- shared signals: human review before enforcement ------------------------------------------------------


def _shared_signal(hub: Hub, by: Actor, forum_id: str, value: str = "bad-news.example") -> Signal:
    return hub.create(by, Signal, {"kind": "domain", "value": value, "forum_id": forum_id})


def _forum_share(signal: Signal, **extra: Any) -> dict[str, Any]:
    return {"kind": "remove", "lead_source": "forum-share", "lead_ref": signal.id, "asset_count": 3, **extra}


def test_enforcing_on_a_shared_signal_needs_a_confirmed_match(world: World) -> None:
    hub, a = world.cast.hub, world.cast.analyst_a
    signal = _shared_signal(hub, world.cast.analyst_b, world.cast.forum_id)
    with pytest.raises(PermissionDenied, match="human review"):
        hub.create(a, Action, _forum_share(signal))

    hub.match(a, [{"kind": "domain", "value": signal.value}], record=True)
    (match,) = hub.list(a, Match, where={"owner_org": world.cast.org_a}).items
    with pytest.raises(PermissionDenied, match="human review"):
        hub.create(a, Action, _forum_share(signal))  # pending is not reviewed
    hub.matching.review(world.reviewer_a, match.id, MatchStatus.REJECTED)
    with pytest.raises(PermissionDenied, match="human review"):
        hub.create(a, Action, _forum_share(signal))  # rejected is not confirmed

    hub.matching.review(world.reviewer_a, match.id, MatchStatus.CONFIRMED)
    assert hub.create(a, Action, _forum_share(signal)).status is ActionStatus.TAKEN


def test_another_organisations_confirmed_match_does_not_count(world: World) -> None:
    hub = world.cast.hub
    signal = _shared_signal(hub, world.cast.analyst_a, world.cast.forum_id)
    hub.match(world.analyst_c, [{"kind": "domain", "value": signal.value}], record=True)
    (match,) = hub.list(world.analyst_c, Match, where={"owner_org": world.cast.org_c}).items
    hub.matching.review(world.analyst_c, match.id, MatchStatus.CONFIRMED)
    with pytest.raises(PermissionDenied, match="human review"):
        hub.create(world.cast.analyst_b, Action, _forum_share(signal))
    assert hub.create(world.analyst_c, Action, _forum_share(signal)).status is ActionStatus.TAKEN


def test_a_forum_that_waives_review_allows_enforcement_without_a_match(world: World) -> None:
    hub, cast = world.cast.hub, world.cast
    forum = hub.admin.create_forum(
        hub.operator(), name="Fast lane", member_orgs=[cast.org_a, cast.org_b], human_review_required=False
    )
    a, b = _fresh(hub, cast.analyst_a, cast.analyst_b)
    signal = _shared_signal(hub, b, forum.id, "fast.example")
    assert hub.create(a, Action, _forum_share(signal)).status is ActionStatus.TAKEN


def test_a_proposal_needs_no_review_but_its_approval_does(world: World) -> None:
    hub, a = world.cast.hub, world.cast.analyst_a
    signal = _shared_signal(hub, world.cast.analyst_b, world.cast.forum_id)
    proposed = hub.create(a, Action, _forum_share(signal, status="proposed"))
    with pytest.raises(PermissionDenied, match="human review"):
        hub.safeguards.approve_action(world.reviewer_a, proposed.id)
    with pytest.raises(PermissionDenied, match="human review"):
        hub.update(a, Action, proposed.id, {"status": "taken"})
    hub.match(a, [{"kind": "domain", "value": signal.value}], record=True)
    (match,) = hub.list(a, Match).items
    hub.matching.review(world.reviewer_a, match.id, MatchStatus.CONFIRMED)
    assert hub.safeguards.approve_action(world.reviewer_a, proposed.id).status is ActionStatus.APPROVED


def test_another_organisations_signal_is_a_shared_lead_whatever_the_label(world: World) -> None:
    hub, a = world.cast.hub, world.cast.analyst_a
    signal = _shared_signal(hub, world.cast.analyst_b, world.cast.forum_id)
    with pytest.raises(PermissionDenied, match="human review"):
        hub.create(a, Action, _forum_share(signal, lead_source="internal"))
    own = _shared_signal(hub, a, world.cast.forum_id, "own.example")
    assert hub.create(a, Action, _forum_share(own, lead_source="internal")).status is ActionStatus.TAKEN


def test_a_hidden_signal_answers_as_an_unknown_one(world: World) -> None:
    hub, cast = world.cast.hub, world.cast
    waived = hub.admin.create_forum(
        hub.operator(), name="Waived", member_orgs=[cast.org_b, cast.org_d], human_review_required=False
    )
    (b,) = _fresh(hub, cast.analyst_b)
    hidden = _shared_signal(hub, b, waived.id, "hidden.example")
    # A is not in that forum: the waiver is not A's to learn of, so A's action needs a review, as for an
    # unknown signal id.
    for ref in (hidden.id, "signal--00000000-0000-4000-8000-000000000000"):
        with pytest.raises(PermissionDenied, match="human review"):
            hub.create(
                cast.analyst_a, Action, {"kind": "remove", "lead_source": "forum-share", "lead_ref": ref}
            )


# -- overturns reach everyone who acted on the same signal --------------------------------------------------


def _acted_world(world: World) -> tuple[Signal, dict[str, Action]]:
    """B shares a signal in a forum that waives review; A and C act on it through the forum; D, outside the
    forum, acts on it from its own detection; B (the sharer) does not act."""
    hub, cast = world.cast.hub, world.cast
    forum = hub.admin.create_forum(
        hub.operator(),
        name="Waived review",
        member_orgs=[cast.org_a, cast.org_b, cast.org_c],
        human_review_required=False,
        default_tlp="green",
    )
    cast.analyst_a, cast.analyst_b = _fresh(hub, cast.analyst_a, cast.analyst_b)
    (world.analyst_c,) = _fresh(hub, world.analyst_c)
    signal = _shared_signal(hub, cast.analyst_b, forum.id, "overturned.example")
    actions = {
        "A": hub.create(cast.analyst_a, Action, _forum_share(signal, marking={"tlp": "amber+strict"})),
        "C": hub.create(world.analyst_c, Action, _forum_share(signal, marking={"tlp": "amber+strict"})),
        "D": hub.create(
            world.analyst_d, Action, _forum_share(signal, lead_source="internal", marking={"tlp": "red"})
        ),
    }
    return signal, actions


def _notices(hub: Hub, by: Actor, signal: Signal) -> list[Feedback]:
    return [
        f
        for f in hub.list(by, Feedback, where={"subject_id": signal.id}).items
        if f.purpose == NOTICE_PURPOSE
    ]


def test_an_overturn_reaches_exactly_the_organisations_that_acted_on_the_signal(world: World) -> None:
    hub, cast = world.cast.hub, world.cast
    signal, actions = _acted_world(world)
    feedback = hub.create(
        cast.analyst_a,
        Feedback,
        {
            "subject_id": actions["A"].id,
            "kind": "overturned",
            "comment": "appeal upheld: the account belongs to a local newspaper",
            "marking": {"tlp": "red"},
        },
    )
    # The overturning organisation's own action is overturned with it.
    assert hub.get(cast.analyst_a, Action, actions["A"].id).status is ActionStatus.OVERTURNED

    every = hub.list(hub.operator(), Feedback, where={"subject_id": signal.id}).items
    assert sorted(n.owner_org for n in every) == sorted([cast.org_c, cast.org_d])
    for notice in every:
        assert notice.purpose == NOTICE_PURPOSE and notice.kind is FeedbackKind.OVERTURNED
        assert notice.marking.tlp is TLP.AMBER_STRICT and notice.marking.recipient_orgs == ()
        assert notice.forum_id is None and notice.created_by is None
        # Nothing of the original: not its comment, not who wrote it, not who else was told.
        text = notice.model_dump_json()
        for leak in (feedback.comment, feedback.id, cast.org_a, cast.analyst_a.member.id, actions["A"].id):
            assert leak not in text
        (other,) = {cast.org_c, cast.org_d} - {notice.owner_org}
        assert other not in text

    # Each organisation that acted reads its own notice, and no other.
    assert [n.owner_org for n in _notices(hub, world.analyst_c, signal)] == [cast.org_c]
    assert [n.owner_org for n in _notices(hub, world.analyst_d, signal)] == [cast.org_d]
    # The notifier does not learn who else acted; the sharer, who did not act, is told nothing.
    assert _notices(hub, cast.analyst_a, signal) == []
    assert _notices(hub, cast.analyst_b, signal) == []
    notice_c = _notices(hub, world.analyst_c, signal)[0]
    for outsider in (cast.analyst_a, cast.analyst_b, world.analyst_d):
        with pytest.raises(NotFound):
            hub.get(outsider, Feedback, notice_c.id)

    (event,) = _events(hub, "feedback.notice")
    assert event.subject_id == feedback.id and sorted(event.detail["recipients"]) == sorted(
        [cast.org_c, cast.org_d]
    )


def test_a_dispute_about_a_signal_one_acted_on_reaches_the_others(world: World) -> None:
    hub, cast = world.cast.hub, world.cast
    signal, _ = _acted_world(world)
    hub.create(world.analyst_c, Feedback, {"subject_id": signal.id, "kind": "disputed"})
    every = hub.list(hub.operator(), Feedback, where={"subject_id": signal.id}).items
    notices = [f for f in every if f.purpose == NOTICE_PURPOSE]
    assert sorted(n.owner_org for n in notices) == sorted([cast.org_a, cast.org_d])
    assert all(n.kind is FeedbackKind.DISPUTED for n in notices)


def test_feedback_from_an_organisation_that_did_not_act_sends_no_notice(world: World) -> None:
    hub, cast = world.cast.hub, world.cast
    signal, _ = _acted_world(world)
    hub.create(cast.analyst_b, Feedback, {"subject_id": signal.id, "kind": "disputed"})
    hub.create(cast.analyst_a, Feedback, {"subject_id": signal.id, "kind": "seen"})
    every = hub.list(hub.operator(), Feedback, where={"subject_id": signal.id}).items
    assert [f for f in every if f.purpose == NOTICE_PURPOSE] == []
    assert _events(hub, "feedback.notice") == []


def test_feedback_changed_into_an_overturn_sends_the_notices(world: World) -> None:
    hub, cast = world.cast.hub, world.cast
    signal, actions = _acted_world(world)
    seen = hub.create(world.analyst_c, Feedback, {"subject_id": actions["C"].id, "kind": "acted"})
    assert _notices(hub, cast.analyst_a, signal) == []
    hub.update(world.analyst_c, Feedback, seen.id, {"kind": "overturned"})
    assert [n.owner_org for n in _notices(hub, cast.analyst_a, signal)] == [cast.org_a]
    assert [n.owner_org for n in _notices(hub, world.analyst_d, signal)] == [cast.org_d]
    hub.update(world.analyst_c, Feedback, seen.id, {"comment": "the appeal's reference"})
    assert len(_notices(hub, cast.analyst_a, signal)) == 1  # told once


def test_an_overturn_of_an_action_one_may_not_see_tells_nobody(world: World) -> None:
    hub, cast = world.cast.hub, world.cast
    signal, actions = _acted_world(world)
    # D's action is RED: B cannot see it, so B's feedback on its id is about nothing B knows.
    hub.create(cast.analyst_b, Feedback, {"subject_id": actions["D"].id, "kind": "overturned"})
    assert hub.list(hub.operator(), Feedback, where={"subject_id": signal.id}).items == []
    assert hub.get(hub.operator(), Action, actions["D"].id).status is ActionStatus.TAKEN


# -- government requests ------------------------------------------------------------------------------------


def test_a_government_request_is_logged_and_refused_by_default(world: World) -> None:
    hub, admin = world.cast.hub, world.cast.admin_o
    logged = hub.government.log(
        admin,
        authority="Ministry of Interior",
        legal_basis="Art. 12 Police Act",
        scope="all signals",
        reference="R-1",
    )
    assert logged.decision.value == "refused"
    assert [d["decision"] for d in logged.decisions] == ["refused"]
    (received,) = _events(hub, "government_request.received")
    (decided,) = _events(hub, "government_request.decided")
    assert received.subject_id == decided.subject_id == logged.id
    assert received.detail["authority"] == "Ministry of Interior" and decided.detail["decision"] == "refused"
    assert [r.id for r in hub.government.requests(admin)] == [logged.id]


def test_only_hub_admins_keep_the_register(world: World) -> None:
    hub, cast = world.cast.hub, world.cast
    logged = hub.government.log(cast.admin_o, authority="A police", legal_basis="X", scope="members")
    org_admin = hub.admin.actor(
        hub.admin.create_member(hub.operator(), org_id=cast.org_a, name="adm", roles=["admin"]).id
    )
    for who in (cast.analyst_a, org_admin):
        with pytest.raises(PermissionDenied):
            hub.government.log(who, authority="A police", legal_basis="X", scope="members")
        with pytest.raises(PermissionDenied):
            hub.government.decide(who, logged.id, "disclosed", "because")
        with pytest.raises(PermissionDenied):
            hub.government.requests(who)
    assert [r.decision.value for r in hub.government.requests(cast.admin_o)] == ["refused"]


def test_a_disclosure_needs_a_written_justification_and_a_legal_basis(world: World) -> None:
    hub, admin = world.cast.hub, world.cast.admin_o
    logged = hub.government.log(admin, authority="Court", legal_basis="Order 2025/17", scope="signal X")
    for blank in ("", "   "):
        with pytest.raises(ValidationError, match="justification"):
            hub.government.decide(admin, logged.id, "disclosed", blank)
    with pytest.raises(ValidationError, match="decision"):
        hub.government.decide(admin, logged.id, "maybe", "why not")
    with pytest.raises(NotFound):
        hub.government.decide(admin, "government-request--nope", "refused")
    decided = hub.government.decide(
        admin, logged.id, "disclosed", "Court order served; the signal is our own, already public"
    )
    assert decided.decision.value == "disclosed"
    assert [d["decision"] for d in decided.decisions] == ["refused", "disclosed"]
    last = _events(hub, "government_request.decided")[-1]
    assert last.actor == admin.member.id
    assert last.detail == {
        "decision": "disclosed",
        "justification": "Court order served; the signal is our own, already public",
    }
    without_basis = hub.government.log(admin, authority="Agency", legal_basis="", scope="everything")
    with pytest.raises(ValidationError, match="legal basis"):
        hub.government.decide(admin, without_basis.id, "disclosed", "they insisted")
    assert [r.decision.value for r in hub.government.requests(admin)] == ["disclosed", "refused"]


def test_a_request_needs_an_authority_and_a_scope(world: World) -> None:
    hub, admin = world.cast.hub, world.cast.admin_o
    with pytest.raises(ValidationError, match="authority"):
        hub.government.log(admin, authority=" ", legal_basis="", scope="x")
    with pytest.raises(ValidationError, match="scope"):
        hub.government.log(admin, authority="x", legal_basis="", scope="")
    assert _events(hub, "government_request.received") == []


# -- public authorities -----------------------------------------------------------------------------------


def test_public_authorities_read_only_clear_unless_the_forum_allows(world: World) -> None:
    hub, cast = world.cast.hub, world.cast
    op = hub.operator()
    gov = hub.admin.create_organisation(op, name="Agency", kind="public-authority")
    closed = hub.admin.create_forum(op, name="Closed", member_orgs=[cast.org_b, gov.id], default_tlp="green")
    opened = hub.admin.create_forum(
        op, name="Open", member_orgs=[cast.org_b, gov.id], default_tlp="green", public_authority_access=True
    )
    analyst = hub.admin.actor(
        hub.admin.create_member(op, org_id=gov.id, name="gov analyst", roles=["analyst"]).id
    )
    (b,) = _fresh(hub, cast.analyst_b)
    in_closed = _shared_signal(hub, b, closed.id, "closed.example")
    named = hub.create(
        b,
        Signal,
        {"kind": "domain", "value": "named.example", "marking": {"tlp": "amber", "recipient_orgs": [gov.id]}},
    )
    clear = hub.create(b, Signal, {"kind": "domain", "value": "clear.example", "marking": {"tlp": "clear"}})
    in_open = _shared_signal(hub, b, opened.id, "open.example")
    own = hub.create(analyst, Signal, {"kind": "domain", "value": "own.example"})

    for hidden in (in_closed, named):
        with pytest.raises(NotFound):
            hub.get(analyst, Signal, hidden.id)
    seen = {s.id for s in hub.list(analyst, Signal).items}
    assert seen == {clear.id, in_open.id, own.id}
    # Matching answers from the same decision: nothing of the closed forum's signal reaches the authority.
    (answer,) = hub.match(analyst, [{"kind": "domain", "value": "closed.example"}])
    assert answer.matches == []
    # Another kind of organisation in the same closed forum reads it as before.
    platform = hub.admin.create_organisation(op, name="Platform E", kind="platform")
    hub.admin.set_forum_membership(op, closed.id, platform.id)
    e = hub.admin.actor(hub.admin.create_member(op, org_id=platform.id, name="e", roles=["analyst"]).id)
    assert hub.get(e, Signal, in_closed.id).id == in_closed.id


# -- TAXII posts are writes like any other ------------------------------------------------------------------


def test_actions_posted_over_taxii_are_held_to_the_same_safeguards(world: World) -> None:
    hub, cast = world.cast.hub, world.cast
    a = cast.analyst_a
    journalist = _asset(hub, a, "@posted-journalist", "journalist")
    signal = _shared_signal(hub, cast.analyst_b, cast.forum_id, "posted.example")
    now = hub.clock()
    common: dict[str, Any] = {
        "owner_org": cast.org_a,
        "created_by": a.member.id,
        "created_at": now,
        "modified_at": now,
        "forum_id": cast.forum_id,
        "marking": {"tlp": "green"},
        "kind": "remove",
        "status": "taken",
    }
    sensitive = Action(
        id=new_id("action"), asset_ids=(journalist.id,), approved_by=a.member.id, approved_at=now, **common
    )
    unreviewed = Action(id=new_id("action"), lead_source="forum-share", lead_ref=signal.id, **common)
    status = hub.taxii.add(a, cast.forum_id.removeprefix("forum--"), to_stix_objects([sensitive, unreviewed]))
    assert not [f for f in status.failures if f.id.startswith("sighting--")]
    for posted in (sensitive, unreviewed):
        held = hub.get(a, Action, posted.id)
        # Kept, but as a proposal: enforcing it needs the reviews a post cannot claim to have had.
        assert held.status is ActionStatus.PROPOSED and held.approved_by is None
    with pytest.raises(PermissionDenied, match="human review"):
        hub.safeguards.approve_action(world.reviewer_a, unreviewed.id)
    assert hub.safeguards.approve_action(world.reviewer_a, sensitive.id).status is ActionStatus.APPROVED
