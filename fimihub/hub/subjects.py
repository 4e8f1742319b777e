"""Data-subject requests (GDPR Art. 15-17): find, export, rectify and erase what the hub holds about one
identifier — an account id or handle on a platform, an e-mail address, a phone number, a domain or a URL.

A request is the controller's: the hub's operator (the command line) or an admin of the hub's operator
organisation (:func:`fimihub.policy.may_administer_hub`), never an ordinary member. It is the one path on
which a hub admin sees records of every marking, so every request is in the audit log (``subject.find``,
``subject.export``, ``subject.rectify``, ``subject.erase``) with the reference the requester gives and the
identifier only as a digest keyed with a secret of this hub (:func:`subject_digest`): never in clear, never
in any forum's keyed form.

**What is searched.** The identifier is turned into the forms the hub may hold it in (:class:`SubjectForms`):
its clear forms (an account id bare and as ``platform:id``, a handle bare and as ``platform:handle``, the
normalised e-mail address, phone number, domain or URL) and, for account ids, e-mail addresses and phone
numbers, its keyed hash under every forum key, current and retired (what signals, forum assets and matches
hold). Every governed record (operations, assets, signals, actions, feedback, cases, leads, fingerprints,
matches) and every version of every STIX object in every TAXII collection is read, page by page, and a
record concerns the subject when one of its text values holds one of those forms as a whole word (a plain
search, case-insensitive, with word boundaries: ``12345`` is not found in ``112345``). Ids, timestamps,
sealed boxes and key names are not searched. A record that names another platform than the subject's is
found only by a keyed form (which names the platform already). What the search cannot see: identifiers
sealed to an organisation's identifier key (the hub cannot open them), keyed handle patterns in fingerprints,
and texts that write the identifier differently.

**Legal holds.** A case under legal hold keeps itself, its operations and everything of theirs, as retention
does (:attr:`fimihub.model.Case.legal_hold`): such records — and the STIX objects that carry them — are found,
exported and listed as held, never erased.

**Erasure** is one transaction: signals are revoked first (a new version, published as a revoked indicator
that peers' sync applies), then every record found is deleted (the feed withdraws their STIX objects), then
every version of every STIX object that still holds the identifier is removed, leaving a tombstone
(``revoked: true``, or ``x_fimihub_deleted`` for observables) so that pollers learn of it. The tombstone keeps
the object's shape but not the identifier: every form of it is replaced by a placeholder that is valid where
it stands (64 zeros for a keyed hash, ``erased.invalid`` for a domain …), and the hub signs it again.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from fimihub import jsontext, policy
from fimihub.errors import PermissionDenied, ValidationError
from fimihub.exchange.stix import to_stix_objects
from fimihub.hub.caller import Caller, Operator, caller_id
from fimihub.hub.keys import account_value
from fimihub.hub.taxii.feed import FED_KINDS, VOCABULARY_TYPES, WatchedUnitOfWork
from fimihub.hub.taxii.posting import lineage, version_order
from fimihub.hub.taxii.resources import collection_id_of, stix_timestamp
from fimihub.hub.taxii.writing import others_instants, withdraw
from fimihub.matching.kinds import SIGNAL_TYPES
from fimihub.model import (
    Action,
    Asset,
    Case,
    Feedback,
    Fingerprint,
    Forum,
    ForumKey,
    Governed,
    Lead,
    Match,
    Operation,
    Signal,
    SignalKind,
)
from fimihub.settings import Settings
from fimihub.storage import Store, UnitOfWork
from fimihub.storage.base import StixEntry, StixQuery
from fimihub.vocab import platform as platform_slug

__all__ = [
    "SUBJECT_KINDS",
    "FoundRecord",
    "FoundStix",
    "KeyedForm",
    "Subject",
    "SubjectErasure",
    "SubjectFindings",
    "SubjectForms",
    "SubjectRequests",
    "record_kind_of",
    "subject_digest",
]

#: The kinds of identifier a request may name.
SUBJECT_KINDS = ("account_id", "handle", "email", "phone", "domain", "url")
#: Every governed record kind searched, by the plural name the API uses for it.
SEARCHED: dict[str, type[Governed]] = {
    "operations": Operation,
    "assets": Asset,
    "signals": Signal,
    "actions": Action,
    "feedback": Feedback,
    "cases": Case,
    "leads": Lead,
    "fingerprints": Fingerprint,
    "matches": Match,
}
_PREFIXES: dict[str, str] = {
    "operation": "operations",
    "asset": "assets",
    "signal": "signals",
    "action": "actions",
    "feedback": "feedback",
    "case": "cases",
    "lead": "leads",
    "fingerprint": "fingerprints",
    "match": "matches",
}
#: Shortest identifier searched for: shorter ones would be found in almost any text.
MIN_LENGTH = 3
_MAX_VALUE = 2000
_MAX_REF = 200
_PAGE = 1000
#: How many ids of each kind an audit event lists (the counts are always whole).
_AUDIT_IDS = 1000
_EXPORT_FORMAT = "fimihub-subject-export-v1"
_DIGEST_TAG = b"fimihub-data-subject-v1"
#: Values never searched: fimihub and STIX ids, and timestamps (a short number would be found in both).
_ID_TEXT = re.compile(r"^[a-z][a-z0-9-]*--[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
_TIME_TEXT = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$")
#: Properties never searched: markings, references, signatures, sealed boxes and the names of keys.
_SKIPPED = frozenset({"marking", "object_marking_refs", "x_fimihub_signature", "identifier_key", "purpose"})
_SKIPPED_ENDINGS = ("_sealed", "_key_id", "_ref", "_refs")
#: What replaces a keyed form in a tombstone, and a clear form by the subject's kind.
_KEYED_PLACEHOLDER = "0" * 64
_PLACEHOLDERS = {
    "account_id": "erased",
    "handle": "erased",
    "email": "erased@erased.invalid",
    "phone": "+0000000000",
    "domain": "erased.invalid",
    "url": "https://erased.invalid/",
}

#: What an erasure's tombstone drops besides the identifier: free text, labels and references, which STIX
#: never requires (as retention's tombstones, :mod:`fimihub.hub.taxii.retention`).
_DESCRIPTIVE = frozenset(
    {
        "description",
        "explanation",
        "abstract",
        "authors",
        "aliases",
        "labels",
        "external_references",
        "granular_markings",
        "display_name",
        "goals",
        "objective",
        "kill_chain_phases",
    }
)
#: The custom properties a tombstone keeps: what marks it, and the signature the hub renews.
_TOMBSTONE_MARKS = frozenset({"x_fimihub_deleted", "x_fimihub_signature"})

Change = tuple[Governed | None, Governed | None]
#: Publishes the record changes of a unit of work into the TAXII collections (the hub's record feed).
Publish = Callable[[UnitOfWork, Caller, Sequence[Change], datetime], None]
#: Signs a tombstone again when the object it replaces was signed.
Resign = Callable[[UnitOfWork, dict[str, Any]], dict[str, Any]]
#: :meth:`fimihub.Hub.update`: a change to a record under the hub's rules.
Update = Callable[[Caller, type[Governed], str, Mapping[str, Any]], Governed]


# -- the identifier --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Subject:
    """The identifier a request is about: its kind, its value, and the platform of an account id or handle.
    ``canonical`` is the value as the hub compares it (``platform:id``, the normalised handle, address …)."""

    kind: str
    value: str
    platform: str | None
    canonical: str

    @classmethod
    def parse(cls, data: Mapping[str, Any]) -> Subject:
        """A subject from ``{"kind", "value", "platform"?}``; :class:`ValidationError` names what is wrong."""
        if not isinstance(data, Mapping):
            raise ValidationError("subject", "must be an object with kind, value and platform")
        unknown = sorted(str(k) for k in data if k not in ("kind", "value", "platform"))
        if unknown:
            raise ValidationError(unknown[0], "unknown field (a subject has kind, value and platform)")
        kind, value, platform = data.get("kind"), data.get("value"), data.get("platform")
        if kind not in SUBJECT_KINDS:
            raise ValidationError("kind", f"must be one of {list(SUBJECT_KINDS)}")
        if not isinstance(value, str) or not value.strip():
            raise ValidationError("value", "must be a non-empty string: the identifier")
        if len(value) > _MAX_VALUE or "\x00" in value:
            raise ValidationError("value", f"must be at most {_MAX_VALUE} characters, without NUL")
        value = value.strip()
        if platform is not None and not isinstance(platform, str):
            raise ValidationError("platform", "must be a string: the platform's name")
        slug: str | None = None
        if platform:
            try:
                slug = platform_slug(platform)
            except ValueError as exc:
                raise ValidationError("platform", str(exc)) from None
        if kind in ("account_id", "handle") and ":" in value:
            # ``x:12345`` and ``x:name`` carry their platform (the form signals and matches use).
            head, _, tail = value.partition(":")
            named = _slug_or_none(head)
            if named is not None and tail.strip() and slug in (None, named):
                slug, value = named, tail.strip()
        if kind in ("account_id", "handle") and slug is None:
            raise ValidationError("platform", f"required for an {kind}: the same id names others elsewhere")
        try:
            canonical = _canonical(kind, value, slug)
        except ValueError as exc:
            raise ValidationError("value", str(exc)) from None
        if len(_bare(kind, canonical)) < MIN_LENGTH:
            raise ValidationError(
                "value", f"too short to search for (at least {MIN_LENGTH} characters): it is in every text"
            )
        return cls(kind=kind, value=value, platform=slug, canonical=canonical)

    def described(self, digest: str) -> dict[str, Any]:
        """The subject as the audit log and reports name it: kind, platform and digest, never the value."""
        return {"kind": self.kind, "platform": self.platform, "digest": digest}


def _canonical(kind: str, value: str, platform: str | None) -> str:
    if kind == "account_id":
        assert platform is not None
        return account_value(platform, value)
    if kind == "handle":
        return SIGNAL_TYPES[SignalKind.HANDLE].normalise(f"{platform}:{value.lstrip('@')}")
    if kind in ("email", "phone"):
        return policy.normalise(kind, value)
    return SIGNAL_TYPES[SignalKind(kind)].normalise(value)


def _slug_or_none(name: str) -> str | None:
    try:
        return platform_slug(name)
    except ValueError:
        return None


def _bare(kind: str, canonical: str) -> str:
    """The identifier without its platform: what may stand alone in a text."""
    return canonical.partition(":")[2] if kind in ("account_id", "handle") else canonical


def subject_digest(signing_key: bytes, subject: Subject) -> str:
    """What the audit log records for ``subject``: an HMAC-SHA256 of its kind and canonical value under a
    key derived from this hub's own secret (its signing key), so requests about one identifier can be told
    apart and grouped, while neither the identifier nor any forum's keyed form of it is written down."""
    key = hmac.new(signing_key, _DIGEST_TAG, hashlib.sha256).digest()
    message = b"\x00".join((subject.kind.encode(), subject.canonical.encode("utf-8")))
    return "ds-" + hmac.new(key, message, hashlib.sha256).hexdigest()[:32]


