"""Queuing hits for review: each hit once, grouped into review items, with flooding signals held back.

Every path that puts hits in an organisation's review queue — scans, recorded matches, resurgence scans,
a quarantined signal's release — hands its new :class:`~fimihub.model.Match` records to
:meth:`Queueing.queue`, inside the unit of work that stores them. It

1. drops hits the organisation has queued before (same ``hit_key``): a re-scan queues nothing twice;
2. holds back the hits of a signal that is quarantined, or that this batch quarantines because it matched
   far more distinct accounts than its history says (:class:`QueueRules`); the sharer reads that on the
   signal's :class:`~fimihub.model.SignalWatch`;
3. groups the rest: one item per account and operation (resurgence candidates of a returning network:
   one item per network), adding new evidence to the open item of the same group;
4. opens no item on hashtags alone, unless a forum the hashtags came through says so
   (``Forum.review_hashtags_alone``): such hits are held as ``weak`` and join the item a stronger signal
   opens later.

Accounts are told apart by their *account key*: HMAC-SHA256 under the organisation's review key (kept in the
hub, never shown) over ``platform:account id``, computed while the scan has the id in hand. The hub stores
the key and the sealed id, never the id (see docs/workflows.md for what this protects and what it does not).
"""

from __future__ import annotations

import hashlib
import hmac
import os
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from fimihub.errors import Conflict
from fimihub.hub.core import Core
from fimihub.hub.keys import account_value
from fimihub.model import (
    Fingerprint,
    Forum,
    HeldReason,
    Match,
    ReviewItem,
    ReviewItemKind,
    ReviewKey,
    ReviewStatus,
    Signal,
    SignalKind,
    SignalWatch,
    new_id,
)
from fimihub.storage import UnitOfWork
from fimihub.storage.base import R

__all__ = ["SPECIFICITY", "Keyer", "QueueRules", "Queued", "Queueing", "priority_of"]

#: How much a hit of each kind says about an account on its own (0..1): an exact hash of a file or a personal
#: identifier names it, a hashtag is shared by many.
SPECIFICITY: dict[str, float] = {
    SignalKind.ACCOUNT_ID.value: 1.0,
    SignalKind.EMAIL.value: 1.0,
    SignalKind.PHONE.value: 1.0,
    SignalKind.SHA256.value: 0.95,
    SignalKind.MD5.value: 0.95,
    SignalKind.PDQ.value: 0.9,
    SignalKind.URL.value: 0.8,
    SignalKind.HANDLE.value: 0.8,
    SignalKind.TEXT.value: 0.7,
    SignalKind.PHRASE.value: 0.6,
    SignalKind.DOMAIN.value: 0.6,
    SignalKind.HASHTAG.value: 0.2,
    "fingerprint": 0.9,
}
_CHUNK = 500


@dataclass(frozen=True, slots=True)
class QueueRules:
    """When a signal is quarantined: a batch (one scan) in which it matches more than ``factor`` times the
    most distinct accounts it matched in any earlier scan, and at least ``floor`` accounts."""

    factor: float = 10.0
    floor: int = 200


@dataclass(frozen=True, slots=True)
class Keyer:
    """Keyed hashes under one organisation's review key."""

    key: bytes

    def digest(self, *parts: str) -> str:
        message = b"\x00".join(p.encode("utf-8") for p in ("fimihub-review", *parts))
        return hmac.new(self.key, message, hashlib.sha256).hexdigest()

    def account(self, platform: str | None, account_id: str | None) -> str | None:
        """The account key of ``platform:account_id`` (``None`` without an account id)."""
        if not account_id or not str(account_id).strip():
            return None
        try:
            value = account_value(platform or "", str(account_id))
        except ValueError:
            value = f"{platform or ''}:{str(account_id).strip()}"
        return self.digest("account", value)


@dataclass
class Queued:
    """What one batch of hits did to the queue."""

    #: The batch's hits as stored, or (for a hit queued before) the stored one, in the batch's order.
    matches: list[Match] = field(default_factory=list)
    new_matches: int = 0
    duplicates: int = 0
    opened: list[ReviewItem] = field(default_factory=list)
    grown: list[ReviewItem] = field(default_factory=list)
    held: dict[str, int] = field(default_factory=dict)
    quarantined: list[str] = field(default_factory=list)


def priority_of(strengths: Iterable[float]) -> float:
    """An item's priority, 0..100: the chance that not every one of its independent signals is wrong, each
    right with its strength (specificity times score) — more, and more specific, signals rank higher."""
    miss = 1.0
    for strength in strengths:
        miss *= 1.0 - min(1.0, max(0.0, strength))
    return round(100.0 * (1.0 - miss), 2)


