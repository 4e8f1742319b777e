"""Syncing one linked collection with a peer, one page at a time, resuming from a checkpoint.

**Pull** pages through the remote collection with ``added_after`` set from the checkpoint, following ``next``
within one run, and hands each page to ``ingest`` (the hub stores it the way it stores a TAXII post). After
each page the checkpoint moves to the last ``date_added`` the remote reported, saved by ``save`` — in the
hub, in a transaction of its own. A fimihub hub gives every object its own ``date_added``; other servers
(medallion) give all objects of one post the same one, so a page may end in the middle of a post. The
checkpoint then records that it is not *settled*, and a later run asks from one microsecond earlier:
objects seen twice are held already, and nothing is skipped.

**Push** reads the local collection from the push checkpoint (the hub hands over pages without the objects
that came from this same peer, so nothing echoes back), cuts each page into envelopes no larger than the
remote's ``max_content_length``, posts them and waits for their status. The checkpoint moves only once a
whole page was accepted or refused object by object.

When the peer cannot be reached (after the client's retries), or refuses a request, the run stops with the
error in its report and the checkpoint stays at the last complete page: nothing is lost, and the next run
carries on from there.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol, TypeVar

from fimihub.errors import FimihubError
from fimihub.exchange.peers.client import TaxiiClient, envelope_bytes
from fimihub.exchange.peers.config import CollectionLink

__all__ = [
    "Checkpoint",
    "Ingested",
    "LinkReport",
    "LocalPage",
    "Rejection",
    "SyncReport",
    "chunked",
    "pull",
    "push",
    "resume_after",
]

_STAMP = "%Y-%m-%dT%H:%M:%S.%fZ"


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """Where a sync of one collection stands: a STIX timestamp, and whether nothing more can share it."""

    position: str
    settled: bool = True


@dataclass(frozen=True, slots=True)
class Rejection:
    """An object that was not stored (or not accepted by the peer), and why."""

    id: str
    version: str
    reason: str

    def as_json(self) -> dict[str, str]:
        return {"id": self.id, "version": self.version, "reason": self.reason}


@dataclass(frozen=True, slots=True)
class Ingested:
    """What storing one pulled page did."""

    stored: int = 0
    held: int = 0
    rejected: tuple[Rejection, ...] = ()
    signatures: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class LocalPage:
    """A page of the local collection to push: the objects to send, how many were left out because they came
    from this peer, and the local ``date_added`` of the page's last entry (the next checkpoint)."""

    objects: list[dict[str, Any]]
    echoes: int
    last_added: str | None
    more: bool
    next: str | None


@dataclass(slots=True)
class LinkReport:
    """What a sync did for one linked collection in one direction."""

    direction: str
    collection_id: str
    forum_id: str
    checkpoint_before: str | None = None
    checkpoint_after: str | None = None
    pages: int = 0
    received: int = 0
    stored: int = 0
    held: int = 0
    echoes: int = 0
    rejected: list[Rejection] = field(default_factory=list)
    signatures: dict[str, int] = field(default_factory=dict)
    error: str | None = None

    @classmethod
    def starting(cls, direction: str, link: CollectionLink, start: Checkpoint | None) -> LinkReport:
        """The report of a run from ``start``, before it has done anything."""
        position = start.position if start else None
        return cls(
            direction, link.remote, link.forum_id, checkpoint_before=position, checkpoint_after=position
        )

    @property
    def ok(self) -> bool:
        """Whether the run got to the end (rejected objects do not make it fail)."""
        return self.error is None

    def as_json(self) -> dict[str, Any]:
        """Every field, in order (a rejection as :meth:`Rejection.as_json` has it), signatures by verdict."""
        return asdict(self) | {"signatures": dict(sorted(self.signatures.items()))}


@dataclass(slots=True)
class SyncReport:
    """What a sync with one peer did, per linked collection and direction."""

    peer: str
    links: list[LinkReport] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(link.ok for link in self.links)

    @property
    def rejected(self) -> list[Rejection]:
        return [r for link in self.links for r in link.rejected]

    def as_json(self) -> dict[str, Any]:
        return {"peer": self.peer, "ok": self.ok, "links": [link.as_json() for link in self.links]}


def resume_after(checkpoint: Checkpoint | None) -> str | None:
    """The ``added_after`` to ask with: the checkpoint itself when settled, else one microsecond earlier."""
    if checkpoint is None:
        return None
    if checkpoint.settled:
        return checkpoint.position
    try:
        moment = datetime.strptime(_six_digits(checkpoint.position), _STAMP).replace(tzinfo=UTC)
    except ValueError:
        return checkpoint.position
    return (moment - timedelta(microseconds=1)).strftime(_STAMP)


