"""Reading a collection: the version filters, the storage query of a read, and its signed paging cursors."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import struct
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from fimihub import jsontext
from fimihub.errors import ValidationError
from fimihub.hub.taxii.access import forum_wide_levels
from fimihub.hub.taxii.posting import version_order
from fimihub.hub.taxii.resources import StixFilters, timestamp_us
from fimihub.hub.visibility import visibility
from fimihub.model import Forum
from fimihub.policy import Caller
from fimihub.storage.base import StixEntry, StixQuery

__all__ = [
    "VERSION_WORDS",
    "VersionChoice",
    "chosen",
    "cursor_for",
    "cursor_position",
    "page_limit",
    "spec_ok",
    "storage_query",
    "version_choice",
]

VERSION_WORDS = frozenset({"first", "last", "all"})
_CURSOR_MAC_BYTES = 16
_BAD_CURSOR = "is not a cursor this server issued for this query (pass back `next` unchanged, same filters)"


@dataclass(frozen=True, slots=True)
class VersionChoice:
    all: bool = False
    latest: bool = False
    first: bool = False
    stamps: tuple[int, ...] = ()


def version_choice(values: Iterable[str], field: str) -> VersionChoice:
    words: set[str] = set()
    stamps: list[int] = []
    for value in values:
        if value in VERSION_WORDS:
            words.add(value)
            continue
        try:
            stamps.append(timestamp_us(value))
        except ValueError:
            raise ValidationError(field, "each value must be first, last, all or a STIX timestamp") from None
    if "all" in words:
        return VersionChoice(all=True)
    return VersionChoice(latest="last" in words, first="first" in words, stamps=tuple(sorted(set(stamps))))


def chosen(entry: StixEntry, choice: VersionChoice, among: Sequence[StixEntry]) -> bool:
    if choice.all:
        return True
    return (
        (choice.latest and entry is max(among, key=version_order))
        or (choice.first and entry is min(among, key=version_order))
        or entry.version_us in choice.stamps
    )


def spec_ok(entry: StixEntry, spec_versions: Sequence[str]) -> bool:
    return not spec_versions or entry.spec_version in spec_versions


def storage_query(
    by: Caller, forum: Forum, endpoint: str, filters: StixFilters, stix_id: str | None
) -> tuple[StixQuery, bytes]:
    """The storage query for a read, and the digest of its filters that its cursors are bound to."""
    after: int | None = None
    if filters.added_after is not None:
        try:
            after = timestamp_us(filters.added_after)
        except ValueError:
            raise ValidationError(
                "added_after", "must be a STIX timestamp such as 2024-05-01T12:00:00Z"
            ) from None
    choice = version_choice(filters.versions or ("last",), "match[version]")
    ids = (stix_id,) if stix_id is not None else tuple(sorted(set(filters.ids)))
    types = tuple(sorted(set(filters.types)))
    specs = tuple(sorted(set(filters.spec_versions)))
    visible = visibility(by)
    query = StixQuery(
        forum_id=forum.id,
        after_us=after,
        stix_ids=ids,
        types=types,
        spec_versions=specs,
        latest=choice.latest,
        first=choice.first,
        version_us=choice.stamps,
        visible=visible,
        forum_wide=frozenset() if visible is None else forum_wide_levels(by, forum),
    )
    shape = {
        "endpoint": endpoint,
        "forum": forum.id,
        "after": after,
        "ids": ids,
        "types": types,
        "specs": specs,
        "versions": [choice.all, choice.latest, choice.first, choice.stamps],
    }
    return query, hashlib.sha256(jsontext.canonical(shape).encode()).digest()


def page_limit(limit: int | None, most: int) -> int:
    if limit is None:
        return most
    if limit < 1:
        raise ValidationError("limit", "must be a positive integer")
    return min(limit, most)


def cursor_for(key: bytes, digest: bytes, position: int) -> str:
    """A ``next`` cursor: the ``date_added`` to continue after, signed together with the query's digest."""
    packed = struct.pack(">q", position)
    mac = hmac.new(key, packed + digest, hashlib.sha256).digest()[:_CURSOR_MAC_BYTES]
    return base64.urlsafe_b64encode(packed + mac).decode().rstrip("=")


def cursor_position(key: bytes, digest: bytes, cursor: str) -> int:
    """Where a cursor continues; :class:`ValidationError` when it was altered or belongs to another query."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
    except (binascii.Error, ValueError):
        raise ValidationError("next", _BAD_CURSOR) from None
    if len(raw) != 8 + _CURSOR_MAC_BYTES:
        raise ValidationError("next", _BAD_CURSOR)
    packed, mac = raw[:8], raw[8:]
    expected = hmac.new(key, packed + digest, hashlib.sha256).digest()[:_CURSOR_MAC_BYTES]
    if not hmac.compare_digest(mac, expected):
        raise ValidationError("next", _BAD_CURSOR)
    position: int = struct.unpack(">q", packed)[0]
    return position
