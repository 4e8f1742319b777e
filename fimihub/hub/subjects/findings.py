"""What a data-subject search finds: records and STIX objects, with the legal holds that keep them."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from fimihub import jsontext
from fimihub.errors import ValidationError
from fimihub.exchange.stix import to_stix_objects
from fimihub.hub.kinds import ID_PREFIX, REVIEWED_KINDS
from fimihub.hub.subjects.forms import KeyedForm, Subject, SubjectForms
from fimihub.hub.taxii.feed import FED_KINDS, VOCABULARY_TYPES
from fimihub.hub.taxii.posting import lineage, version_order
from fimihub.hub.taxii.resources import collection_id_of, stix_timestamp
from fimihub.model import (
    Asset,
    Case,
    Feedback,
    Forum,
    Governed,
    Operation,
)
from fimihub.storage import UnitOfWork
from fimihub.storage.base import StixEntry, StixQuery
from fimihub.vocab import platform as platform_slug

#: Every governed record kind searched, by the plural name the API uses for it.
SEARCHED = REVIEWED_KINDS
_PREFIXES: dict[str, str] = {ID_PREFIX[cls]: name for name, cls in SEARCHED.items()}
_PAGE = 1000
_EXPORT_FORMAT = "fimihub-subject-export-v1"


# -- what was found ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FoundRecord:
    """A record that concerns the subject; ``held_by`` names the legal-hold cases that keep it."""

    kind: str
    record: Governed
    held_by: tuple[str, ...] = ()

    def summary(self) -> dict[str, Any]:
        return {
            "id": self.record.id,
            "owner_org": self.record.owner_org,
            "forum_id": self.record.forum_id,
            "tlp": self.record.marking.tlp.value,
            "held_by": list(self.held_by),
        }


@dataclass(frozen=True, slots=True)
class FoundStix:
    """One organisation's copy (every version) of a STIX object in a collection that holds the subject."""

    forum_id: str
    stix_id: str
    owner_org: str
    versions: tuple[StixEntry, ...]
    held_by: tuple[str, ...] = ()

    @property
    def type(self) -> str:
        return self.stix_id.partition("--")[0]

    def summary(self) -> dict[str, Any]:
        newest = max(self.versions, key=version_order)
        return {
            "forum_id": self.forum_id,
            "collection_id": collection_id_of(self.forum_id),
            "stix_id": self.stix_id,
            "type": self.type,
            "owner_org": self.owner_org,
            "versions": len(self.versions),
            "deleted": newest.tombstone,
            "held_by": list(self.held_by),
        }

    def exported(self) -> dict[str, Any]:
        return {
            **self.summary(),
            "versions": [
                {"version": e.version, "date_added": stix_timestamp(e.added_us), "object": e.body}
                for e in sorted(self.versions, key=lambda e: e.added_us)
            ],
        }


@dataclass(frozen=True, slots=True)
class SubjectFindings:
    """Everything the hub holds about one identifier: records by kind, and raw STIX objects."""

    request_ref: str
    subject: Subject
    digest: str
    records: tuple[FoundRecord, ...]
    stix: tuple[FoundStix, ...]
    keyed: tuple[KeyedForm, ...] = ()

    def by_kind(self) -> dict[str, list[FoundRecord]]:
        found: dict[str, list[FoundRecord]] = {}
        for item in self.records:
            found.setdefault(item.kind, []).append(item)
        return found

    def counts(self) -> dict[str, int]:
        counts = {kind: len(items) for kind, items in self.by_kind().items()}
        if self.stix:
            counts["stix_objects"] = len(self.stix)
        return counts

    def held(self) -> list[dict[str, Any]]:
        """What a legal hold keeps, with the cases that hold it."""
        return [
            {"kind": r.kind, "id": r.record.id, "held_by": list(r.held_by)} for r in self.records if r.held_by
        ] + [
            {"kind": "stix_objects", "id": s.stix_id, "forum_id": s.forum_id, "held_by": list(s.held_by)}
            for s in self.stix
            if s.held_by
        ]

    def to_json(self) -> dict[str, Any]:
        """What was found, by id (the answer of ``find``): no record's content, no identifier."""
        return {
            "request_ref": self.request_ref,
            "subject": self.subject.described(self.digest),
            "counts": self.counts(),
            "records": {k: [r.summary() for r in items] for k, items in self.by_kind().items()},
            "stix_objects": [s.summary() for s in self.stix],
            "held": self.held(),
        }

    def export(self, *, hub_name: str, at: datetime) -> dict[str, Any]:
        """The records in their API JSON form, the STIX objects as the collections hold them, and the
        identifier's keyed forms that occur in them: the copy a data subject is given (Art. 15)."""
        return {
            "format": _EXPORT_FORMAT,
            "hub": hub_name,
            "generated_at": at.isoformat(timespec="seconds"),
            "request_ref": self.request_ref,
            "subject": {
                "kind": self.subject.kind,
                "platform": self.subject.platform,
                "value": self.subject.value,
                "digest": self.digest,
            },
            "keyed_forms": [
                {"forum_id": k.forum_id, "key_id": k.key_id, "value": k.value, "retired": k.retired}
                for k in self.keyed
            ],
            "counts": self.counts(),
            "records": {
                kind: [{**r.record.model_dump(mode="json"), "held_by": list(r.held_by)} for r in items]
                for kind, items in self.by_kind().items()
            },
            "stix_objects": [s.exported() for s in self.stix],
            "held": self.held(),
        }