# -- its forms, and searching for them ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class KeyedForm:
    """The identifier's keyed hash under one forum key."""

    forum_id: str
    key_id: str
    value: str
    retired: bool


class SubjectForms:
    """The forms the hub may hold an identifier in, and the search (and redaction) for them in JSON values."""

    def __init__(self, subject: Subject, keys: Iterable[ForumKey]) -> None:
        self.subject = subject
        self.keyed = tuple(_keyed_forms(subject, keys))
        self.clear = _clear_forms(subject)
        self._clear = _alternatives(self.clear, *_boundaries(subject.kind))
        self._others: re.Pattern[str] | None = None
        self._escaped = any(c in '"\\' or ord(c) < 0x20 for form in self.clear for c in form)
        self._literals = tuple({f.lower() for f in self.clear} | {k.value for k in self.keyed})
        keyed = sorted({k.value for k in self.keyed})
        self._keyed: re.Pattern[str] | None = (
            re.compile("(?<![0-9A-Za-z])(?:" + "|".join(keyed) + ")(?![0-9A-Za-z])", re.IGNORECASE)
            if keyed
            else None
        )

    def may_mention(self, text: str) -> bool:
        """Whether ``text`` (a record's or object's JSON) may hold a form of the identifier: a quick test on
        the whole text (a form anywhere in it, in any case), true whenever :meth:`mentioned` could be (JSON
        writes the forms as they are, unless they hold a quote, a backslash or a control character: then it
        always says true)."""
        if self._escaped:
            return True
        lowered = text.lower()
        return any(form in lowered for form in self._literals)

    def mentioned(self, data: Any, *, clear: bool = True) -> bool:
        """Whether a text value of ``data`` (JSON-like) holds a form of the identifier; only keyed forms count
        when ``clear`` is false."""
        for text in _texts(data):
            if self._keyed is not None and self._keyed.search(text):
                return True
            if clear and self._clear.search(text):
                return True
        return False

    def also_redacting(self, values: Iterable[str]) -> SubjectForms:
        """These forms, whose :meth:`redacted` also replaces ``values`` (what erased records said of the
        subject besides the identifier: an account's handle, name and URL), searched as whole words."""
        others = sorted({v.strip() for v in values if len(v.strip()) >= MIN_LENGTH} - set(self.clear))
        forms = SubjectForms.__new__(SubjectForms)
        forms.subject, forms.keyed, forms.clear = self.subject, self.keyed, self.clear
        forms._clear, forms._keyed, forms._escaped = self._clear, self._keyed, self._escaped
        forms._literals = self._literals
        forms._others = _alternatives(others, *_boundaries("")) if others else None
        return forms

    def redacted(self, data: Any) -> Any:
        """``data`` with every form of the identifier in its text values replaced by a placeholder."""
        if isinstance(data, dict):
            return {k: v if _skipped(k) else self.redacted(v) for k, v in data.items()}
        if isinstance(data, list):
            return [self.redacted(v) for v in data]
        if isinstance(data, str) and _searched(data):
            if self._keyed is not None:
                data = self._keyed.sub(_KEYED_PLACEHOLDER, data)
            data = self._clear.sub(self._placeholder, data)
            return self._others.sub(_PLACEHOLDERS["handle"], data) if self._others is not None else data
        return data

    def _placeholder(self, found: re.Match[str]) -> str:
        text = found.group(0)
        if self.subject.kind == "handle" and ":" in text:
            return f"{text.partition(':')[0]}:{_PLACEHOLDERS['handle']}"
        return _PLACEHOLDERS[self.subject.kind]

    def occurring(self, texts: Iterable[str]) -> list[KeyedForm]:
        """The keyed forms that occur in any of ``texts``."""
        joined = "\n".join(texts).lower()
        return [k for k in self.keyed if k.value in joined]


