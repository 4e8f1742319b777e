"""Small valid records of every stored type, for the storage tests."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from fimihub.model import (
    Action,
    ApiToken,
    Asset,
    Case,
    Disclosure,
    Feedback,
    Fingerprint,
    Forum,
    ForumKey,
    Lead,
    Marking,
    Match,
    Member,
    Operation,
    Organisation,
    PsiSession,
    Record,
    ReviewItem,
    ReviewKey,
    Signal,
    SignalWatch,
    hash_token,
)

T0 = datetime(2024, 5, 1, 12, 0, 0, 123456, tzinfo=UTC)


def organisation(rid: str = "organisation--a", **f: Any) -> Organisation:
    return Organisation(id=rid, **{"name": "Platform A", "kind": "platform", "country": "IE", **f})


def member(rid: str = "member--a1", **f: Any) -> Member:
    return Member(id=rid, **{"org_id": "organisation--a", "name": "Ana", "roles": {"analyst"}, **f})


def forum(rid: str = "forum--f", **f: Any) -> Forum:
    return Forum(id=rid, **{"name": "Task-force", "member_orgs": {"organisation--a", "organisation--b"}, **f})


def api_token(rid: str = "api_token--1", **f: Any) -> ApiToken:
    values = {
        "member_id": "member--a1",
        "token_hash": hash_token("fhk_secret"),
        "scopes": {"read", "write"},
        "created_at": T0,
        "expires_at": T0 + timedelta(days=90),
        **f,
    }
    return ApiToken(id=rid, **values)


def _governed(f: dict[str, Any]) -> dict[str, Any]:
    return {"owner_org": "organisation--a", "created_at": T0, "modified_at": T0, **f}


def operation(rid: str = "operation--1", **f: Any) -> Operation:
    return Operation(id=rid, **_governed({"name": "Doppelganger", "origin_countries": ("RU",), **f}))


def asset(rid: str = "asset--1", **f: Any) -> Asset:
    values = {"platform": "x", "kind": "account", "handle": "@fake_news", "operation_id": "operation--1", **f}
    return Asset(id=rid, **_governed(values))


def signal(rid: str = "signal--1", **f: Any) -> Signal:
    return Signal(id=rid, **_governed({"kind": "domain", "value": "example.com", **f}))


def action(rid: str = "action--1", **f: Any) -> Action:
    values = {"kind": "remove", "operation_id": "operation--1", "member_states": ("DE", "FR"), **f}
    return Action(id=rid, **_governed(values))


def feedback(rid: str = "feedback--1", **f: Any) -> Feedback:
    return Feedback(id=rid, **_governed({"subject_id": "signal--1", "kind": "seen", **f}))


def case(rid: str = "case--1", **f: Any) -> Case:
    values = {"title": "Joint case", "tasks": ({"title": "Map the network"},), **f}
    return Case(id=rid, **_governed(values))


def lead(rid: str = "lead--1", **f: Any) -> Lead:
    return Lead(
        id=rid, **_governed({"title": "Tip from a fact-checker", "urls": ("https://example.com/a",), **f})
    )


def match(rid: str = "match--1", **f: Any) -> Match:
    values = {
        "signal_id": "signal--1",
        "signal_kind": "domain",
        "item_kind": "domain",
        "item_value": "a.example",
    }
    return Match(id=rid, **_governed({**values, "operation_id": "operation--1", **f}))


def forum_key(rid: str = "pk-0123456789abcdef", **f: Any) -> ForumKey:
    return ForumKey(id=rid, **{"forum_id": "forum--f", "secret": "ab" * 32, "created_at": T0, **f})


def fingerprint(rid: str = "fingerprint--1", **f: Any) -> Fingerprint:
    features = {"format": "fimihub-fingerprint", "version": 1, "domains": ["true-review.com"]}
    return Fingerprint(id=rid, **_governed({"operation_id": "operation--1", "features": features, **f}))


def psi_session(rid: str = "psi--1", **f: Any) -> PsiSession:
    values = {
        "responder_org": "organisation--b",
        "kind": "domain",
        "request": "CAESIQ==",
        "request_items": 1,
        "marking": Marking(tlp="amber+strict", recipient_orgs=("organisation--b",)),
        "expires_at": T0 + timedelta(days=7),
    }
    return PsiSession(id=rid, **_governed({**values, **f}))


def disclosure(rid: str = "disclosure--1", **f: Any) -> Disclosure:
    values = {
        "publisher": "Meta",
        "title": "Romania-based CIB network",
        "format": "meta-threat-research",
        "files": [{"name": "q1.csv", "sha256": "ab" * 32, "size": 3665, "indicators": 15}],
        "figures": [{"value": 658, "unit": "accounts", "context": "Facebook", "line": 2}],
        "signal_ids": ["signal--1"],
    }
    return Disclosure(id=rid, **_governed({**values, **f}))


def review_item(rid: str = "review-item--1", **f: Any) -> ReviewItem:
    values = {
        "kind": "account",
        "group_key": "cd" * 32,
        "operation_id": "operation--1",
        "platform": "x",
        "account_keys": ["ef" * 32],
        "accounts_sealed": ["c2VhbGVk"],
        "identifier_key_id": "ik-0123456789abcdef",
        "signal_ids": ["signal--1"],
        "signal_kinds": ["domain"],
        "strengths": {"signal--1": 0.6},
        "hit_count": 2,
        "score": 1.0,
        "priority": 60.0,
        "marking": Marking(tlp="amber+strict"),
    }
    return ReviewItem(id=rid, **_governed({**values, **f}))


def review_key(rid: str = "organisation--a", **f: Any) -> ReviewKey:
    return ReviewKey(id=rid, **{"secret": "12" * 32, "created_at": T0, **f})


def signal_watch(rid: str = "signal-watch--1", **f: Any) -> SignalWatch:
    values = {"signal_id": "signal--1", "max_accounts": 3, "scans": 2, "marking": Marking(tlp="amber+strict")}
    return SignalWatch(id=rid, **_governed({**values, **f}))


#: One factory per stored record type, and a change that ``update`` round-trips for it.
FACTORIES: dict[type[Record], tuple[Callable[..., Record], dict[str, Any]]] = {
    Organisation: (organisation, {"name": "Platform A (renamed)"}),
    Member: (member, {"roles": {"analyst", "reviewer"}}),
    Forum: (forum, {"retention_days": 30}),
    ApiToken: (api_token, {"revoked_at": T0 + timedelta(days=1)}),
    Operation: (operation, {"status": "disrupted", "marking": Marking(tlp="green")}),
    Asset: (asset, {"removed_at": T0 + timedelta(days=2)}),
    Signal: (signal, {"revoked": True, "confidence": 90}),
    Action: (action, {"asset_count": 12}),
    Feedback: (feedback, {"kind": "acted", "comment": "removed 12 accounts"}),
    Case: (case, {"status": "closed"}),
    Lead: (lead, {"status": "triaged", "operation_id": "operation--1"}),
    Match: (match, {"status": "confirmed", "review_note": "same network"}),
    ForumKey: (forum_key, {"retired_at": T0 + timedelta(days=30)}),
    Fingerprint: (fingerprint, {"accounts": 42, "source": "export:removed.parquet"}),
    PsiSession: (psi_session, {"status": "declined", "decline_reason": "not now"}),
    ReviewItem: (review_item, {"status": "confirmed", "decision_note": "same network"}),
    ReviewKey: (review_key, {"secret": "34" * 32}),
    SignalWatch: (signal_watch, {"quarantined": True, "reason": "one scan matched 900 accounts"}),
    Disclosure: (disclosure, {"title": "Romania-based network", "tactics": ["TA15"]}),
}
