"""The review queue: an organisation's review items listed, read and decided; what sharers learn back.

Items are private to the organisation whose data they are about (:mod:`fimihub.policy` decides on each):
another organisation's item is "not found", whoever asks. A decision — confirm or reject, one item or many
at once — is taken by the organisation's reviewers, analysts and admins with the ``write`` scope, and flows:

* **confirm** marks the item's hits confirmed and, when asked to (``action``; analysts and admins), records
  the enforcement :class:`~fimihub.model.Action` on the item's accounts with its lead source and the EU/EEA
  Member States it had effect in; the accounts become assets of the operation (sealed, as the item holds
  them; recidivists for resurgence candidates);
* **reject** marks them false positives, with the reason;
* either way every other organisation whose signal (or fingerprint) contributed gets
  :class:`~fimihub.model.Feedback` on it — ``acted`` when an action was taken, ``seen`` otherwise,
  ``false-positive`` with the reason on rejection — written through the one write path into the signal's
  forum, so it is published in the forum's TAXII collection. It is released to the sharer alone (TLP:AMBER
  naming it), unless the signal came from a peer hub: then to the forum (TLP:AMBER), so that the next sync
  carries it back to the peer.

Everything a decision writes commits together, with its audit events, or not at all; a decision on an item
that is decided already, or unknown, changes nothing.
"""

from __future__ import annotations

import builtins
from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, TypeVar

from fimihub import policy
from fimihub.errors import Conflict, NotFound, PermissionDenied, ValidationError
from fimihub.hub.core import Core, audit_event
from fimihub.hub.queueing import Queued, Queueing
from fimihub.hub.review_actions import (
    ACTION_FIELDS,
    FeedbackSummary,
    action_of,
    assets_of,
    check_action,
    summary_of,
)
from fimihub.hub.review_query import (
    MAX_PAGE,
    ReviewPage,
    ReviewQuery,
    ReviewSort,
    check_query,
    sort_key,
    wanted,
)
from fimihub.hub.safeguards import Safeguards
from fimihub.hub.visibility import visibility
from fimihub.hub.writes import WritePath
from fimihub.model import (
    Action,
    Feedback,
    FeedbackKind,
    Fingerprint,
    Forum,
    Governed,
    HeldReason,
    Match,
    MatchStatus,
    ReviewItem,
    ReviewStatus,
    Signal,
    SignalWatch,
    new_id,
    parse,
)
from fimihub.policy import Caller, caller_id
from fimihub.storage import UnitOfWork

__all__ = [
    "ACTION_FIELDS",
    "MAX_PAGE",
    "Decision",
    "FeedbackSummary",
    "ReviewPage",
    "ReviewQuery",
    "ReviewQueue",
    "ReviewSort",
]

#: Most items one decision covers.
MAX_BULK = 1000
_PAGE = 1000
G = TypeVar("G", bound=Governed)


class Decision(StrEnum):
    CONFIRM = "confirm"
    REJECT = "reject"


