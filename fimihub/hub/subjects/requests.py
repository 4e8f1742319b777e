"""The data-subject use cases over one store: find, export, rectify and erase."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from fimihub import policy
from fimihub.errors import PermissionDenied, ValidationError
from fimihub.exchange.stix.tombstones import tombstone_extensions
from fimihub.hub.core import Core, audit_event
from fimihub.hub.records import Records
from fimihub.hub.subjects.findings import (
    SEARCHED,
    FoundRecord,
    SubjectErasure,
    SubjectFindings,
    _carried_ids,
    _described_by,
    _find,
    _stix_hits,
    record_kind_of,
)
from fimihub.hub.subjects.forms import Subject, SubjectForms, subject_digest
from fimihub.hub.taxii.posting import lineage
from fimihub.hub.taxii.retention import DESCRIPTIVE as RETENTION_DROPS
from fimihub.hub.taxii.writing import others_instants, withdraw
from fimihub.hub.writes import Write, WritePath
from fimihub.model import (
    Forum,
    ForumKey,
    Governed,
    Signal,
)
from fimihub.policy import Caller
from fimihub.storage import UnitOfWork

_MAX_REF = 200
#: How many ids of each kind an audit event lists (the counts are always whole).
_AUDIT_IDS = 1000

#: What an erasure's tombstone drops besides the identifier: free text, labels and references, which STIX
#: never requires (as retention's tombstones, :mod:`fimihub.hub.taxii.retention`).
_DESCRIPTIVE = RETENTION_DROPS - {"extensions"}  # an indicator keeps its extension (below)
#: The custom properties a tombstone keeps: what marks it, and the signature the hub renews.
_TOMBSTONE_MARKS = frozenset({"x_fimihub_deleted", "x_fimihub_signature"})

#: Signs a tombstone again when the object it replaces was signed.
Resign = Callable[[UnitOfWork, dict[str, Any]], dict[str, Any]]

# -- the use cases ------------------------------------------------------------------------------------------


class SubjectRequests:
    """Data-subject requests: find, export, rectify and erase what concerns one identifier
    (``hub.subjects``).

    Erasure writes through the hub's write path (its record changes are published into the collections),
    ``resign`` signs a tombstone again, and rectification is a :meth:`Records.update` under its rules."""

    def __init__(self, core: Core, *, writes: WritePath, records: Records, resign: Resign) -> None:
        self.core = core
        self.writes = writes
        self.records = records
        self._resign = resign

    def find(self, by: Caller, subject: Mapping[str, Any], *, request_ref: str) -> SubjectFindings:
        """Every record and STIX object that concerns the subject (audited as ``subject.find``)."""
        return self._look(by, subject, request_ref, "subject.find")

    def export(self, by: Caller, subject: Mapping[str, Any], *, request_ref: str) -> dict[str, Any]:
        """What :meth:`find` finds, whole, as one JSON document (audited as ``subject.export``)."""
        findings = self._look(by, subject, request_ref, "subject.export")
        return findings.export(hub_name=self.core.settings.hub_name, at=self.core.clock())

    def erase(
        self,
        by: Caller,
        subject: Mapping[str, Any],
        *,
        request_ref: str,
        dry_run: bool = True,
        keep: Sequence[str] = (),
    ) -> SubjectErasure:
        """Erase what concerns the subject, in one transaction, except what a legal hold keeps and the ids in
        ``keep`` (records or STIX objects the search found by mistake). A ``dry_run`` (the default) says what
        would go and changes nothing but the audit log."""
        _require_controller(by)
        ref = _checked_ref(request_ref)
        parsed = Subject.parse(subject)
        kept = _checked_keep(keep)
        if not isinstance(dry_run, bool):
            raise ValidationError("dry_run", "must be true or false")
        now = self.core.clock()
        with self.writes.open(by, publish=True) as uow:
            forms = SubjectForms(parsed, uow.find(ForumKey))
            digest = subject_digest(uow.peers.signing_key(), parsed)
            found = _find(uow, forms, ref, digest)
            records = [r for r in found.records if not r.held_by and r.record.id not in kept]
            # The STIX objects of the records that stay (held, or kept on request) stay with them.
            spared = kept | _carried_ids(r for r in found.records if r.held_by or r.record.id in kept)
            revoked = [r.record.id for r in records if isinstance(r.record, Signal) and not r.record.revoked]
            if dry_run:
                stix = [s.summary() for s in found.stix if s.stix_id not in spared]
            else:
                self._erase_records(uow, records, now)
                redaction = forms.also_redacting(_described_by(r.record for r in records))
                stix = self._erase_stix(uow, forms, redaction, spared, now)
            erased: dict[str, list[str]] = {}
            for item in records:
                erased.setdefault(item.kind, []).append(item.record.id)
            report = SubjectErasure(
                request_ref=ref,
                subject=parsed,
                digest=digest,
                dry_run=dry_run,
                erased=erased,
                revoked=revoked,
                stix_objects=stix,
                held=found.held(),
                kept=sorted(kept & ({r.record.id for r in found.records} | {s.stix_id for s in found.stix})),
            )
            audit_event(
                uow,
                by,
                "subject.erase",
                "data_subject",
                digest,
                {
                    "request_ref": ref,
                    "subject": parsed.described(digest),
                    "dry_run": dry_run,
                    "erased": {k: ids[:_AUDIT_IDS] for k, ids in erased.items()},
                    "counts": {k: len(ids) for k, ids in erased.items()},
                    "revoked": revoked[:_AUDIT_IDS],
                    "stix_objects": [
                        {"forum_id": s["forum_id"], "stix_id": s["stix_id"], "owner_org": s["owner_org"]}
                        for s in stix[:_AUDIT_IDS]
                    ],
                    "held": [h["id"] for h in report.held[:_AUDIT_IDS]],
                    "kept": report.kept[:_AUDIT_IDS],
                },
                now,
            )
        return report

    def rectify(
        self, by: Caller, record_id: str, changes: Mapping[str, Any], *, request_ref: str
    ) -> Governed:
        """Correct fields of one record under :meth:`fimihub.Hub.update`'s rules (the owner organisation's
        writers, or the operator; markings only tighten), then record the request (``subject.rectify``, with
        the names of the fields changed, never their values)."""
        _require_controller(by)
        ref = _checked_ref(request_ref)
        if not isinstance(changes, Mapping) or not changes:
            raise ValidationError("changes", "name at least one field to correct")
        kind = record_kind_of(record_id)
        updated = self.records.update(by, SEARCHED[kind], record_id, changes)
        with self.core.store.unit_of_work() as uow:
            audit_event(
                uow,
                by,
                "subject.rectify",
                record_id.partition("--")[0],
                record_id,
                {"request_ref": ref, "fields": sorted(str(k) for k in changes)},
                self.core.clock(),
            )
        return updated

    # -- internals ----------------------------------------------------------------------------------------

    def _look(self, by: Caller, subject: Mapping[str, Any], request_ref: str, action: str) -> SubjectFindings:
        _require_controller(by)
        ref = _checked_ref(request_ref)
        parsed = Subject.parse(subject)
        now = self.core.clock()
        # A write transaction: the audit event of the disclosure commits with the reading it records.
        with self.core.store.unit_of_work() as uow:
            forms = SubjectForms(parsed, uow.find(ForumKey))
            digest = subject_digest(uow.peers.signing_key(), parsed)
            found = _find(uow, forms, ref, digest)
            audit_event(
                uow,
                by,
                action,
                "data_subject",
                digest,
                {
                    "request_ref": ref,
                    "subject": parsed.described(digest),
                    "counts": found.counts(),
                    "held": len(found.held()),
                },
                now,
            )
        return found

    @staticmethod
    def _erase_records(uow: Write, records: Sequence[FoundRecord], now: datetime) -> None:
        """Revoke the signals, then delete every record; the feed withdraws their objects from the
        collections at once (in this transaction), so that the erasure then redacts its tombstones."""
        watched = uow
        for item in records:
            signal = item.record
            if isinstance(signal, Signal) and not signal.revoked:
                # A newer version, so that a peer holding the signal takes the revocation as news.
                moment = max(now, signal.modified_at + timedelta(milliseconds=1))
                watched.update(signal.model_copy(update={"revoked": True, "modified_at": moment}))
        for item in records:
            watched.delete(type(item.record), item.record.id)
        uow.publish_pending(now)

    def _erase_stix(
        self, uow: UnitOfWork, forms: SubjectForms, redaction: SubjectForms, spared: set[str], now: datetime
    ) -> list[dict[str, Any]]:
        """Withdraw every copy of a STIX object that still holds the identifier (the tombstones the feed just
        left included), leaving a tombstone redacted with ``redaction``; ``spared`` ids stay as they are."""
        done: list[dict[str, Any]] = []
        redact = partial(_redacted_tombstone, redaction, self._resign, uow)
        for hit in _stix_hits(uow, forms, uow.find(Forum)):
            if hit.stix_id in spared:
                continue
            every = uow.stix.versions_of(hit.forum_id, [hit.stix_id])
            owned = lineage(every, hit.owner_org)
            if not owned:
                continue
            taken = others_instants(every, hit.owner_org)
            stone = withdraw(uow, owned, owned, now, resign=redact, taken=taken)
            done.append(
                {
                    **hit.summary(),
                    "deleted": True,
                    "versions": len(owned),
                    "tombstone": stone.version if stone else None,
                }
            )
        return done


def _redacted_tombstone(
    forms: SubjectForms, resign: Resign, uow: UnitOfWork, body: dict[str, Any]
) -> dict[str, Any]:
    """The tombstone of an erased object: what STIX requires of it (free text, labels and custom properties
    dropped, as retention's tombstones have it), with every form of the identifier replaced, signed again.
    An indicator keeps fimihub's extension, whose record id and time let a peer's sync revoke its copy of
    the signal."""
    kept = {
        k: v
        for k, v in body.items()
        if k not in _DESCRIPTIVE
        and (k != "extensions" or body.get("type") == "indicator")
        and (not k.startswith("x_") or k in _TOMBSTONE_MARKS)
    }
    if "extensions" not in kept and (marks := tombstone_extensions(body.get("extensions"))):
        kept["extensions"] = marks  # its deletion mark, and the signature the hub renews
    redacted = forms.redacted(kept)
    assert isinstance(redacted, dict)
    return resign(uow, redacted)


def _require_controller(by: Caller) -> None:
    if not policy.may_administer_hub(by):
        raise PermissionDenied(
            "data-subject requests are the controller's: the hub operator or its admins (admin scope)"
        )


def _checked_ref(request_ref: Any) -> str:
    if not isinstance(request_ref, str) or not request_ref.strip():
        raise ValidationError("request_ref", "required: the reference of the data-subject request")
    ref = request_ref.strip()
    if len(ref) > _MAX_REF or not ref.isprintable():
        raise ValidationError("request_ref", f"must be at most {_MAX_REF} printable characters")
    return ref


def _checked_keep(keep: Any) -> set[str]:
    if isinstance(keep, str) or not isinstance(keep, Sequence | set | frozenset):
        raise ValidationError("keep", "must be a list of record or STIX object ids")
    if not all(isinstance(k, str) for k in keep):
        raise ValidationError("keep", "must be a list of record or STIX object ids")
    return set(keep)