def _keyed_forms(subject: Subject, keys: Iterable[ForumKey]) -> Iterator[KeyedForm]:
    if subject.kind not in ("account_id", "email", "phone"):
        return  # handles, domains and URLs are kept in clear
    value = subject.canonical if subject.kind == "account_id" else subject.value
    for key in sorted(keys, key=lambda k: (k.forum_id, k.created_at)):
        digest = policy.pseudonymise(key.key, subject.kind, value)
        yield KeyedForm(key.forum_id, key.id, digest, key.retired_at is not None)


def _clear_forms(subject: Subject) -> tuple[str, ...]:
    forms = {subject.canonical, subject.value}
    if subject.kind in ("account_id", "handle"):
        forms.add(_bare(subject.kind, subject.canonical))
        forms.add(subject.value.lstrip("@"))
    if subject.kind == "phone":
        forms.add(subject.canonical.lstrip("+"))
    return tuple(sorted(f for f in forms if len(f) >= MIN_LENGTH))


def _alternatives(
    forms: Iterable[str], left: Callable[[str], str], right: Callable[[str], str]
) -> re.Pattern[str]:
    """One pattern for every form, longest first, each standing as ``left`` and ``right`` say."""
    ordered = sorted(forms, key=len, reverse=True)
    return re.compile("|".join(f"{left(f)}{re.escape(f)}{right(f)}" for f in ordered), re.IGNORECASE)


