"""Human-rights safeguards on the write paths: second review of actions on sensitive targets, human review of
shared signals before enforcement, overturns that reach everyone who acted on the same signal, and the
register of government requests for data.

The rules are :mod:`fimihub.policy.safeguards`; this module looks up what they need inside the writing unit of
work and applies them wherever an action or a feedback record is written: :meth:`~fimihub.Hub.create` and
:meth:`~fimihub.Hub.update` call :meth:`Safeguards.new` / :meth:`Safeguards.changed` /
:meth:`Safeguards.send_notices`, TAXII intake calls :meth:`Safeguards.posted` and
:meth:`Safeguards.posted_written`, and :meth:`Safeguards.approve_action` is the one way an action becomes
approved.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any, TypeVar, cast

from fimihub import policy
from fimihub.errors import NotFound, PermissionDenied, ValidationError
from fimihub.hub.core import Core, audit_event
from fimihub.hub.government import GovernmentRequest
from fimihub.hub.writes import WritePath
from fimihub.model import (
    Action,
    ActionStatus,
    Asset,
    Feedback,
    FeedbackKind,
    Forum,
    Governed,
    Match,
    MatchStatus,
    SensitiveCategory,
    Signal,
    new_id,
    parse,
)
from fimihub.policy import Caller, safeguards
from fimihub.storage import UnitOfWork

__all__ = ["NOTICE_PURPOSE", "GovernmentRequest", "Safeguards"]

G = TypeVar("G", bound=Governed)

#: The ``purpose`` of the notices the hub writes when an action is disputed or overturned.
NOTICE_PURPOSE = "safeguard-notice"
_NOTICE_TEXT = {
    FeedbackKind.OVERTURNED: "An action another organisation took on this signal was overturned on appeal.",
    FeedbackKind.DISPUTED: "An action another organisation took on this signal is disputed.",
}
_FEW_ASSETS = 200  # more than this: the assets are read page by page rather than one by one


class Safeguards:
    """Human-rights safeguards on the write paths, and the register of government requests
    (``hub.safeguards``)."""

    def __init__(self, core: Core, *, writes: WritePath) -> None:
        self.core = core
        self.writes = writes

    # -- second review ----------------------------------------------------------------------------------

    def approve_action(self, by: Caller, action_id: str, note: str = "") -> Action:
        """Approve a proposed action: a member of its organisation other than its proposer, with a reviewer,
        analyst or admin role and the ``write`` scope. An action naming a sensitive target is enforced only
        once approved; approving one whose lead is a shared signal also needs that signal's match confirmed
        (unless its forum waives review). Audited (``action.approve``)."""
        if not isinstance(note, str):
            raise ValidationError("note", "must be a string")
        member = policy.member_only(
            by, "approving an action (a second member of the organisation approves it)"
        )
        now = self.core.clock()
        with self.writes.open(by, publish=True) as uow:
            forums = {f.id: f for f in uow.find(Forum)}
            current = uow.get(Action, action_id)
            if current is None or not policy.may_read(by, current, forums):
                raise NotFound(f"no action {action_id!r}")
            refusal = safeguards.approval_refusal(member, current)
            if refusal is not None:
                raise PermissionDenied(refusal)
            approved = parse(
                Action,
                {
                    **current.model_dump(),
                    "status": ActionStatus.APPROVED,
                    "approved_by": member.member.id,
                    "approved_at": now,
                    "approval_note": note.strip(),
                    "modified_at": now,
                },
            )
            categories = _sensitive(uow, by, approved.asset_ids, forums)
            _refuse(safeguards.second_review_refusal(approved, sensitive=bool(categories)))
            _refuse(self._review_refusal(uow, by, approved, forums))
            uow.update(approved)
            audit_event(
                uow,
                by,
                "action.approve",
                "action",
                action_id,
                {"sensitive": sorted(c.value for c in categories), "note": note.strip()[:2000]},
                now,
            )
        return approved

    # -- hooks of the write paths -----------------------------------------------------------------------

    def new(
        self,
        uow: UnitOfWork,
        by: Caller,
        items: Sequence[Mapping[str, Any]],
        records: list[G],
        forums: Mapping[str, Forum],
    ) -> list[G]:
        """New records as the safeguards let them be stored (called by ``Records.create_many`` before it
        inserts them): an action naming a sensitive target is proposed, and none is enforced without the
        reviews it
        needs (:class:`PermissionDenied` otherwise)."""
        out: list[G] = []
        for data, record in zip(items, records, strict=True):
            if isinstance(record, Action):
                given = isinstance(data, Mapping) and "status" in data
                out.append(
                    cast(G, self._safeguarded_action(uow, by, None, record, forums, status_given=given))
                )
            else:
                out.append(record)
        return out

    def changed(self, uow: UnitOfWork, by: Caller, before: G, after: G, forums: Mapping[str, Forum]) -> G:
        """A changed record as the safeguards let it be stored (called by ``Records.update``)."""
        if isinstance(before, Action) and isinstance(after, Action):
            return cast(G, self._safeguarded_action(uow, by, before, after, forums, status_given=True))
        return after

    def _safeguarded_action(
        self,
        uow: UnitOfWork,
        by: Caller,
        before: Action | None,
        action: Action,
        forums: Mapping[str, Forum],
        *,
        status_given: bool,
    ) -> Action:
        _refuse(safeguards.status_change_refusal(before.status if before else None, action.status))
        if before is not None and action.status is ActionStatus.PROPOSED and before.approved_by is not None:
            # Back to proposed: the approval no longer stands.
            action = action.model_copy(update={"approved_by": None, "approved_at": None, "approval_note": ""})
        added = set(action.asset_ids) - set(before.asset_ids) if before is not None else set()
        # A new action, a new status or new assets are reviewed; an edit of an old action's note is not held
        # to a flag set on its asset since.
        review_due = before is None or before.status is not action.status or bool(added)
        categories = _sensitive(uow, by, action.asset_ids, forums) if review_due else set()
        if categories and before is None and not status_given:
            action = action.model_copy(update={"status": ActionStatus.PROPOSED})
        approved_before = before is not None and before.approved_by is not None
        if (
            approved_before
            and action.status.enforcing
            and added
            and _sensitive(uow, by, tuple(added), forums)
        ):
            raise PermissionDenied(
                "the approval of this action did not cover the sensitive target now added to it: "
                "propose a new action for it"
            )
        _refuse(safeguards.second_review_refusal(action, sensitive=bool(categories)))
        lead_changed = before is None or (
            (before.lead_source, before.lead_ref, before.status.enforcing)
            != (action.lead_source, action.lead_ref, action.status.enforcing)
        )
        if lead_changed:
            _refuse(self._review_refusal(uow, by, action, forums))
        if categories and before is None and action.status is ActionStatus.PROPOSED:
            audit_event(
                uow,
                by,
                "action.second_review_required",
                "action",
                action.id,
                {"sensitive": sorted(c.value for c in categories)},
                self.core.clock(),
            )
        return action

    def _review_refusal(
        self, uow: UnitOfWork, by: Caller, action: Action, forums: Mapping[str, Forum]
    ) -> str | None:
        ref = safeguards.acted_signal(action)
        if ref is None or not action.status.enforcing:
            return None
        signal = uow.get(Signal, ref)
        if signal is not None and not policy.may_read(by, signal, forums):
            signal = None  # a hidden signal answers as an unknown one
        confirmed = bool(
            uow.find(
                Match,
                where={
                    "signal_id": ref,
                    "owner_org": action.owner_org,
                    "status": MatchStatus.CONFIRMED.value,
                },
                limit=1,
            )
        )
        signal_forum = forums.get(signal.forum_id) if signal is not None and signal.forum_id else None
        return safeguards.review_refusal(
            action, signal=signal, signal_forum=signal_forum, confirmed_match=confirmed
        )

    def send_notices(
        self,
        uow: UnitOfWork,
        by: Caller,
        records: Sequence[Governed],
        forums: Mapping[str, Forum],
        before: Governed | None = None,
    ) -> None:
        """Tell every other organisation that acted on the same signal of a dispute or an overturn among
        ``records`` (just written; ``before`` the record as it was, for an update): one notice each, in this
        transaction."""
        acting: dict[str, list[str]] = {}  # signal id -> owners of actions on it, read once per write
        for record in records:
            if not isinstance(record, Feedback) or record.kind not in safeguards.NOTICE_KINDS:
                continue
            if record.purpose == NOTICE_PURPOSE:
                continue  # a notice never sends notices
            if isinstance(before, Feedback) and (before.kind, before.subject_id) == (
                record.kind,
                record.subject_id,
            ):
                continue  # already told
            self._notify(uow, by, record, forums, acting)

    def _notify(
        self,
        uow: UnitOfWork,
        by: Caller,
        feedback: Feedback,
        forums: Mapping[str, Forum],
        acting_on: dict[str, list[str]],
    ) -> None:
        now = self.core.clock()
        signal_id: str | None = None
        subject = feedback.subject_id
        if subject.startswith("action--"):
            action = uow.get(Action, subject)
            if action is None or not policy.may_read(by, action, forums):
                return  # nothing the notifier may see: nothing to tell
            signal_id = safeguards.acted_signal(action)
            if feedback.kind is FeedbackKind.OVERTURNED and action.owner_org == feedback.owner_org:
                self._overturn(uow, by, action, forums, now)
        elif subject.startswith("signal--"):
            signal_id = subject
        if signal_id is None:
            return
        if signal_id not in acting_on:
            acting_on[signal_id] = [a.owner_org for a in _actions_on(uow, signal_id)]
        acting = acting_on[signal_id]
        if subject == signal_id and feedback.owner_org not in acting:
            return  # feedback on a signal it did not act on: for the sharer, not the others who acted
        recipients = safeguards.notice_recipients(feedback.owner_org, acting)
        if not recipients:
            return
        expires = policy.expiry_for(
            now, record_expires_at=None, forum=None, default_days=self.core.settings.default_retention_days
        )
        notices = [
            Feedback(
                id=new_id("feedback"),
                owner_org=org_id,
                marking=safeguards.notice_marking(feedback),
                purpose=NOTICE_PURPOSE,
                created_at=now,
                modified_at=now,
                expires_at=expires,
                subject_id=signal_id,
                kind=feedback.kind,
                comment=_NOTICE_TEXT[feedback.kind],
                at=now,
            )
            for org_id in recipients
        ]
        uow.insert_many(notices)
        audit_event(
            uow,
            by,
            "feedback.notice",
            "feedback",
            feedback.id,
            {
                "signal": signal_id,
                "kind": feedback.kind.value,
                "notices": [n.id for n in notices],
                "recipients": recipients,
            },
            now,
        )

    def _overturn(
        self, uow: UnitOfWork, by: Caller, action: Action, forums: Mapping[str, Forum], now: datetime
    ) -> None:
        """Mark the notifier's own action overturned, when it may change it."""
        if action.status is ActionStatus.OVERTURNED:
            return
        if not policy.may(
            by, policy.Act.WRITE, action, forum=forums.get(action.forum_id) if action.forum_id else None
        ):
            return
        uow.update(action.model_copy(update={"status": ActionStatus.OVERTURNED, "modified_at": now}))
        audit_event(
            uow,
            by,
            "update",
            "action",
            action.id,
            {"fields": ["status"], "status": ActionStatus.OVERTURNED.value},
            now,
        )

    # TAXII posts by members are writes like any other: the same safeguards apply.

    def posted(self, uow: UnitOfWork, by: Caller, record: Governed) -> Governed | None:
        if policy.actor_of(by) is None or not isinstance(record, Action):
            # The operator posts what peer sync brings: held to their own hub's safeguards already.
            return record
        held = uow.get(Action, record.id)
        held = held if held is not None and held.owner_org == record.owner_org else None
        approval = {
            "approved_by": held.approved_by if held else None,
            "approved_at": held.approved_at if held else None,
            "approval_note": held.approval_note if held else "",
        }
        record = record.model_copy(update=approval)  # approvals are the hub's to record, never a poster's
        if record.status is ActionStatus.APPROVED and (
            held is None or held.status is not ActionStatus.APPROVED
        ):
            record = record.model_copy(update={"status": ActionStatus.PROPOSED})
        forums = {f.id: f for f in uow.find(Forum)}
        try:
            return self._safeguarded_action(uow, by, held, record, forums, status_given=False)
        except PermissionDenied:
            pass
        if record.status.enforcing and held is None:
            # Enforcement not (yet) allowed: kept as a proposal, when that is what it may be.
            proposal = record.model_copy(update={"status": ActionStatus.PROPOSED})
            try:
                return self._safeguarded_action(uow, by, None, proposal, forums, status_given=True)
            except PermissionDenied:
                return None
        return None

    def posted_written(self, uow: UnitOfWork, by: Caller, records: Sequence[Governed]) -> None:
        if policy.actor_of(by) is not None:  # not peer sync, whose records notify on their own hub
            self.send_notices(uow, by, records, {f.id: f for f in uow.find(Forum)})


# -- helpers ------------------------------------------------------------------------------------------------


def _refuse(reason: str | None) -> None:
    if reason is not None:
        raise PermissionDenied(reason)


def _sensitive(
    uow: UnitOfWork, by: Caller, asset_ids: Sequence[str], forums: Mapping[str, Forum]
) -> set[SensitiveCategory]:
    """The sensitive-target categories of the assets ``asset_ids`` names that the caller may read (an asset
    it may not read answers as an unknown id: its flag is not the caller's to learn)."""
    if not asset_ids:
        return set()
    wanted = set(asset_ids)
    assets: Iterable[Asset]
    if len(wanted) <= _FEW_ASSETS:
        assets = [a for a in (uow.get(Asset, i) for i in sorted(wanted)) if a is not None]
    else:
        assets = (a for page in uow.pages(Asset) for a in page if a.id in wanted)
    return {a.sensitive for a in assets if a.sensitive is not None and policy.may_read(by, a, forums)}


def _actions_on(uow: UnitOfWork, signal_id: str) -> list[Action]:
    """Every action whose ``lead_ref`` is ``signal_id`` (``lead_ref`` is no column: read page by page)."""
    return [a for page in uow.pages(Action) for a in page if a.lead_ref == signal_id]
