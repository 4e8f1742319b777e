"""Collections → records: objects members post that the STIX mapping reads become records of the forum.

When a member posts objects into a collection (TAXII Add Objects), the versions that were stored are read
with :func:`~fimihub.exchange.stix.from_stix` in the same unit of work. Each record it yields — an operation
from a ``campaign``, a signal from an ``indicator`` whose pattern names something fimihub matches, feedback
from an ``opinion``, and whatever carries fimihub's extension — becomes a record of that forum:

* owned by the posting organisation and written by the posting member, whatever the objects claim;
* marked as strictly as the object's ``object_marking_refs`` say (or the forum's default TLP when they name
  none; fimihub's extension may only make it stricter), expiring as the forum's retention says;
* created when new; updated when the object is a newer version (by ``modified``) of a record the poster's
  organisation owns; left alone when it is the same or an older version — re-posting a feed changes nothing.
  A record of another organisation is never touched, nor one whose new version would move it into another
  forum or widen its marking (declassifying is the owner's admins' own act);
* withdrawn when the newest version is ``revoked: true``: a signal is marked revoked (it stops matching),
  other records are removed.

The access policy decides, record by record, whether the poster may write the record and share it into the
forum; what it refuses — and every object the mapping does not read — stays in the collection as raw STIX,
exactly as posted. It is not an error, but it is said: :meth:`StixIntake.read` returns, per object, why an
object (or part of it) became no record — an indicator whose pattern names nothing fimihub matches on, a
value a forum takes only keyed, a retired DISARM technique read as its successor, a granular marking that
made the record stricter — and the TAXII status carries those notes in the object's success message. Records
made here are not published back: the posted objects are already their STIX form in the collection.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from fimihub import policy
from fimihub.errors import Conflict, ValidationError
from fimihub.exchange.stix import StixImport, carrier_id, from_stix
from fimihub.hub.core import Core, audit_event
from fimihub.hub.preparing import prepare_posted_signal
from fimihub.hub.safeguards import Safeguards
from fimihub.hub.taxii.resources import TLP_MARKING_DEFINITIONS
from fimihub.model import TLP, Forum, Governed, Marking, Signal, parse
from fimihub.policy import Caller
from fimihub.storage import UnitOfWork
from fimihub.storage.base import StixEntry

__all__ = ["Intake", "StixIntake"]


@dataclass(frozen=True, slots=True)
class Intake:
    """What a post's objects became: the records created or changed, and notes by object id on what became
    no record, and why."""

    records: list[Governed] = field(default_factory=list)
    notes: dict[str, list[str]] = field(default_factory=dict)


class StixIntake:
    """Turning posted objects into records, under the hub's safeguards (used by the TAXII service)."""

    def __init__(self, core: Core, *, safeguards: Safeguards) -> None:
        self.core = core
        self.safeguards = safeguards

    def records_of(
        self, uow: UnitOfWork, by: Caller, forum: Forum, entries: Sequence[StixEntry]
    ) -> list[Governed]:
        """Called inside the write transaction with the object versions just posted into ``forum``; makes
        the records they carry and returns those it created or changed."""
        return self.read(uow, by, forum, entries).records

    def read(self, uow: UnitOfWork, by: Caller, forum: Forum, entries: Sequence[StixEntry]) -> Intake:
        """:meth:`records_of`, with the notes on what became no record (by object id)."""
        live = [e for e in entries if not e.tombstone]
        if not live:
            return Intake()
        owner, author = live[0].owner_org, live[0].created_by
        read, notes = _read([e.body for e in live], owner)
        if not read.records:
            return Intake(notes=notes)
        carriers = {e.stix_id: e for e in live}
        revoked = set(read.revoked)
        now = self.core.clock()
        records: list[Governed] = []
        answers: dict[_Envelope, bool] = {}  # the policy's answer per governance envelope
        for found in read.records:
            carrier = read.carrier_of(found) or _carrier(found) or ""
            entry = carriers.get(carrier)
            try:
                record = self._posted_record(found, entry, forum, owner, author, now) if entry else None
            except ValidationError as exc:
                notes.setdefault(carrier, []).append(f"{_what(found)}: {exc.errors[0][1]}")
                continue
            if record is None:
                continue
            if isinstance(record, Signal) and forum.signal_kinds is not None:
                try:
                    policy.check_forum_takes(forum, record.kind)
                except ValidationError as exc:
                    notes.setdefault(carrier, []).append(f"{_what(found)}: {exc.errors[0][1]}")
                    continue
            if not _allowed(by, record, forum, answers):
                notes.setdefault(carrier, []).append(
                    f"{_what(found)}: the access policy keeps it from a record"
                )
                continue
            kept = self.safeguards.posted(uow, by, record)
            if kept is not None:
                records.append(kept)
        made, removed = _write(uow, records, owner, revoked)
        self.safeguards.posted_written(uow, by, made)
        if made or removed:
            audit_event(
                uow,
                by,
                "stix.records",
                "stix_collection",
                forum.id,
                {
                    "written": [r.id for r in made[:1000]],
                    "removed": removed[:1000],
                    "count": len(made) + len(removed),
                },
                now,
            )
        return Intake(made, notes)

    def _posted_record(
        self,
        found: Governed,
        entry: StixEntry,
        forum: Forum,
        owner: str,
        author: str | None,
        now: datetime,
    ) -> Governed | None:
        """``found`` with the governance of the post: the poster's, in ``forum``, marked as the object is.

        ``found`` was validated when the mapping read it, and what changes here is the hub's own: the
        poster's ids, the forum, a marking validated on its own and the expiry the policy gives, so the record
        is copied with them rather than validated whole again."""
        refs = entry.body.get("object_marking_refs") or ()
        named = any(isinstance(r, str) and r in TLP_MARKING_DEFINITIONS for r in refs)
        tlp = max(found.marking.tlp, entry.marking.tlp, key=lambda t: t.rank) if named else entry.marking.tlp
        record = found.model_copy(
            update={
                "owner_org": owner,
                "created_by": author,
                "forum_id": forum.id,
                "marking": _marking_at(found.marking, tlp),
                "expires_at": policy.expiry_for(
                    now,
                    record_expires_at=found.expires_at,
                    forum=forum,
                    default_days=self.core.settings.default_retention_days,
                ),
            }
        )
        if not isinstance(record, Signal):
            return record
        return prepare_posted_signal(record)  # ValidationError: the value is not one of its kind


