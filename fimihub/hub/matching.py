"""Matching use cases: look members' items up against the signals they may see, and review the matches.

The hub keeps one :class:`~fimihub.matching.matcher.Matcher` over every active signal, built on first use and
updated in place as signals are created, changed or deleted through this hub. Every answer is filtered through
the access policy, so a member only ever learns of signals it may read.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from fimihub import policy
from fimihub.errors import NotFound, PermissionDenied, ValidationError
from fimihub.hub.core import Core, audit_event
from fimihub.hub.identifiers import Identifiers, IdentifierSealer, no_identifier_key
from fimihub.hub.keys import account_value
from fimihub.hub.preparing import signal_types
from fimihub.hub.queueing import Keyer, Queueing
from fimihub.matching import Matcher, MatchHit, new_matcher, warning_lists_for
from fimihub.model import (
    Asset,
    AssetKind,
    Forum,
    Match,
    MatchStatus,
    Organisation,
    Scope,
    Signal,
    SignalKind,
    new_id,
    parse,
)
from fimihub.policy import Actor, Caller, caller_id

__all__ = ["ItemMatches", "Matching", "match_record", "recidivist_asset"]

_PAGE = 5000
_HASHED = re.compile(r"^[0-9a-fA-F]{64}$")
_MAX_ITEMS = 1000


@dataclass(frozen=True, slots=True)
class ItemMatches:
    """The signals one submitted item matched, best first."""

    index: int
    kind: SignalKind
    value: str
    matches: list[dict[str, Any]] = field(default_factory=list)


class Matching:
    """The hub's matcher over every active signal, items looked up against it, the review of matches and
    organisations' allow-lists (``hub.matching``)."""

    def __init__(self, core: Core, *, identifiers: Identifiers, queueing: Queueing) -> None:
        self.core = core
        self.identifiers = identifiers
        self.queueing = queueing
        self._matcher: Matcher | None = None

    def matcher(self) -> Matcher:
        """The hub's matcher over every active signal (built from the store on first use)."""
        if self._matcher is None:
            matcher = new_matcher()
            with self.core.store.unit_of_work(read_only=True) as uow:
                for batch in uow.pages(Signal, where={"revoked": False}, size=_PAGE):
                    matcher.add(batch)
            self._matcher = matcher
        return self._matcher

    def warm(self) -> None:
        """Load what the first requests would otherwise wait for: the matcher over every active signal, the
        Public Suffix List that domains are normalised with, and the warning lists every new signal is checked
        against."""
        domain = self.matcher().normalise(SignalKind.DOMAIN, "www.example.com")
        warning_lists_for(SignalKind.DOMAIN, domain)

    def match(
        self, by: Caller, items: Sequence[Mapping[str, Any]], *, record: bool = False, source: str = "api"
    ) -> list[ItemMatches]:
        """Look items (``{"kind": …, "value": …}``, with ``platform``, ``account_id``, ``post_id`` if known)
        up against every signal the caller may see. With ``record``, hits also go to the review queue (grouped
        into review items, each hit once: :mod:`fimihub.hub.queueing`), their account and post ids sealed
        to the organisation's identifier key: recording items that carry them needs one registered
        (:class:`ValidationError` before anything is written otherwise)."""
        if not 0 < len(items) <= _MAX_ITEMS:
            raise ValidationError("items", f"send between 1 and {_MAX_ITEMS} items")
        member = policy.actor_of(
            by
        )  # matches are queued for a member's organisation; the operator only looks
        if record and not policy.allows(by, Scope.WRITE):
            raise PermissionDenied("recording matches in the review queue needs the write scope")
        now = self.core.clock()
        matcher = self.matcher()
        parsed = [_item(i, item, matcher) for i, item in enumerate(items)]
        sealer: IdentifierSealer | None = None
        if record and member is not None and any(_identifies(extra) for _, _, extra, _ in parsed):
            sealer = self.identifiers.sealer(member.org.id)
        keys = self.identifiers.keys_of(by) if any(clear for *_, clear in parsed) else []
        keyer = self.queueing.keyer(member.org.id) if record and member is not None else None
        with self.core.store.unit_of_work(read_only=not record) as uow:
            forums = {f.id: f for f in uow.find(Forum)}
            allowed = self._allow_list(uow.get(Organisation, member.org.id) if member is not None else None)
            answers: list[ItemMatches] = []
            matches: list[Match] = []
            for index, (kind, value, extra, clear) in enumerate(parsed):
                # A personal identifier sent in clear is hashed with the key of every forum the member is in.
                candidates = [policy.pseudonymise(k, kind.value, value) for k in keys] if clear else [value]
                found = {h.signal.id: h for c in candidates for h in matcher.match(kind, c, now=now)}
                hits = [
                    h
                    for h in found.values()
                    if policy.may_read(by, h.signal, forums) and (h.via.value, h.value) not in allowed
                ]
                looked_up = [] if clear else matcher.lookups(kind, value)
                canonical = looked_up[0][1] if looked_up and looked_up[0][0] is kind else value
                answers.append(ItemMatches(index, kind, canonical, [_describe(h) for h in hits]))
                if record and member is not None:
                    expires = now + timedelta(days=self.core.settings.default_retention_days)
                    matches.extend(
                        match_record(
                            member,
                            h,
                            extra,
                            source,
                            now,
                            expires,
                            sealer=sealer,
                            keyer=keyer,
                            item=f"{kind.value}:{value}",
                        )
                        for h in hits
                    )
            if matches:
                queued = self.queueing.queue(uow, matches, now)
                detail = {
                    "count": queued.new_matches,
                    "source": source,
                    "queued": len(queued.opened),
                    "duplicates": queued.duplicates,
                }
                audit_event(uow, by, "match.record", "match", None, detail, now)
        return answers

    def review(self, by: Caller, match_id: str, status: MatchStatus | str, note: str = "") -> Match:
        """Confirm or reject a match in the review queue (its organisation's reviewers, analysts, admins)."""
        now = self.core.clock()
        try:
            new_status = MatchStatus(status)
        except ValueError:
            raise ValidationError("status", f"must be one of {[s.value for s in MatchStatus]}") from None
        with self.core.store.unit_of_work() as uow:
            found = uow.get(Match, match_id)
            forums = {f.id: f for f in uow.find(Forum)}
            if found is None or not policy.may_read(by, found, forums):
                raise NotFound(f"no match {match_id!r}")
            if not policy.may_review(by, found):
                raise PermissionDenied(
                    "only reviewers, analysts and admins of the organisation review its matches"
                )
            reviewed = found.model_copy(
                update={
                    "status": new_status,
                    "reviewed_by": caller_id(by),
                    "reviewed_at": now,
                    "review_note": note,
                    "modified_at": now,
                }
            )
            uow.update(parse(Match, reviewed.model_dump()))
            audit_event(uow, by, "match.review", "match", match_id, {"status": new_status.value}, now)
            recidivist = recidivist_asset(reviewed, now) if new_status is MatchStatus.CONFIRMED else None
            if recidivist is not None and found.status is not MatchStatus.CONFIRMED:
                # A confirmed resurgence candidate is a returning account of the prior operation.
                uow.insert_many([recidivist])
                audit_event(
                    uow,
                    by,
                    "create",
                    "asset",
                    recidivist.id,
                    {"recidivist_of": recidivist.operation_id, "match": match_id},
                    now,
                )
        return reviewed

    def set_allow_list(self, by: Caller, org_id: str, entries: Sequence[str]) -> Organisation:
        """Replace an organisation's allow-list: ``kind:value`` entries never matched for it (its admins)."""
        if not policy.may_administer_org(by, org_id):
            raise PermissionDenied("only the organisation's admins may change its allow-list")
        types = signal_types()
        normalised: list[str] = []
        for index, entry in enumerate(entries):
            kind, _, value = entry.partition(":")
            try:
                normalised.append(f"{kind}:{types[SignalKind(kind)].normalise(value)}")
            except (KeyError, ValueError) as exc:
                raise ValidationError(f"allow_list[{index}]", f"{entry!r}: {exc}") from None
        now = self.core.clock()
        with self.core.store.unit_of_work() as uow:
            org = uow.get(Organisation, org_id)
            if org is None:
                raise NotFound(f"no organisation {org_id!r}")
            org = org.model_copy(update={"allow_list": tuple(dict.fromkeys(normalised))})
            uow.update(org)
            audit_event(
                uow, by, "allow_list.set", "organisation", org_id, {"entries": len(org.allow_list)}, now
            )
        return org

    # -- keeping the matcher current, and signals well-formed -------------------------------------------

    def signals_changed(self, added: Sequence[Signal] = (), removed: Sequence[str] = ()) -> None:
        """Keep the matcher (when built) in step with signals written or removed."""
        if self._matcher is not None:
            self._matcher.remove(removed)
            self._matcher.add(added)

    def forget(self) -> None:
        """Drop the matcher: it is rebuilt from the store on next use (after a purge)."""
        self._matcher = None

    @staticmethod
    def _allow_list(org: Organisation | None) -> frozenset[tuple[str, str]]:
        if org is None:
            return frozenset()
        return frozenset(
            (kind, value) for kind, _, value in (e.partition(":") for e in org.allow_list) if value
        )


