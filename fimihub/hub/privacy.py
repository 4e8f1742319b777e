"""Privacy operations of the hub: retention (records and STIX objects purged when they expire, legal holds
kept) and the facts a data-protection impact assessment needs (each forum's policies and holdings).
Data-subject requests are :mod:`fimihub.hub.subjects`."""

from __future__ import annotations

from datetime import datetime

from fimihub.hub.admin import require_hub_admin
from fimihub.hub.core import Core, audit_event
from fimihub.hub.matching import Matching
from fimihub.hub.taxii.retention import purge_expired_stix
from fimihub.model import Case, Forum, Governed, Organisation, Signal, SignalKind
from fimihub.policy import Caller
from fimihub.reporting.dpia import DpiaFacts, ForumFacts, RecipientFacts
from fimihub.settings import Settings
from fimihub.storage import FILTERABLE, UnitOfWork
from fimihub.storage.base import RECORD_TYPES
from fimihub.vocab import EEA

__all__ = ["Privacy", "dpia_facts"]


class Privacy:
    """Retention and the DPIA's facts (``hub.privacy``)."""

    def __init__(self, core: Core, *, matching: Matching) -> None:
        self.core = core
        self.matching = matching

    def run(self, by: Caller) -> dict[str, int]:
        """Purge every record whose expiry has passed, and what has expired in the TAXII collections (see
        :mod:`fimihub.hub.taxii.retention`); returns how many of each kind went. A case under legal hold
        keeps itself, its operations and everything of theirs (:attr:`Case.legal_hold`)."""
        require_hub_admin(by)
        now = self.core.clock()
        with self.core.store.unit_of_work() as uow:
            held = [c for c in uow.find(Case) if c.legal_hold]
            held_operations = sorted({o for c in held for o in c.operation_ids})
            purged = uow.purge_expired(
                now, held_ids=[c.id for c in held] + held_operations, held_operations=held_operations
            )
            purged.update(purge_expired_stix(uow, now))
            audit_event(
                uow,
                by,
                "retention.purge",
                "store",
                None,
                {"purged": purged, "held_cases": [c.id for c in held]},
                now,
            )
        self.matching.forget()  # rebuilt from what is left on next use
        return purged

    def dpia(self, by: Caller) -> DpiaFacts:
        """The facts a data-protection impact assessment needs, from every forum's policy and holdings
        (hub admins): render them with :func:`fimihub.reporting.dpia.render_dpia`."""
        require_hub_admin(by)
        with self.core.store.unit_of_work(read_only=True) as uow:
            return dpia_facts(uow, self.core.settings, self.core.clock())


def dpia_facts(uow: UnitOfWork, settings: Settings, now: datetime) -> DpiaFacts:
    """What the store says of every forum: purpose, basis, holdings, recipients, transfers."""
    orgs = {o.id: o for o in uow.find(Organisation)}
    forums = sorted(uow.find(Forum), key=lambda f: (f.name, f.id))
    head = uow.audit_head()
    return DpiaFacts(
        hub_name=settings.hub_name,
        as_of=now.isoformat(timespec="seconds"),
        forums=[_forum(uow, forum, orgs) for forum in forums],
        organisations=len(orgs),
        organisations_with_identifier_key=sum(o.identifier_key is not None for o in orgs.values()),
        token_max_ttl_days=settings.token_max_ttl_days,
        retention_interval_hours=settings.retention_interval_hours,
        audit_events=head[0] if head else 0,
    )


def _forum(uow: UnitOfWork, forum: Forum, orgs: dict[str, Organisation]) -> ForumFacts:
    records: dict[str, int] = {}
    for kind, name in RECORD_TYPES.items():
        if issubclass(kind, Governed) and "forum_id" in FILTERABLE[kind]:
            count = uow.count(kind, where={"forum_id": forum.id})
            if count:
                records[name] = count
    signal_kinds: dict[str, int] = {}
    for signal_kind in SignalKind:
        count = uow.count(Signal, where={"forum_id": forum.id, "kind": signal_kind.value})
        if count:
            signal_kinds[signal_kind.value] = count
    return ForumFacts(
        name=forum.name,
        purpose=forum.purpose,
        lawful_basis=forum.lawful_basis,
        default_tlp=forum.default_tlp.value,
        retention_days=forum.retention_days,
        human_review_required=forum.human_review_required,
        pseudonymised=forum.pseudonymisation_key_id is not None,
        clear_account_ids=forum.clear_account_ids,
        public_authority_access=forum.public_authority_access,
        signal_kinds_taken=None
        if forum.signal_kinds is None
        else sorted(k.value for k in forum.signal_kinds),
        recipients=[_recipient(orgs[o]) for o in sorted(forum.member_orgs) if o in orgs],
        records=records,
        signal_kinds=signal_kinds,
        personal_kinds=sorted(k for k in signal_kinds if SignalKind(k).personal),
    )


def _recipient(org: Organisation) -> RecipientFacts:
    country = org.country
    return RecipientFacts(
        name=org.name,
        kind=org.kind.value,
        country=country,
        in_eea=None if country is None else country in EEA,
    )
