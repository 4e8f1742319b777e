"""Transparency reports of one organisation (``hub.reporting``): the covert influence operations report and
the Code of Practice Commitment 16 report, computed from the store, rendered by :mod:`fimihub.reporting`.

A report is the organisation's own: its actions, operations, matches and shares, and of other organisations'
records only what a reader of the organisation may read (decided by :mod:`fimihub.policy` for a reader of
that organisation, whoever asks, so the same store gives the same report to every caller allowed to ask).
Who may ask: the hub's operator, and active members of the organisation with a reading role (admins,
analysts, reviewers, readers; not partner reporters) holding the ``read`` scope; members of any other
organisation may not.

Two things reports keep in the store, both as audit events, because the audit log already is what they
need: append-only, ordered, naming who wrote each entry and when, and tamper-evident.

* **Analyst text** (``report.text``): each write of a section is a new version; the newest is used, and the
  earlier ones stay readable (:meth:`Reporting.text_history`).
* **Frozen reports** (``report.freeze``): a report as published, kept as the SHA-256 of its JSON document and
  the ids of every record it counts; :meth:`Reporting.verify` builds it again from today's store and says
  whether it is still the same, and which inputs went or came.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from fimihub import policy
from fimihub.errors import NotFound, PermissionDenied, ValidationError
from fimihub.hub.core import Core, audit_event
from fimihub.model import (
    Action,
    Asset,
    AuditEvent,
    Disclosure,
    Feedback,
    Forum,
    Governed,
    Match,
    Member,
    Operation,
    Organisation,
    Role,
    Scope,
    Signal,
)
from fimihub.model._base import MAX_TEXT
from fimihub.policy import Caller
from fimihub.reporting.c16 import C16_SECTIONS, build_c16
from fimihub.reporting.cio import build_cio
from fimihub.reporting.document import Report
from fimihub.reporting.inputs import AnalystText, ReportInputs
from fimihub.reporting.periods import Period, parse_period
from fimihub.reporting.render import render_json
from fimihub.storage import UnitOfWork
from fimihub.storage.base import Visibility

__all__ = ["REPORT_KINDS", "FrozenReport", "Reporting", "Verification"]

#: The reports, and the periods each covers.
REPORT_KINDS: dict[str, tuple[str, ...]] = {"cio": ("month", "quarter"), "c16": ("half-year",)}
#: Earlier periods the covert influence operations report shows trends over.
_TREND_PERIODS = 4
_READERS = frozenset({Role.ADMIN, Role.ANALYST, Role.REVIEWER, Role.READER})
_WRITERS = frozenset({Role.ADMIN, Role.ANALYST})
# Records that go out to forums as shares, and come in from them.
_SHARED_KINDS: tuple[type[Governed], ...] = (Operation, Asset, Signal)


@dataclass(frozen=True, slots=True)
class FrozenReport:
    """A report frozen as published: where it is kept (``audit:<seq>``), what it was, and its fingerprint."""

    ref: str
    kind: str
    org_id: str
    period: str
    sha256: str
    inputs: tuple[str, ...]
    frozen_at: datetime
    frozen_by: str

    def to_json(self) -> dict[str, Any]:
        return {
            "ref": self.ref,
            "report": self.kind,
            "org": self.org_id,
            "period": self.period,
            "sha256": self.sha256,
            "inputs": len(self.inputs),
            "frozen_at": self.frozen_at.isoformat(),
            "frozen_by": self.frozen_by,
        }


@dataclass(frozen=True, slots=True)
class Verification:
    """A frozen report checked against the store: ``same`` when today's report hashes the same."""

    frozen: FrozenReport
    sha256: str
    missing: tuple[str, ...]
    added: tuple[str, ...]

    @property
    def same(self) -> bool:
        return self.sha256 == self.frozen.sha256

    def to_json(self) -> dict[str, Any]:
        return {
            "frozen": self.frozen.to_json(),
            "same": self.same,
            "sha256": self.sha256,
            "missing_inputs": list(self.missing),
            "added_inputs": list(self.added),
        }