def pull(
    client: TaxiiClient,
    link: CollectionLink,
    start: Checkpoint | None,
    *,
    page_size: int,
    ingest: Callable[[list[dict[str, Any]]], Ingested],
    save: Callable[[Checkpoint], None],
) -> LinkReport:
    """Pull everything added to the remote collection since ``start`` into the local forum."""
    report = LinkReport.starting("pull", link, start)
    added_after = resume_after(start)
    try:
        for page in _pages(
            lambda cursor: client.objects(link.remote, added_after=added_after, next=cursor, limit=page_size)
        ):
            report.pages += 1
            report.received += len(page.objects)
            if page.objects:
                _count(report, ingest(page.objects))
            if page.date_added_last is not None:
                save(Checkpoint(page.date_added_last, settled=not page.more))
                report.checkpoint_after = page.date_added_last
    except FimihubError as error:
        report.error = error.message
    return report


def push(
    client: TaxiiClient,
    link: CollectionLink,
    start: Checkpoint | None,
    *,
    local_page: Callable[[str | None, str | None], LocalPage],
    save: Callable[[Checkpoint], None],
) -> LinkReport:
    """Push what was added to the local forum's collection since ``start`` to the remote collection.

    ``local_page(added_after, next)`` reads one page of the local collection."""
    report = LinkReport.starting("push", link, start)
    added_after = start.position if start else None
    limit: int | None = None
    try:
        for page in _pages(lambda cursor: local_page(added_after, cursor)):
            report.pages += 1
            report.received += len(page.objects)
            report.echoes += page.echoes
            if page.objects and limit is None:
                limit = client.max_content_length()
            envelopes, too_large = chunked(page.objects, limit or 0)
            report.rejected.extend(too_large)
            for envelope in envelopes:
                status = client.wait(client.add_objects(link.remote, envelope_bytes(envelope)))
                if status.get("status") != "complete":
                    raise _Incomplete(f"the peer has not finished status {status.get('id')!r}")
                _count_status(report, status)
            if page.last_added is not None:
                save(Checkpoint(page.last_added))
                report.checkpoint_after = page.last_added
    except FimihubError as error:
        report.error = error.message
    return report


class _Page(Protocol):
    """What :func:`_pages` follows: whether more pages follow, and the cursor to the next one."""

    @property
    def more(self) -> bool: ...
    @property
    def next(self) -> str | None: ...


_P = TypeVar("_P", bound=_Page)


def _pages(fetch: Callable[[str | None], _P]) -> Iterator[_P]:
    """The pages ``fetch(next)`` reads, from the first (``next`` is ``None``) as long as more follow."""
    cursor: str | None = None
    while True:
        page = fetch(cursor)
        yield page
        if not page.more or page.next is None:
            return
        cursor = page.next


def chunked(
    objects: Sequence[dict[str, Any]], max_bytes: int
) -> tuple[list[list[dict[str, Any]]], list[Rejection]]:
    """``objects`` cut into envelopes of at most ``max_bytes`` each, in order; objects too large to travel
    alone are left out and returned as rejections."""
    envelopes: list[list[dict[str, Any]]] = []
    too_large: list[Rejection] = []
    empty = len(envelope_bytes([]))
    current: list[dict[str, Any]] = []
    size = empty
    for obj in objects:
        own = len(envelope_bytes([obj])) - empty
        if empty + own > max_bytes:
            too_large.append(
                Rejection(_text(obj.get("id")), _version(obj), f"larger than the peer's {max_bytes} bytes")
            )
            continue
        extra = own + (1 if current else 0)
        if current and size + extra > max_bytes:
            envelopes.append(current)
            current, size, extra = [], empty, own
        current.append(obj)
        size += extra
    if current:
        envelopes.append(current)
    return envelopes, too_large


class _Incomplete(FimihubError):
    """A posted envelope whose status stayed pending."""


def _count(report: LinkReport, outcome: Ingested) -> None:
    report.stored += outcome.stored
    report.held += outcome.held
    report.rejected.extend(outcome.rejected)
    for verdict, count in outcome.signatures.items():
        report.signatures[verdict] = report.signatures.get(verdict, 0) + count


def _count_status(report: LinkReport, status: Mapping[str, Any]) -> None:
    report.stored += _int(status.get("success_count"))
    for failure in _list(status.get("failures")):
        report.rejected.append(
            Rejection(_text(failure.get("id")), _text(failure.get("version")), _text(failure.get("message")))
        )


def _list(value: Any) -> Iterator[Mapping[str, Any]]:
    if isinstance(value, list):
        yield from (v for v in value if isinstance(v, Mapping))


def _int(value: Any) -> int:
    return value if isinstance(value, int) else 0


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _version(obj: Mapping[str, Any]) -> str:
    return _text(obj.get("modified") or obj.get("created"))


def _six_digits(stamp: str) -> str:
    """A STIX timestamp with exactly six fraction digits, as ``strptime`` reads them."""
    body = stamp.removesuffix("Z")
    whole, _, fraction = body.partition(".")
    return f"{whole}.{(fraction + '000000')[:6]}Z"
