"""Peers' disclosures imported (``hub.disclosures``): each file read by its importer
(:mod:`fimihub.exchange.importers`) becomes, in one unit of work, a :class:`~fimihub.model.Disclosure` that
owns the signals and the operation the file brought in, in the member's organisation, shared into a forum
when one is named. A file either lands whole or not at all; every row that brought nothing in is reported.

After an import the member sees which of its own operations and signals the disclosure overlaps
(:meth:`Disclosures.compare`): shared domains, URLs, handles, images and file hashes, DISARM techniques and
narratives — only among records the policy lets the member read.
"""

from __future__ import annotations

import builtins
import tempfile
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from fimihub import policy
from fimihub.errors import FimihubError, NotFound, PermissionDenied, ValidationError
from fimihub.exchange.importers import Found, Skip, read_file
from fimihub.hub.core import Core, audit_event
from fimihub.hub.disclosure_deletion import DisclosureDeletion, delete_disclosure
from fimihub.hub.overlaps import Overlap, overlaps_of
from fimihub.hub.personal import PersonalKeys
from fimihub.hub.preparing import prepare_signal
from fimihub.hub.visibility import visibility
from fimihub.model import Disclosure, Forum, Governed, Operation, Signal, new_id, parse
from fimihub.policy import Actor, Caller
from fimihub.storage import UnitOfWork

if TYPE_CHECKING:  # the write path imports the TAXII feed, which the hub's package imports after this
    from fimihub.hub.writes import WritePath

__all__ = ["DisclosureDeletion", "Disclosures", "ImportSummary", "Overlap"]

G = TypeVar("G", bound=Governed)
_PREFIX: dict[type[Governed], str] = {Disclosure: "disclosure", Operation: "operation", Signal: "signal"}
_MAX_OVERLAPS = 1000


@dataclass(slots=True)
class ImportSummary:
    """What an import did, file by file: signals per kind, rows and files skipped, disclosures made."""

    imported: Counter[str] = field(default_factory=Counter)
    skipped: list[Skip] = field(default_factory=list)
    files: int = 0
    failed_files: int = 0
    disclosures: list[str] = field(default_factory=list)
    overlaps: list[Overlap] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "imported": dict(sorted(self.imported.items())),
            "skipped": [s.to_json() for s in self.skipped],
            "files": self.files,
            "failed_files": self.failed_files,
            "disclosures": self.disclosures,
            "overlaps": [o.to_json() for o in self.overlaps],
        }