class Queueing:
    """Puts hits in organisations' review queues (``hub.queueing``; see the module docstring)."""

    def __init__(self, core: Core, rules: QueueRules | None = None) -> None:
        self.core = core
        self.rules = rules or QueueRules()

    def keyer(self, org_id: str) -> Keyer:
        """The keyer of ``org_id``'s review key, made on first use."""
        with self.core.store.unit_of_work(read_only=True) as uow:
            found = uow.get(ReviewKey, org_id)
        if found is not None:
            return Keyer(found.key)
        made = ReviewKey(id=org_id, secret=os.urandom(32).hex(), created_at=self.core.clock())
        try:
            with self.core.store.unit_of_work() as uow:
                uow.insert(made)
        except Conflict:
            pass  # made at the same moment by another request: read that one back
        with self.core.store.unit_of_work(read_only=True) as uow:
            stored = uow.get(ReviewKey, org_id)
        assert stored is not None
        return Keyer(stored.key)

    @staticmethod
    def _keyer_in(uow: UnitOfWork, org_id: str, now: datetime) -> Keyer:
        """The keyer of ``org_id``'s review key, within ``uow`` (made there on first use)."""
        found = uow.get(ReviewKey, org_id)
        if found is None:
            found = ReviewKey(id=org_id, secret=os.urandom(32).hex(), created_at=now)
            uow.insert(found)
        return Keyer(found.key)

    def queue(self, uow: UnitOfWork, matches: Sequence[Match], now: datetime) -> Queued:
        """Store the new ones of ``matches`` (all of one organisation) and queue them (module docstring)."""
        result = Queued()
        if not matches:
            return result
        org_id = matches[0].owner_org
        existing = _existing_hits(uow, org_id, [m.hit_key for m in matches if m.hit_key])
        fresh: list[Match] = []
        for match in matches:
            if match.hit_key and match.hit_key in existing:
                result.duplicates += 1
                continue
            if match.hit_key:
                existing[match.hit_key] = match
            fresh.append(match)
        fresh = self._quarantine(uow, fresh, now, result)
        grouped = self.group(uow, org_id, fresh, now, result)
        uow.insert_many(grouped)
        result.new_matches = len(grouped)
        final = {m.hit_key or m.id: m for m in grouped}
        result.matches = [final.get(m.hit_key or m.id) or existing[m.hit_key or ""] for m in matches]
        return result

    # -- quarantine ------------------------------------------------------------------------------------

    def _quarantine(self, uow: UnitOfWork, fresh: list[Match], now: datetime, result: Queued) -> list[Match]:
        """``fresh`` with the hits of quarantined signals held back, quarantining flooding signals now."""
        accounts: dict[str, set[str]] = defaultdict(set)
        for match in fresh:
            if match.signal_id:
                accounts[match.signal_id].add(match.account_key or match.hit_key or match.id)
        if not accounts:
            return fresh
        watches = {w.signal_id: w for w in _find_in(uow, SignalWatch, "signal_id", sorted(accounts))}
        held: set[str] = set()
        for signal_id, seen in accounts.items():
            watch = watches.get(signal_id) or self._new_watch(uow, signal_id, now)
            if watch is None:
                continue
            count = len(seen)
            hits = sum(1 for m in fresh if m.signal_id == signal_id)
            if watch.quarantined:
                held.add(signal_id)
                watch = watch.model_copy(update={"held": watch.held + hits, "modified_at": now})
            elif count >= self.rules.floor and count > self.rules.factor * watch.max_accounts:
                held.add(signal_id)
                result.quarantined.append(signal_id)
                reason = (
                    f"one scan matched {count} distinct accounts; the most before was {watch.max_accounts}"
                    f" (quarantine above {self.rules.factor:g} times that, from {self.rules.floor})"
                )
                watch = watch.model_copy(
                    update={
                        "quarantined": True,
                        "quarantined_at": now,
                        "reason": reason,
                        "held": watch.held + hits,
                        "spike_accounts": count,
                        "modified_at": now,
                        "released_by": None,
                        "released_at": None,
                        "release_note": "",
                    }
                )
            else:
                watch = watch.model_copy(
                    update={
                        "max_accounts": max(watch.max_accounts, count),
                        "scans": watch.scans + 1,
                        "modified_at": now,
                    }
                )
            if signal_id in watches:
                uow.update(watch)
            else:
                uow.insert(watch)
        kept: list[Match] = []
        for match in fresh:
            if match.signal_id in held:
                result.held[HeldReason.QUARANTINE.value] = result.held.get(HeldReason.QUARANTINE.value, 0) + 1
                kept.append(match.model_copy(update={"held": HeldReason.QUARANTINE, "review_item_id": None}))
            else:
                kept.append(match)
        return kept

    def _new_watch(self, uow: UnitOfWork, signal_id: str, now: datetime) -> SignalWatch | None:
        signal = uow.get(Signal, signal_id)
        if signal is None:
            return None
        return SignalWatch(
            id=new_id("signal-watch"),
            owner_org=signal.owner_org,
            marking={"tlp": "amber+strict"},
            created_at=now,
            modified_at=now,
            signal_id=signal_id,
        )

    # -- grouping --------------------------------------------------------------------------------------

    def group(
        self, uow: UnitOfWork, org_id: str, matches: list[Match], now: datetime, result: Queued
    ) -> list[Match]:
        """``matches`` (not held in quarantine) grouped into ``org_id``'s review items; returns them with
        ``review_item_id`` or ``held`` set. Items are written to ``uow``; the matches are not."""
        if not matches:
            return []
        keyer = self._keyer_in(uow, org_id, now)
        forums = {f.id: f for f in uow.find(Forum)}
        sources = _Sources(uow)
        groups: dict[tuple[ReviewItemKind, str], list[Match]] = defaultdict(list)
        out: list[Match] = []
        for match in matches:
            if match.held is HeldReason.QUARANTINE:
                out.append(match)
                continue
            network = match.evidence.get("network") if match.is_resurgence else None
            if network:
                key = keyer.digest("network", match.operation_id or "", str(network), match.source)
                groups[(ReviewItemKind.NETWORK, key)].append(match)
            else:
                who = match.account_key or keyer.digest("item", match.item_kind.value, match.item_value)
                key = keyer.digest("account", who, match.operation_id or "")
                groups[(ReviewItemKind.ACCOUNT, key)].append(match)
        open_items = self._open_items(uow, org_id, groups)
        expires = now + timedelta(days=self.core.settings.default_retention_days)
        for (kind, key), members in groups.items():
            item = open_items.get(key)
            if item is None and kind is ReviewItemKind.NETWORK:
                item = self._overlapping_network(uow, org_id, members)
            if item is None:
                earlier = self._weak_earlier(uow, org_id, members) if kind is ReviewItemKind.ACCOUNT else []
                if not self._opens(members + earlier, forums, sources):
                    for match in members:
                        result.held[HeldReason.WEAK.value] = result.held.get(HeldReason.WEAK.value, 0) + 1
                        out.append(match.model_copy(update={"held": HeldReason.WEAK, "review_item_id": None}))
                    continue
                item = _new_item(kind, key, members[0], now, expires)
                item = _with_evidence(item, earlier + members, sources, now)
                for match in earlier:
                    uow.update(
                        match.model_copy(update={"held": None, "review_item_id": item.id, "modified_at": now})
                    )
                uow.insert(item)
                result.opened.append(item)
            else:
                item = _with_evidence(item, members, sources, now)
                item = item.model_copy(update={"expires_at": max(item.expires_at or expires, expires)})
                uow.update(item)
                if item.id not in {i.id for i in result.opened}:
                    result.grown.append(item)
                open_items[key] = item
            out.extend(m.model_copy(update={"held": None, "review_item_id": item.id}) for m in members)
        return out

    def _open_items(
        self, uow: UnitOfWork, org_id: str, groups: dict[tuple[ReviewItemKind, str], list[Match]]
    ) -> dict[str, ReviewItem]:
        keys = sorted({key for _, key in groups})
        found = _find_in(uow, ReviewItem, "group_key", keys, owner_org=org_id, status=ReviewStatus.OPEN.value)
        return {item.group_key: item for item in found}

    @staticmethod
    def _overlapping_network(uow: UnitOfWork, org_id: str, members: list[Match]) -> ReviewItem | None:
        """The open network item of the same operation that already holds one of ``members``' accounts."""
        accounts = {m.account_key for m in members if m.account_key}
        where = {
            "owner_org": org_id,
            "kind": ReviewItemKind.NETWORK.value,
            "status": ReviewStatus.OPEN.value,
            "operation_id": members[0].operation_id,
        }
        for item in uow.find(ReviewItem, where=where):
            if accounts & set(item.account_keys):
                return item
        return None

    @staticmethod
    def _weak_earlier(uow: UnitOfWork, org_id: str, members: list[Match]) -> list[Match]:
        """Hits of the same account and operation held earlier as too weak to open an item on their own."""
        accounts = sorted({m.account_key for m in members if m.account_key})
        operation = members[0].operation_id
        return [
            m
            for m in _find_in(uow, Match, "account_key", accounts, owner_org=org_id)
            if m.held is HeldReason.WEAK and m.operation_id == operation and m.review_item_id is None
        ]

    @staticmethod
    def _opens(members: list[Match], forums: dict[str, Forum], sources: _Sources) -> bool:
        """Whether these hits may open an item: any of them not on a hashtag, or a forum that says so."""
        for match in members:
            if match.is_resurgence or match.signal_kind is not SignalKind.HASHTAG:
                return True
            forum = forums.get(match.signal_forum_id or "")
            if forum is not None and forum.review_hashtags_alone:
                return True
        return False