class Reporting:
    """Builds, keeps and checks an organisation's transparency reports (``hub.reporting``)."""

    def __init__(self, core: Core) -> None:
        self.core = core

    # -- reports ------------------------------------------------------------------------------------------

    def report(self, by: Caller, kind: str, org: str, period: str) -> Report:
        """The ``kind`` report (``cio`` or ``c16``) of organisation ``org`` (its id or exact name) for
        ``period`` (``2025-03``, ``2025-Q1`` for ``cio``; ``2025-H1`` for ``c16``)."""
        if kind not in REPORT_KINDS:
            raise ValidationError("report", f"{kind!r} is not a report: one of {', '.join(REPORT_KINDS)}")
        parsed = parse_period(period, now=self.core.clock(), kinds=REPORT_KINDS[kind])
        with self.core.store.unit_of_work(read_only=True) as uow:
            organisation = _organisation(uow, org)
            _require_reporter(by, organisation.id)
            history = parsed.before(_TREND_PERIODS) if kind == "cio" else []
            inputs = _gather(uow, organisation, parsed, tuple(history))
        return build_cio(inputs) if kind == "cio" else build_c16(inputs)

    def cio(self, by: Caller, org: str, period: str) -> Report:
        """The covert influence operations report for a month or a quarter."""
        return self.report(by, "cio", org, period)

    def c16(self, by: Caller, org: str, period: str) -> Report:
        """The Code of Practice Commitment 16 report for a half-year."""
        return self.report(by, "c16", org, period)

    # -- analyst text ---------------------------------------------------------------------------------------

    def write_text(self, by: Caller, org: str, period: str, section: str, text: str) -> AnalystText:
        """Keep a new version of an analyst's section of the C16 report of ``org`` for ``period``: one of
        :data:`~fimihub.reporting.c16.C16_SECTIONS`, or ``case:<operation id>`` for a QRE 16.2.1 case
        study (admins and analysts of the organisation, with the ``write`` scope; the operator)."""
        parsed = parse_period(period, now=self.core.clock(), kinds=REPORT_KINDS["c16"])
        if section not in C16_SECTIONS and not (
            section.startswith("case:operation--") and len(section) < 250
        ):
            raise ValidationError(
                "section", f"{section!r}: one of {', '.join(sorted(C16_SECTIONS))}, or case:<operation id>"
            )
        if len(text) > MAX_TEXT:
            raise ValidationError("text", f"longer than {MAX_TEXT} characters")
        now = self.core.clock()
        with self.core.store.unit_of_work() as uow:
            organisation = _organisation(uow, org)
            _require_reporter(by, organisation.id, write=True)
            earlier = [t for t in _texts(uow, organisation.id, parsed.label) if t[0] == section]
            detail = {"report": "c16", "period": parsed.label, "section": section, "text": text}
            event = audit_event(uow, by, "report.text", "report", organisation.id, detail, now)
        return AnalystText(section, text, len(earlier) + 1, event.actor, f"audit:{event.seq}")

    def text_history(self, by: Caller, org: str, period: str, section: str) -> list[AnalystText]:
        """Every version of a section, oldest first."""
        parsed = parse_period(period, now=self.core.clock(), kinds=REPORT_KINDS["c16"])
        with self.core.store.unit_of_work(read_only=True) as uow:
            organisation = _organisation(uow, org)
            _require_reporter(by, organisation.id)
            versions = [t[1] for t in _texts(uow, organisation.id, parsed.label) if t[0] == section]
        return [
            AnalystText(section, v.detail["text"], n, v.actor, f"audit:{v.seq}")
            for n, v in enumerate(versions, start=1)
        ]

    # -- frozen reports -------------------------------------------------------------------------------------

    def freeze(self, by: Caller, kind: str, org: str, period: str) -> tuple[Report, FrozenReport]:
        """Build the report and keep its fingerprint and inputs (admins and analysts of the organisation;
        the operator), audited as ``report.freeze``."""
        report = self.report(by, kind, org, period)
        digest = report_sha256(report)
        org_id = report.data["organisation"]["id"]
        label = report.data["period"]["label"]
        now = self.core.clock()
        with self.core.store.unit_of_work() as uow:
            _require_reporter(by, org_id, write=True)
            detail = {"report": kind, "period": label, "sha256": digest, "inputs": list(report.inputs)}
            event = audit_event(uow, by, "report.freeze", "report", org_id, detail, now)
        return report, _frozen(event)

    def frozen(self, by: Caller, org: str) -> list[FrozenReport]:
        """The organisation's frozen reports, oldest first."""
        with self.core.store.unit_of_work(read_only=True) as uow:
            organisation = _organisation(uow, org)
            _require_reporter(by, organisation.id)
            return [_frozen(e) for e in _events(uow, "report.freeze", organisation.id)]

    def verify(self, by: Caller, ref: str) -> Verification:
        """Build a frozen report (``audit:<seq>``, or the seq alone) again from the store and compare."""
        seq_text = ref.removeprefix("audit:")
        if not seq_text.isdigit():
            raise ValidationError("ref", f"{ref!r}: a frozen report is named audit:<seq>")
        with self.core.store.unit_of_work(read_only=True) as uow:
            event = next(uow.audit_events(after_seq=int(seq_text) - 1, limit=1), None)
            if event is None or event.seq != int(seq_text) or event.action != "report.freeze":
                raise NotFound(f"no frozen report {ref}")
            if event.subject_id is None:
                raise NotFound(f"no frozen report {ref}")
            _require_reporter(by, event.subject_id)
        frozen = _frozen(event)
        report = self.report(by, frozen.kind, frozen.org_id, frozen.period)
        now_inputs = set(report.inputs)
        return Verification(
            frozen,
            report_sha256(report),
            tuple(sorted(set(frozen.inputs) - now_inputs)),
            tuple(sorted(now_inputs - set(frozen.inputs))),
        )


