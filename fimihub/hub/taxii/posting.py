"""Posting objects into a collection: checking each one, deciding whether it is a new version, flagging the
newest and oldest versions of each object, and the tombstones that record deletions."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any

from fimihub import jsontext, policy
from fimihub.errors import FimihubError
from fimihub.exchange.stix.ids import is_stix_id, is_uuid, normalised_ids
from fimihub.exchange.stix.markings import TLP_BY_MARKING_ID
from fimihub.exchange.stix.tombstones import marked_deleted
from fimihub.hub.taxii.access import governed_from
from fimihub.hub.taxii.resources import (
    EPOCH,
    MAX_DEPTH,
    MAX_OBJECT_BYTES,
    StixOutcome,
    marking_of,
    stix_timestamp,
    timestamp_us,
)
from fimihub.model import TLP, Forum, Marking
from fimihub.policy import Caller
from fimihub.storage import UnitOfWork
from fimihub.storage.base import StixEntry

__all__ = [
    "ANOTHER_ORGS_OBJECT",
    "Posted",
    "Refused",
    "admit",
    "checked_object",
    "flagged_new",
    "lineage",
    "lineages",
    "reflag",
    "reflagged",
    "same_body",
    "tombstone_of",
    "version_order",
]

_TYPE = re.compile(r"^[a-z0-9][a-z0-9-]{1,248}[a-z0-9]$")
#: A STIX id with upper-case hex digits in its UUID, in an object's JSON text.
_UPPER_UUID = re.compile(r"--(?=[0-9a-fA-F-]{36}\b)[0-9a-f-]*[A-F]")
#: A keyed hash of a personal identifier (HMAC-SHA256, hex), as forums share them.
_KEYED = re.compile(r"[0-9a-fA-F]{64}")
#: Why a post fails that would version an object of another organisation the poster may read.
ANOTHER_ORGS_OBJECT = "the id is another organisation's object: only its creator versions it"


@dataclass(frozen=True, slots=True)
class Posted:
    """A posted object that passed validation. ``version_us`` is ``None`` for objects with neither
    ``modified`` nor ``created``, whose version is their ``date_added``."""

    body: dict[str, Any]
    stix_id: str
    type: str
    spec_version: str
    version: str | None
    version_us: int | None
    #: The object as compact JSON, in its own key order; as long as its canonical form.
    text: str

    @property
    def canonical(self) -> str:
        """The object as canonical JSON (sorted keys), which two copies of one version share."""
        return jsontext.canonical(self.body)


class Refused(Exception):
    """A posted object that cannot be stored, with the id and version to report it under."""

    def __init__(self, stix_id: str, version: str, message: str) -> None:
        super().__init__(message)
        self.outcome = StixOutcome(stix_id, version, message)


def checked_object(item: Any) -> Posted:
    """``item`` checked enough to protect the store, or :class:`Refused` saying what is wrong with it.
    Ids and references whose UUIDs have upper-case hex digits (which STIX's schema allows) are stored in
    lower case, the one form the hub compares."""
    if not isinstance(item, dict):
        raise Refused("", "", "a STIX object must be a JSON object")
    if _UPPER_UUID.search(_compact(item) or ""):
        item = normalised_ids(item)
    raw_id, created, modified = item.get("id"), item.get("created"), item.get("modified")
    stix_id = raw_id if isinstance(raw_id, str) else ""
    version = next((v for v in (modified, created) if isinstance(v, str)), "")

    def refuse(message: str) -> Refused:
        return Refused(stix_id, version, message)

    kind = item.get("type")
    if not isinstance(kind, str) or not _TYPE.match(kind):
        raise refuse("type: must be 3 to 250 characters of a-z, 0-9 and '-'")
    prefix, _, tail = stix_id.partition("--")
    if prefix != kind or not is_uuid(tail):
        raise refuse("id: must be '<type>--<UUID>', with the object's type")
    spec = item.get("spec_version")
    if spec is None and created is None and modified is None:
        spec = "2.1"  # STIX 2.1 cyber-observables may leave spec_version out
    if spec != "2.1":
        raise refuse("spec_version: must be '2.1'; other STIX versions are not accepted")
    stamps: dict[str, int] = {}
    for name, value in (("created", created), ("modified", modified)):
        if value is None:
            continue
        try:
            stamps[name] = _timestamp_us(value)
        except ValueError:
            raise refuse(f"{name}: must be a STIX timestamp such as 2024-05-01T12:00:00.000Z") from None
    if "modified" in stamps and "created" not in stamps:
        raise refuse("created: required when modified is given")
    if "modified" in stamps and stamps["modified"] < stamps["created"]:
        raise refuse("modified: must not be before created")
    if "revoked" in item and not isinstance(item["revoked"], bool):
        raise refuse("revoked: must be true or false")
    refs = item.get("object_marking_refs")
    if refs is not None and (
        not isinstance(refs, list)
        or not all(isinstance(r, str) and is_stix_id(r, "marking-definition") for r in refs)
    ):
        raise refuse("object_marking_refs: must be a list of marking-definition ids")
    if (granular := _granular_problem(item.get("granular_markings"))) is not None:
        raise refuse(granular)
    text = _compact(item)
    # An object's depth is at most the number of '{' and '[' in its JSON: count first, walk only when needed.
    if text is None or text.count("{") + text.count("[") > MAX_DEPTH:
        if _depth(item) > MAX_DEPTH:
            raise refuse(f"nests deeper than {MAX_DEPTH} levels")
        if text is None:  # not too deep, so what json refused is something else: let it say so
            text = json.dumps(item, separators=(",", ":"), ensure_ascii=False)
    if len(text.encode("utf-8")) > MAX_OBJECT_BYTES:
        raise refuse(f"is larger than {MAX_OBJECT_BYTES} bytes")
    version_us = stamps.get("modified", stamps.get("created"))
    return Posted(
        body=item,
        stix_id=stix_id,
        type=kind,
        spec_version="2.1",
        version=version or None,
        version_us=version_us,
        text=text,
    )


def _granular_problem(granular: Any) -> str | None:
    """What is wrong with an object's ``granular_markings``, if anything. Granular markings are honoured,
    never ignored: the TLP level of each counts towards the object's marking (:func:`marking_of`), so one
    the hub cannot read is refused rather than passed over."""
    if granular is None:
        return None
    if not isinstance(granular, list) or not granular:
        return "granular_markings: must be a non-empty list of granular markings"
    for index, item in enumerate(granular):
        where = f"granular_markings[{index}]"
        if not isinstance(item, dict):
            return f"{where}: must be an object with marking_ref (or lang) and selectors"
        selectors = item.get("selectors")
        if not isinstance(selectors, list) or not selectors or not all(isinstance(x, str) for x in selectors):
            return f"{where}.selectors: must be a non-empty list of selectors"
        ref = item.get("marking_ref")
        if ref is None and isinstance(item.get("lang"), str):
            continue
        if not isinstance(ref, str) or not is_stix_id(ref, "marking-definition"):
            return f"{where}.marking_ref: must be a marking-definition id"
    return None


def _clear_account_id(posted: Posted, forum: Forum) -> str | None:
    """Why a posted ``user-account`` may not be stored: its ``user_id`` is a platform account id in clear, in
    a forum that shares account ids keyed (``Forum.clear_account_ids`` off); ``None`` when it may."""
    if posted.type != "user-account" or forum.clear_account_ids:
        return None
    user_id = posted.body.get("user_id")
    if not isinstance(user_id, str) or _KEYED.fullmatch(user_id.strip()):
        return None
    return (
        "user_id: this forum shares platform account ids only keyed: post the keyed hash of 'platform:id'"
        f" (POST /api/v1/forums/{forum.id}/pseudonymise with kind account_id), not the id itself"
    )


def _compact(item: dict[str, Any]) -> str | None:
    """``item`` as compact JSON (as many bytes as its canonical form), or ``None`` when the encoder refuses
    it (too deep, a cycle, a value JSON has no form for)."""
    try:
        return jsontext.dumps(item)
    except (RecursionError, ValueError, TypeError):
        return None


@lru_cache(maxsize=4096)
def _timestamp_us(text: str) -> int:
    """:func:`timestamp_us`, remembered: the objects of an envelope mostly share a few timestamps."""
    return timestamp_us(text)


def admit(
    by: Caller | None,
    forum: Forum,
    posted: Posted,
    marking: Marking,
    owner: str,
    author: str | None,
    held: list[StixEntry],
    accepted: dict[tuple[str, int | str], Posted],
    allowed: dict[tuple[str, str | None, Marking], bool] | None = None,
    readable: Callable[[StixEntry], bool] | None = None,
) -> StixOutcome | tuple[Posted, Marking]:
    """Decide on one valid posted object: an outcome when nothing is to be stored (held already, or refused
    with :class:`Refused`), else the object and its marking, to store as a new version. ``by`` is ``None``
    when the hub vouches for the object (the policy has allowed the use case that publishes it).

    The policy decides on an object's governance envelope (owner, author, marking) in the forum, never on its
    id: ``allowed`` keeps its answers for the other objects of the same post, one per distinct envelope.

    ``held`` is every version the collection holds of the id. Each organisation versions its own copy of an
    object (its *lineage*): the versions ``owner`` holds decide whether this one is new. Versions of other
    organisations count only when the poster may read them (``readable``; all of them when it is ``None``):
    then the id is theirs, and the post fails unless it is a copy of one of them. Versions the poster may not
    read never change the outcome, so a post cannot tell whether they exist (docs/taxii.md, "Posting")."""
    version = posted.version or ""
    clear_id = _clear_account_id(posted, forum)
    if clear_id:
        raise Refused(posted.stix_id, version, clear_id)
    if by is not None:
        envelope = (owner, author, marking)
        answer = allowed.get(envelope) if allowed is not None else None
        if answer is None:
            record = governed_from(posted.stix_id, forum.id, owner, author, marking, EPOCH)
            answer = policy.may(by, policy.Act.WRITE, record, forum=forum) and policy.may(
                by, policy.Act.SHARE, record, forum=forum
            )
            if allowed is not None:
                allowed[envelope] = answer
        if not answer:
            raise _refused_by_policy(by, forum, posted, marking, owner, author)
    mine = [e for e in held if e.owner_org == owner]
    if len(mine) != len(held):
        seen = [e for e in held if e.owner_org != owner and (readable is None or readable(e))]
        if posted.stix_id in TLP_BY_MARKING_ID and any(not e.tombstone for e in [*mine, *seen]):
            # The OASIS / STIX TLP definitions are fixed: whoever's copy the collection holds is the same one.
            return StixOutcome(posted.stix_id, version)
        if seen and not mine:
            if any(not e.tombstone and same_body(e.body, posted) for e in seen):
                return StixOutcome(posted.stix_id, version)  # a copy of what the collection holds
            raise Refused(posted.stix_id, version, ANOTHER_ORGS_OBJECT)
        held = mine
    elif posted.stix_id in TLP_BY_MARKING_ID and any(not e.tombstone for e in held):
        return StixOutcome(posted.stix_id, version)
    key: tuple[str, int | str] = (
        (posted.stix_id, posted.version_us)
        if posted.version_us is not None
        else (posted.stix_id, posted.canonical)
    )
    earlier = accepted.get(key)
    if earlier is not None:
        if earlier.canonical != posted.canonical:
            raise Refused(
                posted.stix_id, version, "the envelope holds two different objects with this version"
            )
        return StixOutcome(posted.stix_id, version or "")
    for entry in held:
        if posted.version_us is None:
            if not entry.tombstone and entry.version_us == entry.added_us and same_body(entry.body, posted):
                return StixOutcome(posted.stix_id, entry.version)
        elif entry.version_us == posted.version_us:
            if same_body(entry.body, posted):
                return StixOutcome(posted.stix_id, entry.version)
            message = (
                "this version records the object's deletion"
                if entry.tombstone
                else "a different object is held with this id and version"
            )
            raise Refused(posted.stix_id, version, message)
    accepted[key] = posted
    return posted, marking


def _refused_by_policy(
    by: policy.Caller, forum: Forum, posted: Posted, marking: Marking, owner: str, author: str | None
) -> Refused:
    """Why the policy refuses ``posted``, in the policy's words for this object, after the TLP level that
    decided it when that is TLP:RED (which never goes into a forum) or comes from a granular marking."""
    version = posted.version or ""
    record = governed_from(posted.stix_id, forum.id, owner, author, marking, EPOCH)
    level = f"TLP:{marking.tlp.value.upper()}"
    whole = marking_of({"object_marking_refs": posted.body.get("object_marking_refs")}, forum.default_tlp)
    prefix = ""
    if whole.tlp is not marking.tlp:
        prefix = f"{level} (a granular marking of the object): "
    elif marking.tlp is TLP.RED:
        prefix = f"{level}: objects marked TLP:RED stay with their author and named recipients: "
    try:
        policy.check(by, policy.Act.WRITE, record, forum=forum)
        policy.check(by, policy.Act.SHARE, record, forum=forum)
    except FimihubError as refused:
        return Refused(posted.stix_id, version, prefix + refused.message)
    return Refused(posted.stix_id, version, prefix + "the access policy refuses this object")


def same_body(body: Mapping[str, Any], posted: Posted) -> bool:
    return jsontext.canonical(body) == posted.canonical


def lineage(versions: Iterable[StixEntry], owner: str) -> list[StixEntry]:
    """The versions of one object that organisation ``owner`` holds: its own copy, versioned on its own."""
    return [e for e in versions if e.owner_org == owner]


def lineages(versions: Iterable[StixEntry]) -> list[list[StixEntry]]:
    """The versions of one object, split by the organisation that holds them."""
    split: dict[str, list[StixEntry]] = {}
    for entry in versions:
        split.setdefault(entry.owner_org, []).append(entry)
    return list(split.values())


def version_order(entry: StixEntry) -> tuple[int, int]:
    return entry.version_us, entry.added_us


def flagged_new(held: Mapping[str, list[StixEntry]], new: Sequence[StixEntry]) -> list[StixEntry]:
    """The new entries and the held ones whose ``latest`` / ``first`` flags change, flagged anew. Flags are
    kept per lineage: the versions one organisation holds of an object."""
    by_object: dict[tuple[str, str], list[StixEntry]] = {}
    for entry in new:
        by_object.setdefault((entry.stix_id, entry.owner_org), []).append(entry)
    changed: list[StixEntry] = []
    for (stix_id, owner), added in by_object.items():
        earlier = lineage(held.get(stix_id, ()), owner)
        if not earlier and len(added) == 1 and added[0].latest and added[0].first:
            changed.append(added[0])  # the only version: newest and oldest, as flagged already
            continue
        changed.extend(reflagged([*(earlier or ()), *added], always=added))
    return changed


def reflagged(versions: Sequence[StixEntry], always: Sequence[StixEntry] = ()) -> list[StixEntry]:
    """``versions`` of one object with ``latest``/``first`` set; those whose flags changed, and ``always``."""
    if not versions:
        return []
    newest, oldest = max(versions, key=version_order), min(versions, key=version_order)
    keep = {e.added_us for e in always}
    out: list[StixEntry] = []
    for entry in versions:
        latest, first = entry is newest, entry is oldest
        if entry.added_us in keep or (entry.latest, entry.first) != (latest, first):
            out.append(replace(entry, latest=latest, first=first))
    return out


def reflag(uow: UnitOfWork, remaining: Sequence[StixEntry], extra: Sequence[StixEntry] = ()) -> None:
    """Reset the flags of an object's stored versions after some were removed (``extra`` are stored with
    theirs already right, and only take part in deciding)."""
    flagged = reflagged([*remaining, *extra])
    stored = {e.added_us for e in extra}
    uow.stix.set_flags([(e.added_us, e.latest, e.first) for e in flagged if e.added_us not in stored])


def tombstone_of(newest: StixEntry, added_us: int, now_us: int, taken: set[int] | None = None) -> StixEntry:
    """The tombstone of an object whose newest version is ``newest``. ``taken`` holds the version instants
    other organisations' copies of the object hold (one instant of one object is stored once): the tombstone
    takes the next free one, and adds it."""
    body = dict(newest.body)
    if "modified" in body:
        version_us = max(now_us, newest.version_us + 1)
        while taken is not None and version_us in taken:
            version_us += 1
        if taken is not None:
            taken.add(version_us)
        version = stix_timestamp(version_us)
        body["modified"] = version
        body["revoked"] = True
    else:
        version_us, version = added_us, stix_timestamp(added_us)
        body = marked_deleted(body)
    return replace(
        newest,
        added_us=added_us,
        version=version,
        version_us=version_us,
        body=body,
        tombstone=True,
        latest=True,
        first=False,
    )


def _depth(value: Any) -> int:
    """How deeply ``value`` nests (a scalar is 0), without recursion."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict):
            children: Iterable[Any] = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        deepest = max(deepest, level + 1)
        if deepest > MAX_DEPTH:
            return deepest
        stack.extend((child, level + 1) for child in children)
    return deepest
