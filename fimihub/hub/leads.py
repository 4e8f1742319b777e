"""Lead intake and triage (``hub.leads``): partners' and users' reports, taken up or dismissed by the
organisations they are for.

A partner reporter submits a lead (``POST /api/v1/leads``) into a forum its organisation belongs to, or for
the organisations its marking names; a platform's own user-report pipeline posts its leads the same way,
owned by the platform. The analysts of every organisation that reads a lead see it in their **triage
queue** until their organisation triaged it, with the other leads they read that report the same URLs
linked as duplicates. **Triage** is one decision per organisation:

* attach the lead to one of the organisation's operations (``operation_id``),
* open a new operation from it (``new_operation``: the operation's fields; the lead's reporter is recorded as
  the external detection partner),
* or dismiss it (``dismiss``: the reason).

The reporter's lead gains a :class:`~fimihub.model.LeadOutcome` for that organisation (triaged or dismissed,
when, and a public ``outcome`` in words) and its ``status`` becomes ``triaged`` once any organisation took
it up, ``dismissed`` once every organisation that triaged it dismissed it. The organisation's internal detail
— which operation, why it dismissed — stays in its own copy of the lead (AMBER+STRICT, ``source_lead_id``
naming the reporter's lead), which the reporter never reads. A lead its own organisation triages (a user
report) is updated in place. Deciding twice is refused (:class:`Conflict`), and nothing changes.
"""

from __future__ import annotations

import builtins
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from fimihub import policy
from fimihub.errors import Conflict, NotFound, PermissionDenied, ValidationError
from fimihub.hub.core import Core, audit_event
from fimihub.model import TLP, Forum, Lead, LeadOutcome, LeadStatus, Marking, Operation, new_id
from fimihub.policy import Caller

if TYPE_CHECKING:  # the records service and the write path import the rest of the hub
    from fimihub.hub.records import Records
    from fimihub.hub.writes import WritePath

__all__ = ["Leads", "QueuedLead"]

_PAGE = 1000


@dataclass(frozen=True, slots=True)
class QueuedLead:
    """A lead waiting for the caller's organisation to triage it, with the other leads the caller reads that
    report any of the same URLs (``duplicates``, by id)."""

    lead: Lead
    duplicates: tuple[str, ...]