def _marking_at(marking: Marking, tlp: TLP) -> Marking:
    """``marking`` at level ``tlp``; recipients named for another level do not fit a stricter one, and are
    dropped then."""
    if marking.tlp is tlp:
        return marking
    try:
        return parse(Marking, {**marking.model_dump(), "tlp": tlp})
    except ValidationError:
        return parse(Marking, {"tlp": tlp, "pap": marking.pap})


def _write(
    uow: UnitOfWork, records: Sequence[Governed], owner: str, revoked: set[str]
) -> tuple[list[Governed], list[str]]:
    """Store the records of a post: the new ones in one statement when none of them is held yet (the usual
    case, a feed of new objects), otherwise one by one. Returns the records written and the ids removed."""
    fresh = [r for r in records if r.id not in revoked or isinstance(r, Signal)]
    if len(fresh) == len(records) and fresh:
        try:
            uow.insert_many(fresh)
            return list(fresh), []
        except Conflict:
            pass  # some are held already: decide on each
    made: list[Governed] = []
    removed: list[str] = []
    for record in records:
        kind = type(record)
        held = uow.get(kind, record.id)
        if held is not None and (held.owner_org != owner or _moves_or_widens(held, record)):
            continue
        if record.id in revoked and not isinstance(record, Signal):
            if held is not None and uow.delete(kind, record.id):
                removed.append(record.id)
            continue
        if held is None:
            uow.insert(record)
        elif record.modified_at > held.modified_at:
            uow.update(record)
        else:
            continue
        made.append(record)
    return made, removed


def _moves_or_widens(held: Governed, record: Governed) -> bool:
    """Whether a posted version would move a held record into another forum or widen its marking: a post
    does neither (sharing moves a record, only the owner's admins declassify one); the posted object stays
    in the collection as raw STIX."""
    return held.forum_id != record.forum_id or policy.widening(held.marking, record.marking) is not None


def _read(bodies: list[dict[str, Any]], owner: str) -> tuple[StixImport, dict[str, list[str]]]:
    """What the mapping reads from ``bodies``, and its notes by object id; objects it cannot read are left
    out rather than failing the others, with the reason as their note."""
    notes: dict[str, list[str]] = {}
    try:
        return _noted(from_stix(bodies, default_owner=owner), notes)
    except ValidationError:
        pass
    readable: list[dict[str, Any]] = []
    for body in bodies:
        try:
            from_stix([body], default_owner=owner)
        except ValidationError as exc:
            notes.setdefault(str(body.get("id", "")), []).append(
                f"not read: {exc.errors[0][0]}: {exc.errors[0][1]}"
            )
            continue
        readable.append(body)
    try:
        return _noted(from_stix(readable, default_owner=owner), notes)
    except ValidationError:
        return StixImport(), notes


def _noted(read: StixImport, notes: dict[str, list[str]]) -> tuple[StixImport, dict[str, list[str]]]:
    for stix_id, note in read.notes:
        notes.setdefault(stix_id, []).append(note)
    return read, notes


def _what(record: Governed) -> str:
    """A record named for a note: a signal by its kind and value, others by their type."""
    if isinstance(record, Signal):
        return f"{record.kind.value} signal {record.value!r}"
    return type(record).__name__.lower()


def _carrier(record: Governed) -> str | None:
    try:
        return carrier_id(record)
    except ValidationError:
        return None


#: What the access policy decides on: the record's type and governance, never its id or content.
_Envelope = tuple[type[Governed], str, str | None, str | None, Marking]


def _allowed(by: Caller, record: Governed, forum: Forum, answers: dict[_Envelope, bool]) -> bool:
    """Whether the poster may write ``record`` and share it into ``forum``, as the access policy says;
    ``answers`` keeps its answer for the other records of the post with the same envelope."""
    envelope = (type(record), record.owner_org, record.created_by, record.forum_id, record.marking)
    answer = answers.get(envelope)
    if answer is None:
        answer = answers[envelope] = policy.may(by, policy.Act.WRITE, record, forum=forum) and policy.may(
            by, policy.Act.SHARE, record, forum=forum
        )
    return answer