class Disclosures:
    """Importing peers' disclosures, and comparing them with a member's own records."""

    def __init__(self, core: Core, *, writes: WritePath) -> None:
        self.core = core
        self.writes = writes

    def import_files(
        self,
        by: Caller,
        format: str,
        paths: Sequence[Path],
        *,
        forum_id: str | None = None,
        options: Mapping[str, Any] | None = None,
    ) -> ImportSummary:
        """Import each file of ``paths`` (read as ``format``: ``meta-threat-research``, ``stix``, ``misp``,
        ``csv``), one unit of work per file; a file that cannot be read or stored is reported and the others
        go on. ``options`` are the reader's (``columns``, ``kind``, ``publisher``, ``title`` for ``csv``)."""
        actor = policy.member_only(by, "an import")
        if forum_id is not None:
            self._forum(actor, forum_id)
        summary = ImportSummary()
        for path in paths:
            try:
                found_files = read_file(format, path, options or {})
            except ValidationError as exc:
                summary.failed_files += 1
                summary.skipped.append(Skip(str(path), None, _message(exc)))
                continue
            for found in found_files:
                self._import_one(actor, found, forum_id, summary)
        return summary

    def import_content(
        self,
        by: Caller,
        format: str,
        name: str,
        content: bytes,
        *,
        forum_id: str | None = None,
        options: Mapping[str, Any] | None = None,
    ) -> ImportSummary:
        """Import one file given as its bytes (what the REST API receives), named ``name`` in the report."""
        policy.member_only(by, "an import")
        base = Path(name.replace("\\", "/")).name.strip()
        if not base or base in {".", ".."} or len(base) > 255:
            raise ValidationError("name", "give the file's name (without folders)")
        if not isinstance(content, bytes):
            raise ValidationError("content", "must be the file's bytes")
        with tempfile.TemporaryDirectory(prefix="fimihub-import-") as folder:
            path = Path(folder) / base
            path.write_bytes(content)
            summary = self.import_files(by, format, [path], forum_id=forum_id, options=options)
        summary.skipped = [Skip(base, s.line, s.reason.replace(str(path), base)) for s in summary.skipped]
        return summary

    def _import_one(
        self, actor: Actor, found: Found | Skip, forum_id: str | None, summary: ImportSummary
    ) -> None:
        if isinstance(found, Skip):
            summary.failed_files += 1
            summary.skipped.append(found)
            return
        try:
            disclosure, counts = self._store(actor, found, forum_id)
        except (NotFound, PermissionDenied):
            raise
        except Exception as exc:  # one file's failure is reported, and the next file goes on
            # The unit of work rolled back: nothing of the file is stored, whatever the database said.
            summary.failed_files += 1
            summary.skipped.extend(found.skipped)
            summary.skipped.append(Skip(found.file, None, f"nothing stored: {_message(exc)}"))
            return
        summary.files += 1
        summary.imported.update(counts)
        summary.skipped.extend(found.skipped)
        summary.disclosures.append(disclosure.id)
        summary.overlaps.extend(self.compare(actor, disclosure.id))

    def _store(self, actor: Actor, found: Found, forum_id: str | None) -> tuple[Disclosure, Counter[str]]:
        now = self.core.clock()
        with self.writes.open(actor, publish=True) as uow:
            forums = {f.id: f for f in uow.find(Forum)}
            forum = forums.get(forum_id) if forum_id else None
            keys = PersonalKeys(uow, actor, forum)
            signals_data, counts = _signal_data(found, keys)
            govern = _Governance(actor, forum, now, self.core.settings.default_retention_days)
            sources = _operation_data(found)
            operations = [govern.make(Operation, fields) for _, fields in sources]
            made_from = {source: op.id for (source, _), op in zip(sources, operations, strict=True) if source}
            first = operations[0].id if operations else None
            signals = []
            for data in signals_data:
                source = data.pop("_op", None)
                signals.append(
                    govern.make(Signal, {**data, "operation_id": made_from.get(source or "", first)})
                )
            disclosure = govern.make(
                Disclosure,
                {
                    "publisher": found.publisher,
                    "title": found.title,
                    "format": found.format,
                    "published_at": found.published_at,
                    "url": found.url,
                    "summary": found.summary[:100_000],
                    "files": [
                        {
                            "name": Path(found.file).name[:1000] or found.file[:1000],
                            "sha256": found.sha256,
                            "size": found.size,
                            "indicators": sum(counts.values()),
                            "skipped": len(found.skipped),
                        }
                    ],
                    "figures": [
                        {"value": f.value, "unit": f.unit[:200], "context": f.context[:200], "line": f.line}
                        for f in found.figures[:1000]
                    ],
                    "kill_chain": found.kill_chain[:100],
                    "tactics": found.tactics[:100],
                    "imported": dict(counts),
                    "signal_ids": [s.id for s in signals],
                    "operation_ids": [o.id for o in operations],
                },
            )
            records: list[Governed] = [*operations, *signals, disclosure]
            for record in records:
                policy.check(actor, policy.Act.WRITE, record, forum=forum)
                if forum is not None:
                    policy.check(actor, policy.Act.SHARE, record, forum=forum)
            uow.insert_many(operations)
            uow.insert_many(signals)
            uow.insert(disclosure)
            audit_event(
                uow,
                actor,
                "import",
                "disclosure",
                disclosure.id,
                {
                    "format": found.format,
                    "file": Path(found.file).name,
                    "sha256": found.sha256,
                    "signals": len(signals),
                    "operations": [o.id for o in operations],
                    "skipped": len(found.skipped),
                    "forum_id": forum_id,
                    "keyed": keys.used,
                    "key_id": keys.key_id if keys.used else None,
                },
                now,
            )
        return disclosure, counts

    def get(self, by: Caller, disclosure_id: str) -> Disclosure:
        """The disclosure, if the caller may read it (else :class:`NotFound`)."""
        with self.core.store.unit_of_work(read_only=True) as uow:
            forums = {f.id: f for f in uow.find(Forum)}
            return _readable(by, uow, forums, disclosure_id)

    def list(self, by: Caller, *, limit: int = 100) -> builtins.list[Disclosure]:
        """The disclosures the caller may read, newest first (``limit`` at most)."""
        if not 1 <= limit <= 1000:
            raise ValidationError("limit", "must be between 1 and 1000")
        with self.core.store.unit_of_work(read_only=True) as uow:
            forums = {f.id: f for f in uow.find(Forum)}
            found = uow.find(Disclosure, visible=visibility(by))
            readable = [d for d in found if policy.may_read(by, d, forums)]
        readable.sort(key=lambda d: d.created_at, reverse=True)
        return readable[:limit]

    def compare(self, by: Caller, disclosure_id: str) -> builtins.list[Overlap]:
        """The member's own operations and signals that the disclosure overlaps, with what they share."""
        actor = policy.member_only(by, "comparing a disclosure")
        with self.core.store.unit_of_work(read_only=True) as uow:
            forums = {f.id: f for f in uow.find(Forum)}
            disclosure = _readable(actor, uow, forums, disclosure_id)
            theirs = _get_many(uow, Signal, disclosure.signal_ids, actor, forums)
            their_ops = _get_many(uow, Operation, disclosure.operation_ids, actor, forums)
            org = actor.org.id
            owned = set(disclosure.signal_ids) | set(disclosure.operation_ids)
            mine = [
                s
                for s in uow.find(Signal, where={"owner_org": org, "revoked": False})
                if s.id not in owned and policy.may_read(actor, s, forums)
            ]
            my_ops = [
                o
                for o in uow.find(Operation, where={"owner_org": org})
                if o.id not in owned and policy.may_read(actor, o, forums)
            ]
        return overlaps_of(theirs, their_ops, mine, my_ops)[:_MAX_OVERLAPS]

    def delete(self, by: Caller, disclosure_id: str, *, force: bool = False) -> DisclosureDeletion:
        """Delete the disclosure and the records it brought in that nothing else rests on; refused, naming
        what rests on them, unless ``force`` keeps those (:mod:`fimihub.hub.disclosure_deletion`)."""
        return delete_disclosure(self.core, self.writes, by, disclosure_id, force=force)

    @staticmethod
    def _forum(actor: Actor, forum_id: str) -> None:
        if forum_id not in actor.forums:
            raise NotFound(f"no forum {forum_id!r}")