@dataclass(frozen=True, slots=True)
class SubjectErasure:
    """What an erasure did (or, in a dry run, would do): records erased by kind, signals revoked first, STIX
    objects withdrawn (with the tombstone left), and what was kept — held by a legal hold, or ``kept`` on
    request."""

    request_ref: str
    subject: Subject
    digest: str
    dry_run: bool
    erased: dict[str, list[str]]
    revoked: list[str]
    stix_objects: list[dict[str, Any]]
    held: list[dict[str, Any]]
    kept: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "request_ref": self.request_ref,
            "subject": self.subject.described(self.digest),
            "dry_run": self.dry_run,
            "erased": self.erased,
            "revoked": self.revoked,
            "stix_objects": self.stix_objects,
            "held": self.held,
            "kept": self.kept,
        }


def _find(uow: UnitOfWork, forms: SubjectForms, ref: str, digest: str) -> SubjectFindings:
    holds = _Holds(uow)
    records: list[FoundRecord] = []
    for kind, cls in SEARCHED.items():
        for batch in uow.pages(cls, size=_PAGE):
            for record in batch:
                if not forms.may_mention(record.model_dump_json()):
                    continue
                data = record.model_dump(mode="json")
                if forms.mentioned(data, clear=_same_platform(forms.subject, record)):
                    records.append(FoundRecord(kind, record, holds.of(record)))
    held_ids = _carried_ids(r for r in records if r.held_by)
    stix = [
        FoundStix(s.forum_id, s.stix_id, s.owner_org, s.versions, _held_by(s.stix_id, records))
        if s.stix_id in held_ids
        else s
        for s in _stix_hits(uow, forms, uow.find(Forum))
    ]
    texts = [r.record.model_dump_json() for r in records]
    texts += [str(e.body) for s in stix for e in s.versions]
    return SubjectFindings(
        request_ref=ref,
        subject=forms.subject,
        digest=digest,
        records=tuple(records),
        stix=tuple(stix),
        keyed=tuple(forms.occurring(texts)),
    )


def _stix_hits(uow: UnitOfWork, forms: SubjectForms, forums: Sequence[Forum]) -> list[FoundStix]:
    """Every organisation's copy of every object, in every collection, of which a version holds the
    identifier."""
    hits: dict[tuple[str, str, str], None] = {}
    for forum in sorted(forums, key=lambda f: f.id):
        after: int | None = None
        while True:
            batch = uow.stix.find(StixQuery(forum_id=forum.id, after_us=after, limit=_PAGE))
            for entry in batch:
                if forms.may_mention(jsontext.dumps(entry.body)) and forms.mentioned(entry.body):
                    hits[(entry.forum_id, entry.stix_id, entry.owner_org)] = None
            if len(batch) < _PAGE:
                break
            after = batch[-1].added_us
    found: list[FoundStix] = []
    for forum_id, stix_id, owner in hits:
        versions = lineage(uow.stix.versions_of(forum_id, [stix_id]), owner)
        if versions:
            found.append(FoundStix(forum_id, stix_id, owner, tuple(versions)))
    return found


class _Holds:
    """The legal holds in force: the held cases, and the operations they name (as retention has them)."""

    def __init__(self, uow: UnitOfWork) -> None:
        self.cases = [c for c in uow.find(Case) if c.legal_hold]

    def of(self, record: Governed) -> tuple[str, ...]:
        if isinstance(record, Case) and record.legal_hold:
            return (record.id,)
        operation = record.id if isinstance(record, Operation) else getattr(record, "operation_id", None)
        if operation is None or isinstance(record, Feedback):
            return ()
        return tuple(c.id for c in self.cases if operation in c.operation_ids)


def _described_by(records: Iterable[Governed]) -> list[str]:
    """What erased assets said of the account besides its id: its handle, name and URL."""
    values: list[str] = []
    for record in records:
        if isinstance(record, Asset) and record.names_an_account:
            values += [v.lstrip("@") for v in (record.handle, record.display_name, record.url) if v]
    return values


def _carried_ids(records: Iterable[FoundRecord]) -> set[str]:
    """The ids of the STIX objects that carry ``records`` in their forums' collections."""
    ids: set[str] = set()
    for item in records:
        if isinstance(item.record, FED_KINDS) and item.record.forum_id:
            ids.update(_carried(item.record))
    return ids


def _held_by(stix_id: str, records: Iterable[FoundRecord]) -> tuple[str, ...]:
    cases: dict[str, None] = {}
    for item in records:
        if item.held_by and isinstance(item.record, FED_KINDS) and stix_id in _carried(item.record):
            cases.update(dict.fromkeys(item.held_by))
    return tuple(cases)


def _carried(record: Governed) -> set[str]:
    return {str(o["id"]) for o in to_stix_objects([record]) if o["type"] not in VOCABULARY_TYPES}


def _same_platform(subject: Subject, record: Governed) -> bool:
    """Whether a clear form found in ``record`` may be the subject's: not when the record names another
    platform than the subject's account id or handle lives on."""
    named = getattr(record, "platform", None)
    if subject.platform is None or not isinstance(named, str) or not named:
        return True
    try:
        return platform_slug(named) == subject.platform
    except ValueError:
        return True


def record_kind_of(record_id: str) -> str:
    """The kind (API plural) of a record id, by its prefix (``signal--…`` is a signal)."""
    if not isinstance(record_id, str):
        raise ValidationError("record_id", "must be a string")
    kind = _PREFIXES.get(record_id.partition("--")[0])
    if kind is None:
        raise ValidationError("record_id", f"not the id of a record ({', '.join(sorted(_PREFIXES))})")
    return kind