class ReviewQueue:
    """The review queue of each organisation (``hub.review``)."""

    def __init__(self, core: Core, *, writes: WritePath, safeguards: Safeguards, queueing: Queueing) -> None:
        self.core = core
        self.writes = writes
        self.safeguards = safeguards
        self.queueing = queueing

    # -- reading ---------------------------------------------------------------------------------------

    def list(self, by: Caller, query: ReviewQuery | None = None) -> ReviewPage:
        """A page of the caller's organisation's queue (:class:`ReviewQuery` says which)."""
        member = policy.member_only(by, "the review queue (of a member's organisation)")
        query = query or ReviewQuery()
        check_query(query)
        now = self.core.clock()
        where: dict[str, Any] = {"owner_org": member.org.id}
        for name in ("status", "operation_id", "kind", "platform"):
            value = getattr(query, name)
            if value is not None:
                where[name] = value.value if isinstance(value, StrEnum) else value
        with self.core.store.unit_of_work(read_only=True) as uow:
            forums = {f.id: f for f in uow.find(Forum)}
            found = [
                item
                for batch in _pages(uow, where, by)
                for item in batch
                if policy.may_read(by, item, forums) and wanted(item, query, now)
            ]
            totals = {
                s.value: uow.count(ReviewItem, where={"owner_org": member.org.id, "status": s.value})
                for s in ReviewStatus
            }
        found.sort(key=sort_key(query.sort))
        page = found[query.offset : query.offset + query.limit]
        end = query.offset + len(page)
        return ReviewPage(
            page, len(found), query.offset, query.limit, end if end < len(found) else None, totals
        )

    def get(self, by: Caller, item_id: str) -> ReviewItem:
        """One item of the caller's organisation (:class:`NotFound` for any other)."""
        with self.core.store.unit_of_work(read_only=True) as uow:
            return _readable(by, uow, item_id)

    def hits(self, by: Caller, item_id: str) -> builtins.list[Match]:
        """The hits that are an item's evidence, oldest first."""
        with self.core.store.unit_of_work(read_only=True) as uow:
            item = _readable(by, uow, item_id)
            found = uow.find(Match, where={"owner_org": item.owner_org, "review_item_id": item.id})
        return sorted(found, key=lambda m: (m.created_at, m.id))

    # -- deciding --------------------------------------------------------------------------------------

    def decide(
        self,
        by: Caller,
        item_ids: Sequence[str],
        decision: Decision | str,
        *,
        reason: str = "",
        action: Mapping[str, Any] | None = None,
    ) -> builtins.list[ReviewItem]:
        """Confirm or reject open items of the caller's organisation, all of them or (on any error) none;
        see the module docstring for what flows from it. ``reason`` is required to reject; ``action``
        (confirmations only) asks for the enforcement action, e.g. ``{"kind": "remove", "lead_source":
        "forum-share", "member_states": ["DE", "FR"]}``."""
        try:
            decision = Decision(decision)
        except ValueError:
            raise ValidationError("decision", f"must be one of {[d.value for d in Decision]}") from None
        ids = _item_ids(item_ids)
        if decision is Decision.REJECT and not reason.strip():
            raise ValidationError("reason", "say why the items are rejected (it is sent to the sharers)")
        if action is not None and decision is not Decision.CONFIRM:
            raise ValidationError("action", "only a confirmation records an action")
        if action is not None:
            check_action(action)
        now = self.core.clock()
        with self.writes.open(by, publish=True) as uow:
            forums = {f.id: f for f in uow.find(Forum)}
            items = [_readable(by, uow, item_id, forums) for item_id in ids]
            for item in items:
                if not policy.may_review(by, item):
                    raise PermissionDenied(
                        "only reviewers, analysts and admins of the organisation, with the write scope,"
                        " decide its review items"
                    )
                if item.status is not ReviewStatus.OPEN:
                    raise Conflict(f"review item {item.id!r} is {item.status.value} already")
            decided = [
                self._decide_one(uow, by, item, decision, reason, action, forums, now) for item in items
            ]
        return decided

    def _decide_one(
        self,
        uow: UnitOfWork,
        by: Caller,
        item: ReviewItem,
        decision: Decision,
        reason: str,
        action_data: Mapping[str, Any] | None,
        forums: Mapping[str, Forum],
        now: datetime,
    ) -> ReviewItem:
        # The hits are marked first: the safeguards let an action on a shared signal be enforced once a
        # match of it is confirmed, and this decision is that confirmation.
        status = MatchStatus.CONFIRMED if decision is Decision.CONFIRM else MatchStatus.REJECTED
        hits = uow.find(Match, where={"owner_org": item.owner_org, "review_item_id": item.id})
        for hit in hits:
            uow.update(
                hit.model_copy(
                    update={
                        "status": status,
                        "reviewed_by": caller_id(by),
                        "reviewed_at": now,
                        "review_note": reason,
                        "modified_at": now,
                    }
                )
            )
        action = None
        if action_data is not None:
            action = self._act(uow, by, item, action_data, forums, now)
        if decision is Decision.REJECT:
            kind = FeedbackKind.FALSE_POSITIVE
        else:
            kind = FeedbackKind.ACTED if action is not None and action.status.enforcing else FeedbackKind.SEEN
        feedback = self._feedback(uow, by, item, kind, reason, forums, now)
        decided = item.model_copy(
            update={
                "status": ReviewStatus.CONFIRMED if decision is Decision.CONFIRM else ReviewStatus.REJECTED,
                "decided_by": caller_id(by),
                "decided_at": now,
                "decision_note": reason,
                "action_id": action.id if action is not None else None,
                "feedback_ids": tuple(f.id for f in feedback),
                "modified_at": now,
            }
        )
        uow.update(decided)
        detail = {
            "decision": decision.value,
            "hits": len(hits),
            "action": decided.action_id,
            "feedback": len(feedback),
        }
        audit_event(uow, by, "review.decide", "review-item", item.id, detail, now)
        return decided

    def _act(
        self,
        uow: UnitOfWork,
        by: Caller,
        item: ReviewItem,
        data: Mapping[str, Any],
        forums: Mapping[str, Forum],
        now: datetime,
    ) -> Action:
        """The action a confirmation records, with the item's accounts as its assets."""
        assets = assets_of(by, item, data, now)
        action = action_of(by, item, data, [a.id for a in assets], now, self._keep(now))
        policy.check(by, policy.Act.WRITE, action)
        (action,) = self.safeguards.new(uow, by, [data], [action], forums)
        if assets:
            uow.insert_many(assets)
            ids = [a.id for a in assets]
            audit_event(uow, by, "create_many", "asset", None, {"count": len(ids), "ids": ids[:1000]}, now)
        uow.insert(action)
        audit_event(uow, by, "create", "action", action.id, {"review_item": item.id}, now)
        return action

    def _feedback(
        self,
        uow: UnitOfWork,
        by: Caller,
        item: ReviewItem,
        kind: FeedbackKind,
        reason: str,
        forums: Mapping[str, Forum],
        now: datetime,
    ) -> builtins.list[Feedback]:
        """Feedback on each signal and fingerprint of another organisation that contributed to ``item``."""
        subjects: builtins.list[Governed] = []
        for signal_id in item.signal_ids:
            signal = uow.get(Signal, signal_id)
            if signal is not None:
                subjects.append(signal)
        for fingerprint_id in item.fingerprint_ids:
            fingerprint = uow.get(Fingerprint, fingerprint_id)
            if fingerprint is not None:
                subjects.append(fingerprint)
        sent: builtins.list[Feedback] = []
        peers = {str(p.body.get("owner_org")) for p in uow.peers.peers()} if subjects else set()
        for subject in subjects:
            if subject.owner_org == item.owner_org:
                continue
            forum = forums.get(subject.forum_id) if subject.forum_id else None
            # Released to the sharer alone; a peer hub's signal is answered to its forum (where only a sync
            # carries it back to the peer, which never takes records naming recipients).
            in_forum = subject.owner_org in peers and forum is not None
            marking = {"tlp": "amber", "recipient_orgs": [] if in_forum else [subject.owner_org]}
            comment = reason or f"review item {kind.value}"
            sent.append(
                parse(
                    Feedback,
                    {
                        "id": new_id("feedback"),
                        "owner_org": item.owner_org,
                        "created_by": caller_id(by) if policy.actor_of(by) else None,
                        "created_at": now,
                        "modified_at": now,
                        "expires_at": policy.expiry_for(
                            now,
                            record_expires_at=None,
                            forum=forum,
                            default_days=self.core.settings.default_retention_days,
                        ),
                        "forum_id": forum.id if forum is not None else None,
                        "marking": marking,
                        "subject_id": subject.id,
                        "kind": kind.value,
                        "comment": comment,
                        "at": now,
                    },
                )
            )
        if sent:
            uow.insert_many(sent)
            ids = [f.id for f in sent]
            detail = {"count": len(ids), "ids": ids, "review_item": item.id, "kind": kind.value}
            audit_event(uow, by, "create_many", "feedback", None, detail, now)
        return sent

    def _keep(self, now: datetime) -> datetime:
        return now + timedelta(days=self.core.settings.default_retention_days)

    # -- what sharers learn ------------------------------------------------------------------------------

    def feedback_summary(self, by: Caller) -> FeedbackSummary:
        """How the caller's organisation's signals fared in other members' reviews (see
        :class:`FeedbackSummary`); only feedback the caller may read counts."""
        member = policy.member_only(by, "a feedback summary (of a member's organisation's signals)")
        with self.core.store.unit_of_work(read_only=True) as uow:
            forums = {f.id: f for f in uow.find(Forum)}
            mine = {"owner_org": member.org.id}
            signals: builtins.list[Signal | Fingerprint] = [
                *_every(uow, Signal, mine),
                *_every(uow, Fingerprint, mine),
            ]
            ids = [s.id for s in signals]
            feedback: builtins.list[Feedback] = []
            for start in range(0, len(ids), _PAGE):
                chunk = uow.find(Feedback, where={"subject_id": ids[start : start + _PAGE]})
                feedback.extend(policy.readable(by, chunk, forums))
        return summary_of(member.org.id, signals, feedback)

    # -- quarantine ------------------------------------------------------------------------------------

    def watches(self, by: Caller, *, quarantined: bool | None = True) -> builtins.list[SignalWatch]:
        """The watches the caller may read: its organisation's signals' (the sharer's), every one for the
        hub's admins. ``quarantined`` keeps only (un)quarantined signals; ``None`` keeps all."""
        where: dict[str, Any] = {}
        admin = policy.may_administer_hub(by)
        member = policy.actor_of(by)
        if not admin:
            member = policy.member_only(by, "signal watches")
            where["owner_org"] = member.org.id
        with self.core.store.unit_of_work(read_only=True) as uow:
            forums = {f.id: f for f in uow.find(Forum)}
            found = [
                w
                for batch in uow.pages(SignalWatch, where=where, size=_PAGE)
                for w in batch
                if quarantined is None or w.quarantined is quarantined
            ]
        if admin:
            return sorted(found, key=lambda w: (w.modified_at, w.id), reverse=True)
        return sorted(policy.readable(by, found, forums), key=lambda w: (w.modified_at, w.id), reverse=True)

    def release(self, by: Caller, signal_id: str, note: str = "") -> tuple[SignalWatch, int]:
        """Lift a signal's quarantine (the hub's admins, or an admin of the signal's forum): its held hits
        go to their organisations' queues, and its history takes the spike as normal from now on. Returns
        the watch and how many review items the held hits opened."""
        now = self.core.clock()
        opened = 0
        with self.writes.open(by, publish=False) as uow:
            forums = {f.id: f for f in uow.find(Forum)}
            watch = next(iter(uow.find(SignalWatch, where={"signal_id": signal_id})), None)
            signal = uow.get(Signal, signal_id)
            forum = forums.get(signal.forum_id) if signal is not None and signal.forum_id else None
            allowed = policy.may_administer_hub(by) or (
                forum is not None and policy.may_administer_forum(by, forum)
            )
            if watch is None or not (allowed or policy.may_read(by, watch, forums)):
                raise NotFound(f"no watch on signal {signal_id!r}")
            if not allowed:
                raise PermissionDenied("only the hub's admins and the signal's forum's admins release it")
            if not watch.quarantined:
                raise Conflict(f"signal {signal_id!r} is not quarantined")
            held = [
                m
                for batch in uow.pages(Match, where={"signal_id": signal_id}, size=_PAGE)
                for m in batch
                if m.held is HeldReason.QUARANTINE
            ]
            by_org: dict[str, builtins.list[Match]] = defaultdict(builtins.list)
            for match in held:
                by_org[match.owner_org].append(match.model_copy(update={"held": None}))
            for org_id, matches in by_org.items():
                result = Queued()
                for match in self.queueing.group(uow, org_id, matches, now, result):
                    uow.update(match.model_copy(update={"modified_at": now}))
                opened += len(result.opened)
            watch = watch.model_copy(
                update={
                    "quarantined": False,
                    "max_accounts": max(watch.max_accounts, watch.spike_accounts),
                    "released_by": caller_id(by),
                    "released_at": now,
                    "release_note": note,
                    "held": 0,
                    "modified_at": now,
                }
            )
            uow.update(watch)
            detail = {"held": len(held), "opened": opened, "note": note}
            audit_event(uow, by, "signal.release", "signal", signal_id, detail, now)
        return watch, opened