def recidivist_asset(match: Match, now: datetime) -> Asset | None:
    """The recidivist asset a confirmed resurgence candidate becomes (``None`` for signal matches): an account
    of the prior operation, owned by the member whose data it is and as private as the match. Its
    ``external_id`` is the account's keyed hash the match holds as its item, its clear id the match's sealed
    one: the hub never sees the clear id."""
    if not match.is_resurgence or match.operation_id is None or not match.platform:
        return None
    keyed = match.item_value if match.item_key_id and match.item_kind.value == "account_id" else None
    if keyed is None and not match.account_sealed:
        return None
    return Asset(
        id=new_id("asset"),
        owner_org=match.owner_org,
        created_by=match.reviewed_by,
        created_at=now,
        modified_at=now,
        marking=match.marking,
        operation_id=match.operation_id,
        platform=match.platform,
        kind=AssetKind.ACCOUNT,
        external_id=keyed,
        external_id_key_id=match.item_key_id if keyed else None,
        external_id_sealed=match.account_sealed,
        identifier_key_id=match.identifier_key_id if match.account_sealed else None,
        recidivist=True,
    )


def _item(
    index: int, item: Mapping[str, Any], matcher: Matcher
) -> tuple[SignalKind, str, dict[str, Any], bool]:
    """An item's kind, value, context and whether it is a personal identifier in clear (to be hashed)."""
    where = f"items[{index}]"
    if not isinstance(item, Mapping):
        raise ValidationError(where, "must be an object with kind and value")
    try:
        kind = SignalKind(str(item.get("kind")))
    except ValueError:
        raise ValidationError(f"{where}.kind", f"must be one of {[k.value for k in SignalKind]}") from None
    value = item.get("value")
    if not isinstance(value, str) or not value:
        raise ValidationError(f"{where}.value", "must be a non-empty string")
    if kind is SignalKind.HANDLE and isinstance(item.get("platform"), str) and ":" not in value:
        value = f"{item['platform']}:{value}"
    extra = {
        k: str(item[k]) for k in ("platform", "account_id", "post_id") if isinstance(item.get(k), str | int)
    }
    clear = kind.personal and not _HASHED.match(value.strip())
    try:
        if clear and kind is SignalKind.ACCOUNT_ID and "platform" in extra:
            value = account_value(extra["platform"], value)
        elif not clear:
            matcher.lookups(kind, value)
    except ValueError as exc:
        raise ValidationError(f"{where}.value", str(exc)) from None
    return kind, value, extra, clear