def report_sha256(report: Report) -> str:
    """The SHA-256 of the report's JSON document: what a frozen report is checked by."""
    return hashlib.sha256(render_json(report).encode("utf-8")).hexdigest()


# -- access ------------------------------------------------------------------------------------------------


def _organisation(uow: UnitOfWork, org: str) -> Organisation:
    """The organisation ``org`` names: its id, else its exact name (case aside)."""
    found = uow.get(Organisation, org)
    if found is not None:
        return found
    named = [o for o in uow.find(Organisation) if o.name.casefold() == org.strip().casefold()]
    if len(named) > 1:
        raise ValidationError("org", f"{org!r} names {len(named)} organisations: give its id")
    if not named:
        raise NotFound(f"no organisation {org!r}")
    return named[0]


def _require_reporter(by: Caller, org_id: str, *, write: bool = False) -> None:
    """Refuse unless ``by`` may report for ``org_id``: the operator, or an active member of that organisation
    with a reading role (for ``write``: admin or analyst) and the token scope."""
    if not policy.acts_for_org(by, org_id):
        raise PermissionDenied("a report is its organisation's: only its members produce it")
    actor = policy.actor_of(by)
    if actor is None:
        return
    roles = _WRITERS if write else _READERS
    scope = Scope.WRITE if write else Scope.READ
    if not actor.member.active or not actor.member.roles & roles or not policy.allows(by, scope):
        what = "keep report text or freeze reports" if write else "produce reports"
        raise PermissionDenied(f"{actor.member.id} may not {what} of its organisation")


# -- gathering ---------------------------------------------------------------------------------------------


