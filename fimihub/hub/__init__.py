"""The composition root: :class:`Hub` builds one service per capability over a store, with its dependencies.

The CLI, the REST and TAXII APIs and the console are thin shells over it; anything they can do, a user can do
with ``import fimihub``. Every service checks each request against :mod:`fimihub.policy` before it touches a
record. The services, and what each holds:

==================  ==========================================================================================
``hub.records``     shareable records: create, get, list, update, share, declassify, delete
``hub.admin``       organisations, members, forums, API tokens, authentication
``hub.audit``       the audit log: events, signed head, anchors, verification
``hub.keys``        forum keys, and personal identifiers hashed with them
``hub.identifiers`` organisations' identifier keys; platform ids sealed and keyed
``hub.matching``    the matcher over every active signal, lookups, match review, allow-lists
``hub.scanning``    platform exports scanned into the review queue
``hub.queueing``    hits into review items: each once, grouped per account and operation, floods quarantined
``hub.review``      the review queue: items listed, decided (actions, feedback to sharers), quarantine
``hub.coordination`` co-action networks and communities of a member's own data
``hub.resurgence``  fingerprints of disrupted operations, and the scan for their return
``hub.safeguards``  second review of actions, review before enforcement, overturn notices
``hub.government``  the register of government requests for data
``hub.taxii``       the TAXII 2.1 collections (one per forum)
``hub.peers``       federation: peers, trusted keys, syncs
``hub.signer``      this hub's signing key: what it publishes is signed, what arrives is checked
``hub.cases``       joint investigations: tasks, checklist, monetisation assets, timeline
``hub.lifecycle``   an operation's moves along its life and its assessments, with their history
``hub.leads``       lead intake: the triage queue, and each organisation's triage of a lead
``hub.privacy``     retention, and the facts of a data-protection impact assessment
``hub.subjects``    data-subject requests: find, export, rectify, erase
``hub.psi``         private matching sessions between two organisations
``hub.disclosures`` peers' disclosures imported (Meta, STIX, MISP, CSV) and compared with a member's own
``hub.reporting``   transparency reports: covert influence operations, Code of Practice C16
``hub.writes``      the one write path (unit of work, audit, publication, matcher refresh)
==================  ==========================================================================================

The record verbs (``hub.create``, ``hub.get``, ``hub.list``, ``hub.update``, ``hub.share``,
``hub.declassify``, ``hub.delete``, ``hub.revoke_signal``) and ``hub.match`` / ``hub.scan`` are kept as
shortcuts: they are what most scripts call.

Callers are either an :class:`~fimihub.policy.Actor` (a member, usually behind an API token) or the
:class:`~fimihub.policy.Operator` — whoever runs the hub's host and its command line.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from fimihub.hub.admin import Administration, IssuedToken
from fimihub.hub.audit import AuditLog
from fimihub.hub.cases import Cases
from fimihub.hub.coordination import COORDINATION_STEPS, Coordination, CoordinationReport
from fimihub.hub.core import Core
from fimihub.hub.disclosures import Disclosures, ImportSummary, Overlap
from fimihub.hub.government import GovernmentRegister, GovernmentRequest
from fimihub.hub.identifiers import Identifiers
from fimihub.hub.keys import ForumKeys
from fimihub.hub.kinds import RECORD_KINDS
from fimihub.hub.leads import Leads
from fimihub.hub.lifecycle import Lifecycle
from fimihub.hub.matching import ItemMatches, Matching
from fimihub.hub.pages import Page
from fimihub.hub.peers import Peers
from fimihub.hub.privacy import Privacy
from fimihub.hub.psi import PsiRelay
from fimihub.hub.queueing import Queueing
from fimihub.hub.records import Records, filterable_fields
from fimihub.hub.reporting import Reporting
from fimihub.hub.resurgence import Resurgence, ResurgenceSummary
from fimihub.hub.review import ReviewQueue
from fimihub.hub.safeguards import Safeguards
from fimihub.hub.scanning import SCAN_ENGINES, Scanning, ScanSummary
from fimihub.hub.signatures import HubKey, HubSigner
from fimihub.hub.subjects import SubjectRequests
from fimihub.hub.taxii import Taxii
from fimihub.hub.taxii.intake import StixIntake
from fimihub.hub.writes import WritePath
from fimihub.model import utcnow
from fimihub.policy import Caller, Operator
from fimihub.settings import Settings
from fimihub.storage import Store, open_store

__all__ = [
    "COORDINATION_STEPS",
    "RECORD_KINDS",
    "SCAN_ENGINES",
    "Caller",
    "CoordinationReport",
    "GovernmentRequest",
    "Hub",
    "HubKey",
    "ImportSummary",
    "IssuedToken",
    "ItemMatches",
    "Operator",
    "Overlap",
    "Page",
    "ResurgenceSummary",
    "ScanSummary",
    "filterable_fields",
]


class Hub:
    """A fimihub hub over one store: its services, built with their dependencies."""

    def __init__(
        self, store: Store, settings: Settings | None = None, *, clock: Callable[[], datetime] = utcnow
    ) -> None:
        self.store = store
        self._settings = settings or Settings()
        self._clock = clock
        self._build()

    def _build(self) -> None:
        core = self.core = Core(self.store, self._settings, self._clock)
        self.admin = Administration(core)
        self.audit = AuditLog(core)
        self.keys = ForumKeys(core)
        self.identifiers = Identifiers(core)
        self.signer = HubSigner(self.store)
        self.queueing = Queueing(core)
        self.matching = Matching(core, identifiers=self.identifiers, queueing=self.queueing)
        self.writes = WritePath(core, matching=self.matching)
        self.safeguards = Safeguards(core, writes=self.writes)
        self.government = GovernmentRegister(core)
        self.records = Records(core, writes=self.writes, safeguards=self.safeguards)
        self.leads = Leads(core, records=self.records, writes=self.writes)
        self.cases = Cases(core, records=self.records, writes=self.writes)
        self.scanning = Scanning(
            core, matching=self.matching, identifiers=self.identifiers, queueing=self.queueing
        )
        self.review = ReviewQueue(
            core, writes=self.writes, safeguards=self.safeguards, queueing=self.queueing
        )
        self.coordination = Coordination()
        self.resurgence = Resurgence(
            core, records=self.records, identifiers=self.identifiers, queueing=self.queueing
        )
        self.lifecycle = Lifecycle(core, writes=self.writes, resurgence=self.resurgence)
        intake = StixIntake(core, safeguards=self.safeguards)
        self.taxii = Taxii(core, writes=self.writes, intake=intake, signer=self.signer)
        self.peers = Peers(core, taxii=self.taxii, signer=self.signer)
        self.privacy = Privacy(core, matching=self.matching)
        resign = self.signer.signed_tombstone
        self.subjects = SubjectRequests(core, writes=self.writes, records=self.records, resign=resign)
        self.psi = PsiRelay(core)
        self.disclosures = Disclosures(core, writes=self.writes)
        self.reporting = Reporting(core)
        # Shortcuts: the record verbs, matching and scanning, which most scripts call.
        self.create = self.records.create
        self.create_many = self.records.create_many
        self.get = self.records.get
        self.list = self.records.list
        self.update = self.records.update
        self.share = self.records.share
        self.declassify = self.records.declassify
        self.delete = self.records.delete
        self.revoke_signal = self.records.revoke_signal
        self.match = self.matching.match
        self.scan = self.scanning.scan

    @property
    def settings(self) -> Settings:
        return self._settings

    @settings.setter
    def settings(self, settings: Settings) -> None:
        """New settings: the services are built again with them (the matcher is rebuilt on next use)."""
        self._settings = settings
        self._build()

    @property
    def clock(self) -> Callable[[], datetime]:
        return self._clock

    @clock.setter
    def clock(self, clock: Callable[[], datetime]) -> None:
        """A new clock (tests move time on): the services are built again with it."""
        self._clock = clock
        self._build()

    @classmethod
    def open(cls, settings: Settings | None = None, *, upgrade: bool = True) -> Hub:
        """Open (and by default migrate) the store the settings name."""
        settings = settings or Settings.load()
        return cls(open_store(settings.db, upgrade=upgrade, key_file=settings.key_file), settings)

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> Hub:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @staticmethod
    def operator(name: str = "cli") -> Operator:
        """The caller for local administration (the command line, the demo seeder)."""
        return Operator(name)