def _message(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        field_name, message = exc.errors[0] if exc.errors else (exc.field, str(exc))
        return message if field_name in {"file", "(root)", "feed"} else f"{field_name}: {message}"
    if isinstance(exc, FimihubError):
        return str(exc)
    first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return f"the store refused it ({first[:300]})"


class _Governance:
    """What every record an import makes gets: a fresh id, the member's organisation, the forum."""

    def __init__(self, actor: Actor, forum: Forum | None, now: datetime, default_days: int) -> None:
        self.actor, self.forum, self.now, self.default_days = actor, forum, now, default_days

    def make(self, kind: type[G], data: Mapping[str, Any]) -> G:
        body = dict(data)
        body.update(
            id=new_id(_PREFIX[kind]),
            owner_org=self.actor.org.id,
            created_by=self.actor.member.id,
            created_at=self.now,
            modified_at=self.now,
            forum_id=self.forum.id if self.forum else None,
        )
        if self.forum is not None:
            body["marking"] = {"tlp": self.forum.default_tlp}
        record = parse(kind, body)
        expires = policy.expiry_for(
            self.now, record_expires_at=None, forum=self.forum, default_days=self.default_days
        )
        return record.model_copy(update={"expires_at": expires})


def _operation_data(found: Found) -> builtins.list[tuple[str | None, dict[str, Any]]]:
    """The operations to make, each with the id of the record it comes from (a bundle's campaign): the one
    the file names first, if it names one, then a bundle's campaigns."""
    data: builtins.list[tuple[str | None, dict[str, Any]]] = []
    if found.operation is not None:
        data.append((None, dict(found.operation.fields)))
    data.extend((r.id, _operation_fields(r)) for r in found.records if isinstance(r, Operation))
    return data


_KEPT_OPERATION_FIELDS = (
    "name", "aliases", "description", "status", "origin_countries", "target_countries", "target_audience",
    "operator_type", "attribution", "attribution_confidence", "narratives", "techniques", "first_seen",
    "last_seen", "ad_spend", "ad_spend_currency",
)  # fmt: skip


def _operation_fields(operation: Operation) -> dict[str, Any]:
    dumped = operation.model_dump()
    return {name: dumped[name] for name in _KEPT_OPERATION_FIELDS}


def _signal_data(found: Found, keys: PersonalKeys) -> tuple[builtins.list[dict[str, Any]], Counter[str]]:
    """Each distinct indicator as signal fields, normalised and checked against warning lists, and how many
    indicators of each kind were read (a value listed on two rows is two indicators and one signal); a value
    the kind refuses is reported skipped on its line. E-mail addresses, phone numbers and account ids are
    keyed with the forum's key (``keys``), or skipped saying why they cannot be."""
    stix_signals = {(r.kind.value, r.value): r.operation_id for r in found.records if isinstance(r, Signal)}
    seen: set[tuple[str, str]] = set()
    data: builtins.list[dict[str, Any]] = []
    read: Counter[str] = Counter()
    for indicator in found.indicators:
        fields: dict[str, Any] = {
            "kind": indicator.kind.value,
            "value": indicator.value,
            "description": _description(found, indicator.note, indicator.line),
        }
        if indicator.kind.personal:
            try:
                fields["value"] = keys.keyed(indicator)
            except ValueError as why:
                found.skip(indicator.line, f"{indicator.source}: {why}" if indicator.source else str(why))
                continue
        elif indicator.platform:
            fields["platform"] = indicator.platform
        try:
            prepared = prepare_signal(fields)
            parse(Signal, {**prepared, "id": "signal--check", "owner_org": "check"})
        except ValidationError as exc:
            found.skip(indicator.line, f"{indicator.kind.value} {indicator.value[:80]!r}: {exc.errors[0][1]}")
            continue
        key = (prepared["kind"], prepared["value"])
        read[prepared["kind"]] += 1
        if key in seen:
            continue
        seen.add(key)
        origin = stix_signals.get((indicator.kind.value, indicator.value))
        if origin:
            prepared["_op"] = origin
        data.append(prepared)
    return data, read


def _description(found: Found, note: str, line: int | None) -> str:
    where = f"{found.publisher}: {found.title}"
    at = f", line {line}" if line else ""
    text = f"{where}{at}" + (f" ({note})" if note else "")
    return text[:2000]


def _readable(by: Caller, uow: UnitOfWork, forums: Mapping[str, Forum], disclosure_id: str) -> Disclosure:
    disclosure = uow.get(Disclosure, disclosure_id)
    if disclosure is None or not policy.may_read(by, disclosure, forums):
        raise NotFound(f"no disclosure {disclosure_id!r}")
    return disclosure


def _get_many(
    uow: UnitOfWork, kind: type[G], ids: Iterable[str], by: Caller, forums: Mapping[str, Forum]
) -> builtins.list[G]:
    records = []
    for record_id in ids:
        record = uow.get(kind, record_id)
        if record is not None and policy.may_read(by, record, forums):
            records.append(record)
    return records