class Leads:
    """The triage queue and the triage decision (``hub.leads``)."""

    def __init__(self, core: Core, *, records: Records, writes: WritePath) -> None:
        self.core = core
        self.records = records
        self.writes = writes

    def queue(self, by: Caller) -> list[QueuedLead]:
        """The leads the caller's organisation reads and has not triaged yet, newest first."""
        actor = _analyst(by)
        readable = self._readable(by)
        waiting = [
            lead
            for lead in readable
            if lead.source_lead_id is None
            and not any(o.org_id == actor.org.id for o in lead.outcomes)
            and not (lead.owner_org == actor.org.id and lead.status is not LeadStatus.NEW)
        ]
        by_url: dict[str, set[str]] = {}
        for lead in readable:
            if lead.source_lead_id is None:
                for url in lead.urls:
                    by_url.setdefault(_url_key(url), set()).add(lead.id)
        queued = []
        for lead in sorted(waiting, key=lambda item: (item.created_at, item.id), reverse=True):
            same = set().union(*(by_url.get(_url_key(u), set()) for u in lead.urls)) - {lead.id}
            queued.append(QueuedLead(lead, tuple(sorted(same))))
        return queued

    def triage(self, by: Caller, lead_id: str, decision: Mapping[str, Any]) -> Lead:
        """Triage lead ``lead_id`` for the caller's organisation as ``decision`` says: exactly one of
        ``operation_id``, ``new_operation`` or ``dismiss``, and optionally ``outcome``, the public outcome
        the reporter reads. Returns the organisation's own view of the lead (its copy, or the lead itself
        when it is its own)."""
        actor = _analyst(by)
        chosen = [
            k for k in ("operation_id", "new_operation", "dismiss") if decision.get(k) not in (None, "")
        ]
        unknown = sorted(set(decision) - {"operation_id", "new_operation", "dismiss", "outcome"})
        if unknown:
            raise ValidationError(unknown[0], "unknown field (give operation_id, new_operation or dismiss)")
        if len(chosen) != 1:
            raise ValidationError("decision", "give exactly one of operation_id, new_operation or dismiss")
        outcome = decision.get("outcome", "")
        if not isinstance(outcome, str) or len(outcome) > 2000:
            raise ValidationError("outcome", "must be text of at most 2000 characters")
        lead = self._triageable(by, lead_id)
        operation_id: str | None = None
        reason = ""
        if chosen == ["operation_id"]:
            operation_id = decision["operation_id"]
            if not isinstance(operation_id, str):
                raise ValidationError("operation_id", "must be a string")
            operation = self.records.get(by, Operation, operation_id)
            if operation.owner_org != actor.org.id:
                raise ValidationError("operation_id", "name an operation of your own organisation")
        elif chosen == ["new_operation"]:
            fields = decision["new_operation"]
            if not isinstance(fields, Mapping):
                raise ValidationError("new_operation", "must be an object of the operation's fields")
            if lead.owner_org != actor.org.id:
                fields = {"detection_source": "external", "detection_partner": lead.owner_org, **fields}
            # Opened in its own transaction, once all else was checked; the triage below then records it.
            operation_id = self.records.create(by, Operation, fields).id
        else:
            reason = decision["dismiss"]
            if not isinstance(reason, str):
                raise ValidationError("dismiss", "must be the reason, as text")
        status = LeadStatus.DISMISSED if reason else LeadStatus.TRIAGED
        return self._record(by, lead.id, status, operation_id, reason, outcome)

    def _record(
        self,
        by: Caller,
        lead_id: str,
        status: LeadStatus,
        operation_id: str | None,
        reason: str,
        outcome: str,
    ) -> Lead:
        actor = _analyst(by)
        now = self.core.clock()
        with self.writes.open(by, publish=True) as uow:
            lead = uow.get(Lead, lead_id)
            if lead is None:
                raise NotFound(f"no lead {lead_id!r}")
            _not_decided(lead, actor.org.id)
            entry = LeadOutcome(org_id=actor.org.id, status=status, at=now, outcome=outcome)
            outcomes = (*lead.outcomes, entry)
            if lead.owner_org == actor.org.id:
                own = lead.model_copy(
                    update={
                        "status": status,
                        "operation_id": operation_id,
                        "reason": reason,
                        "outcomes": outcomes,
                        "modified_at": now,
                    }
                )
                uow.update(own)
            else:
                uow.update(
                    lead.model_copy(
                        update={"status": _overall(outcomes), "outcomes": outcomes, "modified_at": now}
                    )
                )
                own = Lead(
                    id=new_id("lead"),
                    owner_org=actor.org.id,
                    created_by=actor.member.id,
                    created_at=now,
                    modified_at=now,
                    marking=Marking(tlp=TLP.AMBER_STRICT),
                    title=lead.title,
                    description=lead.description,
                    urls=lead.urls,
                    platforms=lead.platforms,
                    status=status,
                    operation_id=operation_id,
                    reason=reason,
                    source_lead_id=lead.id,
                )
                uow.insert(own)
            detail = {"status": status.value, "operation_id": operation_id, "copy": own.id}
            audit_event(uow, by, "triage", "lead", lead.id, detail, now)
        return own

    def _triageable(self, by: Caller, lead_id: str) -> Lead:
        actor = _analyst(by)
        with self.core.store.unit_of_work(read_only=True) as uow:
            lead = uow.get(Lead, lead_id)
            forum = uow.get(Forum, lead.forum_id) if lead is not None and lead.forum_id else None
        if lead is None or not policy.may_read(by, lead, {forum.id: forum} if forum else {}):
            raise NotFound(f"no lead {lead_id!r}")
        if lead.source_lead_id is not None:
            raise ValidationError(
                "lead", f"{lead_id} is your copy of {lead.source_lead_id}: triage that lead"
            )
        if not policy.may_triage(by, lead, forum):
            raise PermissionDenied("triage needs an analyst or admin with the write scope")
        _not_decided(lead, actor.org.id)
        return lead

    def _readable(self, by: Caller) -> builtins.list[Lead]:
        found: builtins.list[Lead] = []
        after: str | None = None
        while True:
            page = self.records.list(by, Lead, after=after, limit=_PAGE)
            found.extend(page.items)
            if page.next_after is None:
                return found
            after = page.next_after


def _analyst(by: Caller) -> policy.Actor:
    actor = policy.actor_of(by)
    if actor is None:
        raise PermissionDenied("leads are triaged by an organisation's analysts, not by the operator")
    return actor


def _not_decided(lead: Lead, org_id: str) -> None:
    done = next((o for o in lead.outcomes if o.org_id == org_id), None)
    if done is None and lead.owner_org == org_id and lead.status is not LeadStatus.NEW:
        raise Conflict(f"lead {lead.id} was already {lead.status.value}")
    if done is not None:
        raise Conflict(
            f"lead {lead.id} was already {done.status.value} by your organisation on {done.at.date()}"
        )


def _overall(outcomes: tuple[LeadOutcome, ...]) -> LeadStatus:
    """A reporter's lead is triaged once any organisation took it up, dismissed once all that decided
    dismissed it."""
    if any(o.status is LeadStatus.TRIAGED for o in outcomes):
        return LeadStatus.TRIAGED
    return LeadStatus.DISMISSED if outcomes else LeadStatus.NEW


def _url_key(url: str) -> str:
    """A URL as duplicates compare: host without ``www.`` and path, case and trailing slash aside."""
    parts = urlsplit(url.strip() if "://" in url else "https://" + url.strip())
    host = (parts.hostname or "").lower().removeprefix("www.")
    return f"{host}{parts.path.rstrip('/').lower()}"