def _describe(hit: MatchHit) -> dict[str, Any]:
    s = hit.signal
    return {
        "signal_id": s.id,
        "kind": s.kind.value,
        "value": s.value,
        "via": hit.via.value,
        "operation_id": s.operation_id,
        "forum_id": s.forum_id,
        "owner_org": s.owner_org,
        "confidence": s.confidence,
        "distance": hit.distance,
        "score": round(hit.score, 4),
        "tlp": s.marking.tlp.value,
        "pap": s.marking.pap.value,
    }


def _identifies(extra: Mapping[str, str | None]) -> bool:
    """Whether an item's context carries a platform account or post id (to be sealed)."""
    return bool(extra.get("account_id") or extra.get("post_id"))


def match_record(
    by: Actor,
    hit: MatchHit,
    extra: Mapping[str, str | None],
    source: str,
    now: datetime,
    expires: datetime,
    *,
    sealer: IdentifierSealer | None = None,
    keyer: Keyer | None = None,
    item: str = "",
) -> Match:
    """A pending match in ``by``'s review queue for ``hit``; ``extra`` carries ``platform``, ``account_id``
    and ``post_id`` where known, the two ids sealed with ``sealer`` (the organisation's identifier key;
    needed when there are any), the account keyed and the hit named with ``keyer`` (the organisation's
    review key; ``item`` is what was looked up, when hits of different items are told apart). Private to the
    organisation (TLP:AMBER+STRICT) until it sends feedback."""
    if _identifies(extra) and sealer is None:
        raise no_identifier_key(by.org.id)
    s = hit.signal
    platform, account, post = (extra.get(k) or "" for k in ("platform", "account_id", "post_id"))
    account_key = keyer.account(platform, account) if keyer else None
    hit_key = (
        keyer.digest("hit", s.id, hit.via.value, hit.value, platform, account, post, item) if keyer else None
    )
    return Match(
        id=new_id("match"),
        owner_org=by.org.id,
        created_by=by.member.id,
        created_at=now,
        modified_at=now,
        expires_at=expires,
        marking={"tlp": "amber+strict"},
        signal_id=s.id,
        signal_kind=s.kind,
        operation_id=s.operation_id,
        signal_forum_id=s.forum_id,
        item_kind=hit.via,
        item_value=hit.value,
        distance=hit.distance,
        score=min(1.0, max(0.0, hit.score)),
        source=source,
        platform=extra.get("platform") or None,
        account_sealed=sealer.seal(extra.get("account_id")) if sealer else None,
        post_sealed=sealer.seal(extra.get("post_id")) if sealer else None,
        identifier_key_id=sealer.key_id if sealer and _identifies(extra) else None,
        account_key=account_key,
        hit_key=hit_key,
    )
