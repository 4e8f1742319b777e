"""What a decision on a review item writes — the enforcement action and the assets it covers — and what the
sharers of the signals learn back (:class:`FeedbackSummary`)."""

from __future__ import annotations

import builtins
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from fimihub import policy
from fimihub.errors import ValidationError
from fimihub.model import (
    Action,
    ActionKind,
    Asset,
    Feedback,
    FeedbackKind,
    Fingerprint,
    LeadSource,
    ReviewItem,
    ReviewItemKind,
    Signal,
    new_id,
    parse,
)
from fimihub.policy import Caller, caller_id

__all__ = ["ACTION_FIELDS", "FeedbackSummary", "action_of", "assets_of", "check_action", "summary_of"]

#: What a confirmation's ``action`` may say; the hub fills in the rest from the item.
ACTION_FIELDS = frozenset({"kind", "lead_source", "lead_ref", "member_states", "note", "status", "taken_at"})


@dataclass
class FeedbackSummary:
    """What members said back about an organisation's signals: per signal, per contributor (the member of
    the organisation who shared it), and in all. Each count says how many feedback records of that kind
    there were; ``members`` how many other organisations gave any."""

    signals: list[dict[str, Any]] = field(default_factory=list)
    contributors: list[dict[str, Any]] = field(default_factory=list)
    totals: dict[str, int] = field(default_factory=dict)


def check_action(data: Mapping[str, Any]) -> None:
    if not isinstance(data, Mapping):
        raise ValidationError("action", "must be an object with the action's kind")
    unknown = sorted(set(data) - ACTION_FIELDS)
    if unknown:
        raise ValidationError(f"action.{unknown[0]}", f"unknown field (use {sorted(ACTION_FIELDS)})")
    if "kind" not in data:
        raise ValidationError("action.kind", f"field required: one of {[k.value for k in ActionKind]}")
    # Validated once before anything is written: a bad kind, lead source or Member State changes nothing.
    try:
        parse(Action, {"id": "action--check", "owner_org": "check", **data})
    except ValidationError as exc:
        raise ValidationError(f"action.{exc.field}", exc.errors[0][1]) from None


def action_of(
    by: Caller,
    item: ReviewItem,
    data: Mapping[str, Any],
    asset_ids: builtins.list[str],
    now: datetime,
    expires: datetime,
) -> Action:
    others = [c for c in item.contributors if c != item.owner_org]
    default_source = LeadSource.FORUM_SHARE if others else LeadSource.INTERNAL
    lead_ref = next(iter(item.signal_ids), None) or next(iter(item.fingerprint_ids), None)
    body: dict[str, Any] = {
        "lead_source": default_source.value,
        "lead_ref": lead_ref,
        "taken_at": now,
        "note": f"review item {item.id}",
        **data,
        "id": new_id("action"),
        "owner_org": item.owner_org,
        "created_by": caller_id(by) if policy.actor_of(by) else None,
        "created_at": now,
        "modified_at": now,
        "expires_at": expires,
        "marking": {"tlp": "amber"},
        "operation_id": item.operation_id,
        "platform": item.platform,
        "asset_ids": asset_ids,
        "asset_count": max(len(item.account_keys), len(asset_ids)),
    }
    try:
        return parse(Action, body)
    except ValidationError as exc:
        raise ValidationError(f"action.{exc.field}", exc.errors[0][1]) from None


def assets_of(by: Caller, item: ReviewItem, data: Mapping[str, Any], now: datetime) -> builtins.list[Asset]:
    """The item's accounts as assets of its operation, their ids sealed as the item holds them."""
    if item.operation_id is None or not item.platform or not item.identifier_key_id:
        return []
    removed = now if data.get("kind") == ActionKind.REMOVE.value else None
    recidivist = item.kind is ReviewItemKind.NETWORK or bool(item.fingerprint_ids)
    assets: builtins.list[Asset] = []
    for sealed in item.accounts_sealed:
        if not sealed:
            continue
        try:
            assets.append(
                parse(
                    Asset,
                    {
                        "id": new_id("asset"),
                        "owner_org": item.owner_org,
                        "created_by": caller_id(by) if policy.actor_of(by) else None,
                        "created_at": now,
                        "modified_at": now,
                        "expires_at": item.expires_at,
                        "marking": {"tlp": "amber+strict"},
                        "operation_id": item.operation_id,
                        "platform": item.platform,
                        "kind": "account",
                        "external_id_sealed": sealed,
                        "identifier_key_id": item.identifier_key_id,
                        "removed_at": removed,
                        "recidivist": recidivist,
                    },
                )
            )
        except ValidationError:
            return []  # a platform the vocabulary does not know: the action counts the accounts instead
    return assets


def summary_of(
    org_id: str, signals: builtins.list[Signal | Fingerprint], feedback: builtins.list[Feedback]
) -> FeedbackSummary:
    kinds = [k.value for k in FeedbackKind]
    by_signal: dict[str, builtins.list[Feedback]] = defaultdict(builtins.list)
    for record in feedback:
        if record.owner_org != org_id:
            by_signal[record.subject_id].append(record)

    def counts(records: builtins.list[Feedback]) -> dict[str, Any]:
        found = {k: sum(1 for r in records if r.kind.value == k) for k in kinds}
        return {**found, "members": len({r.owner_org for r in records})}

    rows = []
    per_author: dict[str, builtins.list[Feedback]] = defaultdict(builtins.list)
    for signal in signals:
        records = by_signal.get(signal.id, [])
        per_author[signal.created_by or ""].extend(records)
        if records:
            kind, value = (
                (signal.kind.value, signal.value)
                if isinstance(signal, Signal)
                else ("fingerprint", signal.operation_id)
            )
            rows.append({"signal_id": signal.id, "kind": kind, "value": value, **counts(records)})
    rows.sort(key=lambda r: (-sum(r[k] for k in kinds), r["signal_id"]))
    contributors = [
        {"contributor": author or None, **counts(records)}
        for author, records in sorted(per_author.items())
        if records
    ]
    every = [r for records in by_signal.values() for r in records]
    return FeedbackSummary(rows, contributors, counts(every))
