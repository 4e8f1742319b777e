"""The scan use case: a member's platform export against every signal it may see, into the review queue."""

from __future__ import annotations

import functools
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from fimihub import policy
from fimihub.errors import PermissionDenied, ValidationError
from fimihub.hub.core import Core, audit_event
from fimihub.hub.identifiers import Identifiers
from fimihub.hub.matching import Matching, match_record
from fimihub.hub.queueing import Queueing
from fimihub.hub.tables import check_out, staged_table
from fimihub.matching import new_matcher
from fimihub.matching.scan import ScanReport, scan_export
from fimihub.model import Forum, Match, Scope, Signal
from fimihub.policy import Caller

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = ["SCAN_COLUMNS", "SCAN_ENGINES", "ScanSummary", "Scanning"]

#: Where a scan can run: in this process, or on Spark (``pip install 'fimihub[spark]'``).
SCAN_ENGINES = ("local", "spark")

#: Columns of a scan's output file, one row per (row of the export, signal) hit.
SCAN_COLUMNS = (
    "platform",
    "account_id",
    "post_id",
    "item_kind",
    "item_value",
    "signal_id",
    "signal_kind",
    "operation_id",
    "forum_id",
    "distance",
    "score",
    "match_id",
)


@dataclass(frozen=True, slots=True)
class ScanSummary:
    """What a scan did: rows read, rows and hits found, review items opened (``queued``), values skipped and
    why. ``matches`` counts the hits stored (each hit once: ``duplicates`` had been queued before),
    ``updated`` the open items given new evidence, ``held`` the hits kept out of the queue by reason
    (``quarantine``, ``weak``), ``quarantined`` the signals this scan quarantined."""

    rows: int
    matched_rows: int
    hits: int
    queued: int
    bad_values: dict[str, int]
    missing_columns: list[str]
    out: str | None
    matches: int = 0
    duplicates: int = 0
    updated: int = 0
    held: dict[str, int] = field(default_factory=dict)
    quarantined: list[str] = field(default_factory=list)


class Scanning:
    """Platform exports scanned against the signals a member may see, into its review queue
    (``hub.scanning``; ``hub.scan`` for short)."""

    def __init__(
        self, core: Core, *, matching: Matching, identifiers: Identifiers, queueing: Queueing
    ) -> None:
        self.core = core
        self.matching = matching
        self.identifiers = identifiers
        self.queueing = queueing

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
        """Match a platform export (Parquet or CSV) against the signals ``by`` may see; every hit goes to
        the review queue of ``by``'s organisation, grouped into review items (one per account and operation;
        a hit queued before is not queued again: :mod:`fimihub.hub.queueing`) and, when ``out`` is given,
        to a CSV or Parquet file.

        The queue holds each hit's account and post ids sealed to the organisation's identifier key, so the
        scan needs one registered (:class:`ValidationError`, before anything is read or written, otherwise);
        ``out`` is the member's own file and has them in clear.

        ``engine`` is ``local`` (this process, batch by batch) or ``spark`` (a Spark session on
        ``spark_master``, default ``local[*]``; ``path`` may then be anything Spark reads, e.g. a directory
        of Parquet files). Both find the same hits. ``workers`` is how many processes the local engine
        scans with."""
        if engine not in SCAN_ENGINES:
            raise ValidationError(
                "engine", f"unknown scan engine {engine!r} (use one of: {', '.join(SCAN_ENGINES)})"
            )
        member = policy.member_only(by, "a scan (which uses a member's signals and review queue)")
        if not member.allows(Scope.WRITE):
            raise PermissionDenied("queuing matches needs the write scope")
        check_out(out)
        sealer = self.identifiers.sealer(member.org.id)
        keyer = self.queueing.keyer(member.org.id)
        now = self.core.clock()
        with self.core.store.unit_of_work(read_only=True) as uow:
            forums = {f.id: f for f in uow.find(Forum)}

        def visible(signal: Signal) -> bool:
            return policy.may_read(by, signal, forums)

        hashers = [
            functools.partial(policy.pseudonymise, key, "account_id") for key in self.identifiers.keys_of(by)
        ]
        if engine == "spark":
            from fimihub.matching.spark_scan import scan_export_spark

            report = scan_export_spark(
                str(path),
                [s for s in self.matching.matcher().signals() if visible(s)],
                new_matcher=new_matcher,
                now=now,
                progress=progress,
                account_hashers=hashers,
                master=spark_master,
            )
        else:
            report = scan_export(
                Path(path),
                self.matching.matcher(),
                visible=visible,
                now=now,
                progress=progress,
                account_hashers=hashers,
            )
        source = f"scan:{Path(path).name}"
        expires = now + timedelta(days=self.core.settings.default_retention_days)
        matches = [
            match_record(
                member,
                hit.hit,
                {"platform": hit.platform, "account_id": hit.account_id, "post_id": hit.post_id},
                source,
                now,
                expires,
                sealer=sealer,
                keyer=keyer,
            )
            for hit in report.hits
        ]
        # The output file is staged before the queue commits and moved into place only once it has: a file
        # that cannot be written queues nothing, and a failed commit leaves no file behind.
        with ExitStack() as staged, self.core.store.unit_of_work() as uow:
            queued = self.queueing.queue(uow, matches, now)
            detail = {
                "source": source,
                "rows": report.rows,
                "matches": queued.new_matches,
                "queued": len(queued.opened),
                "duplicates": queued.duplicates,
                "held": queued.held,
            }
            audit_event(uow, by, "scan", "match", None, detail, now)
            for signal_id in queued.quarantined:
                audit_event(uow, by, "signal.quarantine", "signal", signal_id, {"source": source}, now)
            if out is not None:
                staged.enter_context(staged_table(_hits_table(report, queued.matches), out))
        return ScanSummary(
            report.rows,
            report.matched_rows,
            report.hit_count,
            len(queued.opened),
            dict(report.bad_values),
            report.missing_columns,
            str(out) if out else None,
            matches=queued.new_matches,
            duplicates=queued.duplicates,
            updated=len(queued.grown),
            held=queued.held,
            quarantined=queued.quarantined,
        )


def _hits_table(report: ScanReport, matches: list[Match]) -> pa.Table:
    """The scan's output: one row per hit, with the account and post ids in clear (the member's own file)."""
    import pyarrow as pa

    rows: dict[str, list[object]] = {name: [] for name in SCAN_COLUMNS}
    for hit, match in zip(report.hits, matches, strict=True):
        values = (
            hit.platform,
            hit.account_id,
            hit.post_id,
            hit.hit.via.value,
            hit.hit.value,
            match.signal_id or "",
            match.signal_kind.value if match.signal_kind else "",
            match.operation_id or "",
            match.signal_forum_id or "",
            float(hit.hit.distance),
            float(hit.hit.score),
            match.id,
        )
        for name, value in zip(SCAN_COLUMNS, values, strict=True):
            rows[name].append(value)
    return pa.table(rows)
