"""The pure safeguard rules (fimihub.policy.safeguards): second review of sensitive targets, human review of
shared signals, who an overturn reaches, and decisions on government requests."""

from __future__ import annotations

from typing import Any

import pytest

from fimihub.model import (
    PAP,
    TLP,
    Action,
    ActionStatus,
    Feedback,
    Forum,
    Marking,
    Member,
    Organisation,
    OrganisationKind,
    Role,
    Scope,
    Signal,
    SignalKind,
)
from fimihub.policy import Actor
from fimihub.policy.safeguards import (
    GovernmentDecision,
    acted_signal,
    approval_refusal,
    government_decision_refusal,
    notice_marking,
    notice_recipients,
    review_refusal,
    second_review_refusal,
    status_change_refusal,
)

FORUM = Forum(id="f", name="F", member_orgs=frozenset({"org-a", "org-b"}))
WAIVED = FORUM.evolve(human_review_required=False)
SIGNAL = Signal(id="signal--1", owner_org="org-b", forum_id="f", kind=SignalKind.DOMAIN, value="x.example")


def actor(member_id: str = "m-reviewer", *roles: Role, org: str = "org-a", scopes: Any = None) -> Actor:
    member = Member(id=member_id, org_id=org, name=member_id, roles=frozenset(roles or {Role.REVIEWER}))
    return Actor.of(member, Organisation(id=org, name=org, kind=OrganisationKind.PLATFORM), [FORUM], scopes)


def action(**fields: Any) -> Action:
    base: dict[str, Any] = {
        "id": "action--1",
        "owner_org": "org-a",
        "kind": "remove",
        "created_by": "m-proposer",
    }
    return Action(**{**base, **fields})


# -- second review ------------------------------------------------------------------------------------------


def test_a_sensitive_action_is_enforced_only_with_a_second_reviewers_approval() -> None:
    for status in (ActionStatus.APPROVED, ActionStatus.TAKEN):
        assert second_review_refusal(action(status=status), sensitive=True) is not None
        assert second_review_refusal(action(status=status, approved_by="m-proposer"), sensitive=True)
        assert second_review_refusal(action(status=status, approved_by="m-reviewer"), sensitive=True) is None
        assert second_review_refusal(action(status=status), sensitive=False) is None
    for status in (ActionStatus.PROPOSED, ActionStatus.OVERTURNED):
        assert second_review_refusal(action(status=status), sensitive=True) is None


def test_the_proposer_never_approves() -> None:
    proposed = action(status=ActionStatus.PROPOSED)
    assert approval_refusal(actor("m-proposer", Role.ANALYST), proposed) is not None
    for role in (Role.REVIEWER, Role.ANALYST, Role.ADMIN):
        assert approval_refusal(actor("m-second", role), proposed) is None


def test_approvers_are_reviewers_of_the_owner_with_the_write_scope() -> None:
    proposed = action(status=ActionStatus.PROPOSED)
    assert approval_refusal(actor("m-r", Role.READER), proposed) is not None
    assert approval_refusal(actor("m-p", Role.PARTNER_REPORTER), proposed) is not None
    assert approval_refusal(actor("m-x", Role.REVIEWER, org="org-b"), proposed) is not None
    assert approval_refusal(actor("m-t", Role.REVIEWER, scopes=frozenset({Scope.READ})), proposed) is not None
    assert approval_refusal(actor("m-t", Role.REVIEWER, scopes=frozenset({Scope.WRITE})), proposed) is None


def test_only_a_proposed_action_is_approved() -> None:
    for status in (ActionStatus.APPROVED, ActionStatus.TAKEN, ActionStatus.OVERTURNED):
        assert approval_refusal(actor(), action(status=status)) is not None


def test_approved_is_reached_only_by_approving() -> None:
    for before in (None, ActionStatus.PROPOSED, ActionStatus.TAKEN):
        assert status_change_refusal(before, ActionStatus.APPROVED) is not None
    assert status_change_refusal(ActionStatus.APPROVED, ActionStatus.APPROVED) is None
    assert status_change_refusal(None, ActionStatus.TAKEN) is None
    assert status_change_refusal(ActionStatus.APPROVED, ActionStatus.TAKEN) is None


