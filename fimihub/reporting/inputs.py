"""The records a report is computed from, as the hub gathers them for one organisation.

The hub (``hub.reporting``) reads them from the store with the organisation's eyes: its own records, and of
other organisations' only what a reader of the organisation may read. The builders here compute every figure
from these and nothing else, so the same inputs always give the same report.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from fimihub.model import (
    Action,
    Asset,
    Disclosure,
    Feedback,
    Forum,
    Governed,
    Match,
    Operation,
    Organisation,
    Signal,
)
from fimihub.reporting.periods import Period

__all__ = ["AnalystText", "ReportInputs"]


@dataclass(frozen=True, slots=True)
class AnalystText:
    """A section of a report written by an analyst: the newest version kept in the store for the section."""

    section: str
    text: str
    version: int
    author: str
    #: Where the version is kept: the audit event (``audit:<seq>``) that recorded it.
    ref: str


@dataclass(frozen=True, slots=True)
class ReportInputs:
    """Everything a report of ``org`` for ``period`` counts.

    ``actions`` are the organisation's own actions (every period: trends look back); ``operations`` the
    operations the organisation may read, by id (its own, and others' it acted on or that those continue);
    ``assets`` the assets of those operations it may read; ``matches`` its own resurgence matches;
    ``feedback_sent`` its feedback, ``feedback_received`` feedback others sent on its records; ``shared`` its
    records in forums and ``received`` other organisations' records in its forums that it may read.
    ``signals`` are the signals of the operations it acted on, and the signals of peers' ``disclosures``
    (those it may read) with the same kind and value: how a network is set beside a peer's disclosure of it.
    """

    org: Organisation
    period: Period
    history: tuple[Period, ...]
    org_names: dict[str, str]
    forums: tuple[Forum, ...]
    actions: tuple[Action, ...]
    operations: dict[str, Operation]
    assets: tuple[Asset, ...]
    matches: tuple[Match, ...] = ()
    feedback_sent: tuple[Feedback, ...] = ()
    feedback_received: tuple[Feedback, ...] = ()
    shared: tuple[Governed, ...] = ()
    received: tuple[Governed, ...] = ()
    texts: dict[str, AnalystText] = field(default_factory=dict)
    signals: tuple[Signal, ...] = ()
    disclosures: tuple[Disclosure, ...] = ()

    def name_of(self, org_id: str | None) -> str:
        """An organisation's name (its id, or what was written, when it is not a known organisation)."""
        if org_id is None:
            return ""
        return self.org_names.get(org_id, org_id)
