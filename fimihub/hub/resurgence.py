"""The resurgence use cases: fingerprint a disrupted operation, and find its return in a member's data.

A fingerprint is built from what the hub knows of an operation (its assets and signals that the caller may
see) and shared in a forum like any record; handle patterns in it are keyed with the forum's
pseudonymisation key, so only that forum's members can test handles against them. A resurgence scan scores
every account of a member's export against the fingerprints it may see (or against fingerprints built on the
spot from an export of removed accounts), confirms candidates by co-action, and puts the flagged ones in the
member's review queue, linked to the prior operation. A reviewer's confirmation records the account as a
recidivist asset of that operation.

A queued candidate holds the account's id sealed to the member's identifier key (``account_sealed``) and, as
its item, the account's keyed hash with the key of the fingerprint's forum; the recidivist asset a
confirmation makes carries both, so the clear id is stored nowhere.

Scoring against an export of removed accounts needs nothing from a hub: :func:`scan_against_disrupted` runs it
on the user's own files with no caller and no store (``fimihub resurgence scan NEW --disrupted EXPORT``);
nothing is queued, since fingerprints built on the spot are of no stored operation.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pyarrow as pa

from fimihub import policy
from fimihub.coordination import (
    OperationFingerprint,
    ResurgenceConfig,
    build_fingerprint_from_values,
    build_fingerprints_from_export,
    score_accounts,
)
from fimihub.errors import NotFound, PermissionDenied, ValidationError
from fimihub.hub.core import Core, audit_event
from fimihub.hub.identifiers import Identifiers, IdentifierSealer
from fimihub.hub.keys import account_value, current_key
from fimihub.hub.queueing import Keyer, Queueing
from fimihub.hub.records import Records
from fimihub.hub.tables import check_out, read_table, write_table
from fimihub.model import (
    TLP,
    Asset,
    AssetKind,
    Fingerprint,
    Forum,
    ForumKey,
    Governed,
    Marking,
    Match,
    Operation,
    Scope,
    Signal,
    new_id,
    parse,
)
from fimihub.policy import Actor, Caller
from fimihub.storage import UnitOfWork

__all__ = ["Resurgence", "ResurgenceSummary", "scan_against_disrupted"]

_PAGE = 1000


@dataclass(frozen=True)
class ResurgenceSummary:
    """What a resurgence scan read and found; ``candidates`` is the full candidate table."""

    rows: int
    accounts: int
    fingerprints: int
    candidates: pa.Table
    flagged: int
    queued: int
    skipped: dict[str, int]
    out: str | None


class Resurgence:
    """Fingerprints of disrupted operations, and the scan that finds their return (``hub.resurgence``)."""

    def __init__(self, core: Core, *, records: Records, identifiers: Identifiers, queueing: Queueing) -> None:
        self.core = core
        self.records = records
        self.identifiers = identifiers
        self.queueing = queueing

    def fingerprint_operation(
        self, by: Caller, operation_id: str, *, forum_id: str | None = None
    ) -> Fingerprint:
        """Build and store the fingerprint of an operation from its assets and signals the caller may see.

        The fingerprint is shared into ``forum_id`` (default: the operation's forum); its handle patterns
        are keyed with that forum's current key. Without a forum it stays the caller's own, keyed with a key
        of the caller's first forum.

        A fingerprint carries its inputs' values, so it never carries one under a looser marking than the
        value had: it is marked with the forum's default TLP, or the operation's marking when that is
        stricter, and it is built only from the assets and signals that this marking does not widen and
        that the caller could itself share into the forum (a value released to the caller alone, or
        another organisation's AMBER, stays out)."""
        member = policy.member_only(by, "fingerprinting")
        if not member.allows(Scope.WRITE):
            raise PermissionDenied("fingerprinting runs as a member with the write scope")
        with self.core.store.unit_of_work(read_only=True) as uow:
            forums = {f.id: f for f in uow.find(Forum)}
            operation = uow.get(Operation, operation_id)
            if operation is None or not policy.may(
                by, policy.Act.READ, operation, forum=forums.get(operation.forum_id or "")
            ):
                raise NotFound(f"no operation {operation_id!r}")
            target = forum_id if forum_id is not None else operation.forum_id
            marking = _fingerprint_marking(operation, forums.get(target) if target else None)
            fits = _fitting(member, marking, forums.get(target) if target else None)
            assets = [a for a in policy.readable(member, _all(uow, Asset, operation_id), forums) if fits(a)]
            signals = [s for s in policy.readable(member, _all(uow, Signal, operation_id), forums) if fits(s)]
            key_forum = target or next((f for f in sorted(member.forums) if f in forums), None)
            if key_forum is None:
                raise ValidationError("forum_id", "a fingerprint's handle patterns need a forum's key")
            key = current_key(uow.find(ForumKey, where={"forum_id": key_forum}), key_forum)
        values, platforms, accounts = _values(assets, signals)
        if not any(values.values()):
            raise ValidationError("operation_id", "the operation has no assets or signals to fingerprint")
        built = build_fingerprint_from_values(
            operation_id, values, key=key.key, platforms=platforms, accounts=accounts
        )
        data = {
            "operation_id": operation_id,
            "features": built.to_dict(),
            "accounts": accounts,
            "source": "store",
            "marking": marking.model_dump(),
        }
        if target is not None:
            data["forum_id"] = target
        return self.records.create(by, Fingerprint, data)

    def scan(
        self,
        by: Caller,
        source: str | Path | pa.Table,
        *,
        disrupted: str | Path | pa.Table | None = None,
        out: str | Path | None = None,
        config: ResurgenceConfig | None = None,
        confirm: bool | None = None,
        progress: Callable[[int, int], None] | None = None,
    ) -> ResurgenceSummary:
        """Score the accounts of a platform export (a file, or a table) against the fingerprints of disrupted
        operations.

        The fingerprints are those stored that ``by`` may see or, with ``disrupted``, built from that export
        of removed accounts labelled with ``operation`` (kept for this scan only). Flagged candidates of
        stored fingerprints go to ``by``'s review queue, their account ids sealed to the organisation's
        identifier key (so a scan against stored fingerprints needs one registered); every candidate goes
        to ``out`` when given. ``confirm=False`` flags candidates by score alone, without co-action
        confirming them."""
        member = policy.member_only(by, "a resurgence scan (on the member's own data)")
        if not member.allows(Scope.WRITE):
            raise PermissionDenied("queuing candidates needs the write scope")
        check_out(out)
        now = self.core.clock()
        table = _table(source)
        name = "api" if isinstance(source, pa.Table) else Path(source).name
        config = _configured(config, confirm)
        stored: dict[str, Fingerprint] = {}
        if disrupted is not None:
            fingerprints, keys = _from_disrupted(disrupted)
        else:
            stored = self._visible_fingerprints(member)
            fingerprints = [_parsed(f) for f in stored.values()]
            keys = self.identifiers.keys_of(by)
        if not fingerprints:
            raise ValidationError(
                "fingerprints", "none to scan against: fingerprint a disrupted operation, or pass --disrupted"
            )
        # Candidates of stored fingerprints are queued with their account ids sealed: refuse before any work.
        sealer = self.identifiers.sealer(member.org.id) if stored else None
        result = score_accounts(table, fingerprints, key=keys or None, config=config, progress=progress)
        flagged = result.flagged()
        rows = [row for row in flagged.to_pylist() if row["operation"] in stored]
        item_keys = self._item_keys(member, [stored[row["operation"]] for row in rows]) if rows else {}
        keyer = self.queueing.keyer(member.org.id) if rows else None
        matches = [
            _candidate_match(
                member,
                row,
                stored[row["operation"]],
                name,
                now,
                self._retention(),
                sealer=sealer,
                key=item_keys.get(stored[row["operation"]].id),
                keyer=keyer,
            )
            for row in rows
        ]
        with self.core.store.unit_of_work() as uow:
            queued = self.queueing.queue(uow, matches, now)
            detail = {
                "source": name,
                "accounts": result.accounts,
                "matches": queued.new_matches,
                "queued": len(queued.opened),
            }
            audit_event(uow, by, "resurgence.scan", "match", None, detail, now)
        if out is not None:
            write_table(result.candidates, out)
        return ResurgenceSummary(
            result.rows,
            result.accounts,
            len(fingerprints),
            result.candidates,
            flagged.num_rows,
            queued.new_matches,
            dict(result.skipped),
            str(out) if out is not None else None,
        )

    def _visible_fingerprints(self, by: Actor) -> dict[str, Fingerprint]:
        """The newest visible fingerprint of each operation, by operation id."""
        with self.core.store.unit_of_work(read_only=True) as uow:
            forums = {f.id: f for f in uow.find(Forum)}
            found = policy.readable(by, _all(uow, Fingerprint), forums)
        newest: dict[str, Fingerprint] = {}
        for fingerprint in sorted(found, key=lambda f: f.modified_at):
            newest[fingerprint.operation_id] = fingerprint
        return newest

    def _retention(self) -> timedelta:
        return timedelta(days=self.core.settings.default_retention_days)

    def _item_keys(self, by: Actor, fingerprints: list[Fingerprint]) -> dict[str, ForumKey]:
        """The key each fingerprint's candidates are keyed with, by fingerprint id: its forum's, or (for one
        kept outside forums) that of the caller's first forum, as its handle patterns are."""
        first = sorted(by.forums)[:1]
        wanted = {f.forum_id for f in fingerprints if f.forum_id} | set(first)
        keys = self.identifiers.current_forum_keys(wanted)
        fallback = keys.get(first[0]) if first else None
        found: dict[str, ForumKey] = {}
        for fingerprint in fingerprints:
            key = keys.get(fingerprint.forum_id) if fingerprint.forum_id else fallback
            if key is not None:
                found[fingerprint.id] = key
        return found


def scan_against_disrupted(
    source: str | Path | pa.Table,
    disrupted: str | Path | pa.Table,
    *,
    out: str | Path | None = None,
    config: ResurgenceConfig | None = None,
    confirm: bool | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> ResurgenceSummary:
    """Score the accounts of a platform export (``source``, a file or a table) against fingerprints built on
    the spot from ``disrupted``, an export of removed accounts labelled with ``operation``; with no hub, no
    caller and no store. The fingerprints' handle patterns are keyed with a random key kept for this scan
    only; nothing is queued (``queued`` is 0). Every candidate, flagged or not (the ``flagged`` column says
    which), goes to ``out`` when given; ``confirm=False`` flags candidates by score alone."""
    check_out(out)
    table = _table(source)
    fingerprints, keys = _from_disrupted(disrupted)
    result = score_accounts(
        table, fingerprints, key=keys, config=_configured(config, confirm), progress=progress
    )
    if out is not None:
        write_table(result.candidates, out)
    return ResurgenceSummary(
        result.rows,
        result.accounts,
        len(fingerprints),
        result.candidates,
        result.flagged().num_rows,
        0,
        dict(result.skipped),
        str(out) if out is not None else None,
    )


def _table(source: str | Path | pa.Table) -> pa.Table:
    return source if isinstance(source, pa.Table) else read_table(source)


def _configured(config: ResurgenceConfig | None, confirm: bool | None) -> ResurgenceConfig:
    config = config or ResurgenceConfig()
    return config if confirm is None else replace(config, confirm=confirm)


def _from_disrupted(disrupted: str | Path | pa.Table) -> tuple[list[OperationFingerprint], list[bytes]]:
    """The fingerprints of the operations labelled in an export of removed accounts, keyed with a random key
    kept for one scan, and that key."""
    key = os.urandom(32)
    removed = disrupted if isinstance(disrupted, pa.Table) else read_table(disrupted, "disrupted")
    fingerprints = list(build_fingerprints_from_export(removed, key=key).fingerprints)
    if not fingerprints:
        raise ValidationError("disrupted", "no operation is labelled in the export of removed accounts")
    return fingerprints, [key]


def _all(uow: UnitOfWork, kind: type[Any], operation_id: str | None = None) -> list[Any]:
    where = {"operation_id": operation_id} if operation_id is not None else {}
    return [record for batch in uow.pages(kind, where=where, size=_PAGE) for record in batch]


def _fingerprint_marking(operation: Operation, forum: Forum | None) -> Marking:
    """A fingerprint's marking: the forum's default TLP, or the operation's marking when that is stricter
    (no forum: the operation's marking, at least AMBER, so it stays with the caller's organisation)."""
    floor = forum.default_tlp if forum is not None else TLP.AMBER
    if operation.marking.tlp.rank >= floor.rank:
        return operation.marking
    return Marking(tlp=floor, pap=operation.marking.pap)


def _fitting(by: Actor, marking: Marking, forum: Forum | None) -> Callable[[Governed], bool]:
    """Whether a record's value may go into a fingerprint marked ``marking`` in ``forum``."""

    def fits(record: Governed) -> bool:
        if policy.widening(record.marking, marking) is not None:
            return False
        return forum is None or policy.may(by, policy.Act.SHARE, record, forum=forum)

    return fits


def _values(assets: list[Asset], signals: list[Signal]) -> tuple[dict[str, list[str]], list[str], int]:
    """Plain values by kind from an operation's assets and signals, its platforms, and its account count."""
    values: dict[str, list[str]] = {
        "domain": [],
        "url": [],
        "hashtag": [],
        "pdq": [],
        "text": [],
        "handle": [],
    }
    platforms: set[str] = set()
    accounts = 0
    for asset in assets:
        if asset.kind is AssetKind.DOMAIN:
            values["domain"].append(asset.handle or asset.external_id or "")
        elif asset.handle:
            values["handle"].append(f"{asset.platform}:{asset.handle}")
        if asset.url:
            values["url"].append(asset.url)  # a URL also stands for its domain, a profile URL for its handle
        if asset.kind in (AssetKind.ACCOUNT, AssetKind.PAGE, AssetKind.CHANNEL, AssetKind.GROUP):
            accounts += 1
            if asset.platform != "web":
                platforms.add(asset.platform)
    for signal in signals:
        if signal.revoked or signal.warning_lists:
            continue
        if signal.kind.value in values:
            values[signal.kind.value].append(signal.value)
    return {k: [v for v in vs if v] for k, vs in values.items()}, sorted(platforms), accounts


def _parsed(fingerprint: Fingerprint) -> OperationFingerprint:
    return OperationFingerprint.from_dict({**fingerprint.features, "operation": fingerprint.operation_id})


def _candidate_match(
    by: Any,
    row: Mapping[str, Any],
    fingerprint: Fingerprint,
    source: str,
    now: datetime,
    keep: timedelta,
    *,
    sealer: IdentifierSealer | None,
    key: ForumKey | None,
    keyer: Keyer | None = None,
) -> Match:
    """A flagged candidate as a match in ``by``'s queue: the account's id sealed with ``sealer``, its item
    the account's keyed hash with ``key`` (``(sealed)`` when the caller is in no forum with a key)."""
    account = str(row["account_id"])
    try:
        value = account_value(str(row["platform"]), account)
    except ValueError:
        value = f"{row['platform']}:{account.strip()}"
    item = policy.pseudonymise(key.key, "account_id", value) if key is not None else "(sealed)"
    platform = str(row["platform"])
    account_key = keyer.account(platform, account) if keyer is not None else None
    hit_key = keyer.digest("candidate", fingerprint.id, platform, account) if keyer is not None else None
    network = str(row.get("network") or "")
    return parse(
        Match,
        {
            "id": new_id("match"),
            "owner_org": by.org.id,
            "created_by": by.member.id,
            "created_at": now,
            "modified_at": now,
            "expires_at": now + keep,
            "marking": {"tlp": "amber+strict"},
            "fingerprint_id": fingerprint.id,
            "operation_id": fingerprint.operation_id,
            "signal_forum_id": fingerprint.forum_id,
            "item_kind": "account_id",
            "item_value": item,
            "item_key_id": key.id if key is not None else None,
            "platform": row["platform"],
            "account_sealed": sealer.seal(account) if sealer is not None else None,
            "identifier_key_id": sealer.key_id if sealer is not None else None,
            "score": min(1.0, max(0.0, row["score"])),
            "evidence": {
                **json.loads(row["evidence"]),
                "coactors": row["coactors"],
                **({"network": network} if network else {}),
            },
            "source": f"resurgence:{source}",
            "account_key": account_key,
            "hit_key": hit_key,
        },
    )