# -- human review of shared signals -----------------------------------------------------------------------


def shared(**fields: Any) -> Action:
    return action(**{"lead_source": "forum-share", "lead_ref": SIGNAL.id, **fields})


def test_enforcing_on_a_shared_signal_needs_a_confirmed_match() -> None:
    assert review_refusal(shared(), signal=SIGNAL, signal_forum=FORUM, confirmed_match=False) is not None
    assert review_refusal(shared(), signal=SIGNAL, signal_forum=FORUM, confirmed_match=True) is None


def test_a_forum_may_waive_the_review() -> None:
    assert review_refusal(shared(), signal=SIGNAL, signal_forum=WAIVED, confirmed_match=False) is None


def test_an_unknown_or_hidden_signal_is_of_unknown_provenance() -> None:
    # The waiver of a forum the actor cannot see does not count: no answer depends on it.
    assert review_refusal(shared(), signal=None, signal_forum=WAIVED, confirmed_match=False) is not None
    assert review_refusal(shared(), signal=None, signal_forum=None, confirmed_match=True) is None


def test_a_proposal_needs_no_review_yet() -> None:
    for status in (ActionStatus.PROPOSED, ActionStatus.OVERTURNED):
        assert (
            review_refusal(shared(status=status), signal=SIGNAL, signal_forum=FORUM, confirmed_match=False)
            is None
        )


def test_another_organisations_signal_is_shared_whatever_the_lead_source() -> None:
    internal = shared(lead_source="internal")
    assert review_refusal(internal, signal=SIGNAL, signal_forum=FORUM, confirmed_match=False) is not None
    own = SIGNAL.evolve(owner_org="org-a")
    assert review_refusal(internal, signal=own, signal_forum=FORUM, confirmed_match=False) is None
    copy = own.evolve(copied_from_org="org-b")
    assert review_refusal(internal, signal=copy, signal_forum=FORUM, confirmed_match=False) is not None
    # Without a signal in lead_ref the rule has nothing to hold the action to.
    assert acted_signal(action(lead_source="forum-share", lead_ref="operation--1")) is None
    assert (
        review_refusal(
            action(lead_source="forum-share"), signal=None, signal_forum=None, confirmed_match=False
        )
        is None
    )


# -- notices -------------------------------------------------------------------------------------------------


def test_an_overturn_reaches_every_other_organisation_that_acted_once() -> None:
    acting = ["org-c", "org-a", "org-d", "org-c", "org-a"]
    assert notice_recipients("org-a", acting) == ["org-c", "org-d"]
    assert notice_recipients("org-z", []) == []


def test_a_notice_is_for_its_owner_alone_and_keeps_the_pap() -> None:
    original = Feedback(
        id="feedback--1",
        owner_org="org-a",
        subject_id="action--1",
        kind="overturned",
        marking=Marking(tlp=TLP.GREEN, pap=PAP.RED),
    )
    marking = notice_marking(original)
    assert marking.tlp is TLP.AMBER_STRICT
    assert marking.recipient_orgs == () and marking.recipient_members == ()
    assert marking.pap is PAP.RED


# -- government requests --------------------------------------------------------------------------------


@pytest.mark.parametrize("justification", ["", "   \n"])
def test_a_disclosure_needs_a_written_justification(justification: str) -> None:
    refusal = government_decision_refusal(
        GovernmentDecision.DISCLOSED, justification=justification, legal_basis="Art. 5"
    )
    assert refusal is not None and "justification" in refusal


def test_a_disclosure_needs_a_stated_legal_basis() -> None:
    refusal = government_decision_refusal(
        GovernmentDecision.DISCLOSED, justification="court order", legal_basis=""
    )
    assert refusal is not None and "legal basis" in refusal
    assert (
        government_decision_refusal(
            GovernmentDecision.DISCLOSED, justification="court order", legal_basis="X"
        )
        is None
    )


def test_refusing_needs_nothing() -> None:
    assert government_decision_refusal(GovernmentDecision.REFUSED, justification="", legal_basis="") is None