def _every(uow: UnitOfWork, kind: type[G], where: dict[str, Any]) -> builtins.list[G]:
    return [record for batch in uow.pages(kind, where=where, size=_PAGE) for record in batch]


def _pages(uow: UnitOfWork, where: dict[str, Any], by: Caller) -> Any:
    after: str | None = None
    visible = visibility(by)
    while True:
        batch = uow.find(ReviewItem, where=where, visible=visible, after_id=after, limit=_PAGE)
        if not batch:
            return
        yield batch
        if len(batch) < _PAGE:
            return
        after = batch[-1].id


def _item_ids(item_ids: Sequence[str]) -> builtins.list[str]:
    if isinstance(item_ids, str) or not isinstance(item_ids, Sequence):
        raise ValidationError("items", "must be a list of review item ids")
    if not 0 < len(item_ids) <= MAX_BULK:
        raise ValidationError("items", f"name between 1 and {MAX_BULK} review items")
    for index, item_id in enumerate(item_ids):
        if not isinstance(item_id, str) or not item_id:
            raise ValidationError(f"items[{index}]", "must be a review item id")
    return list(dict.fromkeys(item_ids))


def _readable(
    by: Caller, uow: UnitOfWork, item_id: str, forums: Mapping[str, Forum] | None = None
) -> ReviewItem:
    item = uow.get(ReviewItem, item_id)
    if forums is None:
        forums = {f.id: f for f in uow.find(Forum)} if item is not None else {}
    if item is None or not policy.may_read(by, item, forums):
        raise NotFound(f"no review item {item_id!r}")
    return item
