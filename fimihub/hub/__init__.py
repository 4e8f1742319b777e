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
``hub.coordination`` co-action networks and communities of a member's own data
``hub.resurgence``  fingerprints of disrupted operations, and the scan for their return
``hub.safeguards``  second review of actions, review before enforcement, overturn notices
``hub.government``  the register of government requests for data
``hub.taxii``       the TAXII 2.1 collections (one per forum)
``hub.peers``       federation: peers, trusted keys, syncs
``hub.signer``      this hub's signing key: what it publishes is signed, what arrives is checked
``hub.privacy``     retention, and the facts of a data-protection impact assessment
``hub.subjects``    data-subject requests: find, export, rectify, erase
``hub.psi``         private matching sessions between two organisations
``hub.writes``      the one write path (unit of work, audit, publication, matcher refresh)
==================  ==========================================================================================

The record verbs (``hub.create``, ``hub.get``, ``hub.list``, ``hub.update``, ``hub.share``,
``hub.declassify``, ``hub.delete``, ``hub.revoke_signal``) and ``hub.match`` / ``hub.scan`` are kept as
shortcuts: they are what most scripts call.

Callers are either an :class:`~fimihub.policy.Actor` (a member, usually behind an API token) or the
:class:`~fimihub.policy.Operator` — whoever runs the hub's host and its command line.
"""

from __future__ import annotations

import builtins
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

from fimihub.hub.admin import Administration, IssuedToken
from fimihub.hub.audit import AuditLog
from fimihub.hub.coordination import COORDINATION_STEPS, Coordination, CoordinationReport
from fimihub.hub.core import Core
from fimihub.hub.government import GovernmentRegister, GovernmentRequest
from fimihub.hub.identifiers import Identifiers
from fimihub.hub.keys import ForumKeys
from fimihub.hub.kinds import RECORD_KINDS
from fimihub.hub.matching import ItemMatches, Matching
from fimihub.hub.pages import Page
from fimihub.hub.peers import Peers
from fimihub.hub.privacy import Privacy
from fimihub.hub.psi import PsiRelay
from fimihub.hub.records import Records, filterable_fields
from fimihub.hub.resurgence import Resurgence, ResurgenceSummary
from fimihub.hub.safeguards import Safeguards
from fimihub.hub.scanning import SCAN_ENGINES, Scanning, ScanSummary
from fimihub.hub.signatures import HubKey, HubSigner
from fimihub.hub.subjects import SubjectRequests
from fimihub.hub.taxii import Taxii
from fimihub.hub.taxii.intake import StixIntake
from fimihub.hub.writes import WritePath
from fimihub.model import Governed, Signal, utcnow
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
    "IssuedToken",
    "ItemMatches",
    "Operator",
    "Page",
    "ResurgenceSummary",
    "ScanSummary",
    "filterable_fields",
]

G = TypeVar("G", bound=Governed)


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
        self.matching = Matching(core, keys=self.keys, identifiers=self.identifiers)
        self.writes = WritePath(core, matching=self.matching)
        self.safeguards = Safeguards(core, writes=self.writes)
        self.government = GovernmentRegister(core)
        self.records = Records(core, writes=self.writes, safeguards=self.safeguards)
        self.scanning = Scanning(core, matching=self.matching, keys=self.keys, identifiers=self.identifiers)
        self.coordination = Coordination()
        self.resurgence = Resurgence(core, records=self.records, keys=self.keys, identifiers=self.identifiers)
        intake = StixIntake(core, safeguards=self.safeguards)
        self.taxii = Taxii(core, writes=self.writes, intake=intake, signer=self.signer)
        self.peers = Peers(core, taxii=self.taxii, signer=self.signer)
        self.privacy = Privacy(core, matching=self.matching)
        resign = self.signer.signed_tombstone
        self.subjects = SubjectRequests(core, writes=self.writes, records=self.records, resign=resign)
        self.psi = PsiRelay(core)

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
        return cls(open_store(settings.db, upgrade=upgrade), settings)

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

    # -- shortcuts: the record verbs, matching and scanning ---------------------------------------------

    def create(self, by: Caller, kind: type[G], data: Mapping[str, Any]) -> G:
        """:meth:`Records.create <fimihub.hub.records.Records.create>`."""
        return self.records.create(by, kind, data)

    def create_many(self, by: Caller, kind: type[G], items: Sequence[Mapping[str, Any]]) -> list[G]:
        """:meth:`Records.create_many <fimihub.hub.records.Records.create_many>`."""
        return self.records.create_many(by, kind, items)

    def get(self, by: Caller, kind: type[G], record_id: str) -> G:
        """:meth:`Records.get <fimihub.hub.records.Records.get>`."""
        return self.records.get(by, kind, record_id)

    def list(
        self,
        by: Caller,
        kind: type[G],
        *,
        where: Mapping[str, Any] | None = None,
        after: str | None = None,
        limit: int = 100,
    ) -> Page[G]:
        """:meth:`Records.list <fimihub.hub.records.Records.list>`."""
        return self.records.list(by, kind, where=where, after=after, limit=limit)

    def update(self, by: Caller, kind: type[G], record_id: str, changes: Mapping[str, Any]) -> G:
        """:meth:`Records.update <fimihub.hub.records.Records.update>`."""
        return self.records.update(by, kind, record_id, changes)

    def share(
        self,
        by: Caller,
        kind: type[G],
        record_id: str,
        forum_id: str,
        *,
        marking: Mapping[str, Any] | None = None,
    ) -> G:
        """:meth:`Records.share <fimihub.hub.records.Records.share>`."""
        return self.records.share(by, kind, record_id, forum_id, marking=marking)

    def declassify(
        self, by: Caller, kind: type[G], record_id: str, marking: Mapping[str, Any], *, reason: str
    ) -> G:
        """:meth:`Records.declassify <fimihub.hub.records.Records.declassify>`."""
        return self.records.declassify(by, kind, record_id, marking, reason=reason)

    def delete(self, by: Caller, kind: type[G], record_id: str) -> None:
        """:meth:`Records.delete <fimihub.hub.records.Records.delete>`."""
        self.records.delete(by, kind, record_id)

    def revoke_signal(self, by: Caller, signal_id: str) -> Signal:
        """:meth:`Records.revoke_signal <fimihub.hub.records.Records.revoke_signal>`."""
        return self.records.revoke_signal(by, signal_id)

    def match(
        self, by: Caller, items: Sequence[Mapping[str, Any]], *, record: bool = False, source: str = "api"
    ) -> builtins.list[ItemMatches]:
        """:meth:`Matching.match <fimihub.hub.matching.Matching.match>`."""
        return self.matching.match(by, items, record=record, source=source)

    def scan(
        self,
        by: Caller,
        path: str | Path,
        *,
        out: str | Path | None = None,
        progress: Callable[[int, int | None], None] | None = None,
        engine: str = "local",
        spark_master: str | None = None,
        workers: int = 1,
    ) -> ScanSummary:
        """:meth:`Scanning.scan <fimihub.hub.scanning.Scanning.scan>`."""
        return self.scanning.scan(
            by, path, out=out, progress=progress, engine=engine, spark_master=spark_master, workers=workers
        )