def _boundaries(kind: str) -> tuple[Callable[[str], str], Callable[[str], str]]:
    """How a clear form must stand in a text: not inside a longer word, address, number or host name."""

    def word_left(form: str) -> str:
        return r"(?<!\w)" if re.match(r"\w", form) else ""

    def word_right(form: str) -> str:
        return r"(?!\w)" if re.search(r"\w$", form) else ""

    if kind == "domain":
        return (lambda f: r"(?<![\w-])"), (lambda f: r"(?![\w-])(?!\.\w)")
    if kind == "email":
        return (lambda f: r"(?<![\w.+-])"), (lambda f: r"(?![\w-])(?!\.\w)")
    if kind == "url":
        return word_left, (lambda f: "" if f.endswith("/") else r"(?![\w%-])")
    if kind == "phone":
        return (lambda f: r"(?<![\d+])"), (lambda f: r"(?!\d)")
    return word_left, word_right


def _skipped(key: str) -> bool:
    return key in _SKIPPED or key.endswith(_SKIPPED_ENDINGS)


def _searched(text: str) -> bool:
    return not (_ID_TEXT.match(text) or _TIME_TEXT.match(text))


def _texts(data: Any) -> Iterator[str]:
    """The text values of JSON-like ``data`` that are searched (not ids, timestamps or skipped properties)."""
    stack: list[Any] = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            stack.extend(v for k, v in item.items() if not (isinstance(k, str) and _skipped(k)))
        elif isinstance(item, list | tuple):
            stack.extend(item)
        elif isinstance(item, str) and _searched(item):
            yield item


# -- what was found ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FoundRecord:
    """A record that concerns the subject; ``held_by`` names the legal-hold cases that keep it."""

    kind: str
    record: Governed
    held_by: tuple[str, ...] = ()

    def summary(self) -> dict[str, Any]:
        return {
            "id": self.record.id,
            "owner_org": self.record.owner_org,
            "forum_id": self.record.forum_id,
            "tlp": self.record.marking.tlp.value,
            "held_by": list(self.held_by),
        }


