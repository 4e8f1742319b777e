"""Safeguards: the human-rights and due-process checks that sit between a shared signal and an action.

"No enforcement on a shared signal without human review, unless a forum explicitly allows it" (DESIGN,
privacy by design). A match on something a peer shared is a lead, not a verdict: a person reviews it first.

The rules here decide; they read no clock and no store. The hub looks up what they need (the assets an action
names, the signal it acted on and that signal's forum, the organisation's confirmed matches) and passes it in:

- **Sensitive targets.** An action that names an asset flagged ``sensitive`` (a journalist, an activist, a
  candidate, a public figure …) is enforced only once a second member of its organisation — not the one
  who proposed it, with a reviewer, analyst or admin role and the ``write`` scope — approved it
  (:func:`second_review_refusal`, :func:`approval_refusal`).
- **Human review of shared signals.** An action whose lead is a signal shared through a forum is enforced
  only when the organisation confirmed a match of that signal in its review queue, unless the signal's forum
  waives review (:func:`review_refusal`, :func:`may_enforce_without_review`).
- **Overturns travel.** Feedback that disputes or overturns an action reaches every other organisation that
  acted on the same signal, as a notice that organisation owns and alone reads (:func:`notice_recipients`,
  :func:`notice_marking`).
- **Government requests** for data held in the hub are refused unless a hub admin records a disclosure with
  a written justification (:func:`government_decision_refusal`).
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from fimihub.model import (
    TLP,
    Action,
    ActionStatus,
    Feedback,
    FeedbackKind,
    Forum,
    LeadSource,
    Marking,
    Signal,
)
from fimihub.policy.access import Actor, may_review

__all__ = [
    "NOTICE_KINDS",
    "GovernmentDecision",
    "acted_signal",
    "approval_refusal",
    "government_decision_refusal",
    "may_enforce_without_review",
    "notice_marking",
    "notice_recipients",
    "review_refusal",
    "second_review_refusal",
    "status_change_refusal",
]

#: The kinds of feedback that reach every organisation that acted on the same signal.
NOTICE_KINDS = frozenset({FeedbackKind.OVERTURNED, FeedbackKind.DISPUTED})
_SIGNAL_PREFIX = "signal--"


class GovernmentDecision(StrEnum):
    """What became of a request from a public authority for data held in the hub."""

    REFUSED = "refused"  # the default
    DISCLOSED = "disclosed"  # a hub admin's decision, with a written justification


def may_enforce_without_review(forum: Forum | None) -> bool:
    """Whether a match on a signal from ``forum`` may be enforced without a human review.

    Only a known forum that has switched ``human_review_required`` off allows it; an unknown forum (or none:
    a signal of unknown provenance) always needs review.
    """
    return forum is not None and not forum.human_review_required


def acted_signal(action: Action) -> str | None:
    """The signal ``action`` says it acted on (its ``lead_ref``, when that names a signal)."""
    ref = action.lead_ref
    return ref if ref is not None and ref.startswith(_SIGNAL_PREFIX) else None


def review_refusal(
    action: Action, *, signal: Signal | None, signal_forum: Forum | None, confirmed_match: bool
) -> str | None:
    """Why ``action`` may not be enforced yet for want of a human review of the shared signal it acted on,
    or ``None`` when it may.

    The rule applies to an action that is (to be) enforced — approved or taken — whose ``lead_ref`` names a
    signal and whose lead came through a forum: ``lead_source`` is ``forum-share``, or the signal is another
    organisation's (or a copy of one). ``signal`` is that signal when the acting party may read it
    (``None`` when it is unknown or hidden: then it counts as of unknown provenance, and an unknown signal
    and a hidden one answer alike); ``signal_forum`` its forum; ``confirmed_match`` whether the acting
    organisation's review queue holds a match of that signal that a reviewer confirmed.
    """
    ref = acted_signal(action)
    if ref is None or not action.status.enforcing:
        return None
    shared = action.lead_source is LeadSource.FORUM_SHARE or (
        signal is not None
        and (signal.owner_org != action.owner_org or signal.copied_from_org not in (None, action.owner_org))
    )
    if not shared or confirmed_match:
        return None
    if may_enforce_without_review(signal_forum if signal is not None else None):
        return None
    return (
        f"no enforcement on a shared signal without human review: confirm a match of {ref} in your "
        "organisation's review queue first (POST /api/v1/matches/{id}/review), or record the action as "
        "proposed"
    )


def second_review_refusal(action: Action, *, sensitive: bool) -> str | None:
    """Why ``action`` may not be enforced yet for want of a second reviewer, or ``None``. ``sensitive`` says
    whether it names an asset flagged as a sensitive target."""
    if not sensitive or not action.status.enforcing:
        return None
    if action.approved_by is None or action.approved_by == action.created_by:
        return (
            "this action names a sensitive target (a journalist, activist, candidate, public figure …): it "
            "is enforced only once a second reviewer of your organisation approved it "
            "(POST /api/v1/actions/{id}/approve)"
        )
    return None


def status_change_refusal(before: ActionStatus | None, after: ActionStatus) -> str | None:
    """Why an action may not be written with status ``after`` (``before``: its status until now, ``None``
    for a new one), or ``None``. Approving is its own act: no create or update makes an action approved."""
    if after is ActionStatus.APPROVED and before is not ActionStatus.APPROVED:
        return "an action becomes approved only through a second reviewer (POST /api/v1/actions/{id}/approve)"
    return None


def approval_refusal(actor: Actor, action: Action) -> str | None:
    """Why ``actor`` may not approve ``action``, or ``None`` when it may: a member of the owner organisation
    with a reviewer, analyst or admin role and the ``write`` scope, who did not propose it, approves a
    proposed action."""
    if not may_review(actor, action):
        return (
            "only reviewers, analysts and admins of its organisation (with the write scope) approve an action"
        )
    if action.created_by is not None and actor.member.id == action.created_by:
        return "a second reviewer approves an action: not the member who proposed it"
    if action.status is not ActionStatus.PROPOSED:
        return f"only a proposed action is approved; this one is {action.status.value}"
    return None


def notice_recipients(notifier_org: str, acting_orgs: Iterable[str]) -> list[str]:
    """The organisations a dispute or overturn by ``notifier_org`` reaches: every organisation that acted on
    the same signal (``acting_orgs``, the owners of actions whose ``lead_ref`` is that signal) but itself,
    each once, in order."""
    return sorted(set(acting_orgs) - {notifier_org})


def notice_marking(original: Feedback) -> Marking:
    """The marking of a notice of ``original``: TLP:AMBER+STRICT with no recipients, on a notice that the
    receiving organisation owns — so that it alone reads it. Not the notifier's: owning one notice per
    organisation that acted, the notifier would read them all and learn who else acted on the signal. The
    original's PAP travels with it. A notice copies nothing of the original but its kind and the signal:
    neither its comment, nor its author, nor its organisation."""
    return Marking(tlp=TLP.AMBER_STRICT, pap=original.marking.pap)


def government_decision_refusal(
    decision: GovernmentDecision, *, justification: str, legal_basis: str
) -> str | None:
    """Why a decision on a government request may not be recorded, or ``None``. Refusing needs nothing;
    disclosing needs a written justification and a request that states its legal basis. (Only hub admins
    decide: the hub checks that before it asks.)"""
    if decision is GovernmentDecision.REFUSED:
        return None
    if not justification.strip():
        return "a disclosure needs a written justification"
    if not legal_basis.strip():
        return "a request that states no legal basis is not disclosed to"
    return None
