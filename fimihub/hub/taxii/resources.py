"""The vocabulary of the TAXII use cases: collections, filters, pages and statuses, and STIX timestamps.

Everything here is plain data and pure functions shared by the other modules of :mod:`fimihub.hub.taxii`
and by the TAXII edge, which turns these values into TAXII resources.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from fimihub.exchange.media import STIX_MEDIA_TYPE
from fimihub.exchange.stix.ids import is_uuid
from fimihub.exchange.stix.markings import TLP_BY_MARKING_ID, tlp_from_refs
from fimihub.model import TLP, Marking
from fimihub.storage.base import StixEntry

__all__ = [
    "ANOTHER_ORG",
    "EPOCH",
    "FORUM_PREFIX",
    "MAX_DEPTH",
    "MAX_OBJECT_BYTES",
    "STIX_MEDIA_TYPE",
    "TLP_MARKING_DEFINITIONS",
    "StixCollection",
    "StixFilters",
    "StixOutcome",
    "StixPage",
    "StixStatus",
    "collection_id_of",
    "granular_refs",
    "is_uuid",
    "marking_of",
    "stix_timestamp",
    "timestamp_us",
    "to_us",
]

#: Forum ids are ``forum--<uuid>``; the collection id is the UUID.
FORUM_PREFIX = "forum--"
#: The largest single STIX object accepted, serialised, in bytes.
MAX_OBJECT_BYTES = 1024 * 1024
#: How deeply an object's JSON may nest.
MAX_DEPTH = 64

#: TLP marking definitions by id (OASIS TLP 2.0 and STIX 2.1's TLP 1.0): the STIX mapping's one table.
TLP_MARKING_DEFINITIONS: Mapping[str, TLP] = TLP_BY_MARKING_ID

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)
_TIMESTAMP = re.compile(r"^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?Z$")
#: Someone other than the caller's organisation, for asking the policy what a forum shares forum-wide.
ANOTHER_ORG = "organisation--(another member)"


def timestamp_us(text: str) -> int:
    """Microseconds since the epoch of a STIX timestamp (``2024-05-01T12:00:00.000Z``); digits past the
    sixth of the fraction are dropped. Raises ``ValueError`` for anything else."""
    match = _TIMESTAMP.match(text) if isinstance(text, str) else None
    if match is None:
        raise ValueError(f"not a STIX timestamp: {text!r}")
    year, month, day, hour, minute, second, fraction = match.groups()
    moment = datetime(int(year), int(month), int(day), int(hour), int(minute), int(second), tzinfo=UTC)
    return (moment - EPOCH) // _MICROSECOND + int((fraction or "")[:6].ljust(6, "0"))


def stix_timestamp(us: int) -> str:
    """A STIX timestamp with microsecond precision for ``us`` microseconds since the epoch."""
    return (EPOCH + us * _MICROSECOND).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def collection_id_of(forum_id: str) -> str:
    """The TAXII collection id of a forum."""
    return forum_id.removeprefix(FORUM_PREFIX)


def granular_refs(stix_object: Mapping[str, Any]) -> list[str]:
    """The marking definitions an object's granular markings name."""
    granular = stix_object.get("granular_markings")
    if not isinstance(granular, list):
        return []
    return [
        g["marking_ref"] for g in granular if isinstance(g, Mapping) and isinstance(g.get("marking_ref"), str)
    ]


def marking_of(stix_object: Mapping[str, Any], default: TLP) -> Marking:
    """The record-level marking of a STIX object: the strictest TLP its ``object_marking_refs`` and its
    granular markings name (a part of an object is never handled more freely than its own marking says, so
    the whole object is held at that level), else ``default`` (the forum's). STIX has no way to name
    recipients, so none are named."""
    refs = list(stix_object.get("object_marking_refs") or ()) + granular_refs(stix_object)
    level = tlp_from_refs(r for r in refs if isinstance(r, str))
    return Marking(tlp=default if level is None else level)


@dataclass(frozen=True, slots=True)
class StixCollection:
    """A forum seen as a TAXII collection by one caller."""

    id: str
    forum_id: str
    title: str
    description: str
    can_read: bool
    can_write: bool
    media_types: tuple[str, ...] = (STIX_MEDIA_TYPE,)


@dataclass(frozen=True, slots=True)
class StixFilters:
    """The TAXII filters of a read, as the client sent them.

    ``versions`` holds ``first``, ``last``, ``all`` or STIX timestamps (their union; ``last`` when empty);
    ``next`` is a cursor from the previous page of the same query; ``limit`` is capped at the hub's page size.
    """

    added_after: str | None = None
    limit: int | None = None
    next: str | None = None
    ids: tuple[str, ...] = ()
    types: tuple[str, ...] = ()
    versions: tuple[str, ...] = ()
    spec_versions: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class StixPage:
    """One page of entries, oldest ``date_added`` first; ``next`` continues it while ``more`` is true."""

    entries: list[StixEntry]
    more: bool
    next: str | None

    @property
    def date_added_first(self) -> str | None:
        return stix_timestamp(self.entries[0].added_us) if self.entries else None

    @property
    def date_added_last(self) -> str | None:
        return stix_timestamp(self.entries[-1].added_us) if self.entries else None


@dataclass(frozen=True, slots=True)
class StixOutcome:
    """What became of one posted object (a TAXII status-details): its id, version, and why it failed."""

    id: str
    version: str
    message: str | None = None

    def resource(self) -> dict[str, str]:
        data = {"id": self.id, "version": self.version}
        if self.message is not None:
            data["message"] = self.message
        return data


@dataclass(frozen=True, slots=True)
class StixStatus:
    """What became of one posted envelope (a TAXII status resource). Posts are stored before the answer is
    sent, so a status is always ``complete`` and nothing is pending."""

    id: str
    request_timestamp: str
    successes: tuple[StixOutcome, ...] = ()
    failures: tuple[StixOutcome, ...] = ()
    pendings: tuple[StixOutcome, ...] = ()
    status: str = "complete"

    def resource(self) -> dict[str, Any]:
        """The status as TAXII's status resource."""
        data: dict[str, Any] = {
            "id": self.id,
            "status": self.status,
            "request_timestamp": self.request_timestamp,
            "total_count": len(self.successes) + len(self.failures) + len(self.pendings),
            "success_count": len(self.successes),
            "failure_count": len(self.failures),
            "pending_count": len(self.pendings),
        }
        for name in ("successes", "failures", "pendings"):
            outcomes: tuple[StixOutcome, ...] = getattr(self, name)
            if outcomes:
                data[name] = [o.resource() for o in outcomes]
        return data

    @classmethod
    def from_resource(cls, data: Mapping[str, Any]) -> StixStatus:
        def outcomes(name: str) -> tuple[StixOutcome, ...]:
            return tuple(StixOutcome(d["id"], d["version"], d.get("message")) for d in data.get(name, ()))

        return cls(
            id=data["id"],
            request_timestamp=data["request_timestamp"],
            successes=outcomes("successes"),
            failures=outcomes("failures"),
            pendings=outcomes("pendings"),
            status=data["status"],
        )


def to_us(moment: datetime) -> int:
    """Microseconds since the epoch of ``moment``."""
    return (moment.astimezone(UTC) - EPOCH) // _MICROSECOND