@dataclass(frozen=True, slots=True)
class FoundStix:
    """One organisation's copy (every version) of a STIX object in a collection that holds the subject."""

    forum_id: str
    stix_id: str
    owner_org: str
    versions: tuple[StixEntry, ...]
    held_by: tuple[str, ...] = ()

    @property
    def type(self) -> str:
        return self.stix_id.partition("--")[0]

    def summary(self) -> dict[str, Any]:
        newest = max(self.versions, key=version_order)
        return {
            "forum_id": self.forum_id,
            "collection_id": collection_id_of(self.forum_id),
            "stix_id": self.stix_id,
            "type": self.type,
            "owner_org": self.owner_org,
            "versions": len(self.versions),
            "deleted": newest.tombstone,
            "held_by": list(self.held_by),
        }

    def exported(self) -> dict[str, Any]:
        return {
            **self.summary(),
            "versions": [
                {"version": e.version, "date_added": stix_timestamp(e.added_us), "object": e.body}
                for e in sorted(self.versions, key=lambda e: e.added_us)
            ],
        }


@dataclass(frozen=True, slots=True)
class SubjectFindings:
    """Everything the hub holds about one identifier: records by kind, and raw STIX objects."""

    request_ref: str
    subject: Subject
    digest: str
    records: tuple[FoundRecord, ...]
    stix: tuple[FoundStix, ...]
    keyed: tuple[KeyedForm, ...] = ()

    def by_kind(self) -> dict[str, list[FoundRecord]]:
        found: dict[str, list[FoundRecord]] = {}
        for item in self.records:
            found.setdefault(item.kind, []).append(item)
        return found

    def counts(self) -> dict[str, int]:
        counts = {kind: len(items) for kind, items in self.by_kind().items()}
        if self.stix:
            counts["stix_objects"] = len(self.stix)
        return counts

    def held(self) -> list[dict[str, Any]]:
        """What a legal hold keeps, with the cases that hold it."""
        return [
            {"kind": r.kind, "id": r.record.id, "held_by": list(r.held_by)} for r in self.records if r.held_by
        ] + [
            {"kind": "stix_objects", "id": s.stix_id, "forum_id": s.forum_id, "held_by": list(s.held_by)}
            for s in self.stix
            if s.held_by
        ]

    def to_json(self) -> dict[str, Any]:
        """What was found, by id (the answer of ``find``): no record's content, no identifier."""
        return {
            "request_ref": self.request_ref,
            "subject": self.subject.described(self.digest),
            "counts": self.counts(),
            "records": {k: [r.summary() for r in items] for k, items in self.by_kind().items()},
            "stix_objects": [s.summary() for s in self.stix],
            "held": self.held(),
        }

    def export(self, *, hub_name: str, at: datetime) -> dict[str, Any]:
        """The records in their API JSON form, the STIX objects as the collections hold them, and the
        identifier's keyed forms that occur in them: the copy a data subject is given (Art. 15)."""
        return {
            "format": _EXPORT_FORMAT,
            "hub": hub_name,
            "generated_at": at.isoformat(timespec="seconds"),
            "request_ref": self.request_ref,
            "subject": {
                "kind": self.subject.kind,
                "platform": self.subject.platform,
                "value": self.subject.value,
                "digest": self.digest,
            },
            "keyed_forms": [
                {"forum_id": k.forum_id, "key_id": k.key_id, "value": k.value, "retired": k.retired}
                for k in self.keyed
            ],
            "counts": self.counts(),
            "records": {
                kind: [{**r.record.model_dump(mode="json"), "held_by": list(r.held_by)} for r in items]
                for kind, items in self.by_kind().items()
            },
            "stix_objects": [s.exported() for s in self.stix],
            "held": self.held(),
        }


@dataclass(frozen=True, slots=True)
class SubjectErasure:
    """What an erasure did (or, in a dry run, would do): records erased by kind, signals revoked first, STIX
    objects withdrawn (with the tombstone left), and what was kept — held by a legal hold, or ``kept`` on
    request."""

    request_ref: str
    subject: Subject
    digest: str
    dry_run: bool
    erased: dict[str, list[str]]
    revoked: list[str]
    stix_objects: list[dict[str, Any]]
    held: list[dict[str, Any]]
    kept: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "request_ref": self.request_ref,
            "subject": self.subject.described(self.digest),
            "dry_run": self.dry_run,
            "erased": self.erased,
            "revoked": self.revoked,
            "stix_objects": self.stix_objects,
            "held": self.held,
            "kept": self.kept,
        }


# -- the use cases ------------------------------------------------------------------------------------------


