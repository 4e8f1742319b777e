"""A data subject's identifier, and the forms the hub may hold it in: clear, and keyed by forum keys."""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from fimihub import policy
from fimihub.errors import ValidationError
from fimihub.exchange.stix import signing
from fimihub.hub.keys import account_value
from fimihub.matching.kinds import SIGNAL_TYPES
from fimihub.model import (
    ForumKey,
    SignalKind,
)
from fimihub.vocab import platform as platform_slug

#: The kinds of identifier a request may name.
SUBJECT_KINDS = ("account_id", "handle", "email", "phone", "domain", "url")
#: Shortest identifier searched for: shorter ones would be found in almost any text.
MIN_LENGTH = 3
_MAX_VALUE = 2000
_DIGEST_TAG = b"fimihub-data-subject-v1"
#: Values never searched: fimihub and STIX ids, and timestamps (a short number would be found in both).
_ID_TEXT = re.compile(r"^[a-z][a-z0-9-]*--[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
_TIME_TEXT = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$")
#: Properties never searched: markings, references, signatures, sealed boxes and the names of keys.
_SKIPPED = frozenset(
    {
        "marking",
        "object_marking_refs",
        "x_fimihub_signature",
        signing.SIGNATURE_EXTENSION_ID,
        "identifier_key",
        "purpose",
        "lawful_basis",
    }
)
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