class _Sources:
    """The owners (sharers) of signals and fingerprints, looked up once each."""

    def __init__(self, uow: UnitOfWork) -> None:
        self.uow = uow
        self._owners: dict[str, str | None] = {}

    def owner(self, match: Match) -> str | None:
        ref = match.signal_id or match.fingerprint_id or ""
        if ref not in self._owners:
            record = self.uow.get(Signal, ref) if match.signal_id else self.uow.get(Fingerprint, ref)
            self._owners[ref] = record.owner_org if record is not None else None
        return self._owners[ref]


def _new_item(kind: ReviewItemKind, key: str, first: Match, now: datetime, expires: datetime) -> ReviewItem:
    return ReviewItem(
        id=new_id("review-item"),
        owner_org=first.owner_org,
        created_by=first.created_by,
        created_at=now,
        modified_at=now,
        expires_at=expires,
        marking={"tlp": "amber+strict"},
        kind=kind,
        group_key=key,
        operation_id=first.operation_id,
        platform=first.platform,
        network=str(first.evidence.get("network")) if kind is ReviewItemKind.NETWORK else None,
    )


def _with_evidence(item: ReviewItem, members: list[Match], sources: _Sources, now: datetime) -> ReviewItem:
    """``item`` with ``members`` added to its evidence, its score and priority recomputed."""
    accounts = dict(zip(item.account_keys, item.accounts_sealed, strict=False))
    strengths = dict(item.strengths)
    signal_ids = list(item.signal_ids)
    kinds = list(item.signal_kinds)
    fingerprints = list(item.fingerprint_ids)
    forums = list(item.forum_ids)
    contributors = list(item.contributors)
    origins = list(item.sources)
    key_id = item.identifier_key_id
    score = item.score
    for match in members:
        if match.account_key and (match.account_key not in accounts or accounts[match.account_key] is None):
            accounts[match.account_key] = match.account_sealed
            key_id = key_id or match.identifier_key_id
        ref = match.signal_id or match.fingerprint_id or ""
        weight = SPECIFICITY[
            "fingerprint" if match.is_resurgence else (match.signal_kind or match.item_kind).value
        ]
        strengths[ref] = max(strengths.get(ref, 0.0), round(weight * match.score, 4))
        if match.signal_id and match.signal_id not in signal_ids:
            signal_ids.append(match.signal_id)
        if match.signal_kind and match.signal_kind not in kinds:
            kinds.append(match.signal_kind)
        if match.fingerprint_id and match.fingerprint_id not in fingerprints:
            fingerprints.append(match.fingerprint_id)
        _add(forums, match.signal_forum_id)
        _add(contributors, sources.owner(match))
        _add(origins, match.source)
        score = max(score, match.score)
    return item.model_copy(
        update={
            "account_keys": tuple(accounts),
            "accounts_sealed": tuple(accounts.values()),
            "identifier_key_id": key_id,
            "strengths": strengths,
            "signal_ids": tuple(signal_ids),
            "signal_kinds": tuple(kinds),
            "fingerprint_ids": tuple(fingerprints),
            "forum_ids": tuple(forums),
            "contributors": tuple(contributors),
            "sources": tuple(origins),
            "hit_count": item.hit_count + len(members),
            "score": score,
            "priority": priority_of(strengths.values()),
            "last_hit_at": now,
            "modified_at": now,
        }
    )


def _add(values: list[str], value: str | None) -> None:
    if value and value not in values:
        values.append(value)


def _existing_hits(uow: UnitOfWork, org_id: str, keys: list[str]) -> dict[str, Match]:
    found = _find_in(uow, Match, "hit_key", sorted(set(keys)), owner_org=org_id)
    return {m.hit_key: m for m in found if m.hit_key}


def _find_in(uow: UnitOfWork, kind: type[R], name: str, values: Sequence[str], **where: str) -> list[R]:
    """Records of ``kind`` whose field ``name`` is one of ``values`` (and that match ``where``)."""
    found: list[R] = []
    for start in range(0, len(values), _CHUNK):
        found.extend(uow.find(kind, where={**where, name: list(values[start : start + _CHUNK])}))
    return found