class SubjectRequests:
    """Data-subject requests over one store; the hub builds one per request (:meth:`fimihub.Hub.subject_find`
    and the methods after it).

    ``publish`` is the hub's record feed (what a use case's record changes become in the TAXII collections),
    ``resign`` signs a tombstone again, ``update`` is :meth:`fimihub.Hub.update` (rectification follows its
    rules)."""

    def __init__(
        self,
        store: Store,
        settings: Settings,
        clock: Callable[[], datetime],
        *,
        publish: Publish,
        resign: Resign,
        update: Update,
    ) -> None:
        self.store = store
        self.settings = settings
        self.clock = clock
        self._publish = publish
        self._resign = resign
        self._update = update

    def find(self, by: Caller, subject: Mapping[str, Any], *, request_ref: str) -> SubjectFindings:
        """Every record and STIX object that concerns the subject (audited as ``subject.find``)."""
        return self._look(by, subject, request_ref, "subject.find")

    def export(self, by: Caller, subject: Mapping[str, Any], *, request_ref: str) -> dict[str, Any]:
        """What :meth:`find` finds, whole, as one JSON document (audited as ``subject.export``)."""
        findings = self._look(by, subject, request_ref, "subject.export")
        return findings.export(hub_name=self.settings.hub_name, at=self.clock())

    def erase(
        self,
        by: Caller,
        subject: Mapping[str, Any],
        *,
        request_ref: str,
        dry_run: bool = True,
        keep: Sequence[str] = (),
    ) -> SubjectErasure:
        """Erase what concerns the subject, in one transaction, except what a legal hold keeps and the ids in
        ``keep`` (records or STIX objects the search found by mistake). A ``dry_run`` (the default) says what
        would go and changes nothing but the audit log."""
        _require_controller(by)
        ref = _checked_ref(request_ref)
        parsed = Subject.parse(subject)
        kept = _checked_keep(keep)
        if not isinstance(dry_run, bool):
            raise ValidationError("dry_run", "must be true or false")
        now = self.clock()
        with self.store.unit_of_work() as uow:
            forms = SubjectForms(parsed, uow.find(ForumKey))
            digest = subject_digest(uow.peers.signing_key(), parsed)
            found = _find(uow, forms, ref, digest)
            records = [r for r in found.records if not r.held_by and r.record.id not in kept]
            # The STIX objects of the records that stay (held, or kept on request) stay with them.
            spared = kept | _carried_ids(r for r in found.records if r.held_by or r.record.id in kept)
            revoked = [r.record.id for r in records if isinstance(r.record, Signal) and not r.record.revoked]
            if dry_run:
                stix = [s.summary() for s in found.stix if s.stix_id not in spared]
            else:
                self._erase_records(uow, by, records, now)
                redaction = forms.also_redacting(_described_by(r.record for r in records))
                stix = self._erase_stix(uow, forms, redaction, spared, now)
            erased: dict[str, list[str]] = {}
            for item in records:
                erased.setdefault(item.kind, []).append(item.record.id)
            report = SubjectErasure(
                request_ref=ref,
                subject=parsed,
                digest=digest,
                dry_run=dry_run,
                erased=erased,
                revoked=revoked,
                stix_objects=stix,
                held=found.held(),
                kept=sorted(kept & ({r.record.id for r in found.records} | {s.stix_id for s in found.stix})),
            )
            uow.append_audit(
                actor=caller_id(by),
                action="subject.erase",
                subject_type="data_subject",
                subject_id=digest,
                detail={
                    "request_ref": ref,
                    "subject": parsed.described(digest),
                    "dry_run": dry_run,
                    "erased": {k: ids[:_AUDIT_IDS] for k, ids in erased.items()},
                    "counts": {k: len(ids) for k, ids in erased.items()},
                    "revoked": revoked[:_AUDIT_IDS],
                    "stix_objects": [
                        {"forum_id": s["forum_id"], "stix_id": s["stix_id"], "owner_org": s["owner_org"]}
                        for s in stix[:_AUDIT_IDS]
                    ],
                    "held": [h["id"] for h in report.held[:_AUDIT_IDS]],
                    "kept": report.kept[:_AUDIT_IDS],
                },
                at=now,
            )
        return report

    def rectify(
        self, by: Caller, record_id: str, changes: Mapping[str, Any], *, request_ref: str
    ) -> Governed:
        """Correct fields of one record under :meth:`fimihub.Hub.update`'s rules (the owner organisation's
        writers, or the operator; markings only tighten), then record the request (``subject.rectify``, with
        the names of the fields changed, never their values)."""
        _require_controller(by)
        ref = _checked_ref(request_ref)
        if not isinstance(changes, Mapping) or not changes:
            raise ValidationError("changes", "name at least one field to correct")
        kind = record_kind_of(record_id)
        updated = self._update(by, SEARCHED[kind], record_id, changes)
        with self.store.unit_of_work() as uow:
            uow.append_audit(
                actor=caller_id(by),
                action="subject.rectify",
                subject_type=record_id.partition("--")[0],
                subject_id=record_id,
                detail={"request_ref": ref, "fields": sorted(str(k) for k in changes)},
                at=self.clock(),
            )
        return updated

    # -- internals ----------------------------------------------------------------------------------------

    def _look(self, by: Caller, subject: Mapping[str, Any], request_ref: str, action: str) -> SubjectFindings:
        _require_controller(by)
        ref = _checked_ref(request_ref)
        parsed = Subject.parse(subject)
        now = self.clock()
        # A write transaction: the audit event of the disclosure commits with the reading it records.
        with self.store.unit_of_work() as uow:
            forms = SubjectForms(parsed, uow.find(ForumKey))
            digest = subject_digest(uow.peers.signing_key(), parsed)
            found = _find(uow, forms, ref, digest)
            uow.append_audit(
                actor=caller_id(by),
                action=action,
                subject_type="data_subject",
                subject_id=digest,
                detail={
                    "request_ref": ref,
                    "subject": parsed.described(digest),
                    "counts": found.counts(),
                    "held": len(found.held()),
                },
                at=now,
            )
        return found

    def _erase_records(
        self, uow: UnitOfWork, by: Caller, records: Sequence[FoundRecord], now: datetime
    ) -> None:
        """Revoke the signals, then delete every record; the feed withdraws their objects from the
        collections (before commit, in this transaction)."""
        watched = WatchedUnitOfWork(uow)
        for item in records:
            signal = item.record
            if isinstance(signal, Signal) and not signal.revoked:
                # A newer version, so that a peer holding the signal takes the revocation as news.
                moment = max(now, signal.modified_at + timedelta(milliseconds=1))
                watched.update(signal.model_copy(update={"revoked": True, "modified_at": moment}))
        for item in records:
            watched.delete(type(item.record), item.record.id)
        if watched.changes:
            self._publish(uow, by, watched.changes, now)

    def _erase_stix(
        self, uow: UnitOfWork, forms: SubjectForms, redaction: SubjectForms, spared: set[str], now: datetime
    ) -> list[dict[str, Any]]:
        """Withdraw every copy of a STIX object that still holds the identifier (the tombstones the feed just
        left included), leaving a tombstone redacted with ``redaction``; ``spared`` ids stay as they are."""
        done: list[dict[str, Any]] = []
        redact = partial(_redacted_tombstone, redaction, self._resign, uow)
        for hit in _stix_hits(uow, forms, uow.find(Forum)):
            if hit.stix_id in spared:
                continue
            every = uow.stix.versions_of(hit.forum_id, [hit.stix_id])
            owned = lineage(every, hit.owner_org)
            if not owned:
                continue
            taken = others_instants(every, hit.owner_org)
            stone = withdraw(uow, owned, owned, now, resign=redact, taken=taken)
            done.append(
                {
                    **hit.summary(),
                    "deleted": True,
                    "versions": len(owned),
                    "tombstone": stone.version if stone else None,
                }
            )
        return done