def _gather(uow: UnitOfWork, org: Organisation, period: Period, history: tuple[Period, ...]) -> ReportInputs:
    """What the reports of ``org`` count, read as a reader of the organisation reads."""
    all_forums = sorted(uow.find(Forum), key=lambda f: f.id)
    forums = {f.id: f for f in all_forums}
    reader = policy.Actor.of(
        Member(id=f"report-reader:{org.id}", org_id=org.id, name="report reader", roles={Role.READER}),
        org,
        all_forums,
        {Scope.READ},
    )

    def readable(records: list[Any]) -> list[Any]:
        return [r for r in records if policy.may_read(reader, r, forums)]

    actions = uow.find(Action, where={"owner_org": org.id})
    operations = {o.id: o for o in readable(uow.find(Operation)) if isinstance(o, Operation)}
    wanted = {o.id for o in operations.values() if o.owner_org == org.id}
    wanted |= {a.operation_id for a in actions if a.operation_id}
    wanted |= {c for o in list(operations.values()) if o.id in wanted for c in o.continues}
    wanted |= {o.id for o in operations.values() if wanted.intersection(o.continues)}
    assets: dict[str, Asset] = {a.id: a for a in uow.find(Asset, where={"owner_org": org.id})}
    for operation_id in sorted(wanted & set(operations)):
        for asset in readable(uow.find(Asset, where={"operation_id": operation_id})):
            assets[asset.id] = asset
    mine = [f for f in all_forums if org.id in f.member_orgs]
    shared: list[Governed] = []
    received: list[Governed] = []
    visible = Visibility(org.id, reader.member.id, frozenset(f.id for f in mine))
    for kind in _SHARED_KINDS:
        shared += [r for r in uow.find(kind, where={"owner_org": org.id}) if r.forum_id is not None]
        for forum in mine:
            found = uow.find(kind, where={"forum_id": forum.id}, visible=visible)
            received += [r for r in readable(found) if r.owner_org != org.id]
    own_ids = {r.id for r in shared} | {o.id for o in operations.values() if o.owner_org == org.id}
    feedback = readable([f for forum in mine for f in uow.find(Feedback, where={"forum_id": forum.id})])
    texts = _latest_texts(uow, org.id, period.label)
    signals, disclosures = _peer_disclosures(
        uow, readable, {a.operation_id for a in actions} & set(operations)
    )
    return ReportInputs(
        org=org,
        period=period,
        history=history,
        org_names={o.id: o.name for o in uow.find(Organisation)},
        forums=tuple(mine),
        actions=tuple(sorted(actions, key=lambda a: a.id)),
        operations=operations,
        assets=tuple(sorted(assets.values(), key=lambda a: a.id)),
        matches=tuple(sorted(uow.find(Match, where={"owner_org": org.id}), key=lambda m: m.id)),
        feedback_sent=tuple(sorted(uow.find(Feedback, where={"owner_org": org.id}), key=lambda f: f.id)),
        feedback_received=tuple(
            sorted(
                (f for f in feedback if f.owner_org != org.id and f.subject_id in own_ids),
                key=lambda f: f.id,
            )
        ),
        shared=tuple(sorted(shared, key=lambda r: r.id)),
        received=tuple(sorted(received, key=lambda r: r.id)),
        texts=texts,
        signals=signals,
        disclosures=disclosures,
    )


def _peer_disclosures(
    uow: UnitOfWork, readable: Callable[[list[Any]], list[Any]], operation_ids: set[str | None]
) -> tuple[tuple[Signal, ...], tuple[Disclosure, ...]]:
    """The signals of the operations acted on, and the peers' disclosures (that the organisation may read)
    owning signals of the same kind and value, with those signals."""
    disclosures = readable(uow.find(Disclosure))
    if not disclosures:
        return (), ()
    found: dict[str, Signal] = {}
    for operation_id in sorted(i for i in operation_ids if i is not None):
        found.update((s.id, s) for s in readable(uow.find(Signal, where={"operation_id": operation_id})))
    owner = {signal_id: d.id for d in disclosures for signal_id in d.signal_ids}
    used: set[str] = set()
    for kind, value in sorted({(s.kind.value, s.value) for s in found.values()}):
        for signal in readable(uow.find(Signal, where={"kind": kind, "value": value})):
            if signal.id in owner:
                found[signal.id] = signal
                used.add(owner[signal.id])
    kept = tuple(sorted((d for d in disclosures if d.id in used), key=lambda d: d.id))
    return tuple(sorted(found.values(), key=lambda s: s.id)), kept


def _events(uow: UnitOfWork, action: str, org_id: str) -> Iterator[AuditEvent]:
    for event in uow.audit_events():
        if event.action == action and event.subject_type == "report" and event.subject_id == org_id:
            yield event


def _texts(uow: UnitOfWork, org_id: str, period: str) -> list[tuple[str, AuditEvent]]:
    return [
        (e.detail.get("section", ""), e)
        for e in _events(uow, "report.text", org_id)
        if e.detail.get("period") == period
    ]


def _latest_texts(uow: UnitOfWork, org_id: str, period: str) -> dict[str, AnalystText]:
    latest: dict[str, AnalystText] = {}
    counts: dict[str, int] = {}
    for section, event in _texts(uow, org_id, period):
        counts[section] = counts.get(section, 0) + 1
        latest[section] = AnalystText(
            section, str(event.detail.get("text", "")), counts[section], event.actor, f"audit:{event.seq}"
        )
    return latest


def _frozen(event: AuditEvent) -> FrozenReport:
    detail = event.detail
    return FrozenReport(
        ref=f"audit:{event.seq}",
        kind=str(detail["report"]),
        org_id=event.subject_id or "",
        period=str(detail["period"]),
        sha256=str(detail["sha256"]),
        inputs=tuple(detail.get("inputs", ())),
        frozen_at=event.at,
        frozen_by=event.actor,
    )