def _redacted_tombstone(
    forms: SubjectForms, resign: Resign, uow: UnitOfWork, body: dict[str, Any]
) -> dict[str, Any]:
    """The tombstone of an erased object: what STIX requires of it (free text, labels and custom properties
    dropped, as retention's tombstones have it), with every form of the identifier replaced, signed again.
    An indicator keeps fimihub's extension, whose record id and time let a peer's sync revoke its copy of
    the signal."""
    kept = {
        k: v
        for k, v in body.items()
        if k not in _DESCRIPTIVE
        and (k != "extensions" or body.get("type") == "indicator")
        and (not k.startswith("x_") or k in _TOMBSTONE_MARKS)
    }
    redacted = forms.redacted(kept)
    assert isinstance(redacted, dict)
    return resign(uow, redacted)


def _find(uow: UnitOfWork, forms: SubjectForms, ref: str, digest: str) -> SubjectFindings:
    holds = _Holds(uow)
    records: list[FoundRecord] = []
    for kind, cls in SEARCHED.items():
        for batch in uow.pages(cls, size=_PAGE):
            for record in batch:
                if not forms.may_mention(record.model_dump_json()):
                    continue
                data = record.model_dump(mode="json")
                if forms.mentioned(data, clear=_same_platform(forms.subject, record)):
                    records.append(FoundRecord(kind, record, holds.of(record)))
    held_ids = _carried_ids(r for r in records if r.held_by)
    stix = [
        FoundStix(s.forum_id, s.stix_id, s.owner_org, s.versions, _held_by(s.stix_id, records))
        if s.stix_id in held_ids
        else s
        for s in _stix_hits(uow, forms, uow.find(Forum))
    ]
    texts = [r.record.model_dump_json() for r in records]
    texts += [str(e.body) for s in stix for e in s.versions]
    return SubjectFindings(
        request_ref=ref,
        subject=forms.subject,
        digest=digest,
        records=tuple(records),
        stix=tuple(stix),
        keyed=tuple(forms.occurring(texts)),
    )


def _stix_hits(uow: UnitOfWork, forms: SubjectForms, forums: Sequence[Forum]) -> list[FoundStix]:
    """Every organisation's copy of every object, in every collection, of which a version holds the
    identifier."""
    hits: dict[tuple[str, str, str], None] = {}
    for forum in sorted(forums, key=lambda f: f.id):
        after: int | None = None
        while True:
            batch = uow.stix.find(StixQuery(forum_id=forum.id, after_us=after, limit=_PAGE))
            for entry in batch:
                if forms.may_mention(jsontext.dumps(entry.body)) and forms.mentioned(entry.body):
                    hits[(entry.forum_id, entry.stix_id, entry.owner_org)] = None
            if len(batch) < _PAGE:
                break
            after = batch[-1].added_us
    found: list[FoundStix] = []
    for forum_id, stix_id, owner in hits:
        versions = lineage(uow.stix.versions_of(forum_id, [stix_id]), owner)
        if versions:
            found.append(FoundStix(forum_id, stix_id, owner, tuple(versions)))
    return found


class _Holds:
    """The legal holds in force: the held cases, and the operations they name (as retention has them)."""

    def __init__(self, uow: UnitOfWork) -> None:
        self.cases = [c for c in uow.find(Case) if c.legal_hold]

    def of(self, record: Governed) -> tuple[str, ...]:
        if isinstance(record, Case) and record.legal_hold:
            return (record.id,)
        operation = record.id if isinstance(record, Operation) else getattr(record, "operation_id", None)
        if operation is None or isinstance(record, Feedback):
            return ()
        return tuple(c.id for c in self.cases if operation in c.operation_ids)


def _described_by(records: Iterable[Governed]) -> list[str]:
    """What erased assets said of the account besides its id: its handle, name and URL."""
    values: list[str] = []
    for record in records:
        if isinstance(record, Asset) and record.names_an_account:
            values += [v.lstrip("@") for v in (record.handle, record.display_name, record.url) if v]
    return values


def _carried_ids(records: Iterable[FoundRecord]) -> set[str]:
    """The ids of the STIX objects that carry ``records`` in their forums' collections."""
    ids: set[str] = set()
    for item in records:
        if isinstance(item.record, FED_KINDS) and item.record.forum_id:
            ids.update(_carried(item.record))
    return ids


def _held_by(stix_id: str, records: Iterable[FoundRecord]) -> tuple[str, ...]:
    cases: dict[str, None] = {}
    for item in records:
        if item.held_by and isinstance(item.record, FED_KINDS) and stix_id in _carried(item.record):
            cases.update(dict.fromkeys(item.held_by))
    return tuple(cases)


def _carried(record: Governed) -> set[str]:
    return {str(o["id"]) for o in to_stix_objects([record]) if o["type"] not in VOCABULARY_TYPES}


def _same_platform(subject: Subject, record: Governed) -> bool:
    """Whether a clear form found in ``record`` may be the subject's: not when the record names another
    platform than the subject's account id or handle lives on."""
    named = getattr(record, "platform", None)
    if subject.platform is None or not isinstance(named, str) or not named:
        return True
    try:
        return platform_slug(named) == subject.platform
    except ValueError:
        return True


def record_kind_of(record_id: str) -> str:
    """The kind (API plural) of a record id, by its prefix (``signal--…`` is a signal)."""
    if not isinstance(record_id, str):
        raise ValidationError("record_id", "must be a string")
    kind = _PREFIXES.get(record_id.partition("--")[0])
    if kind is None:
        raise ValidationError("record_id", f"not the id of a record ({', '.join(sorted(_PREFIXES))})")
    return kind


def _require_controller(by: Caller) -> None:
    if not isinstance(by, Operator) and not policy.may_administer_hub(by):
        raise PermissionDenied(
            "data-subject requests are the controller's: the hub operator or its admins (admin scope)"
        )


def _checked_ref(request_ref: Any) -> str:
    if not isinstance(request_ref, str) or not request_ref.strip():
        raise ValidationError("request_ref", "required: the reference of the data-subject request")
    ref = request_ref.strip()
    if len(ref) > _MAX_REF or not ref.isprintable():
        raise ValidationError("request_ref", f"must be at most {_MAX_REF} printable characters")
    return ref


def _checked_keep(keep: Any) -> set[str]:
    if isinstance(keep, str) or not isinstance(keep, Sequence | set | frozenset):
        raise ValidationError("keep", "must be a list of record or STIX object ids")
    if not all(isinstance(k, str) for k in keep):
        raise ValidationError("keep", "must be a list of record or STIX object ids")
    return set(keep)
